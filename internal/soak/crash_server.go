package soak

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// Instance is an installation under test: a data directory (the SQLite
// database or, with PostgreSQL, the key file) seeded with the demo hall,
// and the binary that serves it. Start may run several servers on it
// (PostgreSQL).
type Instance struct {
	Bin, Dir, Data, DSN, Sync, Engine string
	HallID                            int64
	Kiosk                             string           // kiosk device token
	Windows                           map[int]int64    // window number → id
	Serves                            map[int][]string // window number → item codes
	Tokens                            map[int]string   // window number → API token of its clerk
	Manager                           string           // API token of the hall manager
	ExtraArgs                         []string         // more flags for serve
	EventBase                         int64            // newest event when seeded
	baseDSN                           string           // the PostgreSQL server's DSN, without the schema
	dropSchema                        func()
	removeDir                         bool
	logf                              *os.File
	starts                            int // servers started (names their connections)
}

// Prepare makes the installation: a fresh database (a new schema in the
// PostgreSQL server of dsn, or a SQLite file in dir) with the demo hall.
func Prepare(ctx context.Context, bin, dir, dsn, sync string) (*Instance, error) {
	in := &Instance{Bin: bin, Sync: sync, Engine: "sqlite", Windows: map[int]int64{}, Serves: map[int][]string{}, Tokens: map[int]string{}}
	if sync == "" {
		in.Sync = "FULL"
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "mingbai-soak-")
		if err != nil {
			return nil, err
		}
		dir, in.removeDir = d, true
	}
	in.Dir, in.Data = dir, filepath.Join(dir, "data")
	if err := os.MkdirAll(in.Data, 0o700); err != nil {
		return nil, err
	}
	var err error
	if in.logf, err = os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err != nil {
		return nil, err
	}
	if dsn != "" {
		in.Engine, in.baseDSN = "postgres", dsn
		if in.DSN, in.dropSchema, err = FreshSchema(dsn, "soak"); err != nil {
			return nil, err
		}
	}
	db, err := in.open(ctx)
	if err != nil {
		in.Cleanup()
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		in.Cleanup()
		return nil, err
	}
	seeded, err := demo.Seed(ctx, db)
	if err != nil {
		in.Cleanup()
		return nil, err
	}
	in.HallID = seeded.Hall.ID
	for name, tok := range seeded.DeviceTokens {
		if strings.Contains(name, "取号机") {
			in.Kiosk = tok
			break
		}
	}
	wins, err := db.ListWindows(ctx, in.HallID)
	if err != nil {
		in.Cleanup()
		return nil, err
	}
	for _, w := range wins {
		var n int
		fmt.Sscan(w.Number, &n)
		in.Windows[n] = w.ID
		in.Serves[n] = w.Items
	}
	for n := 1; n <= 22; n++ {
		if in.Tokens[n], _, err = db.CreateToken(ctx, fmt.Sprintf("w%02d", n), "soak"); err != nil {
			in.Cleanup()
			return nil, err
		}
	}
	if in.Manager, _, err = db.CreateToken(ctx, "manager", "soak"); err != nil {
		in.Cleanup()
		return nil, err
	}
	if _, in.EventBase, err = db.EventRange(ctx); err != nil {
		in.Cleanup()
		return nil, err
	}
	if in.Kiosk == "" {
		in.Cleanup()
		return nil, fmt.Errorf("demo hall has no kiosk")
	}
	return in, nil
}

// open opens the store with the personal-data key of the installation.
func (in *Instance) open(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{Dir: in.Data, DSN: in.DSN, Synchronous: in.Sync})
	if err != nil {
		return nil, err
	}
	db.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	ring, err := pii.LoadOrCreateKeyFile(filepath.Join(in.Data, "pii.key"))
	if err != nil {
		db.Close()
		return nil, err
	}
	sealer, err := pii.NewSealer(ring)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.SetPII(sealer)
	return db, nil
}

// Open opens the installation's database (to check it; the caller closes).
func (in *Instance) Open(ctx context.Context) (*store.DB, error) { return in.open(ctx) }

// Cleanup drops the schema and removes a directory Prepare made.
func (in *Instance) Cleanup() {
	if in.logf != nil {
		in.logf.Close()
	}
	if in.dropSchema != nil {
		in.dropSchema()
	}
	if in.removeDir {
		os.RemoveAll(in.Dir)
	}
}

// LogTail returns the end of the servers' log, for failure messages.
func (in *Instance) LogTail(n int) string {
	b, _ := os.ReadFile(filepath.Join(in.Dir, "server.log"))
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// Args are the storage flags of the installation for any mingbai command.
func (in *Instance) Args() []string {
	a := []string{"--data", in.Data, "--synchronous", in.Sync}
	if in.DSN != "" {
		a = append(a, "--db", in.DSN)
	}
	return a
}

// Server is one running server process.
type Server struct {
	URL      string
	Recovery time.Duration // from exec to the first successful answer
	// App is the application_name of the server's PostgreSQL
	// connections (its event listener's aside).
	App  string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start runs a server on a free port of 127.0.0.1 and waits until it
// answers /readyz.
func (in *Instance) Start(ctx context.Context) (*Server, error) {
	t0 := time.Now()
	in.starts++
	s := &Server{done: make(chan struct{})}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, in.Args()...)
	if in.DSN != "" {
		// Each server's connections carry its own name, so that the
		// backends a killed server left behind can be told apart.
		s.App = fmt.Sprintf("mingbai soak %d %d", os.Getpid(), in.starts)
		args[len(args)-1] = withParam(in.DSN, "application_name", s.App)
	}
	args = append(args, in.ExtraArgs...)
	cmd := exec.Command(in.Bin, args...)
	cmd.Stderr = in.logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s.cmd = cmd
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), " serving "); i >= 0 {
				f := strings.Fields(sc.Text()[i:])
				if len(f) > 1 {
					select {
					case addr <- f[1]:
					default:
					}
				}
			}
		}
	}()
	go func() { cmd.Wait(); close(s.done) }()
	select {
	case s.URL = <-addr:
	case <-s.done:
		return nil, fmt.Errorf("server exited at start-up: %s", in.LogTail(2000))
	case <-time.After(60 * time.Second):
		s.Kill()
		return nil, fmt.Errorf("server did not start in 60s: %s", in.LogTail(2000))
	case <-ctx.Done():
		s.Kill()
		return nil, ctx.Err()
	}
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := c.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(t0) > 60*time.Second {
			s.Kill()
			return nil, fmt.Errorf("server not ready in 60s")
		}
		time.Sleep(5 * time.Millisecond) // polling a child process: no event to wait on
	}
	s.Recovery = time.Since(t0)
	return s, nil
}

// Kill sends SIGKILL: no shutdown, no flush.
func (s *Server) Kill() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
}

// AwaitBackends waits until the PostgreSQL backends of a killed server
// have ended, and reports how many were still there. A backend does not
// notice that its client died while it works: a COMMIT the server had sent
// still commits — later than the kill, possibly later than the successor's
// first answer (one soak run read a ticket back as not started and found it
// started at the end). Reading back an unanswered request is only
// conclusive once they are gone. SQLite: nothing to wait for.
func (in *Instance) AwaitBackends(ctx context.Context, s *Server, limit time.Duration) (int, error) {
	if s == nil || s.App == "" {
		return 0, nil
	}
	admin, err := sql.Open("pgx", in.baseDSN)
	if err != nil {
		return 0, err
	}
	defer admin.Close()
	first := -1
	for t0 := time.Now(); ; {
		var n int
		if err := admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", s.App).Scan(&n); err != nil {
			return first, err
		}
		if first < 0 {
			first = n
		}
		if n == 0 {
			return first, nil
		}
		if time.Since(t0) > limit {
			return first, fmt.Errorf("%d backends of the killed server %q still there after %v", n, s.App, limit)
		}
		time.Sleep(20 * time.Millisecond) // polling the server's activity view: no event to wait on
	}
}

// withParam sets one query parameter of a DSN.
func withParam(dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// Stop shuts the server down gracefully (SIGTERM).
func (s *Server) Stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(30 * time.Second):
		s.Kill()
		return fmt.Errorf("no graceful stop in 30s: killed")
	}
}

// Exited is closed when the process has ended.
func (s *Server) Exited() <-chan struct{} { return s.done }

// FreshSchema makes a new schema in the PostgreSQL server and returns a
// DSN that uses it and a function that drops it.
func FreshSchema(dsn, prefix string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + "_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}
	u, err := url.Parse(dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// Command runs another mingbai command on the installation (e.g. audit
// verify) and returns its output.
func (in *Instance) Command(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, in.Bin, append(args, in.Args()...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// freshDatabase makes a new, empty database in the PostgreSQL server (to
// restore into) and returns its name and a function that drops it.
func freshDatabase(ctx context.Context, dsn string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	name := "mingbai_restore_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	drop := func() {
		admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		admin.Close()
	}
	// The dump of one schema carries no extensions: the catalogue's
	// trigram index needs pg_trgm, as the migration made it.
	fresh, err := sql.Open("pgx", withDatabase(dsn, name))
	if err != nil {
		drop()
		return "", nil, err
	}
	defer fresh.Close()
	if _, err := fresh.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"); err != nil {
		drop()
		return "", nil, fmt.Errorf("pg_trgm in the new database: %w", err)
	}
	return name, drop, nil
}
