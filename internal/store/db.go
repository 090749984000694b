// Package store keeps mingbai's data in SQLite (embedded default) or
// PostgreSQL (several instances). It speaks plain SQL through database/sql:
// queries are written once with `?` placeholders and rebound for
// PostgreSQL; where the dialects differ, the difference is in one helper.
//
// Every public write method runs in one transaction that also appends the
// audit record, and sees one clock (Tx.Now).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"mingbai/internal/pii"
)

// Dialect names the SQL engine.
type Dialect string

// The two supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config selects and tunes the database.
type Config struct {
	// DSN is a postgres:// URL; when empty the SQLite file in Dir is used.
	DSN string
	// Dir is the data directory holding mingbai.db (SQLite).
	Dir string
	// Synchronous is FULL (default: an acknowledged write survives power
	// loss) or NORMAL (faster; may lose the last transactions on power loss,
	// never corrupts).
	Synchronous string
	// ReadConns is the size of the SQLite read pool (default 4).
	ReadConns int
}

// DB is an open database.
type DB struct {
	Dialect Dialect
	w       *sql.DB // the single writer connection on SQLite; the pool on PostgreSQL
	r       *sql.DB // read pool
	path    string  // SQLite file
	dsn     string
	// syncLevel is the PRAGMA synchronous value every SQLite connection
	// must report (2 FULL, 1 NORMAL; pragmas.go).
	syncLevel int

	// clock replaces time.Now when set (SetClock); an atomic pointer
	// because background writers (device_seen.go, the outbox) read it
	// while a test moves it.
	clock atomic.Pointer[func() time.Time]
	// Log receives background errors.
	Log *slog.Logger

	mu       sync.RWMutex
	onCommit []func(Event)

	group groupWriter
	// waitingReads counts the whole waiting lists read (queue_lean.go).
	waitingReads atomic.Int64
	stmts        stmtCache
	// boards caches the public hall boards (queue_view.go).
	boards boardCache
	// seen remembers when each device's last_seen was last written.
	seen deviceSeen

	// hot holds the device and published-item lookups (hotcache.go).
	hot hotCache
	// rowHalls are the halls of tickets, windows and cases (tenancy.go).
	rowHalls rowHalls

	chanOnce sync.Once
	channel  string
	etas     etaCache

	// piiSealer encrypts applicants' personal data (cases_pii.go); it is
	// swapped atomically when the key file changes.
	piiSealer atomic.Pointer[pii.Sealer]

	// notifyPolicy is the per-hall sending policy (notify_outbox.go).
	notifyPolicy atomic.Pointer[func(hallID int64) NotifyPolicy]
	// SMS bounds the SMS codes sent (sms_limits.go); set it before serving.
	SMS SMSLimits
	// instance names this process in job_runs (jobs.go).
	instance string
}

// Path returns the SQLite file path ("" on PostgreSQL).
func (db *DB) Path() string { return db.path }

// Now is the database's clock: time.Now unless SetClock replaced it.
func (db *DB) Now() time.Time {
	if f := db.clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// SetClock replaces the clock (tests and the soak load's fast clock);
// safe while background writers read it.
func (db *DB) SetClock(now func() time.Time) { db.clock.Store(&now) }

// DSN returns the PostgreSQL DSN ("" on SQLite).
func (db *DB) DSN() string { return db.dsn }

// Open opens (and creates, for SQLite) the database. It does not migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &DB{Log: slog.Default(), instance: instanceName()}
	db.group.kick = make(chan struct{}, 1)
	if cfg.DSN != "" {
		if !strings.HasPrefix(cfg.DSN, "postgres://") && !strings.HasPrefix(cfg.DSN, "postgresql://") {
			return nil, fmt.Errorf("--db must be a postgres:// URL, got %q", redact(cfg.DSN))
		}
		pool, err := sql.Open("pgx", cfg.DSN)
		if err != nil {
			return nil, err
		}
		TunePool(pool)
		db.Dialect, db.w, db.r, db.dsn = Postgres, pool, pool, cfg.DSN
	} else {
		if cfg.Dir == "" {
			cfg.Dir = "data"
		}
		if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
			return nil, err
		}
		sync := strings.ToUpper(cfg.Synchronous)
		if sync == "" {
			sync = "FULL"
		}
		if sync != "FULL" && sync != "NORMAL" {
			return nil, fmt.Errorf("synchronous must be FULL or NORMAL, got %q", cfg.Synchronous)
		}
		db.syncLevel = 2
		if sync == "NORMAL" {
			db.syncLevel = 1
		}
		db.path = filepath.Join(cfg.Dir, "mingbai.db")
		// busy_timeout comes first so that the other pragmas wait for a lock
		// instead of failing while another process holds it.
		base := "file:" + db.path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(" + sync + ")"
		// The writer keeps its statement journals (the savepoints of grouped
		// writes) in memory rather than in a temporary file written at
		// every savepoint, and caches more pages (16 MiB): the waiting list
		// and the indexes a call touches stay in memory.
		w, err := sql.Open("sqlite", base+"&_pragma=temp_store(MEMORY)&_pragma=cache_size(-16384)&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1) // one writer: SQLite serialises writes anyway
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, err
		}
		n := cfg.ReadConns
		if n <= 0 {
			n = 4
		}
		r.SetMaxOpenConns(n)
		// All of them stay open: database/sql keeps only two idle by
		// default, so under load the others were closed after each read
		// and reopened for the next, each opening running the pragmas and
		// losing its prepared statements (9 % of the server's CPU in the
		// issue and call benchmark, as on PostgreSQL before TunePool).
		r.SetMaxIdleConns(n)
		db.Dialect, db.w, db.r = SQLite, w, r
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.w.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.Dialect, err)
	}
	if err := db.checkPragmas(pctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// PGPoolConns is the most connections one instance opens to PostgreSQL
// (the event listener holds one more).
const PGPoolConns = 20

// TunePool sets the connection pool of a PostgreSQL handle as the store
// uses it (the benchmark's raw limit uses the same).
func TunePool(pool *sql.DB) {
	// Every open connection may stay idle: with fewer idle than open, a
	// busy instance closes connections after each burst and opens new ones,
	// and each new connection authenticates and prepares its statements
	// again (measured: grouped issues at 73 req/s with 10 idle, 446 with 20).
	pool.SetMaxOpenConns(PGPoolConns)
	pool.SetMaxIdleConns(PGPoolConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return dsn
}

// Close closes the database. On SQLite it checkpoints the WAL so the file is
// complete on its own.
func (db *DB) Close() error {
	if db.Dialect == SQLite && db.w != nil {
		_, _ = db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	db.closeStmts()
	var errs []error
	if db.r != nil && db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Rebind turns `?` placeholders into `$1…` for PostgreSQL, leaving quoted
// strings alone.
func (db *DB) Rebind(q string) string {
	if db.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, inStr := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Tx is a transaction with the clock and actor of one operation.
type Tx struct {
	tx   sqlRunner // a *sql.Tx, or the pool itself in ReadOne on PostgreSQL
	db   *DB
	pool *sql.DB     // the pool tx came from (prepared statements)
	grp  *groupState // shared by the operations of a grouped write
	// keepsWaiting: the operation keeps what grp carries about the
	// waiting tickets up to date (or drops it) as it changes them.
	keepsWaiting bool
	ctx          context.Context
	Now          time.Time
	Actor        Actor

	events []Event
	// later holds the statements deferred to the next one (PostgreSQL,
	// grouped writes; deferred.go); nil runs every statement at once.
	later *deferred
	// hot is what the transaction changes of the hot cache (hotcache.go).
	hot []string
	// auditLocked: an ungrouped write holds the audit chain's lock;
	// auditFirst: it takes it before its first statement that writes;
	// unchained: it takes neither that lock nor any other (writeUnchained).
	auditLocked, auditFirst, unchained bool
	// dirty: the operation wrote, or a statement failed (group.go).
	dirty bool
	// onTicket is the one ticket the statement being sent touches, when
	// it touches no other row of tickets (updateTicket): it may carry the
	// deferred steps of other tickets (deferred.go).
	onTicket int64
	// notify are the ids of the events published in this transaction
	// (PostgreSQL): one NOTIFY carries them at commit (events.go).
	notify []int64
}

// sqlRunner is what a Tx runs its statements on.
type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Actor is who performs an operation, for the audit log.
type Actor struct {
	Name   string
	Role   string
	Source string
}

type actorKey struct{}

// WithActor returns a context carrying the actor of the request.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx ("system" when none).
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Name: "system", Role: "system"}
}

// Exec runs a statement.
func (t *Tx) Exec(q string, args ...any) (sql.Result, error) {
	t.beforeWrite(q)
	if st := t.stmt(q); st != nil {
		res, err := st.ExecContext(t.ctx, args...)
		return res, mapErr(err)
	}
	q, args = t.carried(q, args)
	res, err := t.tx.ExecContext(t.ctx, t.db.rebound(q), args...)
	if err != nil {
		t.dirty = true
	}
	return res, mapErr(err)
}

// Query runs a query.
func (t *Tx) Query(q string, args ...any) (*sql.Rows, error) {
	t.beforeWrite(q)
	if st := t.stmt(q); st != nil {
		rows, err := st.QueryContext(t.ctx, args...)
		return rows, mapErr(err)
	}
	q, args = t.carried(q, args)
	rows, err := t.tx.QueryContext(t.ctx, t.db.rebound(q), args...)
	if err != nil {
		t.dirty = true
	}
	return rows, mapErr(err)
}

// QueryRow runs a query returning one row.
func (t *Tx) QueryRow(q string, args ...any) *sql.Row {
	t.beforeWrite(q)
	if st := t.stmt(q); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	q, args = t.carried(q, args)
	return t.tx.QueryRowContext(t.ctx, t.db.rebound(q), args...)
}

// carried notes whether q writes and puts the deferred statements in
// front of it (deferred.go). When they have to be sent first and fail, the
// transaction is aborted and q fails with it.
func (t *Tx) carried(q string, args []any) (string, []any) {
	if t.later == nil {
		return q, args
	}
	if writes(q) {
		t.dirty = true
	}
	q, args, err := t.carry(q, args)
	if err != nil {
		t.dirty = true
	}
	return q, args
}

// InsertID runs an INSERT … RETURNING id and returns the id.
func (t *Tx) InsertID(q string, args ...any) (int64, error) {
	var id int64
	err := t.QueryRow(q+" RETURNING id", args...).Scan(&id)
	return id, mapErr(err)
}

// Dialect returns the engine of the transaction.
func (t *Tx) Dialect() Dialect { return t.db.Dialect }

// Context returns the operation's context.
func (t *Tx) Context() context.Context { return t.ctx }

// NowMs returns the transaction clock in unix milliseconds.
func (t *Tx) NowMs() int64 { return t.Now.UnixMilli() }

// Write runs fn in a write transaction and commits when it returns nil.
// Events that fn published are delivered to subscribers after the commit.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.writeAt(ctx, db.Now(), fn)
}

// writeAt is Write with the transaction's clock read by the caller
// (a background writer uses the time of what it writes, and reads no
// clock a test may be moving).
func (db *DB) writeAt(ctx context.Context, now time.Time, fn func(*Tx) error) error {
	return db.write(ctx, now, false, fn)
}

// writeUnchained is Write for a write that appends nothing to the audit
// chain and takes no lock or row that a chained write takes (the report
// rollups: derived rows only their own writers touch, serialised by
// rollup_lock). On PostgreSQL it does not take the chain's lock, which
// would hold up every write of the database for all its length (a flush
// of a province's hall-days took it for seconds every 30 s); a statement
// that would take the chain's or an advisory lock fails instead (locks.go).
func (db *DB) writeUnchained(ctx context.Context, fn func(*Tx) error) error {
	return db.write(ctx, db.Now(), true, fn)
}

func (db *DB) write(ctx context.Context, now time.Time, unchained bool, fn func(*Tx) error) error {
	db.prepare(ctx, db.w)
	sqltx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	tx := &Tx{tx: sqltx, db: db, pool: db.w, ctx: ctx, Now: now, Actor: ActorFrom(ctx)}
	defer sqltx.Rollback()
	// On PostgreSQL the audit chain's lock comes before any other lock or
	// row the write takes (locks.go): its reads go first.
	tx.auditFirst = db.Dialect == Postgres && !unchained
	tx.unchained = unchained
	// An ungrouped write may change anything the group writer carries from
	// one group to the next (group.go): the group writer sees it in the
	// writer connection's total_changes() and starts afresh; dropped lets
	// it reload the waiting lists meanwhile.
	defer db.group.dropped()
	if err := fn(tx); err != nil {
		return err
	}
	if err := db.notifyIDs(tx, tx.notify); err != nil {
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return mapErr(err)
	}
	for _, w := range tx.hot {
		db.hot.drop(w)
	}
	// Any write may change what a hall board shows (a zone renamed, a
	// window's staff): boards are rebuilt after it (queue_view.go).
	db.boards.invalidateAll()
	db.deliver(tx.events)
	return nil
}

// Read runs fn in a read-only transaction (a consistent snapshot).
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	db.prepare(ctx, db.r)
	sqltx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.Dialect == Postgres})
	if err != nil {
		return mapErr(err)
	}
	defer sqltx.Rollback()
	return fn(&Tx{tx: sqltx, db: db, pool: db.r, ctx: ctx, Now: db.Now(), Actor: ActorFrom(ctx)})
}

// ReadOne runs fn like Read, for a read whose statements need no common
// snapshot (typically one statement, such as a lookup by key on every
// request). On PostgreSQL the statements run on the pool outside a
// transaction: a read-only transaction costs two more round trips (BEGIN
// and ROLLBACK) than the statement itself, and on the hot paths (a
// device's token, a published item on every ticket issue) those were most
// of the read's cost. On SQLite it is Read.
func (db *DB) ReadOne(ctx context.Context, fn func(*Tx) error) error {
	if db.Dialect != Postgres {
		return db.Read(ctx, fn)
	}
	return fn(&Tx{tx: db.r, db: db, pool: db.r, ctx: ctx, Now: db.Now(), Actor: ActorFrom(ctx)})
}

// Raw returns the writer database handle for maintenance commands and
// tests; application code uses Read and Write.
func (db *DB) Raw() *sql.DB {
	db.group.dropped() // what it writes drops the group's carried state (group.go)
	return db.w
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// nullString stores "" as NULL (for unique keys that are optional).
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}
