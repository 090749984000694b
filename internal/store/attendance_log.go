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
	"mingbai/internal/workday"
)

// AbsenceInput registers a short absence from a post: a reason and a named
// cover (B岗顶岗), who becomes the window's cover (the one besides its
// assigned staff member who may sign in there, as PUT
// /api/v1/halls/{hall}/windows/{window}/cover sets it).
type AbsenceInput struct {
	HallID   int64  `json:"-"`
	WindowID int64  `json:"window"`
	StaffID  int64  `json:"staff"`
	CoverID  int64  `json:"cover"`
	Reason   string `json:"reason"`
	Minutes  int    `json:"minutes"`
	IdemKey  string `json:"idempotency_key,omitempty"`
}

// Absence is a registered absence.
type Absence struct {
	ID        int64  `json:"id"`
	WindowID  int64  `json:"window_id"`
	Window    string `json:"window"`
	StaffID   int64  `json:"staff_id"`
	Staff     string `json:"staff"`
	CoverID   int64  `json:"cover_id"`
	Cover     string `json:"cover"`
	Reason    string `json:"reason"`
	FromAt    int64  `json:"from_at"`
	UntilAt   int64  `json:"until_at"`
	CreatedBy string `json:"created_by"`
}

// MaxAbsenceMinutes bounds a short absence; longer ones are leave, not
// a matter for the duty desk.
const MaxAbsenceMinutes = 240

// RegisterAbsence records a short absence from now for the given minutes
// and names the cover of the window, in one transaction.
func (db *DB) RegisterAbsence(ctx context.Context, in AbsenceInput) (Absence, error) {
	var a Absence
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case in.WindowID == 0:
		return a, apperr.InvalidField("window", "err.required", "window")
	case in.StaffID == 0:
		return a, apperr.InvalidField("staff", "err.required", "staff")
	case in.CoverID == 0:
		return a, apperr.InvalidField("cover", "posts.err.no_cover")
	case in.CoverID == in.StaffID:
		return a, apperr.InvalidField("cover", "posts.err.cover_self")
	case in.Reason == "":
		return a, apperr.InvalidField("reason", "posts.err.no_reason")
	case utf8.RuneCountInString(in.Reason) > 200:
		return a, apperr.InvalidField("reason", "err.too_long", "reason", 200)
	case in.Minutes < 1 || in.Minutes > MaxAbsenceMinutes:
		return a, apperr.InvalidField("minutes", "posts.err.range", "minutes", 1, MaxAbsenceMinutes)
	case len(in.IdemKey) > 100:
		return a, apperr.InvalidField("idempotency_key", "err.too_long", "idempotency_key", 100)
	}
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		if in.IdemKey != "" {
			err := tx.QueryRow("SELECT id FROM post_absences WHERE hall_id = ? AND idem_key = ?", in.HallID, in.IdemKey).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		w, err := windowInTx(tx, in.HallID, in.WindowID)
		if err != nil {
			return err
		}
		if err := postsStaffInHall(tx, in.HallID, in.StaffID, "staff"); err != nil {
			return err
		}
		if err := postsStaffInHall(tx, in.HallID, in.CoverID, "cover"); err != nil {
			return err
		}
		until := tx.Now.Add(time.Duration(in.Minutes) * time.Minute).UnixMilli()
		id, err = tx.InsertID(`INSERT INTO post_absences (hall_id, window_id, staff_id, cover_id, reason, from_at, until_at, created_by, created_at, idem_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.HallID, in.WindowID, in.StaffID, in.CoverID, in.Reason, tx.NowMs(), until, tx.Actor.Name, tx.NowMs(), nullString(in.IdemKey))
		if err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE windows SET cover_staff_id = ? WHERE id = ? AND hall_id = ?", in.CoverID, in.WindowID, in.HallID); err != nil {
			return err
		}
		if err := tx.Audit("window.cover", fmt.Sprintf("window:%d", in.WindowID), fmt.Sprintf("staff=%d", in.CoverID)); err != nil {
			return err
		}
		return tx.Audit("post.absence", fmt.Sprintf("window:%d", in.WindowID), fmt.Sprintf("window %s staff=%d cover=%d %d min: %s", w.Number, in.StaffID, in.CoverID, in.Minutes, in.Reason))
	})
	if err != nil {
		return a, wrap("register absence", err)
	}
	list, err := db.listAbsences(ctx, in.HallID, "a.id = ?", id)
	if err != nil || len(list) == 0 {
		return a, err
	}
	return list[0], nil
}

// ListAbsences returns a hall's absences that overlap the period.
func (db *DB) ListAbsences(ctx context.Context, hallID int64, from, to time.Time) ([]Absence, error) {
	return db.listAbsences(ctx, hallID, "a.from_at < ? AND a.until_at > ?", to.UnixMilli(), from.UnixMilli())
}

func (db *DB) listAbsences(ctx context.Context, hallID int64, where string, args ...any) ([]Absence, error) {
	out := []Absence{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT a.id, a.window_id, w.number, a.staff_id, s.name, a.cover_id, c.name, a.reason, a.from_at, a.until_at, a.created_by
			FROM post_absences a JOIN windows w ON w.id = a.window_id JOIN staff s ON s.id = a.staff_id JOIN staff c ON c.id = a.cover_id
			WHERE a.hall_id = ? AND `+where+` ORDER BY a.from_at DESC, a.id DESC LIMIT 500`, append([]any{hallID}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a Absence
			if err := rows.Scan(&a.ID, &a.WindowID, &a.Window, &a.StaffID, &a.Staff, &a.CoverID, &a.Cover, &a.Reason, &a.FromAt, &a.UntilAt, &a.CreatedBy); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, wrap("list absences", err)
}

// BriefingInput is a ten-minute policy briefing (十分钟政策学习).
type BriefingInput struct {
	HallID    int64   `json:"-"`
	Day       string  `json:"day"`
	Topic     string  `json:"topic"`
	Presenter string  `json:"presenter"`
	Minutes   int     `json:"minutes"`
	Attendees []int64 `json:"attendees"`
	IdemKey   string  `json:"idempotency_key,omitempty"`
}

// Briefing is a logged briefing with its attendees' names.
type Briefing struct {
	ID        int64    `json:"id"`
	Day       string   `json:"day"`
	Topic     string   `json:"topic"`
	Presenter string   `json:"presenter"`
	Minutes   int      `json:"minutes"`
	Attendees []string `json:"attendees"`
	CreatedBy string   `json:"created_by"`
}

// AddBriefing logs a briefing: topic, presenter and the staff attending.
func (db *DB) AddBriefing(ctx context.Context, in BriefingInput) (Briefing, error) {
	var b Briefing
	in.Topic, in.Presenter = strings.TrimSpace(in.Topic), strings.TrimSpace(in.Presenter)
	day, err := workday.Parse(in.Day)
	switch {
	case err != nil:
		return b, apperr.InvalidField("day", "posts.err.day")
	case in.Topic == "":
		return b, apperr.InvalidField("topic", "err.required", "topic")
	case utf8.RuneCountInString(in.Topic) > 200:
		return b, apperr.InvalidField("topic", "err.too_long", "topic", 200)
	case in.Presenter == "":
		return b, apperr.InvalidField("presenter", "err.required", "presenter")
	case utf8.RuneCountInString(in.Presenter) > 60:
		return b, apperr.InvalidField("presenter", "err.too_long", "presenter", 60)
	case len(in.Attendees) == 0:
		return b, apperr.InvalidField("attendees", "posts.err.no_attendees")
	case len(in.Attendees) > 500:
		return b, apperr.InvalidField("attendees", "posts.err.range", "attendees", 1, 500)
	case len(in.IdemKey) > 100:
		return b, apperr.InvalidField("idempotency_key", "err.too_long", "idempotency_key", 100)
	}
	if in.Minutes == 0 {
		in.Minutes = 10
	}
	if in.Minutes < 1 || in.Minutes > 120 {
		return b, apperr.InvalidField("minutes", "posts.err.range", "minutes", 1, 120)
	}
	var id int64
	err = db.Write(ctx, func(tx *Tx) error {
		if in.IdemKey != "" {
			err := tx.QueryRow("SELECT id FROM briefings WHERE hall_id = ? AND idem_key = ?", in.HallID, in.IdemKey).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if _, _, err := hallInTx(tx, in.HallID); err != nil {
			return err
		}
		id, err = tx.InsertID("INSERT INTO briefings (hall_id, day, topic, presenter, minutes, created_by, created_at, idem_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			in.HallID, day.String(), in.Topic, in.Presenter, in.Minutes, tx.Actor.Name, tx.NowMs(), nullString(in.IdemKey))
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, s := range in.Attendees {
			if seen[s] {
				continue
			}
			seen[s] = true
			if err := postsStaffInHall(tx, in.HallID, s, "attendees"); err != nil {
				return err
			}
			if _, err := tx.Exec("INSERT INTO briefing_attendees (briefing_id, staff_id) VALUES (?, ?)", id, s); err != nil {
				return err
			}
		}
		return tx.Audit("briefing.add", fmt.Sprintf("briefing:%d", id), fmt.Sprintf("%s %s (%d)", day, in.Topic, len(seen)))
	})
	if err != nil {
		return b, wrap("add briefing", err)
	}
	list, err := db.listBriefings(ctx, in.HallID, "b.id = ?", id)
	if err != nil || len(list) == 0 {
		return b, err
	}
	return list[0], nil
}

// ListBriefings returns the briefings of a hall between two days.
func (db *DB) ListBriefings(ctx context.Context, hallID int64, from, to workday.Date) ([]Briefing, error) {
	return db.listBriefings(ctx, hallID, "b.day >= ? AND b.day <= ?", from.String(), to.String())
}

func (db *DB) listBriefings(ctx context.Context, hallID int64, where string, args ...any) ([]Briefing, error) {
	out := []Briefing{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT b.id, b.day, b.topic, b.presenter, b.minutes, b.created_by FROM briefings b WHERE b.hall_id = ? AND "+where+" ORDER BY b.day DESC, b.id DESC LIMIT 500",
			append([]any{hallID}, args...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var b Briefing
			if err := rows.Scan(&b.ID, &b.Day, &b.Topic, &b.Presenter, &b.Minutes, &b.CreatedBy); err != nil {
				rows.Close()
				return err
			}
			b.Attendees = []string{}
			out = append(out, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			ar, err := tx.Query("SELECT s.name FROM briefing_attendees a JOIN staff s ON s.id = a.staff_id WHERE a.briefing_id = ? ORDER BY s.staff_no", out[i].ID)
			if err != nil {
				return err
			}
			for ar.Next() {
				var n string
				if err := ar.Scan(&n); err != nil {
					ar.Close()
					return err
				}
				out[i].Attendees = append(out[i].Attendees, n)
			}
			ar.Close()
			if err := ar.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, wrap("list briefings", err)
}
