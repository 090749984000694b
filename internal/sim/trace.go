package sim

import (
	"math"
	"math/rand/v2"

	"mingbai/internal/queue"
)

// arrival is one ticket of a day's trace.
type arrival struct {
	t        float64 // minutes after midnight
	item     int
	priority queue.PriorityReason
	noShow   bool
	service  float64 // minutes at speed 1
}

// dayTrace is everything random about one day. Every policy is run on the
// same traces (common random numbers).
type dayTrace struct {
	arrivals []arrival
	speed    []float64 // per window, multiplies service times
}

// daySeed derives the seed of day d from the run's seed.
func daySeed(seed uint64, d int) (uint64, uint64) {
	return seed, 0x9e3779b97f4a7c15 ^ uint64(d)*0xbf58476d1ce4e5b9
}

var greenReasons = []struct {
	r queue.PriorityReason
	w float64
}{
	{queue.PriorityElderly, 0.6}, {queue.PriorityDisabled, 0.15}, {queue.PriorityPregnant, 0.1}, {queue.PriorityMilitary, 0.15},
}

// lognormal draws a lognormal variate with the given log-mean and log-sd.
func lognormal(rng *rand.Rand, mu, sigma float64) float64 {
	return math.Exp(mu + sigma*rng.NormFloat64())
}

// genDay generates the trace of day d: a day factor, then arrivals by
// thinning a Poisson process at the peak rate, each with its item,
// priority, no-show flag and service time; then the staff speeds.
func genDay(h *hallModel, seed uint64, d int) *dayTrace {
	rng := rand.New(rand.NewPCG(daySeed(seed, d)))
	sc := h.sc
	f := 1.0
	if cv := sc.Arrivals.DailyCV; cv > 0 {
		s2 := math.Log1p(cv * cv)
		f = lognormal(rng, -s2/2, math.Sqrt(s2))
	}
	tr := &dayTrace{}
	lmax := h.rateMax * f
	t := h.open
	for {
		t += rng.ExpFloat64() / lmax
		if t >= h.close {
			break
		}
		if rng.Float64()*lmax > h.rateAt(t, f) {
			continue
		}
		a := arrival{t: t}
		u := rng.Float64()
		a.item = len(h.items) - 1
		for i, it := range h.items {
			if u < it.prob {
				a.item = i
				break
			}
			u -= it.prob
		}
		u = rng.Float64()
		switch {
		case u < sc.PriorityShare:
			v := rng.Float64()
			a.priority = greenReasons[len(greenReasons)-1].r
			for _, g := range greenReasons {
				if v < g.w {
					a.priority = g.r
					break
				}
				v -= g.w
			}
		case u < sc.PriorityShare+sc.AppointmentShare:
			a.priority = queue.PriorityAppointment
		}
		a.noShow = rng.Float64() < sc.NoShowRate
		it := &h.items[a.item]
		a.service = lognormal(rng, it.mu, it.sigma)
		tr.arrivals = append(tr.arrivals, a)
	}
	tr.speed = make([]float64, len(h.windows))
	for i := range tr.speed {
		tr.speed[i] = 1 + sc.StaffSpeedSpread*(2*rng.Float64()-1)
	}
	return tr
}
