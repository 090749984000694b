package cases

import "mingbai/internal/workday"

// Level is the warning level of a time limit. Its values are stored and
// shown as colours.
type Level string

// Warning levels.
const (
	// LevelNone: on time, clock stopped, no limit, or case closed.
	LevelNone Level = "none"
	// LevelYellow: the due date is near (预警).
	LevelYellow Level = "yellow"
	// LevelRed: the due date has passed (超期).
	LevelRed Level = "red"
)

// DefaultYellowDays is the default number of working days left at or below
// which a limit turns yellow: yellow on the day before the due date and on
// the due date itself.
const DefaultYellowDays = 1

// Warning is the warning state of one time limit on a given day.
type Warning struct {
	Level Level
	Due   Due
	// Left is the number of working days after today up to and
	// including the due date: 0 on the due date, negative once working
	// days have passed after it (see workday.Calendar.WorkdaysBetween).
	// It is 0 when the clock is stopped or there is no due date.
	Left int
}

// Warn returns the warning for a limit on day today: red once today is
// after the due date, yellow when at most yellowDays working days are left,
// else none. A stopped clock or an unset limit gives none.
func Warn(cal *workday.Calendar, due Due, today workday.Date, yellowDays int) (Warning, error) {
	w := Warning{Level: LevelNone, Due: due}
	if !due.Set || due.Stopped {
		return w, nil
	}
	left, err := cal.WorkdaysBetween(today, due.Date)
	if err != nil {
		return Warning{}, err
	}
	w.Left = left
	switch {
	case today.After(due.Date):
		w.Level = LevelRed
	case left <= yellowDays:
		w.Level = LevelYellow
	}
	return w, nil
}
