package bench

import (
	"io"
	"math"
	"slices"
	"testing"
	"time"

	"mingbai/internal/sim"
)

func TestProvinceMainNeedsPostgres(t *testing.T) {
	for _, args := range [][]string{{"--pg", ""}, {"--pg", "", "--steps", "x"}} {
		if code := ProvinceMain(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestScenarioRates checks the load the report states against the
// reference scenario: 690 tickets over nine hourly weights summing to 9,
// the 10–11 o'clock hour weighing 1.35.
func TestScenarioRates(t *testing.T) {
	sc, err := sim.LoadScenario("reference")
	if err != nil {
		t.Fatal(err)
	}
	mean, hour := scenarioRates(sc, "10:00")
	if math.Abs(mean-690.0/9) > 0.01 || math.Abs(hour-690*1.35/9) > 0.01 {
		t.Fatalf("mean %.2f, 10–11 %.2f tickets an hour", mean, hour)
	}
	if _, h := scenarioRates(sc, "07:00"); h != 0 {
		t.Fatalf("before opening: %.2f tickets an hour", h)
	}
}

// TestStepHeld checks the headroom criterion: one slow request among the
// few of an operation does not fail a step, many do, and so does a slow
// tail of all requests together or an error.
func TestStepHeld(t *testing.T) {
	lat := func(n int, slow int, d time.Duration) Result {
		r := Result{}
		for i := 0; i < n; i++ {
			v := 10 * time.Millisecond
			if i < slow {
				v = d
			}
			r.Lat = append(r.Lat, v)
		}
		slices.Sort(r.Lat)
		r.Ops = n
		return r
	}
	limit := 100 * time.Millisecond
	cases := []struct {
		name string
		ops  map[string]Result
		held bool
	}{
		{"one slow finish of 60, 400 requests in all", map[string]Result{"issue": lat(340, 0, 0), "finish": lat(60, 1, 300*time.Millisecond)}, true},
		{"slow tail of an operation with 200", map[string]Result{"issue": lat(200, 4, 300*time.Millisecond), "finish": lat(60, 0, 0)}, false},
		{"slow tail of all together", map[string]Result{"issue": lat(50, 2, 300*time.Millisecond), "call": lat(50, 2, 300*time.Millisecond), "finish": lat(50, 2, 300*time.Millisecond)}, false},
		{"an error", map[string]Result{"issue": {Ops: 300, Lat: lat(300, 0, 0).Lat, Errors: 1}}, false},
		{"nothing measured", map[string]Result{}, false},
	}
	for _, c := range cases {
		s := StepResult{Ops: c.ops}
		if got := s.held(limit); got != c.held {
			w, op := s.Worst()
			t.Errorf("%s: held %v, want %v (all p99 %s, worst %s %s)", c.name, got, c.held, s.All().P(.99), w, op)
		}
	}
}
