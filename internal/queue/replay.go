package queue

import (
	"math"
	"time"
)

// Replay is the mingbai wait estimator: it replays the snapshot's dispatch
// policy forward from the current state, in expected values, until the
// ticket is called.
//
// The replay starts from the windows as they are: a busy window frees after
// the expected residual service of its ticket given the time already spent
// (lognormal, see ResidualMean), a recalling one after what is left of the
// recall, an idle one at once. Windows open and close along their planned
// spans (a window busy at the end of a span finishes its ticket). Each
// freed window calls the ticket the policy picks, through the same
// Policy.Next and ApplyCall as the hall, and is then busy for that ticket's
// expected occupancy: (1 − no-show rate) × item mean × speed + no-show rate
// × recall. Priority tickets are expected to arrive at the snapshot's
// priority rates, evenly spaced, so the green channel and its bound are
// replayed too. Future ordinary arrivals are not replayed: under oldest
// head of line they never go before an earlier ticket.
type Replay struct {
	// Horizon caps the estimate; zero means 12 hours.
	Horizon time.Duration
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

// Estimate implements Estimator.
func (e Replay) Estimate(s Snapshot, t Ticket) time.Duration {
	horizon := e.Horizon
	if horizon <= 0 {
		horizon = 12 * time.Hour
	}
	hmin := minutes(horizon)
	pol := s.policy()

	// The tickets to replay: all callable ones, with t among them.
	list := make([]Ticket, 0, len(s.Waiting)+16)
	found := false
	for i := range s.Waiting {
		if !s.Waiting[i].Callable() {
			continue
		}
		if s.Waiting[i].ID == t.ID {
			found = true
		}
		list = append(list, s.Waiting[i])
	}
	if !found {
		list = append(list, t)
	}

	ws := make([]replayWindow, 0, len(s.Windows))
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
		if len(rw.spans) == 0 {
			continue
		}
		if w.Window.Serving != 0 {
			if w.Recalling {
				rw.free = math.Max(minutes(s.Recall-w.Elapsed), 0)
			} else {
				st := s.stats(w.Item)
				el := time.Duration(float64(w.Elapsed) / rw.speed)
				rw.free = minutes(ResidualMean(st, el)) * rw.speed
			}
		}
		ws = append(ws, rw)
	}
	if len(ws) == 0 {
		return horizon
	}

	// Expected occupancy of a called ticket per item, before speed.
	occ := map[string]float64{}
	occupancy := func(item string) float64 {
		if v, ok := occ[item]; ok {
			return v
		}
		v := (1-s.NoShowRate)*minutes(s.stats(item).Mean) + s.NoShowRate*minutes(s.Recall)
		occ[item] = v
		return v
	}

	// Evenly spaced priority arrivals, items in proportion to their rates.
	var total float64
	for _, a := range s.PriorityArrivals {
		total += a.PerHour
	}
	total /= 60 // per minute
	nextArr, nArr := math.Inf(1), 0
	counts := make([]float64, len(s.PriorityArrivals))
	if total > 0 {
		nextArr = 0.5 / total
	}
	var vid int64 = -1
	addArrival := func() {
		at := nextArr
		best, bestDef := 0, math.Inf(-1)
		for i, a := range s.PriorityArrivals {
			if d := a.PerHour/60*at - counts[i]; d > bestDef {
				best, bestDef = i, d
			}
		}
		counts[best]++
		a := s.PriorityArrivals[best]
		list = append(list, Ticket{
			ID: vid, Item: a.Item, Zone: a.Zone, Priority: PriorityElderly,
			IssuedAt: s.Now.Add(fromMinutes(at)), State: StateWaiting,
		})
		vid--
		nArr++
		nextArr = (float64(nArr) + 0.5) / total
	}

	for steps := 0; steps < 100000; steps++ {
		bi, bt := -1, math.Inf(1)
		for i := range ws {
			if r := ws[i].ready(); r < bt {
				bi, bt = i, r
			}
		}
		if bi < 0 || bt >= hmin {
			return horizon
		}
		for nextArr <= bt {
			addArrival()
		}
		w := &ws[bi]
		idx, ok := pol.Next(w.ws.Window, list, s.Now.Add(fromMinutes(bt)))
		if !ok {
			w.free = nextArr
			continue
		}
		if list[idx].ID == t.ID {
			return fromMinutes(bt)
		}
		ApplyCall(w.ws.Window, list, idx)
		w.free = bt + occupancy(list[idx].Item)*w.speed
		last := len(list) - 1
		list[idx] = list[last]
		list = list[:last]
	}
	return horizon
}
