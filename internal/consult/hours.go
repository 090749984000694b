package consult

import (
	"fmt"
	"time"

	"mingbai/internal/workday"
)

// Hours are the staffed hours of a hall's consultation service: from Open
// to Close ("HH:MM", hall time) on the working days of the calendar.
// Timers count only staffed minutes, so a question sent on Friday evening
// is not late on Monday morning.
type Hours struct {
	Open, Close string
	Loc         *time.Location
	Cal         *workday.Calendar
}

// Targets are a hall's promises, in staffed minutes.
type Targets struct {
	FirstResponse int `json:"first_response_minutes"`
	Resolution    int `json:"resolution_minutes"`
}

// DefaultTargets: a first answer within two staffed hours, resolution
// within three working days of eight hours.
var DefaultTargets = Targets{FirstResponse: 120, Resolution: 3 * 8 * 60}

func hm(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 {
		return 0, fmt.Errorf("consult: bad time %q", s)
	}
	return h*60 + m, nil
}

// span returns the staffed period of the day of t (zero times when the day
// is not a working day).
func (h Hours) span(t time.Time) (from, to time.Time, err error) {
	local := t.In(h.Loc)
	work, err := h.Cal.IsWorkday(workday.DateOf(local))
	if err != nil || !work {
		return time.Time{}, time.Time{}, err
	}
	o, err := hm(h.Open)
	if err != nil {
		return
	}
	c, err := hm(h.Close)
	if err != nil {
		return
	}
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, h.Loc)
	return day.Add(time.Duration(o) * time.Minute), day.Add(time.Duration(c) * time.Minute), nil
}

func nextDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
}

// maxDays bounds the walks over the calendar (a year and a bit): a
// calendar with no working day in it is an error, not a hang.
const maxDays = 400

// Staffed reports whether a person is on duty at t.
func (h Hours) Staffed(t time.Time) (bool, error) {
	from, to, err := h.span(t)
	if err != nil || from.IsZero() {
		return false, err
	}
	return !t.Before(from) && t.Before(to), nil
}

// NextStaffed returns t when staffed, else the start of the next staffed
// period: what the auto-reply promises outside hours.
func (h Hours) NextStaffed(t time.Time) (time.Time, error) {
	for i := 0; i < maxDays; i++ {
		from, to, err := h.span(t)
		if err != nil {
			return time.Time{}, err
		}
		if !from.IsZero() && t.Before(to) {
			if t.Before(from) {
				return from, nil
			}
			return t, nil
		}
		t = nextDay(t, h.Loc)
	}
	return time.Time{}, fmt.Errorf("consult: no staffed hours within %d days", maxDays)
}

// Minutes counts the staffed minutes between from and to.
func (h Hours) Minutes(from, to time.Time) (int, error) {
	if !to.After(from) {
		return 0, nil
	}
	var total time.Duration
	t := from
	for i := 0; i < maxDays*3 && t.Before(to); i++ {
		a, b, err := h.span(t)
		if err != nil {
			return 0, err
		}
		if !a.IsZero() {
			lo, hi := maxTime(a, t), minTime(b, to)
			if hi.After(lo) {
				total += hi.Sub(lo)
			}
		}
		t = nextDay(t, h.Loc)
	}
	return int(total / time.Minute), nil
}

// Due returns the time at which minutes staffed minutes after start have
// passed.
func (h Hours) Due(start time.Time, minutes int) (time.Time, error) {
	left := time.Duration(minutes) * time.Minute
	t := start
	for i := 0; i < maxDays*3; i++ {
		a, b, err := h.span(t)
		if err != nil {
			return time.Time{}, err
		}
		if !a.IsZero() && t.Before(b) {
			lo := maxTime(a, t)
			if avail := b.Sub(lo); avail >= left {
				return lo.Add(left), nil
			} else {
				left -= avail
			}
		}
		t = nextDay(t, h.Loc)
	}
	return time.Time{}, fmt.Errorf("consult: no staffed hours within %d days", maxDays*3)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Timer is one running or stopped timer of a thread.
type Timer struct {
	// Minutes are the staffed minutes elapsed (until the stop when
	// stopped).
	Minutes int       `json:"minutes"`
	Target  int       `json:"target_minutes"`
	Due     time.Time `json:"due"`
	Stopped bool      `json:"stopped"`
	Overdue bool      `json:"overdue"`
}

// Timer measures from start to stop (zero: still running, measured to
// now) against a target in staffed minutes.
func (h Hours) Timer(start, stop, now time.Time, target int) (Timer, error) {
	end := stop
	if stop.IsZero() {
		end = now
	}
	m, err := h.Minutes(start, end)
	if err != nil {
		return Timer{}, err
	}
	due, err := h.Due(start, target)
	if err != nil {
		return Timer{}, err
	}
	return Timer{Minutes: m, Target: target, Due: due, Stopped: !stop.IsZero(), Overdue: m > target || (stop.IsZero() && now.After(due))}, nil
}
