package workday

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// schedule is a year's official schedule as published by the State
// Council, written out here independently of lunar-go so that the tests
// check lunar-go's data too.
type schedule struct {
	year   int
	off    [][2]string // inclusive ranges of days off
	makeUp []string    // make-up working days (调休上班)
}

var (
	// 国办发明电〔2024〕12号 (published 2024-11-12).
	schedule2025 = schedule{
		year: 2025,
		off: [][2]string{
			{"2025-01-01", "2025-01-01"},
			{"2025-01-28", "2025-02-04"},
			{"2025-04-04", "2025-04-06"},
			{"2025-05-01", "2025-05-05"},
			{"2025-05-31", "2025-06-02"},
			{"2025-10-01", "2025-10-08"},
		},
		makeUp: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
	}
	// State Council notice published 2025-11-04.
	schedule2026 = schedule{
		year: 2026,
		off: [][2]string{
			{"2026-01-01", "2026-01-03"},
			{"2026-02-15", "2026-02-23"},
			{"2026-04-04", "2026-04-06"},
			{"2026-05-01", "2026-05-05"},
			{"2026-06-19", "2026-06-21"},
			{"2026-09-25", "2026-09-27"},
			{"2026-10-01", "2026-10-07"},
		},
		makeUp: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
	}
)

// workdays returns, for every day of the schedule's year, whether it is a
// working day according to the published schedule.
func (s schedule) workdays() map[Date]bool {
	m := make(map[Date]bool)
	for d := NewDate(s.year, time.January, 1); d.Year == s.year; d = d.AddDays(1) {
		m[d] = d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	}
	for _, r := range s.off {
		for d := MustParse(r[0]); !d.After(MustParse(r[1])); d = d.AddDays(1) {
			m[d] = false
		}
	}
	for _, s := range s.makeUp {
		m[MustParse(s)] = true
	}
	return m
}

func TestOfficialRange(t *testing.T) {
	// lunar-go v1.4.7 carries the schedules of 2002 to 2027. When lunar-go
	// is upgraded this test tells that the range moved: check the new
	// year against the State Council's notice before adjusting it.
	if got, want := LastOfficialYear(), 2027; got != want {
		t.Errorf("LastOfficialYear() = %d, want %d", got, want)
	}
	c := Official()
	for _, tt := range []struct {
		year int
		want bool
	}{
		{2001, false}, {2002, true}, {2025, true}, {2026, true}, {2027, true}, {2028, false},
	} {
		if got := c.Known(tt.year); got != tt.want {
			t.Errorf("Known(%d) = %v, want %v", tt.year, got, tt.want)
		}
	}
	if got, want := len(c.KnownYears()), 26; got != want {
		t.Errorf("len(KnownYears()) = %d, want %d", got, want)
	}
}

func TestOfficialSchedule(t *testing.T) {
	c := Official()
	for _, s := range []schedule{schedule2025, schedule2026} {
		t.Run(time.Date(s.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			want := s.workdays()
			n := 0
			for d, w := range want {
				got, err := c.IsWorkday(d)
				if err != nil {
					t.Fatalf("IsWorkday(%s): %v", d, err)
				}
				if got != w {
					t.Errorf("IsWorkday(%s) (%s) = %v, want %v", d, d.Weekday(), got, w)
				}
				if w {
					n++
				}
			}
			t.Logf("%d working days in %d", n, s.year)
		})
	}
}

func TestWorkingDaysPerYear(t *testing.T) {
	// Both years have 261 weekdays. 2025: 18 of them off, 5 make-up days;
	// 2026: 19 off, 6 make-up days. 248 working days each.
	c := Official()
	for _, tt := range []struct{ year, want int }{{2025, 248}, {2026, 248}} {
		got, err := c.WorkdaysBetween(NewDate(tt.year-1, time.December, 31), NewDate(tt.year, time.December, 31))
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("working days in %d = %d, want %d", tt.year, got, tt.want)
		}
	}
}

func TestInfo(t *testing.T) {
	c := Official()
	tests := []struct {
		date       string
		work       bool
		source     Source
		nameSubstr string
	}{
		{"2026-02-17", false, SourceOfficial, "春节"},
		{"2026-02-14", true, SourceOfficial, "春节"},
		{"2026-10-10", true, SourceOfficial, "国庆"},
		{"2026-09-25", false, SourceOfficial, "中秋"},
		{"2026-02-13", true, SourceWeek, ""},
		{"2026-03-07", false, SourceWeek, ""},
		{"2025-10-08", false, SourceOfficial, "国庆"},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			info, err := c.Info(MustParse(tt.date))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := info.Work, tt.work; got != want {
				t.Errorf("Work = %v, want %v", got, want)
			}
			if got, want := info.Source, tt.source; got != want {
				t.Errorf("Source = %q, want %q", got, want)
			}
			if !strings.Contains(info.Name, tt.nameSubstr) || (tt.nameSubstr == "" && info.Name != "") {
				t.Errorf("Name = %q, want containing %q", info.Name, tt.nameSubstr)
			}
		})
	}
}

func TestAddWorkdays(t *testing.T) {
	c := Official()
	tests := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		// The worked example of the brief: accepted on Thursday before the
		// 2026 Spring Festival; Saturday 2/14 is a make-up working day.
		{"2026 spring festival 1", "2026-02-12", 1, "2026-02-13"},
		{"2026 spring festival 2 make-up saturday", "2026-02-12", 2, "2026-02-14"},
		{"2026 spring festival 3", "2026-02-12", 3, "2026-02-24"},
		{"2026 spring festival 5", "2026-02-12", 5, "2026-02-26"},
		{"2026 spring festival 7 make-up saturday", "2026-02-12", 7, "2026-02-28"},
		{"2026 spring festival 15", "2026-02-12", 15, "2026-03-11"},
		{"on the spot", "2026-02-12", 0, "2026-02-12"},
		{"on the spot on a holiday", "2026-02-17", 0, "2026-02-17"},
		{"accepted on a holiday", "2026-02-17", 1, "2026-02-24"},
		{"2026 new year make-up sunday", "2025-12-31", 1, "2026-01-04"},
		{"2026 national day", "2026-09-30", 1, "2026-10-08"},
		{"2026 national day make-up saturday", "2026-09-30", 3, "2026-10-10"},
		{"2026 mid-autumn then make-up sunday", "2026-09-18", 1, "2026-09-20"},
		{"2026 labour day", "2026-04-30", 1, "2026-05-06"},
		{"2026 labour day make-up saturday", "2026-04-30", 4, "2026-05-09"},
		// 2025 Spring Festival: 1/26 (Sun) and 2/8 (Sat) are make-up days,
		// 1/28-2/4 off.
		{"2025 spring festival make-up sunday", "2025-01-24", 1, "2025-01-26"},
		{"2025 spring festival 2", "2025-01-24", 2, "2025-01-27"},
		{"2025 spring festival 3", "2025-01-24", 3, "2025-02-05"},
		{"2025 spring festival make-up saturday", "2025-01-24", 6, "2025-02-08"},
		{"2025 spring festival 10", "2025-01-24", 10, "2025-02-13"},
		// 2025 National Day: 9/28 (Sun) and 10/11 (Sat) are make-up days,
		// 10/1-10/8 off.
		{"2025 national day make-up sunday", "2025-09-26", 1, "2025-09-28"},
		{"2025 national day 3", "2025-09-26", 3, "2025-09-30"},
		{"2025 national day 4", "2025-09-26", 4, "2025-10-09"},
		{"2025 national day make-up saturday", "2025-09-26", 6, "2025-10-11"},
		{"2025 national day 7", "2025-09-26", 7, "2025-10-13"},
		{"2025 national day 15", "2025-09-26", 15, "2025-10-23"},
		{"2025 dragon boat", "2025-05-30", 1, "2025-06-03"},
		{"across the year", "2025-12-26", 5, "2026-01-05"},
		{"backwards over spring festival", "2026-02-24", -1, "2026-02-14"},
		{"backwards 3", "2026-02-24", -3, "2026-02-12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.AddWorkdays(MustParse(tt.start), tt.n)
			if err != nil {
				t.Fatalf("AddWorkdays(%s, %d): %v", tt.start, tt.n, err)
			}
			if want := MustParse(tt.want); got != want {
				t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tt.start, tt.n, got, want)
			}
			// Deadline in working days is the same count.
			if tt.n >= 0 {
				d, err := c.Deadline(MustParse(tt.start), tt.n, WorkingDays)
				if err != nil {
					t.Fatal(err)
				}
				if d != got {
					t.Errorf("Deadline(%s, %d, working days) = %s, want %s", tt.start, tt.n, d, got)
				}
			}
		})
	}
}

func TestUnknownYear(t *testing.T) {
	c := Official()
	tests := []struct {
		name string
		year int
		call func() error
	}{
		{"is workday after the range", 2028, func() error {
			_, err := c.IsWorkday(MustParse("2028-03-01"))
			return err
		}},
		{"is workday before the range", 2001, func() error {
			_, err := c.IsWorkday(MustParse("2001-06-01"))
			return err
		}},
		{"start in an unknown year", 2028, func() error {
			_, err := c.AddWorkdays(MustParse("2028-01-03"), 0)
			return err
		}},
		{"counting runs into an unknown year", 2028, func() error {
			_, err := c.AddWorkdays(MustParse("2027-12-20"), 15)
			return err
		}},
		{"calendar-day deadline into an unknown year", 2028, func() error {
			_, err := c.Deadline(MustParse("2027-12-20"), 45, CalendarDays)
			return err
		}},
		{"days left into an unknown year", 2028, func() error {
			_, err := c.WorkdaysBetween(MustParse("2027-12-20"), MustParse("2028-01-10"))
			return err
		}},
		{"override alone does not make a year known", 2028, func() error {
			c, err := New([]Override{{Date: "2028-01-01", Work: false, Note: "元旦"}}, nil)
			if err != nil {
				return err
			}
			_, err = c.IsWorkday(MustParse("2028-01-04"))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, ErrUnknownYear) {
				t.Fatalf("error = %v, want ErrUnknownYear", err)
			}
			var ue *UnknownYearError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v is not an *UnknownYearError", err)
			}
			if got, want := ue.Year, tt.year; got != want {
				t.Errorf("Year = %d, want %d", got, want)
			}
			if !strings.Contains(err.Error(), time.Date(tt.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")) {
				t.Errorf("message %q does not name the year", err)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	accepted := MustParse("2026-02-12")
	tests := []struct {
		name      string
		overrides []Override
		known     []int
		start     string
		n         int
		want      string
	}{
		{
			name:      "closure pushes the deadline",
			overrides: []Override{{Date: "2026-02-24", Work: false, Note: "停电闭厅"}},
			start:     accepted.String(), n: 3, want: "2026-02-25",
		},
		{
			name:      "closure of a make-up day",
			overrides: []Override{{Date: "2026-02-14", Work: false, Note: "大厅调整"}},
			start:     accepted.String(), n: 2, want: "2026-02-24",
		},
		{
			name:      "closure after the deadline changes nothing",
			overrides: []Override{{Date: "2026-03-12", Work: false}},
			start:     accepted.String(), n: 15, want: "2026-03-11",
		},
		{
			name:      "extra working saturday brings it forward",
			overrides: []Override{{Date: "2026-03-07", Work: true, Note: "加班"}},
			start:     accepted.String(), n: 15, want: "2026-03-10",
		},
		{
			name: "a new year's schedule declared known",
			overrides: []Override{
				{Date: "2028-01-01", Work: false, Note: "元旦"},
				{Date: "2028-01-03", Work: false, Note: "元旦"},
			},
			known: []int{2028},
			start: "2027-12-30", n: 2, want: "2028-01-04",
		},
		{
			name:      "duplicate overrides that agree",
			overrides: []Override{{Date: "2026-02-24", Work: false}, {Date: "2026-02-24", Work: false, Note: "again"}},
			start:     accepted.String(), n: 3, want: "2026-02-25",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.overrides, tt.known)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Deadline(MustParse(tt.start), tt.n, WorkingDays)
			if err != nil {
				t.Fatal(err)
			}
			if want := MustParse(tt.want); got != want {
				t.Errorf("Deadline(%s, %d) = %s, want %s", tt.start, tt.n, got, want)
			}
		})
	}

	t.Run("override info", func(t *testing.T) {
		c, err := New([]Override{{Date: "2026-02-24", Work: false, Note: "停电闭厅"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.Info(MustParse("2026-02-24"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := info, (DayInfo{Date: MustParse("2026-02-24"), Work: false, Source: SourceOverride, Name: "停电闭厅"}); got != want {
			t.Errorf("Info = %+v, want %+v", got, want)
		}
		if got, want := len(c.Overrides()), 1; got != want {
			t.Errorf("len(Overrides()) = %d, want %d", got, want)
		}
	})

	t.Run("known years include declared ones", func(t *testing.T) {
		c, err := New(nil, []int{2029, 2028, 2026})
		if err != nil {
			t.Fatal(err)
		}
		ys := c.KnownYears()
		if got, want := ys[len(ys)-2:], []int{2028, 2029}; got[0] != want[0] || got[1] != want[1] {
			t.Errorf("last known years = %v, want %v", got, want)
		}
		if got, want := len(ys), 28; got != want {
			t.Errorf("len(KnownYears()) = %d, want %d", got, want)
		}
		// A declared year without overrides follows the weekend rule.
		work, err := c.IsWorkday(MustParse("2029-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		if !work {
			t.Error("2029-01-01 (Monday) without overrides is not a working day")
		}
	})

	t.Run("sorted overrides", func(t *testing.T) {
		c, err := New([]Override{{Date: "2026-05-06"}, {Date: "2026-01-05"}, {Date: "2026-03-02"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range c.Overrides() {
			got = append(got, o.Date)
		}
		if got, want := strings.Join(got, ","), "2026-01-05,2026-03-02,2026-05-06"; got != want {
			t.Errorf("Overrides() dates = %s, want %s", got, want)
		}
	})
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name      string
		overrides []Override
		known     []int
	}{
		{"bad date", []Override{{Date: "2026-02-30"}}, nil},
		{"empty date", []Override{{}}, nil},
		{"conflicting duplicates", []Override{{Date: "2026-02-24", Work: false}, {Date: "2026-02-24", Work: true}}, nil},
		{"known year out of range", nil, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.overrides, tt.known); !errors.Is(err, ErrOverride) {
				t.Errorf("New error = %v, want ErrOverride", err)
			}
		})
	}
}

func TestCalendarDays(t *testing.T) {
	c := Official()
	tests := []struct {
		name  string
		start string
		n     int
		plain string // AddCalendarDays
		want  string // Deadline
	}{
		{"ordinary", "2026-03-02", 45, "2026-04-16", "2026-04-16"},
		{"last day in spring festival moves to the next working day", "2026-02-12", 5, "2026-02-17", "2026-02-24"},
		{"last day on national day", "2026-09-01", 30, "2026-10-01", "2026-10-08"},
		{"last day on a saturday", "2026-03-02", 5, "2026-03-07", "2026-03-09"},
		{"last day on a make-up saturday stays", "2026-02-09", 5, "2026-02-14", "2026-02-14"},
		{"holidays inside the period count", "2026-09-28", 15, "2026-10-13", "2026-10-13"},
		{"arbitration 45 days over 2025 national day", "2025-09-15", 45, "2025-10-30", "2025-10-30"},
		{"zero days", "2026-02-17", 0, "2026-02-17", "2026-02-17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := MustParse(tt.start)
			plain, err := c.AddCalendarDays(start, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if want := MustParse(tt.plain); plain != want {
				t.Errorf("AddCalendarDays(%s, %d) = %s, want %s", start, tt.n, plain, want)
			}
			got, err := c.Deadline(start, tt.n, CalendarDays)
			if err != nil {
				t.Fatal(err)
			}
			if want := MustParse(tt.want); got != want {
				t.Errorf("Deadline(%s, %d, calendar days) = %s, want %s", start, tt.n, got, want)
			}
		})
	}
}

func TestDeadlineErrors(t *testing.T) {
	c := Official()
	start := MustParse("2026-02-12")
	if _, err := c.Deadline(start, 3, Unit("weeks")); !errors.Is(err, ErrUnknownUnit) {
		t.Errorf("Deadline(weeks) error = %v, want ErrUnknownUnit", err)
	}
	if _, err := c.Deadline(start, 3, ""); !errors.Is(err, ErrUnknownUnit) {
		t.Errorf("Deadline(\"\") error = %v, want ErrUnknownUnit", err)
	}
	if _, err := c.Deadline(start, -1, WorkingDays); err == nil {
		t.Error("Deadline(-1) did not fail")
	}
	if _, err := c.AddWorkdays(Date{2026, time.February, 30}, 1); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("AddWorkdays(invalid) error = %v, want ErrInvalidDate", err)
	}
	if _, err := c.AddCalendarDays(Date{}, 1); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("AddCalendarDays(zero) error = %v, want ErrInvalidDate", err)
	}
	if got, want := WorkingDays.Valid() && CalendarDays.Valid() && !Unit("days").Valid(), true; got != want {
		t.Errorf("Unit.Valid mismatch")
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := Official()
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"same day", "2026-02-12", "2026-02-12", 0},
		{"over spring festival", "2026-02-12", "2026-02-26", 5},
		{"reversed", "2026-02-26", "2026-02-12", -5},
		{"make-up saturday counts", "2026-02-13", "2026-02-14", 1},
		{"holiday only", "2026-02-14", "2026-02-23", 0},
		{"due friday, today saturday", "2026-03-07", "2026-03-06", 0},
		{"due friday, today monday", "2026-03-09", "2026-03-06", -1},
		{"due friday, today tuesday", "2026-03-10", "2026-03-06", -2},
		{"one left", "2026-03-10", "2026-03-11", 1},
		{"from a weekend", "2026-03-07", "2026-03-09", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.WorkdaysBetween(MustParse(tt.a), MustParse(tt.b))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}

	t.Run("inverse of AddWorkdays", func(t *testing.T) {
		for _, s := range []string{"2025-01-24", "2025-09-26", "2026-02-12", "2026-02-17", "2026-09-18", "2026-12-25"} {
			start := MustParse(s)
			for n := -20; n <= 20; n++ {
				d, err := c.AddWorkdays(start, n)
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.WorkdaysBetween(start, d)
				if err != nil {
					t.Fatal(err)
				}
				// Counting backwards from a day off, the days off
				// between are not counted either way, but start is not
				// the n-th day: the identity holds for n >= 0 only, or
				// from a working day.
				if work, _ := c.IsWorkday(start); n < 0 && !work {
					continue
				}
				if got != n {
					t.Errorf("WorkdaysBetween(%s, AddWorkdays(%s, %d) = %s) = %d", start, start, n, d, got)
				}
			}
		}
	})
}

func TestNextWorkday(t *testing.T) {
	c := Official()
	for _, tt := range []struct{ in, want string }{
		{"2026-02-15", "2026-02-24"},
		{"2026-02-14", "2026-02-14"},
		{"2026-03-07", "2026-03-09"},
	} {
		got, err := c.NextWorkday(MustParse(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if want := MustParse(tt.want); got != want {
			t.Errorf("NextWorkday(%s) = %s, want %s", tt.in, got, want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	// Calendars share the official schedule; run under -race.
	c, err := New([]Override{{Date: "2026-02-24", Work: false}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cal := c
			if i%2 == 0 {
				cal = Official()
			}
			if _, err := cal.AddWorkdays(MustParse("2026-02-12"), 15); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
