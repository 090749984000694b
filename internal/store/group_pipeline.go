package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pipelined round trips of a group on PostgreSQL (runFast).
//
// A group that carries its state reads nothing while its operations run
// (group_carry_pg.go, deferred_steps.go): what is left are the statements
// around them, BEGIN, the carry's test, the group's writes with its
// NOTIFY, and COMMIT. Sent one by one they were four round trips, and on
// the loaded 2-core benchmark machine a round trip, however little
// PostgreSQL has to do, costs the wake-up of its backend: BEGIN alone took
// 0.8 ms of a call group's 5. pgx sends a batch's statements in one
// write and reads their answers together, so BEGIN goes with the test
// and COMMIT with the writes: two round trips a group.
//
// database/sql does not know of the transaction begun so; the group runs
// its statements on the connection itself (a Tx over the *sql.Conn), and
// the connection goes back to the pool only once the transaction has
// ended (rollbackPG on every way out that did not commit).

// withPgx runs f on conn's pgx connection.
func withPgx(conn *sql.Conn, f func(*pgx.Conn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("store: the PostgreSQL connection is not pgx's")
		}
		return f(c.Conn())
	})
}

// beginPG begins a transaction on conn and runs the query q (none when
// empty) in the same round trip, scanning its one row into dest.
func (db *DB) beginPG(conn *sql.Conn, q string, args, dest []any) error {
	return withPgx(conn, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		if q != "" {
			b.Queue(q, args...)
		}
		br := c.SendBatch(context.Background(), b)
		_, err := br.Exec()
		if err == nil && q != "" {
			err = br.QueryRow().Scan(dest...)
		}
		return errors.Join(err, br.Close())
	})
}

// commitPG sends the group's last statement (q with args: its NOTIFY
// with the deferred writes; none when empty) and COMMIT in one round
// trip. committed is true only when PostgreSQL answered COMMIT to it (a
// transaction that an error aborted answers ROLLBACK).
func (db *DB) commitPG(conn *sql.Conn, q string, args []any) (committed bool, err error) {
	err = withPgx(conn, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		if q != "" {
			b.Queue(q, args...)
		}
		b.Queue("COMMIT")
		br := c.SendBatch(context.Background(), b)
		var err error
		if q != "" {
			_, err = br.Exec()
		}
		if err == nil {
			var tag interface{ String() string }
			tag, err = br.Exec()
			committed = err == nil && tag.String() == "COMMIT"
		}
		return errors.Join(err, br.Close())
	})
	if err == nil && !committed {
		err = errors.New("store: the group's transaction was rolled back")
	}
	return committed, err
}

// rollbackPG ends whatever transaction is open on conn (none: PostgreSQL
// only warns). A connection that cannot roll back is not given back to
// the pool in the middle of a transaction: it is discarded.
func rollbackPG(conn *sql.Conn) {
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// lastStatementPG is the statement that ends a group: the NOTIFY of its
// events with the deferred writes in front (Tx.carry), or the deferred
// writes alone, or nothing. A NOTIFY too long for one statement sends its
// first parts on tx on its own.
func (db *DB) lastStatementPG(tx *Tx, ids []int64) (string, []any, error) {
	for len(ids) > notifyMax {
		if err := db.notifyIDs(tx, ids[:notifyMax]); err != nil {
			return "", nil, err
		}
		ids = ids[notifyMax:]
	}
	q, args := "SELECT 1", []any(nil)
	switch {
	case len(ids) > 0:
		q, args = "SELECT pg_notify(?, ?)", []any{db.notifyChannel(), joinIDs(ids)}
	case tx.later.empty():
		return "", nil, nil
	}
	q, args, err := tx.carry(q, args)
	return db.rebound(q), args, err
}
