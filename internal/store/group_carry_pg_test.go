package store_test

import (
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestPGCarryFollowsOtherWriters: on PostgreSQL the group writer carries
// the waiting list, the counts and the audit tail from one group to the
// next while no other transaction wrote (group_carry_pg.go). The test
// first waits until a call cycle reads the waiting list no more (the state
// is carried; other tests' transactions on the same server can delay it),
// then lets another writer cancel the next ticket: an ungrouped write of
// this instance, a write of a second instance, a statement on the pool
// outside any transaction of the store. The call after each must not call
// the cancelled ticket, and the audit chain must verify at the end.
func TestPGCarryFollowsOtherWriters(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("the PostgreSQL carry: set MINGBAI_TEST_PG")
	}
	db, _, hallID, w := etaHall(t)
	other, err := store.Open(ctx, store.Config{DSN: db.DSN()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetClock(db.Now)
	other.SetPII(db.PII())

	var tickets []store.Ticket
	for i := 0; i < 40; i++ {
		tickets = append(tickets, issue(t, db, hallID, w, "").Ticket)
	}
	next := 0 // tickets[next] is the first still waiting
	callAndFinish := func() store.Ticket { t.Helper(); return callAndFinish(t, db, hallID, w) }
	expect := func(c store.Ticket, why string) {
		t.Helper()
		if c.ID != tickets[next].ID {
			t.Fatalf("%s: called %s, want %s", why, c.Number, tickets[next].Number)
		}
		next++
	}
	// untilCarried calls until a call reads no waiting list: the state of
	// the group before was carried.
	untilCarried := func() {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; {
			before := store.WaitingReads(db)
			expect(callAndFinish(), "in order")
			if store.WaitingReads(db) == before {
				return
			}
			if time.Now().After(deadline) || next > len(tickets)-8 {
				t.Fatal("no call went without reading the waiting list: the group writer never carried its state")
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	cancelled := func(why string) {
		t.Helper()
		next++ // the ticket cancelled
		expect(callAndFinish(), why)
	}

	untilCarried()
	if err := db.CancelByToken(ctx, tickets[next].TrackToken); err != nil {
		t.Fatal(err)
	}
	cancelled("after an ungrouped cancel by this instance")

	untilCarried()
	if err := other.CancelByToken(ctx, tickets[next].TrackToken); err != nil {
		t.Fatal(err)
	}
	cancelled("after a cancel by another instance")

	untilCarried()
	if _, err := db.Raw().ExecContext(ctx, db.Rebind("UPDATE tickets SET state = 'cancelled' WHERE id = ?"), tickets[next].ID); err != nil {
		t.Fatal(err)
	}
	cancelled("after a statement outside the store's transactions")

	if n, err := db.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain after %d records: %v", n, err)
	}
}

// TestStepFromAnotherStateChangesNothing: a call written from what the
// group knew (stepLater) must not overwrite a ticket that is no longer in
// the state the group knew (a writer that bypassed the hall's lock): on
// PostgreSQL the deferred statement fails (mingbai_step_stale) and the
// transaction with it, on SQLite the step is a conflict; either way the
// ticket is as it was. From the state it is in, the step is written.
func TestStepFromAnotherStateChangesNothing(t *testing.T) {
	db, _, hallID, w := etaHall(t)
	tk := issue(t, db, hallID, w, "").Ticket
	err := store.CallStep(db, tk.ID, w.ID, "called")
	if err == nil {
		t.Fatal("a step from the wrong state was written")
	}
	if storetest.PGDSN() == "" && !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("SQLite: %v, want a conflict", err)
	}
	if v := view(t, db, tk.TrackToken); v.Ticket.State != "waiting" {
		t.Fatalf("after a stale step the ticket is %s", v.Ticket.State)
	}
	if err := store.CallStep(db, tk.ID, w.ID, "waiting"); err != nil {
		t.Fatal(err)
	}
	if v := view(t, db, tk.TrackToken); v.Ticket.State != "called" || v.Ticket.WindowID != w.ID {
		t.Fatalf("after the step the ticket is %s at window %d", v.Ticket.State, v.Ticket.WindowID)
	}
}

// TestGroupStepOfAChangedTicketRedoesTheGroup: a ticket changed, inside a
// group's transaction, by a writer that bypasses the hall's lock (a bare
// statement on another connection) must not be overwritten by the step
// the group decided from its list: the group's last statement fails on
// the step's guard, and the group is redone from fresh reads, so that the
// call finds nothing to call and the ticket stays as the other writer
// left it.
func TestGroupStepOfAChangedTicketRedoesTheGroup(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("a bare write inside a group needs a second connection: PostgreSQL")
	}
	db, _, hallID, w := etaHall(t)
	clerk := store.Staffer{Username: "tester", StaffID: w.StaffID}
	a := issue(t, db, hallID, w, "").Ticket
	b := issue(t, db, hallID, w, "").Ticket
	var calledA, finished, calledB store.Ticket
	errs := store.RunGroup(db,
		store.CallOp(store.CallRequest{HallID: hallID, WindowID: w.ID, By: clerk}, &calledA),
		store.BareWriteOp(db, "UPDATE tickets SET state = 'cancelled' WHERE id = ?", b.ID),
		store.ActOp(store.ActRequest{HallID: hallID, TicketID: a.ID, By: clerk, Action: store.ActFinish}, &finished),
		store.CallOp(store.CallRequest{HallID: hallID, WindowID: w.ID, By: clerk}, &calledB))
	if errs[0] != nil || errs[1] != nil || errs[2] != nil || calledA.ID != a.ID {
		t.Fatalf("call, cancel, finish: %v; called %s", errs[:3], calledA.Number)
	}
	if !apperr.Is(errs[3], apperr.NotFound) {
		t.Fatalf("the second call: %v (called %s), want nothing to call", errs[3], calledB.Number)
	}
	if v := view(t, db, b.TrackToken); v.Ticket.State != "cancelled" {
		t.Fatalf("the cancelled ticket is %s", v.Ticket.State)
	}
	if v := view(t, db, a.TrackToken); v.Ticket.State != "done" {
		t.Fatalf("the finished ticket is %s", v.Ticket.State)
	}
}

// TestRowHallsAreTheDatabases: the hall of a ticket and of a window, read
// for the tenancy check, is the database's on every read (the second one
// from memory on PostgreSQL), and an id without a row is not found each
// time (a miss is not remembered).
func TestRowHallsAreTheDatabases(t *testing.T) {
	db, _, hallID, w := etaHall(t)
	tk := issue(t, db, hallID, w, "").Ticket
	for range 2 {
		if h, err := db.TicketHall(ctx, tk.ID); err != nil || h != hallID {
			t.Fatalf("ticket's hall %d, %v; want %d", h, err, hallID)
		}
		if h, err := db.WindowHall(ctx, w.ID); err != nil || h != hallID {
			t.Fatalf("window's hall %d, %v; want %d", h, err, hallID)
		}
		if _, err := db.TicketHall(ctx, tk.ID+1000); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a ticket that does not exist: %v", err)
		}
	}
}
