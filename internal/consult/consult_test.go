package consult

import (
	"strings"
	"testing"
	"time"

	"mingbai/internal/i18n"
	"mingbai/internal/workday"
)

func TestBaodaozhengGetsCurrentRule(t *testing.T) {
	faq := GraduateFAQ()
	for i := range faq {
		faq[i].ID = int64(i + 1)
		if err := faq[i].Validate(); err != nil {
			t.Fatalf("%s: %v", faq[i].Code, err)
		}
	}
	for _, q := range []string{"报到证办理流程是什么？", "我的报到证丢了怎么补办", "请问还需要就业报到证吗", "报到"} {
		e, k, ok := Match(q, faq)
		if !ok || e.Code != "FAQ_REGISTRATION" {
			t.Fatalf("%q matched %s by %v", q, e.Code, k)
		}
		text := ReplyText(i18n.ZhCN, Decision{Kind: "faq", Entry: e}, time.UTC)
		if !strings.Contains(text, "教学〔2022〕5号") || !strings.Contains(text, "不再发放") || strings.Contains(text, "已废止") {
			t.Fatalf("reply %q", text)
		}
	}
}

func TestMatchLongestFirst(t *testing.T) {
	es := []Entry{
		{ID: 1, Code: "A", Keywords: ParseKeywords("补贴")},
		{ID: 2, Code: "B", Keywords: ParseKeywords("见习补贴")},
		{ID: 3, Code: "C", Keywords: ParseKeywords("=见习")},
		{ID: 4, Code: "D", Keywords: ParseKeywords("见习")},
	}
	for q, want := range map[string]string{"见习补贴怎么领": "B", "有什么补贴": "A", "见习": "C", "见习岗位": "D", "ＡＢ 见习补贴！": "B"} {
		if e, _, ok := Match(q, es); !ok || e.Code != want {
			t.Errorf("%q → %s, want %s", q, e.Code, want)
		}
	}
	if _, _, ok := Match("你好", es); ok {
		t.Error("matched nothing-related text")
	}
}

func TestDecide(t *testing.T) {
	faq := GraduateFAQ()
	next := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	if d := Decide("转人工", faq, false, false, next); d.Kind != "person" || !strings.Contains(ReplyText(i18n.ZhCN, d, time.UTC), "2026-12-07 09:00") {
		t.Fatalf("person outside hours: %+v %q", d, ReplyText(i18n.ZhCN, d, time.UTC))
	}
	if d := Decide("档案在哪", faq, true, true, time.Time{}); d.Kind != "" {
		t.Fatalf("with a person the FAQ stays quiet: %+v", d)
	}
	if d := Decide("你好", faq, false, true, time.Time{}); d.Kind != "queued" {
		t.Fatalf("unknown question: %+v", d)
	}
}

func TestKF(t *testing.T) {
	last := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if ok, _ := KF(last, 0, last.Add(47*time.Hour)); !ok {
		t.Fatal("within 48 h refused")
	}
	if ok, r := KF(last, 0, last.Add(48*time.Hour+time.Second)); ok || r != "consult.kf_expired" {
		t.Fatal("after 48 h allowed")
	}
	if ok, r := KF(last, 5, last.Add(time.Hour)); ok || r != "consult.kf_used_up" {
		t.Fatal("sixth message allowed")
	}
}

func TestHours(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	h := Hours{Open: "09:00", Close: "17:00", Loc: loc, Cal: workday.Official()}
	// Friday 2026-11-27 16:00 → Monday 2026-11-30 10:00: 1 h Friday + 1 h Monday.
	fri := time.Date(2026, 11, 27, 16, 0, 0, 0, loc)
	mon := time.Date(2026, 11, 30, 10, 0, 0, 0, loc)
	if m, err := h.Minutes(fri, mon); err != nil || m != 120 {
		t.Fatalf("minutes %d %v", m, err)
	}
	due, err := h.Due(fri, 120)
	if err != nil || !due.Equal(mon) {
		t.Fatalf("due %v %v", due, err)
	}
	sat := time.Date(2026, 11, 28, 12, 0, 0, 0, loc)
	if ok, _ := h.Staffed(sat); ok {
		t.Fatal("staffed on Saturday")
	}
	if n, _ := h.NextStaffed(sat); !n.Equal(time.Date(2026, 11, 30, 9, 0, 0, 0, loc)) {
		t.Fatalf("next staffed %v", n)
	}
	tm, _ := h.Timer(fri, time.Time{}, mon.Add(time.Minute), 120)
	if !tm.Overdue || tm.Stopped || tm.Minutes != 121 {
		t.Fatalf("timer %+v", tm)
	}
	// National Day 2026 (1–7 October) is not staffed.
	if ok, _ := h.Staffed(time.Date(2026, 10, 2, 10, 0, 0, 0, loc)); ok {
		t.Fatal("staffed on a holiday")
	}
}

func TestMove(t *testing.T) {
	now := time.Now()
	if err := Move(Resolved, Pending, time.Time{}, now); err == nil {
		t.Fatal("resolved → pending allowed")
	}
	if err := Move(Open, Snoozed, now.Add(-time.Minute), now); err == nil {
		t.Fatal("snooze into the past allowed")
	}
	if err := Move(Open, Resolved, time.Time{}, now); err != nil {
		t.Fatal(err)
	}
	if Effective(Snoozed, now.Add(-time.Second), now) != Open {
		t.Fatal("expired snooze not open")
	}
}

// An exact keyword typed with a Chinese input method's full-width "＝"
// is as exact as one typed with "=", and a lone marker is no keyword.
func TestFullWidthExactMarker(t *testing.T) {
	got := ParseKeywords("＝见习\n=档案\n＝\n补贴")
	want := []Keyword{{Text: "见习", Exact: true}, {Text: "档案", Exact: true}, {Text: "补贴"}}
	if len(got) != len(want) {
		t.Fatalf("ParseKeywords = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("keyword %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
