package workday

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidDate is returned for text that is not a date in the form
// YYYY-MM-DD and for a Date whose fields do not name a real day.
var ErrInvalidDate = errors.New("workday: invalid date")

// Date is a civil date: a year, month and day with no time of day and no
// time zone. The zero Date is not a valid date; IsZero reports it.
//
// A Date is comparable, so it can be used with == and as a map key, and its
// text form (String, MarshalText) is the YYYY-MM-DD form used in the
// database and the API.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date with the given fields. Out-of-range fields are
// normalised the way time.Date does it (e.g. 2026-02-30 becomes 2026-03-02).
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the date of t in t's own location. To get "today" in a
// hall, pass the time converted to the hall's zone: DateOf(now.In(loc)).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Parse parses a date in the form YYYY-MM-DD. It rejects days that do not
// exist, such as 2026-02-29.
func Parse(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) || !DateOf(t).IsValid() {
		// (Year 0000 parses in Go but is no valid Date.)
		return Date{}, fmt.Errorf("%w: %q is not a date in the form YYYY-MM-DD", ErrInvalidDate, s)
	}
	return DateOf(t), nil
}

// MustParse is like Parse but panics on error. It is meant for tests and
// for constants in code.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the date in the form YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d names a real day of years 1 to 9999.
func (d Date) IsValid() bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	return NewDate(d.Year, d.Month, d.Day) == d
}

// Time returns the start of the day d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time(time.UTC).Weekday() }

// AddDays returns the date n days after d (before d if n is negative).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// DaysSince returns the number of calendar days from u to d: positive when d
// is after u.
func (d Date) DaysSince(u Date) int {
	// Both are midnight UTC, so the difference is a whole number of days.
	return int(d.Time(time.UTC).Sub(u.Time(time.UTC)).Hours()) / 24
}

// Compare returns -1 if d is before u, 0 if they are the same day and +1 if
// d is after u.
func (d Date) Compare(u Date) int {
	if c := cmp.Compare(d.Year, u.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, u.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, u.Day)
}

// Before reports whether d is before u.
func (d Date) Before(u Date) bool { return d.Compare(u) < 0 }

// After reports whether d is after u.
func (d Date) After(u Date) bool { return d.Compare(u) > 0 }

// MarshalText implements encoding.TextMarshaler with the YYYY-MM-DD form.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Empty text gives the
// zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
