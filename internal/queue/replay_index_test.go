package queue

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// opaque hides a policy from the index, so the replay goes through
// Policy.Next: the reference the indexed replay must match.
type opaque struct{ Policy }

// randomSnapshot is a hall in a random state: windows over random zones,
// busy, recalling, idle (some stalled), closed with spans, slow staff;
// ordinary and priority tickets with bypass counters, tickets aimed at a
// window, tickets issued at the same instant; priority arrivals; no-shows.
func randomSnapshot(rng *rand.Rand, n int) Snapshot {
	zones := []string{"employment", "social_insurance", "general"}
	s := Snapshot{Now: t0.Add(2 * time.Hour), Service: map[string]ServiceStats{},
		DefaultService: ServiceStats{Mean: 6 * time.Minute, CV: 0.8},
		NoShowRate:     float64(rng.IntN(3)) * 0.05, Recall: 90 * time.Second}
	var items []string
	for _, z := range zones {
		for _, it := range catalog[z] {
			items = append(items, it)
			if rng.IntN(4) > 0 {
				s.Service[it] = ServiceStats{Mean: time.Duration(2+rng.IntN(10)) * time.Minute, CV: 0.2 + rng.Float64()}
			}
			if rng.IntN(3) == 0 {
				s.PriorityArrivals = append(s.PriorityArrivals, ArrivalRate{Item: it, Zone: z, PerHour: float64(1 + rng.IntN(20))})
			}
		}
	}
	nw := 1 + rng.IntN(6)
	for i := 0; i < nw; i++ {
		var zs []string
		for _, z := range zones {
			if rng.IntN(2) == 0 {
				zs = append(zs, z)
			}
		}
		w := WindowState{Window: win(fmt.Sprint(i+1), zones[rng.IntN(3)], zs...)}
		w.Window.Open = rng.IntN(5) > 0
		switch rng.IntN(4) {
		case 0, 1:
			w.Window.Serving = int64(9000 + i)
			w.Item = items[rng.IntN(len(items))]
			w.Elapsed = time.Duration(rng.IntN(15)) * time.Minute
			w.Recalling = rng.IntN(6) == 0
		case 2:
			w.IdleSince = s.Now.Add(-time.Duration(rng.IntN(30)) * time.Minute)
		}
		if rng.IntN(5) == 0 {
			w.Spans = []Span{{From: s.Now.Add(time.Duration(rng.IntN(40)-10) * time.Minute), Until: s.Now.Add(time.Duration(20+rng.IntN(60)) * time.Minute)}}
		}
		if rng.IntN(4) == 0 {
			w.Speed = 0.7 + rng.Float64()
		}
		s.Windows = append(s.Windows, w)
	}
	for i := 0; i < n; i++ {
		it := items[rng.IntN(len(items))]
		z := ""
		for zz, its := range catalog {
			for _, x := range its {
				if x == it {
					z = zz
				}
			}
		}
		t := Ticket{ID: int64(i + 1), Item: it, Zone: z, IssuedAt: s.Now.Add(-time.Duration(rng.IntN(90*60)) * time.Second), State: StateWaiting}
		if i > 0 && rng.IntN(10) == 0 {
			t.IssuedAt = s.Waiting[rng.IntN(i)].IssuedAt
		}
		if rng.IntN(6) == 0 {
			t.Priority = PriorityElderly
		} else {
			t.PriorityBypassed = rng.IntN(3)
		}
		if rng.IntN(12) == 0 {
			t.TargetWindow = fmt.Sprint(1 + rng.IntN(nw))
		}
		s.Waiting = append(s.Waiting, t)
	}
	SortWaiting(s.Waiting)
	return s
}

func TestIndexedReplayMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	pols := []Policy{MingbaiPolicy{K: 2}, MingbaiPolicy{K: 0}, MingbaiPolicy{K: 1}, MingbaiPolicy{K: -1},
		oldestHOL{}, ownFirst{}, dedicated{}, PerWindow{}, fifoPooled{}}
	cases := 0
	rounds := 30
	if testing.Short() {
		rounds = 10
	}
	for round := 0; round < rounds; round++ {
		s := randomSnapshot(rng, 1+rng.IntN(45))
		for _, p := range pols {
			for _, samples := range []int{0, 1} {
				e := Replay{Samples: samples}
				fast, slow := s, s
				fast.Policy, slow.Policy = p, opaque{p}
				if r := e.prepare(&fast, &s.Waiting[0]); r != nil && r.ix == nil {
					t.Fatalf("%s: no index", p.Name())
				}
				for _, ti := range []int{0, len(s.Waiting) / 2, len(s.Waiting) - 1} {
					tk := s.Waiting[ti]
					a, b := e.Estimate(fast, tk), e.Estimate(slow, tk)
					if a != b {
						t.Fatalf("round %d, %s, samples %d, ticket %d of %d: indexed %v, generic %v", round, p.Name(), samples, ti, len(s.Waiting), a, b)
					}
					cases++
				}
				// A ticket about to be issued (not in the list).
				nt := Ticket{ID: 1 << 40, Item: s.Waiting[0].Item, Zone: s.Waiting[0].Zone, IssuedAt: s.Now, State: StateWaiting, Priority: s.Waiting[0].Priority}
				if a, b := e.Estimate(fast, nt), e.Estimate(slow, nt); a != b {
					t.Fatalf("round %d, %s: new ticket: indexed %v, generic %v", round, p.Name(), a, b)
				}
			}
		}
	}
	t.Logf("%d estimates compared", cases)
}

// TestEstimateAllMatchesPerTicket: a replay of the whole queue gives each
// ticket the wait a replay stopped at that ticket gives, draw for draw.
func TestEstimateAllMatchesPerTicket(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for round := 0; round < 40; round++ {
		s := randomSnapshot(rng, 1+rng.IntN(60))
		e := Replay{}
		r := e.prepare(&s, nil)
		if r == nil {
			continue
		}
		for _, seeded := range []bool{false, true} {
			mk := func() *rand.Rand {
				if !seeded {
					return nil
				}
				return rand.New(rand.NewPCG(uint64(round), 7))
			}
			all := make([]float64, len(r.list))
			r.runIndexed(mk(), all)
			for i := range r.list {
				r.target = r.list[i].ID
				one := r.runIndexed(mk(), nil)
				r.target = noTarget
				if one != all[i] {
					t.Fatalf("round %d, seeded %v, ticket %d of %d: whole queue %v, alone %v", round, seeded, i, len(r.list), all[i], one)
				}
			}
		}
		// In expected values the public results agree exactly too.
		one := Replay{Samples: 1}
		got := one.EstimateAll(s)
		for i := range s.Waiting {
			if want := one.Estimate(s, s.Waiting[i]); got[i] != want {
				t.Fatalf("round %d: EstimateAll[%d] = %v, Estimate = %v", round, i, got[i], want)
			}
		}
	}
}

// TestReplayStalledWindows: windows open but not calling while tickets
// wait make the estimate grow with how long they have not called.
func TestReplayStalledWindows(t *testing.T) {
	s := hall(2, false)
	for i := range s.Windows {
		s.Windows[i].IdleSince = t0.Add(-3 * time.Hour) // signed in long ago, never called
	}
	me := tk(9, 0, "RS-A-001", "employment", PriorityNone)
	// Nobody waits but me: an idle window calls me at once.
	if got := est(t, EstimatorMingbai, s, me); got != 0 {
		t.Errorf("nobody waiting: estimate %v, want 0", got)
	}
	// The head of line has waited 20 minutes with both windows idle: they
	// are expected to stay away 19 more (20 less the grace), then serve
	// the head and the second (5 minutes, cv 0), and me at 19 + 5.
	s.Waiting = []Ticket{tk(1, -20, "RS-A-001", "employment", PriorityNone), tk(2, -10, "RS-A-001", "employment", PriorityNone),
		tk(3, -5, "RS-A-001", "employment", PriorityNone), me}
	if got := (Replay{Samples: 1}).Estimate(s, me); got != 24*time.Minute {
		t.Errorf("stalled windows: estimate %v, want 24m", got)
	}
	// Within the grace the windows are about to call.
	s.Waiting = []Ticket{tk(1, 0, "RS-A-001", "employment", PriorityNone), me}
	s.Waiting[0].IssuedAt = t0.Add(-30 * time.Second)
	if got := (Replay{Samples: 1}).Estimate(s, me); got != 0 {
		t.Errorf("within the grace: estimate %v, want 0 (the second window calls me)", got)
	}
	// A window that called 4 minutes ago left the queue waiting only since.
	s.Windows[0].IdleSince = t0.Add(-4 * time.Minute)
	s.Windows[1].IdleSince = t0.Add(-4 * time.Minute)
	s.Waiting = []Ticket{tk(1, -20, "RS-A-001", "employment", PriorityNone), tk(2, -10, "RS-A-001", "employment", PriorityNone), me}
	if got := (Replay{Samples: 1}).Estimate(s, me); got != 3*time.Minute+5*time.Minute {
		t.Errorf("windows idle 4 minutes: estimate %v, want 8m (3 away + 5)", got)
	}
}

func BenchmarkReplayQueueLength(b *testing.B) {
	for _, n := range []int{10, 50, 150, 500, 1000, 3000} {
		s, last := benchSnapshot(n)
		slow := s
		slow.Policy = opaque{MingbaiPolicy{K: DefaultK}}
		b.Run(fmt.Sprintf("before_generic/n=%d", n), func(b *testing.B) {
			if n > 1000 && testing.Short() {
				b.Skip("long")
			}
			for b.Loop() {
				Replay{}.Estimate(slow, last)
			}
		})
		b.Run(fmt.Sprintf("after_indexed/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				Replay{}.Estimate(s, last)
			}
		})
		b.Run(fmt.Sprintf("after_whole_queue/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				Replay{}.EstimateAll(s)
			}
		})
	}
}
