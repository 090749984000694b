package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"mingbai/internal/catalog"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// ReportResult is the outcome of the monthly report benchmark.
type ReportResult struct {
	Tickets  int
	Generate time.Duration
	Runs     []time.Duration // sorted
	Check    store.ReportLine
	Items    int
	Days     int
}

// Median is the median report time.
func (r ReportResult) Median() time.Duration {
	if len(r.Runs) == 0 {
		return 0
	}
	return r.Runs[len(r.Runs)/2]
}

// ReportMonth is the month the historical tickets are generated for.
const ReportMonth = "2026-03"

// MonthlyReport generates n done tickets of one hall over ReportMonth on a
// fresh SQLite database (synchronous FULL) and times the monthly report
// query runs times.
func MonthlyReport(ctx context.Context, n, runs int) (ReportResult, error) {
	out := ReportResult{Tickets: n}
	dir, err := os.MkdirTemp("", "mingbai-report-")
	if err != nil {
		return out, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, store.Config{Dir: dir})
	if err != nil {
		return out, err
	}
	defer db.Close()
	db.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := db.Migrate(ctx); err != nil {
		return out, err
	}
	h, err := db.CreateHall(ctx, hall.Hall{Code: "bench", Name: "基准大厅", Timezone: "Asia/Shanghai",
		Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30", WorkingDaysOnly: true}})
	if err != nil {
		return out, err
	}
	t0 := time.Now()
	if err := GenerateTickets(ctx, db, h.ID, ReportMonth, n, 1); err != nil {
		return out, err
	}
	out.Generate = time.Since(t0)
	for i := 0; i < runs; i++ {
		rep, err := db.MonthlyTicketReport(ctx, h.ID, ReportMonth)
		if err != nil {
			return out, err
		}
		out.Runs = append(out.Runs, rep.Took)
		out.Check, out.Items, out.Days = rep.Total, len(rep.Items), len(rep.Days)
	}
	slices.Sort(out.Runs)
	if out.Check.Tickets != int64(n) {
		return out, fmt.Errorf("report counted %d tickets, generated %d", out.Check.Tickets, n)
	}
	return out, nil
}

// GenerateTickets bulk-inserts n finished tickets of one hall over the
// working days (Monday–Friday) of month: items weighted like a real hall
// (a few items take most tickets), arrivals with a morning peak between
// 08:30 and 16:30 Beijing time, lognormal waits (mean about 9 minutes) and
// per-item lognormal service times; 4 % no-shows and 2 % cancellations.
// It writes through the writer connection in transactions of 20,000 rows.
func GenerateTickets(ctx context.Context, db *store.DB, hallID int64, month string, n int, seed uint64) error {
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	var days []time.Time
	for d := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, loc); d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			days = append(days, d)
		}
	}
	items, err := catalog.DemoItems()
	if err != nil {
		return err
	}
	prefixes := map[string]string{hall.ZoneEmployment: "A", hall.ZoneSocialInsurance: "B", hall.ZoneArbitration: "C", hall.ZoneInspection: "D", hall.ZoneGeneral: "E"}
	rng := rand.New(rand.NewPCG(seed, 2026))
	// Zipf-like item weights; per-item mean service 4–20 minutes.
	cum := make([]float64, len(items))
	svc := make([]float64, len(items))
	total := 0.0
	for i := range items {
		total += 1 / math.Pow(float64(i+1), 0.9)
		cum[i] = total
		svc[i] = 4 + 16*rng.Float64()
	}
	// Hourly profile from 08:30: the 10–11 o'clock hour is the peak.
	profile := []float64{0.6, 1.0, 1.4, 1.2, 0.7, 0.6, 0.9, 0.8}
	pcum := make([]float64, len(profile))
	ptotal := 0.0
	for i, p := range profile {
		ptotal += p
		pcum[i] = ptotal
	}
	// Day-to-day variation: Monday busiest.
	dayW := make([]float64, len(days))
	dtotal := 0.0
	for i, d := range days {
		w := 1 + 0.15*rng.NormFloat64()
		if d.Weekday() == time.Monday {
			w *= 1.25
		}
		dayW[i] = max(w, 0.3)
		dtotal += dayW[i]
	}
	counts := make([]int, len(days))
	left := n
	for i := range days {
		counts[i] = int(float64(n) * dayW[i] / dtotal)
		left -= counts[i]
	}
	for i := 0; left > 0; i, left = (i+1)%len(days), left-1 {
		counts[i]++
	}
	lognormal := func(mean, cv float64) float64 {
		s2 := math.Log(1 + cv*cv)
		return mean * math.Exp(math.Sqrt(s2)*rng.NormFloat64()-s2/2)
	}
	const cols = `hall_id, day, number, prefix, seq, item_code, zone, priority, channel, phone, state, issued_at, created_at,
		called_at, started_at, finished_at, eta_ms, track_token`
	const rowsPerStmt = 100
	ph := "(?, ?, ?, ?, ?, ?, ?, '', ?, '', ?, ?, ?, ?, ?, ?, ?, ?)"
	stmtSQL := "INSERT INTO tickets (" + cols + ") VALUES " + ph
	for i := 1; i < rowsPerStmt; i++ {
		stmtSQL += ", " + ph
	}
	raw := db.Raw()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, stmtSQL)
	if err != nil {
		return err
	}
	args := make([]any, 0, rowsPerStmt*16)
	inTx, serial := 0, 0
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		if len(args) == rowsPerStmt*16 {
			_, err := stmt.ExecContext(ctx, args...)
			args = args[:0]
			return err
		}
		// The last, shorter batch.
		k := len(args) / 16
		q := "INSERT INTO tickets (" + cols + ") VALUES " + ph
		for i := 1; i < k; i++ {
			q += ", " + ph
		}
		_, err := tx.ExecContext(ctx, q, args...)
		args = args[:0]
		return err
	}
	for di, d := range days {
		dayStr := d.Format("2006-01-02")
		seqs := map[string]int{}
		open := d.Add(8*time.Hour + 30*time.Minute)
		for k := 0; k < counts[di]; k++ {
			// Arrival: an hour by the profile, uniform within it.
			h := slices.IndexFunc(pcum, func(c float64) bool { return c >= rng.Float64()*ptotal })
			if h < 0 {
				h = len(pcum) - 1
			}
			issued := open.Add(time.Duration((float64(h) + rng.Float64()) * float64(time.Hour)))
			x := rng.Float64() * total
			ii := slices.IndexFunc(cum, func(c float64) bool { return c >= x })
			if ii < 0 {
				ii = len(items) - 1
			}
			it := items[ii]
			prefix := prefixes[it.Zone]
			seqs[prefix]++
			seq := seqs[prefix]
			state := "done"
			var called, started, finished int64
			u := rng.Float64()
			wait := time.Duration(lognormal(9, 0.9) * float64(time.Minute))
			switch {
			case u < 0.02:
				state = "cancelled"
			case u < 0.06:
				state = "no_show"
				called = issued.Add(wait).UnixMilli()
			default:
				called = issued.Add(wait).UnixMilli()
				started = called + int64(20_000+rng.IntN(60_000))
				finished = started + int64(lognormal(svc[ii], 0.6)*60_000)
			}
			serial++
			channel := "kiosk"
			if rng.Float64() < 0.2 {
				channel = "web"
			}
			args = append(args, hallID, dayStr, fmt.Sprintf("%s%03d", prefix, seq), prefix, seq, it.Code, it.Zone, channel, state,
				issued.UnixMilli(), issued.UnixMilli(), called, started, finished, int64(wait/time.Millisecond), fmt.Sprintf("hist-%d-%08d", seed, serial))
			if len(args) == rowsPerStmt*16 {
				if err := flush(); err != nil {
					return err
				}
			}
			inTx++
			if inTx >= 20_000 && len(args) == 0 {
				if err := stmt.Close(); err != nil {
					return err
				}
				if err := tx.Commit(); err != nil {
					return err
				}
				if tx, err = raw.BeginTx(ctx, nil); err != nil {
					return err
				}
				if stmt, err = tx.PrepareContext(ctx, stmtSQL); err != nil {
					return err
				}
				inTx = 0
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		return err
	}
	// Fresh statistics for the planner, as a maintenance job would keep.
	_, err = raw.ExecContext(ctx, "ANALYZE")
	return err
}
