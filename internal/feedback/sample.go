package feedback

import (
	"math"
	"sort"

	"mingbai/internal/apperr"
)

// SampleSpec are the inputs of the sample-size calculator.
type SampleSpec struct {
	// Margin is the half-width of the interval wanted, e.g. 0.05.
	Margin float64
	// Confidence is e.g. 0.95 (0.90, 0.95 and 0.99 are supported).
	Confidence float64
	// Population is N for the finite-population correction (0: none).
	Population int
	// ResponseRate is the expected share of drawn people who answer, e.g.
	// 0.6; the draw is enlarged by 1/ResponseRate (0 or 1: none).
	ResponseRate float64
	// P is the expected proportion (0: 0.5, the most cautious).
	P float64
}

// SampleSize is the calculator's answer: the completed interviews needed
// (Completed) and the number of people to draw (Draw).
type SampleSize struct {
	Infinite  int `json:"infinite"`  // n0 = z²p(1−p)/e², rounded up
	Completed int `json:"completed"` // after the finite-population correction
	Draw      int `json:"draw"`      // completed / response rate, at most N
}

// Z returns the two-sided normal quantile for a confidence level.
func Z(confidence float64) (float64, bool) {
	switch math.Round(confidence * 1000) {
	case 900:
		return 1.6448536269514722, true
	case 950:
		return 1.959963984540054, true
	case 990:
		return 2.5758293035489004, true
	}
	return 0, false
}

// Size computes the sample size. n0 = z²·p(1−p)/e²; with a population N,
// n = n0 / (1 + (n0−1)/N); the draw is ⌈n / r⌉ for a response rate r, capped
// at N. With e = 0.05, 95 % and no population this gives the familiar 385.
func Size(s SampleSpec) (SampleSize, error) {
	z, ok := Z(s.Confidence)
	if !ok {
		return SampleSize{}, apperr.InvalidField("confidence", "fb.err.confidence")
	}
	if !(s.Margin > 0 && s.Margin < 0.5) {
		return SampleSize{}, apperr.InvalidField("margin", "fb.err.margin")
	}
	if s.Population < 0 {
		return SampleSize{}, apperr.InvalidField("population", "fb.err.population")
	}
	if s.ResponseRate < 0 || s.ResponseRate > 1 {
		return SampleSize{}, apperr.InvalidField("response_rate", "fb.err.response_rate")
	}
	p := s.P
	if p <= 0 || p >= 1 {
		p = 0.5
	}
	n0 := z * z * p * (1 - p) / (s.Margin * s.Margin)
	out := SampleSize{Infinite: ceil(n0)}
	n := n0
	if s.Population > 0 {
		n = n0 / (1 + (n0-1)/float64(s.Population))
	}
	out.Completed = ceil(n)
	d := n
	if s.ResponseRate > 0 && s.ResponseRate < 1 {
		d = n / s.ResponseRate
	}
	out.Draw = ceil(d)
	if s.Population > 0 && out.Draw > s.Population {
		out.Draw = s.Population
	}
	if s.Population > 0 && out.Completed > s.Population {
		out.Completed = s.Population
	}
	return out, nil
}

// ceil rounds up, ignoring floating-point dust just above an integer.
func ceil(x float64) int { return int(math.Ceil(x - 1e-9)) }

// Allocation names how a sample is shared among strata.
type Allocation string

// The allocations.
const (
	Proportional        Allocation = "proportional"
	Equal               Allocation = "equal"
	ProportionalWithMin Allocation = "proportional_min"
)

// Allocate shares n among strata of the given sizes so that the counts are
// integers summing exactly to n, no stratum gets more than its size, and —
// for ProportionalWithMin — every stratum gets at least min (or all of it
// when it is smaller than min).
//
// Shares are cut by the largest-remainder method: every stratum gets the
// integer part of its exact share, and the units left over go to the
// largest fractional parts (ties to the earlier stratum). With a minimum,
// the strata whose proportional share falls below it are fixed at the
// minimum and the rest of n is shared proportionally among the others,
// repeated until no share falls below the minimum. A stratum that would get
// more than its size is fixed at its size the same way.
func Allocate(n int, sizes []int, method Allocation, min int) ([]int, error) {
	total := 0
	for _, s := range sizes {
		if s < 0 {
			return nil, apperr.InvalidField("strata", "fb.err.population")
		}
		total += s
	}
	if n <= 0 {
		return nil, apperr.InvalidField("n", "fb.err.n_positive")
	}
	if n > total {
		return nil, apperr.InvalidField("n", "fb.err.n_too_large", n, total)
	}
	switch method {
	case Proportional, Equal:
		min = 0
	case ProportionalWithMin:
		if min < 0 {
			return nil, apperr.InvalidField("min", "fb.err.min")
		}
		need := 0
		for _, s := range sizes {
			need += imin(min, s)
		}
		if need > n {
			return nil, apperr.InvalidField("min", "fb.err.min_unmet", need, n)
		}
	default:
		return nil, apperr.InvalidField("allocation", "fb.err.allocation")
	}
	out := make([]int, len(sizes))
	fixed := make([]bool, len(sizes))
	for {
		left := n
		var free []int
		weight := 0.0
		for i, s := range sizes {
			if fixed[i] {
				left -= out[i]
				continue
			}
			free = append(free, i)
			if method == Equal {
				weight++
			} else {
				weight += float64(s)
			}
		}
		exact := make([]float64, len(sizes))
		for _, i := range free {
			w := float64(sizes[i])
			if method == Equal {
				w = 1
			}
			if weight > 0 {
				exact[i] = float64(left) * w / weight
			}
		}
		// Fix the strata whose exact share breaks a bound, then share again.
		changed := false
		for _, i := range free {
			lo := imin(min, sizes[i])
			if exact[i] < float64(lo) {
				out[i], fixed[i], changed = lo, true, true
			} else if exact[i] > float64(sizes[i]) {
				out[i], fixed[i], changed = sizes[i], true, true
			}
		}
		if changed {
			continue
		}
		largestRemainder(out, free, exact, left)
		return out, nil
	}
}

// largestRemainder writes floor(exact) for the free strata into out and
// hands the remaining units to the largest fractional parts.
func largestRemainder(out []int, free []int, exact []float64, left int) {
	given := 0
	for _, i := range free {
		out[i] = int(math.Floor(exact[i] + 1e-9))
		given += out[i]
	}
	order := append([]int(nil), free...)
	sort.SliceStable(order, func(a, b int) bool {
		ra := exact[order[a]] - float64(out[order[a]])
		rb := exact[order[b]] - float64(out[order[b]])
		return ra > rb+1e-12
	})
	for k := 0; given < left && k < len(order); k++ {
		out[order[k]]++
		given++
	}
}

func imin(a, b int) int {
	if a < b {
		return a
	}
	return b
}
