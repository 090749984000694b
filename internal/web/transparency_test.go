package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTransparencyPageIsPublicAndHoldsNoPerson: the public page needs no
// sign-in, shows today's waiting per zone, last month's mean wait and
// share within 10 minutes computed from that month's tickets, the guides,
// the duty roster link and how to complain; no phone, ID number, staff
// name or account.
func TestTransparencyPageIsPublicAndHoldsNoPerson(t *testing.T) {
	e := newHall(t)
	set, base := dashClock(e)
	admin := e.token("admin")
	w1 := e.signIn(1)
	// Last month: two tickets issued 09:00, called 09:05 and 09:25 (waits
	// 5 and 25: mean 15.0, half within 10 minutes).
	prev := time.Date(base.Year(), base.Month(), 1, 0, 0, 0, 0, base.Location()).AddDate(0, -1, 9).Format("2006-01-02")
	set(prev, "09:00")
	a := e.issue(admin, map[string]any{"item": itemA, "phone": "13900001111"})
	b := e.issue(admin, map[string]any{"item": itemA})
	for _, step := range []struct {
		at string
		id int64
	}{{"09:05", a.ID}, {"09:25", b.ID}} {
		set(prev, step.at)
		if st, _, body := e.call(1, w1); st != 200 {
			t.Fatalf("call: %s", body)
		}
		if st, body := e.act(w1, step.id, "finish", nil); st != 200 {
			t.Fatalf("finish: %s", body)
		}
	}
	// Today one person waits.
	set(base.Format("2006-01-02"), "10:00")
	e.issue(admin, map[string]any{"item": itemA})

	status, body := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/transparency", e.Hall), "", nil)
	var tp struct {
		Figures struct {
			Month    string  `json:"month"`
			Called   int     `json:"called"`
			MeanMin  float64 `json:"mean_min"`
			Within10 float64 `json:"within10_pct"`
			Zones    []struct {
				Code    string `json:"code"`
				Waiting int    `json:"waiting"`
			} `json:"zones"`
		} `json:"figures"`
		Duty string `json:"duty"`
	}
	if status != 200 || json.Unmarshal(body, &tp) != nil {
		t.Fatalf("transparency: %d %s", status, body)
	}
	f := tp.Figures
	if f.Month != prev[:7] || f.Called != 2 || f.MeanMin != 15 || f.Within10 != 50 {
		t.Fatalf("last month: %+v", f)
	}
	waiting := 0
	for _, z := range f.Zones {
		waiting += z.Waiting
	}
	if waiting != 1 || tp.Duty != fmt.Sprintf("/halls/%d/duty/week", e.Hall) {
		t.Fatalf("today %d waiting, duty %q", waiting, tp.Duty)
	}
	page := e.request("GET", fmt.Sprintf("/halls/%d/transparency", e.Hall), asBrowser(), header("Accept-Language", "zh-CN"))
	if page.Status != 200 {
		t.Fatalf("page: %d", page.Status)
	}
	for _, want := range []string{"15 分钟", "50%", "如何投诉", "12345", `href="/guides"`, fmt.Sprintf(`href="/halls/%d/duty/week"`, e.Hall), "办事指南（"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	staff, err := e.DB.ListStaff(t.Context(), e.Hall)
	if err != nil || len(staff) == 0 {
		t.Fatalf("staff: %v", err)
	}
	for _, never := range []string{"13900001111", "w01", staff[0].Name} {
		if strings.Contains(page.Body, never) || strings.Contains(string(body), never) {
			t.Errorf("the public page shows %q", never)
		}
	}
}
