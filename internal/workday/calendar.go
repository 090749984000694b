package workday

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// FirstOfficialYear is the first year of the official schedule carried by
// lunar-go. Its data holds a few days of late 2001 (make-up days for New
// Year 2002) but not the rest of 2001.
const FirstOfficialYear = 2002

// ErrUnknownYear is returned, wrapped in an *UnknownYearError, for a date in
// a year whose holiday schedule the calendar does not know.
var ErrUnknownYear = errors.New("workday: unknown year")

// ErrUnknownUnit is returned for a Unit other than WorkingDays and
// CalendarDays.
var ErrUnknownUnit = errors.New("workday: unknown time-limit unit")

// ErrOverride is returned by New for an override list that cannot be used.
var ErrOverride = errors.New("workday: invalid override")

// UnknownYearError reports a date in a year with no known holiday schedule.
// errors.Is(err, ErrUnknownYear) is true for it.
type UnknownYearError struct {
	Year int
	// First and Last are the range of the official schedule, for the
	// message.
	First, Last int
}

// Error names the year and says how to fix it.
func (e *UnknownYearError) Error() string {
	return fmt.Sprintf("workday: no holiday schedule for year %d (official schedule known for %d–%d); "+
		"enter the year's official schedule as overrides and declare the year known", e.Year, e.First, e.Last)
}

// Is makes errors.Is(err, ErrUnknownYear) true.
func (e *UnknownYearError) Is(target error) bool { return target == ErrUnknownYear }

// Unit is the unit of a time limit. Its values are stored with each limit.
type Unit string

// Units of a time limit.
const (
	// WorkingDays counts working days only (the usual unit of a guide's
	// limits).
	WorkingDays Unit = "working_days"
	// CalendarDays counts every day (e.g. labour-dispute arbitration: 45
	// days to decide).
	CalendarDays Unit = "calendar_days"
)

// Valid reports whether u is one of the defined units.
func (u Unit) Valid() bool { return u == WorkingDays || u == CalendarDays }

// Override sets whether one date is a working day, overriding the official
// schedule and the weekend rule. Administrators use it for local closures,
// for extra working days, and to enter the schedule of a year that lunar-go
// does not cover yet.
type Override struct {
	// Date is the day, in the form YYYY-MM-DD.
	Date string
	// Work is true for a working day, false for a day off.
	Work bool
	// Note says why, e.g. "2028 春节" or "停电闭厅"; it is shown in the
	// calendar view.
	Note string
}

// Source tells which rule decided whether a day is a working day.
type Source string

// Sources of a day's status, in order of precedence.
const (
	// SourceOverride is an administrator's override.
	SourceOverride Source = "override"
	// SourceOfficial is the State Council's holiday schedule.
	SourceOfficial Source = "official"
	// SourceWeek is the plain rule: Monday to Friday work.
	SourceWeek Source = "week"
)

// DayInfo describes one day of the calendar.
type DayInfo struct {
	Date Date
	// Work reports whether the hall works on the day.
	Work bool
	// Source tells which rule decided Work.
	Source Source
	// Name is the holiday's name in the official schedule (e.g. 春节, also
	// on its make-up working days), or an override's note.
	Name string
}

// Calendar is a working-day calendar: the official schedule plus the hall's
// overrides. It is immutable and safe for concurrent use.
type Calendar struct {
	overrides map[Date]Override
	extra     map[int]bool // years declared known besides the official ones
	official  *officialSchedule
}

// New returns a calendar made of the official schedule and the overrides,
// which win over it. knownYears declares years outside the official range
// whose whole schedule the overrides describe (e.g. 2028, entered from the
// State Council's notice before lunar-go carries it); days of such a year
// that have no override follow the weekend rule.
//
// New fails on an override with a malformed date or two overrides for the
// same date that disagree.
func New(overrides []Override, knownYears []int) (*Calendar, error) {
	c := &Calendar{
		overrides: make(map[Date]Override, len(overrides)),
		extra:     make(map[int]bool, len(knownYears)),
		official:  official(),
	}
	for _, o := range overrides {
		d, err := Parse(o.Date)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrOverride, err)
		}
		if prev, ok := c.overrides[d]; ok && prev.Work != o.Work {
			return nil, fmt.Errorf("%w: two overrides for %s disagree (%q and %q)", ErrOverride, d, prev.Note, o.Note)
		}
		o.Date = d.String()
		c.overrides[d] = o
	}
	for _, y := range knownYears {
		if y < 1 || y > 9999 {
			return nil, fmt.Errorf("%w: known year %d out of range", ErrOverride, y)
		}
		c.extra[y] = true
	}
	return c, nil
}

// Official returns a calendar with the official schedule only.
func Official() *Calendar {
	c, _ := New(nil, nil) // cannot fail without overrides
	return c
}

// LastOfficialYear returns the last year of the official schedule carried
// by lunar-go (2027 in v1.4.7).
func LastOfficialYear() int { return official().last }

// Known reports whether the calendar knows the holiday schedule of year.
func (c *Calendar) Known(year int) bool {
	return (year >= FirstOfficialYear && year <= c.official.last) || c.extra[year]
}

// KnownYears returns the years the calendar knows, in order.
func (c *Calendar) KnownYears() []int {
	var ys []int
	for y := FirstOfficialYear; y <= c.official.last; y++ {
		ys = append(ys, y)
	}
	for y := range c.extra {
		if !slices.Contains(ys, y) {
			ys = append(ys, y)
		}
	}
	slices.Sort(ys)
	return ys
}

// Overrides returns the calendar's overrides in date order.
func (c *Calendar) Overrides() []Override {
	out := make([]Override, 0, len(c.overrides))
	for _, o := range c.overrides {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Override) int { return strings.Compare(a.Date, b.Date) })
	return out
}

// Info describes the day d: whether it is a working day and why. It fails
// with an invalid date or a date in an unknown year.
func (c *Calendar) Info(d Date) (DayInfo, error) {
	if !d.IsValid() {
		return DayInfo{}, fmt.Errorf("%w: %04d-%02d-%02d", ErrInvalidDate, d.Year, int(d.Month), d.Day)
	}
	if !c.Known(d.Year) {
		return DayInfo{}, &UnknownYearError{Year: d.Year, First: FirstOfficialYear, Last: c.official.last}
	}
	if o, ok := c.overrides[d]; ok {
		return DayInfo{Date: d, Work: o.Work, Source: SourceOverride, Name: o.Note}, nil
	}
	if h, ok := c.official.days[d]; ok {
		return DayInfo{Date: d, Work: h.work, Source: SourceOfficial, Name: h.name}, nil
	}
	wd := d.Weekday()
	return DayInfo{Date: d, Work: wd != time.Saturday && wd != time.Sunday, Source: SourceWeek}, nil
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d Date) (bool, error) {
	info, err := c.Info(d)
	return info.Work, err
}

// AddWorkdays returns the n-th working day after start: the day after start
// is the first day counted, and n = 0 returns start itself (on-the-spot).
// A negative n counts backwards: the |n|-th working day before start. It
// fails if it meets a day of an unknown year.
func (c *Calendar) AddWorkdays(start Date, n int) (Date, error) {
	if _, err := c.Info(start); err != nil {
		return Date{}, err
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := start
	for n > 0 {
		d = d.AddDays(step)
		work, err := c.IsWorkday(d)
		if err != nil {
			return Date{}, err
		}
		if work {
			n--
		}
	}
	return d, nil
}

// AddCalendarDays returns the date n days after start. It is plain date
// arithmetic and needs no holiday schedule; see Deadline for the rule on a
// last day that falls on a day off.
func (c *Calendar) AddCalendarDays(start Date, n int) (Date, error) {
	if !start.IsValid() {
		return Date{}, fmt.Errorf("%w: %04d-%02d-%02d", ErrInvalidDate, start.Year, int(start.Month), start.Day)
	}
	return start.AddDays(n), nil
}

// NextWorkday returns d if it is a working day, else the first working day
// after it.
func (c *Calendar) NextWorkday(d Date) (Date, error) {
	for {
		work, err := c.IsWorkday(d)
		if err != nil {
			return Date{}, err
		}
		if work {
			return d, nil
		}
		d = d.AddDays(1)
	}
}

// Deadline returns the last day of a time limit of n units that starts
// counting the day after start (the day of receipt is not counted).
//
// For WorkingDays it is AddWorkdays(start, n). For CalendarDays it is start
// plus n days, moved to the next working day when that day is a day off
// (Civil Code art. 203); n = 0 is start itself in both units. n must not be
// negative.
func (c *Calendar) Deadline(start Date, n int, unit Unit) (Date, error) {
	if n < 0 {
		return Date{}, fmt.Errorf("workday: negative time limit %d", n)
	}
	switch unit {
	case WorkingDays:
		return c.AddWorkdays(start, n)
	case CalendarDays:
		if _, err := c.Info(start); err != nil {
			return Date{}, err
		}
		if n == 0 {
			return start, nil
		}
		return c.NextWorkday(start.AddDays(n))
	default:
		return Date{}, fmt.Errorf("%w: %q", ErrUnknownUnit, unit)
	}
}

// WorkdaysBetween returns the number of working days after a up to and
// including b, or minus the number of working days after b up to and
// including a when b is before a. With a = today and b = a deadline it is
// the number of working days left: 0 on the deadline itself, negative once
// working days have passed after it.
//
// WorkdaysBetween(a, AddWorkdays(a, n)) == n for every n >= 0, and for
// negative n when a is a working day.
//
// Note that the result is 0, not negative, on the days off right after a
// deadline (a Saturday after a Friday deadline): to tell whether a
// deadline has passed, compare the dates (today.After(deadline)).
func (c *Calendar) WorkdaysBetween(a, b Date) (int, error) {
	if _, err := c.Info(a); err != nil {
		return 0, err
	}
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		work, err := c.IsWorkday(d)
		if err != nil {
			return 0, err
		}
		if work {
			n++
		}
	}
	return sign * n, nil
}

// officialSchedule is lunar-go's holiday data, read once into a map.
type officialSchedule struct {
	days map[Date]officialDay
	last int
}

type officialDay struct {
	work bool
	name string
}

var (
	officialOnce sync.Once
	officialData *officialSchedule
)

// official reads lunar-go's schedule on first use. lunar-go keeps its data
// in a package variable that its Fix function can change; taking one copy
// keeps every Calendar consistent and lock-free.
func official() *officialSchedule {
	officialOnce.Do(func() {
		s := &officialSchedule{days: make(map[Date]officialDay)}
		// The data starts with a few days of December 2001 that belong to
		// the 2002 schedule; read them too.
		for y := FirstOfficialYear - 1; ; y++ {
			l := HolidayUtil.GetHolidaysByYear(y)
			if l.Len() == 0 && y >= FirstOfficialYear {
				break
			}
			for e := l.Front(); e != nil; e = e.Next() {
				h := e.Value.(*HolidayUtil.Holiday)
				d, err := Parse(h.GetDay())
				if err != nil {
					panic(fmt.Sprintf("workday: lunar-go holiday with bad date %q", h.GetDay()))
				}
				s.days[d] = officialDay{work: h.IsWork(), name: h.GetName()}
			}
			if y >= FirstOfficialYear {
				s.last = y
			}
		}
		officialData = s
	})
	return officialData
}
