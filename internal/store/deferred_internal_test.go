package store

import (
	"strings"
	"testing"
	"time"
)

// TestDeferredRowsOfAWrongTypeAreNotLost: a row whose value has no array
// type must fail the operation, never vanish from the transaction while
// the statement that was to carry it succeeds.
func TestDeferredRowsOfAWrongTypeAreNotLost(t *testing.T) {
	bi := newBulkInsert("things", "bt", "id", "name")
	if !strings.HasSuffix(bi.bulk, "SELECT * FROM unnest(?::bigint[], ?::text[])") || !strings.HasSuffix(bi.plain, "VALUES (?, ?)") {
		t.Fatalf("statements: %q, %q", bi.bulk, bi.plain)
	}
	tx := &Tx{later: &deferred{}}
	if err := tx.insertLater(bi, int64(1), "a"); err != nil {
		t.Fatal(err)
	}
	if err := tx.insertLater(bi, true, "b"); err != nil {
		t.Fatal(err)
	}
	if !tx.dirty {
		t.Fatal("a deferred insert did not mark the operation as writing")
	}
	q, _, err := tx.carry("SELECT 1 FROM other", nil)
	if err == nil || q != "SELECT 1 FROM other" {
		t.Fatalf("carry with a bool id: %q, %v", q, err)
	}
	if tx.later.empty() || len(tx.later.rows[bi]) != 2 {
		t.Fatal("the rows were dropped with the error")
	}
	// Rows of the right types are carried in one statement per table.
	tx = &Tx{later: &deferred{}}
	tx.insertLater(bi, 1, nil)
	tx.insertLater(bi, int64(2), "b")
	q, args, err := tx.carry("SELECT pg_notify(?, ?)", []any{"c", "1"})
	if err != nil || !tx.later.empty() {
		t.Fatalf("carry: %v", err)
	}
	if want := "WITH d0 AS (" + bi.bulk + ") SELECT pg_notify(?, ?)"; q != want || len(args) != 4 {
		t.Fatalf("combined %q with %d args", q, len(args))
	}
	ids, names := args[0].([]*int64), args[1].([]*string)
	if len(ids) != 2 || *ids[0] != 1 || *ids[1] != 2 || names[0] != nil || *names[1] != "b" {
		t.Fatalf("columns %v %v", ids, names)
	}
	// A statement that reads a table with deferred rows cannot carry them.
	tx.insertLater(bi, 3, "c")
	if tx.later.canCarry("SELECT COUNT(*) FROM things", 0) || !tx.later.canCarry("UPDATE others SET n = 1", 0) || tx.later.canCarry("WITH x AS (SELECT 1) SELECT 1", 0) {
		t.Fatal("canCarry")
	}
}

// TestDeferredStepsOneRowPerTicket: the last step of a ticket replaces an
// earlier one and keeps the state the first came from (PostgreSQL leaves
// two changes of a row in one statement undefined), and only a statement
// on another ticket alone may carry them.
func TestDeferredStepsOneRowPerTicket(t *testing.T) {
	tx := &Tx{later: &deferred{}}
	tx.stepLater(&Ticket{ID: 7, State: "called", CalledAt: 5, WindowID: 3}, "waiting")
	tx.stepLater(&Ticket{ID: 8, State: "serving", StartedAt: 11, WindowID: 4}, "called")
	tx.stepLater(&Ticket{ID: 7, State: "done", CalledAt: 5, StartedAt: 10, FinishedAt: 20, WindowID: 3}, "serving")
	if !tx.dirty || len(tx.later.steps) != 2 {
		t.Fatalf("steps %+v", tx.later.steps)
	}
	upd := "UPDATE tickets SET state = ? WHERE id = ?"
	switch {
	case tx.later.canCarry(upd, 0):
		t.Fatal("a statement on any ticket carried the steps")
	case tx.later.canCarry(upd, 7), tx.later.canCarry(upd, 8):
		t.Fatal("a statement on a stepped ticket carried the steps")
	case !tx.later.canCarry(upd, 9), !tx.later.canCarry("SELECT pg_notify(?, ?)", 0):
		t.Fatal("a statement on another ticket could not carry the steps")
	}
	q, args, err := tx.carry("SELECT 1", nil)
	if err != nil || q != "WITH d0 AS ("+ticketStepUpdate+") SELECT 1" || len(args) != 10 {
		t.Fatalf("carry: %q %v", q, err)
	}
	ids, from, states, fin := args[0].([]int64), args[1].([]string), args[2].([]string), args[5].([]int64)
	if len(ids) != 2 || ids[0] != 7 || from[0] != "waiting" || states[0] != "done" || fin[0] != 20 ||
		ids[1] != 8 || from[1] != "called" || states[1] != "serving" || fin[1] != 0 {
		t.Fatalf("columns %v %v %v %v", ids, from, states, fin)
	}
	if !tx.later.empty() {
		t.Fatal("steps kept after they were carried")
	}
}

// TestCarryPauseGrowsWithFailures: one failed test of the PostgreSQL carry
// costs no pause (a lone write of this instance); failures in a row wait
// longer and longer, never over pgCarryRetry.
func TestCarryPauseGrowsWithFailures(t *testing.T) {
	if carryPause(0) != 0 || carryPause(1) != 0 {
		t.Fatal("a first failure paused the test")
	}
	last := time.Duration(0)
	for n := 2; n < 80; n++ {
		p := carryPause(n)
		if p < last || p > pgCarryRetry || p <= 0 {
			t.Fatalf("pause after %d failures: %v (before %v)", n, p, last)
		}
		last = p
	}
	if last != pgCarryRetry {
		t.Fatalf("the pause stops at %v, not %v", last, pgCarryRetry)
	}
}
