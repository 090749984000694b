package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/consult"
	"mingbai/internal/i18n"
	"mingbai/internal/workday"
)

// Graduate consultation: threads, rounds and messages. A thread is one
// graduate on one channel; a round runs from a question to its resolution
// (an FAQ answer resolves its round at once); messages are the graduate's,
// the replies, internal notes and system lines.

// Message directions.
const (
	DirIn     = "in"
	DirOut    = "out"
	DirNote   = "note"
	DirSystem = "system"
)

// ConsultThread is a thread as staff see it.
type ConsultThread struct {
	ID            int64    `json:"id"`
	HallID        int64    `json:"hall_id"`
	Channel       string   `json:"channel"`
	Graduate      string   `json:"graduate"` // masked OpenID or phone
	HasPhone      bool     `json:"has_phone"`
	Status        string   `json:"status"`
	Assignee      string   `json:"assignee"`
	Tags          []string `json:"tags"`
	RoundID       int64    `json:"round_id"`
	AwaitingSince int64    `json:"awaiting_since"`
	WithPerson    bool     `json:"with_person"`
	LastInboundAt int64    `json:"last_inbound_at"`
	KFSince       int      `json:"kf_since"`
	SnoozeUntil   int64    `json:"snooze_until"`
	// Offer is "sms" when WeChat's window has passed and the thread offers
	// an SMS or a phone call-back instead.
	Offer     string `json:"offer"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`

	// Round figures and timers (filled by the queue and thread reads).
	OpenedAt        int64          `json:"opened_at"`
	NeedsPersonAt   int64          `json:"needs_person_at"`
	FirstResponseAt int64          `json:"first_response_at"`
	ResolvedAt      int64          `json:"resolved_at"`
	ResolvedBy      string         `json:"resolved_by"`
	Rating          int            `json:"rating"`
	FirstResponse   *consult.Timer `json:"first_response,omitempty"`
	Resolution      *consult.Timer `json:"resolution,omitempty"`

	graduateKey string
	// openIDEnc is the sealed WeChat OpenID (graduateKey is its blind index).
	openIDEnc string
	phoneEnc  string
}

// ConsultMessage is one line of a thread.
type ConsultMessage struct {
	ID        int64  `json:"id"`
	ThreadID  int64  `json:"thread_id"`
	RoundID   int64  `json:"round_id"`
	Direction string `json:"direction"`
	Author    string `json:"author"`
	Body      string `json:"body"`
	Via       string `json:"via"`
	Delivery  string `json:"delivery"`
	FAQCode   string `json:"faq_code,omitempty"`
	CreatedAt int64  `json:"created_at"`
}

const threadCols = `t.id, t.hall_id, t.channel, t.graduate_key, t.openid_enc, t.phone_enc, t.phone_masked, t.status, t.assignee, t.tags, t.round_id,
 t.awaiting_since, t.with_person, t.last_inbound_at, t.kf_since, t.snooze_until, t.offer, t.created_at, t.updated_at,
 COALESCE(r.opened_at, 0), COALESCE(r.needs_person_at, 0), COALESCE(r.first_response_at, 0), COALESCE(r.resolved_at, 0), COALESCE(r.resolved_by, ''), COALESCE(r.rating, 0)`

const threadFrom = ` FROM consult_threads t LEFT JOIN consult_rounds r ON r.id = t.round_id `

func scanThread(row interface{ Scan(...any) error }) (ConsultThread, error) {
	var t ConsultThread
	var tags, masked string
	var with int
	err := row.Scan(&t.ID, &t.HallID, &t.Channel, &t.graduateKey, &t.openIDEnc, &t.phoneEnc, &masked, &t.Status, &t.Assignee, &tags, &t.RoundID,
		&t.AwaitingSince, &with, &t.LastInboundAt, &t.KFSince, &t.SnoozeUntil, &t.Offer, &t.CreatedAt, &t.UpdatedAt,
		&t.OpenedAt, &t.NeedsPersonAt, &t.FirstResponseAt, &t.ResolvedAt, &t.ResolvedBy, &t.Rating)
	t.WithPerson = with != 0
	t.HasPhone = t.phoneEnc != ""
	t.Tags = splitTags(tags)
	switch {
	case masked != "":
		t.Graduate = masked
	case len(t.graduateKey) > 6:
		t.Graduate = "…" + t.graduateKey[len(t.graduateKey)-6:]
	default:
		t.Graduate = "…"
	}
	return t, err
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// threadInTx reads a thread of a hall; another hall's thread is not found.
func threadInTx(tx *Tx, hallID, id int64) (ConsultThread, error) {
	t, err := scanThread(tx.QueryRow("SELECT "+threadCols+threadFrom+"WHERE t.id = ? AND t.hall_id = ?", id, hallID))
	return t, notFound(err, "thread")
}

func consultSettings(tx *Tx, hallID int64) (consult.Hours, consult.Targets, error) {
	_, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return consult.Hours{}, consult.Targets{}, err
	}
	h := consult.Hours{Open: "09:00", Close: "17:00", Loc: loc}
	tg := consult.DefaultTargets
	err = tx.QueryRow("SELECT staffed_open, staffed_close, first_response_min, resolution_min FROM consult_settings WHERE hall_id = ?", hallID).
		Scan(&h.Open, &h.Close, &tg.FirstResponse, &tg.Resolution)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, tg, err
	}
	if h.Cal, err = loadCalendar(tx); err != nil {
		return h, tg, err
	}
	return h, tg, nil
}

// ConsultHours returns a hall's staffed hours (on the working-day
// calendar) and its targets.
func (db *DB) ConsultHours(ctx context.Context, hallID int64) (consult.Hours, consult.Targets, error) {
	var h consult.Hours
	var tg consult.Targets
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		h, tg, err = consultSettings(tx, hallID)
		return err
	})
	return h, tg, err
}

// SetConsultSettings changes a hall's staffed hours and targets.
func (db *DB) SetConsultSettings(ctx context.Context, hallID int64, open, close string, tg consult.Targets) error {
	if open >= close || len(open) != 5 || len(close) != 5 || tg.FirstResponse <= 0 || tg.Resolution <= 0 {
		return apperr.New(apperr.Invalid, "consult.bad_settings")
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM consult_settings WHERE hall_id = ?", hallID); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO consult_settings (hall_id, staffed_open, staffed_close, first_response_min, resolution_min, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			hallID, open, close, tg.FirstResponse, tg.Resolution, tx.NowMs()); err != nil {
			return err
		}
		return tx.Audit("consult.settings", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("%s-%s first=%d resolution=%d", open, close, tg.FirstResponse, tg.Resolution))
	})
}

// withTimers fills the timers of a thread's current round.
func withTimers(t *ConsultThread, h consult.Hours, tg consult.Targets, now time.Time) {
	if t.NeedsPersonAt == 0 {
		return
	}
	start := time.UnixMilli(t.NeedsPersonAt)
	if fr, err := h.Timer(start, msTime(t.FirstResponseAt), now, tg.FirstResponse); err == nil {
		t.FirstResponse = &fr
	}
	if rs, err := h.Timer(time.UnixMilli(t.OpenedAt), msTime(t.ResolvedAt), now, tg.Resolution); err == nil {
		t.Resolution = &rs
	}
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func insertMessage(tx *Tx, t ConsultThread, m ConsultMessage, dedupe string) (ConsultMessage, error) {
	var key any
	if dedupe != "" {
		key = dedupe
	}
	m.ThreadID, m.RoundID, m.CreatedAt = t.ID, t.RoundID, tx.NowMs()
	s, err := tx.db.sealer()
	if err != nil {
		return m, err
	}
	id, err := tx.InsertID("INSERT INTO consult_messages (thread_id, hall_id, round_id, direction, author, body, body_enc, via, delivery, faq_code, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
		t.ID, t.HallID, t.RoundID, m.Direction, m.Author, s.SealString(m.Body), m.Via, m.Delivery, m.FAQCode, key, m.CreatedAt)
	m.ID = id
	return m, err
}

// messageByKey finds a message by its de-duplication key.
func messageByKey(tx *Tx, key string) (ConsultMessage, bool, error) {
	m, err := scanMessage(tx, tx.QueryRow("SELECT "+messageCols+" FROM consult_messages WHERE dedupe_key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	return m, err == nil, err
}

// newRound starts a round of the thread at the transaction's time.
func newRound(tx *Tx, t *ConsultThread, loc *time.Location) error {
	id, err := tx.InsertID("INSERT INTO consult_rounds (thread_id, hall_id, opened_at, opened_date) VALUES (?, ?, ?, ?)",
		t.ID, t.HallID, tx.NowMs(), workday.DateOf(tx.Now.In(loc)).String())
	if err != nil {
		return err
	}
	t.RoundID, t.OpenedAt, t.NeedsPersonAt, t.FirstResponseAt, t.ResolvedAt, t.Rating = id, tx.NowMs(), 0, 0, 0, 0
	_, err = tx.Exec("UPDATE consult_threads SET round_id = ? WHERE id = ?", id, t.ID)
	return err
}

func saveThread(tx *Tx, t *ConsultThread) error {
	t.UpdatedAt = tx.NowMs()
	_, err := tx.Exec(`UPDATE consult_threads SET status = ?, assignee = ?, tags = ?, round_id = ?, awaiting_since = ?, with_person = ?,
 last_inbound_at = ?, kf_since = ?, snooze_until = ?, offer = ?, updated_at = ? WHERE id = ?`,
		t.Status, t.Assignee, strings.Join(t.Tags, ","), t.RoundID, t.AwaitingSince, b2i(t.WithPerson), t.LastInboundAt, t.KFSince, t.SnoozeUntil, t.Offer, t.UpdatedAt, t.ID)
	return err
}

// ConsultInbound is a graduate's message as a channel delivers it.
type ConsultInbound struct {
	HallID  int64
	Channel string
	// GraduateKey is the WeChat OpenID (the web channel's threads are
	// created by ConsultWebStart and addressed by ThreadID).
	GraduateKey string
	ThreadID    int64
	// Kind is "text", "subscribe", "click" (menu, EventKey = an FAQ code)
	// or "other" (a picture, a voice message …).
	Kind     string
	Body     string
	EventKey string
	// DedupeKey identifies the message across the platform's retries.
	DedupeKey string
}

// ConsultReceived says what became of an inbound message.
type ConsultReceived struct {
	Thread ConsultThread
	// Duplicate: the message was seen before; nothing was stored and no
	// reply must be sent again.
	Duplicate bool
	// Reply is the automatic reply to send ("" for none), ReplyID its
	// message.
	Reply   string
	ReplyID int64
}

// ConsultReceive stores a graduate's message and its automatic reply in
// one transaction: the thread is found or created, a round opened when
// none is running, the FAQ consulted (unless a person is on the thread),
// "人工" hands over to a person, and outside staffed hours the reply says
// when a person will answer. A message seen before (same DedupeKey)
// changes nothing.
func (db *DB) ConsultReceive(ctx context.Context, in ConsultInbound) (ConsultReceived, error) {
	var res ConsultReceived
	if in.Channel != consult.WeChat && in.Channel != consult.Web {
		return res, apperr.InvalidField("channel", "err.bad_value", "channel", in.Channel)
	}
	if in.Kind == "text" && strings.TrimSpace(in.Body) == "" {
		return res, apperr.InvalidField("body", "consult.empty_message")
	}
	if err := limitRunes("body", in.Body, 2000); err != nil {
		return res, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		res = ConsultReceived{}
		if in.DedupeKey != "" {
			m, seen, err := messageByKey(tx, in.DedupeKey)
			if err != nil {
				return err
			}
			if seen {
				res.Duplicate = true
				res.Thread, err = threadInTx(tx, in.HallID, m.ThreadID)
				return err
			}
		}
		hours, _, err := consultSettings(tx, in.HallID)
		if err != nil {
			return err
		}
		t, err := findOrCreateThread(tx, in)
		if err != nil {
			return err
		}
		return receive(tx, &res, &t, in, hours)
	})
	if apperr.Is(err, apperr.Conflict) && in.DedupeKey != "" {
		// A retry raced the first delivery on another connection: the
		// first one stored the message.
		return ConsultReceived{Duplicate: true}, nil
	}
	return res, err
}

func findOrCreateThread(tx *Tx, in ConsultInbound) (ConsultThread, error) {
	if in.ThreadID != 0 {
		return threadInTx(tx, in.HallID, in.ThreadID)
	}
	if strings.TrimSpace(in.GraduateKey) == "" || len(in.GraduateKey) > 128 {
		return ConsultThread{}, apperr.InvalidField("graduate", "err.bad_value", "graduate", "openid")
	}
	s, err := tx.db.sealer()
	if err != nil {
		return ConsultThread{}, err
	}
	blind := openIDBlind(s, in.GraduateKey)
	t, err := scanThread(tx.QueryRow("SELECT "+threadCols+threadFrom+"WHERE t.hall_id = ? AND t.channel = ? AND t.graduate_key = ?", in.HallID, in.Channel, blind))
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return t, err
	}
	id, err := tx.InsertID("INSERT INTO consult_threads (hall_id, channel, graduate_key, openid_enc, phone_masked, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		in.HallID, in.Channel, blind, s.SealString(in.GraduateKey), openIDTail(in.GraduateKey), consult.Resolved, tx.NowMs(), tx.NowMs())
	if err != nil {
		return t, err
	}
	if err := tx.Audit("consult.thread", fmt.Sprintf("thread:%d", id), "channel="+in.Channel); err != nil {
		return t, err
	}
	return threadInTx(tx, in.HallID, id)
}

func receive(tx *Tx, res *ConsultReceived, t *ConsultThread, in ConsultInbound, hours consult.Hours) error {
	lang := i18n.ZhCN
	in.Body = strings.TrimSpace(in.Body)
	if in.Kind == "subscribe" {
		if _, err := insertMessage(tx, *t, ConsultMessage{Direction: DirSystem, Body: "subscribe"}, in.DedupeKey); err != nil {
			return err
		}
		res.Thread, res.Reply = *t, i18n.T(lang, "consult.welcome")
		return tx.Audit("consult.subscribe", fmt.Sprintf("thread:%d", t.ID), "")
	}
	entries, err := faqInTx(tx, t.HallID, false)
	if err != nil {
		return err
	}
	// A menu click names an FAQ entry by its code; it is recorded as the
	// entry's question.
	if in.Kind == "click" {
		for _, e := range entries {
			if e.Code == in.EventKey && !e.Retired {
				in.Body = e.Question
				for _, k := range e.Keywords {
					if !k.Exact {
						in.Body = e.Question + " " + k.Text
						break
					}
				}
			}
		}
		if in.Body == "" {
			in.Body = in.EventKey
		}
	}
	if in.Kind == "other" {
		in.Body = "[" + in.EventKey + "]"
	}
	// A digit after the rating prompt of a resolved round is a rating.
	if t.Status == consult.Resolved && t.ResolvedBy != "auto" && t.ResolvedBy != "" && t.Rating == 0 && len(in.Body) == 1 && in.Body[0] >= '1' && in.Body[0] <= '5' {
		if _, err := insertMessage(tx, *t, ConsultMessage{Direction: DirIn, Body: in.Body}, in.DedupeKey); err != nil {
			return err
		}
		if err := rateInTx(tx, t, int(in.Body[0]-'0'), ""); err != nil {
			return err
		}
		res.Thread, res.Reply = *t, i18n.T(lang, "consult.rate_thanks")
		return saveThread(tx, t)
	}
	now := tx.Now
	if t.RoundID == 0 || t.ResolvedAt != 0 {
		if err := newRound(tx, t, hours.Loc); err != nil {
			return err
		}
	}
	msg, err := insertMessage(tx, *t, ConsultMessage{Direction: DirIn, Body: in.Body}, in.DedupeKey)
	if err != nil {
		return err
	}
	t.LastInboundAt, t.KFSince = msg.CreatedAt, 0
	staffed, err := hours.Staffed(now)
	if err != nil {
		return err
	}
	next, err := hours.NextStaffed(now)
	if err != nil {
		return err
	}
	d := consult.Decide(in.Body, entries, t.WithPerson, staffed, next)
	if in.Kind == "other" {
		d = consult.Decision{Kind: "other"}
	}
	reply := consult.ReplyText(lang, d, hours.Loc)
	switch d.Kind {
	case "faq":
		// Answered from the knowledge base: the round is resolved at once
		// (no person needed, no rating asked).
		t.Status = consult.Resolved
		if _, err := tx.Exec("UPDATE consult_rounds SET resolved_at = ?, resolved_by = 'auto' WHERE id = ?", tx.NowMs(), t.RoundID); err != nil {
			return err
		}
		t.ResolvedAt, t.ResolvedBy = tx.NowMs(), "auto"
	case "other":
		reply = i18n.T(lang, "consult.not_text")
	default:
		if d.Kind == "" && !t.WithPerson {
			break
		}
		// A person is needed: the first-response timer runs from the first
		// message that needs one.
		t.WithPerson, t.Status, t.SnoozeUntil = true, consult.Open, 0
		if t.AwaitingSince == 0 {
			t.AwaitingSince = msg.CreatedAt
		}
		if t.NeedsPersonAt == 0 {
			t.NeedsPersonAt = msg.CreatedAt
			if _, err := tx.Exec("UPDATE consult_rounds SET needs_person_at = ? WHERE id = ?", msg.CreatedAt, t.RoundID); err != nil {
				return err
			}
		}
		if d.Kind == "queued" && t.AwaitingSince != msg.CreatedAt {
			// Already waiting for a person: one acknowledgement is enough.
			reply = ""
		}
	}
	if err := saveThread(tx, t); err != nil {
		return err
	}
	if reply != "" {
		via, delivery := "passive", "sent"
		if in.Channel == consult.Web {
			via = "web"
		}
		m, err := insertMessage(tx, *t, ConsultMessage{Direction: DirOut, Author: "auto", Body: reply, Via: via, Delivery: delivery, FAQCode: d.Entry.Code}, "")
		if err != nil {
			return err
		}
		res.Reply, res.ReplyID = reply, m.ID
	}
	res.Thread = *t
	return tx.Audit("consult.receive", fmt.Sprintf("thread:%d", t.ID), fmt.Sprintf("channel=%s kind=%s auto=%s faq=%s", t.Channel, in.Kind, d.Kind, d.Entry.Code))
}

// ConsultReplyLate records that an automatic reply went through the
// customer-service API because it came after the passive-reply limit: it
// uses one of the thread's customer-service messages.
func (db *DB) ConsultReplyLate(ctx context.Context, hallID, messageID int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		var threadID int64
		if err := tx.QueryRow("SELECT thread_id FROM consult_messages WHERE id = ? AND hall_id = ?", messageID, hallID).Scan(&threadID); err != nil {
			return notFound(err, "thread")
		}
		if _, err := tx.Exec("UPDATE consult_messages SET via = 'kf', delivery = 'pending' WHERE id = ?", messageID); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE consult_threads SET kf_since = kf_since + 1 WHERE id = ?", threadID); err != nil {
			return err
		}
		return tx.Audit("consult.late_reply", fmt.Sprintf("thread:%d", threadID), fmt.Sprintf("message=%d", messageID))
	})
}

func limitRunes(field, v string, max int) error {
	if len([]rune(v)) > max {
		return apperr.InvalidField(field, "err.too_long", field, max)
	}
	return nil
}
