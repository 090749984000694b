package sim

import (
	"math"
	"math/rand/v2"

	"mingbai/internal/queue"
)

// ErlangC returns the probability that an arrival waits in an M/M/c queue
// with offered load a = λ/μ erlangs (Erlang B by recursion, then
// C = B / (1 − ρ + ρB)). It returns 1 when a ≥ c.
func ErlangC(c int, a float64) float64 {
	if c <= 0 || a >= float64(c) {
		return 1
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	rho := a / float64(c)
	return b / (1 - rho + rho*b)
}

// ErlangCWait returns the mean wait in queue of M/M/c: C / (cμ − λ).
func ErlangCWait(lambda, mu float64, c int) float64 {
	if lambda >= float64(c)*mu {
		return math.Inf(1)
	}
	return ErlangC(c, lambda/mu) / (float64(c)*mu - lambda)
}

// PollaczekKhinchine returns the mean wait in queue of M/G/1 with arrival
// rate lambda, mean service meanS and service coefficient of variation cs:
// ρ/(1−ρ) · (1 + cs²)/2 · E[S].
func PollaczekKhinchine(lambda, meanS, cs float64) float64 {
	rho := lambda * meanS
	if rho >= 1 {
		return math.Inf(1)
	}
	return rho / (1 - rho) * (1 + cs*cs) / 2 * meanS
}

// AllenCunneen approximates the mean wait in queue of M/G/c:
// W_q(M/M/c) · (1 + cs²)/2.
func AllenCunneen(lambda, meanS, cs float64, c int) float64 {
	return ErlangCWait(lambda, 1/meanS, c) * (1 + cs*cs) / 2
}

// StationaryResult is a long stationary run of the simulator.
type StationaryResult struct {
	Customers int
	MeanWait  float64 // minutes, after warm-up
	// HalfWidth is the 95% confidence half-width of MeanWait by batch
	// means (20 batches).
	HalfWidth float64
}

// RunStationary simulates an M/G/c queue through the hall engine: c
// windows serving one item first come first served (the fifo_pooled
// policy), Poisson arrivals at rate lambda per minute, service times of
// mean meanS minutes, exponential when cs == 1 and exponential is true,
// lognormal otherwise. The first 1% of customers are a warm-up.
func RunStationary(c int, lambda, meanS, cs float64, exponential bool, customers int, seed uint64) StationaryResult {
	h := &hallModel{
		sc:        &Scenario{Name: "stationary"},
		open:      0,
		close:     math.Inf(1),
		itemIndex: map[string]int{"X": 0},
		zones:     []string{"z"},
	}
	s2 := math.Log1p(cs * cs)
	h.items = []itemModel{{code: "X", zone: "z", prob: 1, mean: meanS, cv: cs, mu: math.Log(meanS) - s2/2, sigma: math.Sqrt(s2)}}
	for i := 0; i < c; i++ {
		h.windows = append(h.windows, windowModel{id: string(rune('a' + i)), home: "z", items: queue.NewItemSet("X"), spans: [][2]float64{{0, math.Inf(1)}}})
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	tr := &dayTrace{arrivals: make([]arrival, customers), speed: make([]float64, c)}
	for i := range tr.speed {
		tr.speed[i] = 1
	}
	t := 0.0
	for i := range tr.arrivals {
		t += rng.ExpFloat64() / lambda
		a := arrival{t: t}
		if exponential {
			a.service = rng.ExpFloat64() * meanS
		} else {
			a.service = lognormal(rng, h.items[0].mu, h.items[0].sigma)
		}
		tr.arrivals[i] = a
	}
	p, _ := queue.NewPolicy(queue.PolicyFIFOPooled, queue.Options{})
	r := runDay(h, tr, p, runOpts{})
	warm := customers / 100
	ws := r.tickets[warm:]
	const batches = 20
	size := len(ws) / batches
	var means []float64
	var sum float64
	for b := 0; b < batches; b++ {
		var s float64
		for _, x := range ws[b*size : (b+1)*size] {
			s += x.wait
		}
		means = append(means, s/float64(size))
		sum += s
	}
	mean := sum / float64(size*batches)
	var v float64
	for _, m := range means {
		v += (m - mean) * (m - mean)
	}
	sd := math.Sqrt(v / float64(batches-1) / float64(batches))
	return StationaryResult{Customers: size * batches, MeanWait: mean, HalfWidth: 2.093 * sd}
}
