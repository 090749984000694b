package cases

import (
	"errors"
	"testing"

	"mingbai/internal/workday"
)

var d = workday.MustParse

func wd(n int) Limit { return Limit{N: n, Unit: workday.WorkingDays} }
func cd(n int) Limit { return Limit{N: n, Unit: workday.CalendarDays} }

// period is a correction period; resume "" means still open.
func period(stop, resume string) CorrectionPeriod {
	p := CorrectionPeriod{Stop: d(stop)}
	if resume != "" {
		p.Resume = d(resume)
	}
	return p
}

func TestComputeDue(t *testing.T) {
	cal := workday.Official()
	tests := []struct {
		name        string
		accepted    string
		limit       Limit
		corrections []CorrectionPeriod
		want        string // due date; "" when stopped
		remaining   int    // when stopped
	}{
		// The worked example (2026 Spring Festival: 2/15-2/23 off, 2/14
		// and 2/28 are make-up Saturdays).
		{name: "3 working days", accepted: "2026-02-12", limit: wd(3), want: "2026-02-24"},
		{name: "5 working days", accepted: "2026-02-12", limit: wd(5), want: "2026-02-26"},
		{name: "15 working days", accepted: "2026-02-12", limit: wd(15), want: "2026-03-11"},
		{name: "on the spot", accepted: "2026-02-12", limit: wd(0), want: "2026-02-12"},

		// Stop before the holiday, restart after it. Used: 2/10, 2/11
		// (the day of the request counts); 2/12 and 2/13 are not counted;
		// restart after 2/13: 2/14 (make-up), 2/24 ... 2/28 (make-up),
		// 3/2, 3/3. Without the correction: 2026-02-28.
		{name: "stop and restart across spring festival", accepted: "2026-02-09", limit: wd(10),
			corrections: []CorrectionPeriod{period("2026-02-11", "2026-02-13")}, want: "2026-03-03"},
		{name: "same without correction", accepted: "2026-02-09", limit: wd(10), want: "2026-02-28"},
		// Materials arrive during the holiday: the clock restarts on the
		// first working day after.
		{name: "materials arrive during the holiday", accepted: "2026-02-12", limit: wd(5),
			corrections: []CorrectionPeriod{period("2026-02-13", "2026-02-18")}, want: "2026-02-27"},
		// Stop and resume on the same day lose nothing.
		{name: "resumed the same day", accepted: "2026-02-12", limit: wd(5),
			corrections: []CorrectionPeriod{period("2026-02-13", "2026-02-13")}, want: "2026-02-26"},
		{name: "open correction stops the clock", accepted: "2026-02-12", limit: wd(5),
			corrections: []CorrectionPeriod{period("2026-02-13", "")}, remaining: 4},
		// Nothing used; restart after 2/24: 2/25, 2/26, 2/27, 2/28
		// (make-up), 3/2.
		{name: "correction requested at acceptance", accepted: "2026-02-12", limit: wd(5),
			corrections: []CorrectionPeriod{period("2026-02-12", "2026-02-24")}, want: "2026-03-02"},
		// Two corrections: used 1 (2/13), restart after 2/24; used 3
		// more (2/25-2/27), restart after 3/2 with 11 left.
		{name: "two corrections", accepted: "2026-02-12", limit: wd(15),
			corrections: []CorrectionPeriod{period("2026-02-13", "2026-02-24"), period("2026-02-27", "2026-03-02")}, want: "2026-03-17"},
		{name: "second correction open", accepted: "2026-02-12", limit: wd(15),
			corrections: []CorrectionPeriod{period("2026-02-13", "2026-02-24"), period("2026-02-27", "")}, remaining: 11},
		// The limit ran out (2/24) before the correction (2/26): the due
		// date does not move, open or not.
		{name: "correction after the due date", accepted: "2026-02-12", limit: wd(3),
			corrections: []CorrectionPeriod{period("2026-02-26", "2026-03-02")}, want: "2026-02-24"},
		{name: "open correction after the due date", accepted: "2026-02-12", limit: wd(3),
			corrections: []CorrectionPeriod{period("2026-02-26", "")}, want: "2026-02-24"},
		// Requested on the due date itself: nothing left, so the case is
		// due the day the materials arrive.
		{name: "correction on the due date", accepted: "2026-02-12", limit: wd(3),
			corrections: []CorrectionPeriod{period("2026-02-24", "2026-02-26")}, want: "2026-02-26"},
		{name: "open correction on the due date", accepted: "2026-02-12", limit: wd(3),
			corrections: []CorrectionPeriod{period("2026-02-24", "")}, remaining: 0},
		{name: "on-the-spot item after correction", accepted: "2026-02-12", limit: wd(0),
			corrections: []CorrectionPeriod{period("2026-02-12", "2026-02-13")}, want: "2026-02-13"},

		// National Day 2026: 9/25-9/27 and 10/1-10/7 off, 10/10 a
		// make-up Saturday.
		{name: "national day", accepted: "2026-09-24", limit: wd(5), want: "2026-10-09"},
		{name: "correction over national day", accepted: "2026-09-24", limit: wd(5),
			corrections: []CorrectionPeriod{period("2026-09-28", "2026-10-09")}, want: "2026-10-14"},

		// Calendar days (e.g. arbitration: 45 days).
		{name: "45 calendar days", accepted: "2026-02-02", limit: cd(45), want: "2026-03-19"},
		// Used 8 days (2/3-2/10), 37 left after 2/26: 4/4 is Qingming,
		// off until 4/6, so the last day moves to 4/7.
		{name: "calendar days with correction ending on a holiday", accepted: "2026-02-02", limit: cd(45),
			corrections: []CorrectionPeriod{period("2026-02-10", "2026-02-26")}, want: "2026-04-07"},
		{name: "calendar days open correction", accepted: "2026-02-02", limit: cd(45),
			corrections: []CorrectionPeriod{period("2026-02-10", "")}, remaining: 37},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeDue(cal, d(tt.accepted), tt.limit, tt.corrections)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Set {
				t.Fatal("Set = false")
			}
			if tt.want == "" {
				if !got.Stopped {
					t.Fatalf("due %s, want the clock stopped", got.Date)
				}
				if got, want := got.Remaining, tt.remaining; got != want {
					t.Errorf("Remaining = %d, want %d", got, want)
				}
				if !got.Date.IsZero() {
					t.Errorf("Date = %s while stopped, want zero", got.Date)
				}
				return
			}
			if got.Stopped {
				t.Fatalf("clock stopped, want due %s", tt.want)
			}
			if want := d(tt.want); got.Date != want {
				t.Errorf("due = %s, want %s", got.Date, want)
			}
		})
	}
}

func TestComputeDueOverride(t *testing.T) {
	// A local closure on 2026-02-25 pushes a due date that spans it.
	cal, err := workday.New([]workday.Override{{Date: "2026-02-25", Work: false, Note: "停电闭厅"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ComputeDue(cal, d("2026-02-12"), wd(5), []CorrectionPeriod{period("2026-02-13", "2026-02-18")})
	if err != nil {
		t.Fatal(err)
	}
	// Used 1 (2/13); restart after 2/18: 2/24, (2/25 closed), 2/26,
	// 2/27, 2/28 (make-up). Without the closure: 2/27.
	if want := d("2026-02-28"); got.Date != want {
		t.Errorf("due = %s, want %s", got.Date, want)
	}
}

func TestComputeDueErrors(t *testing.T) {
	cal := workday.Official()
	tests := []struct {
		name        string
		accepted    string
		limit       Limit
		corrections []CorrectionPeriod
		err         error
	}{
		{"stop before acceptance", "2026-02-12", wd(5), []CorrectionPeriod{period("2026-02-11", "2026-02-13")}, ErrCorrections},
		{"resume before stop", "2026-02-12", wd(5), []CorrectionPeriod{period("2026-02-20", "2026-02-13")}, ErrCorrections},
		{"open correction not last", "2026-02-12", wd(5), []CorrectionPeriod{period("2026-02-13", ""), period("2026-02-24", "2026-02-25")}, ErrCorrections},
		{"overlapping", "2026-02-12", wd(5), []CorrectionPeriod{period("2026-02-13", "2026-02-25"), period("2026-02-24", "2026-02-26")}, ErrCorrections},
		{"missing stop", "2026-02-12", wd(5), []CorrectionPeriod{{}}, ErrCorrections},
		{"negative limit", "2026-02-12", wd(-1), nil, ErrLimit},
		{"unknown unit", "2026-02-12", Limit{N: 5, Unit: "weeks"}, nil, ErrLimit},
		{"runs into an unknown year", "2027-12-20", wd(15), nil, workday.ErrUnknownYear},
		{"accepted in an unknown year", "2028-01-04", wd(1), nil, workday.ErrUnknownYear},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ComputeDue(cal, d(tt.accepted), tt.limit, tt.corrections); !errors.Is(err, tt.err) {
				t.Errorf("error = %v, want %v", err, tt.err)
			}
		})
	}
	t.Run("adjacent corrections are fine", func(t *testing.T) {
		if err := ValidateCorrections(d("2026-02-12"), []CorrectionPeriod{period("2026-02-13", "2026-02-24"), period("2026-02-24", "")}); err != nil {
			t.Error(err)
		}
	})
	t.Run("no limit", func(t *testing.T) {
		got, err := ComputeDue(cal, d("2026-02-12"), Limit{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != (Due{}) {
			t.Errorf("ComputeDue(no limit) = %+v, want zero", got)
		}
	})
}

func TestValidateLimits(t *testing.T) {
	tests := []struct {
		name               string
		pledged, statutory Limit
		ok                 bool
	}{
		{"pledged below statutory", wd(5), wd(20), true},
		{"equal", wd(20), wd(20), true},
		{"pledged above statutory", wd(25), wd(20), false},
		{"different units not compared", wd(30), cd(20), true},
		{"no statutory limit", wd(5), Limit{}, true},
		{"on the spot", wd(0), wd(10), true},
		{"negative", wd(-1), wd(10), false},
		{"bad unit", Limit{N: 3, Unit: "days"}, wd(10), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateLimits(tt.pledged, tt.statutory)
			if tt.ok && err != nil {
				t.Errorf("ValidateLimits: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrLimit) {
				t.Errorf("ValidateLimits error = %v, want ErrLimit", err)
			}
		})
	}
	if got, want := wd(15).String(), "15 working_days"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := (Limit{}).String(), "none"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestWarn(t *testing.T) {
	cal := workday.Official()
	// Pledged 5 working days from 2026-02-12: due 2026-02-26 (Thu).
	due5 := Due{Set: true, Date: d("2026-02-26")}
	// Due Friday 2026-03-06.
	dueFri := Due{Set: true, Date: d("2026-03-06")}
	// Due 2026-02-24, the first working day after the Spring Festival.
	dueAfterHoliday := Due{Set: true, Date: d("2026-02-24")}
	tests := []struct {
		name   string
		due    Due
		today  string
		yellow int
		level  Level
		left   int
	}{
		{"on acceptance", due5, "2026-02-12", 1, LevelNone, 5},
		{"two days left", due5, "2026-02-24", 1, LevelNone, 2},
		{"one day left", due5, "2026-02-25", 1, LevelYellow, 1},
		{"due today", due5, "2026-02-26", 1, LevelYellow, 0},
		{"overdue", due5, "2026-02-27", 1, LevelRed, -1},
		{"long overdue", due5, "2026-03-11", 1, LevelRed, -10},
		{"three-day threshold", due5, "2026-02-24", 3, LevelYellow, 2},
		{"zero-day threshold, one left", due5, "2026-02-25", 0, LevelNone, 1},
		{"zero-day threshold, due today", due5, "2026-02-26", 0, LevelYellow, 0},
		{"saturday after a friday due date", dueFri, "2026-03-07", 1, LevelRed, 0},
		{"monday after a friday due date", dueFri, "2026-03-09", 1, LevelRed, -1},
		{"make-up saturday before the holiday", dueAfterHoliday, "2026-02-14", 1, LevelYellow, 1},
		{"friday before the holiday", dueAfterHoliday, "2026-02-13", 1, LevelNone, 2},
		{"during the holiday", dueAfterHoliday, "2026-02-20", 1, LevelYellow, 1},
		{"clock stopped", Due{Set: true, Stopped: true, Remaining: 1}, "2026-03-20", 1, LevelNone, 0},
		{"no limit", Due{}, "2026-03-20", 1, LevelNone, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Warn(cal, tt.due, d(tt.today), tt.yellow)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := w.Level, tt.level; got != want {
				t.Errorf("Level = %s, want %s", got, want)
			}
			if got, want := w.Left, tt.left; got != want {
				t.Errorf("Left = %d, want %d", got, want)
			}
			if got, want := w.Due, tt.due; got != want {
				t.Errorf("Due = %+v, want %+v", got, want)
			}
		})
	}
	if _, err := Warn(cal, Due{Set: true, Date: d("2028-01-10")}, d("2027-12-30"), 1); !errors.Is(err, workday.ErrUnknownYear) {
		t.Errorf("Warn into 2028 error = %v, want ErrUnknownYear", err)
	}
}

func TestDueMissed(t *testing.T) {
	due := Due{Set: true, Date: d("2026-02-26")}
	tests := []struct {
		due  Due
		day  string
		want bool
	}{
		{due, "2026-02-26", false},
		{due, "2026-02-27", true},
		{Due{Set: true, Stopped: true}, "2026-03-27", false},
		{Due{}, "2026-03-27", false},
	}
	for _, tt := range tests {
		if got := tt.due.Missed(d(tt.day)); got != tt.want {
			t.Errorf("%+v.Missed(%s) = %v, want %v", tt.due, tt.day, got, tt.want)
		}
	}
}
