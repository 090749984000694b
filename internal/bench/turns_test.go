package bench

import (
	"testing"
	"time"
)

// TestTurnsAreSymmetric checks that the baseline and the measured load
// each get the whole duration, in alternating slices whose centres of
// time coincide: a drift linear in time then weighs on both alike.
func TestTurnsAreSymmetric(t *testing.T) {
	for _, d := range []time.Duration{300 * time.Millisecond, 3 * time.Second, 5 * time.Second, 20 * time.Second} {
		var at, rawTotal, measTotal time.Duration
		var rawMoment, measMoment float64 // ∫ t dt over each side's slices
		var order []string
		raw := func(s time.Duration) Result {
			order = append(order, "raw")
			rawTotal += s
			rawMoment += (at + s/2).Seconds() * s.Seconds()
			at += s
			return Result{Ops: 1, Elapsed: s}
		}
		measured := func(s time.Duration) {
			order = append(order, "measured")
			measTotal += s
			measMoment += (at + s/2).Seconds() * s.Seconds()
			at += s
		}
		r := inTurns(d, raw, measured)
		near := func(a, b time.Duration) bool { return a-b < 10 && b-a < 10 } // ns of rounding
		if !near(rawTotal, d) || !near(measTotal, d) {
			t.Errorf("%v: raw ran %v and the measured load %v", d, rawTotal, measTotal)
		}
		rawTurns := 0
		for _, o := range order {
			if o == "raw" {
				rawTurns++
			}
		}
		if r.Elapsed != rawTotal || r.Ops != rawTurns {
			t.Errorf("%v: the baseline's turns add up to %+v", d, r)
		}
		rawCentre, measCentre := rawMoment/rawTotal.Seconds(), measMoment/measTotal.Seconds()
		if diff := rawCentre - measCentre; diff > 1e-6 || diff < -1e-6 {
			t.Errorf("%v: centres of time %.3f s (raw) and %.3f s (measured)", d, rawCentre, measCentre)
		}
		if order[0] != "raw" || order[len(order)-1] != "raw" {
			t.Errorf("%v: turns %v do not begin and end with the baseline", d, order)
		}
		for i := 1; i < len(order); i++ {
			if order[i] == order[i-1] {
				t.Errorf("%v: two turns of the same side in a row: %v", d, order)
			}
		}
		if want := max(1, int((d+750*time.Millisecond)/(1500*time.Millisecond))); len(order) != 2*want+1 {
			t.Errorf("%v: %d turns, want %d", d, len(order), 2*want+1)
		}
	}
}
