package store

import (
	"context"
	"time"

	"mingbai/internal/oversight"
)

// PublicFigures are the hall figures of the public transparency page:
// counts and shares of the hall and its zones, never a person.
type PublicFigures struct {
	Hall string `json:"hall"`
	Day  string `json:"day"`
	// Zones are today's people waiting per zone.
	Zones []ZoneWaiting `json:"zones"`
	// Month is last calendar month ("2026-11").
	Month string `json:"month"`
	// Called, MeanMin and Within10 are last month's called tickets, their
	// mean wait to the first call and the share called within 10 minutes.
	Called   int     `json:"called"`
	MeanMin  float64 `json:"mean_min"`
	Within10 float64 `json:"within10_pct"`
	// Completed is the number of cases completed last month, OnTime those
	// completed no later than their pledged deadline, OnTimePct the share.
	Completed int     `json:"completed"`
	OnTime    int     `json:"on_time"`
	OnTimePct float64 `json:"on_time_pct"`
}

// lastMonth returns the first and last day of the calendar month before
// now's, and its name.
func lastMonth(now time.Time) (from, to, name string) {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, -1, 0)
	last := first.AddDate(0, 1, -1)
	return first.Format("2006-01-02"), last.Format("2006-01-02"), first.Format("2006-01")
}

// HallPublicFigures computes the transparency figures of a hall. Last
// month's figures are read directly from the month's tickets and cases
// (bounded by the month through the day and date indexes).
// TODO(rollups): when the daily rollups of issue 16 (store/rollup*.go)
// land, read last month's waits and completions from them instead.
func (db *DB) HallPublicFigures(ctx context.Context, hallID int64) (PublicFigures, error) {
	var f PublicFigures
	board, err := db.HallBoard(ctx, hallID)
	if err != nil {
		return f, err
	}
	f.Hall, f.Day, f.Zones = board.Hall, board.Day, board.Zones
	if f.Zones == nil {
		f.Zones = []ZoneWaiting{}
	}
	err = db.Read(ctx, func(tx *Tx) error {
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		from, to, name := lastMonth(tx.Now.In(loc))
		f.Month = name
		var sum, within int64
		if err := tx.QueryRow(`SELECT count(*), COALESCE(SUM(called_at - issued_at), 0),
			COALESCE(SUM(CASE WHEN called_at - issued_at <= ? THEN 1 ELSE 0 END), 0)
			FROM tickets WHERE hall_id = ? AND day >= ? AND day <= ? AND called_at > 0 AND called_at >= issued_at`,
			oversight.Within.Milliseconds(), hallID, from, to).Scan(&f.Called, &sum, &within); err != nil {
			return err
		}
		if f.Called > 0 {
			f.MeanMin = float64(sum/int64(f.Called)/6000) / 10
			f.Within10 = oversight.Percent(int(within), f.Called)
		}
		if err := tx.QueryRow(`SELECT count(*), COALESCE(SUM(CASE WHEN pledged_due = '' OR closed_date <= pledged_due THEN 1 ELSE 0 END), 0)
			FROM cases WHERE hall_id = ? AND state = 'completed' AND closed_date >= ? AND closed_date <= ?`,
			hallID, from, to).Scan(&f.Completed, &f.OnTime); err != nil {
			return err
		}
		f.OnTimePct = oversight.Percent(f.OnTime, f.Completed)
		return nil
	})
	return f, err
}
