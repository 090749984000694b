package workday

import (
	"testing"
)

// FuzzParseDate: an accepted date is valid and prints as the text it was
// parsed from; text and JSON forms round-trip.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-02", "2026-02-29", "2024-02-29", "0000-01-01", "9999-12-31", "2026-1-2", "2026-12-02T00:00:00Z", " 2026-12-02", "２０２６-12-02", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if !d.IsValid() || d.String() != s {
			t.Fatalf("%q → %+v (valid %v) → %q", s, d, d.IsValid(), d.String())
		}
		var u Date
		if err := u.UnmarshalText([]byte(s)); err != nil || u != d {
			t.Fatalf("UnmarshalText(%q) = %+v, %v", s, u, err)
		}
	})
}

// FuzzCalendar: on a calendar with a hall override, counting n working
// days forward lands on a working day n working days later
// (WorkdaysBetween agrees), Deadline never comes before its start, and
// NextWorkday is a working day not before d.
func FuzzCalendar(f *testing.F) {
	f.Add("2026-10-01", true, "2026-09-28", 10)
	f.Add("2026-02-29", false, "2026-12-31", 3)
	f.Add("2027-01-01", false, "2026-12-25", 0)
	f.Add("1999-01-01", true, "2026-05-01", 200)
	f.Fuzz(func(t *testing.T, override string, work bool, start string, n int) {
		cal, err := New([]Override{{Date: override, Work: work, Note: "fuzz"}}, nil)
		if err != nil {
			return
		}
		d, err := Parse(start)
		if err != nil {
			return
		}
		if n < 0 {
			n = -n
		}
		n %= 400
		end, err := cal.AddWorkdays(d, n)
		if err != nil {
			return // a year the calendar does not know
		}
		if n > 0 {
			if ok, err := cal.IsWorkday(end); err != nil || !ok {
				t.Fatalf("AddWorkdays(%s, %d) = %s, not a working day (%v)", d, n, end, err)
			}
			if !end.After(d) {
				t.Fatalf("AddWorkdays(%s, %d) = %s, not after the start", d, n, end)
			}
		}
		if got, err := cal.WorkdaysBetween(d, end); err != nil || got != n {
			t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", d, end, got, err, n)
		}
		for _, unit := range []Unit{WorkingDays, CalendarDays} {
			dl, err := cal.Deadline(d, n, unit)
			if err == nil && dl.Before(d) {
				t.Fatalf("Deadline(%s, %d, %v) = %s, before the start", d, n, unit, dl)
			}
		}
		if nw, err := cal.NextWorkday(d); err == nil {
			if ok, _ := cal.IsWorkday(nw); !ok || nw.Before(d) {
				t.Fatalf("NextWorkday(%s) = %s", d, nw)
			}
		}
	})
}
