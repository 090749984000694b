package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// provinceHall is one seeded hall of the province: its kiosk and the API
// tokens of its 22 clerks.
type provinceHall struct {
	n       int // 1…N (1 is the demo hall itself)
	id      int64
	kiosk   string
	windows map[string]int64  // window number → id
	tokens  map[string]string // window number → API token of its clerk
	offered map[string]bool   // items some window of the hall serves
}

// province is the database of a province run: one PostgreSQL schema, the
// data directory with the personal-data key that every server shares.
type province struct {
	dir, dsn, serveDSN, app, channel string
	db                               *store.DB
	halls                            []*provinceHall
	drop                             func()
	errLog                           io.Writer // where serveErrors writes
}

func openProvince(ctx context.Context, base string) (p *province, err error) {
	p = &province{}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	if p.dir, err = os.MkdirTemp("", "mingbai-province-"); err != nil {
		return p, err
	}
	if p.dsn, p.drop, err = freshSchema(base); err != nil {
		return p, err
	}
	// The servers' pool connections carry a name of their own, so that
	// their PostgreSQL backends can be told from other users' in
	// pg_stat_activity (the listener names its connection itself).
	u, _ := url.Parse(p.dsn)
	p.app = "mingbai-bench-" + u.Query().Get("search_path")
	q := u.Query()
	q.Set("application_name", p.app)
	u.RawQuery = q.Encode()
	p.serveDSN = u.String()
	if p.db, err = store.Open(ctx, store.Config{DSN: p.dsn, Dir: p.dir}); err != nil {
		return p, err
	}
	p.db.Log = slog.New(slog.DiscardHandler)
	ring, err := pii.LoadOrCreateKeyFile(filepath.Join(p.dir, "pii.key"))
	if err != nil {
		return p, err
	}
	sealer, err := pii.NewSealer(ring)
	if err != nil {
		return p, err
	}
	p.db.SetPII(sealer)
	if _, err := p.db.Migrate(ctx); err != nil {
		return p, err
	}
	p.channel = p.db.NotifyChannel()
	return p, nil
}

func (p *province) close() {
	if p.db != nil {
		p.db.Close()
	}
	if p.drop != nil {
		p.drop()
	}
	if p.dir != "" {
		p.serveErrors()
		os.RemoveAll(p.dir)
	}
}

// serveErrors writes the error lines of the servers' logs to p.errLog
// before the logs are removed: a request that failed with 500 in the
// table then comes with its cause.
func (p *province) serveErrors() {
	if p.errLog == nil {
		return
	}
	logs, _ := filepath.Glob(filepath.Join(p.dir, "serve-*.log"))
	for _, name := range logs {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		var lines []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "level=ERROR") {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(p.errLog, "· %s: %d error lines; the first:\n", filepath.Base(name), len(lines))
		for _, l := range lines[:min(len(lines), 10)] {
			fmt.Fprintln(p.errLog, "  "+l[:min(len(l), 600)])
		}
	}
}

// grow seeds halls until the province has n, four at a time.
func (p *province) grow(ctx context.Context, n int) error {
	if len(p.halls) == 0 && n > 0 {
		res, err := demo.Seed(ctx, p.db)
		if err != nil {
			return err
		}
		h, err := p.hallOf(ctx, 1, res, func(w int) string { return fmt.Sprintf("w%02d", w) })
		if err != nil {
			return err
		}
		p.halls = append(p.halls, h)
	}
	first := len(p.halls) + 1
	if n < first {
		return nil
	}
	out := make([]*provinceHall, n-first+1)
	errs := make(chan error, len(out))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for k := first; k <= n; k++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(k int) {
			defer func() { <-sem; wg.Done() }()
			res, err := demo.SeedMore(ctx, p.db, k)
			if err == nil {
				out[k-first], err = p.hallOf(ctx, k, res, func(w int) string { return demo.MoreHallUser(k, w) })
			}
			if err != nil {
				errs <- fmt.Errorf("hall %d: %w", k, err)
			}
		}(k)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	p.halls = append(p.halls, out...)
	return nil
}

func (p *province) hallOf(ctx context.Context, n int, res demo.Result, user func(int) string) (*provinceHall, error) {
	h := &provinceHall{n: n, id: res.Hall.ID, windows: map[string]int64{}, tokens: map[string]string{}, offered: map[string]bool{}}
	for name, tok := range res.DeviceTokens {
		if strings.Contains(name, "取号机") && h.kiosk == "" {
			h.kiosk = tok
		}
	}
	if h.kiosk == "" {
		return nil, fmt.Errorf("no kiosk in hall %d", n)
	}
	wins, err := p.db.ListWindows(ctx, h.id)
	if err != nil {
		return nil, err
	}
	for _, w := range wins {
		h.windows[w.Number] = w.ID
		for _, it := range w.Items {
			h.offered[it] = true
		}
		var k int
		fmt.Sscan(w.Number, &k)
		if h.tokens[w.Number], _, err = p.db.CreateToken(ctx, user(k), "bench"); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// serveProc is a `mingbai serve` child process on the province database.
type serveProc struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// startServe runs `exe serve` on a free port of 127.0.0.1 and waits until
// it answers /readyz.
func (p *province) startServe(ctx context.Context, exe string, i int) (*serveProc, error) {
	logf, err := os.Create(filepath.Join(p.dir, fmt.Sprintf("serve-%d.log", i)))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "serve", "--addr", "127.0.0.1:0", "--log-level", "warn", "--data", p.dir, "--db", p.serveDSN)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &serveProc{cmd: cmd, done: make(chan struct{}), log: logf}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), " serving "); ok {
				select {
				case addr <- strings.Fields(rest)[0]:
				default:
				}
			}
		}
	}()
	go func() { cmd.Wait(); close(s.done) }()
	fail := func(e error) (*serveProc, error) {
		s.stop()
		b, _ := os.ReadFile(logf.Name())
		return nil, fmt.Errorf("serve %d: %w: %s", i, e, tail(string(b), 1500))
	}
	select {
	case s.url = <-addr:
	case <-s.done:
		return fail(fmt.Errorf("exited at start-up"))
	case <-time.After(90 * time.Second):
		return fail(fmt.Errorf("did not start in 90 s"))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	c := &http.Client{Timeout: 2 * time.Second}
	for t0 := time.Now(); ; time.Sleep(20 * time.Millisecond) { // polling a child process: no event to wait on
		if resp, err := c.Get(s.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Since(t0) > 60*time.Second {
			return fail(fmt.Errorf("not ready in 60 s"))
		}
	}
}

func (s *serveProc) pid() int { return s.cmd.Process.Pid }

func (s *serveProc) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.log.Close()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// procCPU returns the user+system CPU time of a process (0 when it is
// gone), from /proc/<pid>/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: fields count from ')'.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go runs on.
const clockTicks = 100

// procRSS returns the resident set of a process in bytes.
func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// postgresPIDs lists the processes named postgres on this machine (the
// whole server, other users' backends too).
func postgresPIDs() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/comm"); err == nil && strings.TrimSpace(string(b)) == "postgres" {
			out = append(out, pid)
		}
	}
	return out
}

// backendPIDs lists the PostgreSQL backends of the servers under test:
// their pools and their event listeners.
func (p *province) backendPIDs(ctx context.Context) []int {
	rows, err := p.db.Raw().QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE application_name IN ($1, $2)", p.app, store.ListenerName(p.channel))
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) == nil {
			out = append(out, pid)
		}
	}
	return out
}

// cpuSample is the CPU time of a set of processes at one moment.
type cpuSample map[int]time.Duration

func sampleCPU(pids []int) cpuSample {
	s := cpuSample{}
	for _, pid := range pids {
		s[pid] = procCPU(pid)
	}
	return s
}

// since is the CPU the processes of now used after before (a process born
// in between counts from zero; one that ended is lost).
func (now cpuSample) since(before cpuSample) time.Duration {
	var d time.Duration
	for pid, t := range now {
		d += t - before[pid]
	}
	return d
}

// lockWaits counts the servers' backends waiting on a lock now, and those
// waiting on the audit chain's advisory lock (store/audit.go: key 7262002).
func (p *province) lockWaits(ctx context.Context) (all, audit int) {
	p.db.Raw().QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = 7262002)
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE NOT l.granted AND a.application_name = $1`, p.app).Scan(&all, &audit)
	return all, audit
}

// busy reports whether a backend of the servers is running a statement or
// holds a transaction open.
func (p *province) busy(ctx context.Context) bool {
	var n int
	p.db.Raw().QueryRowContext(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state IN ('active', 'idle in transaction')", p.app).Scan(&n)
	return n > 0
}
