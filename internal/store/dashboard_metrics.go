package store

import (
	"context"

	"mingbai/internal/oversight"
)

// HallGauges are the business figures of one hall for /metrics
// (docs/oversight.md, "Metrics").
type HallGauges struct {
	Code             string
	Zones            []ZoneGauge
	Issued, Served   int
	WindowsOpen      int
	WindowsScheduled int
	CasesOverdue     int
	AlertsOpen       int
	// Called, MeanWaitSec and Within10 are today's called tickets, their
	// mean wait and the share called within 10 minutes (0–1).
	Called      int
	MeanWaitSec float64
	Within10    float64
}

// ZoneGauge is one zone's waiting count and longest current wait.
type ZoneGauge struct {
	Code       string
	Waiting    int
	LongestSec float64
}

// AllHallGauges computes the gauges of every hall: a few indexed queries
// per hall, bounded by today's tickets and the open cases.
func (db *DB) AllHallGauges(ctx context.Context) ([]HallGauges, error) {
	var out []HallGauges
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id FROM halls ORDER BY id")
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			g, err := hallGauges(tx, id)
			if err != nil {
				return err
			}
			out = append(out, g)
		}
		return nil
	})
	return out, err
}

func hallGauges(tx *Tx, hallID int64) (HallGauges, error) {
	var g HallGauges
	h, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return g, err
	}
	g.Code = h.Code
	now := tx.Now.In(loc)
	day := dayOf(now, loc)
	rows, err := tx.Query(`SELECT z.code, COUNT(t.id), COALESCE(MIN(t.issued_at), 0) FROM zones z
		LEFT JOIN tickets t ON t.hall_id = z.hall_id AND t.zone = z.code AND t.day = ? AND t.state = 'waiting'
		WHERE z.hall_id = ? GROUP BY z.code, z.sort, z.id ORDER BY z.sort, z.id`, day, hallID)
	if err != nil {
		return g, err
	}
	for rows.Next() {
		var z ZoneGauge
		var first int64
		if err := rows.Scan(&z.Code, &z.Waiting, &first); err != nil {
			rows.Close()
			return g, err
		}
		if first > 0 {
			z.LongestSec = float64(max(now.UnixMilli()-first, 0)) / 1000
		}
		g.Zones = append(g.Zones, z)
	}
	rows.Close()
	var sum, within int64
	if err := tx.QueryRow(`SELECT count(*), COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN called_at > 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN called_at >= issued_at THEN called_at - issued_at ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN called_at > 0 AND called_at - issued_at <= ? THEN 1 ELSE 0 END), 0)
		FROM tickets WHERE hall_id = ? AND day = ?`, oversight.Within.Milliseconds(), hallID, day).Scan(&g.Issued, &g.Served, &g.Called, &sum, &within); err != nil {
		return g, err
	}
	if g.Called > 0 {
		g.MeanWaitSec = float64(sum) / float64(g.Called) / 1000
		g.Within10 = float64(within) / float64(g.Called)
	}
	if err := tx.QueryRow(`SELECT COALESCE(SUM(CASE WHEN s.id IS NOT NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN w.staff_id IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM windows w LEFT JOIN window_sessions s ON s.window_id = w.id AND s.state <> 'closed' WHERE w.hall_id = ?`, hallID).Scan(&g.WindowsOpen, &g.WindowsScheduled); err != nil {
		return g, err
	}
	if err := tx.QueryRow(`SELECT count(*) FROM cases WHERE hall_id = ? AND state NOT IN ('completed', 'rejected', 'withdrawn', 'correction')
		AND pledged_due <> '' AND pledged_due < ?`, hallID, day).Scan(&g.CasesOverdue); err != nil {
		return g, err
	}
	err = tx.QueryRow("SELECT count(*) FROM integrity_alerts WHERE hall_id = ? AND resolved_at = 0", hallID).Scan(&g.AlertsOpen)
	return g, err
}
