package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/auth"
	"mingbai/internal/demo"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// dutyWeb is the demo hall on Wednesday 2026-12-02 at 10:00 with a second
// duty leader, and a duty leader in the other hall.
type dutyWeb struct {
	*hallEnv
	leader1, leader2, oLeader int64
	tok1, tok2, tokMgr        string
	tokOMgr, tokOLeader       string
}

func newDutyWeb(t *testing.T) *dutyWeb {
	t.Helper()
	e := newHall(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, loc)
	e.DB.SetClock(func() time.Time { return now })
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system", Source: "seed"})
	l1, err := e.DB.UserByName(ctx, e.People.Leader.Username)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := e.DB.CreateUserIn(ctx, e.Hall, "leader2", "副局长 赵明", auth.DutyLeader, demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	ol, err := e.DB.CreateUserIn(ctx, e.Other.ID, "o_leader", "另一区副局长", auth.DutyLeader, demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	return &dutyWeb{hallEnv: e, leader1: l1.ID, leader2: l2.ID, oLeader: ol.ID,
		tok1: e.tokenOf(e.People.Leader), tok2: e.token("leader2"), tokMgr: e.tokenOf(e.People.Manager),
		tokOMgr: e.tokenOf(e.Other.Manager), tokOLeader: e.token("o_leader")}
}

func (d *dutyWeb) path(p string) string { return fmt.Sprintf("/api/v1/halls/%d/duty%s", d.Hall, p) }

// rows counts the duty tables and the audit log's changes, to show a
// refusal wrote nothing (a denied access is audited, as it should be).
func (d *dutyWeb) rows() string {
	d.t.Helper()
	var out []string
	for _, tb := range []string{"duty_shifts", "duty_swaps", "duty_logs", "duty_checklists", "audit_log WHERE outcome = 'ok'"} {
		var n int
		if err := d.DB.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryRow("SELECT COUNT(*) FROM " + tb).Scan(&n) }); err != nil {
			d.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", tb, n))
	}
	var closed int
	_ = d.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow("SELECT COUNT(*) FROM duty_shifts WHERE checked_out_at > 0").Scan(&closed)
	})
	return strings.Join(out, " ") + fmt.Sprintf(" closed=%d", closed)
}

// refuse sends a request that must fail with status and a Chinese message
// containing want, and checks nothing was written.
func (d *dutyWeb) refuse(name, method, path, token string, body any, status int, want string) {
	d.t.Helper()
	before := d.rows()
	res := d.request(method, path, bearer(token), jsonBody(body), header("Accept-Language", "zh-CN"))
	if res.Status != status || !strings.Contains(res.Body, want) {
		d.t.Errorf("%s: %d %s; want %d with %q", name, res.Status, res.Body, status, want)
	}
	if after := d.rows(); after != before {
		d.t.Errorf("%s wrote something: %s → %s", name, before, after)
	}
}

func decodeAs[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestDutyRosterAPI(t *testing.T) {
	d := newDutyWeb(t)
	in := map[string]any{"day": "2026-12-02", "half": "am", "post": "guide", "leader_id": d.leader1, "idempotency_key": "web-1"}
	st, b := d.do("POST", d.path("/shifts"), d.tokMgr, in)
	if st != 201 {
		t.Fatalf("create: %d %s", st, b)
	}
	first := decodeAs[store.Shift](t, b)
	if st, b = d.do("POST", d.path("/shifts"), d.tokMgr, in); st != 201 || decodeAs[store.Shift](t, b).ID != first.ID {
		t.Fatalf("retry: %d %s", st, b)
	}
	d.refuse("two leaders without a deputy role", "POST", d.path("/shifts"), d.tokMgr,
		map[string]any{"day": "2026-12-02", "half": "am", "post": "guide", "leader_id": d.leader2}, 400, "第二位领导请设为该班次的副班")
	d.refuse("a Saturday", "POST", d.path("/shifts"), d.tokMgr,
		map[string]any{"day": "2026-12-05", "half": "am", "post": "guide", "leader_id": d.leader2}, 400, "大厅不办公")
	d.refuse("end before start", "POST", d.path("/shifts"), d.tokMgr,
		map[string]any{"day": "2026-12-03", "half": "custom", "start": "15:00", "end": "10:00", "post": "guide", "leader_id": d.leader2}, 400, "结束时间必须晚于开始时间")
	d.refuse("another hall's leader", "POST", d.path("/shifts"), d.tokMgr,
		map[string]any{"day": "2026-12-03", "half": "am", "post": "guide", "leader_id": d.oLeader}, 400, "不是本大厅的值班领导")
	d.refuse("unknown field", "POST", d.path("/shifts"), d.tokMgr,
		map[string]any{"day": "2026-12-03", "half": "am", "post": "guide", "leader_id": d.leader2, "hall_id": 2}, 400, "hall_id")
	d.refuse("a leader edits the roster", "POST", d.path("/shifts"), d.tok1,
		map[string]any{"day": "2026-12-03", "half": "am", "post": "guide", "leader_id": d.leader1}, 403, "")
	d.refuse("another hall's manager", "POST", d.path("/shifts"), d.tokOMgr,
		map[string]any{"day": "2026-12-03", "half": "am", "post": "guide", "leader_id": d.leader1}, 403, "")
	d.refuse("another hall's manager publishes", "POST", d.path("/roster/2026-12/publish"), d.tokOMgr, nil, 403, "")
	if st, b := d.do("GET", d.path("/roster?month=2026-12"), d.tokOLeader, nil); st != 403 {
		t.Errorf("another hall's leader reads the roster: %d %s", st, b)
	}
	// Nothing public before publishing; then the week shows the leader.
	if st, b := d.do("GET", d.path("/week"), "", nil); st != 200 || strings.Contains(string(b), "孙立平") {
		t.Fatalf("week before publishing: %d %s", st, b)
	}
	if st, b := d.do("POST", d.path("/roster/2026-12/publish"), d.tokMgr, nil); st != 200 || !strings.Contains(string(b), `"published":1`) {
		t.Fatalf("publish: %d %s", st, b)
	}
	st, b = d.do("GET", d.path("/week"), "", nil)
	if st != 200 || !strings.Contains(string(b), "副局长 孙立平") || strings.Contains(string(b), "leader_id") || strings.Contains(string(b), "handover") {
		t.Fatalf("public week: %d %s", st, b)
	}
	page := d.request("GET", fmt.Sprintf("/halls/%d/duty/week", d.Hall), asBrowser(), header("Accept-Language", "zh-CN"))
	if page.Status != 200 || !strings.Contains(page.Body, "副局长 孙立平") || !strings.Contains(page.Body, "引导员") {
		t.Fatalf("public week page: %d", page.Status)
	}
	// The board of the hall display carries today's leader.
	st, b = d.do("GET", fmt.Sprintf("/api/v1/halls/%d/queue", d.Hall), "", nil)
	if st != 200 || !strings.Contains(string(b), `"name":"副局长 孙立平"`) {
		t.Fatalf("board: %d %s", st, b)
	}
	// The manager's month grid lists the shift; a leader's shows the swap button.
	grid := d.request("GET", "/duty/roster?month=2026-12", bearer(d.tokMgr), asBrowser(), header("Accept-Language", "zh-CN"))
	if grid.Status != 200 || !strings.Contains(grid.Body, `data-shift="`+fmt.Sprint(first.ID)+`"`) || !strings.Contains(grid.Body, "非工作日") {
		t.Fatalf("roster page: %d", grid.Status)
	}
	if mine := d.request("GET", "/duty/roster?month=2026-12", bearer(d.tok1), asBrowser(), header("Accept-Language", "zh-CN")); !strings.Contains(mine.Body, "申请换班") {
		t.Fatal("the leader's roster page has no swap button")
	}

	// Swap: leader2 is asked, accepts; the manager approves; the board follows.
	tomorrow := map[string]any{"day": "2026-12-03", "half": "pm", "post": "consultant", "leader_id": d.leader1}
	st, b = d.do("POST", d.path("/shifts"), d.tokMgr, tomorrow)
	if st != 201 {
		t.Fatalf("create tomorrow: %d %s", st, b)
	}
	sh := decodeAs[store.Shift](t, b)
	d.refuse("swap of another's shift", "POST", d.path("/swaps"), d.tok2, map[string]any{"shift_id": sh.ID, "to_id": d.leader1}, 403, "只能为自己的班次申请换班")
	st, b = d.do("POST", d.path("/swaps"), d.tok1, map[string]any{"shift_id": sh.ID, "to_id": d.leader2, "reason": "外出开会", "idempotency_key": "sw-1"})
	if st != 201 {
		t.Fatalf("swap: %d %s", st, b)
	}
	sw := decodeAs[store.Swap](t, b)
	d.refuse("manager approves before the leader accepts", "POST", d.path(fmt.Sprintf("/swaps/%d/approve", sw.ID)), d.tokMgr, nil, 409, "已处理")
	d.refuse("another hall's manager approves", "POST", d.path(fmt.Sprintf("/swaps/%d/approve", sw.ID)), d.tokOMgr, nil, 403, "")
	if st, b = d.do("POST", d.path(fmt.Sprintf("/swaps/%d/accept", sw.ID)), d.tok2, nil); st != 200 {
		t.Fatalf("accept: %d %s", st, b)
	}
	if st, b = d.do("POST", d.path(fmt.Sprintf("/swaps/%d/approve", sw.ID)), d.tokMgr, map[string]any{"note": "同意"}); st != 200 || !strings.Contains(string(b), `"state":"approved"`) {
		t.Fatalf("approve: %d %s", st, b)
	}
	st, b = d.do("GET", d.path("/roster?month=2026-12"), d.tok2, nil)
	if !strings.Contains(string(b), `"leader_name":"副局长 赵明"`) {
		t.Fatalf("roster after the swap: %d %s", st, b)
	}
	if st, b = d.do("GET", d.path("/swaps"), d.tok2, nil); st != 200 || !strings.Contains(string(b), `"state":"approved"`) {
		t.Fatalf("leader2's swaps: %d %s", st, b)
	}
	// The checklist: a manager of another hall may not change this one's.
	d.refuse("another hall's manager sets the checklist", "PUT", d.path("/checklist"), d.tokOMgr, map[string]any{"items": []map[string]string{{"code": "x", "group": "should", "text": "y"}}}, 403, "")
	d.refuse("empty checklist", "PUT", d.path("/checklist"), d.tokMgr, map[string]any{"items": []map[string]string{}}, 400, "至少要有一条")
	if st, b = d.do("GET", d.path("/checklist"), d.tok1, nil); st != 200 || !strings.Contains(string(b), "不准吃拿卡要") {
		t.Fatalf("checklist: %d %s", st, b)
	}
}

func TestDutyConsoleAPI(t *testing.T) {
	d := newDutyWeb(t)
	for _, s := range []map[string]any{
		{"day": "2026-12-02", "half": "am", "post": "supervisor", "leader_id": d.leader1},
		{"day": "2026-12-02", "half": "pm", "post": "supervisor", "leader_id": d.leader2},
	} {
		if st, b := d.do("POST", d.path("/shifts"), d.tokMgr, s); st != 201 {
			t.Fatalf("create: %d %s", st, b)
		}
	}
	if st, b := d.do("POST", d.path("/roster/2026-12/publish"), d.tokMgr, nil); st != 200 {
		t.Fatalf("publish: %d %s", st, b)
	}
	st, b := d.do("GET", d.path("/console"), d.tok1, nil)
	if st != 200 {
		t.Fatalf("console: %d %s", st, b)
	}
	c := decodeAs[store.DutyConsole](t, b)
	if c.Shift == nil || c.Shift.Post != "supervisor" || c.Shift.CheckedInAt != 0 || len(c.Live.Zones) != 5 || len(c.Checklist) != 9 {
		t.Fatalf("console = %+v", c)
	}
	am := c.Shift.ID
	if st, b := d.do("GET", d.path("/console"), d.tokOLeader, nil); st != 403 {
		t.Errorf("another hall's leader opens this hall's console: %d %s", st, b)
	}
	if st, _ := d.do("GET", d.path("/console"), d.tokMgr, nil); st != 403 {
		t.Errorf("a manager opens the leader's console: %d", st)
	}
	d.refuse("log before check-in", "POST", d.path("/logs"), d.tok1, map[string]any{"kind": "guide", "zone": "employment"}, 409, "请先签到")
	d.refuse("check in to another's shift", "POST", d.path(fmt.Sprintf("/shifts/%d/check-in", am)), d.tok2, nil, 403, "这不是您的值班班次")
	d.refuse("another hall's leader checks in", "POST", d.path(fmt.Sprintf("/shifts/%d/check-in", am)), d.tokOLeader, nil, 403, "")
	if st, b := d.do("POST", d.path(fmt.Sprintf("/shifts/%d/check-in", am)), d.tok1, nil); st != 200 {
		t.Fatalf("check in: %d %s", st, b)
	}
	for i, z := range []string{"employment", "employment", "social_insurance"} {
		if st, b := d.do("POST", d.path("/logs"), d.tok1, map[string]any{"kind": "guide", "zone": z, "idempotency_key": fmt.Sprint("g", i)}); st != 201 {
			t.Fatalf("guide: %d %s", st, b)
		}
	}
	if st, _ := d.do("POST", d.path("/logs"), d.tok1, map[string]any{"kind": "guide", "zone": "employment", "idempotency_key": "g0"}); st != 201 {
		t.Fatal("retried guide tap")
	}
	if st, b := d.do("POST", d.path("/logs"), d.tok1, map[string]any{"kind": "consult", "topic": "养老保险转移", "item": "RS-B-001", "outcome": "referred"}); st != 201 {
		t.Fatalf("consult: %d %s", st, b)
	}
	aspects := map[string]bool{"at_post": true, "badge_uniform": false, "attitude": true, "discipline": true}
	d.refuse("spot check finding without handling", "POST", d.path("/logs"), d.tok1,
		map[string]any{"kind": "check", "window_id": d.People.Clerk.Window, "aspects": aspects}, 400, "请写明发现的问题")
	d.refuse("spot check of another hall's window", "POST", d.path("/logs"), d.tok1,
		map[string]any{"kind": "check", "window_id": d.Other.Window.ID, "aspects": aspects, "finding": "x", "handling": "corrected"}, 400, "请选择本大厅的窗口")
	if st, b := d.do("POST", d.path("/logs"), d.tok1, map[string]any{"kind": "check", "window_id": d.People.Clerk.Window, "aspects": aspects,
		"items": map[string]bool{"s2": false}, "finding": "未佩戴工作牌", "handling": "corrected"}); st != 201 {
		t.Fatalf("check: %d %s", st, b)
	}
	_, b = d.do("GET", d.path("/console"), d.tok1, nil)
	c = decodeAs[store.DutyConsole](t, b)
	if c.Counts["guide"] != 3 || c.Counts["consult"] != 1 || c.Counts["check"] != 1 || c.Guided["employment"] != 2 {
		t.Fatalf("counts = %+v %+v", c.Counts, c.Guided)
	}
	d.refuse("check-out without a handover note", "POST", d.path(fmt.Sprintf("/shifts/%d/check-out", am)), d.tok1, map[string]any{"handover": ""}, 400, "签退前请填写交接事项")
	if st, b := d.do("POST", d.path(fmt.Sprintf("/shifts/%d/check-out", am)), d.tok1, map[string]any{"handover": "1号窗口工牌问题已纠正，请下午复查。"}); st != 200 {
		t.Fatalf("check out: %d %s", st, b)
	}
	_, b = d.do("GET", d.path("/console"), d.tok2, nil)
	c = decodeAs[store.DutyConsole](t, b)
	if c.Handover == nil || c.Handover.Note != "1号窗口工牌问题已纠正，请下午复查。" || c.Handover.From != "副局长 孙立平" {
		t.Fatalf("the next leader's handover = %+v", c.Handover)
	}
	// The month's records, for managers and auditors of the hall.
	st, b = d.do("GET", d.path("/records?month=2026-12"), d.tokMgr, nil)
	if recs := decodeAs[[]store.DutyRecord](t, b); st != 200 || len(recs) != 5 || recs[0].Leader != "副局长 孙立平" || recs[4].Finding != "未佩戴工作牌" {
		t.Fatalf("records: %d %s", st, b)
	}
	if st, _ := d.do("GET", d.path("/records?month=2026-12"), d.tokOMgr, nil); st != 403 {
		t.Errorf("another hall's manager reads the records: %d", st)
	}
	x := d.request("GET", fmt.Sprintf("/halls/%d/duty/records.xlsx?month=2026-12", d.Hall), bearer(d.tokMgr), header("Accept-Language", "zh-CN"))
	if x.Status != 200 {
		t.Fatalf("xlsx: %d %s", x.Status, x.Body)
	}
	book, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	checks, err := book.GetRows("抽查")
	if err != nil || len(checks) != 2 || checks[1][4] != "不符合" || checks[1][7] != "应该着装整洁、佩戴工作牌" || checks[1][9] != "当场纠正" {
		t.Fatalf("spot-check sheet = %q, %v", checks, err)
	}
	if roster, _ := book.GetRows("领导值班排班表"); len(roster) != 3 || roster[1][2] != "监督员" || roster[1][7] != "1号窗口工牌问题已纠正，请下午复查。" {
		t.Fatalf("roster sheet = %q", roster)
	}
	page := d.request("GET", "/duty", bearer(d.tok2), asBrowser(), header("Accept-Language", "zh-CN"))
	if page.Status != 200 || !strings.Contains(page.Body, "不准推诿扯皮") || !strings.Contains(page.Body, fmt.Sprintf("/halls/%d/duty/alerts", d.Hall)) {
		t.Fatalf("console page: %d", page.Status)
	}
}

// TestDutyBoardShowsTheLeadersStaffPhoto: a manager links a staff record
// with a photo to a duty leader's account on the hall page; the public
// duty roster then shows that photo instead of the generated avatar. An
// unknown account or one of another hall is refused with a message and
// nothing is written.
func TestDutyBoardShowsTheLeadersStaffPhoto(t *testing.T) {
	d := newDutyWeb(t)
	if st, b := d.do("POST", d.path("/shifts"), d.tokMgr, map[string]any{"day": "2026-12-02", "half": "am", "post": "guide", "leader_id": d.leader1}); st != 201 {
		t.Fatalf("create: %d %s", st, b)
	}
	if st, b := d.do("POST", d.path("/roster/2026-12/publish"), d.tokMgr, nil); st != 200 {
		t.Fatalf("publish: %d %s", st, b)
	}
	week := func() string {
		t.Helper()
		st, b := d.do("GET", d.path("/week?day=2026-12-02"), "", nil)
		if st != 200 {
			t.Fatalf("week: %d %s", st, b)
		}
		return string(b)
	}
	if b := week(); !strings.Contains(b, fmt.Sprintf("/avatars/duty/%d.svg", d.leader1)) {
		t.Fatalf("before a photo: %s", b)
	}
	staffPage := fmt.Sprintf("/admin/halls/%d/staff", d.Hall)
	before := len(mustList(t, d))
	for account, want := range map[string]string{"nobody-here": "nobody-here", "o_leader": "another hall"} {
		r := d.request("POST", staffPage, bearer(d.tokMgr), formBody(url.Values{"staff_no": {"L09"}, "name": {"孙局"}, "post": {"副局长"}, "photo_url": {"/static/photos/l09.jpg"}, "account": {account}}))
		if r.Status != 400 || !strings.Contains(r.Body, want) {
			t.Fatalf("account %s: %d %.300s", account, r.Status, r.Body)
		}
	}
	if n := len(mustList(t, d)); n != before {
		t.Fatalf("a refused form wrote a staff record (%d → %d)", before, n)
	}
	r := d.request("POST", staffPage, bearer(d.tokMgr), formBody(url.Values{"staff_no": {"L09"}, "name": {"孙局"}, "post": {"副局长"}, "photo_url": {"/static/photos/l09.jpg"}, "account": {d.People.Leader.Username}}))
	if r.Status != 303 {
		t.Fatalf("link: %d %.300s", r.Status, r.Body)
	}
	if b := week(); !strings.Contains(b, "/static/photos/l09.jpg") {
		t.Fatalf("after the photo: %s", b)
	}
}

func mustList(t *testing.T, d *dutyWeb) []hall.Staff {
	t.Helper()
	list, err := d.DB.ListStaff(context.Background(), d.Hall)
	if err != nil {
		t.Fatal(err)
	}
	return list
}
