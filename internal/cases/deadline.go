package cases

import (
	"errors"
	"fmt"

	"mingbai/internal/workday"
)

// Limit is a time limit: N units counted from the day after acceptance.
// The zero Limit means "no limit" (some items have no statutory limit).
type Limit struct {
	N    int
	Unit workday.Unit
}

// IsSet reports whether the limit is set.
func (l Limit) IsSet() bool { return l != Limit{} }

// String returns e.g. "15 working_days", or "none".
func (l Limit) String() string {
	if !l.IsSet() {
		return "none"
	}
	return fmt.Sprintf("%d %s", l.N, l.Unit)
}

// ErrLimit is returned for a time limit that cannot be used.
var ErrLimit = errors.New("cases: invalid time limit")

// Validate checks that a set limit has a known unit and is not negative.
func (l Limit) Validate() error {
	if !l.IsSet() {
		return nil
	}
	if !l.Unit.Valid() {
		return fmt.Errorf("%w: unit %q", ErrLimit, l.Unit)
	}
	if l.N < 0 {
		return fmt.Errorf("%w: %d is negative", ErrLimit, l.N)
	}
	return nil
}

// ValidateLimits checks both limits and that the pledged limit does not
// exceed the statutory one (DOMAIN-RULES "Time limits"). Limits in
// different units are not compared: that depends on the dates.
func ValidateLimits(pledged, statutory Limit) error {
	if err := pledged.Validate(); err != nil {
		return fmt.Errorf("pledged: %w", err)
	}
	if err := statutory.Validate(); err != nil {
		return fmt.Errorf("statutory: %w", err)
	}
	if pledged.IsSet() && statutory.IsSet() && pledged.Unit == statutory.Unit && pledged.N > statutory.N {
		return fmt.Errorf("%w: pledged %s exceeds statutory %s", ErrLimit, pledged, statutory)
	}
	return nil
}

// CorrectionPeriod is one period with the clock stopped: from the day the
// correction was requested (Stop, the one-time notice) to the day the
// materials arrived (Resume). Resume is zero while the correction is open.
type CorrectionPeriod struct {
	Stop   workday.Date
	Resume workday.Date
}

// ErrCorrections is returned for correction periods that overlap, run
// backwards, start before acceptance, or leave one open before the last.
var ErrCorrections = errors.New("cases: invalid correction periods")

// Due is where a time limit stands.
type Due struct {
	// Set is false when the case has no such limit; the rest is then
	// zero.
	Set bool
	// Date is the last day of the limit; zero while Stopped.
	Date workday.Date
	// Stopped is true while an open correction has stopped the clock and
	// the limit had not run out before it.
	Stopped bool
	// Remaining is, while Stopped, the number of units left when the
	// clock restarts.
	Remaining int
}

// Missed reports whether the case was still open after the due date on
// day: the limit is set, the clock is running and day is after Date.
func (d Due) Missed(day workday.Date) bool {
	return d.Set && !d.Stopped && day.After(d.Date)
}

// ComputeDue computes the due date of a limit for a case accepted on
// accepted, with the given correction periods in order.
//
// The clock starts the day after acceptance. Each correction keeps the
// units used up to and including its Stop day, and the clock restarts the
// day after its Resume day. If the limit ran out before a correction
// started, the due date stays where it was. A limit in calendar days whose
// last day is a day off ends on the next working day (see
// workday.Calendar.Deadline).
func ComputeDue(cal *workday.Calendar, accepted workday.Date, limit Limit, corrections []CorrectionPeriod) (Due, error) {
	if !limit.IsSet() {
		return Due{}, nil
	}
	if err := limit.Validate(); err != nil {
		return Due{}, err
	}
	if err := ValidateCorrections(accepted, corrections); err != nil {
		return Due{}, err
	}
	remaining := limit.N
	start := accepted
	for _, c := range corrections {
		used, err := units(cal, limit.Unit, start, c.Stop)
		if err != nil {
			return Due{}, err
		}
		if used > remaining {
			// The limit ran out before this correction; the stop does
			// not move the due date.
			break
		}
		remaining -= used
		if c.Resume.IsZero() {
			return Due{Set: true, Stopped: true, Remaining: remaining}, nil
		}
		start = c.Resume
	}
	d, err := cal.Deadline(start, remaining, limit.Unit)
	if err != nil {
		return Due{}, err
	}
	return Due{Set: true, Date: d}, nil
}

// ValidateCorrections checks that correction periods are in order, do not
// overlap, start on or after acceptance, end on or after they start, and
// that only the last one is open. A correction may start on the day the
// previous one ended.
func ValidateCorrections(accepted workday.Date, corrections []CorrectionPeriod) error {
	prev := accepted
	for i, c := range corrections {
		switch {
		case !c.Stop.IsValid():
			return fmt.Errorf("%w: correction %d has no valid stop date", ErrCorrections, i+1)
		case c.Stop.Before(prev):
			return fmt.Errorf("%w: correction %d starts %s, before %s", ErrCorrections, i+1, c.Stop, prev)
		case c.Resume.IsZero() && i != len(corrections)-1:
			return fmt.Errorf("%w: correction %d is open but is not the last", ErrCorrections, i+1)
		case !c.Resume.IsZero() && !c.Resume.IsValid():
			return fmt.Errorf("%w: correction %d has an invalid resume date", ErrCorrections, i+1)
		case !c.Resume.IsZero() && c.Resume.Before(c.Stop):
			return fmt.Errorf("%w: correction %d resumes %s, before it stopped %s", ErrCorrections, i+1, c.Resume, c.Stop)
		}
		prev = c.Resume
	}
	return nil
}

// units counts the units of a limit that pass after from up to and
// including to.
func units(cal *workday.Calendar, u workday.Unit, from, to workday.Date) (int, error) {
	if u == workday.CalendarDays {
		return to.DaysSince(from), nil
	}
	return cal.WorkdaysBetween(from, to)
}
