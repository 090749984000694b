package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"mingbai/internal/bench"
	"mingbai/internal/store/storetest"
)

// TestBenchProvinceSmall runs the province benchmark at a tiny size (3
// halls, 50 screens, two servers on PostgreSQL, one headroom step that
// adds a hall): operations of every main kind succeed, none fails, every
// screen connects and reads every call of its hall, and the tables come
// out. Times are not checked (docs/benchmarks.md has the full run).
func TestBenchProvinceSmall(t *testing.T) {
	dsn := storetest.PGDSN()
	if dsn == "" {
		t.Skip("the province benchmark runs on PostgreSQL: set MINGBAI_TEST_PG")
	}
	if testing.Short() {
		t.Skip("builds the binary and starts two servers (about 40 s)")
	}
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var out, log bytes.Buffer
	res, err := bench.Province(ctx, bench.ProvinceConfig{PG: dsn, Exe: bin, Halls: 3, Speed: 30, StartAt: "10:00", Duration: 8 * time.Second,
		Screens: 50, Scenario: "reference", Seed: 1, Warmup: 15, TransferShare: 0.1, CaseShare: 0.5, Headroom: []int{4}, StepDuration: 3 * time.Second,
		Limit: time.Hour, Instances: 2}, &out, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	t.Log(out.String())
	m := res.Main
	for _, op := range []string{"issue", "call", "start", "finish"} {
		if m.Ops[op].Ops == 0 {
			t.Errorf("no %s succeeded", op)
		}
	}
	if n, errs := m.Total(); n < 20 || errs != 0 {
		t.Errorf("%d operations, %d errors", n, errs)
	}
	if m.Screens != 50 || m.ScreensFailed != 0 || m.Expected == 0 || m.Missed != 0 {
		t.Errorf("screens %d, failed %d, events expected %d, missed %d", m.Screens, m.ScreensFailed, m.Expected, m.Missed)
	}
	if len(res.Headroom) != 1 || res.Headroom[0].Halls != 4 || res.Held != 4 {
		t.Errorf("headroom steps %d, held %d", len(res.Headroom), res.Held)
	}
	for _, s := range []string{"### Province scale: 3 halls", "| issue ", "| mingbai serve 2 ", "### Province headroom", "headroom: 4 halls"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
}
