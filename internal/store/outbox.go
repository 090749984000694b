package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
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
	// The recipient and the body are sealed at rest (they carry phone
	// numbers, codes and case numbers); callers pass clear text.
	s, err := t.db.sealer()
	if err != nil {
		return 0, err
	}
	if blind == "" {
		blind = phoneBlind(s, m.Recipient)
	}
	// The parameters are kept (sealed) for providers that send by
	// template code and parameters rather than by text.
	params := ""
	if len(m.Params) > 0 {
		b, err := json.Marshal(m.Params)
		if err != nil {
			return 0, err
		}
		params = s.SealString(string(b))
	}
	expires := m.ExpiresAt
	if ttl := notify.TTL(m.Kind, m.Params); expires == 0 && ttl > 0 {
		expires = t.Now.Add(ttl).UnixMilli()
	}
	return t.InsertID(`INSERT INTO outbox (channel, recipient, body, recipient_enc, recipient_blind, recipient_masked, body_enc, hall_id, kind, dedupe_key, next_attempt_at, created_at, state, urgent, expires_at, params_enc)
		VALUES (?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
		m.Channel, s.SealString(m.Recipient), blind, maskRecipient(m.Channel, m.Recipient), s.SealString(m.Body), nullInt(m.HallID),
		m.Kind, key, due, t.NowMs(), b2i(urgent), expires, params)
}

// ExpireQueued drops the messages of a dedupe key that have not gone yet
// (a turn-near notice once the ticket is called): they become expired and
// are never sent. It is called in the transaction of the change.
func (t *Tx) ExpireQueued(dedupeKey string) error {
	// Nothing in the transaction reads the answer: in a grouped write on
	// PostgreSQL it goes with the next statement (deferred.go).
	return t.updateLater(outboxExpiry, dedupeKey, t.NowMs(), dedupeKey)
}

// outboxExpiry is ExpireQueued's update.
var outboxExpiry = &bulkUpdate{table: "outbox", types: "bt",
	plain: `UPDATE outbox SET state = 'expired', last_error = 'no longer needed', settled_at = ? WHERE dedupe_key = ? AND state = 'queued'
		AND NOT EXISTS (SELECT 1 FROM outbox_parts p WHERE p.outbox_id = outbox.id AND p.state <> 'queued')`,
	bulk: `UPDATE outbox SET state = 'expired', last_error = 'no longer needed', settled_at = u.at FROM unnest(?::bigint[], ?::text[])
		AS u(at, dedupe_key) WHERE outbox.dedupe_key = u.dedupe_key AND outbox.state = 'queued'
		AND NOT EXISTS (SELECT 1 FROM outbox_parts p WHERE p.outbox_id = outbox.id AND p.state <> 'queued')`}

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
	return db.listOutbox(ctx, hallID, OutboxFilter{State: state}, limit, false)
}

// OutboxFilter narrows the outbox page: by state, provider, kind,
// recipient — a full mobile number (found by its blind index), a masked
// one (138****5678) or its last four digits — and case number (the
// messages about that case of the hall: notices, completion, rating
// invitation; bodies are sealed, so they are found by their keys).
type OutboxFilter struct {
	State, Provider, Kind, Phone, Case string
}

// caseMessageKeys are the de-duplication keys of the messages about a
// case (see notifyChange and the rating invitation).
func caseMessageKeys(id int64) (prefixes []string, exact []string) {
	return []string{fmt.Sprintf("case-notice:%d:", id)}, []string{fmt.Sprintf("case-done:%d", id), fmt.Sprintf("rating-invite:case:%d", id)}
}

// SearchOutbox is ListOutbox with a filter (recipients and bodies masked).
func (db *DB) SearchOutbox(ctx context.Context, hallID int64, f OutboxFilter, limit int) ([]OutboxEntry, error) {
	return db.listOutbox(ctx, hallID, f, limit, false)
}

// OutboxMessages returns recent messages of every hall in clear text,
// newest first: for senders, reports that need the text, and tests. It is
// never shown to people.
func (db *DB) OutboxMessages(ctx context.Context, limit int) ([]OutboxEntry, error) {
	return db.listOutbox(ctx, 0, OutboxFilter{}, limit, true)
}

func (db *DB) listOutbox(ctx context.Context, hallID int64, f OutboxFilter, limit int, clear bool) ([]OutboxEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	blind, masked := "", ""
	switch p := strings.TrimSpace(f.Phone); {
	case p == "":
	case len(p) == 11 && !strings.Contains(p, "*"):
		if blind = phoneBlindOf(db, p); blind == "" {
			blind = "-"
		}
	case strings.Trim(p, "0123456789*") != "":
		return nil, apperr.InvalidField("phone", "err.bad_value", "phone", p)
	case strings.Contains(p, "*"):
		masked = p // 138****5678, as the page shows it
	default:
		masked = "%" + p // the last digits
	}
	var out []OutboxEntry
	err := db.Read(ctx, func(tx *Tx) error {
		caseCond, caseArgs := "", []any{}
		if c := strings.TrimSpace(f.Case); c != "" {
			var id int64
			err := tx.QueryRow("SELECT id FROM cases WHERE number = ? AND (? = 1 OR hall_id = ?)", c, b2i(clear), hallID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // no such case in this hall: no messages
			}
			if err != nil {
				return err
			}
			prefixes, exact := caseMessageKeys(id)
			caseCond = " AND (dedupe_key LIKE ? OR dedupe_key IN (?, ?))"
			caseArgs = append(caseArgs, prefixes[0]+"%", exact[0], exact[1])
		}
		args := append([]any{b2i(clear), hallID, f.State, f.State, f.Provider, f.Provider, f.Kind, f.Kind, blind, blind, masked, masked}, caseArgs...)
		rows, err := tx.Query(`SELECT id, channel, recipient, body, recipient_masked, recipient_enc, body_enc, kind, COALESCE(dedupe_key, ''), attempts, state, last_error, created_at, sent_at, COALESCE(hall_id, 0)
			FROM outbox WHERE (? = 1 OR hall_id = ?) AND (? = '' OR state = ?) AND (? = '' OR provider = ?) AND (? = '' OR kind = ?)
			AND (? = '' OR recipient_blind = ?) AND (? = '' OR recipient_masked LIKE ?)`+caseCond+` ORDER BY id DESC LIMIT ?`,
			append(args, limit)...)
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

func phoneBlindOf(db *DB, phone string) string {
	if s := db.PII(); s != nil {
		return phoneBlind(s, phone)
	}
	return ""
}
