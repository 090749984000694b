package store

import (
	"context"
	"testing"
)

// TestStatementsArePreparedOnceAndReused: a statement first runs
// unprepared (it cannot be prepared on the single writer connection the
// transaction holds), is prepared before the next transaction, and then
// runs prepared; results are the same throughout, on both pools.
func TestStatementsArePreparedOnceAndReused(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const q = "SELECT COUNT(*) + ? FROM halls"
	cached := func(pool string) bool {
		p := db.r
		if pool == "w" {
			p = db.w
		}
		db.stmts.mu.RLock()
		defer db.stmts.mu.RUnlock()
		return db.stmts.m[p][q] != nil
	}
	for i := 0; i < 3; i++ {
		var n int
		if err := db.Write(ctx, func(tx *Tx) error { return tx.QueryRow(q, i).Scan(&n) }); err != nil || n != i {
			t.Fatalf("write %d: %v, n = %d", i, err, n)
		}
		if err := db.Read(ctx, func(tx *Tx) error { return tx.QueryRow(q, i).Scan(&n) }); err != nil || n != i {
			t.Fatalf("read %d: %v, n = %d", i, err, n)
		}
		if got, want := cached("w"), i > 0; got != want {
			t.Errorf("after %d writes: cached on the writer %v, want %v", i+1, got, want)
		}
	}
	if !cached("r") {
		t.Error("not cached on the read pool")
	}
	// A statement that cannot be prepared stays unprepared and reports
	// its error each time.
	for i := 0; i < 2; i++ {
		if err := db.Read(ctx, func(tx *Tx) error { _, err := tx.Query("SELECT * FROM no_such_table"); return err }); err == nil {
			t.Fatal("query of a missing table succeeded")
		}
	}
}
