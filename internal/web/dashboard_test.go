package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mingbai/internal/oversight"
	"mingbai/internal/store"
)

// dashClock gives the database a clock the test sets: a Tuesday in the
// hall's zone, after today (so that no real ticket shares its day).
func dashClock(e *hallEnv) (set func(day, hm string), base time.Time) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	d := time.Now().In(loc).AddDate(0, 0, 14)
	for d.Weekday() != time.Tuesday {
		d = d.AddDate(0, 0, 1)
	}
	base = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	var now atomic.Int64
	now.Store(base.Add(9 * time.Hour).UnixMilli())
	e.DB.SetClock(func() time.Time { return time.UnixMilli(now.Load()) })
	set = func(day, hm string) {
		t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, loc)
		if err != nil {
			panic(err)
		}
		now.Store(t.UnixMilli())
	}
	return set, base
}

func (e *hallEnv) dashboard(tok string) store.Dashboard {
	e.t.Helper()
	status, b := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/dashboard", e.Hall), tok, nil)
	var d store.Dashboard
	if status != 200 || json.Unmarshal(b, &d) != nil {
		e.t.Fatalf("dashboard: %d %s", status, b)
	}
	return d
}

// TestDashboardFiguresMatchAHandComputedDay: known tickets at known times
// give the waits, shares, window states, hourly comparison and highlights
// computed by hand.
func TestDashboardFiguresMatchAHandComputedDay(t *testing.T) {
	e := newHall(t)
	set, base := dashClock(e)
	today, lastWeek := base.Format("2006-01-02"), base.AddDate(0, 0, -7).Format("2006-01-02")
	admin, leader := e.token("admin"), e.token("leader")
	w1 := e.signIn(1)

	// Last week, same weekday: one ticket issued 09:00, called 09:20.
	set(lastWeek, "09:00")
	old := e.issue(admin, map[string]any{"item": itemA})
	set(lastWeek, "09:20")
	if st, _, b := e.call(1, w1); st != 200 {
		t.Fatalf("call: %s", b)
	}
	if st, body := e.act(w1, old.ID, "finish", nil); st != 200 {
		t.Fatalf("finish: %s", body)
	}
	// Today: three tickets at 09:00; called 09:04 and 09:12; one waits.
	set(today, "09:00")
	a := e.issue(admin, map[string]any{"item": itemA})
	b := e.issue(admin, map[string]any{"item": itemA})
	c := e.issue(admin, map[string]any{"item": itemA})
	set(today, "09:04")
	if st, tk, body := e.call(1, w1); st != 200 || tk.Number != a.Number {
		t.Fatalf("call a: %s", body)
	}
	if st, body := e.act(w1, a.ID, "finish", nil); st != 200 {
		t.Fatalf("finish a: %s", body)
	}
	set(today, "09:12")
	if st, tk, body := e.call(1, w1); st != 200 || tk.Number != b.Number {
		t.Fatalf("call b: %s", body)
	}
	set(today, "10:00")

	d := e.dashboard(leader)
	s := d.Summary
	// Waits 4 and 12 min: mean 8.0, p90 (nearest rank of 2) 12.0, half
	// within 10 min. Issued 3 today, 1 served, 1 waiting for 60 min.
	if s.Issued != 3 || s.Served != 1 || s.Waiting != 1 || s.Called != 2 || s.MeanMin != 8 || s.P90Min != 12 || s.Within10 != 50 || s.Longest != 60 {
		t.Fatalf("summary %+v", s)
	}
	var zone store.DashZone
	for _, z := range d.Zones {
		if z.Waiting > 0 {
			zone = z
		}
	}
	if zone.Waiting != 1 || zone.Longest != 60 || len(zone.Items) != 1 || zone.Items[0].Code != itemA || zone.Items[0].Waiting != 1 || zone.Items[0].Name == itemA {
		t.Fatalf("zone %+v", zone)
	}
	var win store.DashWindow
	for _, w := range d.Windows {
		if w.Number == "1" {
			win = w
		}
	}
	called := base.Add(9*time.Hour + 12*time.Minute).UnixMilli()
	if win.State != "calling" || win.Current != b.Number || win.Since != called || win.Staff == "" || s.Open != 1 || s.AtPost != 1 || s.Scheduled < 1 {
		t.Fatalf("window 1 %+v, open %d at post %d", win, s.Open, s.AtPost)
	}
	if len(d.Hours) != 1 || d.Hours[0] != (oversight.HourWait{Hour: 9, TodayMin: 8, Today: 2, UsualMin: 20, Usual: 1}) {
		t.Fatalf("hours %+v", d.Hours)
	}
	// Defaults: longest 30 min and 80 % within 10 min are crossed, the
	// mean (15) and p90 (30) are not.
	if !s.LongestHot || !zone.LongHot || !s.WithinHot || s.MeanHot || s.P90Hot {
		t.Fatalf("highlights %+v zone %+v", s, zone)
	}
	_ = c

	// A manager changes thresholds; the highlights follow.
	mgr := e.token("manager")
	path := fmt.Sprintf("/api/v1/halls/%d/oversight-settings", e.Hall)
	if st, body := e.do("PUT", path, mgr, map[string]any{"thresholds": map[string]any{"mean_wait_min": 5, "longest_wait_min": 0}}); st != 200 {
		t.Fatalf("settings: %d %s", st, body)
	}
	d = e.dashboard(leader)
	if !d.Summary.MeanHot || d.Summary.LongestHot || d.Thresholds.MeanWaitMin != 5 || d.Thresholds.P90WaitMin != 30 {
		t.Fatalf("after settings: %+v %+v", d.Summary, d.Thresholds)
	}
	// A window left idle: window 1 finishes b at 10:00; at 10:20 it has
	// been idle 20 minutes, over the 15-minute default.
	if st, body := e.act(w1, b.ID, "finish", nil); st != 200 {
		t.Fatalf("finish b: %s", body)
	}
	set(today, "10:20")
	for _, w := range e.dashboard(leader).Windows {
		if w.Number == "1" && (w.State != "idle" || !w.Hot || w.Since != base.Add(10*time.Hour).UnixMilli()) {
			t.Fatalf("idle window %+v", w)
		}
	}
	// Several halls on one page: an administrator gets every hall, the
	// hall's manager only theirs (and /dashboard takes them to it).
	for tok, want := range map[string]int{admin: 2, mgr: 1} {
		status, body := e.do("GET", "/api/v1/dashboard", tok, nil)
		var all []store.Dashboard
		if status != 200 || json.Unmarshal(body, &all) != nil || len(all) != want {
			t.Fatalf("district: %d, %d halls, want %d", status, len(all), want)
		}
	}
	if res := e.request("GET", "/dashboard", bearer(mgr), asBrowser()); res.Status != 303 || res.Header.Get("Location") != fmt.Sprintf("/halls/%d/dashboard", e.Hall) {
		t.Fatalf("manager's /dashboard: %d %s", res.Status, res.Header.Get("Location"))
	}
	if res := e.request("GET", "/dashboard", bearer(admin), asBrowser()); res.Status != 200 || !strings.Contains(res.Body, `data-district="1"`) {
		t.Fatalf("admin's /dashboard: %d", res.Status)
	}
	// The duty leader reads but does not set thresholds; a clerk sees
	// nothing; another hall's manager neither.
	if st, _ := e.do("PUT", path, leader, map[string]any{}); st != 403 {
		t.Fatalf("leader set thresholds: %d", st)
	}
	if st, _ := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/dashboard", e.Hall), w1, nil); st != 403 {
		t.Fatalf("clerk read the dashboard: %d", st)
	}
	if st, _ := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/dashboard", e.Hall), e.tokenOf(e.Other.Manager), nil); st != 403 {
		t.Fatalf("other hall's manager read the dashboard: %d", st)
	}
}

// TestNegativeThresholdsAreRefused: a negative (or too large, or not a
// number) threshold gets a clear message naming it and changes nothing.
func TestNegativeThresholdsAreRefused(t *testing.T) {
	e := newHall(t)
	mgr := e.token("manager")
	path := fmt.Sprintf("/api/v1/halls/%d/oversight-settings", e.Hall)
	before := e.request("GET", path, bearer(mgr)).Body
	for body, want := range map[string]string{
		// Out-of-range numbers are refused by the body decoder against
		// the ranges the API description declares (docs/security.md).
		`{"thresholds":{"paused_min":-1}}`:    "“窗口暂停（分钟）”应在 0 到 1440 之间",
		`{"rules":{"repeat_serve_count":-3}}`: "“同一人员受理同一申请人件数”应在 0 到 1000 之间",
		`{"thresholds":{"within10_pct":101}}`: "应在 0 到 100 之间",
		`{"rules":{"off":["no.such_rule"]}}`:  "没有“no.such_rule”这条规则",
		`{"rules":{"scan_days":0}}`:           "应在 1 到 92 之间",
	} {
		res := e.request("PUT", path, bearer(mgr), jsonBody(body), header("Accept-Language", "zh-CN"))
		if res.Status != 400 || !strings.Contains(res.Body, want) {
			t.Errorf("%s: %d %s", body, res.Status, res.Body)
		}
	}
	if after := e.request("GET", path, bearer(mgr)).Body; after != before {
		t.Fatalf("refused settings changed something:\n%s\n%s", before, after)
	}
	// The form says the same and keeps what was typed.
	form := url.Values{}
	st := oversight.Defaults()
	for _, f := range st.Fields() {
		form.Set(f.Name, fmt.Sprint(*f.V))
	}
	form.Set("idle_window_min", "-5")
	res := e.request("POST", fmt.Sprintf("/halls/%d/oversight-settings", e.Hall), bearer(mgr), asBrowser(), formBody(form), header("Accept-Language", "zh-CN"))
	if res.Status != 400 || !strings.Contains(res.Body, "窗口空闲（分钟）”不能为负数") || !strings.Contains(res.Body, `value="-5"`) {
		t.Fatalf("form: %d", res.Status)
	}
	if after := e.request("GET", path, bearer(mgr)).Body; after != before {
		t.Fatal("the refused form changed something")
	}
	// A good form saves, and is audited.
	form.Set("idle_window_min", "25")
	res = e.request("POST", fmt.Sprintf("/halls/%d/oversight-settings", e.Hall), bearer(mgr), asBrowser(), formBody(form))
	if res.Status != 303 {
		t.Fatalf("good form: %d %s", res.Status, res.Body)
	}
	saved, err := e.DB.OversightSettings(t.Context(), e.Hall)
	if err != nil || saved.Thresholds.IdleWindowMin != 25 || len(saved.Rules.Off) != len(store.AlertKinds()) {
		// the form had no rule switched on: every rule is off
		t.Fatalf("saved %+v %v", saved, err)
	}
	if recs, _ := e.DB.ListAudit(t.Context(), store.AuditFilter{Action: "oversight.settings"}); len(recs) != 1 {
		t.Fatalf("settings audited %d times", len(recs))
	}
}
