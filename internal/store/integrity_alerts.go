package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
)

// This file owns the integrity_alerts table: every area raises its alerts
// through Tx.RaiseAlert, and nothing else writes the table (a test greps
// the store for other writers). An alert is stored as a kind and its
// parameters; readers render it in their own language (message key
// "alert.<kind>" with the parameters in AlertKind.Params order).

// AlertKind is a kind of integrity alert and the parameters it carries.
type AlertKind struct {
	Code   string
	Params []string
}

// Alert kinds. A new area adds its kinds here, with messages
// "alert.kind.<code>" (its name) and "alert.<code>" (its text, the
// parameters as %[1]s, %[2]s … in Params order) in its messages file.
var (
	// AlertExtraMaterial: a window asked for a material the guide does
	// not list (the guide binds the staff).
	AlertExtraMaterial = AlertKind{"case.extra_material", []string{"material", "reason"}}
	// AlertOutOfTurn: a window called a ticket out of turn, with a reason.
	AlertOutOfTurn = AlertKind{"queue.out_of_turn", []string{"ticket", "window", "reason"}}
)

var alertKinds = map[string]AlertKind{}

func init() {
	for _, k := range []AlertKind{AlertExtraMaterial, AlertOutOfTurn} {
		alertKinds[k.Code] = k
	}
}

// AlertKinds returns every alert kind, by code.
func AlertKinds() []AlertKind {
	out := make([]AlertKind, 0, len(alertKinds))
	for _, k := range alertKinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Alert is one integrity alert to raise.
type Alert struct {
	HallID int64
	Kind   AlertKind
	// Ref names the object, e.g. "case:DEMO-20260304-00001", "ticket:17".
	Ref string
	// Params are the kind's parameters, every one of Kind.Params and no
	// other.
	Params map[string]string
	// Actor is who caused it; the transaction's actor when empty.
	Actor string
}

// RaiseAlert records an integrity alert in the transaction. It is the one
// writer of integrity_alerts rows.
func (tx *Tx) RaiseAlert(a Alert) error {
	if _, ok := alertKinds[a.Kind.Code]; !ok {
		return fmt.Errorf("raise alert: unknown kind %q", a.Kind.Code)
	}
	if len(a.Params) != len(a.Kind.Params) {
		return fmt.Errorf("raise alert %s: parameters %v, want %v", a.Kind.Code, a.Params, a.Kind.Params)
	}
	var detail []string
	for _, p := range a.Kind.Params {
		v, ok := a.Params[p]
		if !ok {
			return fmt.Errorf("raise alert %s: parameter %q missing", a.Kind.Code, p)
		}
		detail = append(detail, p+"="+v)
	}
	params, err := json.Marshal(a.Params)
	if err != nil {
		return fmt.Errorf("raise alert %s: %w", a.Kind.Code, err)
	}
	if a.Actor == "" {
		a.Actor = tx.Actor.Name
	}
	// detail keeps a language-neutral summary for whoever reads the table
	// directly; the pages render the parameters.
	if _, err := tx.Exec("INSERT INTO integrity_alerts (hall_id, kind, ref, detail, params, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		a.HallID, a.Kind.Code, a.Ref, strings.Join(detail, " "), string(params), a.Actor, tx.NowMs()); err != nil {
		return fmt.Errorf("raise alert %s: %w", a.Kind.Code, err)
	}
	return nil
}

// raiseExtraAlerts records an integrity alert for each material asked for
// beyond the guide (the guide binds the staff).
func raiseExtraAlerts(tx *Tx, hallID int64, number string, extras []cases.Material) error {
	for _, m := range extras {
		if err := tx.RaiseAlert(Alert{HallID: hallID, Kind: AlertExtraMaterial, Ref: "case:" + number,
			Params: map[string]string{"material": m.Name, "reason": m.ExtraReason}}); err != nil {
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
	ID     int64  `json:"id"`
	HallID int64  `json:"hall_id"`
	Kind   string `json:"kind"`
	Ref    string `json:"ref"`
	// Params are the kind's parameters (AlertKind.Params).
	Params map[string]string `json:"params"`
	// Detail is the language-neutral summary stored with the alert.
	Detail     string `json:"detail"`
	Actor      string `json:"actor"`
	At         int64  `json:"at"`
	ResolvedAt int64  `json:"resolved_at,omitempty"`
	// KindName and Text are the kind and the alert in the reader's
	// language; the web layer fills them (the store has no language).
	KindName string `json:"kind_name,omitempty"`
	Text     string `json:"text,omitempty"`
}

// Args returns the alert's parameters in its kind's order, for its
// message; an unknown kind gives none.
func (a IntegrityAlert) Args() []any {
	k, ok := alertKinds[a.Kind]
	if !ok {
		return nil
	}
	out := make([]any, len(k.Params))
	for i, p := range k.Params {
		out[i] = a.Params[p]
	}
	return out
}

// ListIntegrityAlerts returns a hall's alerts, newest first; open only
// unless all is set.
func (db *DB) ListIntegrityAlerts(ctx context.Context, hallID int64, all bool) ([]IntegrityAlert, error) {
	var out []IntegrityAlert
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT id, hall_id, kind, ref, detail, params, actor, at, resolved_at FROM integrity_alerts WHERE hall_id = ?"
		if !all {
			q += " AND resolved_at = 0"
		}
		rows, err := tx.Query(q+" ORDER BY id DESC LIMIT 500", hallID)
		if err != nil {
			return fmt.Errorf("list integrity alerts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var a IntegrityAlert
			var params string
			if err := rows.Scan(&a.ID, &a.HallID, &a.Kind, &a.Ref, &a.Detail, &params, &a.Actor, &a.At, &a.ResolvedAt); err != nil {
				return fmt.Errorf("list integrity alerts: %w", err)
			}
			if err := json.Unmarshal([]byte(params), &a.Params); err != nil {
				return fmt.Errorf("integrity alert %d: params: %w", a.ID, err)
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
			return fmt.Errorf("resolve integrity alert: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("integrity_alert")
		}
		return tx.Audit("integrity.resolve", fmt.Sprintf("integrity_alert:%d", id), note)
	})
}
