package store

import (
	"context"
	"fmt"

	"mingbai/internal/notify"
)

// Enqueue adds a message to the outbox inside the caller's transaction, so
// a message exists if and only if the change that caused it commits. A
// non-empty DedupeKey makes the call idempotent: a second message with the
// same key is ignored.
func (t *Tx) Enqueue(m notify.Message) (int64, error) {
	if m.Body == "" && m.Params != nil {
		// The text comes from the approved template of the kind; a
		// missing or over-long parameter is refused here, before queueing.
		body, err := notify.Render(m.Kind, m.Params)
		if err != nil {
			return 0, err
		}
		m.Body = body
	}
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
	blind, urgent, due, err := t.enqueueRules(m)
	if err != nil {
		return 0, err
	}
	return t.InsertID("INSERT INTO outbox (channel, recipient, body, kind, dedupe_key, next_attempt_at, created_at, state, hall_id, urgent, recipient_blind) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)",
		m.Channel, m.Recipient, m.Body, m.Kind, key, due, t.NowMs(), nullID(m.HallID), b2i(urgent), blind)
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

// nullID stores 0 as NULL (no hall).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
