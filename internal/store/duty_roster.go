package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/duty"
	"mingbai/internal/hall"
	"mingbai/internal/workday"
)

// EventDutyRoster is published on a hall's public stream when today's
// published roster changes; its payload is the hall's DutyBoard.
const EventDutyRoster = "duty.roster"

// Shift is a roster entry as the API shows it.
type Shift struct {
	ID           int64  `json:"id"`
	HallID       int64  `json:"hall_id"`
	Day          string `json:"day"`
	Half         string `json:"half"`
	Start        string `json:"start"`
	End          string `json:"end"`
	Post         string `json:"post"`
	LeaderID     int64  `json:"leader_id"`
	LeaderName   string `json:"leader_name"`
	DeputyID     int64  `json:"deputy_id,omitempty"`
	DeputyName   string `json:"deputy_name,omitempty"`
	State        string `json:"state"`
	CheckedInAt  int64  `json:"checked_in_at,omitempty"`
	CheckedOutAt int64  `json:"checked_out_at,omitempty"`
	Handover     string `json:"handover,omitempty"`
}

// ShiftInput is a shift a manager enters; IdemKey makes a retried create
// return the first shift.
type ShiftInput struct {
	Day      string `json:"day"`
	Half     string `json:"half"`
	Start    string `json:"start,omitempty"`
	End      string `json:"end,omitempty"`
	Post     string `json:"post"`
	LeaderID int64  `json:"leader_id"`
	DeputyID int64  `json:"deputy_id,omitempty"`
	IdemKey  string `json:"idempotency_key,omitempty"`
}

func (in ShiftInput) rule() duty.Shift {
	return duty.Shift{Day: in.Day, Half: duty.Half(in.Half), Start: in.Start, End: in.End, Post: duty.Post(in.Post), LeaderID: in.LeaderID, DeputyID: in.DeputyID}
}

// DutyLeader is a person who may be put on the roster of a hall.
type DutyLeader struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

const shiftCols = `s.id, s.hall_id, s.day, s.half, s.start_hm, s.end_hm, s.post, s.leader_id, COALESCE(l.display_name, ''),
	COALESCE(s.deputy_id, 0), COALESCE(d.display_name, ''), s.state, s.checked_in_at, s.checked_out_at, s.handover`
const shiftFrom = ` FROM duty_shifts s JOIN users l ON l.id = s.leader_id LEFT JOIN users d ON d.id = s.deputy_id `

func scanShift(row interface{ Scan(...any) error }) (Shift, error) {
	var s Shift
	err := row.Scan(&s.ID, &s.HallID, &s.Day, &s.Half, &s.Start, &s.End, &s.Post, &s.LeaderID, &s.LeaderName,
		&s.DeputyID, &s.DeputyName, &s.State, &s.CheckedInAt, &s.CheckedOutAt, &s.Handover)
	return s, err
}

func queryShifts(tx *Tx, where string, args ...any) ([]Shift, error) {
	rows, err := tx.Query("SELECT "+shiftCols+shiftFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Shift{}
	for rows.Next() {
		s, err := scanShift(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func shiftTx(tx *Tx, hallID, id int64) (Shift, error) {
	s, err := scanShift(tx.QueryRow("SELECT "+shiftCols+shiftFrom+"WHERE s.hall_id = ? AND s.id = ?", hallID, id))
	return s, notFound(err, "shift")
}

// lockDuty serialises roster writes of a hall on PostgreSQL (SQLite
// writes are serial already), so two managers cannot both fill one slot.
func lockDuty(tx *Tx, hallID int64) error {
	return tx.advisoryLock(lockDutyRoster, hallID)
}

// ListDutyLeaders lists the enabled duty leaders of a hall.
func (db *DB) ListDutyLeaders(ctx context.Context, hallID int64) ([]DutyLeader, error) {
	out := []DutyLeader{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, display_name FROM users WHERE hall_id = ? AND role = 'duty_leader' AND disabled = 0 ORDER BY id", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l DutyLeader
			if err := rows.Scan(&l.ID, &l.Name); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

func isDutyLeader(tx *Tx, hallID, userID int64) (bool, error) {
	if userID == 0 {
		return false, nil
	}
	var n int
	err := tx.QueryRow("SELECT COUNT(*) FROM users WHERE id = ? AND hall_id = ? AND role = 'duty_leader' AND disabled = 0", userID, hallID).Scan(&n)
	return n > 0, err
}

// ListRoster returns the shifts of a month ("YYYY-MM"), by day and time.
// Drafts are included when withDrafts is set (managers and leaders).
func (db *DB) ListRoster(ctx context.Context, hallID int64, month string, withDrafts bool) ([]Shift, error) {
	if err := duty.ValidMonth(month); err != nil {
		return nil, err
	}
	var out []Shift
	err := db.Read(ctx, func(tx *Tx) error {
		q := "WHERE s.hall_id = ? AND s.day >= ? AND s.day <= ?"
		if !withDrafts {
			q += " AND s.state = 'published'"
		}
		var err error
		out, err = queryShifts(tx, q+" ORDER BY s.day, s.start_hm, s.post", hallID, month+"-01", month+"-31")
		return err
	})
	return out, wrap("list roster", err)
}

// shiftFacts loads what duty.Shift.Decide needs; self is the shift being
// changed (0 for a new one), left out of the overlap checks.
func shiftFacts(tx *Tx, h hall.Hall, sh duty.Shift, self int64) (duty.Facts, error) {
	f := duty.Facts{Open: h.Hours.Open, Close: h.Hours.Close}
	d, err := workday.Parse(sh.Day)
	if err != nil {
		return f, apperr.InvalidField("day", "duty.err.day", sh.Day)
	}
	f.OpeningDay = true
	if h.Hours.WorkingDaysOnly {
		// The roster follows the calendar even in a hall that takes
		// tickets at any hour (the demo's AlwaysOpen).
		cal, err := loadCalendar(tx)
		if err != nil {
			return f, err
		}
		if f.OpeningDay, err = cal.IsWorkday(d); err != nil {
			if errors.Is(err, workday.ErrUnknownYear) {
				return f, apperr.InvalidField("day", "duty.err.unknown_year", d.Year)
			}
			return f, err
		}
	}
	if f.LeaderOK, err = isDutyLeader(tx, h.ID, sh.LeaderID); err != nil {
		return f, err
	}
	if f.DeputyOK, err = isDutyLeader(tx, h.ID, sh.DeputyID); err != nil {
		return f, err
	}
	others, err := queryShifts(tx, "WHERE s.hall_id = ? AND s.day = ? AND s.id <> ?", h.ID, sh.Day, self)
	if err != nil {
		return f, err
	}
	people := map[int64]bool{sh.LeaderID: true}
	if sh.DeputyID != 0 {
		people[sh.DeputyID] = true
	}
	for _, o := range others {
		if !duty.Overlaps(sh.Start, sh.End, o.Start, o.End) {
			continue
		}
		if o.Post == string(sh.Post) {
			f.Taken = true
		}
		if people[o.LeaderID] || (o.DeputyID != 0 && people[o.DeputyID]) {
			f.Busy = true
		}
	}
	return f, nil
}

// CreateShift adds a draft shift to the roster (in a published month it is
// published at once: the month is already public). A retry with the same
// idempotency key returns the first shift.
func (db *DB) CreateShift(ctx context.Context, hallID int64, in ShiftInput) (Shift, error) {
	var out Shift
	sh := in.rule()
	if err := sh.Check(); err != nil {
		return out, err
	}
	in.IdemKey = strings.TrimSpace(in.IdemKey)
	err := db.Write(ctx, func(tx *Tx) error {
		if err := lockDuty(tx, hallID); err != nil {
			return err
		}
		if in.IdemKey != "" {
			var id int64
			err := tx.QueryRow("SELECT id FROM duty_shifts WHERE hall_id = ? AND idem_key = ?", hallID, in.IdemKey).Scan(&id)
			if err == nil {
				var rerr error
				out, rerr = shiftTx(tx, hallID, id)
				return rerr
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		h, _, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		sh.Times(h.Hours.Open, h.Hours.Close)
		f, err := shiftFacts(tx, h, sh, 0)
		if err != nil {
			return err
		}
		if err := sh.Decide(f); err != nil {
			return err
		}
		state := duty.Draft
		var pub int
		if err := tx.QueryRow("SELECT COUNT(*) FROM duty_shifts WHERE hall_id = ? AND day >= ? AND day <= ? AND state = 'published'",
			hallID, sh.Day[:7]+"-01", sh.Day[:7]+"-31").Scan(&pub); err != nil {
			return err
		}
		if pub > 0 {
			state = duty.Published
		}
		var idem any
		if in.IdemKey != "" {
			idem = in.IdemKey
		}
		id, err := tx.InsertID(`INSERT INTO duty_shifts (hall_id, day, half, start_hm, end_hm, post, leader_id, deputy_id, state, idem_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, hallID, sh.Day, sh.Half, sh.Start, sh.End, sh.Post, sh.LeaderID, nullInt(sh.DeputyID), state, idem, tx.NowMs(), tx.NowMs())
		if err != nil {
			return err
		}
		if out, err = shiftTx(tx, hallID, id); err != nil {
			return err
		}
		if err := tx.Audit("duty.shift.create", fmt.Sprintf("shift:%d", id), shiftDetail(out)); err != nil {
			return err
		}
		return rosterChanged(tx, hallID, out)
	})
	return out, wrap("create shift", err)
}

func shiftDetail(s Shift) string {
	return fmt.Sprintf("hall=%d day=%s %s-%s post=%s leader=%d deputy=%d state=%s", s.HallID, s.Day, s.Start, s.End, s.Post, s.LeaderID, s.DeputyID, s.State)
}

// UpdateShift changes a shift that has not begun (not checked in).
func (db *DB) UpdateShift(ctx context.Context, hallID, id int64, in ShiftInput) (Shift, error) {
	var out Shift
	sh := in.rule()
	if err := sh.Check(); err != nil {
		return out, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if err := lockDuty(tx, hallID); err != nil {
			return err
		}
		old, err := shiftTx(tx, hallID, id)
		if err != nil {
			return err
		}
		if old.CheckedInAt != 0 {
			return apperr.New(apperr.Conflict, "duty.err.shift_started")
		}
		h, _, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		sh.Times(h.Hours.Open, h.Hours.Close)
		f, err := shiftFacts(tx, h, sh, id)
		if err != nil {
			return err
		}
		if err := sh.Decide(f); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE duty_shifts SET day = ?, half = ?, start_hm = ?, end_hm = ?, post = ?, leader_id = ?, deputy_id = ?, updated_at = ?
			WHERE id = ? AND hall_id = ?`, sh.Day, sh.Half, sh.Start, sh.End, sh.Post, sh.LeaderID, nullInt(sh.DeputyID), tx.NowMs(), id, hallID); err != nil {
			return mapErr(err)
		}
		if out, err = shiftTx(tx, hallID, id); err != nil {
			return err
		}
		if err := tx.Audit("duty.shift.update", fmt.Sprintf("shift:%d", id), "from "+shiftDetail(old)+" to "+shiftDetail(out)); err != nil {
			return err
		}
		if old.Day != out.Day {
			if err := rosterChanged(tx, hallID, old); err != nil {
				return err
			}
		}
		return rosterChanged(tx, hallID, out)
	})
	return out, wrap("update shift", err)
}

// DeleteShift removes a shift that has not begun, with its open swaps.
func (db *DB) DeleteShift(ctx context.Context, hallID, id int64) error {
	err := db.Write(ctx, func(tx *Tx) error {
		old, err := shiftTx(tx, hallID, id)
		if err != nil {
			return err
		}
		if old.CheckedInAt != 0 {
			return apperr.New(apperr.Conflict, "duty.err.shift_started")
		}
		var logs int
		if err := tx.QueryRow("SELECT COUNT(*) FROM duty_logs WHERE shift_id = ?", id).Scan(&logs); err != nil {
			return err
		}
		if logs > 0 {
			return apperr.New(apperr.Conflict, "duty.err.shift_started")
		}
		if _, err := tx.Exec("DELETE FROM duty_swaps WHERE shift_id = ?", id); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM duty_shifts WHERE id = ? AND hall_id = ?", id, hallID); err != nil {
			return err
		}
		if err := tx.Audit("duty.shift.delete", fmt.Sprintf("shift:%d", id), shiftDetail(old)); err != nil {
			return err
		}
		return rosterChanged(tx, hallID, old)
	})
	return wrap("delete shift", err)
}

// PublishMonth publishes the month's draft shifts; it returns how many. A
// month already over cannot be published.
func (db *DB) PublishMonth(ctx context.Context, hallID int64, month string) (int, error) {
	if err := duty.ValidMonth(month); err != nil {
		return 0, err
	}
	var n int
	err := db.Write(ctx, func(tx *Tx) error {
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		if month < tx.Now.In(loc).Format("2006-01") {
			return apperr.InvalidField("month", "duty.err.month_past", month)
		}
		res, err := tx.Exec("UPDATE duty_shifts SET state = 'published', updated_at = ? WHERE hall_id = ? AND state = 'draft' AND day >= ? AND day <= ?",
			tx.NowMs(), hallID, month+"-01", month+"-31")
		if err != nil {
			return err
		}
		c, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if c == 0 {
			return apperr.New(apperr.Conflict, "duty.err.nothing_to_publish", month)
		}
		n = int(c)
		if err := tx.Audit("duty.roster.publish", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("month=%s shifts=%d", month, n)); err != nil {
			return err
		}
		return rosterChanged(tx, hallID, Shift{Day: month + "-01", State: string(duty.Published)})
	})
	return n, wrap("publish roster", err)
}

// rosterChanged tells the hall's screens when a change touches today's
// published roster (a publish names the first day of its month).
func rosterChanged(tx *Tx, hallID int64, s Shift) error {
	if s.State != string(duty.Published) {
		return nil
	}
	_, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return err
	}
	today := dayOf(tx.Now, loc)
	if s.Day != today && !(strings.HasSuffix(s.Day, "-01") && s.Day[:7] == today[:7]) {
		return nil
	}
	b, err := dutyBoardTx(tx, hallID, today)
	if err != nil {
		return err
	}
	return tx.Publish(hallID, EventDutyRoster, b)
}

// DutyBoard is the public duty roster of a day: what the hall display and
// the public duty page show. Names and photos of leaders on duty are shown
// publicly by design (public officials on duty); never ids or phones.
type DutyBoard struct {
	Day    string           `json:"day"`
	Shifts []DutyBoardShift `json:"shifts"`
}

// DutyBoardShift is one published shift on the board.
type DutyBoardShift struct {
	Start       string `json:"start"`
	End         string `json:"end"`
	Post        string `json:"post"`
	Name        string `json:"name"`
	Photo       string `json:"photo"`
	Deputy      string `json:"deputy,omitempty"`
	DeputyPhoto string `json:"deputy_photo,omitempty"`
}

// LeaderPhoto is the generated avatar of a duty leader, shown when the
// hall has no photo of the leader.
func LeaderPhoto(userID int64) string { return fmt.Sprintf("/avatars/duty/%d.svg", userID) }

// leaderPhotoTx is the picture of a duty leader on the board: the photo of
// the hall's staff record linked to the leader's account (set on the
// staff page, as for window staff), else the generated avatar.
func leaderPhotoTx(tx *Tx, hallID, userID int64) (string, error) {
	var url string
	err := tx.QueryRow("SELECT photo_url FROM staff WHERE hall_id = ? AND user_id = ? AND photo_url <> '' ORDER BY id LIMIT 1", hallID, userID).Scan(&url)
	switch {
	case errors.Is(err, ErrNoRows):
		return LeaderPhoto(userID), nil
	case err != nil:
		return "", err
	}
	return url, nil
}

func dutyBoardTx(tx *Tx, hallID int64, day string) (DutyBoard, error) {
	b := DutyBoard{Day: day, Shifts: []DutyBoardShift{}}
	shifts, err := queryShifts(tx, "WHERE s.hall_id = ? AND s.day = ? AND s.state = 'published' ORDER BY s.start_hm, s.post", hallID, day)
	if err != nil {
		return b, err
	}
	for _, s := range shifts {
		e := DutyBoardShift{Start: s.Start, End: s.End, Post: s.Post, Name: s.LeaderName}
		if e.Photo, err = leaderPhotoTx(tx, hallID, s.LeaderID); err != nil {
			return b, err
		}
		if s.DeputyID != 0 {
			e.Deputy = s.DeputyName
			if e.DeputyPhoto, err = leaderPhotoTx(tx, hallID, s.DeputyID); err != nil {
				return b, err
			}
		}
		b.Shifts = append(b.Shifts, e)
	}
	return b, nil
}

// fillDutyBoard puts today's duty roster on a hall board (queue_view.go).
func fillDutyBoard(tx *Tx, b *HallBoard, hallID int64) error {
	d, err := dutyBoardTx(tx, hallID, b.Day)
	if err != nil {
		return err
	}
	b.Duty = d
	names := make([]string, 0, len(d.Shifts))
	for _, s := range d.Shifts {
		names = append(names, s.Name)
	}
	b.Leader = strings.Join(names, "、")
	return nil
}

// DutyWeek returns the published roster of seven days from the Monday of
// the week of day (the hall's today when day is empty).
func (db *DB) DutyWeek(ctx context.Context, hallID int64, day string) ([]DutyBoard, error) {
	var out []DutyBoard
	err := db.Read(ctx, func(tx *Tx) error {
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		d := workday.DateOf(tx.Now.In(loc))
		if day != "" {
			if d, err = workday.Parse(day); err != nil {
				return apperr.InvalidField("day", "duty.err.day", day)
			}
		}
		monday := d.AddDays(-((int(d.Weekday()) + 6) % 7))
		for i := 0; i < 7; i++ {
			b, err := dutyBoardTx(tx, hallID, monday.AddDays(i).String())
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return nil
	})
	return out, wrap("duty week", err)
}

// DutyLeaderPublic is the public name of a duty leader (for the avatar).
func (db *DB) DutyLeaderPublic(ctx context.Context, userID int64) (DutyLeader, error) {
	var l DutyLeader
	err := db.Read(ctx, func(tx *Tx) error {
		err := tx.QueryRow("SELECT id, display_name FROM users WHERE id = ? AND role = 'duty_leader'", userID).Scan(&l.ID, &l.Name)
		return notFound(err, "user")
	})
	return l, err
}
