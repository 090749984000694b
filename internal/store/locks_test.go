package store_test

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestNoLockHeldWhileWaitingForTheChain: on PostgreSQL a write takes the
// audit chain's lock before a hall's queue lock or its case numbering, so
// it never holds one of those while it waits for the chain. (A group for
// several halls holds the chain and then takes a hall's lock: a write
// holding that hall's lock while waiting for the chain was a deadlock,
// seen as case acceptances failing at 100 halls in `mingbai bench
// province`.) A bare transaction holds the chain's lock; the write must
// then wait without holding the other lock, and go through once the
// chain is free.
func TestNoLockHeldWhileWaitingForTheChain(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("advisory locks are PostgreSQL's: set MINGBAI_TEST_PG")
	}
	db, _, hallID, _ := etaHall(t)
	windows, err := db.ListWindows(ctx, hallID)
	if err != nil {
		t.Fatal(err)
	}
	w := windows[1] // closed by etaHall
	e := newCaseEnv(t)
	for _, c := range []struct {
		name      string
		db        *store.DB
		class, id int64
		write     func() error
	}{
		{"signing in at a window (the hall's queue lock)", db, 7262003, hallID, func() error {
			_, err := db.SignInWindow(ctx, hallID, w.ID, store.Staffer{Username: "tester2", StaffID: w.StaffID})
			return err
		}},
		{"issuing a ticket (a grouped write; the hall's queue lock)", db, 7262003, hallID, func() error {
			_, err := db.IssueTicket(ctx, store.IssueRequest{HallID: hallID, Item: w.Items[0], Zone: w.Zone, Channel: store.ChannelKiosk})
			return err
		}},
		{"calling the next ticket (a grouped write after the last one)", db, 7262003, hallID, func() error {
			_, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: w.ID, By: store.Staffer{Username: "tester2", StaffID: w.StaffID}})
			return err
		}},
		{"accepting a case (the hall's case numbers)", e.db, 7262004, e.hall.ID, func() error {
			_, err := e.db.CreateCase(staffCtx, e.person("RS-A-001"))
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := c.db.Raw()
			chain := holdChain(t, raw)
			done := make(chan error, 1)
			go func() { done <- c.write() }()
			// The write waits for the chain (a single-key advisory lock
			// is objid 7262002 with objsubid 1).
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				var waiting int
				if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
					AND objid = 7262002 AND objsubid = 1`).Scan(&waiting); err != nil {
					t.Fatal(err)
				}
				if waiting > 0 {
					break
				}
				select {
				case err := <-done:
					t.Fatalf("the write went through while the chain's lock was held: %v", err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("the write never waited for the audit chain's lock")
				}
			}
			other, err := raw.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			var free bool
			err = other.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(CAST($1 AS INTEGER), CAST($2 AS INTEGER))", c.class, c.id).Scan(&free)
			other.Rollback()
			if err != nil {
				t.Fatal(err)
			}
			if !free {
				t.Error("the write holds its lock while it waits for the audit chain's")
			}
			if err := chain.Rollback(); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the write did not finish once the chain was free")
			}
		})
	}
}

// TestRollupFlushDoesNotWaitForTheChain: the rollup job writes derived
// rows only, so on PostgreSQL it runs while another write holds the audit
// chain's lock, and no write waits for it. (It took the chain's lock at its
// first statement and held it for the whole recomputation: in `mingbai
// bench province` every write of the database stopped for 0.3 s every
// 30 s at 10 halls, longer with more.) A write without the chain's lock
// that would append to the chain or take a lock fails instead of taking
// them out of order.
func TestRollupFlushDoesNotWaitForTheChain(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("advisory locks are PostgreSQL's: set MINGBAI_TEST_PG")
	}
	db, _, hallID, w := etaHall(t)
	if _, err := db.IssueTicket(ctx, store.IssueRequest{HallID: hallID, Item: w.Items[0], Zone: w.Zone, Channel: store.ChannelKiosk}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.RollupStale(ctx); err != nil || n == 0 {
		t.Fatalf("no hall-day marked stale after an issue (%d, %v)", n, err)
	}
	holdChain(t, db.Raw())
	done := make(chan error, 1)
	go func() {
		n, err := db.FlushRollups(ctx)
		if err == nil && n == 0 {
			err = fmt.Errorf("the flush recomputed no hall-day")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the rollup flush waited for the audit chain's lock")
	}
	if n, err := db.RollupStale(ctx); err != nil || n != 0 {
		t.Fatalf("stale marks left after the flush (%d, %v)", n, err)
	}
	for name, fn := range map[string]func(*store.Tx) error{
		"an audit record": func(tx *store.Tx) error { return tx.Audit("test", "x", "") },
		"a hall's lock":   func(tx *store.Tx) error { return store.LockHall(tx, hallID) },
	} {
		if err := store.WriteUnchained(db, fn); err == nil {
			t.Errorf("an unchained write took %s", name)
		}
	}
}

// holdChain holds the audit chain's lock in a bare transaction of raw
// until the test ends or the transaction is rolled back.
func holdChain(t *testing.T, raw *sql.DB) *sql.Tx {
	t.Helper()
	chain, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chain.Rollback() })
	if _, err := chain.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7262002)"); err != nil {
		t.Fatal(err)
	}
	return chain
}
