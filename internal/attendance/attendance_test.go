package attendance

import (
	"math"
	"testing"
	"time"
)

var sh = time.FixedZone("CST", 8*3600)

// at is a time on the test day (Wed 2 Dec 2026) or the next.
func at(day int, hm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", "2026-12-0"+string(rune('0'+day))+" "+hm, sh)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02 15:04", "2026-12-0"+string(rune('0'+day))+" "+hm, sh)
		if err != nil {
			panic(err)
		}
	}
	return t
}

func shift(staff, window int64, day int) Shift {
	return Shift{StaffID: staff, WindowID: window, Day: at(day, "00:00").Format("2006-01-02"), Open: at(day, "08:30"), Close: at(day, "17:30")}
}

// TestKnownDay checks the ten-minute and on-post figures of a test day
// with known timings (hours 08:30–17:30, 540 minutes).
func TestKnownDay(t *testing.T) {
	sessions := []Session{
		{1, 1, at(2, "08:15"), at(2, "17:45"), nil}, // early by 15, late by 15
		{2, 2, at(2, "08:25"), at(2, "17:35"), nil}, // 5 early, 5 late: neither
		{3, 3, at(2, "08:40"), at(2, "12:00"), nil}, // late, lunch away, early leave
		{3, 3, at(2, "13:00"), at(2, "17:20"), nil},
		{5, 5, at(2, "08:20"), at(2, "10:00"), nil}, // exactly ten both ends; excused 10:00–10:30
		{5, 5, at(2, "10:30"), at(2, "17:40"), nil},
		{1, 1, at(3, "08:35"), at(3, "17:00"), nil}, // next day: late, leaves early
	}
	excused := map[int64][]Span{5: {{at(2, "10:00"), at(2, "10:30")}}}
	now := at(3, "20:00")
	var days []Day
	for _, s := range []Shift{shift(1, 1, 2), shift(2, 2, 2), shift(3, 3, 2), shift(4, 4, 2), shift(5, 5, 2), shift(1, 1, 3)} {
		days = append(days, Evaluate(s, sessions, excused[s.StaffID], now))
	}
	type want struct {
		present, late, early, e10, l10 bool
		on, sched                      int
	}
	for i, w := range []want{
		{true, false, false, true, true, 540, 540},
		{true, false, false, false, false, 540, 540},
		{true, true, true, false, false, 460, 540},
		{false, false, false, false, false, 0, 540},
		{true, false, false, true, true, 510, 510},
		{true, true, true, false, false, 505, 540},
	} {
		d := days[i]
		got := want{d.Present, d.Late, d.EarlyLeave, d.Early10, d.Late10, d.OnPost, d.Scheduled}
		if got != w {
			t.Errorf("day %d (staff %d): %+v, want %+v", i, d.StaffID, got, w)
		}
	}
	byStaff := Summarise(days, false, nil)
	s1 := byStaff[0]
	if s1.Key != 1 || s1.Early10 != (Rate{2, 1, 0.5}) || s1.Late10 != (Rate{2, 1, 0.5}) || s1.Late != 1 || s1.EarlyLeave != 1 {
		t.Errorf("staff 1: %+v", s1)
	}
	if math.Abs(s1.OnPostRate-1045.0/1080) > 1e-9 {
		t.Errorf("staff 1 on-post rate %v", s1.OnPostRate)
	}
	s4 := byStaff[3]
	if s4.Key != 4 || s4.Absent != 1 || s4.Early10.N != 0 || s4.OnPostRate != 0 {
		t.Errorf("staff 4: %+v", s4)
	}
	all := Summarise(days, true, nil)
	var e10, n int
	for _, s := range all {
		e10 += s.Early10.Met
		n += s.Early10.N
	}
	// Present shifts: 5; early by ten on 2 of them (staff 1 day 1, staff 5).
	if e10 != 2 || n != 5 {
		t.Errorf("early by ten %d of %d, want 2 of 5", e10, n)
	}
}

func TestDayStillRunning(t *testing.T) {
	// At 11:00 a clerk who signed in at 08:00 and is still in: not late,
	// early by ten, on post 150 of 150 minutes, nothing judged at closing.
	d := Evaluate(shift(1, 1, 2), []Session{{1, 1, at(2, "08:00"), time.Time{}, nil}}, nil, at(2, "11:00"))
	if !d.Early10 || d.Late || d.EarlyLeave || d.Late10 || d.OnPost != 150 || d.Scheduled != 150 {
		t.Errorf("%+v", d)
	}
	// Signed out at 10:00 and the day still runs: away, not yet an early leave.
	d = Evaluate(shift(1, 1, 2), []Session{{1, 1, at(2, "08:00"), at(2, "10:00"), nil}}, nil, at(2, "11:00"))
	if d.EarlyLeave || d.OnPost != 90 {
		t.Errorf("%+v", d)
	}
}

func TestTenMinutePledge(t *testing.T) {
	instant := func(code string) bool { return code == "RS-E-001" || code == "RS-E-002" }
	p := TenMinutePledge([]Service{
		{1, 1, "RS-E-001", at(2, "09:00"), at(2, "09:08")},
		{1, 1, "RS-E-001", at(2, "09:10"), at(2, "09:20")},    // exactly ten: met
		{1, 1, "RS-E-001", at(2, "09:30"), at(2, "09:40:01")}, // one second over
		{2, 2, "RS-E-002", at(2, "10:00"), at(2, "10:05")},
		{2, 2, "RS-B-012", at(2, "10:10"), at(2, "11:00")}, // not an instant item
		{2, 2, "RS-E-001", at(2, "11:00"), time.Time{}},    // not finished
	}, instant)
	if p.Total != (Rate{4, 3, 0.75}) {
		t.Errorf("total %+v", p.Total)
	}
	if len(p.ByWindow) != 2 || p.ByWindow[0].Met != 2 || p.ByWindow[0].N != 3 || p.ByWindow[1].Rate.Rate != 1 {
		t.Errorf("by window %+v", p.ByWindow)
	}
	if len(p.ByItem) != 2 || p.ByItem[0].Item != "RS-E-001" || p.ByItem[0].N != 3 || p.ByStaff[1].StaffID != 2 {
		t.Errorf("by item %+v by staff %+v", p.ByItem, p.ByStaff)
	}
}

func TestUnattended(t *testing.T) {
	now := at(2, "10:00")
	limit := 10 * time.Minute
	for _, tt := range []struct {
		name string
		w    WindowNow
		open bool
		want bool
	}{
		{"paused 11 min, people waiting", WindowNow{1, "paused", at(2, "09:49"), 3, 0}, true, true},
		{"paused 9 min", WindowNow{1, "paused", at(2, "09:51"), 3, 0}, true, false},
		{"signed out exactly 10 min", WindowNow{1, "closed", at(2, "09:50"), 1, 0}, true, true},
		{"nobody waits", WindowNow{1, "closed", at(2, "08:00"), 0, 0}, true, false},
		{"hall closed", WindowNow{1, "closed", at(2, "08:00"), 5, 0}, false, false},
		{"open", WindowNow{1, "open", at(2, "08:00"), 5, 0}, true, false},
	} {
		if got, _ := Unattended(tt.w, now, tt.open, limit); got != tt.want {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
}

// TestPausesAddUp: a window paused three times in a session adds up its
// away time for the on-post rate — 12 + 7 + 20 minutes within hours, and
// only the 10 minutes after opening of a pause that began before it.
func TestPausesAddUp(t *testing.T) {
	sessions := []Session{{StaffID: 6, WindowID: 6, In: at(2, "08:10"), Out: at(2, "17:45"), Pauses: []Span{
		{at(2, "08:20"), at(2, "08:40")},
		{at(2, "09:00"), at(2, "09:12")},
		{at(2, "10:00"), at(2, "10:07")},
		{at(2, "15:00"), at(2, "15:20")},
	}}}
	d := Evaluate(shift(6, 6, 2), sessions, nil, at(3, "08:00"))
	if d.OnPost != 540-10-12-7-20 || d.Scheduled != 540 || !d.Early10 || !d.Late10 || d.Late || d.EarlyLeave {
		t.Fatalf("%+v", d)
	}
}

// TestAwayEpisode: pauses with returns shorter than BriefReturn between
// them are one absence whose away times add up; a longer return ends the
// chain.
func TestAwayEpisode(t *testing.T) {
	earlier := []Span{
		{at(2, "09:00"), at(2, "09:06")}, // then 10 minutes back at the post
		{at(2, "09:16"), at(2, "09:20")}, // then back for 1 minute
		{at(2, "09:21"), at(2, "09:25")}, // then back for 90 seconds
	}
	start, away := AwayEpisode(at(2, "09:26:30"), at(2, "09:29:30"), earlier)
	if !start.Equal(at(2, "09:16")) || away != 11*time.Minute {
		t.Fatalf("episode from %v, away %v", start, away)
	}
	w := WindowNow{State: "paused", Since: start, Waiting: 2, Away: away}
	if ok, mins := Unattended(w, at(2, "09:29:30"), true, 10*time.Minute); !ok || mins != 11 {
		t.Fatalf("chained pauses of 11 minutes: %v %d", ok, mins)
	}
	w.Away = 9 * time.Minute // a return subtracted: below the limit though 13½ minutes passed
	if ok, _ := Unattended(w, at(2, "09:29:30"), true, 10*time.Minute); ok {
		t.Fatal("9 minutes away is not 10")
	}
	if start, away := AwayEpisode(at(2, "09:30"), at(2, "09:35"), earlier); !start.Equal(at(2, "09:30")) || away != 5*time.Minute {
		t.Fatalf("after a 5-minute return: %v %v", start, away)
	}
}
