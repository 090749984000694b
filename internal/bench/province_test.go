package bench

import (
	"io"
	"math"
	"testing"

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
