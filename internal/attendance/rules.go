package attendance

import (
	"sort"
	"time"
)

// Service is one ticket served: its item, window, staff member, when it
// was called and when it was finished.
type Service struct {
	StaffID  int64
	WindowID int64
	Item     string
	Called   time.Time
	Finished time.Time
}

// PledgeRow is the ten-minute pledge of instant items for one window,
// staff member or item: the share finished within ten minutes of the call.
type PledgeRow struct {
	WindowID int64  `json:"window_id,omitempty"`
	StaffID  int64  `json:"staff_id,omitempty"`
	Item     string `json:"item,omitempty"`
	Rate
}

// Pledge is the ten-minute pledge by window, staff member and item.
type Pledge struct {
	Total    Rate        `json:"total"`
	ByWindow []PledgeRow `json:"by_window"`
	ByStaff  []PledgeRow `json:"by_staff"`
	ByItem   []PledgeRow `json:"by_item"`
}

// WithinPledge reports whether a service met the ten-minute pledge:
// finished at most ten minutes after the call.
func WithinPledge(s Service) bool {
	return !s.Finished.IsZero() && !s.Finished.After(s.Called.Add(TenMinutes))
}

// TenMinutePledge computes the pledge over the finished services of
// instant items (instant reports whether an item is one).
func TenMinutePledge(services []Service, instant func(string) bool) Pledge {
	p := Pledge{ByWindow: []PledgeRow{}, ByStaff: []PledgeRow{}, ByItem: []PledgeRow{}}
	win, staff, item := map[int64]*PledgeRow{}, map[int64]*PledgeRow{}, map[string]*PledgeRow{}
	for _, s := range services {
		if !instant(s.Item) || s.Finished.IsZero() || s.Called.IsZero() {
			continue
		}
		met := WithinPledge(s)
		p.Total.add(met)
		if win[s.WindowID] == nil {
			win[s.WindowID] = &PledgeRow{WindowID: s.WindowID}
		}
		win[s.WindowID].add(met)
		if staff[s.StaffID] == nil {
			staff[s.StaffID] = &PledgeRow{StaffID: s.StaffID}
		}
		staff[s.StaffID].add(met)
		if item[s.Item] == nil {
			item[s.Item] = &PledgeRow{Item: s.Item}
		}
		item[s.Item].add(met)
	}
	for _, r := range win {
		p.ByWindow = append(p.ByWindow, *r)
	}
	for _, r := range staff {
		p.ByStaff = append(p.ByStaff, *r)
	}
	for _, r := range item {
		p.ByItem = append(p.ByItem, *r)
	}
	sort.Slice(p.ByWindow, func(i, j int) bool { return p.ByWindow[i].WindowID < p.ByWindow[j].WindowID })
	sort.Slice(p.ByStaff, func(i, j int) bool { return p.ByStaff[i].StaffID < p.ByStaff[j].StaffID })
	sort.Slice(p.ByItem, func(i, j int) bool { return p.ByItem[i].Item < p.ByItem[j].Item })
	return p
}

// WindowNow is what the unattended-window rule needs to know of a window.
type WindowNow struct {
	WindowID int64
	// State is the session state: open, paused or closed ("" never
	// signed in today counts as closed).
	State string
	// Since is when the window entered its state (for a window closed
	// since before opening: the opening time).
	Since time.Time
	// Waiting is how many people wait for the items the window serves.
	Waiting int
	// Away, when not zero, is the time away of the episode that began at
	// Since, less the brief returns in it (see AwayEpisode); zero means
	// away all the time since Since.
	Away time.Duration
}

// BriefReturn is how long a window may reopen between two pauses and
// still be one absence: a clerk who resumes for a minute and pauses again
// has not come back to the post, so the two pauses add up.
const BriefReturn = 2 * time.Minute

// AwayEpisode chains a pause in progress since since with the earlier
// pauses of the day (ended, in any order) that it follows within
// BriefReturn of their end, each in turn: it returns when the episode
// began and the time away in it (the pauses, not the brief returns
// between them).
func AwayEpisode(since, now time.Time, earlier []Span) (time.Time, time.Duration) {
	ps := append([]Span(nil), earlier...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].To.After(ps[j].To) })
	start, away := since, now.Sub(since)
	for _, p := range ps {
		if p.To.After(start) {
			continue // not before the episode
		}
		if start.Sub(p.To) >= BriefReturn {
			break
		}
		away += p.To.Sub(p.From)
		start = p.From
	}
	return start, away
}

// Unattended reports whether a window has stood paused or unattended for
// at least limit during opening hours while people wait for its items,
// and for how many minutes (Away when set: pauses with brief returns
// between them add up).
func Unattended(w WindowNow, now time.Time, open bool, limit time.Duration) (bool, int) {
	if !open || w.Waiting == 0 || w.State == "open" {
		return false, 0
	}
	away := now.Sub(w.Since)
	if w.Away > 0 {
		away = w.Away
	}
	if away < limit {
		return false, 0
	}
	return true, int(away / time.Minute)
}
