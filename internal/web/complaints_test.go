package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// dataURL matches an embedded base64 image.
var dataURL = regexp.MustCompile(`data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+`)

// TestComplaintInvisibleToItsSubject: a complaint about w01 (window 1)
// received by the duty leader never shows in any page or API response w01
// can reach: not its number, summary, text, nor the complainant's name or
// phone, masked or not. Every GET route of the table is tried, as JSON and
// as a browser.
func TestComplaintInvisibleToItsSubject(t *testing.T) {
	e := newHall(t)
	leader := e.tokenOf(e.People.Leader)
	res := e.request("POST", fmt.Sprintf("/api/v1/halls/%d/complaints", e.Hall), bearer(leader), jsonBody(map[string]any{
		"channel": "duty_leader", "type": "complaint", "summary": "一号窗口推诿ZQX", "detail": "材料齐全仍要求复印MATERIALXYZ",
		"name": "李四光", "phone": "13900001111", "subject_staff_id": e.People.Clerk.Staff, "subject_window_id": e.People.Clerk.Window}))
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var c struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
		Due    string `json:"due"`
	}
	if err := json.Unmarshal([]byte(res.Body), &c); err != nil || c.Number == "" || c.Due == "" {
		t.Fatalf("%s %v", res.Body, err)
	}
	// The leader reads it; the manager too.
	if r := e.request("GET", fmt.Sprintf("/api/v1/halls/%d/complaints/%d", e.Hall, c.ID), bearer(e.tokenOf(e.People.Manager))); r.Status != 200 || !strings.Contains(r.Body, "ZQX") {
		t.Fatalf("manager: %d %s", r.Status, r.Body)
	}
	secrets := []string{c.Number, "ZQX", "MATERIALXYZ", "李四光", "李*光", "13900001111", "139****1111"}
	w01 := e.tokenOf(e.People.Clerk)
	// w01 signs in and raises a help call, so that its own pages have content.
	e.request("POST", fmt.Sprintf("/api/v1/windows/%d/session", e.People.Clerk.Window), bearer(w01), jsonBody(`{"state":"open"}`))
	repl := strings.NewReplacer("{$}", "", "{hall}", strconv.FormatInt(e.Hall, 10), "{window}", strconv.FormatInt(e.People.Clerk.Window, 10),
		"{id}", strconv.FormatInt(c.ID, 10), "{code}", "RS-B-012", "{n}", "1", "{zone}", "employment", "{token}", "x", "{staff}", strconv.FormatInt(e.People.Clerk.Staff, 10),
		"{device}", "1", "{draw}", "1", "{record}", "1", "{province}", "44", "{name}", "w01", "{job}", "1", "{file}", "x.svg", "{item}", "RS-B-012")
	checked := 0
	for _, rt := range e.Server.Routes() {
		if rt.Method != "GET" || strings.Contains(rt.Path, "stream") || rt.Path == "/metrics" {
			continue
		}
		p := repl.Replace(rt.Path)
		if p == "" {
			p = "/"
		}
		for _, accept := range []reqOpt{header("Accept", "application/json"), asBrowser()} {
			r := e.request("GET", p, bearer(w01), accept, header("Accept-Language", "zh-CN"))
			checked++
			// Embedded images (a guide's QR code of its address, which has
			// the test server's random port) are base64 that may spell a
			// secret by chance: they carry no text of the complaint.
			body := dataURL.ReplaceAllString(r.Body, "")
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("GET %s (%d) as w01 shows %q", p, r.Status, s)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d responses checked", checked)
	}
	// w01 cannot act on it either.
	if r := e.request("POST", fmt.Sprintf("/api/v1/halls/%d/complaints/%d/steps", e.Hall, c.ID), bearer(w01), jsonBody(map[string]any{"action": "resolve", "note": "x"})); r.Status != 404 {
		t.Fatalf("w01 steps: %d %s", r.Status, r.Body)
	}
	// Nor be handed it.
	if r := e.request("POST", fmt.Sprintf("/api/v1/halls/%d/complaints/%d/steps", e.Hall, c.ID), bearer(leader), jsonBody(map[string]any{"action": "handover", "to": "w01"})); r.Status != 400 || !strings.Contains(r.Body, "cannot be handed") {
		t.Fatalf("hand to w01: %d %s", r.Status, r.Body)
	}
	// Another hall's manager does not reach it.
	if r := e.request("GET", fmt.Sprintf("/api/v1/halls/%d/complaints/%d", e.Hall, c.ID), bearer(e.tokenOf(e.Other.Manager))); r.Status != 403 {
		t.Fatalf("other hall: %d", r.Status)
	}
}

// TestComplaintBadInputAndPublicForm: a complaint without a channel or a
// type gets a clear message and writes nothing; the public web form needs
// the page token of its page and lands on the duty desk.
func TestComplaintBadInputAndPublicForm(t *testing.T) {
	e := newHall(t)
	leader := e.tokenOf(e.People.Leader)
	path := fmt.Sprintf("/api/v1/halls/%d/complaints", e.Hall)
	for body, msg := range map[string]string{
		`{"type":"complaint","summary":"x"}`:                "请选择受理渠道",
		`{"channel":"duty_leader","summary":"x"}`:           "请选择类别",
		`{"channel":"hotline","type":"help","summary":"x"}`: "工单号",
	} {
		r := e.request("POST", path, bearer(leader), jsonBody(body), header("Accept-Language", "zh-CN"))
		if r.Status != 400 || !strings.Contains(r.Body, msg) {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	if r := e.request("GET", path, bearer(leader)); r.Body != "[]\n" {
		t.Fatalf("something was written: %s", r.Body)
	}
	// Public form without a token: refused; with the page's token: taken.
	form := url.Values{"hall": {strconv.FormatInt(e.Hall, 10)}, "type": {"suggestion"}, "summary": {"希望增加自助打印机"}, "window": {"1"}}
	if r := e.request("POST", "/complain", formBody(form), asBrowser()); r.Status == 200 && strings.Contains(r.Body, "complain-done") {
		t.Fatal("taken without a page token")
	}
	page := e.request("GET", fmt.Sprintf("/complain?hall=%d", e.Hall), asBrowser())
	m := regexp.MustCompile(`name="page_token" value="([^"]+)"`).FindStringSubmatch(page.Body)
	if page.Status != 200 || m == nil {
		t.Fatalf("public page: %d", page.Status)
	}
	form.Set("page_token", m[1])
	r := e.request("POST", "/complain", formBody(form), asBrowser(), header("Accept-Language", "zh-CN"))
	if r.Status != 200 || !strings.Contains(r.Body, "complain-done") {
		t.Fatalf("public: %d %s", r.Status, r.Body)
	}
	var list []struct {
		Channel string `json:"channel"`
		Owner   string `json:"owner"`
		Subject int64  `json:"subject_staff_id"`
	}
	lr := e.request("GET", path, bearer(leader))
	if err := json.Unmarshal([]byte(lr.Body), &list); err != nil || len(list) != 1 || list[0].Channel != "web" || list[0].Owner != "" || list[0].Subject != e.People.Clerk.Staff {
		t.Fatalf("%s %v", lr.Body, err)
	}
	// The subject of the web complaint (w01, window 1) does not see it.
	if r := e.request("GET", path, bearer(e.tokenOf(e.People.Clerk))); r.Body != "[]\n" {
		t.Fatalf("w01 sees: %s", r.Body)
	}
	// The kiosk may enter one too (channel kiosk).
	kiosk := e.tokenFor("device")
	kr := e.request("POST", "/api/v1/complaints", bearer(kiosk), jsonBody(map[string]any{"type": "help", "summary": "轮椅借用", "idempotency_key": "k1"}))
	if kr.Status != 201 || !strings.Contains(kr.Body, `"number"`) {
		t.Fatalf("kiosk: %d %s", kr.Status, kr.Body)
	}
}

// TestHelpCallOnMyWay: the clerk at window 1 calls the duty leader; the
// leader sees it on the alert page and answers "on my way"; the clerk's
// console reads the answer.
func TestHelpCallOnMyWay(t *testing.T) {
	e := newHall(t)
	w01 := e.tokenOf(e.People.Clerk)
	win := e.People.Clerk.Window
	if r := e.request("POST", fmt.Sprintf("/api/v1/windows/%d/help", win), bearer(w01), jsonBody(`{}`)); r.Status != 409 && r.Status != 400 && r.Status != 403 {
		t.Fatalf("help before signing in: %d %s", r.Status, r.Body)
	}
	e.request("POST", fmt.Sprintf("/api/v1/windows/%d/session", win), bearer(w01), jsonBody(`{"state":"open"}`))
	r := e.request("POST", fmt.Sprintf("/api/v1/windows/%d/help", win), bearer(w01), jsonBody(`{"note":"群众情绪激动"}`), header("Accept-Language", "zh-CN"))
	if r.Status != 201 {
		t.Fatalf("help: %d %s", r.Status, r.Body)
	}
	var a struct {
		ID         int64  `json:"id"`
		Text       string `json:"text"`
		AnswerText string `json:"answer_text"`
	}
	_ = json.Unmarshal([]byte(r.Body), &a)
	leader := e.tokenOf(e.People.Leader)
	page := e.request("GET", fmt.Sprintf("/halls/%d/duty/alerts", e.Hall), bearer(leader), asBrowser(), header("Accept-Language", "zh-CN"))
	if page.Status != 200 || !strings.Contains(page.Body, "群众情绪激动") || !strings.Contains(page.Body, "马上到") {
		t.Fatalf("alert page: %d", page.Status)
	}
	// The clerk may not read the leaders' list.
	if r := e.request("GET", fmt.Sprintf("/api/v1/halls/%d/duty/alerts", e.Hall), bearer(w01)); r.Status != 403 {
		t.Fatalf("clerk reads alerts: %d", r.Status)
	}
	f := e.request("POST", fmt.Sprintf("/halls/%d/duty/alerts/%d/ack", e.Hall, a.ID), bearer(leader), formBody(url.Values{"answer": {"on_my_way"}}), asBrowser())
	if f.Status != 303 {
		t.Fatalf("ack: %d %s", f.Status, f.Body)
	}
	got := e.request("GET", fmt.Sprintf("/api/v1/windows/%d/help", win), bearer(w01), header("Accept-Language", "zh-CN"))
	if got.Status != 200 || !strings.Contains(got.Body, `"answer":"on_my_way"`) || !strings.Contains(got.Body, "马上到") {
		t.Fatalf("clerk sees: %d %s", got.Status, got.Body)
	}
	// Closing needs a note; it is audited.
	if c := e.request("POST", fmt.Sprintf("/api/v1/halls/%d/duty/alerts/%d/close", e.Hall, a.ID), bearer(leader), jsonBody(`{"note":""}`)); c.Status != 400 {
		t.Fatalf("close without note: %d", c.Status)
	}
	if c := e.request("POST", fmt.Sprintf("/api/v1/halls/%d/duty/alerts/%d/close", e.Hall, a.ID), bearer(leader), jsonBody(`{"note":"已劝离"}`)); c.Status != 200 {
		t.Fatalf("close: %d %s", c.Status, c.Body)
	}
	au := e.request("GET", "/api/v1/audit?action=duty_alert", bearer(e.tokenOf(e.People.Auditor)))
	if !strings.Contains(au.Body, "duty_alert.close") || !strings.Contains(au.Body, "duty_alert.ack") {
		t.Fatalf("audit: %s", au.Body)
	}
	// The console page carries the button.
	if c := e.request("GET", "/console", bearer(w01), asBrowser()); !strings.Contains(c.Body, `id="c-help"`) {
		t.Fatal("no help button on the console")
	}
}

// TestDutyPagesAndForms: the leader's pages render, and the absence and
// briefing forms write what they say (a bad one writes nothing).
func TestDutyPagesAndForms(t *testing.T) {
	e := newHall(t)
	leader := e.tokenOf(e.People.Leader)
	res := e.request("POST", fmt.Sprintf("/halls/%d/complaints", e.Hall), bearer(leader), asBrowser(), formBody(url.Values{
		"channel": {"duty_leader"}, "type": {"suggestion"}, "summary": {"增加老年人座椅"}, "name": {"王五"}}))
	if res.Status != 303 {
		t.Fatalf("complaint form: %d %s", res.Status, res.Body)
	}
	detail := res.Header.Get("Location")
	staff := strconv.FormatInt(e.People.Clerk.Staff, 10)
	for _, f := range []struct {
		path string
		form url.Values
		want int
	}{
		{fmt.Sprintf("/halls/%d/posts/absences", e.Hall), url.Values{"window": {strconv.FormatInt(e.People.Clerk.Window, 10)}, "staff": {staff}, "reason": {"就医"}, "minutes": {"30"}}, 400},
		{fmt.Sprintf("/halls/%d/posts/absences", e.Hall), url.Values{"window": {strconv.FormatInt(e.People.Clerk.Window, 10)}, "staff": {staff}, "cover": {strconv.FormatInt(e.Other.Clerk.Staff, 10)}, "reason": {"就医"}, "minutes": {"30"}}, 400},
		{fmt.Sprintf("/halls/%d/posts/briefings", e.Hall), url.Values{"day": {"2026-12-02"}, "topic": {"退休审批新规"}, "presenter": {"周建国"}, "attendees": {staff}}, 303},
	} {
		if r := e.request("POST", f.path, bearer(leader), asBrowser(), formBody(f.form)); r.Status != f.want {
			t.Errorf("%s %v: %d, want %d", f.path, f.form, r.Status, f.want)
		}
	}
	for _, p := range []string{detail, fmt.Sprintf("/halls/%d/complaints", e.Hall), fmt.Sprintf("/halls/%d/posts", e.Hall),
		fmt.Sprintf("/halls/%d/duty/alerts", e.Hall), fmt.Sprintf("/complain?hall=%d", e.Hall)} {
		r := e.request("GET", p, bearer(leader), asBrowser(), header("Accept-Language", "zh-CN"))
		if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %.200s", p, r.Status, r.Body)
		}
		if p == fmt.Sprintf("/halls/%d/posts", e.Hall) && !strings.Contains(r.Body, "退休审批新规") {
			t.Error("the briefing is not on the posts page")
		}
		if p == detail && (!strings.Contains(r.Body, "王*") || strings.Contains(r.Body, "王五")) {
			t.Error("the complainant's name is not masked on the detail page")
		}
	}
	if r := e.request("GET", detail+"?reveal=1", bearer(leader), asBrowser()); !strings.Contains(r.Body, "王五") {
		t.Error("reveal does not show the name to the leader")
	}
	// The report in Excel: a sheet per table, one row per staff member.
	x := e.request("GET", fmt.Sprintf("/halls/%d/posts.xlsx?lang=zh-CN", e.Hall), bearer(leader))
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if x.Status != 200 || err != nil {
		t.Fatalf("xlsx: %d %v", x.Status, err)
	}
	rows, err := f.GetRows("按人员")
	if err != nil || len(rows) != 23 || rows[0][5] != "早来十分钟" {
		t.Fatalf("xlsx rows %d %v %v", len(rows), rows, err)
	}
	if len(f.GetSheetList()) != 5 {
		t.Fatalf("sheets %v", f.GetSheetList())
	}
}

// TestDutySettingsForm: a manager changes the rules on the posts page; a
// value out of range changes nothing; a leader may not change them.
func TestDutySettingsForm(t *testing.T) {
	e := newHall(t)
	path := fmt.Sprintf("/halls/%d/posts/settings", e.Hall)
	good := url.Values{"away_minutes": {"5"}, "queue_max": {"20"}, "wait_minutes": {"30"}, "remind_days": {"3"}, "sms_recipient": {"13800138000"}, "sms_to_leader": {"1"}}
	if r := e.request("POST", path, bearer(e.tokenOf(e.People.Leader)), asBrowser(), formBody(good)); r.Status != 403 {
		t.Fatalf("leader: %d", r.Status)
	}
	mgr := e.tokenOf(e.People.Manager)
	if r := e.request("POST", path, bearer(mgr), asBrowser(), formBody(good)); r.Status != 303 {
		t.Fatalf("manager: %d %s", r.Status, r.Body)
	}
	bad := url.Values{"away_minutes": {"0"}, "queue_max": {"20"}, "wait_minutes": {"30"}, "remind_days": {"3"}}
	if r := e.request("POST", path, bearer(mgr), asBrowser(), formBody(bad)); r.Status != 400 {
		t.Fatalf("bad: %d", r.Status)
	}
	r := e.request("GET", fmt.Sprintf("/api/v1/halls/%d/duty/settings", e.Hall), bearer(mgr))
	if !strings.Contains(r.Body, `"away_minutes":5`) || !strings.Contains(r.Body, `"sms_recipient":"138****8000"`) || !strings.Contains(r.Body, `"sms_to_leader":true`) {
		t.Fatalf("settings: %s", r.Body)
	}
}

// TestLeaderPhoneForm: a manager enters the duty leader's number on the
// posts page (shown masked there and in the API); a bad number is refused
// and changes nothing; a leader may not set it.
func TestLeaderPhoneForm(t *testing.T) {
	e := newHall(t)
	mgr := e.tokenOf(e.People.Manager)
	r := e.request("GET", fmt.Sprintf("/api/v1/halls/%d/duty/leader-phones", e.Hall), bearer(mgr))
	var list []struct {
		ID    int64  `json:"id"`
		Phone string `json:"phone"`
	}
	if err := json.Unmarshal([]byte(r.Body), &list); err != nil || len(list) == 0 || list[0].Phone != "" {
		t.Fatalf("phones: %s %v", r.Body, err)
	}
	path := fmt.Sprintf("/halls/%d/posts/leader-phone", e.Hall)
	form := url.Values{"leader": {fmt.Sprint(list[0].ID)}, "phone": {"13900139000"}}
	if r := e.request("POST", path, bearer(e.tokenOf(e.People.Leader)), asBrowser(), formBody(form)); r.Status != 403 {
		t.Fatalf("leader: %d", r.Status)
	}
	if r := e.request("POST", path, bearer(mgr), asBrowser(), formBody(form)); r.Status != 303 {
		t.Fatalf("manager: %d %s", r.Status, r.Body)
	}
	api := fmt.Sprintf("/api/v1/halls/%d/duty/leaders/%d/phone", e.Hall, list[0].ID)
	if r := e.request("PUT", api, bearer(mgr), jsonBody(`{"phone":"123"}`)); r.Status != 400 || !strings.Contains(r.Body, "phone") {
		t.Fatalf("bad phone: %d %s", r.Status, r.Body)
	}
	page := e.request("GET", fmt.Sprintf("/halls/%d/posts", e.Hall), bearer(mgr))
	if !strings.Contains(page.Body, "139****9000") || strings.Contains(page.Body, "13900139000") {
		t.Fatalf("posts page does not show the masked number")
	}
}

// TestComplaintLimitsForm: a manager edits the deadline table on the
// complaints page; a petition limit over the regulation's 60 days gets a
// clear message in the reader's language and changes nothing, not even
// the good rows of the same form; a duty leader sees the table, not the
// form, and may not post it.
func TestComplaintLimitsForm(t *testing.T) {
	e := newHall(t)
	mgr := e.tokenOf(e.People.Manager)
	path := fmt.Sprintf("/halls/%d/complaint-deadlines", e.Hall)
	page := e.request("GET", fmt.Sprintf("/halls/%d/complaints?lang=zh-CN", e.Hall), bearer(mgr))
	if !strings.Contains(page.Body, `id="complaint-limits"`) || !strings.Contains(page.Body, `name="days_consultation"`) || !strings.Contains(page.Body, `value="2"`) {
		t.Fatalf("no deadline form for the manager")
	}
	lead := e.tokenOf(e.People.Leader)
	if p := e.request("GET", fmt.Sprintf("/halls/%d/complaints", e.Hall), bearer(lead)); strings.Contains(p.Body, `id="complaint-limits"`) {
		t.Fatal("the leader gets the form")
	}
	good := url.Values{"days_consultation": {"3"}, "unit_consultation": {"working_days"}, "days_petition": {"45"}, "unit_petition": {"calendar_days"}}
	if r := e.request("POST", path, bearer(lead), asBrowser(), formBody(good)); r.Status != 403 {
		t.Fatalf("leader: %d", r.Status)
	}
	bad := url.Values{"days_consultation": {"4"}, "unit_consultation": {"working_days"}, "days_petition": {"90"}, "unit_petition": {"calendar_days"}}
	if r := e.request("POST", path+"?lang=en", bearer(mgr), asBrowser(), formBody(bad)); r.Status != 400 || !strings.Contains(r.Body, "at most 60 calendar days") {
		t.Fatalf("bad petition limit: %d %s", r.Status, r.Body)
	}
	api := fmt.Sprintf("/api/v1/halls/%d/complaint-deadlines", e.Hall)
	if r := e.request("GET", api, bearer(mgr)); !strings.Contains(r.Body, `{"type":"consultation","days":2,"unit":"working_days"}`) {
		t.Fatalf("bad form changed the table: %s", r.Body)
	}
	if r := e.request("POST", path, bearer(mgr), asBrowser(), formBody(good)); r.Status != 303 {
		t.Fatalf("manager: %d %s", r.Status, r.Body)
	}
	r := e.request("GET", api, bearer(mgr))
	if !strings.Contains(r.Body, `{"type":"consultation","days":3,"unit":"working_days"}`) || !strings.Contains(r.Body, `{"type":"petition","days":45,"unit":"calendar_days"}`) ||
		!strings.Contains(r.Body, `{"type":"complaint","days":15,"unit":"working_days"}`) {
		t.Fatalf("table: %s", r.Body)
	}
}
