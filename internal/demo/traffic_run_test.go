package demo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/events"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// waitFor reads the hall's events until cond holds or the deadline passes.
func waitFor(t *testing.T, sub *events.Sub, what string, cond func(events.Event) bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				t.Fatalf("event stream closed while waiting for %s", what)
			}
			if cond(*ev) {
				return
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func payload(ev events.Event) store.PublicTicketEvent {
	var p store.PublicTicketEvent
	_ = json.Unmarshal(ev.Payload, &p)
	return p
}

// TestLivingDemoHall runs the demo traffic fast (ten scenario minutes a
// second) against a real database: simulated citizens take tickets and
// simulated clerks call them; a person signing in as w01 takes window 1
// over and the clerk stays away until they sign out; every simulated
// action is marked in the audit log; another hall is never touched; and
// the traffic stops when its context ends.
func TestLivingDemoHall(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateHall(ctx, hall.Hall{Code: "other", Name: "另一大厅", Timezone: "Asia/Shanghai",
		Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30", AlwaysOpen: true}})
	if err != nil {
		t.Fatal(err)
	}
	broker := events.NewBroker(4096)
	db.OnEvent(broker.Publish)
	lctx, stopListen := context.WithCancel(ctx)
	defer stopListen()
	ready := make(chan struct{})
	go db.Listen(lctx, func() { close(ready) })
	<-ready
	sub := broker.Subscribe(res.Hall.ID)
	defer broker.Unsubscribe(sub)
	otherSub := broker.Subscribe(other.ID)
	defer broker.Unsubscribe(otherSub)

	tctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- demo.RunTraffic(tctx, db, demo.TrafficOptions{Speed: 600, Seed: 1, StartAt: "09:00", Events: broker})
	}()
	defer func() { stop(); <-done }()

	calls := 0
	waitFor(t, sub, "ten calls", func(ev events.Event) bool {
		if ev.Kind == store.EventTicketCalled {
			calls++
		}
		return calls >= 10
	})

	// w01 signs in at window 1 (on shift at 09:00): the window is theirs.
	wins, err := db.ListWindows(ctx, res.Hall.ID)
	if err != nil {
		t.Fatal(err)
	}
	var w1 hall.Window
	for _, w := range wins {
		if w.Number == "1" {
			w1 = w
		}
	}
	person := store.Staffer{Username: "w01", StaffID: w1.StaffID}
	sess, err := db.SignInWindow(ctx, res.Hall.ID, w1.ID, person)
	if err != nil {
		t.Fatalf("w01 takes window 1 over: %v", err)
	}
	if sess.Simulated || sess.Username != "w01" {
		t.Fatalf("session after take-over: %+v", sess)
	}
	// The hall goes on; window 1 gets no simulated call meanwhile.
	calls = 0
	waitFor(t, sub, "ten more calls", func(ev events.Event) bool {
		if ev.Kind == store.EventTicketCalled {
			calls++
			// (On PostgreSQL a call from before the take-over can arrive late.)
			if payload(ev).Window == "1" && ev.At > sess.OpenedAt {
				t.Errorf("window 1 called %s while w01 was signed in", payload(ev).Number)
			}
		}
		return calls >= 10
	})
	// The person can work the window: finish what the clerk left there,
	// then call.
	if con, err := db.WindowConsole(ctx, res.Hall.ID, w1.ID); err != nil {
		t.Fatal(err)
	} else if con.Current != nil {
		if _, err := db.ActOnTicket(ctx, store.ActRequest{HallID: res.Hall.ID, TicketID: con.Current.ID, By: person, Action: store.ActFinish}); err != nil {
			t.Fatalf("w01 finishes the ticket the clerk left: %v", err)
		}
	}
	if _, err := db.SetWindowState(ctx, res.Hall.ID, w1.ID, person, store.WindowClosed, ""); err != nil {
		t.Fatal(err)
	}
	// Signed out: the simulated clerk comes back to window 1.
	waitFor(t, sub, "the clerk back at window 1", func(ev events.Event) bool {
		if ev.Kind != store.EventWindowState {
			return false
		}
		var p map[string]string
		_ = json.Unmarshal(ev.Payload, &p)
		return p["window"] == "1" && p["state"] == store.WindowOpen
	})
	sessions, err := db.WindowSessions(ctx, res.Hall.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := sessions[w1.ID]; !s.Simulated {
		t.Fatalf("window 1 after w01 signed out: %+v", s)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("traffic: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("traffic did not stop")
	}
	done <- nil // the deferred stop reads it again

	// Every simulated action is marked, and only those.
	recs, err := db.ListAudit(ctx, store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	simulated := 0
	for _, r := range recs {
		if strings.HasPrefix(r.Actor, "sim:") || r.Actor == "demo-citizen" {
			simulated++
			if r.Source != demo.TrafficSource {
				t.Errorf("simulated record not marked: %+v", r)
			}
		}
		if r.Actor == "w01" && r.Source == demo.TrafficSource {
			t.Errorf("a person's record marked simulated: %+v", r)
		}
	}
	if simulated < 30 {
		t.Errorf("%d simulated audit records", simulated)
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n == 0 {
		t.Fatalf("audit chain: %d %v", n, err)
	}
	// The other hall saw nothing.
	select {
	case ev := <-otherSub.C:
		t.Fatalf("event in the other hall: %+v", ev)
	default:
	}
	b, err := db.HallBoard(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Calls) != 0 {
		t.Fatalf("calls in the other hall: %+v", b.Calls)
	}
}
