package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/oversight"
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
	// Key lists the parameters that, with the hall, kind and ref, make an
	// alert the same alert (a second material beyond the guide on one case
	// is another alert; a second out-of-turn call of one ticket recurs).
	Key []string
	// AuditActions are the audit actions whose records on the alert's ref,
	// from the first occurrence to the last, are its evidence.
	AuditActions []string
}

// Alert kinds. A new area adds its kinds here, with messages
// "alert.kind.<code>" (its name) and "alert.<code>" (its text, the
// parameters as %[1]s, %[2]s … in Params order) in its messages file.
var (
	// AlertExtraMaterial: a window asked for a material the guide does
	// not list (the guide binds the staff).
	AlertExtraMaterial = AlertKind{Code: oversight.RuleExtraMaterial, Params: []string{"material", "reason"}, Key: []string{"material"}, AuditActions: []string{"integrity.alert"}}
	// AlertOutOfTurn: a window called a ticket out of turn, with a reason.
	AlertOutOfTurn = AlertKind{Code: oversight.RuleOutOfTurn, Params: []string{"ticket", "window", "reason"}, AuditActions: []string{"queue.out_of_turn"}}
	// The kinds the integrity scan derives (store/integrity_scan.go,
	// internal/oversight/rules.go).
	AlertRepeatServe   = AlertKind{Code: oversight.RuleRepeatServe, Params: []string{"staff", "count", "days"}}
	AlertIncomplete    = AlertKind{Code: oversight.RuleIncomplete, Params: []string{"case", "missing"}}
	AlertStopsPerCase  = AlertKind{Code: oversight.RuleStopsPerCase, Params: []string{"case", "count"}}
	AlertStopsPerStaff = AlertKind{Code: oversight.RuleStopsPerStaff, Params: []string{"staff", "count", "days"}}
	AlertOutsideHours  = AlertKind{Code: oversight.RuleOutsideHours, Params: []string{"ticket", "time"}}
	AlertPadOffline    = AlertKind{Code: oversight.RulePadOffline, Params: []string{"device", "minutes"}}
	AlertPadRevoked    = AlertKind{Code: oversight.RulePadRevoked, Params: []string{"device", "time"}}
	AlertRevealNoCase  = AlertKind{Code: oversight.RuleRevealNoCase, Params: []string{"case", "viewer"}}
)

var alertKinds = map[string]AlertKind{}

func init() {
	for _, k := range []AlertKind{AlertExtraMaterial, AlertOutOfTurn, AlertRepeatServe, AlertIncomplete, AlertStopsPerCase,
		AlertStopsPerStaff, AlertOutsideHours, AlertPadOffline, AlertPadRevoked, AlertRevealNoCase} {
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

// KnownAlertKind reports whether code is an alert kind.
func KnownAlertKind(code string) bool { _, ok := alertKinds[code]; return ok }

// Alert is one integrity alert to raise.
type Alert struct {
	HallID int64
	Kind   AlertKind
	// Ref names the object, e.g. "case:DEMO-20260304-00001", "ticket:17".
	Ref string
	// Params are the kind's parameters, every one of Kind.Params and no
	// other.
	Params map[string]string
	// Evidence names the records the alert rests on ("audit:12",
	// "ticket:7", "case:DEMO-…", "device:3"). An alert raised with
	// evidence recurs only when new evidence comes; one raised without
	// (an event such as a call) recurs every time it is raised.
	Evidence []string
	// Actor is who caused it; the transaction's actor when empty.
	Actor string
	// Result, when set, receives what RaiseAlert did.
	Result *RaiseResult
}

// RaiseResult says what RaiseAlert did.
type RaiseResult int

// What RaiseAlert did with an alert.
const (
	AlertUnchanged RaiseResult = iota // the same alert is open with the same evidence, or closed with it
	AlertNew                          // a new alert row
	AlertRecurred                     // an open alert occurred again
	AlertReopened                     // a closed alert occurred again and is open again
)

// RaiseAlert records an integrity alert in the transaction. It is the one
// writer of integrity_alerts rows. An alert that exists (same hall, kind,
// ref and key parameters) is not written twice: it recurs (occurrences
// and last time, new evidence added), and a closed one is reopened
// (audited, with a row in its history).
func (tx *Tx) RaiseAlert(a Alert) error {
	res, err := tx.raiseAlert(a)
	if a.Result != nil {
		*a.Result = res
	}
	return err
}

// raiseAlert is RaiseAlert, saying what it did.
func (tx *Tx) raiseAlert(a Alert) (RaiseResult, error) {
	if _, ok := alertKinds[a.Kind.Code]; !ok {
		return 0, fmt.Errorf("raise alert: unknown kind %q", a.Kind.Code)
	}
	if len(a.Params) != len(a.Kind.Params) {
		return 0, fmt.Errorf("raise alert %s: parameters %v, want %v", a.Kind.Code, a.Params, a.Kind.Params)
	}
	var detail []string
	for _, p := range a.Kind.Params {
		v, ok := a.Params[p]
		if !ok {
			return 0, fmt.Errorf("raise alert %s: parameter %q missing", a.Kind.Code, p)
		}
		detail = append(detail, p+"="+v)
	}
	params, err := json.Marshal(a.Params)
	if err != nil {
		return 0, fmt.Errorf("raise alert %s: %w", a.Kind.Code, err)
	}
	if a.Actor == "" {
		a.Actor = tx.Actor.Name
	}
	if a.Evidence == nil {
		a.Evidence = []string{}
	}
	prev, found, err := sameAlert(tx, a)
	if err != nil {
		return 0, err
	}
	if found {
		return tx.recurAlert(prev, a, string(params), strings.Join(detail, " "))
	}
	ev, _ := json.Marshal(a.Evidence)
	// detail keeps a language-neutral summary for whoever reads the table
	// directly; the pages render the parameters.
	id, err := tx.InsertID("INSERT INTO integrity_alerts (hall_id, kind, ref, detail, params, actor, at, last_at, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		a.HallID, a.Kind.Code, a.Ref, strings.Join(detail, " "), string(params), a.Actor, tx.NowMs(), tx.NowMs(), string(ev))
	if err != nil {
		return 0, fmt.Errorf("raise alert %s: %w", a.Kind.Code, err)
	}
	if err := tx.Publish(a.HallID, EventAlertChanged, map[string]any{"id": id, "kind": a.Kind.Code}); err != nil {
		return 0, err
	}
	return AlertNew, nil
}

// EventAlertChanged tells a hall's dashboards that its open alerts changed.
const EventAlertChanged = "integrity.alert"

type storedAlert struct {
	id       int64
	params   map[string]string
	evidence []string
	resolved int64
}

// sameAlert finds the alert a recurs, if any.
func sameAlert(tx *Tx, a Alert) (storedAlert, bool, error) {
	rows, err := tx.Query("SELECT id, params, evidence, resolved_at FROM integrity_alerts WHERE hall_id = ? AND kind = ? AND ref = ? ORDER BY id", a.HallID, a.Kind.Code, a.Ref)
	if err != nil {
		return storedAlert{}, false, fmt.Errorf("raise alert: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s storedAlert
		var p, ev string
		if err := rows.Scan(&s.id, &p, &ev, &s.resolved); err != nil {
			return s, false, err
		}
		_ = json.Unmarshal([]byte(p), &s.params)
		_ = json.Unmarshal([]byte(ev), &s.evidence)
		same := true
		for _, k := range a.Kind.Key {
			if s.params[k] != a.Params[k] {
				same = false
			}
		}
		if same {
			return s, true, rows.Err()
		}
	}
	return storedAlert{}, false, rows.Err()
}

func (tx *Tx) recurAlert(prev storedAlert, a Alert, params, detail string) (RaiseResult, error) {
	have := map[string]bool{}
	for _, e := range prev.evidence {
		have[e] = true
	}
	merged := append([]string{}, prev.evidence...)
	for _, e := range a.Evidence {
		if !have[e] {
			have[e] = true
			merged = append(merged, e)
		}
	}
	if len(a.Evidence) > 0 && len(merged) == len(prev.evidence) {
		return AlertUnchanged, nil // nothing new since it was raised (or closed)
	}
	ev, _ := json.Marshal(merged)
	res := AlertRecurred
	q := "UPDATE integrity_alerts SET occurrences = occurrences + 1, last_at = ?, params = ?, detail = ?, evidence = ? WHERE id = ?"
	if prev.resolved != 0 {
		res = AlertReopened
		q = "UPDATE integrity_alerts SET occurrences = occurrences + 1, last_at = ?, params = ?, detail = ?, evidence = ?, resolved_at = 0, reopened = reopened + 1 WHERE id = ?"
	}
	if _, err := tx.Exec(q, tx.NowMs(), params, detail, string(ev), prev.id); err != nil {
		return 0, fmt.Errorf("raise alert %s: %w", a.Kind.Code, err)
	}
	if res == AlertReopened {
		if _, err := tx.Exec("INSERT INTO integrity_alert_notes (alert_id, action, reason, decision, actor, at) VALUES (?, 'reopen', ?, '', ?, ?)",
			prev.id, detail, a.Actor, tx.NowMs()); err != nil {
			return 0, err
		}
		if err := tx.Audit("integrity.reopen", fmt.Sprintf("integrity_alert:%d", prev.id), a.Kind.Code+" "+detail); err != nil {
			return 0, err
		}
	}
	if err := tx.Publish(a.HallID, EventAlertChanged, map[string]any{"id": prev.id, "kind": a.Kind.Code}); err != nil {
		return 0, err
	}
	return res, nil
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
	// State is "open" or "closed".
	State string `json:"state"`
	// Occurrences counts how often it occurred; LastAt is the last time.
	Occurrences int   `json:"occurrences"`
	LastAt      int64 `json:"last_at"`
	// Reopened counts how often it recurred after being closed.
	Reopened int `json:"reopened"`
	// Evidence names the records it rests on ("audit:12", "ticket:7",
	// "case:…", "device:3"); IntegrityAlertDetail adds the audit records
	// of its kind on its ref.
	Evidence []string `json:"evidence"`
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

const alertCols = "id, hall_id, kind, ref, detail, params, actor, at, resolved_at, occurrences, last_at, reopened, evidence"

func scanAlert(rows interface{ Scan(...any) error }) (IntegrityAlert, error) {
	var a IntegrityAlert
	var params, ev string
	if err := rows.Scan(&a.ID, &a.HallID, &a.Kind, &a.Ref, &a.Detail, &params, &a.Actor, &a.At, &a.ResolvedAt, &a.Occurrences, &a.LastAt, &a.Reopened, &ev); err != nil {
		return a, fmt.Errorf("integrity alert: %w", err)
	}
	if err := json.Unmarshal([]byte(params), &a.Params); err != nil {
		return a, fmt.Errorf("integrity alert %d: params: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(ev), &a.Evidence); err != nil || a.Evidence == nil {
		a.Evidence = []string{}
	}
	if a.Params == nil {
		a.Params = map[string]string{}
	}
	a.State = "open"
	if a.ResolvedAt != 0 {
		a.State = "closed"
	}
	if a.LastAt == 0 {
		a.LastAt = a.At
	}
	return a, nil
}

// ListIntegrityAlerts returns a hall's alerts, newest first; open only
// unless all is set.
func (db *DB) ListIntegrityAlerts(ctx context.Context, hallID int64, all bool) ([]IntegrityAlert, error) {
	var out []IntegrityAlert
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT " + alertCols + " FROM integrity_alerts WHERE hall_id = ?"
		if !all {
			q += " AND resolved_at = 0"
		}
		rows, err := tx.Query(q+" ORDER BY id DESC LIMIT 500", hallID)
		if err != nil {
			return fmt.Errorf("list integrity alerts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAlert(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// CountOpenAlerts returns the number of open alerts of a hall.
func (db *DB) CountOpenAlerts(ctx context.Context, hallID int64) (int, error) {
	var n int
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT count(*) FROM integrity_alerts WHERE hall_id = ? AND resolved_at = 0", hallID).Scan(&n)
	})
	return n, err
}

// AlertNote is one step of an alert's history: closed with a reason and a
// decision, or reopened because it recurred.
type AlertNote struct {
	Action   string `json:"action"`
	Reason   string `json:"reason"`
	Decision string `json:"decision"`
	Actor    string `json:"actor"`
	At       int64  `json:"at"`
}

// Evidence is one record an alert rests on, resolved for a link: Kind is
// "audit", "ticket", "case" or "device"; ID the record's number (the audit
// seq, the ticket or case id; 0 when the case is not found); Label what
// to show (the audit action, the ticket or case number).
type Evidence struct {
	Kind  string `json:"kind"`
	ID    int64  `json:"id"`
	Label string `json:"label"`
	At    int64  `json:"at,omitempty"`
}

// AlertDetail is an alert with its evidence and history.
type AlertDetail struct {
	Alert    IntegrityAlert `json:"alert"`
	Evidence []Evidence     `json:"evidence"`
	History  []AlertNote    `json:"history"`
}

// IntegrityAlertDetail returns one alert of a hall with its evidence
// resolved and its history, oldest first.
func (db *DB) IntegrityAlertDetail(ctx context.Context, hallID, id int64) (AlertDetail, error) {
	var d AlertDetail
	err := db.Read(ctx, func(tx *Tx) error {
		a, err := scanAlert(tx.QueryRow("SELECT "+alertCols+" FROM integrity_alerts WHERE id = ? AND hall_id = ?", id, hallID))
		if err != nil {
			return notFound(errors.Unwrap(err), "integrity_alert")
		}
		d.Alert = a
		if d.Evidence, err = alertEvidence(tx, a); err != nil {
			return err
		}
		rows, err := tx.Query("SELECT action, reason, decision, actor, at FROM integrity_alert_notes WHERE alert_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		d.History = []AlertNote{}
		for rows.Next() {
			var n AlertNote
			if err := rows.Scan(&n.Action, &n.Reason, &n.Decision, &n.Actor, &n.At); err != nil {
				return err
			}
			d.History = append(d.History, n)
		}
		return rows.Err()
	})
	return d, err
}

// alertEvidence resolves an alert's evidence: the audit records of its
// kind's actions on its ref from its first to its last occurrence, then
// the records it names.
func alertEvidence(tx *Tx, a IntegrityAlert) ([]Evidence, error) {
	out := []Evidence{}
	seen := map[string]bool{}
	add := func(e Evidence) {
		k := fmt.Sprintf("%s:%d:%s", e.Kind, e.ID, e.Label)
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	if k, ok := alertKinds[a.Kind]; ok {
		for _, act := range k.AuditActions {
			rows, err := tx.Query("SELECT seq, action, at FROM audit_log WHERE object = ? AND action = ? AND at >= ? AND at <= ? ORDER BY seq LIMIT 50", a.Ref, act, a.At, a.LastAt)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var e Evidence
				if err := rows.Scan(&e.ID, &e.Label, &e.At); err != nil {
					rows.Close()
					return nil, err
				}
				e.Kind = "audit"
				add(e)
			}
			rows.Close()
		}
	}
	refs := append([]string{a.Ref}, a.Evidence...)
	for _, ref := range refs {
		kind, val, ok := strings.Cut(ref, ":")
		if !ok {
			continue
		}
		switch kind {
		case "audit":
			var e Evidence
			err := tx.QueryRow("SELECT seq, action, at FROM audit_log WHERE seq = ?", val).Scan(&e.ID, &e.Label, &e.At)
			if err == nil {
				e.Kind = "audit"
				add(e)
			}
		case "ticket":
			var e Evidence
			err := tx.QueryRow("SELECT id, number, issued_at FROM tickets WHERE id = ? AND hall_id = ?", val, a.HallID).Scan(&e.ID, &e.Label, &e.At)
			if err == nil {
				e.Kind = "ticket"
				add(e)
			}
		case "case":
			e := Evidence{Kind: "case", Label: val}
			_ = tx.QueryRow("SELECT id, accepted_at FROM cases WHERE number = ? AND hall_id = ?", val, a.HallID).Scan(&e.ID, &e.At)
			add(e)
		case "device":
			devID, _, _ := strings.Cut(val, "/")
			var e Evidence
			err := tx.QueryRow("SELECT id, name FROM devices WHERE id = ? AND hall_id = ?", devID, a.HallID).Scan(&e.ID, &e.Label)
			if err == nil {
				e.Kind = "device"
				add(e)
			}
		}
	}
	return out, nil
}

// maxNote bounds a closing reason or decision.
const maxNote = 2000

// CloseIntegrityAlert closes an open alert with a note: the reason (what
// was found) and the decision (what is done), both required. The note is
// kept in the alert's history and in the audit log; nothing is deleted.
func (db *DB) CloseIntegrityAlert(ctx context.Context, hallID, id int64, reason, decision string) error {
	reason, decision = strings.TrimSpace(reason), strings.TrimSpace(decision)
	if reason == "" || decision == "" {
		return apperr.New(apperr.Invalid, "ov.err_close_note")
	}
	if len([]rune(reason)) > maxNote || len([]rune(decision)) > maxNote {
		return apperr.New(apperr.Invalid, "ov.err_note_long", maxNote)
	}
	return db.Write(ctx, func(tx *Tx) error {
		var resolved int64
		if err := tx.QueryRow("SELECT resolved_at FROM integrity_alerts WHERE id = ? AND hall_id = ?", id, hallID).Scan(&resolved); err != nil {
			return notFound(err, "integrity_alert")
		}
		if resolved != 0 {
			return apperr.New(apperr.Conflict, "ov.err_closed")
		}
		if _, err := tx.Exec("UPDATE integrity_alerts SET resolved_at = ? WHERE id = ? AND hall_id = ? AND resolved_at = 0", tx.NowMs(), id, hallID); err != nil {
			return fmt.Errorf("close integrity alert: %w", err)
		}
		if _, err := tx.Exec("INSERT INTO integrity_alert_notes (alert_id, action, reason, decision, actor, at) VALUES (?, 'close', ?, ?, ?, ?)",
			id, reason, decision, tx.Actor.Name, tx.NowMs()); err != nil {
			return err
		}
		if err := tx.Publish(hallID, EventAlertChanged, map[string]any{"id": id}); err != nil {
			return err
		}
		return tx.Audit("integrity.close", fmt.Sprintf("integrity_alert:%d", id), "reason: "+reason+" | decision: "+decision)
	})
}

// ResolveIntegrityAlert closes an alert with one note (the older route):
// the note is both its reason and its decision, and it is required.
func (db *DB) ResolveIntegrityAlert(ctx context.Context, hallID, id int64, note string) error {
	return db.CloseIntegrityAlert(ctx, hallID, id, note, note)
}
