package store

import (
	"context"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/attendance"
	"mingbai/internal/catalog"
	"mingbai/internal/workday"
)

// Staff at their posts and the ten-minute method. The schedule is the
// hall's own data: each window's assigned staff member (windows.staff_id)
// is expected there from opening to closing on every opening day (the
// working days of the calendar when the hall opens on working days only).
// The actual sign-ins are the window sessions; excused absences are the
// registered short absences with a named cover (post_absences).

// maxReportDays bounds a report's period.
const maxReportDays = 93

// PostStaffRow is a staff member's summary with their name.
type PostStaffRow struct {
	Name string `json:"name"`
	attendance.Summary
}

// PostWindowRow is a window's summary with its number.
type PostWindowRow struct {
	Number string `json:"number"`
	attendance.Summary
}

// PostReport is attendance and the ten-minute method over a period.
type PostReport struct {
	From     string            `json:"from"`
	To       string            `json:"to"`
	Days     []attendance.Day  `json:"days"`
	ByStaff  []PostStaffRow    `json:"by_staff"`
	ByWindow []PostWindowRow   `json:"by_window"`
	Pledge   attendance.Pledge `json:"pledge"`
	// Instant are the instant items (即办件) the pledge counts.
	Instant []string `json:"instant_items"`
}

// PostReport computes the report of a hall from from to to (dates in the
// hall's time zone, at most 93 days; days after today are left out).
func (db *DB) PostReport(ctx context.Context, hallID int64, from, to workday.Date) (PostReport, error) {
	rep := PostReport{From: from.String(), To: to.String(), Days: []attendance.Day{}, ByStaff: []PostStaffRow{}, ByWindow: []PostWindowRow{}}
	if to.Before(from) {
		return rep, apperr.InvalidField("to", "posts.err.period")
	}
	if to.DaysSince(from) >= maxReportDays {
		return rep, apperr.InvalidField("to", "posts.err.period_long", maxReportDays)
	}
	items, err := db.ListPublishedItems(ctx, "")
	if err != nil {
		return rep, err
	}
	instant := map[string]bool{}
	rep.Instant = []string{}
	for _, it := range items {
		if it.Handling == catalog.Instant {
			instant[it.Code] = true
			rep.Instant = append(rep.Instant, it.Code)
		}
	}
	err = db.Read(ctx, func(tx *Tx) error {
		h, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		windows, err := listWindows(tx, hallID)
		if err != nil {
			return err
		}
		start := from.Time(loc)
		end := to.AddDays(1).Time(loc)
		sessions, err := sessionsBetween(tx, hallID, start, end)
		if err != nil {
			return err
		}
		excused, err := absencesBetween(tx, hallID, start, end)
		if err != nil {
			return err
		}
		today := workday.DateOf(tx.Now.In(loc))
		var shifts []attendance.Shift
		for d := from; !d.After(to) && !d.After(today); d = d.AddDays(1) {
			open, err := opensOn(tx, h, d.Time(loc))
			if err != nil {
				return err
			}
			if !open {
				continue
			}
			o, c := postsHM(d, h.Hours.Open, loc), postsHM(d, h.Hours.Close, loc)
			for _, w := range windows {
				if w.StaffID != 0 {
					shifts = append(shifts, attendance.Shift{StaffID: w.StaffID, WindowID: w.ID, Day: d.String(), Open: o, Close: c})
				}
			}
		}
		for _, sh := range shifts {
			rep.Days = append(rep.Days, attendance.Evaluate(sh, sessions, excused[sh.StaffID], tx.Now))
		}
		closed := func(d attendance.Day) bool {
			dd, err := workday.Parse(d.Day)
			return err != nil || dd.Before(today) || !tx.Now.Before(postsHM(dd, h.Hours.Close, loc).Add(attendance.TenMinutes))
		}
		names, err := postsStaffNames(tx, hallID)
		if err != nil {
			return err
		}
		for _, s := range attendance.Summarise(rep.Days, false, closed) {
			rep.ByStaff = append(rep.ByStaff, PostStaffRow{Name: names[s.Key], Summary: s})
		}
		numbers := map[int64]string{}
		for _, w := range windows {
			numbers[w.ID] = w.Number
		}
		for _, s := range attendance.Summarise(rep.Days, true, closed) {
			rep.ByWindow = append(rep.ByWindow, PostWindowRow{Number: numbers[s.Key], Summary: s})
		}
		services, err := servicesBetween(tx, hallID, from.String(), to.String())
		if err != nil {
			return err
		}
		rep.Pledge = attendance.TenMinutePledge(services, func(code string) bool { return instant[code] })
		return nil
	})
	return rep, wrap("post report", err)
}

// postsHM is the time "HH:MM" on day d in loc.
func postsHM(d workday.Date, hm string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", d.String()+" "+hm, loc)
	if err != nil {
		return d.Time(loc)
	}
	return t
}

func sessionsBetween(tx *Tx, hallID int64, start, end time.Time) ([]attendance.Session, error) {
	pauses, err := pausesBetween(tx, hallID, start, end)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(`SELECT id, staff_id, window_id, opened_at, closed_at, state, updated_at FROM window_sessions
		WHERE hall_id = ? AND staff_id IS NOT NULL AND opened_at < ? AND (closed_at = 0 OR closed_at >= ?) ORDER BY opened_at`,
		hallID, end.UnixMilli(), start.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []attendance.Session
	for rows.Next() {
		var s attendance.Session
		var id, in, out2, upd int64
		var state string
		if err := rows.Scan(&id, &s.StaffID, &s.WindowID, &in, &out2, &state, &upd); err != nil {
			return nil, err
		}
		s.In, s.Pauses = time.UnixMilli(in), pauses[id]
		if out2 > 0 {
			s.Out = time.UnixMilli(out2)
		} else if state == WindowPaused {
			// Paused now: away from post since the pause began.
			s.Out = time.UnixMilli(upd)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// pausesBetween returns the ended pauses that overlap [start, end), by
// session.
func pausesBetween(tx *Tx, hallID int64, start, end time.Time) (map[int64][]attendance.Span, error) {
	return spansByKey(tx, "SELECT session_id, from_at, until_at FROM window_pauses WHERE hall_id = ? AND from_at < ? AND until_at > ?", hallID, start, end)
}

// absencesBetween returns the registered absences that overlap [start,
// end), by staff member.
func absencesBetween(tx *Tx, hallID int64, start, end time.Time) (map[int64][]attendance.Span, error) {
	return spansByKey(tx, "SELECT staff_id, from_at, until_at FROM post_absences WHERE hall_id = ? AND from_at < ? AND until_at > ?", hallID, start, end)
}

// spansByKey runs a query of (key, from, until) rows with the hall, end
// and start as its parameters and groups the spans by key.
func spansByKey(tx *Tx, q string, hallID int64, start, end time.Time) (map[int64][]attendance.Span, error) {
	rows, err := tx.Query(q, hallID, end.UnixMilli(), start.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]attendance.Span{}
	for rows.Next() {
		var key, f, u int64
		if err := rows.Scan(&key, &f, &u); err != nil {
			return nil, err
		}
		out[key] = append(out[key], attendance.Span{From: time.UnixMilli(f), To: time.UnixMilli(u)})
	}
	return out, rows.Err()
}

func servicesBetween(tx *Tx, hallID int64, from, to string) ([]attendance.Service, error) {
	rows, err := tx.Query(`SELECT COALESCE(staff_id, 0), COALESCE(window_id, 0), item_code, called_at, finished_at FROM tickets
		WHERE hall_id = ? AND day >= ? AND day <= ? AND state = 'done' AND called_at > 0 AND finished_at > 0`, hallID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []attendance.Service
	for rows.Next() {
		var s attendance.Service
		var c, f int64
		if err := rows.Scan(&s.StaffID, &s.WindowID, &s.Item, &c, &f); err != nil {
			return nil, err
		}
		s.Called, s.Finished = time.UnixMilli(c), time.UnixMilli(f)
		out = append(out, s)
	}
	return out, rows.Err()
}

func postsStaffNames(tx *Tx, hallID int64) (map[int64]string, error) {
	rows, err := tx.Query("SELECT id, name FROM staff WHERE hall_id = ?", hallID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// postsStaffInHall checks that a staff id belongs to the hall.
func postsStaffInHall(tx *Tx, hallID, staffID int64, field string) error {
	var n int
	if err := tx.QueryRow("SELECT COUNT(*) FROM staff WHERE id = ? AND hall_id = ?", staffID, hallID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.InvalidField(field, "err.foreign_id", field)
	}
	return nil
}
