package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestGroupCarryFollowsOtherWriters: on SQLite the group writer carries
// the waiting list, the zone counts and the audit tail from one group to
// the next. A ticket cancelled by an ungrouped write of this process, by
// another connection to the same file (another process) or by a statement
// on the writer connection itself must not then be called from the
// carried list, and the audit chain must not fork.
func TestGroupCarryFollowsOtherWriters(t *testing.T) {
	if storetest.PGDSN() != "" {
		t.Skip("the group writer carries state between groups on SQLite only")
	}
	db, _, hallID, w := etaHall(t)
	var tickets []store.Ticket
	for i := 0; i < 8; i++ {
		tickets = append(tickets, issue(t, db, hallID, w, "").Ticket)
	}
	callAndFinish := func() store.Ticket { t.Helper(); return callAndFinish(t, db, hallID, w) }
	if c := callAndFinish(); c.ID != tickets[0].ID {
		t.Fatalf("first call: %s, want %s", c.Number, tickets[0].Number)
	}
	// Ungrouped, this process: the holder of the next ticket gives it up.
	before := store.WaitingReads(db)
	if err := db.CancelByToken(ctx, tickets[1].TrackToken); err != nil {
		t.Fatal(err)
	}
	// The group writer reloads the list the cancel dropped while idle, so
	// the call does not read it itself.
	waitWarm(t, db, before)
	reads := store.WaitingReads(db)
	if c := callAndFinish(); c.ID != tickets[2].ID {
		t.Fatalf("after a cancel by this process: called %s, want %s (%s was cancelled)", c.Number, tickets[2].Number, tickets[1].Number)
	}
	if n := store.WaitingReads(db) - reads; n != 0 {
		t.Errorf("the call after the warm-up read the waiting list %d times, want 0", n)
	}
	// Another connection to the same database file, as another process.
	other, err := store.Open(ctx, store.Config{Dir: filepath.Dir(db.Path())})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.CancelByToken(ctx, tickets[3].TrackToken); err != nil {
		t.Fatal(err)
	}
	if c := callAndFinish(); c.ID != tickets[4].ID {
		t.Fatalf("after a cancel by another connection: called %s, want %s (%s was cancelled)", c.Number, tickets[4].Number, tickets[3].Number)
	}
	// A statement on the writer connection outside any counted write
	// (through Raw, taken before the groups that follow).
	raw := db.Raw()
	if c := callAndFinish(); c.ID != tickets[5].ID {
		t.Fatalf("called %s, want %s", c.Number, tickets[5].Number)
	}
	if _, err := raw.ExecContext(ctx, db.Rebind("UPDATE tickets SET state = 'cancelled' WHERE id = ?"), tickets[6].ID); err != nil {
		t.Fatal(err)
	}
	if c := callAndFinish(); c.ID != tickets[7].ID {
		t.Fatalf("after a cancel on the writer connection: called %s, want %s (%s was cancelled)", c.Number, tickets[7].Number, tickets[6].Number)
	}
	if n, err := db.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain after %d records: %v", n, err)
	}
}

// callAndFinish calls the next ticket at window w, starts and finishes it.
func callAndFinish(t *testing.T, db *store.DB, hallID int64, w hall.Window) store.Ticket {
	t.Helper()
	by := store.Staffer{Username: "tester", StaffID: w.StaffID}
	c, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: w.ID, By: by})
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []string{"start", "finish"} {
		if _, err := db.ActOnTicket(ctx, store.ActRequest{HallID: hallID, TicketID: c.ID, By: by, Action: act}); err != nil {
			t.Fatalf("%s %s: %v", act, c.Number, err)
		}
	}
	return c
}

// waitWarm waits until the group writer has read a waiting list again
// after the count before.
func waitWarm(t *testing.T, db *store.DB, before int64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); store.WaitingReads(db) == before; {
		if time.Now().After(deadline) {
			t.Fatal("the group writer did not reload the waiting list within 5 s of the write that dropped it")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestGroupCarryFollowsTheWindowsClerk: a group knows, from the call, the
// clerk signed in at a window and the ticket there, and a start uses what
// it knows instead of reading it (queue_reads.go). When the clerk signs
// out (a write outside the groups) the clerk must no longer act on the
// ticket; signed in again, the clerk must.
func TestGroupCarryFollowsTheWindowsClerk(t *testing.T) {
	db, _, hallID, w := etaHall(t)
	issue(t, db, hallID, w, "")
	clerk := store.Staffer{Username: "tester", StaffID: w.StaffID}
	c, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: w.ID, By: clerk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetWindowState(ctx, hallID, w.ID, store.Staffer{Manager: true}, store.WindowClosed, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ActOnTicket(ctx, store.ActRequest{HallID: hallID, TicketID: c.ID, By: clerk, Action: store.ActStart}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("start by the clerk who signed out: %v, want forbidden", err)
	}
	if _, err := db.SignInWindow(ctx, hallID, w.ID, clerk); err != nil {
		t.Fatal(err)
	}
	s, err := db.ActOnTicket(ctx, store.ActRequest{HallID: hallID, TicketID: c.ID, By: clerk, Action: store.ActStart})
	if err != nil {
		t.Fatalf("start by the clerk signed in again: %v", err)
	}
	if s.State != "serving" {
		t.Errorf("started ticket in state %q", s.State)
	}
}
