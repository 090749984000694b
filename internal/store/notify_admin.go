package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
)

// Refusals of the outbox page's actions.
var (
	ErrNotRetryable   = apperr.New(apperr.Conflict, "notify.not_retryable")
	ErrNotCancellable = apperr.New(apperr.Conflict, "notify.not_cancellable")
)

// RetryOutbox sends a failed message of a hall again. Only failed
// messages: an unknown one may have reached the phone and waits for its
// receipt or status query; an opted-out reminder stays failed. Audited.
func (db *DB) RetryOutbox(ctx context.Context, hallID, id int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		var state, lastErr string
		if err := tx.QueryRow("SELECT state, last_error FROM outbox WHERE id = ? AND hall_id = ?", id, hallID).Scan(&state, &lastErr); err != nil {
			return notFound(err, "message")
		}
		if state != notify.StateFailed || lastErr == "opted_out" {
			return ErrNotRetryable
		}
		if _, err := tx.Exec("UPDATE outbox_parts SET state = 'queued', error = '' WHERE outbox_id = ? AND state = 'failed'", id); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE outbox SET state = 'queued', attempts = 0, settled_at = 0, lease_until = 0, next_attempt_at = ?, expires_at = 0 WHERE id = ?", tx.NowMs(), id); err != nil {
			return err
		}
		if err := tx.attempt(id, 0, "retry", "by "+tx.Actor.Name); err != nil {
			return err
		}
		return tx.Audit("notify.outbox.retry", fmt.Sprintf("outbox:%d", id), lastErr)
	})
}

// CancelOutbox drops a message of a hall that has not gone yet: it
// becomes expired and is never sent. Audited.
func (db *DB) CancelOutbox(ctx context.Context, hallID, id int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		var state string
		var lease int64
		if err := tx.QueryRow("SELECT state, lease_until FROM outbox WHERE id = ? AND hall_id = ?", id, hallID).Scan(&state, &lease); err != nil {
			return notFound(err, "message")
		}
		var sent int
		if err := tx.QueryRow("SELECT count(*) FROM outbox_parts WHERE outbox_id = ? AND state <> 'queued'", id).Scan(&sent); err != nil {
			return err
		}
		if state != notify.StateQueued || sent > 0 || lease > tx.NowMs() {
			return ErrNotCancellable
		}
		if err := tx.expire(id, "cancelled by "+tx.Actor.Name); err != nil {
			return err
		}
		return tx.Audit("notify.outbox.cancel", fmt.Sprintf("outbox:%d", id), "")
	})
}

// OutboxAttempt is one line of a message's history.
type OutboxAttempt struct {
	At      int64  `json:"at"`
	Seq     int    `json:"seq"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail"`
}

// OutboxHistory returns the attempts and receipts of a hall's message.
func (db *DB) OutboxHistory(ctx context.Context, hallID, id int64) ([]OutboxAttempt, error) {
	out := []OutboxAttempt{}
	err := db.Read(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM outbox WHERE id = ? AND hall_id = ?", id, hallID).Scan(&n); err != nil || n == 0 {
			return notFound(ErrNoRows, "message")
		}
		rows, err := tx.Query("SELECT at, seq, outcome, detail FROM outbox_attempts WHERE outbox_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a OutboxAttempt
			if err := rows.Scan(&a.At, &a.Seq, &a.Outcome, &a.Detail); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// OptOutEntry is one opted-out number, masked.
type OptOutEntry struct {
	Phone  string `json:"phone"`
	Source string `json:"source"`
	At     int64  `json:"at"`
}

// ListOptOuts returns the numbers that opted out of reminders (masked,
// newest first). Opting out is per number, for every hall.
func (db *DB) ListOptOuts(ctx context.Context, limit int) ([]OptOutEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	out := []OptOutEntry{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT phone_masked, source, at FROM sms_optouts ORDER BY at DESC LIMIT ?", limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o OptOutEntry
			if err := rows.Scan(&o.Phone, &o.Source, &o.At); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// CampaignRow is a campaign with its progress, for the campaign page.
type CampaignRow struct {
	Campaign
	// Handled counts recipients no longer pending (queued, skipped, opted
	// out); Total all recipients frozen so far.
	Handled int64 `json:"handled"`
	Sent    int64 `json:"sent"`
}

// ListCampaigns returns a hall's campaigns, newest first, with results.
func (db *DB) ListCampaigns(ctx context.Context, hallID int64) ([]CampaignRow, error) {
	var ids []int64
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id FROM campaigns WHERE hall_id = ? ORDER BY id DESC LIMIT 50", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := []CampaignRow{}
	for _, id := range ids {
		c, err := db.CampaignStatus(ctx, hallID, id)
		if err != nil {
			return nil, err
		}
		row := CampaignRow{Campaign: c}
		for k, n := range c.Results {
			if k != "pending" {
				row.Handled += n
			}
			switch k {
			case notify.StateAccepted, notify.StateDelivered:
				row.Sent += n
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// CampaignPreview counts, without writing anything, how many contributors
// of a hall a campaign on day would remind, by kind, and how many it would
// skip by reason.
func (db *DB) CampaignPreview(ctx context.Context, hallID int64, day string, rule notify.Rule) (map[string]int, error) {
	out := map[string]int{}
	err := db.Read(ctx, func(tx *Tx) error {
		d, err := time.ParseInLocation("2006-01-02", day, tx.notifyPolicy(hallID).Window.Loc)
		if err != nil {
			return apperr.InvalidField("day", "err.bad_value", "day", day)
		}
		rows, err := tx.Query("SELECT c.frequency, c.paid_through, c.payment, c.debit_failed, c.insurance, (SELECT count(*) FROM sms_optouts o WHERE o.phone_blind = c.phone_blind) FROM contributors c WHERE c.hall_id = ?", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c notify.Contributor
			var failed, opted int
			var ins string
			if err := rows.Scan(&c.Frequency, &c.PaidThrough, &c.Payment, &failed, &ins, &opted); err != nil {
				return err
			}
			c.DebitFailed, c.Insurance = failed == 1, strings.Split(ins, ",")
			_, _, kind, skip := rule.Due(c, d)
			switch {
			case skip != "":
				out["skipped:"+skip]++
			case opted > 0:
				out["opted_out"]++
			default:
				out[kind]++
			}
		}
		return rows.Err()
	})
	return out, err
}

// StopCampaign stops a hall's campaign: recipients not yet queued are
// skipped ("stopped") and its messages that have not gone are dropped.
// Audited.
func (db *DB) StopCampaign(ctx context.Context, hallID, id int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		var state string
		if err := tx.QueryRow("SELECT state FROM campaigns WHERE id = ? AND hall_id = ?", id, hallID).Scan(&state); err != nil {
			return notFound(err, "campaign")
		}
		if state == CampaignDone || state == CampaignStopped {
			return apperr.New(apperr.Conflict, "notify.campaign.finished")
		}
		if _, err := tx.Exec("UPDATE campaign_recipients SET state = 'skipped', reason = 'stopped' WHERE campaign_id = ? AND state = 'pending'", id); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE outbox SET state = 'expired', last_error = 'campaign stopped', settled_at = ? WHERE state = 'queued' AND lease_until < ? AND id IN (SELECT outbox_id FROM campaign_recipients WHERE campaign_id = ?) AND NOT EXISTS (SELECT 1 FROM outbox_parts p WHERE p.outbox_id = outbox.id AND p.state <> 'queued')", tx.NowMs(), tx.NowMs(), id); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE campaigns SET state = ? WHERE id = ?", CampaignStopped, id); err != nil {
			return err
		}
		return tx.Audit("notify.campaign.stop", fmt.Sprintf("campaign:%d", id), "")
	})
}

// OptOutContributor is the public opt-out: a citizen gives their mobile
// number and resident ID number; when a contributor of any hall has both,
// the number gets no more reminders. It reports whether it matched (the
// page answers the same either way, so it tells nobody who is registered).
func (db *DB) OptOutContributor(ctx context.Context, phone, idNumber string) (bool, error) {
	s, err := db.sealer()
	if err != nil {
		return false, err
	}
	var n int
	err = db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT count(*) FROM contributors WHERE phone_blind = ? AND id_number_blind = ?", tx.phoneBlind(phone), s.Blind(idNumber)).Scan(&n)
	})
	if err != nil || n == 0 {
		return false, err
	}
	return true, db.OptOut(ctx, phone, "web")
}
