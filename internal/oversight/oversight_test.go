package oversight

import (
	"strings"
	"testing"
	"time"

	"mingbai/internal/apperr"
)

func TestWaitsByHand(t *testing.T) {
	min := int64(60000)
	// Waits 1..10 minutes: mean 5.5, p90 = 9 (nearest rank ceil(9)-1 = 8),
	// within 10 minutes: all (10 min counts).
	var ws []int64
	for i := int64(10); i >= 1; i-- {
		ws = append(ws, i*min)
	}
	s := Waits(ws)
	if s.Called != 10 || s.MeanMin != 5.5 || s.P90Min != 9 || s.Within10 != 100 {
		t.Fatalf("%+v", s)
	}
	// 10 min + 1 ms is not within.
	s = Waits([]int64{10*min + 1, 2 * min})
	if s.Within10 != 50 || s.P90Min != 10 {
		t.Fatalf("%+v", s)
	}
	if s := Waits(nil); s != (WaitStats{}) {
		t.Fatalf("empty %+v", s)
	}
	for _, c := range []struct{ n, p, want int }{{1, 90, 0}, {2, 90, 1}, {10, 90, 8}, {11, 90, 9}, {100, 90, 89}, {3, 50, 1}} {
		if got := NearestRank(c.n, c.p); got != c.want {
			t.Errorf("NearestRank(%d, %d) = %d, want %d", c.n, c.p, got, c.want)
		}
	}
}

func TestByHour(t *testing.T) {
	got := ByHour([]Called{{9, 4 * 60000}, {9, 12 * 60000}, {11, 60000}}, []Called{{9, 20 * 60000}, {10, 6 * 60000}, {10, 8 * 60000}})
	want := []HourWait{{Hour: 9, TodayMin: 8, Today: 2, UsualMin: 20, Usual: 1}, {Hour: 10, UsualMin: 7, Usual: 2}, {Hour: 11, TodayMin: 1, Today: 1}}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("hour %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestSettingsRefuseNegativeAndTooLarge(t *testing.T) {
	if err := Defaults().Validate(nil); err != nil {
		t.Fatal(err)
	}
	s := Defaults()
	s.Thresholds.PausedMin = -1
	err := s.Validate(nil)
	if e := apperr.As(err); e == nil || e.Key != "ov.err_negative" || e.Field != "paused_min" {
		t.Fatalf("negative: %v", err)
	}
	s = Defaults()
	s.Thresholds.Within10Pct = 101
	if e := apperr.As(s.Validate(nil)); e == nil || e.Key != "ov.err_too_large" {
		t.Fatalf("too large: %v", e)
	}
	s = Defaults()
	s.Rules.Off = []string{"x.y"}
	if e := apperr.As(s.Validate(func(string) bool { return false })); e == nil || e.Key != "ov.err_unknown_rule" {
		t.Fatalf("unknown rule: %v", e)
	}
	// Parsing keeps defaults for fields a stored document lacks.
	p, err := Parse(`{"thresholds":{"paused_min":7}}`)
	if err != nil || p.Thresholds.PausedMin != 7 || p.Rules.ScanDays != 31 || p.Thresholds.IdleWindowMin != 15 {
		t.Fatalf("parse %+v %v", p, err)
	}
	// Every field is listed once.
	seen := map[string]bool{}
	for _, f := range s.Fields() {
		if seen[f.Name] {
			t.Errorf("field %s twice", f.Name)
		}
		seen[f.Name] = true
	}
}

func TestOutsideHoursAndPadsBoundaries(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	at := func(hm string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-17 "+hm, loc)
		return t
	}
	r := Defaults().Rules
	ts := []TicketFact{{1, "A1", at("08:29"), "kiosk"}, {2, "A2", at("08:30"), "kiosk"}, {3, "A3", at("16:29"), "kiosk"}, {4, "A4", at("16:30"), "kiosk"}}
	var got []string
	for _, f := range OutsideHours(ts, "08:30", "16:30", false, r) {
		got = append(got, f.Params["ticket"])
	}
	if strings.Join(got, ",") != "A1,A4" {
		t.Fatalf("outside hours: %v", got)
	}
	r.OutsideHoursGraceMin = 1
	if fs := OutsideHours(ts, "08:30", "16:30", false, r); len(fs) != 0 {
		t.Fatalf("with a minute of grace: %+v", fs)
	}
	if fs := OutsideHours(ts, "08:30", "16:30", true, r); len(fs) != 0 {
		t.Fatal("an always-open hall has no outside hours")
	}
	// A pad exactly 30 minutes silent is not offline; 31 is. Before the
	// opening the silence does not count.
	now := at("11:00")
	pads := []PadFact{{ID: 1, Name: "p1", LastSeen: at("10:30").UnixMilli()}, {ID: 2, Name: "p2", LastSeen: at("10:29").UnixMilli()},
		{ID: 3, Name: "p3", LastSeen: at("07:00").UnixMilli()}}
	fs := Pads(pads, now, "08:30", "17:00", true, Defaults().Rules)
	if len(fs) != 2 || fs[0].Params["device"] != "p2" || fs[1].Params["minutes"] != "150" {
		t.Fatalf("pads: %+v", fs)
	}
	if fs := Pads(pads, now, "08:30", "17:00", false, Defaults().Rules); len(fs) != 0 {
		t.Fatal("offline on a day off")
	}
	if fs := Pads(pads, at("18:00"), "08:30", "17:00", true, Defaults().Rules); len(fs) != 0 {
		t.Fatal("offline after closing")
	}
}

func TestRevealAndRepeatBoundaries(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	closed := time.Date(2026, 11, 10, 0, 0, 0, 0, loc)
	r := Defaults().Rules // 3 days after closing
	views := []RevealFact{
		{Seq: 1, At: closed.AddDate(0, 0, 3).Add(23 * time.Hour).UnixMilli(), CaseNumber: "C1", ClosedAt: closed},
		{Seq: 2, At: closed.AddDate(0, 0, 4).UnixMilli(), CaseNumber: "C2", ClosedAt: closed},
		{Seq: 3, At: closed.AddDate(0, 0, 40).UnixMilli(), CaseNumber: "C3"},
	}
	fs := RevealNoCase(views, r)
	if len(fs) != 1 || fs[0].Params["case"] != "C2" || fs[0].Ref != "audit:2" {
		t.Fatalf("reveal: %+v", fs)
	}
	now := time.Date(2026, 11, 17, 11, 0, 0, 0, loc)
	cs := []CaseFact{{Number: "1", StaffID: 1, Blind: "b", AcceptedAt: now.AddDate(0, 0, -31).UnixMilli()},
		{Number: "2", StaffID: 1, Blind: "b", AcceptedAt: now.AddDate(0, 0, -29).UnixMilli()},
		{Number: "3", StaffID: 1, Blind: "b", AcceptedAt: now.UnixMilli()}}
	if fs := RepeatServe(cs, r, now); len(fs) != 0 {
		t.Fatalf("a case older than 30 days counted: %+v", fs)
	}
	cs[0].AcceptedAt = now.AddDate(0, 0, -30).UnixMilli()
	fs = RepeatServe(cs, r, now)
	if len(fs) != 1 || strings.Contains(fs[0].Ref, "b") && strings.HasSuffix(fs[0].Ref, ":b") {
		t.Fatalf("repeat: %+v", fs)
	}
}
