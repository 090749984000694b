package store_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/queue"
	"mingbai/internal/store"
)

// TestGroupedCallsKeepTheQueueRules: windows call, start, finish, hold,
// return and transfer at once while tickets (ordinary, priority, with a
// phone) are issued and some operations fail inside their group. Grouped
// writes carry the waiting list, the zone counts and the windows from one
// operation to the next; the outcome must be what one-by-one operations
// give: no ticket called twice, no window with two tickets, the green
// channel bound, the counts of the last event equal to the board, one
// turn-near notice at most per ticket, and an unbroken audit chain.
func TestGroupedCallsKeepTheQueueRules(t *testing.T) {
	db, _, hallID, w0 := etaHall(t)
	db.SetClock(time.Now) // concurrent operations at real times
	windows, err := db.ListWindows(ctx, hallID)
	if err != nil {
		t.Fatal(err)
	}
	item := w0.Items[0]
	var open []hall.Window
	for _, w := range windows {
		for _, it := range w.Items {
			if it == item && len(open) < 4 {
				open = append(open, w)
			}
		}
	}
	if len(open) < 2 {
		t.Fatalf("only %d windows serve %s", len(open), item)
	}
	who := func(w hall.Window) store.Staffer {
		return store.Staffer{Username: fmt.Sprintf("clerk%d", w.ID), StaffID: w.StaffID}
	}
	for _, w := range open[1:] {
		if _, err := db.SignInWindow(ctx, hallID, w.ID, who(w)); err != nil {
			t.Fatal(err)
		}
	}
	// Window 0 was signed in by etaHall as "tester".
	staffOf := map[int64]store.Staffer{open[0].ID: {Username: "tester", StaffID: open[0].StaffID}}
	for _, w := range open[1:] {
		staffOf[w.ID] = who(w)
	}
	issueOne := func(i int) (store.Issued, error) {
		req := store.IssueRequest{HallID: hallID, Item: item, Zone: w0.Zone, Channel: store.ChannelKiosk}
		if i%4 == 1 {
			req.Priority = queue.PriorityReason("elderly")
		}
		if i%3 == 0 {
			req.Channel, req.Phone = store.ChannelStaff, fmt.Sprintf("139%08d", i)
		}
		return db.IssueTicket(ctx, req)
	}
	for i := 0; i < 30; i++ {
		if _, err := issueOne(i); err != nil {
			t.Fatal(err)
		}
	}
	type seen struct {
		id      int64
		kind    string
		waiting map[string]int
	}
	var mu sync.Mutex
	var evs []seen
	db.OnEvent(func(e store.Event) {
		if !strings.HasPrefix(e.Kind, "ticket.") {
			return
		}
		var p store.PublicTicketEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Error(err)
		}
		mu.Lock()
		evs = append(evs, seen{e.ID, e.Kind, p.Waiting})
		mu.Unlock()
	})
	called := map[int64]int64{} // ticket → window
	var wg sync.WaitGroup
	for wi, w := range open {
		wg.Add(1)
		go func(wi int, w hall.Window) {
			defer wg.Done()
			by := staffOf[w.ID]
			for round := 0; round < 12; round++ {
				// A call at a window of another clerk fails inside the group.
				other := open[(wi+1)%len(open)]
				if _, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: other.ID, By: by}); err == nil {
					t.Errorf("window %s called for another clerk", other.Number)
				}
				c, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: w.ID, By: by})
				if apperr.Is(err, apperr.NotFound) {
					return
				}
				if err != nil {
					t.Errorf("call at %s: %v", w.Number, err)
					return
				}
				mu.Lock()
				if prev, ok := called[c.ID]; ok {
					t.Errorf("ticket %s called at windows %d and %d", c.Number, prev, w.ID)
				}
				called[c.ID] = w.ID
				mu.Unlock()
				act := func(a string, extra func(*store.ActRequest)) {
					req := store.ActRequest{HallID: hallID, TicketID: c.ID, By: by, Action: a}
					if extra != nil {
						extra(&req)
					}
					if _, err := db.ActOnTicket(ctx, req); err != nil {
						t.Errorf("%s %s: %v", a, c.Number, err)
					}
				}
				switch round % 4 {
				case 1:
					// Back to the queue: it keeps its place and may be called again.
					mu.Lock()
					delete(called, c.ID)
					mu.Unlock()
					act(store.ActTransfer, func(r *store.ActRequest) { r.Item, r.Zone = item, w0.Zone })
				case 2:
					act(store.ActHold, nil)
					mu.Lock()
					delete(called, c.ID)
					mu.Unlock()
					act(store.ActReturn, nil)
				default:
					act(store.ActStart, nil)
					act(store.ActFinish, nil)
				}
				if _, err := issueOne(1000 + wi*100 + round); err != nil {
					t.Errorf("issue: %v", err)
				}
			}
		}(wi, w)
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	b, err := db.HallBoard(ctx, hallID)
	if err != nil {
		t.Fatal(err)
	}
	board := map[string]int{}
	for _, z := range b.Zones {
		if z.Waiting > 0 {
			board[z.Code] = z.Waiting
		}
	}
	if db.Dialect != store.Postgres { // events reach subscribers through LISTEN there
		// Each event's count moves from the one before as its operation
		// moved the queue: an issue adds one, a call takes one, a start,
		// finish or hold none, a return or transfer adds one.
		sort.Slice(evs, func(a, b int) bool { return evs[a].id < evs[b].id })
		n := 30
		for _, e := range evs {
			d := e.waiting[w0.Zone] - n
			ok := d == 0 || e.kind == store.EventTicketUpdated && d == 1
			switch e.kind {
			case store.EventTicketIssued:
				ok = d == 1
			case store.EventTicketCalled:
				ok = d == -1
			}
			if !ok {
				t.Errorf("event %d (%s): %d waiting after %d", e.id, e.kind, e.waiting[w0.Zone], n)
			}
			n = e.waiting[w0.Zone]
		}
		if last := evs[len(evs)-1].waiting; fmt.Sprint(last) != fmt.Sprint(board) {
			t.Errorf("last event counts %v, board %v", last, board)
		}
	}
	// The green channel bound: all tickets are of one item that every
	// open window serves, so no ordinary ticket may see more than K later
	// priority tickets called before it.
	type tk struct {
		id                 int64
		prio               bool
		issued, firstCalls int64
	}
	var all []tk
	raw := db.Raw()
	rows, err := raw.QueryContext(ctx, db.Rebind("SELECT id, priority, issued_at FROM tickets WHERE hall_id = ?"), hallID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x tk
		var pr string
		if err := rows.Scan(&x.id, &pr, &x.issued); err != nil {
			t.Fatal(err)
		}
		x.prio = pr != ""
		all = append(all, x)
	}
	rows.Close()
	for i := range all {
		trs, err := db.TicketTransitions(ctx, all[i].id)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trs {
			if tr.Action == "call" && all[i].firstCalls == 0 {
				all[i].firstCalls = tr.At
			}
		}
	}
	sort.Slice(all, func(a, b int) bool {
		return all[a].issued < all[b].issued || all[a].issued == all[b].issued && all[a].id < all[b].id
	})
	for i, a := range all {
		if a.prio {
			continue
		}
		passed := 0
		for _, p := range all[i+1:] {
			if p.prio && p.firstCalls != 0 && (a.firstCalls == 0 || p.firstCalls < a.firstCalls) {
				passed++
			}
		}
		if passed > queue.DefaultK {
			t.Errorf("ordinary ticket %d passed by %d later priority tickets, bound %d", a.id, passed, queue.DefaultK)
		}
	}
	msgs, err := db.OutboxMessages(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	near := map[string]int{}
	for _, m := range msgs {
		if m.Kind == "turn_near" {
			near[m.DedupeKey]++
		}
	}
	if len(near) == 0 {
		t.Error("no turn-near notice sent")
	}
	for k, n := range near {
		if n != 1 {
			t.Errorf("%s: %d notices", k, n)
		}
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain broken: %v", err)
	}
}

// TestIssuedAndCalledInOneGroup: a ticket issued into the waiting list a
// group carries and called later in the same group must be called in the
// database too. On PostgreSQL its insert and its call are both deferred
// (deferred.go), and an UPDATE does not see a row inserted by the same
// statement: sent together, the call would be lost while the clerk was
// told it was made. The group calls and finishes one ticket first, so
// that the last call reads nothing (the list, the window and the rules
// are the group's).
func TestIssuedAndCalledInOneGroup(t *testing.T) {
	db, _, hallID, w := etaHall(t)
	clerk := store.Staffer{Username: "tester", StaffID: w.StaffID}
	first := issue(t, db, hallID, w, "").Ticket
	var a, done, b store.Ticket
	var x store.Issued
	errs := store.RunGroup(db,
		store.CallOp(store.CallRequest{HallID: hallID, WindowID: w.ID, By: clerk}, &a),
		store.ActOp(store.ActRequest{HallID: hallID, TicketID: first.ID, By: clerk, Action: store.ActFinish}, &done),
		store.IssueOp(db, store.IssueRequest{HallID: hallID, Item: w.Items[0], Zone: w.Zone, Channel: store.ChannelKiosk}, &x),
		store.CallOp(store.CallRequest{HallID: hallID, WindowID: w.ID, By: clerk}, &b))
	for i, err := range errs {
		if err != nil {
			t.Fatalf("operation %d: %v", i, err)
		}
	}
	if a.ID != first.ID || done.State != "done" || b.ID != x.Ticket.ID || b.State != "called" {
		t.Fatalf("calls: %s and %s (%s), want %s and %s", a.Number, b.Number, b.State, first.Number, x.Ticket.Number)
	}
	for _, c := range []struct {
		tk    store.Ticket
		state string
	}{{first, "done"}, {x.Ticket, "called"}} {
		if v := view(t, db, c.tk.TrackToken); v.Ticket.State != c.state {
			t.Fatalf("ticket %s is %s in the database, want %s", c.tk.Number, v.Ticket.State, c.state)
		}
	}
}
