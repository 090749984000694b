package store

import (
	"context"
	"fmt"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
)

// raiseExtraAlerts records an integrity alert for each material asked for
// beyond the guide (the guide binds the staff).
func raiseExtraAlerts(tx *Tx, hallID int64, number string, extras []cases.Material) error {
	for _, m := range extras {
		if _, err := tx.Exec("INSERT INTO integrity_alerts (hall_id, kind, ref, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
			hallID, "case.extra_material", "case:"+number, m.Name+"｜"+m.ExtraReason, tx.Actor.Name, tx.NowMs()); err != nil {
			return err
		}
		if err := tx.Audit("integrity.alert", "case:"+number, "extra material: "+m.Name); err != nil {
			return err
		}
	}
	return nil
}

// IntegrityAlert is an integrity risk raised by the system (e.g. a
// material asked for beyond the guide).
type IntegrityAlert struct {
	ID         int64  `json:"id"`
	HallID     int64  `json:"hall_id"`
	Kind       string `json:"kind"`
	Ref        string `json:"ref"`
	Detail     string `json:"detail"`
	Actor      string `json:"actor"`
	At         int64  `json:"at"`
	ResolvedAt int64  `json:"resolved_at,omitempty"`
}

// ListIntegrityAlerts returns a hall's alerts, newest first; open only
// unless all is set.
func (db *DB) ListIntegrityAlerts(ctx context.Context, hallID int64, all bool) ([]IntegrityAlert, error) {
	var out []IntegrityAlert
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT id, hall_id, kind, ref, detail, actor, at, resolved_at FROM integrity_alerts WHERE hall_id = ?"
		if !all {
			q += " AND resolved_at = 0"
		}
		rows, err := tx.Query(q+" ORDER BY id DESC LIMIT 500", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a IntegrityAlert
			if err := rows.Scan(&a.ID, &a.HallID, &a.Kind, &a.Ref, &a.Detail, &a.Actor, &a.At, &a.ResolvedAt); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// ResolveIntegrityAlert marks an alert as dealt with.
func (db *DB) ResolveIntegrityAlert(ctx context.Context, hallID, id int64, note string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE integrity_alerts SET resolved_at = ? WHERE id = ? AND hall_id = ? AND resolved_at = 0", tx.NowMs(), id, hallID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("integrity_alert")
		}
		return tx.Audit("integrity.resolve", fmt.Sprintf("integrity_alert:%d", id), note)
	})
}
