package queue

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestResidualMean(t *testing.T) {
	st := ServiceStats{Mean: 10 * time.Minute, CV: 0.8}
	if got := ResidualMean(st, 0); got != st.Mean {
		t.Errorf("residual at 0 = %v, want the mean", got)
	}
	// Numerical E[S − e | S > e] for the lognormal.
	mu, sg := lognormalParams(10, 0.8)
	pdf := func(x float64) float64 {
		return math.Exp(-math.Pow(math.Log(x)-mu, 2)/(2*sg*sg)) / (x * sg * math.Sqrt(2*math.Pi))
	}
	for _, e := range []float64{2, 10, 30} {
		var num, den float64
		dx := 0.001
		for x := e + dx/2; x < 400; x += dx {
			num += (x - e) * pdf(x) * dx
			den += pdf(x) * dx
		}
		want := num / den
		got := ResidualMean(st, time.Duration(e*float64(time.Minute))).Minutes()
		if math.Abs(got-want) > 0.01*want {
			t.Errorf("residual after %v min = %.3f, numerically %.3f", e, got, want)
		}
	}
	// Far in the tail the residual stays finite and positive.
	if r := ResidualMean(st, 20*time.Hour); r <= 0 || r > 100*time.Hour {
		t.Errorf("tail residual %v", r)
	}
}

// hall builds a snapshot with n windows serving employment, busy or idle.
func hall(n int, busy bool) Snapshot {
	s := Snapshot{
		Now:            t0,
		Service:        map[string]ServiceStats{"RS-A-001": {Mean: 5 * time.Minute, CV: 0}, "RS-A-002": {Mean: 5 * time.Minute, CV: 0}},
		DefaultService: ServiceStats{Mean: 5 * time.Minute},
		LastWait:       map[string]time.Duration{"employment": 7 * time.Minute},
	}
	for i := 0; i < n; i++ {
		w := win(fmt.Sprint(i+1), "employment", "employment")
		ws := WindowState{Window: w}
		if busy {
			ws.Window.Serving = int64(1000 + i)
			ws.Item = "RS-A-001"
		}
		s.Windows = append(s.Windows, ws)
	}
	return s
}

func est(t *testing.T, name string, s Snapshot, tk Ticket) time.Duration {
	t.Helper()
	e, err := NewEstimator(name)
	if err != nil {
		t.Fatal(err)
	}
	return e.Estimate(s, tk)
}

func TestEstimators(t *testing.T) {
	s := hall(2, true)
	for i := 1; i <= 3; i++ {
		s.Waiting = append(s.Waiting, tk(int64(i), -10*i, "RS-A-001", "employment", PriorityNone))
	}
	SortWaiting(s.Waiting)
	me := tk(9, 0, "RS-A-002", "employment", PriorityNone)
	// Two busy windows, three ahead, 5 minutes each (cv 0): the replay
	// calls tickets at 5, 5, 10, and me at 10.
	tests := []struct {
		name string
		want time.Duration
	}{
		{EstimatorMingbai, 10 * time.Minute},
		{EstimatorQL, 10 * time.Minute},        // (3+1) × 5 / 2
		{EstimatorHOL, 30 * time.Minute},       // the head was issued 30 minutes ago
		{EstimatorLES, 7 * time.Minute},        // last wait
		{EstimatorNaive, 7*time.Minute + 30e9}, // 3 × 5 / 2
	}
	for _, tt := range tests {
		if got := est(t, tt.name, s, me); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
		}
	}
	// An idle window calls the ticket at once: every estimator says 0.
	idle := hall(1, false)
	for _, name := range EstimatorNames() {
		if got := est(t, name, idle, me); got != 0 {
			t.Errorf("%s with an idle window = %v, want 0", name, got)
		}
	}
	if _, err := NewEstimator("nope"); err == nil {
		t.Error("unknown estimator: no error")
	}
}

func TestReplaySpansAndNoShows(t *testing.T) {
	s := hall(1, false)
	s.Windows[0].Spans = []Span{{From: t0.Add(30 * time.Minute)}}
	me := tk(9, 0, "RS-A-001", "employment", PriorityNone)
	if got := est(t, EstimatorMingbai, s, me); got != 30*time.Minute {
		t.Errorf("window opening in 30 minutes: estimate %v", got)
	}
	// A window about to close does not count.
	s = hall(2, true)
	s.Windows[1].Spans = []Span{{From: t0.Add(-time.Hour), Until: t0.Add(time.Minute)}}
	s.Waiting = []Ticket{tk(1, -5, "RS-A-001", "employment", PriorityNone)}
	if got := est(t, EstimatorMingbai, s, me); got != 10*time.Minute {
		t.Errorf("one window left: estimate %v, want 10m", got)
	}
	// No-shows shorten the occupancy of the tickets ahead.
	s = hall(1, false)
	s.NoShowRate, s.Recall = 0.5, time.Minute
	s.Waiting = []Ticket{tk(1, -5, "RS-A-001", "employment", PriorityNone), me}
	if got := (Replay{Samples: 1}).Estimate(s, me); got != 3*time.Minute {
		t.Errorf("with no-shows, in expected values: estimate %v, want 3m", got)
	}
	// Drawn: the ticket ahead shows up or not; the median is one of the two.
	if got := est(t, EstimatorMingbai, s, me); got != time.Minute && got != 5*time.Minute {
		t.Errorf("with no-shows, drawn: estimate %v, want 1m or 5m", got)
	}
	if a, b := est(t, EstimatorMingbai, s, me), est(t, EstimatorMingbai, s, me); a != b {
		t.Errorf("the same snapshot gave %v and %v", a, b)
	}
}

func TestReplayPriorityArrivalsBounded(t *testing.T) {
	s := hall(1, true)
	s.PriorityArrivals = []ArrivalRate{{Item: "RS-A-001", Zone: "employment", PerHour: 600}}
	me := tk(1, 0, "RS-A-001", "employment", PriorityNone)
	// A flood of priority tickets passes me K = 2 times at most: 5 (busy)
	// + 2 × 5.
	if got := est(t, EstimatorMingbai, s, me); got != 15*time.Minute {
		t.Errorf("estimate %v, want 15m", got)
	}
	pri := me
	pri.Priority = PriorityPregnant
	s.Waiting = []Ticket{tk(2, -20, "RS-A-001", "employment", PriorityNone), pri}
	if got := est(t, EstimatorMingbai, s, pri); got != 5*time.Minute {
		t.Errorf("priority ticket: estimate %v, want 5m (passes the ordinary one)", got)
	}
}

// benchSnapshot is a 22-window hall with n waiting tickets.
func benchSnapshot(n int) (Snapshot, Ticket) {
	rng := rand.New(rand.NewPCG(5, 6))
	zones := []string{"employment", "social_insurance", "general"}
	cat := map[string][]string{}
	s := Snapshot{Now: t0.Add(3 * time.Hour), Service: map[string]ServiceStats{}, LastWait: map[string]time.Duration{}}
	var items []string
	for zi, z := range zones {
		for k := 0; k < 4; k++ {
			it := fmt.Sprintf("RS-%c-%03d", 'A'+zi, k+1)
			cat[z] = append(cat[z], it)
			items = append(items, it)
			s.Service[it] = ServiceStats{Mean: time.Duration(4+rng.IntN(10)) * time.Minute, CV: 0.8}
			s.PriorityArrivals = append(s.PriorityArrivals, ArrivalRate{Item: it, Zone: z, PerHour: 1})
		}
		s.LastWait[z] = 12 * time.Minute
	}
	s.DefaultService = ServiceStats{Mean: 8 * time.Minute, CV: 0.8}
	s.NoShowRate, s.Recall = 0.07, 90*time.Second
	for i := 0; i < 22; i++ {
		a, b := zones[i%3], zones[(i+1)%3]
		w := Window{ID: fmt.Sprint(i + 1), Home: a, Items: ItemsForZones(cat, a, b), Open: true, Serving: int64(10000 + i)}
		s.Windows = append(s.Windows, WindowState{Window: w, Item: cat[a][0], Elapsed: time.Duration(rng.IntN(10)) * time.Minute})
	}
	for i := 0; i < n; i++ {
		it := items[rng.IntN(len(items))]
		pr := PriorityNone
		if rng.IntN(8) == 0 {
			pr = PriorityElderly
		}
		z := zones[(it[3] - 'A')]
		s.Waiting = append(s.Waiting, Ticket{ID: int64(i + 1), Item: it, Zone: z, Priority: pr, IssuedAt: s.Now.Add(-time.Duration(n-i) * 20 * time.Second), State: StateWaiting})
	}
	return s, s.Waiting[n-1]
}

func BenchmarkEstimate(b *testing.B) {
	for _, n := range []int{50, 200} {
		s, last := benchSnapshot(n)
		for _, name := range EstimatorNames() {
			e, _ := NewEstimator(name)
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				for b.Loop() {
					e.Estimate(s, last)
				}
			})
		}
	}
}
