package store

import (
	"context"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/workday"
)

// Calendar returns the working-day calendar: the official schedule plus the
// overrides and known years stored by administrators.
func (db *DB) Calendar(ctx context.Context) (*workday.Calendar, error) {
	var cal *workday.Calendar
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		cal, err = loadCalendar(tx)
		return err
	})
	return cal, err
}

func loadCalendar(tx *Tx) (*workday.Calendar, error) {
	rows, err := tx.Query("SELECT date, work, note FROM calendar_overrides ORDER BY date")
	if err != nil {
		return nil, err
	}
	var ovs []workday.Override
	for rows.Next() {
		var o workday.Override
		var work int
		if err := rows.Scan(&o.Date, &work, &o.Note); err != nil {
			rows.Close()
			return nil, err
		}
		o.Work = work == 1
		ovs = append(ovs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query("SELECT year FROM calendar_known_years ORDER BY year")
	if err != nil {
		return nil, err
	}
	var years []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return nil, err
		}
		years = append(years, y)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return workday.New(ovs, years)
}

// CalendarOverride is a stored override with who entered it.
type CalendarOverride struct {
	workday.Override
	CreatedBy string `json:"created_by"`
	CreatedAt int64  `json:"created_at"`
}

// ListCalendarOverrides returns the overrides in date order and the years
// declared known besides the official ones.
func (db *DB) ListCalendarOverrides(ctx context.Context) ([]CalendarOverride, []int, error) {
	var out []CalendarOverride
	var years []int
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT date, work, note, created_by, created_at FROM calendar_overrides ORDER BY date")
		if err != nil {
			return err
		}
		for rows.Next() {
			var o CalendarOverride
			var work int
			if err := rows.Scan(&o.Date, &work, &o.Note, &o.CreatedBy, &o.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			o.Work = work == 1
			out = append(out, o)
		}
		rows.Close()
		yr, err := tx.Query("SELECT year FROM calendar_known_years ORDER BY year")
		if err != nil {
			return err
		}
		defer yr.Close()
		for yr.Next() {
			var y int
			if err := yr.Scan(&y); err != nil {
				return err
			}
			years = append(years, y)
		}
		return yr.Err()
	})
	return out, years, err
}

// SetCalendarOverride adds or replaces the override of one date (a local
// closure, an extra working day, or a day of a new year's schedule). The
// due dates of open cases are recomputed in the same transaction.
func (db *DB) SetCalendarOverride(ctx context.Context, o workday.Override) error {
	d, err := workday.Parse(strings.TrimSpace(o.Date))
	if err != nil {
		return apperr.InvalidField("date", "cases.bad_date", o.Date)
	}
	o.Note = strings.TrimSpace(o.Note)
	if o.Note == "" {
		return apperr.InvalidField("note", "err.required", "note")
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("DELETE FROM calendar_overrides WHERE date = ?", d.String()); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO calendar_overrides (date, work, note, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
			d.String(), b2i(o.Work), o.Note, tx.Actor.Name, tx.NowMs()); err != nil {
			return err
		}
		if err := recomputeOpenDues(tx); err != nil {
			return err
		}
		return tx.Audit("calendar.override", "date:"+d.String(), fmt.Sprintf("work=%v %s", o.Work, o.Note))
	})
}

// DeleteCalendarOverride removes the override of one date.
func (db *DB) DeleteCalendarOverride(ctx context.Context, date string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("DELETE FROM calendar_overrides WHERE date = ?", date)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("calendar_override")
		}
		if err := recomputeOpenDues(tx); err != nil {
			return err
		}
		return tx.Audit("calendar.override_delete", "date:"+date, "")
	})
}

// AddKnownYear declares that the overrides describe year's whole official
// schedule (entered from the State Council's notice before lunar-go
// carries it), so that deadlines may run into it.
func (db *DB) AddKnownYear(ctx context.Context, year int, note string) error {
	if year < 2000 || year > 2200 {
		return apperr.InvalidField("year", "err.bad_value", "year", fmt.Sprint(year))
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("INSERT INTO calendar_known_years (year, note, created_at) VALUES (?, ?, ?)", year, strings.TrimSpace(note), tx.NowMs()); err != nil {
			return err
		}
		if err := recomputeOpenDues(tx); err != nil {
			return err
		}
		return tx.Audit("calendar.known_year", fmt.Sprintf("year:%d", year), note)
	})
}
