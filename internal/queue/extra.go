package queue

import "time"

// ExtraPlan is the suggestion to open more windows so that the people
// waiting are served before closing (当日号当日办结).
type ExtraPlan struct {
	// Left is how many waiting tickets the windows open now would not
	// finish before closing (0: no suggestion).
	Left int
	// LastFinish is when, from the snapshot, the last waiting ticket would
	// be finished with the windows open now (the replay's horizon when
	// some ticket would never be called).
	LastFinish time.Duration
	// Windows are the IDs of the windows to open, in the order they were
	// added.
	Windows []string
	// Enough reports whether, with Windows open too, every waiting ticket
	// would be finished before closing.
	Enough bool
}

// PlanExtraWindows replays the waiting queue of s under the hall's
// dispatch policy with the windows open now (EstimateAll) and finds the
// tickets that would be finished after closing: called later than
// untilClose less the mean service of their item. When there are some, it
// adds the closed windows one at a time — with their own item sets, idle
// and calling at once — each time the one that serves the most of the
// tickets still left over (the earliest in closed on a tie; a window that
// serves none of them is never added), and replays again, until everyone
// would be finished before closing or no closed window helps.
//
// The replays are seeded (Replay.Seed, else the snapshot time), so the
// same snapshot always gives the same plan. The horizon of the replay is
// untilClose (plus an hour), which bounds its cost.
func (e Replay) PlanExtraWindows(s Snapshot, closed []WindowState, untilClose time.Duration) ExtraPlan {
	var p ExtraPlan
	if untilClose <= 0 || len(s.Waiting) == 0 {
		return p
	}
	if e.Horizon <= 0 || e.Horizon > untilClose+time.Hour {
		e.Horizon = untilClose + time.Hour
	}
	s.Windows = append([]WindowState(nil), s.Windows...)
	left, last := e.leftOver(s, untilClose)
	p.Left, p.LastFinish = len(left), last
	used := make([]bool, len(closed))
	for len(left) > 0 {
		best, most := -1, 0
		for i := range closed {
			if used[i] {
				continue
			}
			n := 0
			for _, t := range left {
				if closed[i].Window.Serves(&t) {
					n++
				}
			}
			if n > most {
				best, most = i, n
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		w := closed[best]
		w.Window.Open, w.Window.Serving, w.Spans, w.IdleSince = true, 0, nil, time.Time{}
		w.Elapsed, w.Recalling, w.Item = 0, false, ""
		s.Windows = append(s.Windows, w)
		p.Windows = append(p.Windows, w.Window.ID)
		left, _ = e.leftOver(s, untilClose)
	}
	p.Enough = len(left) == 0
	return p
}

// leftOver returns the callable waiting tickets of s that would be
// finished after untilClose, and when the last one would be finished.
func (e Replay) leftOver(s Snapshot, untilClose time.Duration) ([]Ticket, time.Duration) {
	waits := e.EstimateAll(s)
	var left []Ticket
	var last time.Duration
	for i, t := range s.Waiting {
		if !t.Callable() {
			continue
		}
		done := waits[i] + s.stats(t.Item).Mean
		if waits[i] >= e.horizon() {
			done = e.horizon()
		}
		if done > last {
			last = done
		}
		if done > untilClose {
			left = append(left, t)
		}
	}
	return left, last
}
