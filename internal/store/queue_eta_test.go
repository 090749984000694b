package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/demo"
	"mingbai/internal/hall"
	"mingbai/internal/queue"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// clock is a test clock the store reads through DB.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// etaHall is the demo hall with every window closed but one, open at w,
// on a test clock.
func etaHall(t *testing.T) (*store.DB, *clock, int64, hall.Window) {
	t.Helper()
	db := storetest.Open(t)
	c := &clock{t: time.Date(2026, 3, 3, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	db.SetClock(c.now)
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	windows, err := db.ListWindows(ctx, res.Hall.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range windows {
		if _, err := db.SetWindowState(ctx, res.Hall.ID, w.ID, store.Staffer{Manager: true}, store.WindowClosed, ""); err != nil && !apperr.Is(err, apperr.Conflict) {
			t.Fatal(err)
		}
	}
	w := windows[0]
	c.add(time.Minute)
	if _, err := db.SignInWindow(ctx, res.Hall.ID, w.ID, store.Staffer{Username: "tester", StaffID: w.StaffID}); err != nil {
		t.Fatal(err)
	}
	return db, c, res.Hall.ID, w
}

func issue(t *testing.T, db *store.DB, hallID int64, w hall.Window, pr queue.PriorityReason) store.Issued {
	t.Helper()
	res, err := db.IssueTicket(context.Background(), store.IssueRequest{HallID: hallID, Item: w.Items[0], Zone: w.Zone, Priority: pr, Channel: store.ChannelKiosk})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func view(t *testing.T, db *store.DB, tok string) store.TicketView {
	t.Helper()
	v, err := db.TicketByToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWaitAgreesOnEveryPage: the kiosk (Issued.Wait) and the phone page
// (TicketView.Wait) say the same "people ahead", counted as queue.Ahead
// says, and the estimate never says 0 minutes while the only open window
// leaves people waiting without calling.
func TestWaitAgreesOnEveryPage(t *testing.T) {
	db, c, hallID, w := etaHall(t)
	var issued []store.Issued
	for i := 0; i < 3; i++ {
		c.add(10 * time.Second)
		issued = append(issued, issue(t, db, hallID, w, queue.PriorityNone))
	}
	for i, res := range issued {
		if res.Wait.Ahead != i || res.Ahead != i {
			t.Errorf("ticket %d at issue: ahead %d (Wait %d), want %d", i, res.Ahead, res.Wait.Ahead, i)
		}
		if res.Wait.WindowsOpen != 1 || res.Wait.WindowsStalled != 0 {
			t.Errorf("ticket %d at issue: windows open %d, stalled %d; want 1, 0", i, res.Wait.WindowsOpen, res.Wait.WindowsStalled)
		}
		if res.Wait.EtaMs < 0 || res.Wait.ExpectedAt != res.Wait.At+res.Wait.EtaMs {
			t.Errorf("ticket %d at issue: wait %+v", i, res.Wait)
		}
	}
	// The window is idle: the first ticket is expected at once.
	if e := issued[0].Wait.EtaMs; e != 0 {
		t.Errorf("first ticket with an idle window: eta %d ms, want 0", e)
	}
	c.add(2 * time.Second) // a new snapshot
	for i, res := range issued {
		v := view(t, db, res.Ticket.TrackToken)
		if v.Wait.Ahead != res.Wait.Ahead || v.Ahead != res.Wait.Ahead {
			t.Errorf("ticket %d: phone page says %d ahead, kiosk %d", i, v.Wait.Ahead, res.Wait.Ahead)
		}
	}
	// Twenty minutes pass and the open window calls nobody.
	c.add(20 * time.Minute)
	head := view(t, db, issued[0].Ticket.TrackToken)
	if head.Wait.WindowsStalled != 1 {
		t.Errorf("after 20 idle minutes: stalled windows %d, want 1", head.Wait.WindowsStalled)
	}
	// The head has waited 20 min 22 s with the window idle since it signed
	// in before: it stays away as long again, less the minute's grace.
	waited := c.now().Sub(time.UnixMilli(issued[0].Ticket.IssuedAt))
	if want := waited - queue.StallGrace; head.Eta < want-time.Second || head.Eta > want+time.Second {
		t.Errorf("head after 20 idle minutes: eta %v, want about %v", head.Eta, want)
	}
	last := view(t, db, issued[2].Ticket.TrackToken)
	if last.Eta <= head.Eta || last.Ahead != 2 {
		t.Errorf("third ticket: eta %v (head %v), ahead %d; want later than the head, 2 ahead", last.Eta, head.Eta, last.Ahead)
	}
	late := issue(t, db, hallID, w, queue.PriorityNone)
	if late.Wait.Ahead != 3 || late.Wait.Eta() <= last.Eta || late.Wait.WindowsStalled != 1 {
		t.Errorf("ticket issued after 20 idle minutes: %+v; want 3 ahead, later than %v, 1 stalled window", late.Wait, last.Eta)
	}
	// A priority ticket goes before the ordinary ones: none ahead.
	pri := issue(t, db, hallID, w, queue.PriorityElderly)
	if pri.Wait.Ahead != 0 {
		t.Errorf("priority ticket: %d ahead, want 0", pri.Wait.Ahead)
	}
	// ... and counts for the ordinary ones.
	c.add(2 * time.Second)
	if v := view(t, db, issued[1].Ticket.TrackToken); v.Ahead != 2 {
		t.Errorf("second ticket after a priority one: %d ahead, want 2", v.Ahead)
	}
	// The window calls: the stall ends, the line moves.
	if _, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: w.ID, By: store.Staffer{Username: "tester"}}); err != nil {
		t.Fatal(err)
	}
	v := view(t, db, issued[2].Ticket.TrackToken)
	if v.Wait.WindowsStalled != 0 || v.Ahead != 2 {
		t.Errorf("after a call: %+v; want no stalled window, 2 ahead", v.Wait)
	}
	// A paused window does not change who is ahead; the estimate is unknown.
	if _, err := db.SetWindowState(ctx, hallID, w.ID, store.Staffer{Username: "tester"}, store.WindowPaused, "break"); err != nil {
		t.Fatal(err)
	}
	v = view(t, db, issued[2].Ticket.TrackToken)
	if v.Ahead != 2 || v.Eta != -1 || v.Wait.EtaMs != -1 || v.Wait.ExpectedAt != 0 || v.Wait.WindowsOpen != 0 {
		t.Errorf("window paused: %+v (eta %v); want 2 ahead, no estimate", v.Wait, v.Eta)
	}
}

// TestIssueMemoFollowsTheQueue: a burst of tickets for one item reuses the
// memoised replay, and what it says stays what a fresh look says.
func TestIssueMemoFollowsTheQueue(t *testing.T) {
	db, c, hallID, w := etaHall(t)
	// Keep the window busy so that estimates are not all zero.
	issue(t, db, hallID, w, queue.PriorityNone)
	if _, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: w.ID, By: store.Staffer{Username: "tester"}}); err != nil {
		t.Fatal(err)
	}
	var prev store.Issued
	for i := 0; i < 30; i++ {
		c.add(300 * time.Millisecond) // several per snapshot, several snapshots
		res := issue(t, db, hallID, w, queue.PriorityNone)
		if res.Wait.Ahead != i {
			t.Fatalf("ticket %d: %d ahead, want %d", i, res.Wait.Ahead, i)
		}
		if i > 0 && res.Wait.EtaMs < prev.Wait.EtaMs {
			t.Errorf("ticket %d: eta %d ms before the one ahead of it (%d ms)", i, res.Wait.EtaMs, prev.Wait.EtaMs)
		}
		prev = res
	}
	c.add(2 * time.Second)
	v := view(t, db, prev.Ticket.TrackToken)
	if v.Ahead != prev.Wait.Ahead {
		t.Errorf("last ticket: phone page %d ahead, at issue %d", v.Ahead, prev.Wait.Ahead)
	}
	// The memo is an approximation between replays: it stays within one
	// tenth of the replay of the same state (the Monte Carlo noise of a
	// 15-sample median of thirty services).
	if d := v.Eta - prev.Wait.Eta(); d > v.Eta/10 || d < -v.Eta/10 {
		t.Errorf("last ticket: memoised estimate %v, replayed %v", prev.Wait.Eta(), v.Eta)
	}
}

// TestIssueMemoRunningSums: between replays an issue looks only at the
// tickets issued since the last one of its line; what it says must be what
// counting every ticket since the replay says, for every line (items,
// priority tickets, an item the line's windows do not serve), also when
// another instance takes counted tickets out of the list.
func TestIssueMemoRunningSums(t *testing.T) {
	db, c, hallID, w := etaHall(t)
	issue(t, db, hallID, w, queue.PriorityNone)
	if _, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: w.ID, By: store.Staffer{Username: "tester"}}); err != nil {
		t.Fatal(err)
	}
	windows, err := db.ListWindows(ctx, hallID)
	if err != nil {
		t.Fatal(err)
	}
	line := store.IssueRequest{HallID: hallID, Item: w.Items[0], Zone: w.Zone, Channel: store.ChannelKiosk}
	elsewhere := "" // an item the open window does not serve
	for _, o := range windows {
		for _, it := range o.Items {
			if !slices.Contains(w.Items, it) {
				elsewhere = it
			}
		}
	}
	if elsewhere == "" {
		t.Fatal("the open window serves every item of the demo hall")
	}
	cfg := store.Config{DSN: db.DSN()}
	if cfg.DSN == "" {
		cfg.Dir = filepath.Dir(db.Path())
	}
	other, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	check := func(what string, req store.IssueRequest) int {
		t.Helper()
		kept, fresh, sums, err := store.PreEstimateRescanned(db, req)
		if err != nil {
			t.Fatal(err)
		}
		if kept.Ahead != fresh.Ahead || kept.EtaMs != fresh.EtaMs {
			t.Fatalf("%s (%s, %q): running sums say %d ahead, %d ms; counting again says %d ahead, %d ms",
				what, req.Item, req.Priority, kept.Ahead, kept.EtaMs, fresh.Ahead, fresh.EtaMs)
		}
		return sums
	}
	sums := 0
	for i := range 120 {
		c.add(100 * time.Millisecond)
		req := line
		req.Item = w.Items[i%len(w.Items)]
		switch i % 7 {
		case 3:
			req.Priority = queue.PriorityElderly
		case 5:
			req.Item = elsewhere
		}
		sums += check(fmt.Sprintf("ticket %d", i), req)
		if _, err := db.IssueTicket(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if sums == 0 {
		t.Fatal("no estimate used running sums")
	}

	// The priority line is replayed (the memo has aged) as t1 is issued;
	// t2 and t3 are counted in its running sums. Another instance cancels
	// t2 and t3, and this one sees it at its next reload while the replay,
	// whose list ends before t1, still holds. Two ordinary tickets, which
	// a priority ticket does not wait behind, then fill their places:
	// counting on from where the sums ended would keep t2 and t3 ahead.
	prio := line
	prio.Priority = queue.PriorityElderly
	c.add(20 * time.Second)
	var tokens []string
	for range 3 {
		c.add(100 * time.Millisecond)
		res, err := db.IssueTicket(ctx, prio)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, res.Ticket.TrackToken)
	}
	for _, tok := range tokens[1:] {
		if err := other.CancelByToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	c.add(1500 * time.Millisecond)
	for range 2 {
		if _, err := db.IssueTicket(ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	if check("after another instance's cancels", prio) == 0 {
		t.Fatal("the line's memo had no running sums")
	}
}
