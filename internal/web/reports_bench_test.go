package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/events"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
)

// BenchmarkReports generates a city straight into the tables, rebuilds its
// rollups (timed, logged) and renders report pages over HTTP, against the
// baseline of the older raw monthly report that scans a hall's tickets.
// The city is MINGBAI_BENCH_CITY=HALLSxDAYSxTICKETS (default 2x20x100; the
// issue's city is 10x250x700, about 1.75 M tickets); PostgreSQL with
// MINGBAI_TEST_PG. See docs/benchmarks.md:
//
//	MINGBAI_BENCH_CITY=10x250x700 go test -run '^$' -bench BenchmarkReports -benchtime 20x ./internal/web
func BenchmarkReports(b *testing.B) {
	o := store.CityOptions{Halls: 2, Days: 20, PerDay: 100, Seed: 1}
	if v := os.Getenv("MINGBAI_BENCH_CITY"); v != "" {
		if _, err := fmt.Sscanf(v, "%dx%dx%d", &o.Halls, &o.Days, &o.PerDay); err != nil {
			b.Fatalf("MINGBAI_BENCH_CITY=%q: want HALLSxDAYSxTICKETS", v)
		}
	}
	ctx := context.Background()
	db := storetest.Open(b)
	engine := "sqlite"
	if storetest.PGDSN() != "" {
		engine = "postgres"
	}
	t0 := time.Now()
	last := time.Now()
	halls, err := db.GenerateCity(ctx, o, func(done, total int) {
		if time.Since(last) > 15*time.Second {
			last = time.Now()
			b.Logf("generating: %d / %d hall-days, %s", done, total, time.Since(t0).Round(time.Second))
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	gen := time.Since(t0)
	t1 := time.Now()
	n, err := db.RebuildRollups(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	rebuild := time.Since(t1)
	var rows int64
	if err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT COUNT(*) FROM rollup_daily").Scan(&rows)
	}); err != nil {
		b.Fatal(err)
	}
	tickets := o.Halls * o.Days * o.PerDay
	b.Logf("%s: %d halls × %d days × %d tickets = %d tickets generated in %s; rollups of %d hall-days (%d rows) rebuilt in %s",
		engine, o.Halls, o.Days, o.PerDay, tickets, gen.Round(time.Millisecond), n, rows, rebuild.Round(time.Millisecond))

	if _, err := db.CreateUser(ctx, "bench_auditor", "审计", auth.Auditor, "Bench-2026-ok"); err != nil {
		b.Fatal(err)
	}
	token, _, err := db.CreateToken(ctx, "bench_auditor", "bench")
	if err != nil {
		b.Fatal(err)
	}
	broker := events.NewBroker(16)
	srv, err := web.New(db, broker, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	days := store.CityDays(o)
	month := days[len(days)/2][:7]
	get := func(b *testing.B, path string) {
		req, _ := http.NewRequest("GET", hs.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "text/html")
		resp, err := hs.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `id="report-queue"`) {
			b.Fatalf("%s: %d %.300s", path, resp.StatusCode, body)
		}
	}
	b.Run("month-city-by-hall", func(b *testing.B) {
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			get(b, fmt.Sprintf("/reports?hall=%d&scope=all&period=month&month=%s&by=hall", halls[0], month))
		}
	})
	b.Run("month-hall-by-window", func(b *testing.B) {
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			get(b, fmt.Sprintf("/reports?hall=%d&period=month&month=%s&by=window", halls[0], month))
		}
	})
	b.Run("year-city-by-item", func(b *testing.B) {
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			get(b, fmt.Sprintf("/reports?hall=%d&scope=all&period=custom&from=%s&to=%s&by=item", halls[0], days[0], days[len(days)-1]))
		}
	})
	b.Run("month-hall-excel", func(b *testing.B) {
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/reports.xlsx?hall=%d&period=month&month=%s&by=item", hs.URL, halls[0], month), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := hs.Client().Do(req)
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("excel: %v %v", err, resp)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	// Baseline: the raw monthly report (store/report.go) scans the hall's
	// tickets of the month from a covering index.
	b.Run("baseline-raw-month-hall", func(b *testing.B) {
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			if _, err := db.MonthlyTicketReport(ctx, halls[0], month); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuPerOp reports the process's CPU time (user + system) per operation:
// on a machine shared with other work the wall time of an operation says
// more about the neighbours than about the code.
func cpuPerOp(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64((cpu()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
