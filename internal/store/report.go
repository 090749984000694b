package store

import (
	"context"
	"sort"
	"time"

	"mingbai/internal/apperr"
)

// MonthlyReport sums up one hall's tickets of one calendar month: per item
// and per day.
type MonthlyReport struct {
	HallID int64         `json:"hall_id"`
	Month  string        `json:"month"` // YYYY-MM
	Items  []ReportLine  `json:"items"` // by item code
	Days   []ReportLine  `json:"days"`  // by day; Key is the date
	Total  ReportLine    `json:"total"`
	Took   time.Duration `json:"-"`
}

// ReportLine is one row of a report: an item or a day.
type ReportLine struct {
	Key     string `json:"key"`
	Tickets int64  `json:"tickets"`
	Called  int64  `json:"called"`
	Served  int64  `json:"served"`
	// MeanWaitMin is the mean time from issue to first call of the called
	// tickets, in minutes.
	MeanWaitMin float64 `json:"mean_wait_min"`
	// Within10 is the share of called tickets called within 10 minutes.
	Within10 float64 `json:"within_10"`
	// MeanServiceMin is the mean time from start to finish of the served
	// tickets, in minutes.
	MeanServiceMin float64 `json:"mean_service_min"`

	waitSum, within, serviceSum, serviceN int64
}

func (l *ReportLine) add(o *ReportLine) {
	l.Tickets += o.Tickets
	l.Called += o.Called
	l.Served += o.Served
	l.waitSum += o.waitSum
	l.within += o.within
	l.serviceSum += o.serviceSum
	l.serviceN += o.serviceN
}

func (l *ReportLine) finish() {
	if l.Called > 0 {
		l.MeanWaitMin = float64(l.waitSum) / float64(l.Called) / 60000
		l.Within10 = float64(l.within) / float64(l.Called)
	}
	if l.serviceN > 0 {
		l.MeanServiceMin = float64(l.serviceSum) / float64(l.serviceN) / 60000
	}
}

// MonthlyTicketReport reports a hall's tickets issued in month (YYYY-MM,
// the hall's calendar days): per item the count, the mean wait, the share
// called within 10 minutes and the mean service time, and the same per
// day. It is one pass over the covering index tickets_report, grouped by
// day and item, summed up here.
func (db *DB) MonthlyTicketReport(ctx context.Context, hallID int64, month string) (MonthlyReport, error) {
	rep := MonthlyReport{HallID: hallID, Month: month, Items: []ReportLine{}, Days: []ReportLine{}}
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return rep, apperr.InvalidField("month", "err.bad_value", "month", month)
	}
	from, to := first.Format("2006-01-02"), first.AddDate(0, 1, -1).Format("2006-01-02")
	start := time.Now()
	items := map[string]*ReportLine{}
	days := map[string]*ReportLine{}
	err = db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT day, item_code, COUNT(*),
			CAST(SUM(CASE WHEN called_at > 0 THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN called_at > 0 THEN called_at - issued_at ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN called_at > 0 AND called_at - issued_at <= 600000 THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN state = 'done' AND started_at > 0 AND finished_at >= started_at THEN finished_at - started_at ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN state = 'done' AND started_at > 0 AND finished_at >= started_at THEN 1 ELSE 0 END) AS BIGINT)
			FROM tickets WHERE hall_id = ? AND day >= ? AND day <= ? GROUP BY day, item_code`, hallID, from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var day, item string
			var l ReportLine
			if err := rows.Scan(&day, &item, &l.Tickets, &l.Called, &l.waitSum, &l.within, &l.Served, &l.serviceSum, &l.serviceN); err != nil {
				return err
			}
			for _, m := range []struct {
				m   map[string]*ReportLine
				key string
			}{{items, item}, {days, day}} {
				x := m.m[m.key]
				if x == nil {
					x = &ReportLine{Key: m.key}
					m.m[m.key] = x
				}
				x.add(&l)
			}
			rep.Total.add(&l)
		}
		return rows.Err()
	})
	if err != nil {
		return rep, err
	}
	for _, m := range []struct {
		m   map[string]*ReportLine
		out *[]ReportLine
	}{{items, &rep.Items}, {days, &rep.Days}} {
		for _, l := range m.m {
			l.finish()
			*m.out = append(*m.out, *l)
		}
		sort.Slice(*m.out, func(i, j int) bool { return (*m.out)[i].Key < (*m.out)[j].Key })
	}
	rep.Total.Key = month
	rep.Total.finish()
	rep.Took = time.Since(start)
	return rep, nil
}
