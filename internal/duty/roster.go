// Package duty holds the rules of leaders on duty in the hall (领导值班):
// roster shifts and their validation, the swap state machine, the duty
// console's logs and the default spot-check checklist. It does no I/O: the
// store loads the facts, asks these functions, then writes.
package duty

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"mingbai/internal/apperr"
)

// Post is a duty leader's role in the hall during a shift.
type Post string

// The three posts of the report.
const (
	// Guide (引导员) leads unfamiliar visitors to the right zone and window.
	Guide Post = "guide"
	// Consultant (咨询员) explains policy and answers questions.
	Consultant Post = "consultant"
	// Supervisor (监督员) checks window staff and receives complaints.
	Supervisor Post = "supervisor"
)

// Posts lists the posts in display order.
var Posts = []Post{Guide, Consultant, Supervisor}

// Valid reports whether p is a known post.
func (p Post) Valid() bool { return p == Guide || p == Consultant || p == Supervisor }

// Half is the part of the day a shift covers.
type Half string

// Shift halves: the morning, the afternoon, or times given explicitly.
const (
	AM     Half = "am"
	PM     Half = "pm"
	Custom Half = "custom"
)

// Valid reports whether h is a known half.
func (h Half) Valid() bool { return h == AM || h == PM || h == Custom }

// Noon divides the morning from the afternoon shift.
const Noon = "12:00"

// State is a roster shift's publication state.
type State string

// A shift is drafted, then published with its month.
const (
	Draft     State = "draft"
	Published State = "published"
)

// Shift is one roster entry: a leader (and optionally a deputy) at a post
// on a day, from Start to End (HH:MM, the hall's local time).
type Shift struct {
	Day      string
	Half     Half
	Start    string
	End      string
	Post     Post
	LeaderID int64
	DeputyID int64
}

var (
	dayRE   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)
	hmRE    = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

// ValidMonth checks a roster month "YYYY-MM".
func ValidMonth(m string) error {
	if !monthRE.MatchString(m) {
		return apperr.InvalidField("month", "duty.err.month", m)
	}
	return nil
}

// ValidDay checks the form of a day "YYYY-MM-DD" (the calendar checks
// whether it exists and whether the hall opens on it).
func ValidDay(d string) error {
	if !dayRE.MatchString(d) {
		return apperr.InvalidField("day", "duty.err.day", d)
	}
	return nil
}

// Times fills the start and end of a half-day shift from the hall's
// opening and closing times; a custom shift keeps its own.
func (s *Shift) Times(open, close string) {
	switch s.Half {
	case AM:
		s.Start, s.End = open, Noon
	case PM:
		s.Start, s.End = Noon, close
	}
}

// Facts are what the store found out about a shift before it is written.
type Facts struct {
	// OpeningDay: the hall opens on the shift's day.
	OpeningDay bool
	// LeaderOK, DeputyOK: the person is a duty leader of the hall (an
	// enabled account with the duty_leader role bound to it).
	LeaderOK, DeputyOK bool
	// Taken: another shift of the same post overlaps this one on the same
	// day (a second leader there must be entered as that shift's deputy).
	Taken bool
	// Busy: the leader or deputy already has an overlapping shift at
	// another post.
	Busy bool
	// Open, Close are the hall's hours (a shift must lie within them).
	Open, Close string
}

// Check validates a shift's own fields, before anything is loaded.
func (s Shift) Check() error {
	if err := ValidDay(s.Day); err != nil {
		return err
	}
	if !s.Half.Valid() {
		return apperr.InvalidField("half", "duty.err.half", s.Half)
	}
	if !s.Post.Valid() {
		return apperr.InvalidField("post", "duty.err.post", s.Post)
	}
	if s.Half == Custom {
		for f, v := range map[string]string{"start": s.Start, "end": s.End} {
			if !hmRE.MatchString(v) {
				return apperr.InvalidField(f, "duty.err.time", v)
			}
		}
		if s.End <= s.Start {
			return apperr.InvalidField("end", "duty.err.end_before_start", s.Start, s.End)
		}
	}
	if s.LeaderID <= 0 {
		return apperr.InvalidField("leader_id", "duty.err.leader_missing")
	}
	if s.DeputyID == s.LeaderID {
		return apperr.InvalidField("deputy_id", "duty.err.deputy_same")
	}
	return nil
}

// Decide validates a shift against the facts the store loaded.
func (s Shift) Decide(f Facts) error {
	if err := s.Check(); err != nil {
		return err
	}
	if !f.OpeningDay {
		return apperr.InvalidField("day", "duty.err.closed_day", s.Day)
	}
	if s.End <= s.Start {
		return apperr.InvalidField("end", "duty.err.end_before_start", s.Start, s.End)
	}
	if f.Open != "" && (s.Start < f.Open || s.End > f.Close) {
		return apperr.InvalidField("start", "duty.err.outside_hours", s.Start, s.End, f.Open, f.Close)
	}
	if !f.LeaderOK {
		return apperr.InvalidField("leader_id", "duty.err.not_leader")
	}
	if s.DeputyID != 0 && !f.DeputyOK {
		return apperr.InvalidField("deputy_id", "duty.err.not_leader")
	}
	if f.Taken {
		return apperr.InvalidField("leader_id", "duty.err.two_leaders")
	}
	if f.Busy {
		return apperr.InvalidField("leader_id", "duty.err.leader_busy")
	}
	return nil
}

// Overlaps reports whether the ranges [a1, a2) and [b1, b2) of HH:MM
// times overlap.
func Overlaps(a1, a2, b1, b2 string) bool { return a1 < b2 && b1 < a2 }

// Text checks a free-text field: trimmed, at most max characters, and
// present when missing is a message key ("" when the field is optional).
// It returns the trimmed text.
func Text(field, v string, max int, missing string) (string, error) {
	v = strings.TrimSpace(v)
	if missing != "" && v == "" {
		return "", apperr.InvalidField(field, missing)
	}
	if utf8.RuneCountInString(v) > max {
		return "", apperr.InvalidField(field, "err.too_long", field, max)
	}
	return v, nil
}
