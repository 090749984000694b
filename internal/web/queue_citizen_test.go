package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mingbai/internal/store"
)

// outboxCode reads the newest SMS code sent to phone from the outbox.
func (e *hallEnv) outboxCode(phone string) string {
	e.t.Helper()
	msgs, err := e.DB.OutboxMessages(context.Background(), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range msgs { // newest first
		if m.Kind == "sms_code" && m.Recipient == phone {
			i := strings.Index(m.Body, "验证码为 ") + len("验证码为 ")
			return m.Body[i : i+6]
		}
	}
	e.t.Fatalf("no code for %s in the outbox", phone)
	return ""
}

func TestCitizenPagesRenderInThreeLanguages(t *testing.T) {
	e := newHall(t)
	cases := []struct{ lang, remote, appt string }{
		{"zh-CN", "手机取号", "预约办事"},
		{"en", "Take a ticket on your phone", "Book an appointment"},
		{"zh-TW", "手機取號", "預約辦事"},
	}
	for _, c := range cases {
		for _, p := range []struct{ path, want string }{
			{"/remote", c.remote}, {"/remote?zone=employment", c.remote}, {"/remote?item=" + itemA, c.remote},
			{"/appointments", c.appt}, {"/appointments?item=RS-A-002", c.appt},
		} {
			sep := "?"
			if strings.Contains(p.path, "?") {
				sep = "&"
			}
			status, b := e.do("GET", p.path+sep+"lang="+c.lang, "", nil)
			if status != 200 || !strings.Contains(string(b), p.want) {
				t.Errorf("%s in %s: %d, want %q in the page", p.path, c.lang, status, p.want)
			}
			if strings.Contains(string(b), "queue.") {
				t.Errorf("%s in %s: untranslated key in the page", p.path, c.lang)
			}
		}
	}
	// The home page links to both.
	_, b := e.do("GET", "/?lang=en", "", nil)
	for _, href := range []string{`href="/remote"`, `href="/appointments"`} {
		if !strings.Contains(string(b), href) {
			t.Errorf("home page has no link %s", href)
		}
	}
	// An item the hall does not offer is a clear 400.
	if status, b := e.do("GET", "/remote?item=RS-X-999&lang=en", "", nil); status != 400 || !strings.Contains(string(b), "does not offer") {
		t.Errorf("unknown item: %d %s", status, b)
	}
}

func TestRemoteTicketForm(t *testing.T) {
	e := newHall(t)
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	e.DB.SetClock(func() time.Time { return now })
	const phone = "13700000001"
	base := url.Values{"item": {itemA}, "phone": {phone}, "page_token": {e.pageToken()}}
	// A bad phone number: a clear message, no code sent.
	bad := url.Values{"item": {itemA}, "phone": {"12345"}}
	if r := e.request("POST", "/remote/code", formBody(bad), asBrowser()); r.Status != 400 || !strings.Contains(r.Body, "valid 11-digit mobile") {
		t.Fatalf("bad phone: %d %s", r.Status, r.Body)
	}
	if r := e.request("POST", "/remote/code", formBody(base), asBrowser()); r.Status != 200 || !strings.Contains(r.Body, "137****0001") {
		t.Fatalf("send code: %d %s", r.Status, r.Body)
	}
	code := e.outboxCode(phone)
	wrong := url.Values{"item": {itemA}, "phone": {phone}, "sms_code": {"000000"}}
	if code == "000000" {
		wrong.Set("sms_code", "111111")
	}
	if r := e.request("POST", "/remote", formBody(wrong), asBrowser()); r.Status != 400 || !strings.Contains(r.Body, "wrong or has expired") {
		t.Fatalf("wrong code: %d %s", r.Status, r.Body)
	}
	ok := url.Values{"item": {itemA}, "phone": {phone}, "sms_code": {code}, "priority": {"elderly"}}
	res := e.request("POST", "/remote", formBody(ok), asBrowser())
	status, h, b := res.Status, res.Header, res.Body
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/t/") {
		t.Fatalf("take ticket: %d %s %s", status, h.Get("Location"), b)
	}
	status, page := e.do("GET", h.Get("Location"), "", nil)
	if status != 200 || !strings.Contains(string(page), "A001") || strings.Contains(string(page), phone) {
		t.Fatalf("tracking page: %d %s", status, page)
	}
	// One active ticket per phone and item.
	now = now.Add(2 * time.Minute)
	if r := e.request("POST", "/remote/code", formBody(base), asBrowser()); r.Status != 200 {
		t.Fatalf("second code: %d %s", r.Status, r.Body)
	}
	again := url.Values{"item": {itemA}, "phone": {phone}, "sms_code": {e.outboxCode(phone)}}
	if r := e.request("POST", "/remote", formBody(again), asBrowser()); r.Status != 409 || !strings.Contains(r.Body, "already holds an active ticket") {
		t.Fatalf("second ticket: %d %s", r.Status, r.Body)
	}
	// Cap reached.
	if status, b := e.do("PUT", fmt.Sprintf("/api/v1/halls/%d/item-caps/RS-A-002", e.Hall), e.token("manager"), map[string]int{"daily_cap": 1}); status != 200 {
		t.Fatalf("cap: %d %s", status, b)
	}
	e.issue(e.token("admin"), map[string]any{"item": "RS-A-002"})
	now = now.Add(2 * time.Minute)
	capped := url.Values{"item": {"RS-A-002"}, "phone": {phone}, "page_token": {e.pageToken()}}
	e.request("POST", "/remote/code", formBody(capped), asBrowser())
	capped.Set("sms_code", e.outboxCode(phone))
	if r := e.request("POST", "/remote", formBody(capped), asBrowser()); r.Status != 409 || !strings.Contains(r.Body, "used up") {
		t.Fatalf("cap reached: %d %s", r.Status, r.Body)
	}
}

func TestAppointmentPages(t *testing.T) {
	e := newHall(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 4, 8, 0, 0, 0, loc)
	e.DB.SetClock(func() time.Time { return now })
	const phone, item = "13600000011", "RS-A-002"
	bookable := false
	items, _ := e.DB.ListPublishedItems(context.Background(), "")
	for _, it := range items {
		if it.Code == item {
			bookable = it.Appointment
		}
	}
	if !bookable {
		t.Fatalf("%s is not bookable in the demo catalogue", item)
	}
	// Slots of the day.
	status, b := e.do("GET", "/appointments?lang=en&item="+item+"&day=2026-03-04", "", nil)
	if status != 200 || !strings.Contains(string(b), `value="10:00"`) {
		t.Fatalf("slots: %d %s", status, b)
	}
	v := url.Values{"item": {item}, "day": {"2026-03-04"}, "slot": {"10:00"}, "phone": {phone}, "page_token": {e.pageToken()}}
	if r := e.request("POST", "/appointments/code", formBody(v), asBrowser()); r.Status != 200 || !strings.Contains(r.Body, "136****0011") {
		t.Fatalf("code: %d %s", r.Status, r.Body)
	}
	// No slot chosen: a clear message.
	noSlot := url.Values{"item": {item}, "day": {"2026-03-04"}, "phone": {phone}, "sms_code": {e.outboxCode(phone)}}
	if r := e.request("POST", "/appointments", formBody(noSlot), asBrowser()); r.Status != 400 || !strings.Contains(r.Body, "Choose a time slot") {
		t.Fatalf("no slot: %d %s", r.Status, r.Body)
	}
	v.Set("sms_code", e.outboxCode(phone))
	res := e.request("POST", "/appointments", formBody(v), asBrowser())
	status, page := res.Status, res.Body
	if status != 201 || !strings.Contains(page, "You are booked") || !strings.Contains(page, "between 09:30 and 10:15") {
		t.Fatalf("book: %d %s", status, page)
	}
	i := strings.Index(page, `id="a-code">`) + len(`id="a-code">`)
	code := page[i : i+strings.Index(page[i:], "<")]
	if code == "" || strings.Contains(page, phone) {
		t.Fatalf("booking page: code %q or shows the phone", code)
	}
	// Too early to check in: the rule is shown, nothing issued.
	if r := e.request("POST", "/appointments/check-in", formBody(url.Values{"code": {code}}), asBrowser()); r.Status != 409 || !strings.Contains(r.Body, "30 minutes before") {
		t.Fatalf("early check-in: %d %s", r.Status, r.Body)
	}
	if r := e.request("POST", "/appointments/check-in", formBody(url.Values{"code": {"NOPE"}}), asBrowser()); r.Status != 404 {
		t.Fatalf("unknown code: %d %s", r.Status, r.Body)
	}
	now = time.Date(2026, 3, 4, 9, 45, 0, 0, loc)
	res = e.request("POST", "/appointments/check-in", formBody(url.Values{"code": {strings.ToLower(code)}}), asBrowser())
	status, h, b2 := res.Status, res.Header, res.Body
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/t/") {
		t.Fatalf("check-in: %d %s", status, b2)
	}
	_, track := e.do("GET", h.Get("Location"), "", nil)
	if !strings.Contains(string(track), "A001") {
		t.Fatalf("tracking page after check-in: %s", track)
	}
	var st int
	tickets, _ := e.DB.HallBoard(context.Background(), e.Hall)
	for _, z := range tickets.Zones {
		st += z.Waiting
	}
	if st != 1 {
		t.Errorf("waiting after check-in: %d, want 1", st)
	}
	_ = store.CheckInEarly
}
