package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/i18n"
	"mingbai/internal/notify"
	"mingbai/internal/pii"
	"mingbai/internal/queue"
)

// Alerts to the duty leader (值班领导) are kept apart from integrity
// alerts (integrity_alerts.go): they are for the leader on the floor, not
// for managers and auditors; they are answered ("on my way") and closed
// within minutes; an open alert of a kind is not raised twice for one
// object (ref). This file owns the duty_alerts table.

// DutyAlertKind is a kind of alert to the duty leader and its parameters
// (messages "dutyalert.kind.<code>" and "dutyalert.<code>" with the
// parameters as %[1]s … in Params order).
type DutyAlertKind struct {
	Code   string
	Params []string
}

// Duty alert kinds.
var (
	DutyUnattended = DutyAlertKind{"unattended", []string{"window", "state", "minutes", "waiting"}}
	DutyQueueLong  = DutyAlertKind{"queue_long", []string{"zone", "waiting", "max"}}
	DutyWaitLong   = DutyAlertKind{"wait_long", []string{"zone", "ticket", "minutes"}}
	DutyBadRating  = DutyAlertKind{"bad_rating", []string{"window", "level"}}
	DutyComplaint  = DutyAlertKind{"complaint_due", []string{"number", "due"}}
	DutyOverdue    = DutyAlertKind{"complaint_overdue", []string{"number", "due"}}
	DutyHelpCall   = DutyAlertKind{"help_call", []string{"window", "note"}}
	DutyExtra      = DutyAlertKind{"extra_window", []string{"waiting", "open", "extra", "windows", "left"}}
)

// DutyAlertKinds lists every kind.
func DutyAlertKinds() []DutyAlertKind {
	return []DutyAlertKind{DutyUnattended, DutyQueueLong, DutyWaitLong, DutyBadRating, DutyComplaint, DutyOverdue, DutyHelpCall, DutyExtra}
}

// Duty alert states and answers.
const (
	DutyAlertOpen   = "open"
	DutyAlertAcked  = "acknowledged"
	DutyAlertClosed = "closed"
	// AnswerOnMyWay is the leader's answer to a help call the clerk sees.
	AnswerOnMyWay = "on_my_way"
	// EventDutyAlert is the event of a raised or changed duty alert; it is
	// not among the public stream's kinds.
	EventDutyAlert = "duty.alert"
)

// DutyAlert is one alert to the duty leader.
type DutyAlert struct {
	ID       int64    `json:"id"`
	HallID   int64    `json:"hall_id"`
	Kind     string   `json:"kind"`
	Ref      string   `json:"ref"`
	WindowID int64    `json:"window_id,omitempty"`
	Params   []string `json:"params"`
	State    string   `json:"state"`
	RaisedBy string   `json:"raised_by"`
	RaisedAt int64    `json:"raised_at"`
	Answer   string   `json:"answer,omitempty"`
	AckBy    string   `json:"ack_by,omitempty"`
	AckAt    int64    `json:"ack_at,omitempty"`
	ClosedBy string   `json:"closed_by,omitempty"`
	ClosedAt int64    `json:"closed_at,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// raiseDutyAlert records an alert unless one of the kind was ever raised
// for ref (episodes carry their start in ref, so a new episode is a new
// ref). It publishes the event and, when the hall names a phone for duty
// alerts, queues an SMS through the outbox. It returns the id, 0 when the
// alert existed.
func raiseDutyAlert(tx *Tx, hallID int64, k DutyAlertKind, ref string, windowID int64, params ...string) (int64, error) {
	if len(params) != len(k.Params) {
		return 0, fmt.Errorf("duty alert %s: %d parameters, want %v", k.Code, len(params), k.Params)
	}
	var n int
	if err := tx.QueryRow("SELECT COUNT(*) FROM duty_alerts WHERE hall_id = ? AND kind = ? AND ref = ?", hallID, k.Code, ref).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	b, _ := json.Marshal(params)
	id, err := tx.InsertID(`INSERT INTO duty_alerts (hall_id, kind, ref, window_id, params, state, raised_by, raised_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hallID, k.Code, ref, nullInt(windowID), string(b), DutyAlertOpen, tx.Actor.Name, tx.NowMs())
	if err != nil {
		return 0, err
	}
	if err := tx.Audit("duty_alert.raise", fmt.Sprintf("duty_alert:%d", id), k.Code+" "+ref); err != nil {
		return 0, err
	}
	if err := tx.Publish(hallID, EventDutyAlert, map[string]any{"id": id, "kind": k.Code, "state": DutyAlertOpen, "window_id": windowID}); err != nil {
		return 0, err
	}
	st, err := dutySettingsTx(tx, hallID)
	if err != nil {
		return 0, err
	}
	to, err := dutyAlertRecipients(tx, hallID, st)
	if err != nil {
		return 0, err
	}
	if len(to) > 0 {
		args := make([]any, len(params))
		for i, p := range params {
			args[i] = p
		}
		text := i18n.T(i18n.ZhCN, "dutyalert."+k.Code, args...)
		for i, phone := range to {
			key := fmt.Sprintf("duty-alert:%d", id)
			if i > 0 {
				key += fmt.Sprintf(":%d", i)
			}
			if _, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Kind: "duty_alert", HallID: hallID,
				Params: map[string]string{"text": dutyTrunc(text, 200)}, DedupeKey: key}); err != nil && !errors.Is(err, ErrOptedOut) {
				return 0, err
			}
		}
	}
	return id, nil
}

func dutyTrunc(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

const dutyAlertCols = `id, hall_id, kind, ref, COALESCE(window_id, 0), params, state, raised_by, raised_at, answer, ack_by, ack_at, closed_by, closed_at, note`

func scanDutyAlert(row interface{ Scan(...any) error }) (DutyAlert, error) {
	var a DutyAlert
	var params string
	err := row.Scan(&a.ID, &a.HallID, &a.Kind, &a.Ref, &a.WindowID, &params, &a.State, &a.RaisedBy, &a.RaisedAt, &a.Answer, &a.AckBy, &a.AckAt, &a.ClosedBy, &a.ClosedAt, &a.Note)
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(params), &a.Params); err != nil || a.Params == nil {
		a.Params = []string{}
	}
	return a, nil
}

// ListDutyAlerts returns a hall's alerts, open and acknowledged first,
// newest first; all includes closed ones (the last 200).
func (db *DB) ListDutyAlerts(ctx context.Context, hallID int64, all bool) ([]DutyAlert, error) {
	out := []DutyAlert{}
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT " + dutyAlertCols + " FROM duty_alerts WHERE hall_id = ?"
		if !all {
			q += " AND state <> 'closed'"
		}
		rows, err := tx.Query(q+" ORDER BY CASE WHEN state = 'closed' THEN 1 ELSE 0 END, raised_at DESC, id DESC LIMIT 200", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanDutyAlert(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, wrap("list duty alerts", err)
}

func dutyAlertTx(tx *Tx, hallID, id int64) (DutyAlert, error) {
	a, err := scanDutyAlert(tx.QueryRow("SELECT "+dutyAlertCols+" FROM duty_alerts WHERE id = ? AND hall_id = ?", id, hallID))
	if err != nil {
		return a, notFound(err, "duty_alert")
	}
	return a, nil
}

// AckDutyAlert records the leader's acknowledgement, with the answer the
// clerk of a help call sees ("on_my_way" or none) and a note.
func (db *DB) AckDutyAlert(ctx context.Context, hallID, id int64, answer, note string) (DutyAlert, error) {
	var a DutyAlert
	if answer != "" && answer != AnswerOnMyWay {
		return a, apperr.InvalidField("answer", "dutyalert.err.answer")
	}
	if err := dutyLimitNote(note); err != nil {
		return a, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if a, err = dutyAlertTx(tx, hallID, id); err != nil {
			return err
		}
		if a.State != DutyAlertOpen {
			return apperr.New(apperr.Conflict, "dutyalert.err.not_open")
		}
		if _, err := tx.Exec("UPDATE duty_alerts SET state = ?, answer = ?, ack_by = ?, ack_at = ?, note = ? WHERE id = ?",
			DutyAlertAcked, answer, tx.Actor.Name, tx.NowMs(), note, id); err != nil {
			return err
		}
		a.State, a.Answer, a.AckBy, a.AckAt, a.Note = DutyAlertAcked, answer, tx.Actor.Name, tx.NowMs(), note
		if err := tx.Publish(hallID, EventDutyAlert, map[string]any{"id": id, "kind": a.Kind, "state": a.State, "window_id": a.WindowID, "answer": answer}); err != nil {
			return err
		}
		return tx.Audit("duty_alert.ack", fmt.Sprintf("duty_alert:%d", id), answer)
	})
	return a, wrap("acknowledge duty alert", err)
}

// CloseDutyAlert closes an alert with a note saying how it was handled.
func (db *DB) CloseDutyAlert(ctx context.Context, hallID, id int64, note string) (DutyAlert, error) {
	var a DutyAlert
	if strings.TrimSpace(note) == "" {
		return a, apperr.InvalidField("note", "err.required", "note")
	}
	if err := dutyLimitNote(note); err != nil {
		return a, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if a, err = dutyAlertTx(tx, hallID, id); err != nil {
			return err
		}
		if a.State == DutyAlertClosed {
			return apperr.New(apperr.Conflict, "dutyalert.err.closed")
		}
		if _, err := tx.Exec("UPDATE duty_alerts SET state = ?, closed_by = ?, closed_at = ?, note = ? WHERE id = ?",
			DutyAlertClosed, tx.Actor.Name, tx.NowMs(), note, id); err != nil {
			return err
		}
		a.State, a.ClosedBy, a.ClosedAt, a.Note = DutyAlertClosed, tx.Actor.Name, tx.NowMs(), note
		if err := tx.Publish(hallID, EventDutyAlert, map[string]any{"id": id, "kind": a.Kind, "state": a.State, "window_id": a.WindowID}); err != nil {
			return err
		}
		return tx.Audit("duty_alert.close", fmt.Sprintf("duty_alert:%d", id), note)
	})
	return a, wrap("close duty alert", err)
}

func dutyLimitNote(note string) error {
	if len([]rune(note)) > 500 {
		return apperr.InvalidField("note", "err.too_long", "note", 500)
	}
	return nil
}

// CallForHelp raises a help call from the clerk signed in at a window (a
// distressed or aggressive visitor); the duty leader answers it.
func (db *DB) CallForHelp(ctx context.Context, hallID, windowID int64, who Staffer, note string) (DutyAlert, error) {
	var a DutyAlert
	if err := dutyLimitNote(note); err != nil {
		return a, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		w, err := windowInTx(tx, hallID, windowID)
		if err != nil {
			return err
		}
		cur, err := sessionOf(tx, windowID)
		if err != nil {
			return err
		}
		if err := queue.CheckSetState(cur, who, w.Number); err != nil {
			return err
		}
		// One open help call per window: a second press returns it.
		prev, err := scanDutyAlert(tx.QueryRow("SELECT "+dutyAlertCols+" FROM duty_alerts WHERE hall_id = ? AND kind = ? AND window_id = ? AND state <> 'closed' ORDER BY id DESC LIMIT 1",
			hallID, DutyHelpCall.Code, windowID))
		if err == nil {
			a = prev
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		id, err := raiseDutyAlert(tx, hallID, DutyHelpCall, fmt.Sprintf("window:%d:%d", windowID, tx.NowMs()), windowID, w.Number, note)
		if err != nil {
			return err
		}
		a, err = dutyAlertTx(tx, hallID, id)
		return err
	})
	return a, wrap("call for help", err)
}

// HelpCallOf returns the latest help call of a window (not_found: none
// today or ever), for the clerk's console.
func (db *DB) HelpCallOf(ctx context.Context, hallID, windowID int64) (DutyAlert, error) {
	var a DutyAlert
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		a, err = scanDutyAlert(tx.QueryRow("SELECT "+dutyAlertCols+" FROM duty_alerts WHERE hall_id = ? AND kind = ? AND window_id = ? ORDER BY id DESC LIMIT 1",
			hallID, DutyHelpCall.Code, windowID))
		return notFound(err, "duty_alert")
	})
	return a, err
}

// DutySettings are a hall's rules for posts and duty alerts.
type DutySettings struct {
	// AwayMinutes: a window paused or signed out this long during hours
	// while people wait for its items raises an alert.
	AwayMinutes int `json:"away_minutes"`
	// QueueMax: more people waiting in a zone raise an alert.
	QueueMax int `json:"queue_max"`
	// WaitMinutes: a wait this long raises an alert.
	WaitMinutes int `json:"wait_minutes"`
	// RemindDays: working days before a complaint's deadline when the
	// reminder starts.
	RemindDays int `json:"remind_days"`
	// SMSRecipient: a mobile number that receives duty alerts by SMS
	// (empty: none); shown masked.
	SMSRecipient string `json:"sms_recipient"`
	// SMSToLeader: send the SMS to the leaders on duty now by the
	// published roster (their phones as the hall manager entered them),
	// SMSRecipient only when none of them is on duty with a phone.
	SMSToLeader bool `json:"sms_to_leader"`
}

// DefaultDutySettings apply to a hall that has not set its own.
var DefaultDutySettings = DutySettings{AwayMinutes: 10, QueueMax: 30, WaitMinutes: 40, RemindDays: 2}

func dutySettingsTx(tx *Tx, hallID int64) (DutySettings, error) {
	st := DefaultDutySettings
	var enc string
	var leader int
	err := tx.QueryRow("SELECT away_minutes, queue_max, wait_minutes, remind_days, sms_recipient, sms_to_leader FROM duty_settings WHERE hall_id = ?", hallID).
		Scan(&st.AwayMinutes, &st.QueueMax, &st.WaitMinutes, &st.RemindDays, &enc, &leader)
	st.SMSToLeader = leader != 0
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if st.SMSRecipient, err = tx.openSealed(enc, ""); err != nil {
		return st, err
	}
	return st, nil
}

// DutySettings returns a hall's rules, the SMS recipient masked.
func (db *DB) DutySettings(ctx context.Context, hallID int64) (DutySettings, error) {
	var st DutySettings
	err := db.Read(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		var err error
		st, err = dutySettingsTx(tx, hallID)
		return err
	})
	st.SMSRecipient = pii.MaskMobile(st.SMSRecipient)
	return st, wrap("duty settings", err)
}

// SaveDutySettings changes a hall's rules. An SMSRecipient that is a
// masked number (as read back) keeps the stored one.
func (db *DB) SaveDutySettings(ctx context.Context, hallID int64, st DutySettings) error {
	for _, f := range []struct {
		name     string
		v, lo, h int
	}{{"away_minutes", st.AwayMinutes, 1, 240}, {"queue_max", st.QueueMax, 1, 10000}, {"wait_minutes", st.WaitMinutes, 1, 600}, {"remind_days", st.RemindDays, 0, 30}} {
		if f.v < f.lo || f.v > f.h {
			return apperr.InvalidField(f.name, "posts.err.range", f.name, f.lo, f.h)
		}
	}
	keep := strings.Contains(st.SMSRecipient, "*")
	if st.SMSRecipient != "" && !keep && !pii.ValidMobile(st.SMSRecipient) {
		return apperr.InvalidField("sms_recipient", "queue.bad_phone")
	}
	return wrap("save duty settings", db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		enc := ""
		if keep {
			cur, err := dutySettingsTx(tx, hallID)
			if err != nil {
				return err
			}
			st.SMSRecipient = cur.SMSRecipient
		}
		if st.SMSRecipient != "" {
			var err error
			if enc, _, err = tx.sealPhone(st.SMSRecipient); err != nil {
				return err
			}
		}
		leader := 0
		if st.SMSToLeader {
			leader = 1
		}
		if _, err := tx.Exec(`INSERT INTO duty_settings (hall_id, away_minutes, queue_max, wait_minutes, remind_days, sms_recipient, sms_to_leader) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (hall_id) DO UPDATE SET away_minutes = excluded.away_minutes, queue_max = excluded.queue_max, wait_minutes = excluded.wait_minutes,
			remind_days = excluded.remind_days, sms_recipient = excluded.sms_recipient, sms_to_leader = excluded.sms_to_leader`,
			hallID, st.AwayMinutes, st.QueueMax, st.WaitMinutes, st.RemindDays, enc, leader); err != nil {
			return err
		}
		return tx.Audit("duty.settings", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("away=%d queue=%d wait=%d remind=%d sms=%v to_leader=%v", st.AwayMinutes, st.QueueMax, st.WaitMinutes, st.RemindDays, st.SMSRecipient != "", st.SMSToLeader))
	}))
}
