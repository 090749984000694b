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
	// Seed, when not zero, seeds the random streams instead of the
	// snapshot time: successive snapshots of one hall then replay with
	// common random numbers, and estimates do not jitter from one second
	// to the next by the Monte Carlo noise alone.
	Seed uint64
}

func (e Replay) seed(s *Snapshot) uint64 {
	if e.Seed != 0 {
		return e.Seed
	}
	return uint64(s.Now.UnixNano())
}

// Name returns "mingbai".
func (Replay) Name() string { return EstimatorMingbai }

type replayWindow struct {
	ws    *WindowState
	free  float64 // minutes from now when the window can next call
	speed float64
	spans [][2]float64
	si    int
	stall float64 // minutes an idle window is expected to stay away
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
	ix      *replayIndex // nil: replay through Policy.Next
}

// noTarget is the target of a replay of the whole queue.
const noTarget = math.MinInt64

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
	r := e.prepare(&s, &t)
	if r == nil {
		return e.horizon()
	}
	n := e.samples(len(r.list) + 1)
	if n <= 1 {
		return fromMinutes(math.Min(r.run(nil), r.hmin))
	}
	seed := uint64(t.ID)*0x9e3779b97f4a7c15 ^ e.seed(&s)
	rng := rand.New(rand.NewPCG(seed, 0x5bd1e995))
	waits := make([]float64, n)
	for i := range waits {
		waits[i] = r.run(rng)
	}
	sort.Float64s(waits)
	return fromMinutes(math.Min(waits[n/2], r.hmin))
}

func (e Replay) horizon() time.Duration {
	if e.Horizon <= 0 {
		return 12 * time.Hour
	}
	return e.Horizon
}

// samples returns the number of Monte Carlo replays for a list of q
// tickets (see Replay.Samples).
func (e Replay) samples(q int) int {
	n := e.Samples
	if n <= 0 {
		fq := float64(q)
		n = int(math.Min(15, 25000/(fq*fq)))
		if n > 1 && n%2 == 0 {
			n-- // an odd count has a proper median
		}
	}
	return n
}

// prepare builds what every replay of s shares: the callable tickets (with
// t added when t is not nil and not among them), the windows that are or
// will be open, and, for the built-in policies, the index the fast replay
// runs on. It returns nil when no window will ever be open.
func (e Replay) prepare(s *Snapshot, t *Ticket) *replayer {
	r := &replayer{s: s, pol: s.policy(), target: noTarget, hmin: minutes(e.horizon()), params: map[string][2]float64{}}
	found := t == nil
	if t != nil {
		r.target = t.ID
	}
	r.list = make([]Ticket, 0, len(s.Waiting)+1)
	for i := range s.Waiting {
		if !s.Waiting[i].Callable() {
			continue
		}
		if t != nil && s.Waiting[i].ID == t.ID {
			found = true
		}
		r.list = append(r.list, s.Waiting[i])
	}
	if !found {
		r.list = append(r.list, *t)
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
		return nil
	}
	for _, a := range s.PriorityArrivals {
		r.total += a.PerHour / 60
	}
	r.ix = buildIndex(r)
	r.stalls()
	return r
}

// run replays once and returns the target's wait in minutes, on the index
// when the policy is a built-in one, else through Policy.Next.
func (r *replayer) run(rng *rand.Rand) float64 {
	if r.ix != nil {
		return r.runIndexed(rng, nil)
	}
	return r.runGeneric(rng)
}

// replayRun is the state of one replay.
type replayRun struct {
	r       *replayer
	rng     *rand.Rand
	list    []Ticket
	ws      []replayWindow
	recall  float64
	nextArr float64
	nArr    int
	counts  []float64
	vid     int64
}

// start begins a replay, with draws from rng, or in expected values when
// rng is nil: the windows' first free times and the first priority arrival.
func (r *replayer) start(rng *rand.Rand, copyList bool) *replayRun {
	s := r.s
	u := &replayRun{r: r, rng: rng, recall: minutes(s.Recall), nextArr: math.Inf(1), vid: -1,
		counts: make([]float64, len(s.PriorityArrivals))}
	if copyList {
		u.list = make([]Ticket, len(r.list), len(r.list)+16)
		copy(u.list, r.list)
	}
	u.ws = make([]replayWindow, len(r.windows))
	copy(u.ws, r.windows)
	for i := range u.ws {
		w := &u.ws[i]
		if w.ws.Window.Serving == 0 {
			// A window open but not calling while tickets it serves wait
			// (see stalls) is expected to stay away as long again.
			w.free = w.stall
			continue
		}
		switch {
		case w.ws.Recalling:
			w.free = math.Max(u.recall-minutes(w.ws.Elapsed), 0)
		case rng == nil:
			el := time.Duration(float64(w.ws.Elapsed) / w.speed)
			w.free = minutes(ResidualMean(s.stats(w.ws.Item), el)) * w.speed
		default:
			mu, sg := r.lognormal(w.ws.Item)
			el := minutes(w.ws.Elapsed) / w.speed
			w.free = residualDraw(rng, mu, sg, el) * w.speed
		}
	}
	u.advance()
	return u
}

// occupancy is how long a called ticket of item holds a window (before the
// window's speed): its service, or the recall when it does not show up.
func (u *replayRun) occupancy(item string) float64 {
	s := u.r.s
	if u.rng == nil {
		return (1-s.NoShowRate)*minutes(s.stats(item).Mean) + s.NoShowRate*u.recall
	}
	if u.rng.Float64() < s.NoShowRate {
		return u.recall
	}
	mu, sg := u.r.lognormal(item)
	return math.Exp(mu + sg*u.rng.NormFloat64())
}

// advance moves to the next priority arrival: evenly spaced in expected
// values, Poisson when drawn.
func (u *replayRun) advance() {
	switch {
	case u.r.total <= 0:
		u.nextArr = math.Inf(1)
	case u.rng == nil:
		u.nextArr = (float64(u.nArr) + 0.5) / u.r.total
	default:
		if u.nArr == 0 {
			u.nextArr = 0
		}
		u.nextArr += u.rng.ExpFloat64() / u.r.total
	}
}

// arrival returns the priority ticket arriving at nextArr and the index of
// its rate in Snapshot.PriorityArrivals (items in proportion to their
// rates), and moves to the next arrival.
func (u *replayRun) arrival() (Ticket, int) {
	s := u.r.s
	at := u.nextArr
	best := 0
	if u.rng == nil {
		bestDef := math.Inf(-1)
		for i, a := range s.PriorityArrivals {
			if d := a.PerHour/60*at - u.counts[i]; d > bestDef {
				best, bestDef = i, d
			}
		}
		u.counts[best]++
	} else {
		x := u.rng.Float64() * u.r.total * 60
		for i, a := range s.PriorityArrivals {
			best = i
			if x < a.PerHour {
				break
			}
			x -= a.PerHour
		}
	}
	a := s.PriorityArrivals[best]
	t := Ticket{ID: u.vid, Item: a.Item, Zone: a.Zone, Priority: PriorityElderly,
		IssuedAt: s.Now.Add(fromMinutes(at)), State: StateWaiting}
	u.vid--
	u.nArr++
	u.advance()
	return t, best
}

// nextWindow returns the window that can call first and when.
func (u *replayRun) nextWindow() (int, float64) {
	bi, bt := -1, math.Inf(1)
	for i := range u.ws {
		if t := u.ws[i].ready(); t < bt {
			bi, bt = i, t
		}
	}
	return bi, bt
}

// maxSteps bounds one replay.
const maxSteps = 100000

// runGeneric replays through Policy.Next and ApplyCall on the whole list:
// each call scans the queue, so a replay costs the square of its length.
// It serves policies the index does not know, and is the reference the
// indexed replay is tested against.
func (r *replayer) runGeneric(rng *rand.Rand) float64 {
	u := r.start(rng, true)
	s := r.s
	for steps := 0; steps < maxSteps; steps++ {
		bi, bt := u.nextWindow()
		if bi < 0 || bt >= r.hmin {
			return r.hmin
		}
		for u.nextArr <= bt {
			t, _ := u.arrival()
			u.list = append(u.list, t)
		}
		w := &u.ws[bi]
		idx, ok := r.pol.Next(w.ws.Window, u.list, s.Now.Add(fromMinutes(bt)))
		if !ok {
			w.free = u.nextArr
			continue
		}
		if u.list[idx].ID == r.target {
			return bt
		}
		ApplyCall(w.ws.Window, u.list, idx)
		w.free = bt + u.occupancy(u.list[idx].Item)*w.speed
		last := len(u.list) - 1
		u.list[idx] = u.list[last]
		u.list = u.list[:last]
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
