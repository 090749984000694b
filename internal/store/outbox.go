package store

import (
	"context"
	"fmt"
	"time"

	"mingbai/internal/notify"
)

// Enqueue adds a message to the outbox inside the caller's transaction, so
// a message exists if and only if the change that caused it commits. A
// non-empty DedupeKey makes the call idempotent: a second message with the
// same key is ignored.
func (t *Tx) Enqueue(m notify.Message) (int64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	var key any
	if m.DedupeKey != "" {
		key = m.DedupeKey
		var id int64
		if err := t.QueryRow("SELECT id FROM outbox WHERE dedupe_key = ?", m.DedupeKey).Scan(&id); err == nil {
			return id, nil
		}
	}
	// The recipient and the body are sealed at rest (they carry phone
	// numbers, codes and case numbers); callers pass clear text.
	s, err := t.db.sealer()
	if err != nil {
		return 0, err
	}
	return t.InsertID(`INSERT INTO outbox (channel, recipient, body, recipient_enc, recipient_blind, recipient_masked, body_enc, hall_id, kind, dedupe_key, next_attempt_at, created_at)
		VALUES (?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Channel, s.SealString(m.Recipient), phoneBlind(s, m.Recipient), maskRecipient(m.Channel, m.Recipient), s.SealString(m.Body), nullInt(m.HallID),
		m.Kind, key, t.NowMs(), t.NowMs())
}

// ClaimOutbox leases up to limit due messages for sending. A lease keeps
// other instances off a message while one sends it; if the sender dies the
// lease expires and the message is retried.
func (db *DB) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]notify.Message, error) {
	var out []notify.Message
	err := db.Write(ctx, func(tx *Tx) error {
		now := tx.NowMs()
		rows, err := tx.Query(`SELECT id, channel, recipient, body, recipient_enc, body_enc, kind, COALESCE(dedupe_key, ''), attempts, COALESCE(hall_id, 0)
			FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND lease_until < ? ORDER BY next_attempt_at, id LIMIT ?`, now, now, limit)
		if err != nil {
			return err
		}
		var cand []notify.Message
		for rows.Next() {
			var m notify.Message
			var renc, benc string
			if err := rows.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Body, &renc, &benc, &m.Kind, &m.DedupeKey, &m.Attempts, &m.HallID); err != nil {
				rows.Close()
				return err
			}
			if m.Recipient, err = tx.openSealed(renc, m.Recipient); err == nil {
				m.Body, err = tx.openSealed(benc, m.Body)
			}
			if err != nil {
				rows.Close()
				return err
			}
			cand = append(cand, m)
		}
		rows.Close()
		for _, m := range cand {
			res, err := tx.Exec("UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ? AND lease_until < ? AND state = 'pending'", now+lease.Milliseconds(), m.ID, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				m.Attempts++
				out = append(out, m)
			}
		}
		return nil
	})
	return out, err
}

// MarkSent records a delivered message.
func (db *DB) MarkSent(ctx context.Context, id int64, ref string) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE outbox SET state = 'sent', sent_at = ?, provider_ref = ?, lease_until = 0, last_error = '' WHERE id = ?", tx.NowMs(), ref, id)
		return err
	})
}

// MarkFailed records a failed attempt: retried at next, or dead when next
// is zero.
func (db *DB) MarkFailed(ctx context.Context, id int64, errText string, next time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		if next.IsZero() {
			_, err := tx.Exec("UPDATE outbox SET state = 'dead', last_error = ?, lease_until = 0 WHERE id = ?", errText, id)
			return err
		}
		_, err := tx.Exec("UPDATE outbox SET last_error = ?, lease_until = 0, next_attempt_at = ? WHERE id = ?", errText, next.UnixMilli(), id)
		return err
	})
}

// OutboxEntry is a message with its delivery state, for the admin page.
type OutboxEntry struct {
	notify.Message
	State     string `json:"state"`
	LastError string `json:"last_error"`
	CreatedAt int64  `json:"created_at"`
	SentAt    int64  `json:"sent_at"`
}

// ListOutbox returns a hall's recent messages, newest first, optionally of
// one state, for managers: recipients and bodies masked (a manager never
// reads a citizen's phone number or SMS code here).
func (db *DB) ListOutbox(ctx context.Context, hallID int64, state string, limit int) ([]OutboxEntry, error) {
	return db.listOutbox(ctx, hallID, state, limit, false)
}

// OutboxMessages returns recent messages of every hall in clear text,
// newest first: for senders, reports that need the text, and tests. It is
// never shown to people.
func (db *DB) OutboxMessages(ctx context.Context, limit int) ([]OutboxEntry, error) {
	return db.listOutbox(ctx, 0, "", limit, true)
}

func (db *DB) listOutbox(ctx context.Context, hallID int64, state string, limit int, clear bool) ([]OutboxEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var out []OutboxEntry
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT id, channel, recipient, body, recipient_masked, recipient_enc, body_enc, kind, COALESCE(dedupe_key, ''), attempts, state, last_error, created_at, sent_at, COALESCE(hall_id, 0)
			FROM outbox WHERE (? = 1 OR hall_id = ?) AND (? = '' OR state = ?) ORDER BY id DESC LIMIT ?`, b2i(clear), hallID, state, state, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e OutboxEntry
			var masked, renc, benc string
			if err := rows.Scan(&e.ID, &e.Channel, &e.Recipient, &e.Body, &masked, &renc, &benc, &e.Kind, &e.DedupeKey, &e.Attempts, &e.State, &e.LastError, &e.CreatedAt, &e.SentAt, &e.HallID); err != nil {
				return err
			}
			if clear {
				var err error
				if e.Recipient, err = tx.openSealed(renc, e.Recipient); err == nil {
					e.Body, err = tx.openSealed(benc, e.Body)
				}
				if err != nil {
					return err
				}
				out = append(out, e)
				continue
			}
			if masked != "" {
				e.Recipient = masked
			} else {
				e.Recipient = maskRecipient(e.Channel, e.Recipient)
			}
			body, err := tx.openSealed(benc, e.Body)
			if err != nil {
				return err
			}
			e.Body = maskBody(body)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// OutboxCounts returns the number of messages per state, for /metrics.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT state, count(*) FROM outbox GROUP BY state")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int64
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			out[s] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("outbox counts: %w", err)
	}
	return out, nil
}
