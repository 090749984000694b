package catalog

import (
	"testing"
	"time"
)

func TestWithinStatutory(t *testing.T) {
	wd := func(n int) Limit { return Limit{Value: n, Unit: WorkingDays} }
	cd := func(n int) Limit { return Limit{Value: n, Unit: CalendarDays} }
	tests := []struct {
		name               string
		pledged, statutory Limit
		want               bool
	}{
		{"same unit, shorter", wd(10), wd(20), true},
		{"same unit, equal", wd(45), wd(45), true},
		{"same unit, longer", wd(46), wd(45), false},
		{"calendar, equal", cd(45), cd(45), true},
		{"calendar, longer", cd(16), cd(15), false},
		{"on the spot", wd(0), cd(10), true},
		{"calendar pledge within working statutory", cd(20), wd(20), true},
		{"calendar pledge over working statutory", cd(21), wd(20), false},
		{"working pledge within calendar statutory", wd(20), cd(60), true},
		{"working pledge, bound exactly met", wd(20), cd(40), true},
		{"working pledge, bound missed", wd(20), cd(39), false},
		{"one working day in ten calendar days", wd(1), cd(10), false},
		{"bad pledged unit", Limit{Value: 1, Unit: "weeks"}, wd(5), false},
		{"bad statutory unit", wd(1), Limit{Value: 5}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WithinStatutory(tt.pledged, tt.statutory); got != tt.want {
				t.Errorf("WithinStatutory(%+v, %+v) = %v, want %v", tt.pledged, tt.statutory, got, tt.want)
			}
		})
	}
}

func TestLimitText(t *testing.T) {
	for _, tt := range []struct {
		l      Limit
		zh, en string
	}{
		{Limit{Value: 15, Unit: WorkingDays}, "15个工作日", "15 working days"},
		{Limit{Value: 45, Unit: CalendarDays}, "45日", "45 calendar days"},
		{Limit{Value: 0, Unit: WorkingDays}, "当场办结", "on the spot"},
	} {
		if tt.l.Zh() != tt.zh || tt.l.En() != tt.en {
			t.Errorf("%+v: got %q %q, want %q %q", tt.l, tt.l.Zh(), tt.l.En(), tt.zh, tt.en)
		}
	}
}

// The official 2026 schedule (DOMAIN-RULES.md).
var (
	offDays2026 = [][2]string{
		{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
		{"2026-10-01", "2026-10-07"},
	}
	makeUp2026 = []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
)

func workingDay2026(d time.Time) bool {
	s := d.Format(time.DateOnly)
	for _, m := range makeUp2026 {
		if s == m {
			return true
		}
	}
	for _, r := range offDays2026 {
		if s >= r[0] && s <= r[1] {
			return false
		}
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// TestMaxCalendarSpan2026 checks the bound against every start date of 2026
// whose span stays within the year, for limits up to 60 working days.
func TestMaxCalendarSpan2026(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	// The worked example of DOMAIN-RULES.md: accepted 2026-02-12.
	for n, want := range map[int]string{3: "2026-02-24", 5: "2026-02-26", 15: "2026-03-11"} {
		d := day("2026-02-12")
		for k := 0; k < n; {
			d = d.AddDate(0, 0, 1)
			if workingDay2026(d) {
				k++
			}
		}
		if got := d.Format(time.DateOnly); got != want {
			t.Fatalf("calendar fixture: %d working days from 2026-02-12 end %s, want %s", n, got, want)
		}
	}
	end := day("2026-12-31")
	for start := day("2025-12-31"); start.Before(end); start = start.AddDate(0, 0, 1) {
		d := start
		for n := 1; n <= 60; n++ {
			d = d.AddDate(0, 0, 1)
			for !workingDay2026(d) {
				d = d.AddDate(0, 0, 1)
			}
			if d.After(end) {
				break
			}
			span := int(d.Sub(start).Hours() / 24)
			if span > MaxCalendarSpan(n) {
				t.Fatalf("%d working days from %s span %d calendar days, bound %d", n, start.Format(time.DateOnly), span, MaxCalendarSpan(n))
			}
		}
	}
}

func TestUnitLabels(t *testing.T) {
	if WorkingDays.Zh() != "个工作日" || CalendarDays.En() != "calendar days" || Unit("x").Zh() != "x" {
		t.Error("unit labels")
	}
}
