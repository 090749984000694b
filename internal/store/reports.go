package store

import (
	"context"
	"strings"
	"time"

	"mingbai/internal/reports"
)

// ReportData is what a report reads: the rollup rows and correction
// reasons of some halls over a period.
type ReportData struct {
	Rows    []reports.Row
	Reasons []reports.Reason
	Took    time.Duration
}

// ReportRows brings the rollups up to date (FlushRollups) and reads those
// of halls between from and to (the halls' local dates, inclusive). Its
// cost is the number of rollup rows: halls × days × keys, not tickets.
func (db *DB) ReportRows(ctx context.Context, halls []int64, from, to string) (ReportData, error) {
	start := time.Now()
	var out ReportData
	if len(halls) == 0 {
		return out, nil
	}
	if _, err := db.FlushRollups(ctx); err != nil {
		return out, err
	}
	in := "?" + strings.Repeat(", ?", len(halls)-1)
	args := []any{}
	for _, h := range halls {
		args = append(args, h)
	}
	args = append(args, from, to)
	err := db.Read(ctx, func(tx *Tx) error {
		if err := eachRow(tx, `SELECT hall_id, day, zone, item_code, window_id, staff_id,
			visits, called, wait_sum_ms, wait_max_ms, wait_within10, wait_hist, served, service_sum_ms, service_max_ms, service_hist,
			no_shows, cancelled, transfers, cases_accepted, cases_completed, cases_completed_late, cases_due, cases_due_met, corrections,
			ratings, rating_sum, rating_satisfied, rating_bad, callbacks, callback_sum, callback_satisfied, complaints
			FROM rollup_daily WHERE hall_id IN (`+in+`) AND day >= ? AND day <= ?`, args, func(sc scanner) error {
			var r reports.Row
			c := &r.Counts
			if err := sc.Scan(&r.HallID, &r.Day, &r.Zone, &r.Item, &r.WindowID, &r.StaffID,
				&c.Visits, &c.Called, &c.WaitSumMs, &c.WaitMaxMs, &c.Within10, &r.WaitHist, &c.Served, &c.ServiceSumMs, &c.ServiceMaxMs, &r.ServiceHist,
				&c.NoShows, &c.Cancelled, &c.Transfers, &c.CasesAccepted, &c.CasesCompleted, &c.CasesCompletedLate, &c.CasesDue, &c.CasesDueMet, &c.Corrections,
				&c.Ratings, &c.RatingSum, &c.RatingSatisfied, &c.RatingBad, &c.Callbacks, &c.CallbackSum, &c.CallbackSatisfied, &c.Complaints); err != nil {
				return err
			}
			out.Rows = append(out.Rows, r)
			return nil
		}); err != nil {
			return err
		}
		return eachRow(tx, `SELECT hall_id, day, zone, item_code, window_id, staff_id, reason, n
			FROM rollup_reasons WHERE hall_id IN (`+in+`) AND day >= ? AND day <= ?`, args, func(sc scanner) error {
			var r reports.Reason
			if err := sc.Scan(&r.HallID, &r.Day, &r.Zone, &r.Item, &r.WindowID, &r.StaffID, &r.Reason, &r.N); err != nil {
				return err
			}
			out.Reasons = append(out.Reasons, r)
			return nil
		})
	})
	out.Took = time.Since(start)
	return out, wrap("report rows", err)
}

// StoredRollups returns the stored rollup rows and reasons of one
// hall-day (the check test compares them with ComputeHallDay).
func (db *DB) StoredRollups(ctx context.Context, hallID int64, day string) ([]reports.Row, []reports.Reason, error) {
	d, err := db.ReportRows(ctx, []int64{hallID}, day, day)
	if err != nil {
		return nil, nil, err
	}
	return d.Rows, d.Reasons, nil
}

// ReportLabels are the names a report shows for its keys.
type ReportLabels struct {
	Halls   map[int64]string
	Zones   map[string]string // zone code → name (the first hall's name)
	Windows map[int64]string
	Staff   map[int64]string
	Items   map[string]string
}

// ReportLabels reads the names of halls, zones, windows, staff and items
// of the given halls.
func (db *DB) ReportLabels(ctx context.Context, halls []int64) (ReportLabels, error) {
	l := ReportLabels{Halls: map[int64]string{}, Zones: map[string]string{}, Windows: map[int64]string{}, Staff: map[int64]string{}, Items: map[string]string{}}
	if len(halls) == 0 {
		return l, nil
	}
	in := "?" + strings.Repeat(", ?", len(halls)-1)
	args := []any{}
	for _, h := range halls {
		args = append(args, h)
	}
	err := db.Read(ctx, func(tx *Tx) error {
		for _, q := range []struct {
			sql string
			fn  func(sc scanner) error
		}{
			{"SELECT id, name FROM halls WHERE id IN (" + in + ")", func(sc scanner) error {
				var id int64
				var n string
				err := sc.Scan(&id, &n)
				l.Halls[id] = n
				return err
			}},
			{"SELECT code, name FROM zones WHERE hall_id IN (" + in + ") ORDER BY hall_id", func(sc scanner) error {
				var c, n string
				err := sc.Scan(&c, &n)
				if _, ok := l.Zones[c]; !ok {
					l.Zones[c] = n
				}
				return err
			}},
			{"SELECT id, number FROM windows WHERE hall_id IN (" + in + ")", func(sc scanner) error {
				var id int64
				var n string
				err := sc.Scan(&id, &n)
				l.Windows[id] = n
				return err
			}},
			{"SELECT id, staff_no || ' ' || name FROM staff WHERE hall_id IN (" + in + ")", func(sc scanner) error {
				var id int64
				var n string
				err := sc.Scan(&id, &n)
				l.Staff[id] = n
				return err
			}},
		} {
			if err := eachRow(tx, q.sql, args, q.fn); err != nil {
				return err
			}
		}
		return eachRow(tx, "SELECT code, name FROM catalog_items", nil, func(sc scanner) error {
			var c, n string
			err := sc.Scan(&c, &n)
			l.Items[c] = n
			return err
		})
	})
	return l, wrap("report labels", err)
}
