package sim

import (
	"flag"
	"math"
	"testing"
)

var long = flag.Bool("long", false, "run the long theory checks (tens of millions of customers)")

func TestErlangFormulas(t *testing.T) {
	// Textbook values: M/M/1 C = ρ; M/M/2 with a = 1: C = 1/3.
	if got := ErlangC(1, 0.7); math.Abs(got-0.7) > 1e-12 {
		t.Errorf("ErlangC(1, .7) = %v", got)
	}
	if got := ErlangC(2, 1); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("ErlangC(2, 1) = %v", got)
	}
	// M/M/1: W_q = ρ/(μ − λ); P-K with cs = 1 agrees.
	if a, b := ErlangCWait(0.5, 1, 1), PollaczekKhinchine(0.5, 1, 1); math.Abs(a-1) > 1e-12 || math.Abs(b-1) > 1e-12 {
		t.Errorf("M/M/1 wait %v, P-K %v, want 1", a, b)
	}
}

func theoryCustomers() int {
	switch {
	case *long:
		return 40_000_000
	case testing.Short():
		return 1_500_000
	}
	return 5_000_000
}

// TestStationaryMMc checks that the hall engine reproduces Erlang C.
func TestStationaryMMc(t *testing.T) {
	const c, meanS, rho = 4, 6.0, 0.8
	lambda := rho * c / meanS
	want := ErlangCWait(lambda, 1/meanS, c)
	r := RunStationary(c, lambda, meanS, 1, true, theoryCustomers(), 11)
	t.Logf("M/M/%d ρ=%.2f: simulated %.4f ± %.4f min over %d customers, Erlang C %.4f (%+.2f%%)",
		c, rho, r.MeanWait, r.HalfWidth, r.Customers, want, 100*(r.MeanWait/want-1))
	if math.Abs(r.MeanWait/want-1) > 0.02 {
		t.Errorf("M/M/c mean wait %.4f, Erlang C %.4f: off by more than 2%%", r.MeanWait, want)
	}
}

// TestStationaryMG1 checks that the hall engine reproduces Pollaczek–Khinchine.
func TestStationaryMG1(t *testing.T) {
	const meanS, cs, rho = 6.0, 0.8, 0.6
	lambda := rho / meanS
	want := PollaczekKhinchine(lambda, meanS, cs)
	r := RunStationary(1, lambda, meanS, cs, false, theoryCustomers(), 12)
	t.Logf("M/G/1 lognormal cs=%.1f ρ=%.2f: simulated %.4f ± %.4f min over %d customers, P-K %.4f (%+.2f%%)",
		cs, rho, r.MeanWait, r.HalfWidth, r.Customers, want, 100*(r.MeanWait/want-1))
	if math.Abs(r.MeanWait/want-1) > 0.02 {
		t.Errorf("M/G/1 mean wait %.4f, P-K %.4f: off by more than 2%%", r.MeanWait, want)
	}
}

// TestStationaryMGcAllenCunneen logs how far the Allen–Cunneen
// approximation is from the simulated M/G/c (it is an approximation, so
// the test only bounds it loosely).
func TestStationaryMGcAllenCunneen(t *testing.T) {
	const c, meanS, cs, rho = 5, 8.0, 0.8, 0.85
	lambda := rho * c / meanS
	want := AllenCunneen(lambda, meanS, cs, c)
	r := RunStationary(c, lambda, meanS, cs, false, theoryCustomers()/2, 13)
	t.Logf("M/G/%d lognormal cs=%.1f ρ=%.2f: simulated %.4f ± %.4f, Allen–Cunneen %.4f (%+.1f%%)",
		c, cs, rho, r.MeanWait, r.HalfWidth, want, 100*(r.MeanWait/want-1))
	if math.Abs(r.MeanWait/want-1) > 0.15 {
		t.Errorf("M/G/c %.3f vs Allen–Cunneen %.3f: more than 15%% apart", r.MeanWait, want)
	}
}
