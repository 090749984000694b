package queue

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

var catalog = map[string][]string{
	"employment":       {"RS-A-001", "RS-A-002"},
	"social_insurance": {"RS-B-001", "RS-B-002"},
	"general":          {"RS-E-001"},
}

func tk(id int64, min int, item, zone string, pr PriorityReason) Ticket {
	return Ticket{ID: id, Item: item, Zone: zone, Priority: pr, IssuedAt: t0.Add(time.Duration(min) * time.Minute), State: StateWaiting}
}

func win(id, home string, zones ...string) Window {
	return Window{ID: id, Home: home, Items: ItemsForZones(catalog, zones...), Open: true}
}

func TestItemsForZones(t *testing.T) {
	s := ItemsForZones(catalog, "employment", "general")
	if got, want := len(s), 3; got != want {
		t.Fatalf("len = %d, want %d", got, want)
	}
	if !s.Has("RS-E-001") || s.Has("RS-B-001") {
		t.Errorf("wrong set %v", s)
	}
}

func TestPolicies(t *testing.T) {
	w := win("1", "employment", "employment", "general")
	waiting := []Ticket{
		tk(1, 0, "RS-B-001", "social_insurance", PriorityNone), // not served by w
		tk(2, 1, "RS-E-001", "general", PriorityNone),
		tk(3, 2, "RS-A-001", "employment", PriorityNone),
		tk(4, 3, "RS-A-002", "employment", PriorityElderly),
	}
	held := tk(5, -5, "RS-A-001", "employment", PriorityNone)
	held.State = StateHeld
	waiting = append(waiting, held)
	aimed := tk(6, -1, "RS-B-002", "social_insurance", PriorityNone)
	aimed.TargetWindow = "9"
	waiting = append(waiting, aimed)

	tests := []struct {
		policy string
		want   int64
	}{
		{PolicyOldestHOL, 2},
		{PolicyOwnFirst, 3},
		{PolicyDedicated, 3},
		{PolicyFIFOPooled, 1},
		{PolicyMingbai, 4},
		{PolicyPerWindow, 0},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			p, err := NewPolicy(tt.policy, Options{})
			if err != nil {
				t.Fatal(err)
			}
			idx, ok := p.Next(w, waiting, t0)
			var got int64
			if ok {
				got = waiting[idx].ID
			}
			if got != tt.want {
				t.Errorf("%s picked ticket %d, want %d", tt.policy, got, tt.want)
			}
		})
	}
	if _, err := NewPolicy("nope", Options{}); err == nil {
		t.Error("unknown policy: no error")
	}
}

func TestTargetWindow(t *testing.T) {
	w := win("9", "general", "general")
	aimed := tk(1, 5, "RS-B-002", "social_insurance", PriorityNone)
	aimed.TargetWindow = "9"
	waiting := []Ticket{tk(2, 6, "RS-E-001", "general", PriorityNone), aimed}
	p, _ := NewPolicy(PolicyMingbai, Options{})
	if idx, ok := p.Next(w, waiting, t0); !ok || waiting[idx].ID != 1 {
		t.Errorf("transferred ticket not called by its target window: %v %v", idx, ok)
	}
}

func TestPerWindowAssign(t *testing.T) {
	ws := []Window{win("1", "employment", "employment"), win("2", "employment", "employment", "general"), win("3", "general", "general")}
	ws[0].Serving = 77
	ws[2].Open = false
	var pw PerWindow
	id, ok := pw.Assign(tk(1, 0, "RS-A-001", "employment", PriorityNone), ws, nil)
	if !ok || id != "2" {
		t.Fatalf("assign = %q %v, want 2", id, ok)
	}
	waiting := []Ticket{tk(1, 0, "RS-A-001", "employment", PriorityNone)}
	waiting[0].TargetWindow = "2"
	waiting = append(waiting, tk(2, 1, "RS-A-001", "employment", PriorityNone))
	waiting[1].TargetWindow = "2"
	if id, _ := pw.Assign(tk(3, 2, "RS-A-002", "employment", PriorityNone), ws, waiting); id != "1" {
		t.Errorf("assign = %q, want 1 (shorter queue)", id)
	}
	if _, ok := pw.Assign(tk(4, 2, "RS-B-001", "social_insurance", PriorityNone), ws, waiting); ok {
		t.Error("assigned a ticket no open window serves")
	}
}

func TestIsInTurn(t *testing.T) {
	w := win("1", "employment", "employment", "general")
	waiting := []Ticket{
		tk(1, 0, "RS-A-001", "employment", PriorityNone),
		tk(2, 0, "RS-A-002", "employment", PriorityNone),
		tk(3, 4, "RS-E-001", "general", PriorityNone),
	}
	p, _ := NewPolicy(PolicyMingbai, Options{})
	for _, tt := range []struct {
		chosen int
		want   bool
	}{{0, true}, {1, true}, {2, false}, {5, false}} {
		if got := IsInTurn(p, w, waiting, tt.chosen, t0); got != tt.want {
			t.Errorf("IsInTurn(%d) = %v, want %v", tt.chosen, got, tt.want)
		}
	}
}

// callAll lets a single window call every ticket in turn and returns the
// IDs in call order.
func callAll(p Policy, w Window, waiting []Ticket) []int64 {
	var order []int64
	for {
		idx, ok := p.Next(w, waiting, t0)
		if !ok {
			return order
		}
		ApplyCall(w, waiting, idx)
		order = append(order, waiting[idx].ID)
		waiting = append(waiting[:idx], waiting[idx+1:]...)
	}
}

// TestGreenChannelBound: no ordinary ticket waits behind more than K later
// priority tickets.
func TestGreenChannelBound(t *testing.T) {
	o := func(id int64, min int) Ticket { return tk(id, min, "RS-A-001", "employment", PriorityNone) }
	g := func(id int64, min int) Ticket { return tk(id, min, "RS-A-001", "employment", PriorityElderly) }
	w := win("1", "employment", "employment")
	tests := []struct {
		name    string
		k       int
		waiting []Ticket
		want    []int64
	}{
		{"no priority is FIFO", 2, []Ticket{o(1, 0), o(2, 1), o(3, 2)}, []int64{1, 2, 3}},
		{"older priority is not a bypass", 2, []Ticket{g(1, 0), o(2, 1), g(3, 2)}, []int64{1, 3, 2}},
		{"K=2: two pass, then the ordinary", 2, []Ticket{o(1, 0), g(2, 1), g(3, 2), g(4, 3), g(5, 4)}, []int64{2, 3, 1, 4, 5}},
		{"K=1", 1, []Ticket{o(1, 0), o(2, 1), g(3, 2), g(4, 3), g(5, 4)}, []int64{3, 1, 2, 4, 5}},
		{"K=0 disables passing", 0, []Ticket{o(1, 0), g(2, 1), g(3, 2)}, []int64{1, 2, 3}},
		{"K<0 is plain oldest first", -1, []Ticket{o(1, 0), g(2, 1), o(3, 2)}, []int64{1, 2, 3}},
		{"counter carried over", 2, func() []Ticket {
			a := o(1, 0)
			a.PriorityBypassed = 2
			return []Ticket{a, g(2, 1)}
		}(), []int64{1, 2}},
		{"a younger blocked ticket blocks too", 2, func() []Ticket {
			a, b := o(1, 0), o(2, 1)
			b.PriorityBypassed = 2
			return []Ticket{a, b, g(3, 2)}
		}(), []int64{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := MingbaiPolicy{K: tt.k}
			got := callAll(p, w, append([]Ticket(nil), tt.waiting...))
			if len(got) != len(tt.want) {
				t.Fatalf("order %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("order %v, want %v", got, tt.want)
				}
			}
		})
	}
	// NewPolicy maps K = 0 to the default.
	if p, _ := NewPolicy(PolicyMingbai, Options{}); p.(MingbaiPolicy).K != DefaultK {
		t.Errorf("default K = %d, want %d", p.(MingbaiPolicy).K, DefaultK)
	}
}

// TestGreenChannelBoundRandom runs random multi-window halls with arrivals
// and checks, independently of the counters, that no ordinary ticket is
// passed by more than K later priority tickets at windows able to serve it.
func TestGreenChannelBoundRandom(t *testing.T) {
	zones := []string{"employment", "social_insurance", "general"}
	items := []string{"RS-A-001", "RS-A-002", "RS-B-001", "RS-B-002", "RS-E-001"}
	zoneOf := map[string]string{"RS-A-001": "employment", "RS-A-002": "employment", "RS-B-001": "social_insurance", "RS-B-002": "social_insurance", "RS-E-001": "general"}
	rng := rand.New(rand.NewPCG(1, 2))
	maxSeen := 0
	for run := 0; run < 300; run++ {
		k := 1 + rng.IntN(3)
		p := MingbaiPolicy{K: k}
		nw := 1 + rng.IntN(4)
		var ws []Window
		for i := 0; i < nw; i++ {
			var zs []string
			for _, z := range zones {
				if rng.IntN(2) == 0 {
					zs = append(zs, z)
				}
			}
			if len(zs) == 0 {
				zs = []string{zones[rng.IntN(3)]}
			}
			ws = append(ws, win(string(rune('a'+i)), zs[0], zs...))
		}
		var waiting []Ticket
		passed := map[int64]int{}
		var id int64
		for step := 0; step < 200; step++ {
			if rng.IntN(3) > 0 { // arrival
				id++
				it := items[rng.IntN(len(items))]
				pr := PriorityNone
				if rng.IntN(2) == 0 { // many priority tickets to stress the bound
					pr = PriorityDisabled
				}
				waiting = append(waiting, tk(id, step, it, zoneOf[it], pr))
				continue
			}
			w := ws[rng.IntN(len(ws))]
			idx, ok := p.Next(w, waiting, t0)
			if !ok {
				continue
			}
			c := waiting[idx]
			if c.IsPriority() {
				for i := range waiting {
					a := &waiting[i]
					if i != idx && !a.IsPriority() && Before(a, &c) && w.Serves(a) {
						passed[a.ID]++
						if passed[a.ID] > maxSeen {
							maxSeen = passed[a.ID]
						}
						if passed[a.ID] > k {
							t.Fatalf("run %d: ticket %d passed %d times, K = %d", run, a.ID, passed[a.ID], k)
						}
					}
				}
			}
			ApplyCall(w, waiting, idx)
			waiting = append(waiting[:idx], waiting[idx+1:]...)
		}
	}
	if maxSeen == 0 {
		t.Fatal("the random halls never exercised the green channel")
	}
}

func benchWaiting(n int) ([]Ticket, Window) {
	rng := rand.New(rand.NewPCG(3, 4))
	items := []string{"RS-A-001", "RS-A-002", "RS-B-001", "RS-B-002", "RS-E-001"}
	zoneOf := map[string]string{"RS-A-001": "employment", "RS-A-002": "employment", "RS-B-001": "social_insurance", "RS-B-002": "social_insurance", "RS-E-001": "general"}
	ws := make([]Ticket, n)
	for i := range ws {
		it := items[rng.IntN(len(items))]
		pr := PriorityNone
		if rng.IntN(8) == 0 {
			pr = PriorityElderly
		}
		ws[i] = tk(int64(i+1), i, it, zoneOf[it], pr)
	}
	return ws, win("1", "employment", "employment", "general")
}

// BenchmarkNext: one call's choice; 6,000 is the waiting list of the
// server benchmark's call section (docs/benchmarks.md).
func BenchmarkNext(b *testing.B) {
	for _, n := range []int{50, 200, 6000} {
		waiting, w := benchWaiting(n)
		for _, name := range PolicyNames() {
			p, _ := NewPolicy(name, Options{})
			b.Run(name+"/"+itoa(n), func(b *testing.B) {
				for b.Loop() {
					p.Next(w, waiting, t0)
				}
			})
		}
	}
	// The store's lists are in queue order and it counts their priority
	// tickets: NextSorted, side by side with Next on the same list.
	for _, n := range []int{6000, 12000} {
		waiting, w := benchWaiting(n)
		SortWaiting(waiting)
		prio := 0
		for i := range waiting {
			if waiting[i].IsPriority() {
				prio++
			}
		}
		p, _ := NewPolicy(PolicyMingbai, Options{})
		b.Run("mingbai/"+itoa(n)+"/Next", func(b *testing.B) {
			for b.Loop() {
				p.Next(w, waiting, t0)
			}
		})
		b.Run("mingbai/"+itoa(n)+"/NextSorted", func(b *testing.B) {
			for b.Loop() {
				NextSorted(p, w, waiting, t0, Sorted{Priority: prio})
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var s []byte
	for n > 0 {
		s = append([]byte{byte('0' + n%10)}, s...)
		n /= 10
	}
	return string(s)
}

// TestNextSortedAgreesWithNext: on lists in queue order, with the number
// of priority tickets they hold, NextSorted chooses what Next chooses, for
// every policy, window and green-channel bound (random lists with and
// without priority tickets, bypass counters near K, tickets not
// callable, tickets sent to a window).
func TestNextSortedAgreesWithNext(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 3))
	items := []string{"RS-A-001", "RS-A-002", "RS-B-001", "RS-B-002", "RS-E-001"}
	zoneOf := map[string]string{"RS-A-001": "employment", "RS-A-002": "employment", "RS-B-001": "social_insurance", "RS-B-002": "social_insurance", "RS-E-001": "general"}
	wins := []Window{win("1", "employment", "employment"), win("2", "social_insurance", "social_insurance"), win("3", "general", "general", "employment", "social_insurance")}
	served := 0
	for round := 0; round < 3000; round++ {
		n := rng.IntN(40)
		var ws []Ticket
		prio := 0
		for i := 0; i < n; i++ {
			it := items[rng.IntN(len(items))]
			pr := PriorityNone
			if rng.IntN(4) == 0 || round%3 == 0 {
				pr = PriorityElderly
			}
			if round%5 == 0 {
				pr = PriorityNone
			}
			tk := tk(int64(i+1), i/2, it, zoneOf[it], pr)
			tk.PriorityBypassed = rng.IntN(4)
			if rng.IntN(10) == 0 {
				tk.State = StateCalled
			}
			if rng.IntN(12) == 0 {
				tk.TargetWindow = wins[rng.IntN(len(wins))].ID
			}
			if tk.IsPriority() {
				prio++
			}
			ws = append(ws, tk)
		}
		SortWaiting(ws)
		for _, name := range PolicyNames() {
			for _, k := range []int{-1, 1, 3} {
				p, _ := NewPolicy(name, Options{K: k})
				for _, w := range wins {
					wi, wok := p.Next(w, ws, t0)
					gi, gok := NextSorted(p, w, ws, t0, Sorted{Priority: prio})
					if wi != gi || wok != gok {
						t.Fatalf("round %d, %s K=%d, window %s: NextSorted %d %v, Next %d %v", round, name, k, w.ID, gi, gok, wi, wok)
					}
					if wok && ws[wi].IsPriority() {
						served++
					}
				}
			}
		}
	}
	if served == 0 {
		t.Fatal("no priority ticket was ever chosen: the lists did not exercise the green channel")
	}
}
