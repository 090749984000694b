package demo

import (
	"math"
	"testing"
	"time"

	"mingbai/internal/sim"
)

func testPlan(t *testing.T) *sim.Plan {
	t.Helper()
	sc, err := sim.LoadScenario("reference")
	if err != nil {
		t.Fatal(err)
	}
	p, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClockMapsWallTimeToScenarioDays(t *testing.T) {
	start := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	c := Clock{Start: start, Speed: 60, Open: 8 * 60, Close: 17 * 60, StartMinute: 9 * 60}
	for _, tc := range []struct {
		after  time.Duration
		day    int
		minute float64
	}{
		{0, 0, 9 * 60},
		{time.Minute, 0, 10 * 60},    // an hour a minute
		{8 * time.Minute, 1, 8 * 60}, // 17:00 of day 0 is 08:00 of day 1
		{8*time.Minute + 30*time.Second, 1, 8*60 + 30},
		{17 * time.Minute, 2, 8 * 60},
	} {
		abs := c.Abs(start.Add(tc.after))
		d, m := c.DayMinute(abs)
		if d != tc.day || math.Abs(m-tc.minute) > 1e-6 {
			t.Errorf("after %v: day %d minute %v, want %d %v", tc.after, d, m, tc.day, tc.minute)
		}
		if got := c.Wall(abs); got.Sub(start.Add(tc.after)).Abs() > time.Millisecond {
			t.Errorf("after %v: wall %v", tc.after, got)
		}
		if back := c.AbsOf(d, m); math.Abs(back-abs) > 1e-6 {
			t.Errorf("after %v: AbsOf %v, want %v", tc.after, back, abs)
		}
	}
}

// TestFeedHandsOutEveryArrivalOnce: the feed follows the scenario's days,
// from the start minute on, in order, across the change of day.
func TestFeedHandsOutEveryArrivalOnce(t *testing.T) {
	p := testPlan(t)
	start := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	c := Clock{Start: start, Speed: 1, Open: p.Open(), Close: p.Close(), StartMinute: 16 * 60}
	f := NewFeed(p, c, 7)
	day0, day1 := p.Day(7, 0), p.Day(7, 1)
	var want []sim.Arrival
	for _, a := range day0.Arrivals {
		if a.Minute >= 16*60 {
			want = append(want, a)
		}
	}
	want = append(want, day1.Arrivals...)
	var got []sim.Arrival
	last := math.Inf(-1)
	for abs := c.Abs(start); abs < c.AbsOf(2, p.Open()); abs += 7.3 {
		for _, a := range f.Due(abs) {
			got = append(got, a.Arrival)
		}
		if n := f.NextAt(); n <= abs || n < last {
			t.Fatalf("NextAt %v at %v (last %v)", n, abs, last)
		} else {
			last = n
		}
	}
	for _, a := range f.Due(c.AbsOf(2, p.Open()) - 1e-9) {
		got = append(got, a.Arrival)
	}
	if len(got) != len(want) || len(want) < 600 {
		t.Fatalf("handed out %d arrivals, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("arrival %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestClerkDecisions(t *testing.T) {
	p := Params{WalkUp: 0.5, RecallEvery: 0.5, MaxRecalls: 2, IdleRetry: 2}
	inf := math.Inf(1)
	for _, tc := range []struct {
		name    string
		c       Clerk
		now     float64
		onShift bool
		want    Action
		due     float64
	}{
		{"off shift stays off", Clerk{Phase: Off}, 10, false, Wait, inf},
		{"shift starts", Clerk{Phase: Off}, 10, true, SignIn, 10},
		{"idle calls", Clerk{Phase: Idle, NextTry: 10}, 10, true, Call, 10},
		{"idle waits out its retry", Clerk{Phase: Idle, NextTry: 12}, 10, true, Wait, 12},
		{"shift ends when idle", Clerk{Phase: Idle}, 10, false, SignOut, 10},
		{"citizen walks up", Clerk{Phase: Called, Since: 10}, 10.2, true, Wait, 10.5},
		{"service starts", Clerk{Phase: Called, Since: 10}, 10.5, true, Start, 10.5},
		{"busy at shift end finishes first", Clerk{Phase: Serving, Since: 10, Service: 6}, 12, false, Wait, 16},
		{"service ends", Clerk{Phase: Serving, Since: 10, Service: 6}, 16, true, Finish, 16},
		{"gone citizen is recalled", Clerk{Phase: Called, NoShow: true, Since: 10}, 10.5, true, Recall, 10.5},
		{"second recall", Clerk{Phase: Called, NoShow: true, Since: 10, Recalls: 1}, 10.9, true, Wait, 11},
		{"no-show after the recalls", Clerk{Phase: Called, NoShow: true, Since: 10, Recalls: 2}, 11.5, true, NoShow, 11.5},
		{"a person at the window", Clerk{Phase: Human}, 10, true, Wait, inf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, due := tc.c.Next(tc.now, tc.onShift, p)
			if a != tc.want || due != tc.due {
				t.Errorf("Next = %v, %v; want %v, %v", a, due, tc.want, tc.due)
			}
		})
	}
}

// TestClerkServesANoShowAndATicket walks one clerk through a day's
// pieces: sign in, a call that finds nothing, a wake-up, a no-show with
// its recalls, a served ticket, a person taking over.
func TestClerkServesANoShowAndATicket(t *testing.T) {
	p := Params{WalkUp: 0.5, RecallEvery: 0.5, MaxRecalls: 2, IdleRetry: 2}
	c := &Clerk{Window: "1"}
	var log []Action
	run := func(now float64, o Outcome, info CallInfo) {
		a, _ := c.Next(now, true, p)
		if a != Wait {
			log = append(log, a)
			c.Apply(a, o, now, p, info)
		}
	}
	run(0, Done, CallInfo{})  // sign in
	run(0, Empty, CallInfo{}) // nothing waiting
	if a, due := c.Next(1, true, p); a != Wait || due != 2 {
		t.Fatalf("after an empty call: %v %v", a, due)
	}
	c.Wake(1)
	run(1, Done, CallInfo{Ticket: 5, NoShow: true})
	run(1.5, Done, CallInfo{})
	run(2, Done, CallInfo{})
	run(2.5, Done, CallInfo{}) // no-show
	run(2.5, Done, CallInfo{Ticket: 6, Service: 4})
	run(3, Done, CallInfo{}) // start
	run(6.9, Done, CallInfo{})
	run(7, Done, CallInfo{}) // finish
	want := []Action{SignIn, Call, Call, Recall, Recall, NoShow, Call, Start, Finish}
	if len(log) != len(want) {
		t.Fatalf("actions %v, want %v", log, want)
	}
	for i := range want {
		if log[i] != want[i] {
			t.Fatalf("actions %v, want %v", log, want)
		}
	}
	run(7, TakenOver, CallInfo{})
	if c.Phase != Human {
		t.Fatalf("phase %v after a take-over", c.Phase)
	}
}
