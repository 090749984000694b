package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/feedback"
	"mingbai/internal/pii"
	"mingbai/internal/workday"
)

// CallTarget is the next person a callback operator calls: the service
// they had, never their phone (revealed separately, audited, while calling).
type CallTarget struct {
	DrawID      int64  `json:"draw_id"`
	RecordID    string `json:"record_id"`
	Stratum     string `json:"stratum"`
	Kind        string `json:"service_kind"`
	ServiceRef  string `json:"service_ref"`
	Item        string `json:"item"`
	Zone        string `json:"zone"`
	StaffName   string `json:"staff_name"`
	ServedAt    int64  `json:"served_at"`
	PhoneMasked string `json:"phone_masked"`
	Attempts    int    `json:"attempts"`
	Replacement bool   `json:"replacement"`
}

// servicePhone returns the phone of a ticket or case (plain, for the call).
func servicePhone(tx *Tx, s *pii.Sealer, kind string, id int64) (string, error) {
	switch kind {
	case ServiceTicket:
		var p, enc string
		if err := tx.QueryRow("SELECT phone, phone_enc FROM tickets WHERE id = ?", id).Scan(&p, &enc); err != nil {
			return "", notFound(err, "ticket")
		}
		if enc != "" {
			return s.OpenString(enc)
		}
		return p, nil
	case ServiceCase:
		var enc string
		if err := tx.QueryRow("SELECT phone_enc FROM cases WHERE id = ?", id).Scan(&enc); err != nil {
			return "", notFound(err, "case")
		}
		if enc == "" {
			return "", nil
		}
		return s.OpenString(enc)
	}
	return "", apperr.InvalidField("service_kind", "fb.err.service_kind")
}

type drawRecord struct {
	recordID, stratum, kind, status string
	serviceID                       int64
	inSample, active                bool
}

func drawRecordTx(tx *Tx, hallID, drawID int64, recordID string) (Draw, drawRecord, error) {
	var r drawRecord
	d, err := drawTx(tx, hallID, drawID)
	if err != nil {
		return d, r, err
	}
	var in, active int
	err = tx.QueryRow(`SELECT record_id, stratum, service_kind, service_id, status, in_sample, active FROM draw_records
		WHERE draw_id = ? AND record_id = ? AND excluded = ''`, drawID, recordID).
		Scan(&r.recordID, &r.stratum, &r.kind, &r.serviceID, &r.status, &in, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && active == 0) {
		return d, r, apperr.New(apperr.Invalid, "fb.err.not_in_draw")
	}
	r.inSample, r.active = in == 1, active == 1
	return d, r, err
}

func attemptSlots(tx *Tx, drawID int64, recordID string) ([][2]string, error) {
	rows, err := tx.Query("SELECT day, part FROM callback_attempts WHERE draw_id = ? AND record_id = ? ORDER BY id", drawID, recordID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var s [2]string
		if err := rows.Scan(&s[0], &s[1]); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// NextCallTarget returns the next person of a seeded draw to call now: an
// active record still pending whose earlier attempts were all on another
// day or part of the day, in stratum and seeded order. Not found when
// nobody can be called now.
func (db *DB) NextCallTarget(ctx context.Context, hallID, drawID int64) (CallTarget, error) {
	var t CallTarget
	s, err := db.sealer()
	if err != nil {
		return t, err
	}
	err = db.Read(ctx, func(tx *Tx) error {
		d, err := drawTx(tx, hallID, drawID)
		if err != nil {
			return err
		}
		if d.Seed == "" {
			return apperr.New(apperr.Invalid, "fb.err.no_seed")
		}
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		now := tx.Now.In(loc)
		day, part := now.Format("2006-01-02"), feedback.DayPart(now.Hour())
		rows, err := tx.Query(`SELECT record_id, stratum, service_kind, service_id, in_sample FROM draw_records
			WHERE draw_id = ? AND active = 1 AND status = '' ORDER BY stratum, pos`, drawID)
		if err != nil {
			return err
		}
		type cand struct {
			id, stratum, kind string
			sid               int64
			in                int
		}
		var cs []cand
		for rows.Next() {
			var c cand
			if err := rows.Scan(&c.id, &c.stratum, &c.kind, &c.sid, &c.in); err != nil {
				rows.Close()
				return err
			}
			cs = append(cs, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range cs {
			prev, err := attemptSlots(tx, drawID, c.id)
			if err != nil {
				return err
			}
			if feedback.AttemptAllowed(prev, day, part) != nil {
				continue
			}
			sv, err := serviceTx(tx, hallID, c.kind, c.sid)
			if err != nil {
				return err
			}
			phone, err := servicePhone(tx, s, c.kind, c.sid)
			if err != nil {
				return err
			}
			t = CallTarget{DrawID: drawID, RecordID: c.id, Stratum: c.stratum, Kind: c.kind, ServiceRef: sv.Ref, Item: sv.Item, Zone: sv.Zone,
				StaffName: sv.StaffName, ServedAt: sv.ServedAt, PhoneMasked: pii.MaskMobile(phone), Attempts: len(prev), Replacement: c.in == 0}
			return nil
		}
		return apperr.New(apperr.NotFound, "fb.err.nobody_to_call")
	})
	return t, err
}

// RevealPhone returns the phone of a drawn person for the call, audited.
func (db *DB) RevealPhone(ctx context.Context, hallID, drawID int64, recordID string) (string, error) {
	s, err := db.sealer()
	if err != nil {
		return "", err
	}
	var phone string
	err = db.Write(ctx, func(tx *Tx) error {
		_, r, err := drawRecordTx(tx, hallID, drawID, recordID)
		if err != nil {
			return err
		}
		if r.status != "" {
			return apperr.New(apperr.Conflict, "fb.err.record_finished")
		}
		if phone, err = servicePhone(tx, s, r.kind, r.serviceID); err != nil {
			return err
		}
		return tx.Audit("callback.reveal_phone", fmt.Sprintf("draw:%d/%s", drawID, recordID), "")
	})
	return phone, err
}

// CallbackAnswers are the answers of a callback interview.
type CallbackAnswers struct {
	Overall        feedback.Level `json:"overall"`
	Attitude       feedback.Level `json:"attitude"`
	Ability        feedback.Level `json:"ability"`
	Efficiency     feedback.Level `json:"efficiency"`
	ToldOnce       string         `json:"told_once"`       // yes, no, "" (not asked)
	ImproperDemand string         `json:"improper_demand"` // yes, no, ""
}

// AttemptInput is one call attempt.
type AttemptInput struct {
	HallID   int64
	DrawID   int64
	RecordID string
	Outcome  feedback.Outcome
	Answers  CallbackAnswers
	Text     string
	// OptOut records that the person asked never to be called again.
	OptOut bool
}

// Attempt is a recorded attempt.
type Attempt struct {
	ID       int64            `json:"id"`
	Outcome  feedback.Outcome `json:"outcome"`
	At       int64            `json:"at"`
	Operator string           `json:"operator"`
	RatingID int64            `json:"rating_id,omitempty"`
	// Replacement is the record that takes this one's place in the sample
	// when the person refused or could not be reached three times.
	Replacement string `json:"replacement,omitempty"`
}

// RecordAttempt records the outcome of one call in one transaction. A
// completed or partial interview becomes a callback rating (a bad one opens
// a rectification); a refusal, or the third attempt without contact, ends
// the record and activates the next replacement of the same stratum in
// seeded order.
func (db *DB) RecordAttempt(ctx context.Context, in AttemptInput) (Attempt, error) {
	var out Attempt
	if !in.Outcome.Valid() {
		return out, apperr.InvalidField("outcome", "fb.err.outcome")
	}
	in.Text = strings.TrimSpace(in.Text)
	if utf8.RuneCountInString(in.Text) > feedback.MaxText {
		return out, apperr.InvalidField("text", "fb.err.text_long", feedback.MaxText)
	}
	a := in.Answers
	for _, yn := range []struct{ f, v string }{{"told_once", a.ToldOnce}, {"improper_demand", a.ImproperDemand}} {
		if yn.v != "" && yn.v != "yes" && yn.v != "no" {
			return out, apperr.InvalidField(yn.f, "fb.err.yes_no")
		}
	}
	answered := in.Outcome == feedback.OutcomeCompleted || in.Outcome == feedback.OutcomePartial
	var rating feedback.Rating
	if answered {
		rating = feedback.Rating{Overall: a.Overall, Attitude: a.Attitude, ServiceLevel: a.Ability, Efficiency: a.Efficiency, Text: in.Text}
		if a.Overall.Bad() {
			rating.Reason = "other"
			if a.ImproperDemand == "yes" {
				rating.Reason = "improper_demand"
			}
		}
		if err := rating.Validate(); err != nil {
			return out, err
		}
	}
	s, err := db.sealer()
	if err != nil {
		return out, err
	}
	err = db.Write(ctx, func(tx *Tx) error {
		d, r, err := drawRecordTx(tx, in.HallID, in.DrawID, in.RecordID)
		if err != nil {
			return err
		}
		if d.Seed == "" {
			return apperr.New(apperr.Invalid, "fb.err.no_seed")
		}
		if r.status != "" {
			return apperr.New(apperr.Conflict, "fb.err.record_finished")
		}
		_, loc, err := hallInTx(tx, in.HallID)
		if err != nil {
			return err
		}
		now := tx.Now.In(loc)
		day, part := now.Format("2006-01-02"), feedback.DayPart(now.Hour())
		prev, err := attemptSlots(tx, in.DrawID, in.RecordID)
		if err != nil {
			return err
		}
		if err := feedback.AttemptAllowed(prev, day, part); err != nil {
			return err
		}
		phone, err := servicePhone(tx, s, r.kind, r.serviceID)
		if err != nil {
			return err
		}
		blind := ""
		if phone != "" {
			blind = s.Blind(phone)
		}
		if answered {
			sv, err := serviceTx(tx, in.HallID, r.kind, r.serviceID)
			if err != nil {
				return err
			}
			set, err := feedbackSettingsTx(tx, in.HallID)
			if err != nil {
				return err
			}
			today := workday.DateOf(now)
			if out.RatingID, err = insertRating(tx, sv, feedback.ChannelCallback, rating, set.DivisionCode, today, false, 0, in.DrawID, ""); err != nil {
				return err
			}
			if rating.Overall.Bad() {
				cal, err := loadCalendar(tx)
				if err != nil {
					return err
				}
				if _, err := openRectification(tx, in.HallID, out.RatingID, sv.StaffID, today, set.RectDays, cal); err != nil {
					return err
				}
			}
		}
		ans, _ := json.Marshal(a)
		out.ID, err = tx.InsertID(`INSERT INTO callback_attempts (hall_id, draw_id, record_id, operator, at, day, part, outcome, answers, remark, phone_blind, rating_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.HallID, in.DrawID, in.RecordID, tx.Actor.Name, tx.NowMs(), day, part, string(in.Outcome),
			string(ans), in.Text, blind, nullInt(out.RatingID))
		if err != nil {
			return err
		}
		out.Outcome, out.At, out.Operator = in.Outcome, tx.NowMs(), tx.Actor.Name
		status := ""
		switch {
		case answered:
			status = "done"
		case in.Outcome == feedback.OutcomeRefused:
			status = "refused"
		case len(prev)+1 >= feedback.MaxAttempts:
			status = "exhausted"
		}
		if status != "" {
			if _, err := tx.Exec("UPDATE draw_records SET status = ? WHERE draw_id = ? AND record_id = ?", status, in.DrawID, in.RecordID); err != nil {
				return err
			}
		}
		if status == "refused" || status == "exhausted" {
			err := tx.QueryRow(`SELECT record_id FROM draw_records WHERE draw_id = ? AND stratum = ? AND excluded = '' AND active = 0
				ORDER BY pos LIMIT 1`, in.DrawID, r.stratum).Scan(&out.Replacement)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if out.Replacement != "" {
				if _, err := tx.Exec("UPDATE draw_records SET active = 1 WHERE draw_id = ? AND record_id = ?", in.DrawID, out.Replacement); err != nil {
					return err
				}
			}
		}
		if in.OptOut && blind != "" {
			if _, err := tx.Exec("DELETE FROM callback_optouts WHERE hall_id = ? AND phone_blind = ?", in.HallID, blind); err != nil {
				return err
			}
			if _, err := tx.Exec("INSERT INTO callback_optouts (hall_id, phone_blind, created_at) VALUES (?, ?, ?)", in.HallID, blind, tx.NowMs()); err != nil {
				return err
			}
		}
		return tx.Audit("callback.attempt", fmt.Sprintf("draw:%d/%s", in.DrawID, in.RecordID),
			fmt.Sprintf("outcome=%s attempt=%d replacement=%s opt_out=%v", in.Outcome, len(prev)+1, out.Replacement, in.OptOut))
	})
	return out, err
}
