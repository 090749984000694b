package store

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"sync"
	"time"

	"mingbai/internal/apperr"
)

// Group commit. On SQLite every committed transaction costs one fsync
// (synchronous=FULL), and with one writer connection the fsyncs are the
// hall's ceiling on writes per second. WriteGrouped lets concurrent
// callers share one transaction: a single writer goroutine takes every
// operation waiting at that moment (up to maxGroup), runs each inside its
// own SAVEPOINT — so one failing operation is rolled back alone and the
// others still commit — commits once, and only then answers each caller.
// A caller is acknowledged only after the commit that contains its change,
// so an acknowledged ticket survives a crash exactly as with Write.
//
// On PostgreSQL concurrent transactions could proceed in parallel, but the
// queue writes of a hall do not: they serialise on the hall's lock
// (lockHall), the day's counter row and the audit chain's lock, and each
// holds them across its commit's WAL flush. Grouped there too, the locks
// are taken once per group (groupState remembers them), the audit tail and
// the counts are carried from one operation to the next, the NOTIFY of the
// group's events is one statement, and one WAL flush commits them all.
// Several instances each group their own callers; the locks serialise the
// groups (groupOnPostgres has the measurement). A group there runs without
// savepoints (runFast): the operations' inserts are deferred and sent with
// the next statement or, for the most part, with the group's NOTIFY at the
// end (deferred.go), and only a group in which an operation failed after
// writing is redone with a savepoint per operation (runSaved).

const maxGroup = 64

type groupWriter struct {
	once sync.Once
	ch   chan *groupOp
	// carry is the state after the last committed group (SQLite), for the
	// next group to go on from: the waiting list, zone counts, audit tail
	// and issue lookups would otherwise be read again by every group, and
	// reading a waiting list of thousands of tickets per group was most of
	// a call's cost with a long queue. It is valid while nothing else
	// wrote, which carryMark tells.
	carry     *groupState
	carryMark writeMark
	// pg is the same on PostgreSQL, told by transaction ids
	// (group_carry_pg.go).
	pg pgCarry
	// kick says that a write outside the group writer dropped the carried
	// state; wanted is, per hall, the day whose waiting list a call read
	// last; lastWarm is when warmUpWhenIdle last ran.
	kick chan struct{}
	// whole takes a batch to run as one group as it is (RunGroup in the
	// tests: the group's state belongs to the writer goroutine).
	whole    chan []*groupOp
	wanted   map[int64]string
	lastWarm time.Time
}

// dropped tells the group writer that its carried state is out of date.
func (g *groupWriter) dropped() {
	select {
	case g.kick <- struct{}{}:
	default:
	}
}

// want notes that a call read the waiting list of a hall's day.
func (g *groupWriter) want(hallID int64, day string) {
	if g.wanted == nil {
		g.wanted = map[int64]string{}
	}
	if _, ok := g.wanted[hallID]; ok || len(g.wanted) < maxCarried {
		g.wanted[hallID] = day
	}
}

// writeMark identifies the database as the group writer left it: the
// commits of other connections (PRAGMA data_version: another process, or
// this one's other handle) and the rows changed on the writer connection
// (total_changes(): SQLite has one writer connection, so every ungrouped
// Write of this process and any statement through Raw counts there). Any
// difference means someone else wrote, and the carried state is dropped.
// (A counter of ungrouped writes bumped after their commit came first; a
// group could take the connection between the commit and the count.)
type writeMark struct {
	version, changes int64
}

// resume returns the state a new group on SQLite starts from, the last
// group's when nothing else wrote since (else an empty one), and the mark
// to keep with the state this group leaves; ok is false when the mark
// could not be read, and nothing is then carried.
func (g *groupWriter) resume(db *DB, sqltx *sql.Tx) (gs groupState, mark writeMark, ok bool) {
	c := g.carry
	g.carry = nil
	if err := sqltx.QueryRow("SELECT data_version, total_changes() FROM pragma_data_version").Scan(&mark.version, &mark.changes); err != nil {
		return groupState{}, mark, false
	}
	if c != nil && g.carryMark == mark {
		gs = *c
	}
	return gs, mark, true
}

// leaves returns the mark a group leaves, read before its commit: mark is
// the group's from resume, with the rows changed on the writer connection
// counted on to include the group's own, so that only changes by others
// will differ.
func leaves(sqltx *sql.Tx, mark writeMark) (writeMark, bool) {
	err := sqltx.QueryRow("SELECT total_changes()").Scan(&mark.changes)
	return mark, err == nil
}

// keep records the state after a committed group for the next one.
func (g *groupWriter) keep(gs *groupState, mark writeMark) {
	if len(gs.queues)+len(gs.zones)+len(gs.issued) > maxCarried {
		return // a map grown over many days: start afresh
	}
	gs.halls = nil
	g.carry, g.carryMark = gs, mark
}

// maxCarried bounds the entries (per hall and day) of a carried state.
const maxCarried = 256

type groupOp struct {
	ctx context.Context
	// now is the operation's clock reading, taken by its caller: the
	// warm-up runs on its own, and tests set DB.Now between requests.
	now  time.Time
	fn   func(*Tx) error
	done chan error
}

// groupOnPostgres says whether WriteGrouped groups on PostgreSQL too. It
// does: measured side by side on the 2-core machine (mingbai bench, 32
// clients, 2026-12-02), grouped issues ran at 437–489 req/s against 187
// ungrouped, and call cycles at 446 against 114 ops/s. (An earlier
// measurement had it the other way round, 58 against 139: the pool then
// kept only 10 of its 20 connections idle, so a busy instance closed and
// reopened connections all the time and each new one prepared its
// statements again; TunePool keeps them all.)
const groupOnPostgres = true

// WriteGrouped runs fn like Write, possibly in one transaction together
// with other callers' operations. fn must not depend on running alone in
// its transaction beyond what a savepoint gives: it sees the changes of
// operations grouped before it, as it would had they committed first.
func (db *DB) WriteGrouped(ctx context.Context, fn func(*Tx) error) error {
	if db.Dialect != SQLite && !groupOnPostgres {
		return db.Write(ctx, fn)
	}
	db.startGroupLoop()
	op := &groupOp{ctx: ctx, now: db.Now(), fn: fn, done: make(chan error, 1)}
	select {
	case db.group.ch <- op:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the outcome is waited for even if the caller gives up:
	// the change may commit, and the caller must not report otherwise.
	return <-op.done
}

// startGroupLoop starts the group writer once.
func (db *DB) startGroupLoop() {
	db.group.once.Do(func() {
		db.group.ch = make(chan *groupOp, maxGroup)
		db.group.whole = make(chan []*groupOp)
		go db.groupLoop()
	})
}

func (db *DB) groupLoop() {
	var next *groupOp
	for {
		op := next
		next = nil
		if op == nil {
			select {
			case op = <-db.group.ch:
			case <-db.group.kick:
				next = db.warmUpWhenIdle()
				continue
			case b := <-db.group.whole:
				db.runGroup(b)
				continue
			}
		}
		batch := []*groupOp{op}
	more:
		for len(batch) < maxGroup {
			select {
			case o := <-db.group.ch:
				batch = append(batch, o)
			default:
				break more
			}
		}
		db.runGroup(batch)
	}
}

func (db *DB) runGroup(batch []*groupOp) {
	if db.Dialect == Postgres && db.runFast(batch) {
		return
	}
	db.runSaved(batch)
}

// runFast runs a group on PostgreSQL without savepoints, the operations'
// appends deferred across them (deferred.go): per issue, three round trips
// fewer. An operation that fails without having written anything changes
// nothing to undo; one that fails after writing (or on a failed statement)
// leaves the transaction unusable, and the group is rolled back and, when
// there were others in it, redone by runSaved: it reports false then, and
// nothing of the attempt reached anyone (operations are closures over
// their results that a second run sets again).
func (db *DB) runFast(batch []*groupOp) bool {
	conn, err := db.w.Conn(context.Background())
	if err != nil {
		for _, op := range batch {
			op.done <- mapErr(err)
		}
		return true
	}
	committed := false
	defer func() {
		if !committed {
			rollbackPG(conn)
		}
		conn.Close()
	}()
	results := make([]error, len(batch))
	var events []Event
	var notify []int64
	start := time.Now()
	gs, xid, clean, err := db.resumePG(conn, start)
	if err != nil {
		for _, op := range batch {
			op.done <- err
		}
		return true
	}
	later := &deferred{}
	for i, op := range batch {
		ctx := context.WithoutCancel(op.ctx)
		tx := &Tx{tx: conn, db: db, ctx: ctx, Now: op.now, Actor: ActorFrom(op.ctx), grp: &gs, later: later}
		saved := gs.clone()
		err := runProtected(op.fn, tx)
		if err == nil {
			events = append(events, tx.events...)
			notify = append(notify, tx.notify...)
			if !tx.keepsWaiting {
				gs.forgetWaiting()
			}
			continue
		}
		if !tx.dirty && isRuleError(err) {
			// Refused before it wrote: the transaction is as it was.
			results[i] = err
			gs = saved
			continue
		}
		if len(batch) > 1 {
			return false
		}
		op.done <- err
		return true
	}
	q, args, err := db.lastStatementPG(&Tx{tx: conn, db: db, ctx: context.Background(), later: later}, notify)
	if err == nil {
		committed, err = db.commitPG(conn, q, args)
		if !committed && len(batch) > 1 {
			// A statement whose error no operation saw (a carried append,
			// a step's guard, a read whose error a refusal hid) aborted
			// the transaction: nothing committed.
			return false
		}
	} else if len(batch) > 1 {
		return false
	}
	if committed {
		db.group.keepPG(&gs, xid, clean, start)
	}
	db.answer(batch, results, events, err)
	return true
}

// answer tells a group's callers the outcome: err, the commit's, fails
// every operation that had not failed already; without it the group's
// events go out.
func (db *DB) answer(batch []*groupOp, results []error, events []Event, err error) {
	if err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = mapErr(err)
			}
		}
		events = nil
	} else {
		db.boards.invalidateAll()
	}
	db.deliver(events)
	for i, op := range batch {
		op.done <- results[i]
	}
}

// isRuleError reports whether err is a refusal by the rules (an
// apperr.Error of the operation's own making) rather than a failed
// statement: mapErr keeps the driver's error as Cause.
func isRuleError(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Cause == nil
}

// runSaved runs a group with a savepoint around each operation, so that a
// failed one is rolled back alone.
func (db *DB) runSaved(batch []*groupOp) {
	results := make([]error, len(batch))
	var events []Event
	var notify []int64
	db.prepare(context.Background(), db.w)
	sqltx, err := db.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, op := range batch {
			op.done <- mapErr(err)
		}
		return
	}
	committed := false
	defer func() {
		if !committed {
			sqltx.Rollback()
		}
	}()
	var gs groupState
	var mark writeMark
	carry := false
	if db.Dialect == SQLite {
		gs, mark, carry = db.group.resume(db, sqltx)
	}
	fail := func(err error) {
		// The transaction is in an unknown state: fail the group.
		for j := range batch {
			if results[j] == nil {
				results[j] = mapErr(err)
			}
		}
		for j, o := range batch {
			o.done <- results[j]
		}
	}
	pg := db.Dialect == Postgres
	// set: the savepoint "grouped" is set and nothing was done after it.
	// On PostgreSQL one round trip releases an operation's savepoint and
	// sets the next one, a ROLLBACK TO keeps it set, and the commit
	// releases the last.
	set := false
	for i, op := range batch {
		// A caller that went away must not break the statements of the
		// others in the group.
		ctx := context.WithoutCancel(op.ctx)
		tx := &Tx{tx: sqltx, db: db, pool: db.w, ctx: ctx, Now: op.now, Actor: ActorFrom(op.ctx), grp: &gs}
		if pg {
			// Deferred appends are sent before the savepoint is released:
			// their errors are this operation's.
			tx.later = &deferred{}
		}
		saved := gs.clone()
		if !set {
			if _, err := sqltx.ExecContext(ctx, "SAVEPOINT grouped"); err != nil {
				results[i] = mapErr(err)
				continue
			}
			set = true
		}
		err := runProtected(op.fn, tx)
		if err == nil {
			err = tx.flushLater()
		}
		if err != nil {
			results[i] = err
			gs = saved
			if _, rerr := sqltx.ExecContext(ctx, "ROLLBACK TO grouped"); rerr != nil {
				fail(rerr)
				return
			}
			if pg {
				continue
			}
		} else {
			events = append(events, tx.events...)
			notify = append(notify, tx.notify...)
			if !tx.keepsWaiting {
				gs.forgetWaiting()
			}
		}
		set = false
		switch {
		case !pg:
			if _, err := sqltx.ExecContext(ctx, "RELEASE grouped"); err != nil && results[i] == nil {
				results[i] = mapErr(err)
			}
		case i < len(batch)-1:
			if _, err := sqltx.ExecContext(ctx, "RELEASE grouped; SAVEPOINT grouped"); err != nil {
				results[i] = mapErr(err)
				fail(err)
				return
			}
			set = true
		}
	}
	err = db.notifyIDs(&Tx{tx: sqltx, db: db, ctx: context.Background()}, notify)
	if err == nil && carry {
		mark, carry = leaves(sqltx, mark)
	}
	if err == nil {
		err = sqltx.Commit()
	}
	committed = err == nil
	if committed && carry {
		db.group.keep(&gs, mark)
	}
	db.answer(batch, results, events, err)
}

// Warm-up timing: how long the writer must be idle, and the least time
// between two warm-ups (each reads every wanted waiting list).
const (
	warmIdle  = 20 * time.Millisecond
	warmEvery = 250 * time.Millisecond
)

// warmUpWhenIdle reloads, once the writer has been idle for a moment, the
// waiting lists that calls read, after a write outside the group writer
// dropped the carried state (SQLite). The next call then finds its list
// instead of reading the whole waiting queue itself: with 10,000 waiting
// that read was most of a call's time (about 30 of 40 ms). It returns an
// operation that arrived meanwhile, for the loop to run.
func (db *DB) warmUpWhenIdle() *groupOp {
	g := &db.group
	if db.Dialect != SQLite || len(g.wanted) == 0 {
		return nil
	}
	wait := max(warmIdle, time.Until(g.lastWarm.Add(warmEvery)))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case op := <-g.ch:
		return op // not idle: that operation reads what it needs
	case <-t.C:
	}
	select {
	case <-g.kick: // this warm-up covers the writes until now
	default:
	}
	g.lastWarm = time.Now()
	wanted := maps.Clone(g.wanted)
	db.runGroup([]*groupOp{{ctx: context.Background(), now: time.Now(), done: make(chan error, 1), fn: func(tx *Tx) error {
		tx.keepsWaiting = true
		for hallID, day := range wanted {
			if _, err := callQueue(tx, hallID, day); err != nil {
				return err
			}
		}
		return nil
	}}})
	return nil
}

// runProtected runs fn and turns a panic into an error, so one bad
// operation cannot take the group writer down with the others' changes.
func runProtected(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = errPanic{v}
		}
	}()
	return fn(tx)
}

type errPanic struct{ v any }

func (e errPanic) Error() string { return "panic in grouped write" }
