package soak

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"mingbai/internal/sim"
)

// TestPeakHourOfTheReferenceHall: the load is scaled from the reference
// scenario: 690 tickets a day with a 10 % daily spread, the 10 o'clock
// hour weighing 1.35 of 9 → a peak-day peak hour of 124 tickets, with the
// windows staffed at 10:00.
func TestPeakHourOfTheReferenceHall(t *testing.T) {
	sc, err := sim.LoadScenario("reference")
	if err != nil {
		t.Fatal(err)
	}
	tickets, windows := peakHour(sc)
	if tickets < 123 || tickets > 125 {
		t.Fatalf("peak hour %.1f tickets, want about 124", tickets)
	}
	if windows < 10 || windows > 22 {
		t.Fatalf("%d windows staffed at the peak", windows)
	}
	if m := meanService(sc); m < time.Minute || m > time.Hour {
		t.Fatalf("mean service %v", m)
	}
}

// TestLoadSoakShort runs the load soak small and fast (ten simulated
// minutes in six seconds, 50 clients) on SQLite, or on PostgreSQL when
// MINGBAI_TEST_PG is set: no error, every client sees every call, and
// memory and goroutines stay flat. The documented run is
// `mingbai soak load` (docs/reliability.md).
func TestLoadSoakShort(t *testing.T) {
	opt := LoadOptions{SimDuration: 10 * time.Minute, Wall: 6 * time.Second, Clients: 50, DSN: os.Getenv("MINGBAI_TEST_PG")}
	if testing.Short() {
		opt.Wall, opt.Clients = 3*time.Second, 20
	}
	var out bytes.Buffer
	rep, err := RunLoad(context.Background(), opt, &out)
	if err != nil {
		t.Fatal(err)
	}
	rep.Markdown(&out)
	t.Log("\n" + out.String())
	if !rep.OK() {
		t.Fatalf("load soak failed its bar:\n%s", out.String())
	}
	if rep.Calls == 0 {
		t.Fatalf("the soak called no ticket:\n%s", out.String())
	}
}
