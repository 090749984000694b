package bench

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var r Result
	for i := 100; i >= 1; i-- {
		r.Lat = append(r.Lat, time.Duration(i)*time.Millisecond)
	}
	r = (&recorder{lat: r.Lat}).result(time.Second)
	if r.Ops != 100 || r.P(.5) != 50*time.Millisecond || r.P(.99) != 99*time.Millisecond || r.Max() != 100*time.Millisecond || r.Rate() != 100 {
		t.Fatalf("ops %d p50 %v p99 %v max %v rate %v", r.Ops, r.P(.5), r.P(.99), r.Max(), r.Rate())
	}
	if (Result{}).P(.5) != 0 {
		t.Fatal("empty result has a percentile")
	}
}

func TestMainRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--skip", "nope"}, {"--rates", "x"}, {"--windows", "23"}, {"--duration", "0s"}} {
		if code := Main(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestRunSmall runs every section at a tiny size: the tables come out and
// the operations succeed (counts, not times, are checked).
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several servers")
	}
	var out, log bytes.Buffer
	cfg := Config{Duration: 300 * time.Millisecond, Concurrency: 4, Windows: 2, Rates: []float64{20}, Clients: []int{50},
		Tickets: 3000, Runs: 1, Skip: map[string]bool{}, LongQueue: 300, ScreenQueue: 500}
	if err := Run(ctx, cfg, &out, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	s := out.String()
	for _, h := range []string{"### 1.", "### 2.", "### 3.", "### 4.", "### 5.", "### 6.", "### Targets", "| sqlite-full ", "| 50 ", "|            300 |", "|     500 |"} {
		if !strings.Contains(s, h) {
			t.Errorf("output lacks %q:\n%s", h, s)
		}
	}
	if strings.Contains(s, "(HTTP") {
		t.Errorf("an operation failed:\n%s", s)
	}
}
