package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/feedback"
	"mingbai/internal/workday"
)

// openRectification opens the rectification of a bad rating, owned by the
// staff member who handled the matter (谁办理谁负责), due after the hall's
// number of working days.
func openRectification(tx *Tx, hallID, ratingID, staffID int64, today workday.Date, days int, cal *workday.Calendar) (int64, error) {
	due, err := feedback.Deadline(cal, today, days)
	if err != nil {
		return 0, err
	}
	id, err := tx.InsertID(`INSERT INTO rectifications (hall_id, rating_id, state, staff_id, opened_at, opened_date, deadline, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hallID, ratingID, string(feedback.RectOpen), nullInt(staffID), tx.NowMs(), today.String(), due.String(), tx.NowMs())
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec("INSERT INTO rectification_steps (rect_id, action, state, actor, at, note) VALUES (?, 'open', ?, ?, ?, '')",
		id, string(feedback.RectOpen), tx.Actor.Name, tx.NowMs()); err != nil {
		return 0, err
	}
	return id, tx.Audit("rectification.open", fmt.Sprintf("rectification:%d", id), fmt.Sprintf("rating:%d due %s", ratingID, due))
}

// Rectification is the follow-up of one bad rating.
type Rectification struct {
	ID         int64              `json:"id"`
	HallID     int64              `json:"hall_id"`
	RatingID   int64              `json:"rating_id"`
	State      feedback.RectState `json:"state"`
	StaffID    int64              `json:"staff_id,omitempty"`
	StaffName  string             `json:"staff_name,omitempty"`
	Owner      string             `json:"owner,omitempty"`
	OpenedAt   int64              `json:"opened_at"`
	OpenedDate string             `json:"opened_date"`
	Deadline   string             `json:"deadline"`
	ClosedAt   int64              `json:"closed_at,omitempty"`
	Overdue    bool               `json:"overdue"`
	// Next is the step expected next ("" when closed).
	Next   feedback.RectAction `json:"next,omitempty"`
	Rating Rating              `json:"rating"`
	Steps  []RectStep          `json:"steps,omitempty"`
	Appeal *Appeal             `json:"appeal,omitempty"`
}

// RectStep is one recorded step with its owner and time.
type RectStep struct {
	Action string `json:"action"`
	State  string `json:"state"`
	Actor  string `json:"actor"`
	At     int64  `json:"at"`
	Note   string `json:"note,omitempty"`
}

// Appeal is a rated staff member's appeal against a rating.
type Appeal struct {
	ID             int64                `json:"id"`
	RatingID       int64                `json:"rating_id"`
	FiledBy        string               `json:"filed_by"`
	FiledAt        int64                `json:"filed_at"`
	Reason         string               `json:"reason"`
	State          feedback.AppealState `json:"state"`
	DecidedBy      string               `json:"decided_by,omitempty"`
	DecidedAt      int64                `json:"decided_at,omitempty"`
	DecisionReason string               `json:"decision_reason,omitempty"`
}

const rectCols = `x.id, x.hall_id, x.rating_id, x.state, COALESCE(x.staff_id, 0), COALESCE(s.name, ''), x.owner_user, x.opened_at,
	x.opened_date, x.deadline, x.closed_at`

func scanRect(row interface{ Scan(...any) error }) (Rectification, error) {
	var x Rectification
	var st string
	err := row.Scan(&x.ID, &x.HallID, &x.RatingID, &st, &x.StaffID, &x.StaffName, &x.Owner, &x.OpenedAt, &x.OpenedDate, &x.Deadline, &x.ClosedAt)
	x.State = feedback.RectState(st)
	x.Next = feedback.NextAction(x.State)
	return x, err
}

// today returns the hall's local date at the transaction clock.
func hallToday(tx *Tx, hallID int64) (workday.Date, *time.Location, error) {
	_, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return workday.Date{}, nil, err
	}
	return workday.DateOf(tx.Now.In(loc)), loc, nil
}

func (x *Rectification) flag(today workday.Date) {
	if d, err := workday.Parse(x.Deadline); err == nil {
		x.Overdue = feedback.Overdue(x.State, d, today)
	}
}

// RectFilter narrows the rectification list.
type RectFilter struct {
	HallID  int64
	StaffID int64
	Open    bool
	Overdue bool
}

// ListRectifications lists a hall's rectifications, overdue and oldest
// first, with the rating of each.
func (db *DB) ListRectifications(ctx context.Context, f RectFilter) ([]Rectification, error) {
	var out []Rectification
	err := db.Read(ctx, func(tx *Tx) error {
		today, _, err := hallToday(tx, f.HallID)
		if err != nil {
			return err
		}
		q := "SELECT " + rectCols + " FROM rectifications x LEFT JOIN staff s ON s.id = x.staff_id WHERE x.hall_id = ?"
		args := []any{f.HallID}
		if f.StaffID != 0 {
			q += " AND x.staff_id = ?"
			args = append(args, f.StaffID)
		}
		if f.Open || f.Overdue {
			q += " AND x.state <> 'closed'"
		}
		if f.Overdue {
			q += " AND x.deadline < ?"
			args = append(args, today.String())
		}
		rows, err := tx.Query(q+" ORDER BY x.deadline, x.id LIMIT 1000", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			x, err := scanRect(rows)
			if err != nil {
				rows.Close()
				return err
			}
			x.flag(today)
			out = append(out, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Rating, err = ratingTx(tx, f.HallID, out[i].RatingID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func rectTx(tx *Tx, hallID, id int64) (Rectification, error) {
	x, err := scanRect(tx.QueryRow("SELECT "+rectCols+" FROM rectifications x LEFT JOIN staff s ON s.id = x.staff_id WHERE x.id = ? AND x.hall_id = ?", id, hallID))
	if err != nil {
		return x, notFound(err, "rectification")
	}
	today, _, err := hallToday(tx, hallID)
	if err != nil {
		return x, err
	}
	x.flag(today)
	if x.Rating, err = ratingTx(tx, hallID, x.RatingID); err != nil {
		return x, err
	}
	rows, err := tx.Query("SELECT action, state, actor, at, note FROM rectification_steps WHERE rect_id = ? ORDER BY id", id)
	if err != nil {
		return x, err
	}
	defer rows.Close()
	for rows.Next() {
		var s RectStep
		if err := rows.Scan(&s.Action, &s.State, &s.Actor, &s.At, &s.Note); err != nil {
			return x, err
		}
		x.Steps = append(x.Steps, s)
	}
	if err := rows.Err(); err != nil {
		return x, err
	}
	if a, err := appealTx(tx, x.RatingID); err == nil {
		x.Appeal = &a
	} else if !apperr.Is(err, apperr.NotFound) {
		return x, err
	}
	return x, nil
}

// GetRectification returns a rectification of the hall with its steps.
func (db *DB) GetRectification(ctx context.Context, hallID, id int64) (Rectification, error) {
	var x Rectification
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		x, err = rectTx(tx, hallID, id)
		return err
	})
	return x, err
}

// RectStepInput is one step of a rectification.
type RectStepInput struct {
	HallID int64
	ID     int64
	Action feedback.RectAction
	Note   string
	// Owner names the account responsible (assign only; default: the
	// account of the rated staff member).
	Owner string
	// By is the caller; Manager lets them take any step, otherwise only the
	// owner takes the owner's steps and a callback operator the callback.
	By         string
	Manager    bool
	Callbacker bool
}

// StepRectification moves a rectification one step along assign → verify
// → rectify → reply → callback → close, recording who and when.
func (db *DB) StepRectification(ctx context.Context, in RectStepInput) (Rectification, error) {
	var out Rectification
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 1000 {
		return out, apperr.InvalidField("note", "err.too_long", "note", 1000)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		x, err := rectTx(tx, in.HallID, in.ID)
		if err != nil {
			return err
		}
		next, err := feedback.Step(x.State, in.Action)
		if err != nil {
			return err
		}
		switch feedback.Owner(in.Action) {
		case "manager":
			if !in.Manager {
				return apperr.New(apperr.Forbidden, "fb.err.manager_step")
			}
		case "callback":
			if !in.Manager && !in.Callbacker && x.Owner != in.By {
				return apperr.New(apperr.Forbidden, "fb.err.owner_step")
			}
		default:
			if !in.Manager && x.Owner != in.By {
				return apperr.New(apperr.Forbidden, "fb.err.owner_step")
			}
		}
		if in.Action != feedback.ActAssign && in.Action != feedback.ActClose && in.Note == "" {
			return apperr.InvalidField("note", "fb.err.note_required")
		}
		owner := x.Owner
		if in.Action == feedback.ActAssign {
			owner = strings.TrimSpace(in.Owner)
			if owner == "" && x.StaffID != 0 {
				_ = tx.QueryRow("SELECT COALESCE(u.username, '') FROM staff s LEFT JOIN users u ON u.id = s.user_id WHERE s.id = ?", x.StaffID).Scan(&owner)
			}
			if owner == "" {
				return apperr.InvalidField("owner", "fb.err.owner_required")
			}
			var n int
			if err := tx.QueryRow("SELECT COUNT(*) FROM users WHERE username = ? AND disabled = 0", owner).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.InvalidField("owner", "fb.err.owner_unknown", owner)
			}
		}
		closed := int64(0)
		if next == feedback.RectClosed {
			closed = tx.NowMs()
		}
		res, err := tx.Exec("UPDATE rectifications SET state = ?, owner_user = ?, closed_at = ?, updated_at = ? WHERE id = ? AND state = ?",
			string(next), owner, closed, tx.NowMs(), x.ID, string(x.State))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "fb.err.rect_changed")
		}
		note := in.Note
		if in.Action == feedback.ActAssign && note == "" {
			note = owner
		}
		if _, err := tx.Exec("INSERT INTO rectification_steps (rect_id, action, state, actor, at, note) VALUES (?, ?, ?, ?, ?, ?)",
			x.ID, string(in.Action), string(next), tx.Actor.Name, tx.NowMs(), note); err != nil {
			return err
		}
		if err := tx.Audit("rectification."+string(in.Action), fmt.Sprintf("rectification:%d", x.ID), string(x.State)+"→"+string(next)); err != nil {
			return err
		}
		out, err = rectTx(tx, in.HallID, x.ID)
		return err
	})
	return out, err
}

func appealTx(tx *Tx, ratingID int64) (Appeal, error) {
	var a Appeal
	var st string
	err := tx.QueryRow(`SELECT id, rating_id, filed_by, filed_at, reason, state, decided_by, decided_at, decision_reason
		FROM rating_appeals WHERE rating_id = ?`, ratingID).
		Scan(&a.ID, &a.RatingID, &a.FiledBy, &a.FiledAt, &a.Reason, &st, &a.DecidedBy, &a.DecidedAt, &a.DecisionReason)
	a.State = feedback.AppealState(st)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundOf("appeal")
	}
	return a, err
}

// FileAppeal records the rated staff member's appeal against a rating of
// theirs (one per rating).
func (db *DB) FileAppeal(ctx context.Context, hallID, ratingID, staffID int64, by, reason string) (Appeal, error) {
	var a Appeal
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return a, apperr.InvalidField("reason", "fb.err.appeal_reason")
	}
	if utf8.RuneCountInString(reason) > 1000 {
		return a, apperr.InvalidField("reason", "err.too_long", "reason", 1000)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		r, err := ratingTx(tx, hallID, ratingID)
		if err != nil {
			return err
		}
		if staffID == 0 || r.StaffID != staffID {
			return apperr.New(apperr.Forbidden, "fb.err.not_your_rating")
		}
		if _, err := appealTx(tx, ratingID); err == nil {
			return apperr.New(apperr.Conflict, "fb.err.appeal_exists")
		}
		id, err := tx.InsertID(`INSERT INTO rating_appeals (hall_id, rating_id, staff_id, filed_by, filed_at, reason, state)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hallID, ratingID, staffID, by, tx.NowMs(), reason, string(feedback.AppealPending))
		if err != nil {
			return err
		}
		if err := tx.Audit("rating.appeal", fmt.Sprintf("rating:%d", ratingID), fmt.Sprintf("appeal:%d", id)); err != nil {
			return err
		}
		a, err = appealTx(tx, ratingID)
		return err
	})
	return a, err
}

// DecideAppeal is a manager's decision on an appeal, with a reason. An
// upheld appeal marks the rating invalid — it is kept, marked, and left out
// of the rates — and closes its rectification.
func (db *DB) DecideAppeal(ctx context.Context, hallID, ratingID int64, uphold bool, by, reason string) (Appeal, error) {
	var a Appeal
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return a, apperr.InvalidField("decision_reason", "fb.err.decision_reason")
	}
	if utf8.RuneCountInString(reason) > 1000 {
		return a, apperr.InvalidField("decision_reason", "err.too_long", "decision_reason", 1000)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := ratingTx(tx, hallID, ratingID); err != nil {
			return err
		}
		cur, err := appealTx(tx, ratingID)
		if err != nil {
			return err
		}
		if cur.State != feedback.AppealPending {
			return apperr.New(apperr.Conflict, "fb.err.appeal_decided")
		}
		if cur.FiledBy == by {
			return apperr.New(apperr.Forbidden, "fb.err.appeal_self")
		}
		st := feedback.AppealRejected
		if uphold {
			st = feedback.AppealUpheld
		}
		if _, err := tx.Exec("UPDATE rating_appeals SET state = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?",
			string(st), by, tx.NowMs(), reason, cur.ID); err != nil {
			return err
		}
		if uphold {
			if _, err := tx.Exec("UPDATE ratings SET invalid = 1, invalid_reason = ? WHERE id = ?", reason, ratingID); err != nil {
				return err
			}
			var rid int64
			var rst string
			err := tx.QueryRow("SELECT id, state FROM rectifications WHERE rating_id = ?", ratingID).Scan(&rid, &rst)
			if err == nil && rst != string(feedback.RectClosed) {
				if _, err := tx.Exec("UPDATE rectifications SET state = 'closed', closed_at = ?, updated_at = ? WHERE id = ?", tx.NowMs(), tx.NowMs(), rid); err != nil {
					return err
				}
				if _, err := tx.Exec("INSERT INTO rectification_steps (rect_id, action, state, actor, at, note) VALUES (?, 'appeal_upheld', 'closed', ?, ?, ?)",
					rid, by, tx.NowMs(), reason); err != nil {
					return err
				}
			} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := tx.Audit("rating.appeal_"+string(st), fmt.Sprintf("rating:%d", ratingID), reason); err != nil {
			return err
		}
		a, err = appealTx(tx, ratingID)
		return err
	})
	return a, err
}
