package catalog

import (
	"fmt"
	"strconv"
)

// Unit is the unit of a time limit.
type Unit string

// The time-limit units.
const (
	// WorkingDays excludes weekends and statutory holidays and includes
	// official make-up working days (工作日). Most limits use it.
	WorkingDays Unit = "working_days"
	// CalendarDays counts every day (自然日, "日" in the arbitration law and
	// the work-injury regulation).
	CalendarDays Unit = "calendar_days"
)

var unitLabels = map[Unit]label{
	WorkingDays:  {"个工作日", "working days"},
	CalendarDays: {"日", "calendar days"},
}

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool { _, ok := unitLabels[u]; return ok }

// Zh returns the Chinese label (个工作日 or 日), or the code when unknown.
func (u Unit) Zh() string { return labelOf(unitLabels, u).zh }

// En returns the English label, or the code itself when unknown.
func (u Unit) En() string { return labelOf(unitLabels, u).en }

// Limit is a time limit: a number of days in a unit, counted from the day
// after the application is accepted. Value 0 means on the spot (当场办结).
type Limit struct {
	// Value is the number of days; 0 means on the spot.
	Value int `json:"value"`
	// Unit is working_days or calendar_days.
	Unit Unit `json:"unit"`
	// Note qualifies the limit, e.g. 事实清楚、权利义务明确的，15日内作出认定.
	Note string `json:"note"`
}

// Zh renders the limit in Chinese, e.g. "15个工作日", "45日", "当场办结".
func (l Limit) Zh() string {
	if l.Value == 0 {
		return "当场办结"
	}
	return strconv.Itoa(l.Value) + l.Unit.Zh()
}

// En renders the limit in English, e.g. "15 working days", "on the spot".
func (l Limit) En() string {
	if l.Value == 0 {
		return "on the spot"
	}
	return fmt.Sprintf("%d %s", l.Value, l.Unit.En())
}

// HolidayWeekdays is the most weekdays that statutory holidays take out of
// any span of up to 60 working days in the official 2026 schedule: New Year
// (1/1, 1/2) and the Spring Festival (2/16–2/20, 2/23) together, make-up
// working days ignored. National Day with the Mid-Autumn Friday takes six.
const HolidayWeekdays = 8

// MaxCalendarSpan returns an upper bound on the calendar days that n working
// days, counted from the day after acceptance, can span: the weekdays needed
// are at most W = n + HolidayWeekdays, and W weekdays never span more than
// W + 2⌈W/5⌉ calendar days (each started week adds a weekend). Make-up
// working days only shorten a span and are ignored. The bound holds for
// spans that cross at most the holidays HolidayWeekdays allows for, which
// covers every limit up to 60 working days.
func MaxCalendarSpan(n int) int {
	if n <= 0 {
		return 0
	}
	w := n + HolidayWeekdays
	return w + 2*((w+4)/5)
}

// WithinStatutory reports whether a pledged limit can never end later than a
// statutory limit, whatever the start date. The rule:
//
//   - same unit: pledged.Value ≤ statutory.Value;
//   - pledged in calendar days, statutory in working days: pledged.Value ≤
//     statutory.Value, since n working days always span at least n calendar
//     days;
//   - pledged in working days, statutory in calendar days:
//     MaxCalendarSpan(pledged.Value) ≤ statutory.Value, i.e. the longest the
//     pledge can take, with weekends and the longest holidays in its way.
//     A work-injury determination (60 calendar days) may pledge 20 working
//     days (bound 40), but a decision due in 10 calendar days cannot pledge
//     even 1 working day (bound 13; indeed 2 working days from Friday
//     2026-02-13 end on 2026-02-24, 11 days later); pledge such items in
//     calendar days or on the spot.
//
// Limits with an unknown unit are not comparable and report false.
func WithinStatutory(pledged, statutory Limit) bool {
	if !pledged.Unit.Valid() || !statutory.Unit.Valid() {
		return false
	}
	switch {
	case pledged.Unit == statutory.Unit, pledged.Unit == CalendarDays:
		return pledged.Value <= statutory.Value
	default: // pledged working days, statutory calendar days
		return MaxCalendarSpan(pledged.Value) <= statutory.Value
	}
}
