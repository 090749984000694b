package store_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestDeferredIssuesAcrossInstances issues tickets at once from two
// instances on one PostgreSQL database, a quarter of them retries that
// share an idempotency key across the instances. Both pass the key's check
// before either holds the hall's lock, so one insert meets the other's
// row: that error surfaces in a statement carrying the group's deferred
// inserts (deferred.go), the group is redone with savepoints and the
// retry returns the first ticket. Every caller must get a ticket, a key
// one ticket only, the numbers of the day must run 1…n without a gap or a
// repeat (the group counts numbers on by itself), every ticket must have
// its transition and event, and the audit chain must verify.
func TestDeferredIssuesAcrossInstances(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("deferred inserts are used on PostgreSQL only: set MINGBAI_TEST_PG")
	}
	a, _, hallID, w := etaHall(t)
	b, err := store.Open(ctx, store.Config{DSN: a.DSN()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.SetClock(a.Now)
	b.SetPII(a.PII())

	// The hall's lock is held meanwhile, so that both instances' groups
	// check the keys before either can insert.
	raw := a.Raw()
	hold, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7262003, CAST($1 AS INTEGER))", hallID); err != nil {
		t.Fatal(err)
	}

	const callers, keys = 64, 8
	ids := make([]int64, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	issue := func(i int) {
		db := a
		if i%2 == 1 {
			db = b
		}
		req := store.IssueRequest{HallID: hallID, Item: w.Items[0], Zone: w.Zone, Channel: store.ChannelKiosk}
		if i >= callers-2*keys {
			req.IdemKey = fmt.Sprintf("kiosk-1:%d", i/2) // callers 2k (A) and 2k+1 (B) share a key
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := db.IssueTicket(context.Background(), req)
			ids[i], errs[i] = res.Ticket.ID, err
		}()
	}
	waitingForLock := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			var waiting int
			if err := raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d instances waiting for the hall's lock, want %d", waiting, n)
			}
		}
	}
	// One issue per instance starts a group that waits for the lock; the
	// others queue behind it and form each instance's next group, whose
	// operations check their keys while the other instance's group holds
	// the lock.
	issue(0)
	issue(1)
	waitingForLock(2)
	for i := 2; i < callers; i++ {
		issue(i)
	}
	time.Sleep(300 * time.Millisecond)
	if err := hold.Commit(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	for i := callers - 2*keys; i < callers; i += 2 {
		if ids[i] != ids[i+1] {
			t.Errorf("key %d gave two tickets: %d and %d", i/2, ids[i], ids[i+1])
		}
	}
	want := callers - keys
	var seqs []int
	rows, err := raw.QueryContext(ctx, "SELECT seq FROM tickets WHERE hall_id = $1", hallID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s int
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	sort.Ints(seqs)
	if len(seqs) != want {
		t.Fatalf("%d tickets, want %d", len(seqs), want)
	}
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("numbers of the day %v: not 1…%d", seqs, want)
		}
	}
	var last int
	if err := raw.QueryRowContext(ctx, "SELECT last_seq FROM queue_counters WHERE hall_id = $1", hallID).Scan(&last); err != nil || last != want {
		t.Fatalf("counter %d (%v), want %d", last, err, want)
	}
	var bare, issuedEvents int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets t WHERE hall_id = $1 AND NOT EXISTS
		(SELECT 1 FROM ticket_transitions r WHERE r.ticket_id = t.id AND r.action = 'issue')`, hallID).Scan(&bare); err != nil || bare != 0 {
		t.Fatalf("%d tickets without their issue transition (%v)", bare, err)
	}
	if err := raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM events WHERE hall_id = $1 AND kind = 'ticket.issued'", hallID).Scan(&issuedEvents); err != nil || issuedEvents != want {
		t.Fatalf("%d issue events (%v), want %d", issuedEvents, err, want)
	}
	if _, err := a.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
}
