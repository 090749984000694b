package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// finishedTicket serves a ticket at window 1 through the API and returns it.
func finishedTicket(t *testing.T, e *hallEnv) (id int64, token string) {
	t.Helper()
	tk := calledTicket(t, e)
	if st, body := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/finish", tk.ID), e.tokenOf(e.People.Clerk), map[string]any{}); st != 200 {
		t.Fatalf("finish: %d %s", st, body)
	}
	return tk.ID, tk.TrackToken
}

func TestFeedbackAPI(t *testing.T) {
	e := newHall(t)
	fbClock(e)
	pad := e.Devices["1号窗口评价器"]
	kiosk := e.tokenFor("device")

	// Only a rating pad is a pad.
	if st, body := e.do("GET", "/api/v1/pad", kiosk, nil); st != 403 || !strings.Contains(string(body), "rating pad") {
		t.Errorf("kiosk as pad: %d %s", st, body)
	}
	id, token := finishedTicket(t, e)
	st, body := e.do("GET", "/api/v1/pad", pad, nil)
	var ps struct {
		TicketID  int64  `json:"ticket_id"`
		StaffName string `json:"staff_name"`
	}
	if err := json.Unmarshal(body, &ps); st != 200 || err != nil || ps.TicketID != id || ps.StaffName == "" {
		t.Fatalf("pad state: %d %s", st, body)
	}
	// Bad input: clear message, nothing written.
	if st, body := e.do("POST", "/api/v1/pad/ratings", pad, map[string]any{"ticket_id": id, "overall": 1}); st != 400 || !strings.Contains(string(body), "reason") {
		t.Errorf("bad rating without a reason: %d %s", st, body)
	}
	if st, body := e.do("POST", "/api/v1/rate/"+token, "", map[string]any{"overall": 9}); st != 400 {
		t.Errorf("level 9: %d %s", st, body)
	}
	// The QR rating, then a second rating of the same service.
	if st, body := e.do("POST", "/api/v1/rate/"+token, "", map[string]any{"overall": 4, "attitude": 5}); st != 201 {
		t.Fatalf("QR rating: %d %s", st, body)
	}
	if st, body := e.do("POST", "/api/v1/pad/ratings", pad, map[string]any{"ticket_id": id, "overall": 5}); st != 409 {
		t.Errorf("second rating: %d %s", st, body)
	}
	// The ticket's QR code opens its tracking page, which links to the rating.
	if r := e.request("GET", "/t/"+token, asBrowser()); r.Status != 200 || !strings.Contains(r.Body, `href="/rate/t/`+token+`"`) {
		t.Errorf("tracking page without the rating link: %d", r.Status)
	}
	// The public page of the QR code says it is rated.
	if r := e.request("GET", "/rate/t/"+token, asBrowser()); r.Status != 200 || !strings.Contains(r.Body, "rated already") {
		t.Errorf("public rating page: %d %.300s", r.Status, r.Body)
	}
	// A rating form posted from the public page of another served ticket.
	_, token2 := finishedTicket(t, e)
	r := e.request("POST", "/rate/t/"+token2, formBody(url.Values{"overall": {"2"}, "reason": {"slow"}, "text": {"等了很久"}}), header("Origin", e.HTTP.URL))
	if r.Status != 303 {
		t.Fatalf("form rating: %d %.300s", r.Status, r.Body)
	}
	mgr := e.tokenOf(e.People.Manager)
	st, body = e.do("GET", fmt.Sprintf("/api/v1/halls/%d/rectifications?open=1", e.Hall), mgr, nil)
	var rects []struct {
		ID    int64 `json:"id"`
		State string
	}
	if err := json.Unmarshal(body, &rects); st != 200 || err != nil || len(rects) != 1 {
		t.Fatalf("rectifications: %d %s", st, body)
	}
	// The other hall's manager can neither read nor step it.
	other := e.token(e.Other.Manager.Username)
	if st, _ := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/rectifications/%d", e.Hall, rects[0].ID), other, nil); st != 403 {
		t.Errorf("other hall reads: %d", st)
	}
	if st, _ := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/rectifications/%d", e.Other.ID, rects[0].ID), other, nil); st != 404 {
		t.Errorf("other hall by its own path: %d", st)
	}
	// Rates: hall level, Wilson interval present; public figure names no one.
	st, body = e.do("GET", fmt.Sprintf("/api/v1/halls/%d/satisfaction?by=staff", e.Hall), mgr, nil)
	if st != 200 || !strings.Contains(string(body), `"enough":false`) {
		t.Errorf("staff rates below the minimum: %d %s", st, body)
	}
	st, body = e.do("GET", fmt.Sprintf("/api/v1/halls/%d/satisfaction/public", e.Hall), "", nil)
	if st != 200 || !strings.Contains(string(body), `"n":2`) || strings.Contains(string(body), "李明") || strings.Contains(string(body), "RS001") {
		t.Errorf("public satisfaction: %d %s", st, body)
	}
	// Provincial export: the demo province numbers 4 = 满意, 2 = 不满意 as
	// 2 and 4, channel QR as 3.
	r = e.request("GET", fmt.Sprintf("/api/v1/halls/%d/evaluations/export?format=csv", e.Hall), bearer(mgr))
	if r.Status != 200 || !strings.Contains(r.Body, "370102") || strings.Count(r.Body, "\n") != 3 {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.Body), "\n")[1:] {
		f := strings.Split(line, ",")
		if f[2] != "3" || (f[6] != "2" && f[6] != "4") {
			t.Errorf("export line %q: channel %s level %s", line, f[2], f[6])
		}
	}
	// Settings: bad input is refused and changes nothing; good input saves.
	form := url.Values{"late_days": {"5"}, "rect_days": {"0"}, "min_sample": {"30"}, "recent_days": {"90"}, "invite_days": {"0"}, "division_code": {"370102"}, "province": {"demo-sd"}}
	if r := e.request("POST", fmt.Sprintf("/feedback/settings?hall=%d", e.Hall), bearer(mgr), formBody(form), header("Origin", e.HTTP.URL)); r.Status != 400 {
		t.Errorf("rect_days 0: %d", r.Status)
	}
	form.Set("rect_days", "15")
	if r := e.request("POST", fmt.Sprintf("/feedback/settings?hall=%d", e.Hall), bearer(mgr), formBody(form), header("Origin", e.HTTP.URL)); r.Status != 303 {
		t.Errorf("settings: %d %.200s", r.Status, r.Body)
	}
	if st, body := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/feedback-settings", e.Hall), mgr, nil); st != 200 || !strings.Contains(string(body), `"rect_days":15`) {
		t.Errorf("settings after the form: %d %s", st, body)
	}
	// Excel report and the pages render.
	if r := e.request("GET", fmt.Sprintf("/feedback/rates.xlsx?hall=%d", e.Hall), bearer(mgr)); r.Status != 200 || !strings.HasPrefix(r.Body, "PK") {
		t.Errorf("xlsx: %d", r.Status)
	}
	for _, p := range []string{"/feedback", "/feedback/rectifications", fmt.Sprintf("/feedback/rectifications/%d", rects[0].ID), "/feedback/draws", "/callback",
		fmt.Sprintf("/satisfaction/%d", e.Hall), "/pad"} {
		for _, l := range []string{"zh-CN", "en", "zh-TW"} {
			if r := e.request("GET", p+"?lang="+l, bearer(mgr), asBrowser()); r.Status != 200 || !strings.Contains(r.Body, "</html>") || rawKey.MatchString(r.Body) {
				t.Errorf("%s in %s: %d %.300s", p, l, r.Status, r.Body)
			}
		}
	}
}

// rawKey finds a message key shown as text (the JSON message blocks carry
// keys legitimately, inside quotes).
var rawKey = regexp.MustCompile(`>[^<"]*\bfb\.[a-z_]+`)
