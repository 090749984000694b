package queue

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Replay is the mingbai wait estimator: it replays the snapshot's dispatch
// policy forward from the current state until the ticket is called.
//
// The replay starts from the windows as they are: a busy window frees after
// the remaining service of its ticket given the time already spent
// (lognormal, see ResidualMean), a recalling one after what is left of the
// recall, an idle one at once. Windows open and close along their planned
// spans (a window busy at the end of a span finishes its ticket). Each
// freed window calls the ticket the policy picks, through the same
// Policy.Next and ApplyCall as the hall, and is busy for that ticket's
// service (item statistics × window speed), or for the recall if it does
// not show up. Priority tickets arrive at the snapshot's priority rates, so
// the green channel and its bound are replayed too. Future ordinary
// arrivals are not replayed: under oldest head of line they never go
// before an earlier ticket.
//
// The replay is a small Monte Carlo: service times, no-shows and priority
// arrivals are drawn, and the estimate is the median of the sampled waits
// (the median minimises the mean absolute error). The random streams are
// seeded from the ticket and the snapshot time, so the same snapshot always
// gives the same estimate. With one sample (or for long queues, see
// Samples) it replays expected values instead.
type Replay struct {
	// Horizon caps the estimate; zero means 12 hours.
	Horizon time.Duration
	// Samples is the number of Monte Carlo replays. Zero means adaptive:
	// up to 15, fewer as the queue grows (each replay costs about the
	// square of the queue length), down to a single expected-value replay
	// for queues of about 150 tickets and more.
	Samples int
}

// Name returns "mingbai".
func (Replay) Name() string { return EstimatorMingbai }

type replayWindow struct {
	ws    *WindowState
	free  float64 // minutes from now when the window can next call
	speed float64
	spans [][2]float64
	si    int
}

// ready returns when the window can next call, +Inf if never.
func (r *replayWindow) ready() float64 {
	t := r.free
	for r.si < len(r.spans) && r.spans[r.si][1] <= t {
		r.si++
	}
	if r.si == len(r.spans) {
		return math.Inf(1)
	}
	if t < r.spans[r.si][0] {
		t = r.spans[r.si][0]
	}
	return t
}

func minutes(d time.Duration) float64 { return float64(d) / float64(time.Minute) }

func fromMinutes(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }

// replayer holds what every replay of one estimate shares.
type replayer struct {
	s       *Snapshot
	pol     Policy
	target  int64
	list    []Ticket
	windows []replayWindow
	hmin    float64
	total   float64 // priority arrivals per minute
	params  map[string][2]float64
}

func (r *replayer) lognormal(item string) (mu, sigma float64) {
	if p, ok := r.params[item]; ok {
		return p[0], p[1]
	}
	st := r.s.stats(item)
	mu, sigma = lognormalParams(math.Max(minutes(st.Mean), 1e-6), st.CV)
	r.params[item] = [2]float64{mu, sigma}
	return mu, sigma
}

// Estimate implements Estimator.
func (e Replay) Estimate(s Snapshot, t Ticket) time.Duration {
	horizon := e.Horizon
	if horizon <= 0 {
		horizon = 12 * time.Hour
	}
	r := &replayer{s: &s, pol: s.policy(), target: t.ID, hmin: minutes(horizon), params: map[string][2]float64{}}
	found := false
	for i := range s.Waiting {
		if !s.Waiting[i].Callable() {
			continue
		}
		if s.Waiting[i].ID == t.ID {
			found = true
		}
		r.list = append(r.list, s.Waiting[i])
	}
	if !found {
		r.list = append(r.list, t)
	}
	for i := range s.Windows {
		w := &s.Windows[i]
		rw := replayWindow{ws: w, speed: w.Speed}
		if rw.speed <= 0 {
			rw.speed = 1
		}
		if w.Spans == nil {
			if w.Window.Open {
				rw.spans = [][2]float64{{0, math.Inf(1)}}
			}
		} else {
			for _, sp := range w.Spans {
				a, b := minutes(sp.From.Sub(s.Now)), math.Inf(1)
				if !sp.Until.IsZero() {
					b = minutes(sp.Until.Sub(s.Now))
				}
				if b > 0 {
					rw.spans = append(rw.spans, [2]float64{a, b})
				}
			}
		}
		if len(rw.spans) > 0 {
			r.windows = append(r.windows, rw)
		}
	}
	if len(r.windows) == 0 {
		return horizon
	}
	for _, a := range s.PriorityArrivals {
		r.total += a.PerHour / 60
	}
	n := e.Samples
	if n <= 0 {
		q := float64(len(r.list) + 1)
		n = int(math.Min(15, 25000/(q*q)))
		if n > 1 && n%2 == 0 {
			n-- // an odd count has a proper median
		}
	}
	if n <= 1 {
		return fromMinutes(math.Min(r.run(nil), r.hmin))
	}
	seed := uint64(t.ID)*0x9e3779b97f4a7c15 ^ uint64(s.Now.UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x5bd1e995))
	waits := make([]float64, n)
	for i := range waits {
		waits[i] = r.run(rng)
	}
	sort.Float64s(waits)
	return fromMinutes(math.Min(waits[n/2], r.hmin))
}

// run replays once, with draws from rng, or in expected values when rng is
// nil, and returns the target's wait in minutes.
func (r *replayer) run(rng *rand.Rand) float64 {
	s := r.s
	list := make([]Ticket, len(r.list), len(r.list)+16)
	copy(list, r.list)
	ws := make([]replayWindow, len(r.windows))
	copy(ws, r.windows)
	recall := minutes(s.Recall)
	for i := range ws {
		w := &ws[i]
		if w.ws.Window.Serving == 0 {
			continue
		}
		switch {
		case w.ws.Recalling:
			w.free = math.Max(recall-minutes(w.ws.Elapsed), 0)
		case rng == nil:
			el := time.Duration(float64(w.ws.Elapsed) / w.speed)
			w.free = minutes(ResidualMean(s.stats(w.ws.Item), el)) * w.speed
		default:
			mu, sg := r.lognormal(w.ws.Item)
			el := minutes(w.ws.Elapsed) / w.speed
			w.free = residualDraw(rng, mu, sg, el) * w.speed
		}
	}
	occupancy := func(item string) float64 {
		if rng == nil {
			return (1-s.NoShowRate)*minutes(s.stats(item).Mean) + s.NoShowRate*recall
		}
		if rng.Float64() < s.NoShowRate {
			return recall
		}
		mu, sg := r.lognormal(item)
		return math.Exp(mu + sg*rng.NormFloat64())
	}

	// Priority arrivals: evenly spaced in expected values, Poisson when
	// drawn; items in proportion to their rates.
	nextArr, nArr := math.Inf(1), 0
	counts := make([]float64, len(s.PriorityArrivals))
	advance := func() {
		switch {
		case r.total <= 0:
			nextArr = math.Inf(1)
		case rng == nil:
			nextArr = (float64(nArr) + 0.5) / r.total
		default:
			if nArr == 0 {
				nextArr = 0
			}
			nextArr += rng.ExpFloat64() / r.total
		}
	}
	advance()
	var vid int64 = -1
	addArrival := func() {
		at := nextArr
		best := 0
		if rng == nil {
			bestDef := math.Inf(-1)
			for i, a := range s.PriorityArrivals {
				if d := a.PerHour/60*at - counts[i]; d > bestDef {
					best, bestDef = i, d
				}
			}
			counts[best]++
		} else {
			u := rng.Float64() * r.total * 60
			for i, a := range s.PriorityArrivals {
				best = i
				if u < a.PerHour {
					break
				}
				u -= a.PerHour
			}
		}
		a := s.PriorityArrivals[best]
		list = append(list, Ticket{
			ID: vid, Item: a.Item, Zone: a.Zone, Priority: PriorityElderly,
			IssuedAt: s.Now.Add(fromMinutes(at)), State: StateWaiting,
		})
		vid--
		nArr++
		advance()
	}

	for steps := 0; steps < 100000; steps++ {
		bi, bt := -1, math.Inf(1)
		for i := range ws {
			if t := ws[i].ready(); t < bt {
				bi, bt = i, t
			}
		}
		if bi < 0 || bt >= r.hmin {
			return r.hmin
		}
		for nextArr <= bt {
			addArrival()
		}
		w := &ws[bi]
		idx, ok := r.pol.Next(w.ws.Window, list, s.Now.Add(fromMinutes(bt)))
		if !ok {
			w.free = nextArr
			continue
		}
		if list[idx].ID == r.target {
			return bt
		}
		ApplyCall(w.ws.Window, list, idx)
		w.free = bt + occupancy(list[idx].Item)*w.speed
		last := len(list) - 1
		list[idx] = list[last]
		list = list[:last]
	}
	return r.hmin
}

// residualDraw draws S − e for a lognormal S(mu, sigma) conditioned on
// S > e (minutes), by inverting the distribution function.
func residualDraw(rng *rand.Rand, mu, sigma, e float64) float64 {
	if e <= 0 {
		return math.Exp(mu + sigma*rng.NormFloat64())
	}
	p0 := phi((math.Log(e) - mu) / sigma)
	if p0 > 1-1e-12 {
		return e * sigma * sigma / math.Max((math.Log(e)-mu), sigma) // far in the tail
	}
	u := p0 + (1-p0)*rng.Float64()
	if u >= 1 {
		u = math.Nextafter(1, 0)
	}
	x := math.Exp(mu + sigma*math.Sqrt2*math.Erfinv(2*u-1))
	return math.Max(x-e, 0)
}
