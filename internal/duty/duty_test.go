package duty

import (
	"testing"

	"mingbai/internal/apperr"
)

func keyOf(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Key
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestNextSwap walks every state and action; the expected table is written
// out apart from swapRules so that a change to the machine shows here.
func TestNextSwap(t *testing.T) {
	req, tgt, mgr := SwapActor{Requester: true}, SwapActor{Target: true}, SwapActor{Manager: true}
	type want struct {
		by SwapActor
		to SwapState
	}
	allowed := map[SwapState]map[SwapAction]want{
		SwapRequested: {SwapAccept: {tgt, SwapAccepted}, SwapDecline: {tgt, SwapDeclined}, SwapReject: {mgr, SwapRejected}, SwapCancel: {req, SwapCancelled}},
		SwapAccepted:  {SwapApprove: {mgr, SwapApproved}, SwapReject: {mgr, SwapRejected}, SwapCancel: {req, SwapCancelled}},
	}
	for _, from := range SwapStates {
		for _, a := range SwapActions {
			w, ok := allowed[from][a]
			for _, by := range []SwapActor{req, tgt, mgr} {
				got, err := NextSwap(from, a, by)
				switch {
				case ok && by == w.by:
					if err != nil || got != w.to {
						t.Errorf("%s %s by %+v = %s, %v; want %s", from, a, by, got, err, w.to)
					}
				case err == nil:
					t.Errorf("%s %s by %+v = %s; want refused", from, a, by, got)
				}
			}
		}
		if from.Open() != (from == SwapRequested || from == SwapAccepted) {
			t.Errorf("%s.Open() = %v", from, from.Open())
		}
	}
	if _, err := ParseSwapAction("steal"); keyOf(err) != "duty.err.swap_action" {
		t.Errorf("unknown action: %v", err)
	}
}

func TestShiftDecide(t *testing.T) {
	ok := Facts{OpeningDay: true, LeaderOK: true, DeputyOK: true, Open: "08:30", Close: "17:00"}
	base := Shift{Day: "2026-12-02", Half: AM, Post: Guide, LeaderID: 1}
	base.Times("08:30", "17:00")
	if base.Start != "08:30" || base.End != Noon {
		t.Fatalf("am times %s-%s", base.Start, base.End)
	}
	cases := []struct {
		name string
		s    func(Shift) Shift
		f    func(Facts) Facts
		key  string
	}{
		{"fine", nil, nil, ""},
		{"closed day", nil, func(f Facts) Facts { f.OpeningDay = false; return f }, "duty.err.closed_day"},
		{"not a leader", nil, func(f Facts) Facts { f.LeaderOK = false; return f }, "duty.err.not_leader"},
		{"bad deputy", func(s Shift) Shift { s.DeputyID = 2; return s }, func(f Facts) Facts { f.DeputyOK = false; return f }, "duty.err.not_leader"},
		{"taken", nil, func(f Facts) Facts { f.Taken = true; return f }, "duty.err.two_leaders"},
		{"busy", nil, func(f Facts) Facts { f.Busy = true; return f }, "duty.err.leader_busy"},
		{"custom end before start", func(s Shift) Shift { s.Half, s.Start, s.End = Custom, "14:00", "13:00"; return s }, nil, "duty.err.end_before_start"},
		{"custom equal times", func(s Shift) Shift { s.Half, s.Start, s.End = Custom, "14:00", "14:00"; return s }, nil, "duty.err.end_before_start"},
		{"custom bad time", func(s Shift) Shift { s.Half, s.Start, s.End = Custom, "25:00", "26:00"; return s }, nil, "duty.err.time"},
		{"outside hours", func(s Shift) Shift { s.Half, s.Start, s.End = Custom, "16:00", "18:00"; return s }, nil, "duty.err.outside_hours"},
		{"no leader", func(s Shift) Shift { s.LeaderID = 0; return s }, nil, "duty.err.leader_missing"},
		{"bad half", func(s Shift) Shift { s.Half = "night"; return s }, nil, "duty.err.half"},
		{"bad day", func(s Shift) Shift { s.Day = "2.12.2026"; return s }, nil, "duty.err.day"},
	}
	for _, c := range cases {
		s, f := base, ok
		if c.s != nil {
			s = c.s(s)
		}
		if c.f != nil {
			f = c.f(f)
		}
		if got := keyOf(s.Decide(f)); got != c.key {
			t.Errorf("%s: %q, want %q", c.name, got, c.key)
		}
	}
	if !Overlaps("08:30", "12:00", "11:00", "14:00") || Overlaps("08:30", "12:00", "12:00", "17:00") {
		t.Error("Overlaps")
	}
}

func TestCheckEntryAndChecklist(t *testing.T) {
	f := EntryFacts{ZoneOK: true, ItemOK: true, WindowOK: true, Checklist: DefaultChecklist}
	all := map[Aspect]bool{AtPost: true, BadgeUniform: true, Attitude: true, Discipline: true}
	if _, err := CheckEntry(Entry{Kind: LogCheck, WindowID: 1, Aspects: all, Items: map[string]bool{"s1": true}}, f); err != nil {
		t.Fatal(err)
	}
	away := map[Aspect]bool{AtPost: false, BadgeUniform: true, Attitude: true, Discipline: true}
	if _, err := CheckEntry(Entry{Kind: LogCheck, WindowID: 1, Aspects: away, Finding: "离岗", Handling: HandledNone}, f); keyOf(err) != "duty.err.finding_needed" {
		t.Errorf("failed aspect handled none: %v", err)
	}
	if _, err := CheckEntry(Entry{Kind: LogCheck, WindowID: 1, Aspects: all, Items: map[string]bool{"n2": false}}, f); keyOf(err) != "duty.err.finding_needed" {
		t.Errorf("failed checklist item without finding: %v", err)
	}
	if e, err := CheckEntry(Entry{Kind: LogCheck, WindowID: 1, Aspects: away, Finding: " 离岗10分钟 ", Handling: HandledReported}, f); err != nil || e.Finding != "离岗10分钟" {
		t.Errorf("reported finding: %+v %v", e, err)
	}
	if _, err := CheckEntry(Entry{Kind: "dance"}, f); keyOf(err) != "duty.err.kind" {
		t.Errorf("kind: %v", err)
	}
	if len(DefaultChecklist) != 9 {
		t.Fatalf("六个应该、三个不准 has %d items", len(DefaultChecklist))
	}
	should := 0
	for _, it := range DefaultChecklist {
		if it.Group == "should" {
			should++
		}
	}
	if should != 6 {
		t.Errorf("%d 应该 items", should)
	}
	if _, err := CheckChecklist([]ChecklistItem{{"a", "should", "x"}, {"a", "should", "y"}}); keyOf(err) != "duty.err.checklist_code" {
		t.Errorf("duplicate code: %v", err)
	}
	if _, err := CheckChecklist([]ChecklistItem{{"a", "maybe", "x"}}); keyOf(err) != "duty.err.checklist_group" {
		t.Errorf("bad group: %v", err)
	}
	if _, err := CheckOut(true, 1, 0, " \n "); keyOf(err) != "duty.err.handover_needed" {
		t.Errorf("blank handover: %v", err)
	}
	if note, err := CheckOut(true, 1, 0, " 交接 "); err != nil || note != "交接" {
		t.Errorf("handover: %q %v", note, err)
	}
	if err := CheckIn(true, true, true, 5); keyOf(err) != "duty.err.checked_in" {
		t.Errorf("double check-in: %v", err)
	}
}
