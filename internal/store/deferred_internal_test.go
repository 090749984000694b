package store

import (
	"strings"
	"testing"
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
	if tx.later.canCarry("SELECT COUNT(*) FROM things") || !tx.later.canCarry("UPDATE others SET n = 1") || tx.later.canCarry("WITH x AS (SELECT 1) SELECT 1") {
		t.Fatal("canCarry")
	}
}
