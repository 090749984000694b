package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/consult"
	"mingbai/internal/i18n"
	"mingbai/internal/notify"
	"mingbai/internal/pii"
)

// Staff operations on consultation threads. Each is one transaction with
// its audit record; the caller passes the hall it acts in and a thread of
// another hall is not found.

// ConsultReplyInput is a reply or an internal note by staff.
type ConsultReplyInput struct {
	HallID   int64
	ThreadID int64
	By       string
	Body     string
	// Note makes it an internal note, never shown to the graduate.
	Note bool
	// IdempotencyKey makes a retried submission return the first reply.
	IdempotencyKey string
}

// ConsultSend is a message the caller must now deliver over WeChat's
// customer-service API, then report with ConsultDelivered.
type ConsultSend struct {
	MessageID int64
	OpenID    string
	Body      string
}

// ConsultReplyResult is the stored reply, and the WeChat send it needs
// (nil when none: the web channel, a note, a blocked reply, a retry).
type ConsultReplyResult struct {
	Message ConsultMessage `json:"message"`
	Thread  ConsultThread  `json:"thread"`
	Send    *ConsultSend   `json:"-"`
	// Blocked names why WeChat may not carry the reply (a catalogue key);
	// BlockedMessage is its text in the caller's language (set by the web
	// layer).
	Blocked        string `json:"blocked,omitempty"`
	BlockedMessage string `json:"blocked_message,omitempty"`
}

// ConsultReply stores a staff reply. On WeChat the customer-service rule
// applies: within 48 hours of the graduate's last message and at most
// five messages; beyond that the reply is kept but not sent, and the
// thread offers an SMS or a phone call-back.
func (db *DB) ConsultReply(ctx context.Context, in ConsultReplyInput) (ConsultReplyResult, error) {
	var res ConsultReplyResult
	in.Body = strings.TrimSpace(in.Body)
	if in.Body == "" {
		return res, apperr.InvalidField("body", "consult.empty_message")
	}
	if err := limitRunes("body", in.Body, 600); err != nil {
		return res, err
	}
	key := ""
	if in.IdempotencyKey != "" {
		if len(in.IdempotencyKey) > 64 {
			return res, apperr.InvalidField("idempotency_key", "err.too_long", "idempotency_key", 64)
		}
		key = fmt.Sprintf("reply:%d:%s", in.HallID, in.IdempotencyKey)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		res = ConsultReplyResult{}
		t, err := threadInTx(tx, in.HallID, in.ThreadID)
		if err != nil {
			return err
		}
		if key != "" {
			m, seen, err := messageByKey(tx, key)
			if err != nil || seen {
				if m.ThreadID != t.ID && seen {
					return apperr.New(apperr.Conflict, "consult.idempotency_reuse")
				}
				res.Message, res.Thread = m, t
				return err
			}
		}
		if in.Note {
			m, err := insertMessage(tx, t, ConsultMessage{Direction: DirNote, Author: in.By, Body: in.Body}, key)
			if err != nil {
				return err
			}
			res.Message, res.Thread = m, t
			return tx.Audit("consult.note", fmt.Sprintf("thread:%d", t.ID), "")
		}
		m := ConsultMessage{Direction: DirOut, Author: in.By, Body: in.Body}
		delivered := true
		switch t.Channel {
		case consult.Web:
			m.Via, m.Delivery = "web", "sent"
		default:
			ok, reason := consult.KF(msTime(t.LastInboundAt), t.KFSince, tx.Now)
			if ok {
				m.Via, m.Delivery = "kf", "pending"
				t.KFSince++
			} else {
				m.Via, m.Delivery = "none", "blocked"
				t.Offer, res.Blocked, delivered = "sms", reason, false
			}
		}
		if m, err = insertMessage(tx, t, m, key); err != nil {
			return err
		}
		if delivered {
			if err := responded(tx, &t); err != nil {
				return err
			}
		}
		if err := saveThread(tx, &t); err != nil {
			return err
		}
		if m.Via == "kf" {
			if res.Send, err = sendOf(tx, t, m); err != nil {
				return err
			}
		}
		res.Message, res.Thread = m, t
		return tx.Audit("consult.reply", fmt.Sprintf("thread:%d", t.ID), "via="+m.Via+" delivery="+m.Delivery)
	})
	return res, err
}

// responded stops the first-response timer and moves an open thread to
// pending (waiting for the graduate).
func responded(tx *Tx, t *ConsultThread) error {
	if t.FirstResponseAt == 0 && t.NeedsPersonAt != 0 {
		t.FirstResponseAt = tx.NowMs()
		if _, err := tx.Exec("UPDATE consult_rounds SET first_response_at = ? WHERE id = ?", t.FirstResponseAt, t.RoundID); err != nil {
			return err
		}
	}
	t.AwaitingSince = 0
	if t.Status == consult.Open {
		t.Status = consult.Pending
	}
	return nil
}

// ConsultDelivered records the outcome of a customer-service send; a
// closed window turns the message into a blocked one and the thread
// offers SMS.
func (db *DB) ConsultDelivered(ctx context.Context, hallID, messageID int64, sendErr error, windowClosed bool) error {
	return db.Write(ctx, func(tx *Tx) error {
		var threadID int64
		if err := tx.QueryRow("SELECT thread_id FROM consult_messages WHERE id = ? AND hall_id = ?", messageID, hallID).Scan(&threadID); err != nil {
			return notFound(err, "thread")
		}
		state := "sent"
		switch {
		case windowClosed:
			state = "blocked"
			if _, err := tx.Exec("UPDATE consult_threads SET offer = 'sms' WHERE id = ?", threadID); err != nil {
				return err
			}
		case sendErr != nil:
			state = "failed"
		}
		if _, err := tx.Exec("UPDATE consult_messages SET delivery = ? WHERE id = ?", state, messageID); err != nil {
			return err
		}
		detail := "delivery=" + state
		if sendErr != nil {
			detail += " err=" + sendErr.Error()
		}
		return tx.Audit("consult.delivery", fmt.Sprintf("thread:%d", threadID), detail)
	})
}

// ConsultSMS sends a reply by SMS through the outbox (the WeChat window
// has passed, or the graduate prefers it). The phone is the thread's
// confirmed one, else the one the graduate gave staff (phone).
func (db *DB) ConsultSMS(ctx context.Context, in ConsultReplyInput, phone string) (ConsultReplyResult, error) {
	var res ConsultReplyResult
	in.Body = strings.TrimSpace(in.Body)
	if in.Body == "" {
		return res, apperr.InvalidField("body", "consult.empty_message")
	}
	if err := limitRunes("body", in.Body, 300); err != nil {
		return res, err
	}
	if phone != "" && !pii.ValidMobile(phone) {
		return res, apperr.InvalidField("phone", "queue.bad_phone")
	}
	err := db.Write(ctx, func(tx *Tx) error {
		t, err := threadInTx(tx, in.HallID, in.ThreadID)
		if err != nil {
			return err
		}
		if phone == "" {
			if t.phoneEnc == "" {
				return apperr.InvalidField("phone", "consult.no_phone")
			}
			s, err := db.sealer()
			if err != nil {
				return err
			}
			if phone, err = s.OpenString(t.phoneEnc); err != nil {
				return err
			}
		}
		key := ""
		if in.IdempotencyKey != "" {
			key = fmt.Sprintf("sms:%d:%s", in.HallID, in.IdempotencyKey)
			if m, seen, err := messageByKey(tx, key); err != nil || seen {
				res.Message, res.Thread = m, t
				return err
			}
		}
		if _, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Kind: "consult_reply",
			Params: map[string]string{"text": in.Body}, HallID: in.HallID, DedupeKey: key}); err != nil {
			return err
		}
		m, err := insertMessage(tx, t, ConsultMessage{Direction: DirOut, Author: in.By, Body: in.Body, Via: "sms", Delivery: "sent"}, key)
		if err != nil {
			return err
		}
		if err := responded(tx, &t); err != nil {
			return err
		}
		t.Offer = ""
		if err := saveThread(tx, &t); err != nil {
			return err
		}
		res.Message, res.Thread = m, t
		return tx.Audit("consult.sms", fmt.Sprintf("thread:%d", t.ID), "")
	})
	return res, err
}

// ConsultCallback records that staff will call the graduate back instead
// (the thread stops offering SMS; a system line says so).
func (db *DB) ConsultCallback(ctx context.Context, hallID, threadID int64, by string) error {
	return db.Write(ctx, func(tx *Tx) error {
		t, err := threadInTx(tx, hallID, threadID)
		if err != nil {
			return err
		}
		if _, err := insertMessage(tx, t, ConsultMessage{Direction: DirSystem, Author: by, Body: "callback"}, ""); err != nil {
			return err
		}
		t.Offer = ""
		if !containsTag(t.Tags, "电话回访") {
			t.Tags = append(t.Tags, "电话回访")
		}
		if err := saveThread(tx, &t); err != nil {
			return err
		}
		return tx.Audit("consult.callback", fmt.Sprintf("thread:%d", t.ID), "")
	})
}

func containsTag(ts []string, s string) bool {
	for _, t := range ts {
		if t == s {
			return true
		}
	}
	return false
}

// ConsultStatus changes a thread's state. Resolving stops the round's
// timers and, on WeChat within the window, returns the rating prompt to
// send; reopening starts a new round that needs a person.
func (db *DB) ConsultStatus(ctx context.Context, hallID, threadID int64, to string, snoozeUntil time.Time, by string) (ConsultReplyResult, error) {
	var res ConsultReplyResult
	err := db.Write(ctx, func(tx *Tx) error {
		res = ConsultReplyResult{}
		t, err := threadInTx(tx, hallID, threadID)
		if err != nil {
			return err
		}
		if err := consult.Move(t.Status, to, snoozeUntil, tx.Now); err != nil {
			return err
		}
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		t.Status, t.SnoozeUntil = to, 0
		switch to {
		case consult.Snoozed:
			t.SnoozeUntil = snoozeUntil.UnixMilli()
		case consult.Resolved:
			t.ResolvedAt, t.ResolvedBy, t.WithPerson, t.AwaitingSince, t.Offer = tx.NowMs(), by, false, 0, ""
			if _, err := tx.Exec("UPDATE consult_rounds SET resolved_at = ?, resolved_by = ? WHERE id = ?", t.ResolvedAt, by, t.RoundID); err != nil {
				return err
			}
			if t.Channel == consult.WeChat {
				if ok, _ := consult.KF(msTime(t.LastInboundAt), t.KFSince, tx.Now); ok {
					m, err := insertMessage(tx, t, ConsultMessage{Direction: DirOut, Author: "auto", Body: i18n.T(i18n.ZhCN, "consult.rate_prompt"), Via: "kf", Delivery: "pending"}, "")
					if err != nil {
						return err
					}
					t.KFSince++
					if res.Send, err = sendOf(tx, t, m); err != nil {
						return err
					}
				}
			}
		case consult.Open:
			if t.ResolvedAt != 0 {
				if err := newRound(tx, &t, loc); err != nil {
					return err
				}
			}
			t.WithPerson, t.AwaitingSince = true, tx.NowMs()
			if t.NeedsPersonAt == 0 {
				t.NeedsPersonAt = tx.NowMs()
				if _, err := tx.Exec("UPDATE consult_rounds SET needs_person_at = ? WHERE id = ?", t.NeedsPersonAt, t.RoundID); err != nil {
					return err
				}
			}
		}
		if err := saveThread(tx, &t); err != nil {
			return err
		}
		res.Thread = t
		return tx.Audit("consult.status", fmt.Sprintf("thread:%d", t.ID), "to="+to)
	})
	return res, err
}

// ConsultAssign hands a thread over to a colleague: a consultant or the
// manager of the same hall (or nobody, with "").
func (db *DB) ConsultAssign(ctx context.Context, hallID, threadID int64, to, by string) error {
	return db.Write(ctx, func(tx *Tx) error {
		t, err := threadInTx(tx, hallID, threadID)
		if err != nil {
			return err
		}
		if to != "" {
			var n int
			if err := tx.QueryRow("SELECT COUNT(*) FROM users WHERE username = ? AND hall_id = ? AND disabled = 0 AND role IN (?, ?)",
				to, hallID, string(auth.Consultant), string(auth.HallManager)).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.InvalidField("assignee", "consult.not_consultant")
			}
		}
		from := t.Assignee
		t.Assignee = to
		if _, err := insertMessage(tx, t, ConsultMessage{Direction: DirSystem, Author: by, Body: dash(from) + " → " + dash(to)}, ""); err != nil {
			return err
		}
		if err := saveThread(tx, &t); err != nil {
			return err
		}
		return tx.Audit("consult.assign", fmt.Sprintf("thread:%d", t.ID), fmt.Sprintf("from=%s to=%s", from, to))
	})
}

// ConsultTags replaces a thread's topic tags.
func (db *DB) ConsultTags(ctx context.Context, hallID, threadID int64, tags []string) error {
	var clean []string
	for _, tg := range tags {
		tg = strings.TrimSpace(strings.ReplaceAll(tg, ",", " "))
		if tg != "" && !containsTag(clean, tg) {
			if err := limitRunes("tags", tg, 20); err != nil {
				return err
			}
			clean = append(clean, tg)
		}
	}
	if len(clean) > 10 {
		return apperr.InvalidField("tags", "err.too_long", "tags", 10)
	}
	return db.Write(ctx, func(tx *Tx) error {
		t, err := threadInTx(tx, hallID, threadID)
		if err != nil {
			return err
		}
		t.Tags = clean
		if err := saveThread(tx, &t); err != nil {
			return err
		}
		return tx.Audit("consult.tags", fmt.Sprintf("thread:%d", t.ID), strings.Join(clean, ","))
	})
}

// rateInTx records a rating of the thread's resolved round; the two lowest
// levels are flagged for rectification.
func rateInTx(tx *Tx, t *ConsultThread, level int, comment string) error {
	if !consult.ValidLevel(level) {
		return apperr.InvalidField("level", "consult.bad_level")
	}
	if t.ResolvedAt == 0 || t.ResolvedBy == "auto" {
		return apperr.New(apperr.Conflict, "consult.not_resolved")
	}
	if t.Rating != 0 {
		return apperr.New(apperr.Conflict, "consult.already_rated")
	}
	if _, err := tx.Exec("UPDATE consult_rounds SET rating = ?, rated_at = ? WHERE id = ?", level, tx.NowMs(), t.RoundID); err != nil {
		return err
	}
	t.Rating = level
	if consult.Flagged(level) {
		flagID, err := tx.InsertID("INSERT INTO consult_flags (hall_id, thread_id, round_id, level, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			t.HallID, t.ID, t.RoundID, level, comment, tx.NowMs())
		if err != nil {
			return err
		}
		// The feedback area's rectification flow takes it over at once.
		if err := consultRectification(tx, t, flagID, level, comment); err != nil {
			return err
		}
	}
	return tx.Audit("consult.rate", fmt.Sprintf("thread:%d", t.ID), fmt.Sprintf("level=%d", level))
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
