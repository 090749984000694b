// Package attendance holds the rules of staff at their posts and of the
// ten-minute method (十分钟工作法): scheduled against actual window
// sign-in, late arrival and early leave, the on-post rate, "early by ten,
// late by ten" (早来晚走十分钟), the ten-minute pledge of instant items
// (即办件), when an unattended window raises an alert, and when the people
// waiting call for an extra window. It does no I/O and reads no clock.
package attendance

import (
	"sort"
	"time"
)

// TenMinutes is the margin of the ten-minute method.
const TenMinutes = 10 * time.Minute

// Shift is a scheduled stint at a window: the staff member assigned to it
// from opening to closing on an opening day.
type Shift struct {
	StaffID  int64
	WindowID int64
	Day      string
	Open     time.Time
	Close    time.Time
}

// Session is an actual sign-in at a window (Out zero while signed in).
type Session struct {
	StaffID  int64
	WindowID int64
	In       time.Time
	Out      time.Time
	// Pauses are the session's pauses that have ended (resumed or signed
	// out while paused): away from post, though signed in. A pause in
	// progress is Out (the session counts until the pause began).
	Pauses []Span
}

// Span is a period of time (an excused absence with a named cover).
type Span struct {
	From, To time.Time
}

// Day is a staff member's attendance on one shift.
type Day struct {
	StaffID  int64  `json:"staff_id"`
	WindowID int64  `json:"window_id"`
	Day      string `json:"day"`
	Present  bool   `json:"present"`
	// FirstIn and LastOut are unix milliseconds (0: none).
	FirstIn int64 `json:"first_in"`
	LastOut int64 `json:"last_out"`
	Late    bool  `json:"late"`
	// EarlyLeave: signed out for the last time before closing.
	EarlyLeave bool `json:"early_leave"`
	// Early10 and Late10: signed in at least ten minutes before opening,
	// signed out at least ten minutes after closing.
	Early10 bool `json:"early10"`
	Late10  bool `json:"late10"`
	// OnPost and Scheduled are minutes within opening hours; excused
	// minutes (a registered absence with a cover) are left out of both.
	OnPost    int `json:"on_post_minutes"`
	Scheduled int `json:"scheduled_minutes"`
}

// Evaluate compares a shift with the staff member's sessions (at any
// window) up to now. A session still open counts until now; a day that
// has not closed yet is not judged for early leave or "late by ten".
func Evaluate(sh Shift, sessions []Session, excused []Span, now time.Time) Day {
	d := Day{StaffID: sh.StaffID, WindowID: sh.WindowID, Day: sh.Day}
	dayStart := time.Date(sh.Open.Year(), sh.Open.Month(), sh.Open.Day(), 0, 0, 0, 0, sh.Open.Location())
	dayEnd := dayStart.AddDate(0, 0, 1)
	var first, last time.Time
	var spans []Span
	stillIn := false
	for _, s := range sessions {
		if s.StaffID != sh.StaffID {
			continue
		}
		out := s.Out
		if out.IsZero() || out.After(now) {
			out = now
		}
		if !s.In.Before(dayEnd) || out.Before(dayStart) {
			continue // another day
		}
		if s.Out.IsZero() {
			stillIn = true
		}
		if first.IsZero() || s.In.Before(first) {
			first = s.In
		}
		if !s.Out.IsZero() && s.Out.After(last) {
			last = s.Out
		}
		spans = append(spans, minus(Span{s.In, out}, s.Pauses)...)
	}
	end := sh.Close
	if now.Before(end) {
		end = now
	}
	sched := minus(Span{sh.Open, end}, excused)
	d.Scheduled = minutes(sched)
	d.OnPost = minutes(intersect(union(spans), sched))
	if first.IsZero() {
		return d
	}
	d.Present = true
	d.FirstIn = first.UnixMilli()
	d.Early10 = !first.After(sh.Open.Add(-TenMinutes))
	d.Late = first.After(sh.Open)
	if !last.IsZero() {
		d.LastOut = last.UnixMilli()
	}
	// A sign-out during hours is an absence from post while the day runs;
	// it is an early leave once the day closed without a new sign-in.
	closed := !now.Before(sh.Close)
	if stillIn {
		d.Late10 = !now.Before(sh.Close.Add(TenMinutes))
	} else {
		d.EarlyLeave = closed && last.Before(sh.Close)
		d.Late10 = !last.Before(sh.Close.Add(TenMinutes))
	}
	return d
}

func minutes(ss []Span) int {
	var t time.Duration
	for _, s := range ss {
		t += s.To.Sub(s.From)
	}
	return int(t / time.Minute)
}

// union merges overlapping spans, sorted.
func union(ss []Span) []Span {
	ss = append([]Span(nil), ss...)
	sort.Slice(ss, func(i, j int) bool { return ss[i].From.Before(ss[j].From) })
	var out []Span
	for _, s := range ss {
		if !s.To.After(s.From) {
			continue
		}
		if n := len(out); n > 0 && !s.From.After(out[n-1].To) {
			if s.To.After(out[n-1].To) {
				out[n-1].To = s.To
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// minus removes the excused spans from s.
func minus(s Span, excused []Span) []Span {
	out := []Span{s}
	for _, e := range union(excused) {
		var next []Span
		for _, o := range out {
			if !e.To.After(o.From) || !e.From.Before(o.To) {
				next = append(next, o)
				continue
			}
			if e.From.After(o.From) {
				next = append(next, Span{o.From, e.From})
			}
			if e.To.Before(o.To) {
				next = append(next, Span{e.To, o.To})
			}
		}
		out = next
	}
	return out
}

func intersect(a, b []Span) []Span {
	var out []Span
	for _, x := range a {
		for _, y := range b {
			from, to := x.From, x.To
			if y.From.After(from) {
				from = y.From
			}
			if y.To.Before(to) {
				to = y.To
			}
			if to.After(from) {
				out = append(out, Span{from, to})
			}
		}
	}
	return out
}

// Rate is a count of cases and of those that met a rule.
type Rate struct {
	N    int     `json:"n"`
	Met  int     `json:"met"`
	Rate float64 `json:"rate"`
}

func (r *Rate) add(met bool) {
	r.N++
	if met {
		r.Met++
	}
	r.Rate = float64(r.Met) / float64(r.N)
}

// Summary is attendance summed over days for a staff member or a window.
type Summary struct {
	Key        int64   `json:"key"`
	Days       int     `json:"days"`
	Absent     int     `json:"absent"`
	Late       int     `json:"late"`
	EarlyLeave int     `json:"early_leave"`
	Early10    Rate    `json:"early10"`
	Late10     Rate    `json:"late10"`
	Both10     Rate    `json:"both10"`
	OnPostRate float64 `json:"on_post_rate"`
	onPost     int
	scheduled  int
}

// Summarise sums days by staff member (byWindow false) or by window. The
// ten-minute rates count the days the person was present: early is
// judged on every such day, late and both only on days that closed
// (closed reports whether the day of a row has closed).
func Summarise(days []Day, byWindow bool, closed func(Day) bool) []Summary {
	idx := map[int64]*Summary{}
	var keys []int64
	for _, d := range days {
		k := d.StaffID
		if byWindow {
			k = d.WindowID
		}
		s := idx[k]
		if s == nil {
			s = &Summary{Key: k}
			idx[k] = s
			keys = append(keys, k)
		}
		s.Days++
		s.onPost += d.OnPost
		s.scheduled += d.Scheduled
		if s.scheduled > 0 {
			s.OnPostRate = float64(s.onPost) / float64(s.scheduled)
		}
		if !d.Present {
			s.Absent++
			continue
		}
		if d.Late {
			s.Late++
		}
		if d.EarlyLeave {
			s.EarlyLeave++
		}
		s.Early10.add(d.Early10)
		if closed == nil || closed(d) {
			s.Late10.add(d.Late10)
			s.Both10.add(d.Early10 && d.Late10)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		out = append(out, *idx[k])
	}
	return out
}
