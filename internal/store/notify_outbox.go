package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
	"mingbai/internal/pii"
)

// NotifyPolicy is a hall's sending policy: when non-urgent messages may go
// and how many a number may get in a day.
type NotifyPolicy struct {
	Window notify.Window
	// DailyLimit caps non-urgent messages per number per day (0: 10).
	DailyLimit int
}

// SetNotifyPolicy installs the per-hall sending policy (nil: the default
// window 08:00–21:00 in the hall's time zone, ten messages a day).
func (db *DB) SetNotifyPolicy(f func(hallID int64) NotifyPolicy) { db.notifyPolicy.Store(&f) }

func (t *Tx) notifyPolicy(hallID int64) NotifyPolicy {
	loc := time.FixedZone("CST", 8*3600)
	if hallID != 0 {
		var tz string
		if t.QueryRow("SELECT timezone FROM halls WHERE id = ?", hallID).Scan(&tz) == nil {
			if l, err := time.LoadLocation(tz); err == nil {
				loc = l
			}
		}
	}
	p := NotifyPolicy{Window: notify.DefaultWindow(loc)}
	if f := t.db.notifyPolicy.Load(); f != nil && *f != nil {
		p = (*f)(hallID)
	}
	if p.Window.Loc == nil {
		p.Window.Loc = loc // hall time
	}
	if p.Window.From == 0 && p.Window.To == 0 {
		p.Window.From, p.Window.To = 8*60, 21*60
	}
	if p.DailyLimit == 0 {
		p.DailyLimit = 10
	}
	return p
}

// Errors of Enqueue that callers (campaigns) record per recipient.
var (
	ErrOptedOut   = apperr.New(apperr.Conflict, "notify.opted_out")
	ErrDailyLimit = apperr.New(apperr.Conflict, "notify.daily_limit")
)

// phoneBlind returns the blind index of a phone number, or "" without keys.
func (t *Tx) phoneBlind(phone string) string {
	if s := t.db.PII(); s != nil {
		return phoneBlind(s, phone)
	}
	return ""
}

// OptedOut reports whether a phone number has opted out of reminders.
func (t *Tx) OptedOut(phone string) (bool, error) {
	bl := t.phoneBlind(phone)
	if bl == "" {
		return false, nil
	}
	var n int
	err := t.QueryRow("SELECT count(*) FROM sms_optouts WHERE phone_blind = ?", bl).Scan(&n)
	return n > 0, err
}

// enqueueRules applies opt-out, the daily limit and the sending window to
// a message about to be queued; it returns when the message may first go.
func (t *Tx) enqueueRules(m notify.Message) (blind string, urgent bool, due int64, err error) {
	due = t.NowMs()
	if m.Channel != notify.SMS {
		return "", true, due, nil
	}
	blind = t.phoneBlind(m.Recipient)
	urgent = notify.Urgent(m.Kind)
	if urgent {
		return blind, true, due, nil
	}
	if notify.Reminder(m.Kind) {
		out, err := t.OptedOut(m.Recipient)
		if err != nil {
			return "", false, 0, err
		}
		if out {
			return "", false, 0, ErrOptedOut
		}
	}
	pol := t.notifyPolicy(m.HallID)
	loc := pol.Window.Loc
	if loc == nil {
		loc = time.Local
	}
	if blind != "" {
		lt := t.Now.In(loc)
		dayStart := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc).UnixMilli()
		var n int
		if err := t.QueryRow("SELECT count(*) FROM outbox WHERE recipient_blind = ? AND urgent = 0 AND created_at >= ? AND state <> 'failed'", blind, dayStart).Scan(&n); err != nil {
			return "", false, 0, err
		}
		if n >= pol.DailyLimit {
			return "", false, 0, ErrDailyLimit
		}
	}
	return blind, false, pol.Window.NextOpen(t.Now).UnixMilli(), nil
}

// recompute derives a message's state from its parts.
func (t *Tx) recompute(id int64) error {
	rows, err := t.Query("SELECT state, total FROM outbox_parts WHERE outbox_id = ?", id)
	if err != nil {
		return err
	}
	count := map[string]int{}
	total, n := 0, 0
	for rows.Next() {
		var st string
		var tot int
		if err := rows.Scan(&st, &tot); err != nil {
			rows.Close()
			return err
		}
		count[st]++
		total, n = tot, n+1
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	state := notify.StateQueued
	switch {
	case count[notify.StateFailed] > 0:
		state = notify.StateFailed
	case count[notify.StateExpired] > 0:
		state = notify.StateExpired
	case count[notify.StateUnknown] > 0:
		state = notify.StateUnknown
	case count[notify.StateSubmitting] > 0:
		state = notify.StateSubmitting
	case n == total && n > 0 && count[notify.StateDelivered] == n:
		state = notify.StateDelivered
	case n == total && n > 0 && count[notify.StateDelivered]+count[notify.StateAccepted] == n:
		state = notify.StateAccepted
	}
	if _, err := t.Exec("UPDATE outbox SET state = ? WHERE id = ?", state, id); err != nil {
		return err
	}
	switch state {
	case notify.StateDelivered, notify.StateFailed, notify.StateExpired:
		if _, err := t.Exec("UPDATE outbox SET settled_at = ? WHERE id = ? AND settled_at = 0", t.NowMs(), id); err != nil {
			return err
		}
	}
	if state == notify.StateAccepted || state == notify.StateDelivered {
		if _, err := t.Exec("UPDATE outbox SET accepted_at = ? WHERE id = ? AND accepted_at = 0", t.NowMs(), id); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) attempt(id int64, seq int, outcome, detail string) error {
	if len(detail) > 300 {
		detail = detail[:300]
	}
	_, err := t.Exec("INSERT INTO outbox_attempts (outbox_id, seq, at, outcome, detail) VALUES (?, ?, ?, ?, ?)", id, seq, t.NowMs(), outcome, detail)
	return err
}

// ClaimOutbox implements notify.Outbox. Parts a dead sender left
// submitting become unknown (the provider may have them); reminders to
// numbers that opted out since they were queued fail as opted out.
func (db *DB) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]notify.Message, error) {
	var out []notify.Message
	err := db.Write(ctx, func(tx *Tx) error {
		now := tx.NowMs()
		rows, err := tx.Query("SELECT DISTINCT p.outbox_id FROM outbox_parts p JOIN outbox o ON o.id = p.outbox_id WHERE p.state = 'submitting' AND o.lease_until < ?", now)
		if err != nil {
			return err
		}
		var stale []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			stale = append(stale, id)
		}
		rows.Close()
		for _, id := range stale {
			if _, err := tx.Exec("UPDATE outbox_parts SET state = 'unknown', error = 'sender stopped during submission' WHERE outbox_id = ? AND state = 'submitting'", id); err != nil {
				return err
			}
			if err := tx.attempt(id, 0, notify.StateUnknown, "sender stopped during submission"); err != nil {
				return err
			}
			if err := tx.recompute(id); err != nil {
				return err
			}
			if _, err := tx.Exec("UPDATE outbox SET next_attempt_at = ? WHERE id = ?", now, id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("UPDATE outbox SET state = 'failed', last_error = 'opted_out', settled_at = ? WHERE state = 'queued' AND (kind LIKE 'remind_%' OR kind = 'appointment_remind') AND recipient_blind IN (SELECT phone_blind FROM sms_optouts) AND NOT EXISTS (SELECT 1 FROM outbox_parts p WHERE p.outbox_id = outbox.id)", now); err != nil {
			return err
		}
		if err := tx.expireDue(now); err != nil {
			return err
		}
		rows, err = tx.Query("SELECT id, channel, recipient, body, recipient_enc, body_enc, kind, COALESCE(dedupe_key, ''), attempts, COALESCE(hall_id, 0), state, expires_at, params_enc FROM outbox WHERE state IN ('queued', 'unknown') AND next_attempt_at <= ? AND lease_until < ? ORDER BY next_attempt_at, id LIMIT ?", now, now, limit)
		if err != nil {
			return err
		}
		var cand []notify.Message
		for rows.Next() {
			var m notify.Message
			var renc, benc, penc string
			if err := rows.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Body, &renc, &benc, &m.Kind, &m.DedupeKey, &m.Attempts, &m.HallID, &m.State, &m.ExpiresAt, &penc); err != nil {
				rows.Close()
				return err
			}
			// Recipient, body and parameters are sealed at rest (00006).
			if m.Recipient, err = tx.openSealed(renc, m.Recipient); err == nil {
				m.Body, err = tx.openSealed(benc, m.Body)
			}
			if err == nil && penc != "" {
				var js string
				if js, err = tx.openSealed(penc, ""); err == nil {
					err = json.Unmarshal([]byte(js), &m.Params)
				}
			}
			if err != nil {
				rows.Close()
				return err
			}
			cand = append(cand, m)
		}
		rows.Close()
		for _, m := range cand {
			res, err := tx.Exec("UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ? AND lease_until < ? AND state IN ('queued', 'unknown')", now+lease.Milliseconds(), m.ID, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				continue
			}
			m.Attempts++
			if m.Parts, err = tx.parts(m.ID); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

func (t *Tx) parts(id int64) ([]notify.PartState, error) {
	rows, err := t.Query("SELECT seq, total, state, provider, provider_msg_id, stat, error FROM outbox_parts WHERE outbox_id = ? ORDER BY seq", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.PartState
	for rows.Next() {
		var p notify.PartState
		if err := rows.Scan(&p.Seq, &p.Total, &p.State, &p.Provider, &p.MsgID, &p.Stat, &p.Error); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PartSubmitting implements notify.Outbox: committed before the part is
// written to the provider.
func (db *DB) PartSubmitting(ctx context.Context, id int64, seq, total int, provider string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE outbox_parts SET state = 'submitting', submitted_at = ?, error = '' WHERE outbox_id = ? AND seq = ? AND state = 'queued'", tx.NowMs(), id, seq)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var st string
			err := tx.QueryRow("SELECT state FROM outbox_parts WHERE outbox_id = ? AND seq = ?", id, seq).Scan(&st)
			if err == nil {
				return fmt.Errorf("outbox %d part %d is %s, not queued", id, seq, st)
			}
			if !errors.Is(err, ErrNoRows) {
				return err
			}
			if _, err := tx.Exec("INSERT INTO outbox_parts (outbox_id, seq, total, state, provider, submitted_at) VALUES (?, ?, ?, 'submitting', ?, ?)", id, seq, total, provider, tx.NowMs()); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("UPDATE outbox SET provider = ? WHERE id = ?", provider, id); err != nil {
			return err
		}
		return tx.recompute(id)
	})
}

// PartAccepted implements notify.Outbox; receipts that arrived before the
// submit response (they can) are applied now.
func (db *DB) PartAccepted(ctx context.Context, id int64, seq int, msgID string) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("UPDATE outbox_parts SET state = 'accepted', provider_msg_id = ?, accepted_at = ? WHERE outbox_id = ? AND seq = ? AND state IN ('submitting', 'unknown')", msgID, tx.NowMs(), id, seq); err != nil {
			return err
		}
		if err := tx.attempt(id, seq, notify.StateAccepted, msgID); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE outbox SET provider_ref = ?, sent_at = ?, last_error = '' WHERE id = ?", msgID, tx.NowMs(), id); err != nil {
			return err
		}
		if err := tx.applyPendingReceipts(id, seq, msgID); err != nil {
			return err
		}
		return tx.recompute(id)
	})
}

func (t *Tx) applyPendingReceipts(id int64, seq int, msgID string) error {
	var provider string
	if err := t.QueryRow("SELECT provider FROM outbox_parts WHERE outbox_id = ? AND seq = ?", id, seq).Scan(&provider); err != nil {
		return err
	}
	rows, err := t.Query("SELECT id, stat, err FROM sms_receipts WHERE provider = ? AND provider_msg_id = ? AND applied_at = 0 ORDER BY id", provider, msgID)
	if err != nil {
		return err
	}
	type rc struct {
		id        int64
		stat, err string
	}
	var rs []rc
	for rows.Next() {
		var r rc
		if err := rows.Scan(&r.id, &r.stat, &r.err); err != nil {
			rows.Close()
			return err
		}
		rs = append(rs, r)
	}
	rows.Close()
	for _, r := range rs {
		if err := t.applyReceipt(id, seq, notify.Receipt{Stat: r.stat, Err: r.err}); err != nil {
			return err
		}
		if _, err := t.Exec("UPDATE sms_receipts SET applied_at = ? WHERE id = ?", t.NowMs(), r.id); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) applyReceipt(id int64, seq int, r notify.Receipt) error {
	if !r.Final() {
		return nil
	}
	st := notify.StateFailed
	if r.Delivered() {
		st = notify.StateDelivered
	} else if r.Stat == "EXPIRED" {
		st = notify.StateExpired
	}
	if _, err := t.Exec("UPDATE outbox_parts SET state = ?, stat = ?, receipt_at = ?, error = ? WHERE outbox_id = ? AND seq = ? AND state IN ('accepted', 'unknown', 'submitting')", st, r.Stat, t.NowMs(), r.Err, id, seq); err != nil {
		return err
	}
	return t.attempt(id, seq, "receipt", r.Stat+" "+r.Err)
}

// PartRetry implements notify.Outbox.
func (db *DB) PartRetry(ctx context.Context, id int64, seq int, detail string, next time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("UPDATE outbox_parts SET state = 'queued', error = ? WHERE outbox_id = ? AND seq = ? AND state IN ('submitting', 'unknown')", detail, id, seq); err != nil {
			return err
		}
		if err := tx.attempt(id, seq, "retry", detail); err != nil {
			return err
		}
		if err := tx.recompute(id); err != nil {
			return err
		}
		_, err := tx.Exec("UPDATE outbox SET last_error = ?, lease_until = 0, next_attempt_at = ? WHERE id = ?", detail, next.UnixMilli(), id)
		return err
	})
}

// PartFailed implements notify.Outbox.
func (db *DB) PartFailed(ctx context.Context, id int64, seq int, detail string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE outbox_parts SET state = 'failed', error = ? WHERE outbox_id = ? AND seq = ?", detail, id, seq)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.Exec("INSERT INTO outbox_parts (outbox_id, seq, total, state, provider, error) VALUES (?, ?, 1, 'failed', '', ?)", id, seq, detail); err != nil {
				return err
			}
		}
		if err := tx.attempt(id, seq, notify.StateFailed, detail); err != nil {
			return err
		}
		if err := tx.recompute(id); err != nil {
			return err
		}
		_, err = tx.Exec("UPDATE outbox SET last_error = ?, lease_until = 0 WHERE id = ?", detail, id)
		return err
	})
}

// PartUnknown implements notify.Outbox.
func (db *DB) PartUnknown(ctx context.Context, id int64, seq int, detail string, next time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("UPDATE outbox_parts SET state = 'unknown', error = ? WHERE outbox_id = ? AND seq = ? AND state IN ('submitting', 'unknown')", detail, id, seq); err != nil {
			return err
		}
		if err := tx.attempt(id, seq, notify.StateUnknown, detail); err != nil {
			return err
		}
		if err := tx.recompute(id); err != nil {
			return err
		}
		_, err := tx.Exec("UPDATE outbox SET last_error = ?, lease_until = 0, next_attempt_at = ? WHERE id = ?", detail, next.UnixMilli(), id)
		return err
	})
}

// PartSettled implements notify.Outbox.
func (db *DB) PartSettled(ctx context.Context, id int64, seq int, r notify.QueryResult) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("UPDATE outbox_parts SET state = 'accepted', provider_msg_id = ?, accepted_at = ? WHERE outbox_id = ? AND seq = ? AND state = 'unknown'", r.MsgID, tx.NowMs(), id, seq); err != nil {
			return err
		}
		if err := tx.attempt(id, seq, "settled", r.State+" "+r.MsgID); err != nil {
			return err
		}
		if r.State == notify.StateDelivered || r.State == notify.StateFailed {
			if err := tx.applyReceipt(id, seq, notify.Receipt{Stat: r.Stat}); err != nil {
				return err
			}
		}
		if err := tx.applyPendingReceipts(id, seq, r.MsgID); err != nil {
			return err
		}
		if err := tx.recompute(id); err != nil {
			return err
		}
		_, err := tx.Exec("UPDATE outbox SET lease_until = 0 WHERE id = ?", id)
		return err
	})
}

// RecordReceipt implements notify.Sink: the receipt is committed before
// the provider acknowledges it, and applied to its part if the part is
// known (otherwise when the submit response arrives).
func (db *DB) RecordReceipt(ctx context.Context, r notify.Receipt) error {
	return db.Write(ctx, func(tx *Tx) error {
		rid, err := tx.InsertID("INSERT INTO sms_receipts (provider, provider_msg_id, stat, err, received_at) VALUES (?, ?, ?, ?, ?)", r.Provider, r.MsgID, r.Stat, r.Err, tx.NowMs())
		if err != nil {
			return err
		}
		var id int64
		var seq int
		err = tx.QueryRow("SELECT outbox_id, seq FROM outbox_parts WHERE provider = ? AND provider_msg_id = ? AND state IN ('accepted', 'unknown')", r.Provider, r.MsgID).Scan(&id, &seq)
		if errors.Is(err, ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.applyReceipt(id, seq, r); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE sms_receipts SET applied_at = ? WHERE id = ?", tx.NowMs(), rid); err != nil {
			return err
		}
		return tx.recompute(id)
	})
}

// RecordInbound implements notify.Sink: an opt-out keyword stops that
// number's reminders (audited); other replies are not kept.
func (db *DB) RecordInbound(ctx context.Context, m notify.Inbound) error {
	if !notify.IsOptOut(m.Text) {
		return nil
	}
	phone := strings.TrimPrefix(strings.TrimPrefix(m.From, "+86"), "86")
	return db.OptOut(ctx, phone, "reply:"+m.Provider)
}

// OptOut records that a phone number wants no more reminders.
func (db *DB) OptOut(ctx context.Context, phone, source string) error {
	return db.Write(ctx, func(tx *Tx) error {
		bl := tx.phoneBlind(phone)
		if bl == "" {
			return apperr.New(apperr.Unavailable, "cases.no_pii_key")
		}
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM sms_optouts WHERE phone_blind = ?", bl).Scan(&n); err != nil || n > 0 {
			return err
		}
		if _, err := tx.Exec("INSERT INTO sms_optouts (phone_blind, phone_masked, source, at) VALUES (?, ?, ?, ?)", bl, pii.MaskMobile(phone), source, tx.NowMs()); err != nil {
			return err
		}
		return tx.Audit("notify.optout", pii.MaskMobile(phone), source)
	})
}

// expireDue drops queued messages whose expiry has passed before any part
// went out (a part already accepted means the message is under way; its
// remaining parts are expired by the sender).
func (t *Tx) expireDue(now int64) error {
	rows, err := t.Query("SELECT id FROM outbox WHERE state = 'queued' AND expires_at > 0 AND expires_at <= ? AND lease_until < ? LIMIT 500", now, now)
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
		if err := t.expire(id, "expired before it could be sent"); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *Tx) expire(id int64, detail string) error {
	if _, err := t.Exec("UPDATE outbox_parts SET state = 'expired', error = ? WHERE outbox_id = ? AND state = 'queued'", detail, id); err != nil {
		return err
	}
	if err := t.attempt(id, 0, notify.StateExpired, detail); err != nil {
		return err
	}
	_, err := t.Exec("UPDATE outbox SET state = 'expired', last_error = ?, settled_at = ?, lease_until = 0 WHERE id = ? AND state = 'queued'", detail, t.NowMs(), id)
	return err
}

// Expire implements notify.Outbox.
func (db *DB) Expire(ctx context.Context, id int64, detail string) error {
	return db.Write(ctx, func(tx *Tx) error { return tx.expire(id, detail) })
}
