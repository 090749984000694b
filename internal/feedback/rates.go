package feedback

import "math"

// Interval is a proportion with its 95 % confidence interval.
type Interval struct {
	Satisfied int     `json:"satisfied"`
	N         int     `json:"n"`
	Rate      float64 `json:"rate"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
}

// z95 is the two-sided 95 % normal quantile.
const z95 = 1.959963984540054

// Wilson returns the Wilson score interval at 95 % for x successes of n.
// Unlike the textbook p ± z·√(p(1−p)/n) it stays inside [0, 1] and is
// honest for small n and rates near 100 %: 9 of 10 gives [0.5958, 0.9821].
func Wilson(x, n int) Interval {
	if n <= 0 {
		return Interval{}
	}
	p := float64(x) / float64(n)
	nf := float64(n)
	z2 := z95 * z95
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	return Interval{Satisfied: x, N: n, Rate: p, Low: math.Max(0, center-half), High: math.Min(1, center+half)}
}

// StratumResult is the outcome of a callback stratum: its population N_h
// and the answers collected in it.
type StratumResult struct {
	Population int // N_h
	Satisfied  int
	Answered   int // n_h
}

// Weighted returns the overall rate of a stratified sample when allocation
// was not proportional: every answer of stratum h weighs N_h / n_h, so the
// rate is Σ N_h·p_h / Σ N_h over the strata with answers. The interval is
// Wilson's with the effective sample size p(1−p)/Var, where
// Var = Σ W_h² p_h(1−p_h)/n_h and W_h = N_h / N (Kish); with proportional
// allocation it reduces to the plain Wilson interval.
func Weighted(strata []StratumResult) Interval {
	var pop, sat, ans int
	for _, s := range strata {
		if s.Answered > 0 {
			pop += s.Population
			sat += s.Satisfied
			ans += s.Answered
		}
	}
	if pop == 0 || ans == 0 {
		return Interval{}
	}
	var p, v float64
	for _, s := range strata {
		if s.Answered == 0 {
			continue
		}
		w := float64(s.Population) / float64(pop)
		ph := float64(s.Satisfied) / float64(s.Answered)
		p += w * ph
		v += w * w * ph * (1 - ph) / float64(s.Answered)
	}
	neff := float64(ans)
	if v > 0 {
		neff = p * (1 - p) / v
	}
	out := wilsonF(p, neff)
	out.Satisfied, out.N, out.Rate = sat, ans, p
	return out
}

func wilsonF(p, n float64) Interval {
	z2 := z95 * z95
	den := 1 + z2/n
	center := (p + z2/(2*n)) / den
	half := z95 * math.Sqrt(p*(1-p)/n+z2/(4*n*n)) / den
	return Interval{Low: math.Max(0, center-half), High: math.Min(1, center+half)}
}

// DefaultMinSample is the fewest ratings for which a staff member's rate is
// shown and ranked; below it the rate reads "样本不足".
const DefaultMinSample = 30

// Enough reports whether a rate over n ratings may be shown for a person.
func Enough(n, min int) bool {
	if min <= 0 {
		min = DefaultMinSample
	}
	return n >= min
}
