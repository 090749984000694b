package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/consult"
	"mingbai/internal/pii"
)

// Reads of consultation threads, and the web channel's entry point.

// ConsultQueueFilter selects threads of the console queue.
type ConsultQueueFilter struct {
	HallID int64
	// Status is one state, "active" (open, pending, snoozed: the default)
	// or "all".
	Status   string
	Assignee string
	Limit    int
}

// ConsultQueue lists a hall's threads with their round timers: threads
// that wait for a person first, longest waiting first.
func (db *DB) ConsultQueue(ctx context.Context, f ConsultQueueFilter) ([]ConsultThread, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	var out []ConsultThread
	err := db.Read(ctx, func(tx *Tx) error {
		h, tg, err := consultSettings(tx, f.HallID)
		if err != nil {
			return err
		}
		q := "SELECT " + threadCols + threadFrom + "WHERE t.hall_id = ?"
		args := []any{f.HallID}
		switch f.Status {
		case "", "active":
			q += " AND t.status <> 'resolved'"
		case "all":
		default:
			if !consult.ValidStatus(f.Status) {
				return apperr.InvalidField("status", "consult.bad_status", f.Status)
			}
			q += " AND t.status = ?"
			args = append(args, f.Status)
		}
		if f.Assignee != "" {
			q += " AND t.assignee = ?"
			args = append(args, f.Assignee)
		}
		q += " ORDER BY t.updated_at DESC LIMIT ?"
		args = append(args, f.Limit)
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanThread(rows)
			if err != nil {
				return err
			}
			t.Status = consult.Effective(t.Status, msTime(t.SnoozeUntil), tx.Now)
			withTimers(&t, h, tg, tx.Now)
			out = append(out, t)
		}
		return rows.Err()
	})
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.AwaitingSince != 0) != (b.AwaitingSince != 0) {
			return a.AwaitingSince != 0
		}
		if a.AwaitingSince != b.AwaitingSince {
			return a.AwaitingSince < b.AwaitingSince
		}
		return a.UpdatedAt > b.UpdatedAt
	})
	return out, err
}

// ConsultThreadView is a thread with its messages.
type ConsultThreadView struct {
	Thread   ConsultThread    `json:"thread"`
	Messages []ConsultMessage `json:"messages"`
}

func messagesOf(tx *Tx, threadID int64, withNotes bool) ([]ConsultMessage, error) {
	q := "SELECT " + messageCols + " FROM consult_messages WHERE thread_id = ?"
	if !withNotes {
		// What the graduate sees: their messages and the replies that
		// reached them; never notes, system lines or blocked replies.
		q += " AND direction IN ('in', 'out') AND delivery <> 'blocked'"
	}
	rows, err := tx.Query(q+" ORDER BY id", threadID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConsultMessage
	for rows.Next() {
		m, err := scanMessage(tx, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ConsultThreadFor reads a thread of a hall with every message, notes
// included (staff view).
func (db *DB) ConsultThreadFor(ctx context.Context, hallID, id int64) (ConsultThreadView, error) {
	var v ConsultThreadView
	err := db.Read(ctx, func(tx *Tx) error {
		h, tg, err := consultSettings(tx, hallID)
		if err != nil {
			return err
		}
		if v.Thread, err = threadInTx(tx, hallID, id); err != nil {
			return err
		}
		v.Thread.Status = consult.Effective(v.Thread.Status, msTime(v.Thread.SnoozeUntil), tx.Now)
		withTimers(&v.Thread, h, tg, tx.Now)
		v.Messages, err = messagesOf(tx, id, true)
		return err
	})
	return v, err
}

// ConsultThreadHall returns the hall of a thread (for the web layer's
// check that the caller may act in it).
func (db *DB) ConsultThreadHall(ctx context.Context, id int64) (int64, error) {
	var hall int64
	err := db.Read(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRow("SELECT hall_id FROM consult_threads WHERE id = ?", id).Scan(&hall), "thread")
	})
	return hall, err
}

// ConsultWebStart opens (or finds) the web thread of a graduate whose
// phone was just confirmed by an SMS code, and returns a fresh secret
// token for the graduate's page. Each start replaces the token, so an old
// link stops working.
func (db *DB) ConsultWebStart(ctx context.Context, hallID int64, phone, code string) (string, error) {
	if !pii.ValidMobile(phone) {
		return "", apperr.InvalidField("phone", "queue.bad_phone")
	}
	s, err := db.sealer()
	if err != nil {
		return "", err
	}
	var token string
	var bad *badCodeError
	err = db.Write(ctx, func(tx *Tx) error {
		if err := usePhoneCode(tx, hallID, phone, code); err != nil {
			return err
		}
		blind := s.Blind(phone)
		token = newSecret(18)
		var id int64
		err := tx.QueryRow("SELECT id FROM consult_threads WHERE hall_id = ? AND channel = ? AND graduate_key = ?", hallID, consult.Web, blind).Scan(&id)
		switch {
		case errors.Is(err, ErrNoRows):
			id, err = tx.InsertID("INSERT INTO consult_threads (hall_id, channel, graduate_key, phone_enc, phone_masked, web_token, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				hallID, consult.Web, blind, s.SealString(phone), pii.MaskMobile(phone), token, consult.Resolved, tx.NowMs(), tx.NowMs())
			if err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.Exec("UPDATE consult_threads SET web_token = ? WHERE id = ?", token, id); err != nil {
				return err
			}
		}
		return tx.Audit("consult.web_start", fmt.Sprintf("thread:%d", id), "")
	})
	if errors.As(err, &bad) {
		db.countCodeAttempt(ctx, bad.id)
		return "", apperr.InvalidField("sms_code", "queue.bad_code")
	}
	return token, err
}

// ConsultWebThread is the graduate's view of a web thread by its token:
// no notes, no system lines, the phone masked.
func (db *DB) ConsultWebThread(ctx context.Context, token string) (ConsultThreadView, error) {
	var v ConsultThreadView
	if token == "" || len(token) > 64 {
		return v, apperr.NotFoundOf("thread")
	}
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		v.Thread, err = scanThread(tx.QueryRow("SELECT "+threadCols+threadFrom+"WHERE t.web_token = ?", token))
		if err != nil {
			return notFound(err, "thread")
		}
		v.Messages, err = messagesOf(tx, v.Thread.ID, false)
		return err
	})
	return v, err
}

// ConsultWebRate rates the resolved round of a web thread.
func (db *DB) ConsultWebRate(ctx context.Context, token string, level int, comment string) error {
	if err := limitRunes("comment", comment, 300); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		t, err := scanThread(tx.QueryRow("SELECT "+threadCols+threadFrom+"WHERE t.web_token = ?", token))
		if err != nil {
			return notFound(err, "thread")
		}
		return rateInTx(tx, &t, level, strings.TrimSpace(comment))
	})
}

// ConsultFlag is a low rating waiting for rectification.
type ConsultFlag struct {
	ID        int64  `json:"id"`
	HallID    int64  `json:"hall_id"`
	ThreadID  int64  `json:"thread_id"`
	RoundID   int64  `json:"round_id"`
	Level     int    `json:"level"`
	Comment   string `json:"comment"`
	State     string `json:"state"`
	Assignee  string `json:"assignee"`
	CreatedAt int64  `json:"created_at"`
}

// ConsultFlags lists a hall's flagged ratings in a state ("open" or
// "taken"; "" for both). This and TakeConsultFlag are the hook for the
// feedback area's rectification flow.
func (db *DB) ConsultFlags(ctx context.Context, hallID int64, state string) ([]ConsultFlag, error) {
	var out []ConsultFlag
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT f.id, f.hall_id, f.thread_id, f.round_id, f.level, f.comment, f.state, t.assignee, f.created_at FROM consult_flags f JOIN consult_threads t ON t.id = f.thread_id WHERE f.hall_id = ?"
		args := []any{hallID}
		if state != "" {
			q += " AND f.state = ?"
			args = append(args, state)
		}
		rows, err := tx.Query(q+" ORDER BY f.id DESC LIMIT 500", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f ConsultFlag
			if err := rows.Scan(&f.ID, &f.HallID, &f.ThreadID, &f.RoundID, &f.Level, &f.Comment, &f.State, &f.Assignee, &f.CreatedAt); err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	return out, err
}

// TakeConsultFlag marks a flagged rating as taken over by the
// rectification flow (ref names the rectification record). Taking a
// taken flag is a conflict, so the flow cannot take it twice.
func (db *DB) TakeConsultFlag(ctx context.Context, hallID, id int64, ref string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE consult_flags SET state = 'taken' WHERE id = ? AND hall_id = ? AND state = 'open'", id, hallID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "err.conflict", "consult_flag")
		}
		return tx.Audit("consult.flag_taken", fmt.Sprintf("consult_flag:%d", id), ref)
	})
}

// ConsultDay is the daily report of a hall's consultation service.
type ConsultDay struct {
	Day string `json:"day"`
	// Rounds opened that day: answered by the FAQ alone, and needing a
	// person.
	Volume    int            `json:"volume"`
	Automatic int            `json:"automatic"`
	Person    int            `json:"person"`
	ByChannel map[string]int `json:"by_channel"`
	// Mean staffed minutes to the first response and to resolution of
	// the rounds that needed a person (only those that got there), and how
	// many were within the hall's targets.
	FirstResponseMean float64 `json:"first_response_mean_minutes"`
	FirstResponseN    int     `json:"first_response_n"`
	FirstResponseMet  int     `json:"first_response_met"`
	ResolutionMean    float64 `json:"resolution_mean_minutes"`
	ResolutionN       int     `json:"resolution_n"`
	ResolutionMet     int     `json:"resolution_met"`
	// Ratings given to the day's rounds, per level (5 … 1), their mean.
	Ratings    map[int]int     `json:"ratings"`
	RatingMean float64         `json:"rating_mean"`
	Flagged    int             `json:"flagged"`
	Targets    consult.Targets `json:"targets"`
}

// ConsultReport computes the daily report for a day (hall time).
func (db *DB) ConsultReport(ctx context.Context, hallID int64, day string) (ConsultDay, error) {
	r := ConsultDay{Day: day, ByChannel: map[string]int{}, Ratings: map[int]int{}}
	err := db.Read(ctx, func(tx *Tx) error {
		h, tg, err := consultSettings(tx, hallID)
		if err != nil {
			return err
		}
		r.Targets = tg
		rows, err := tx.Query(`SELECT t.channel, r.opened_at, r.needs_person_at, r.first_response_at, r.resolved_at, r.resolved_by, r.rating
 FROM consult_rounds r JOIN consult_threads t ON t.id = r.thread_id WHERE r.hall_id = ? AND r.opened_date = ?`, hallID, day)
		if err != nil {
			return err
		}
		defer rows.Close()
		var frSum, rsSum, ratingSum, rated int
		for rows.Next() {
			var ch, by string
			var opened, needs, first, resolved int64
			var rating int
			if err := rows.Scan(&ch, &opened, &needs, &first, &resolved, &by, &rating); err != nil {
				return err
			}
			r.Volume++
			r.ByChannel[ch]++
			if needs == 0 {
				r.Automatic++
			} else {
				r.Person++
				if first != 0 {
					m, err := h.Minutes(time.UnixMilli(needs), time.UnixMilli(first))
					if err != nil {
						return err
					}
					frSum += m
					r.FirstResponseN++
					if m <= tg.FirstResponse {
						r.FirstResponseMet++
					}
				}
				if resolved != 0 {
					m, err := h.Minutes(time.UnixMilli(opened), time.UnixMilli(resolved))
					if err != nil {
						return err
					}
					rsSum += m
					r.ResolutionN++
					if m <= tg.Resolution {
						r.ResolutionMet++
					}
				}
			}
			if rating != 0 {
				r.Ratings[rating]++
				ratingSum += rating
				rated++
				if consult.Flagged(rating) {
					r.Flagged++
				}
			}
		}
		if r.FirstResponseN > 0 {
			r.FirstResponseMean = float64(frSum) / float64(r.FirstResponseN)
		}
		if r.ResolutionN > 0 {
			r.ResolutionMean = float64(rsSum) / float64(r.ResolutionN)
		}
		if rated > 0 {
			r.RatingMean = float64(ratingSum) / float64(rated)
		}
		return rows.Err()
	})
	return r, err
}
