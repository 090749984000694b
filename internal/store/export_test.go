package store

import (
	"context"

	"mingbai/internal/queue"
)

// MigrationSQL returns the text of one migration of db's dialect, for tests
// that replay a migration on rows written the old way.
func MigrationSQL(db *DB, name string) (string, error) {
	b, err := migrationFS.ReadFile("migrations/" + string(db.Dialect) + "/" + name)
	return string(b), err
}

// WaitingReads returns how many times a whole waiting list was read from
// the database (readWaiting), for the tests of the group writer's carry.
func WaitingReads(db *DB) int64 { return db.waitingReads.Load() }

// CallStep writes ticket id as called at windowID from state from the way
// a grouped call does (stepLater): deferred and sent with the next
// statement on PostgreSQL, at once on SQLite.
func CallStep(db *DB, ticketID, windowID int64, from string) error {
	return db.Write(context.Background(), func(tx *Tx) error {
		if db.Dialect == Postgres {
			tx.later = &deferred{}
		}
		t := Ticket{ID: ticketID, Number: "A001", State: "called", CalledAt: tx.NowMs(), WindowID: windowID}
		if err := tx.stepLater(&t, from); err != nil {
			return err
		}
		return tx.flushLater()
	})
}

// RunGroup runs fns as one group of the group writer, as the operations
// of concurrent WriteGrouped callers share one, and returns each one's
// error. The group writer runs it, between two of its groups.
func RunGroup(db *DB, fns ...func(*Tx) error) []error {
	var batch []*groupOp
	for _, fn := range fns {
		batch = append(batch, &groupOp{ctx: context.Background(), now: db.Now(), fn: fn, done: make(chan error, 1)})
	}
	db.startGroupLoop()
	db.group.whole <- batch
	out := make([]error, len(batch))
	for i, op := range batch {
		out[i] = <-op.done
	}
	return out
}

// CallOp is CallNext's operation, for RunGroup.
func CallOp(req CallRequest, out *Ticket) func(*Tx) error {
	return func(tx *Tx) (err error) {
		*out, err = callInTx(tx, req)
		return err
	}
}

// IssueOp is IssueTicket's operation, for RunGroup.
func IssueOp(db *DB, req IssueRequest, out *Issued) func(*Tx) error {
	pre, err := db.preEstimate(context.Background(), req)
	return func(tx *Tx) error {
		if err != nil {
			return err
		}
		req.pre = &pre
		return issueInTx(tx, req, out)
	}
}

// ActOp is ActOnTicket's operation, for RunGroup.
func ActOp(req ActRequest, out *Ticket) func(*Tx) error {
	return func(tx *Tx) error {
		action, err := queue.StaffAction(req.Action)
		if err != nil {
			return err
		}
		return actInTx(tx, req, action, out)
	}
}

// BareWriteOp is an operation, for RunGroup, that runs q on another
// connection of the pool, outside the group's transaction and its locks,
// and leaves the group's waiting lists as they were: a writer that
// bypasses the hall's lock while the group goes on.
func BareWriteOp(db *DB, q string, args ...any) func(*Tx) error {
	return func(tx *Tx) error {
		tx.keepsWaiting = true
		_, err := db.Raw().ExecContext(context.Background(), db.Rebind(q), args...)
		return err
	}
}

// PreEstimateRescanned is the wait preEstimate gives req twice: first as it
// is (counting only the tickets issued since the last estimate of its
// line), then with the memo's running sums forgotten (counting every
// ticket issued since the replay). sums is how many memo entries of the
// hall had running sums before they were forgotten.
func PreEstimateRescanned(db *DB, req IssueRequest) (kept, rescanned Wait, sums int, err error) {
	p, err := db.preEstimate(context.Background(), req)
	if err != nil {
		return Wait{}, Wait{}, 0, err
	}
	db.etas.mu.Lock()
	for k, m := range db.etas.memo[req.HallID] {
		if m.upto > 0 {
			sums++
		}
		m.upto, m.extra, m.work = 0, 0, 0
		db.etas.memo[req.HallID][k] = m
	}
	db.etas.mu.Unlock()
	q, err := db.preEstimate(context.Background(), req)
	return p.wait, q.wait, sums, err
}

// HotDeaf turns db's hot cache on as though its event listener were
// connected but heard nothing: the only drops are those db's own writes
// make after their commits.
func HotDeaf(db *DB) { db.hot.setLive(true) }

// WriteUnchained runs fn as a write without the audit chain's lock, as
// the rollup writers do (writeUnchained).
func WriteUnchained(db *DB, fn func(*Tx) error) error {
	return db.writeUnchained(context.Background(), fn)
}

// LockHall takes a hall's queue lock in tx (lockHall).
func LockHall(tx *Tx, hallID int64) error { return lockHall(tx, hallID) }

// InsertRows inserts rows with insertRows.
func InsertRows(tx *Tx, head string, rows [][]any) error { return insertRows(tx, head, rows) }
