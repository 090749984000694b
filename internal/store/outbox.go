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
	return t.InsertID("INSERT INTO outbox (channel, recipient, body, kind, dedupe_key, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		m.Channel, m.Recipient, m.Body, m.Kind, key, t.NowMs(), t.NowMs())
}

// ClaimOutbox leases up to limit due messages for sending. A lease keeps
// other instances off a message while one sends it; if the sender dies the
// lease expires and the message is retried.
func (db *DB) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]notify.Message, error) {
	var out []notify.Message
	err := db.Write(ctx, func(tx *Tx) error {
		now := tx.NowMs()
		rows, err := tx.Query("SELECT id, channel, recipient, body, kind, COALESCE(dedupe_key, ''), attempts FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND lease_until < ? ORDER BY next_attempt_at, id LIMIT ?", now, now, limit)
		if err != nil {
			return err
		}
		var cand []notify.Message
		for rows.Next() {
			var m notify.Message
			if err := rows.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Body, &m.Kind, &m.DedupeKey, &m.Attempts); err != nil {
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

// ListOutbox returns recent messages, newest first, optionally of one state.
func (db *DB) ListOutbox(ctx context.Context, state string, limit int) ([]OutboxEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var out []OutboxEntry
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, channel, recipient, body, kind, COALESCE(dedupe_key, ''), attempts, state, last_error, created_at, sent_at FROM outbox WHERE ? = '' OR state = ? ORDER BY id DESC LIMIT ?", state, state, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e OutboxEntry
			if err := rows.Scan(&e.ID, &e.Channel, &e.Recipient, &e.Body, &e.Kind, &e.DedupeKey, &e.Attempts, &e.State, &e.LastError, &e.CreatedAt, &e.SentAt); err != nil {
				return err
			}
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
