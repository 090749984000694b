package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/store"
)

// TestClerkActsOnlyAtOwnWindow: the findings of issue 9 on clerks acting
// outside their own window.
func TestClerkActsOnlyAtOwnWindow(t *testing.T) {
	e := newHall(t)
	w01 := e.signIn(1)
	w03 := e.signIn(3)
	manager := e.token("manager")

	// w01 cancelled a waiting ticket at no window.
	waiting := e.issue("", map[string]any{"item": itemA})
	if status, b := e.act(w01, waiting.ID, "cancel", nil); status != 403 {
		t.Fatalf("clerk cancels a waiting ticket at no window: %d %s", status, b)
	}
	// w03 returned and cancelled a ticket that w01 had put on hold.
	status, called, b := e.call(1, w01)
	if status != 200 || called.ID != waiting.ID {
		t.Fatalf("call: %d %s", status, b)
	}
	if status, b := e.act(w01, called.ID, "hold", nil); status != 200 {
		t.Fatalf("hold: %d %s", status, b)
	}
	for _, a := range []string{"return", "cancel"} {
		if status, b := e.act(w03, called.ID, a, nil); status != 403 {
			t.Fatalf("w03 %s on w01's held ticket: %d %s", a, status, b)
		}
	}
	if status, b := e.act(w01, called.ID, "return", nil); status != 200 {
		t.Fatalf("holder returns: %d %s", status, b)
	}
	// A manager of the hall may cancel a waiting ticket.
	if status, b := e.act(manager, called.ID, "cancel", nil); status != 200 {
		t.Fatalf("manager cancels: %d %s", status, b)
	}

	// After w02 signed out, w01 signed in at window 2 and called there.
	w02 := e.signIn(2)
	session := func(tok string, n int, state string) (int, string) {
		status, b := e.do("POST", fmt.Sprintf("/api/v1/windows/%d/session", e.windowID(n)), tok, map[string]string{"state": state})
		return status, string(b)
	}
	if status, b := session(w02, 2, "closed"); status != 200 {
		t.Fatalf("w02 signs out: %d %s", status, b)
	}
	if status, b := session(w01, 2, "open"); status != 403 {
		t.Fatalf("w01 signs in at window 2: %d %s", status, b)
	}
	if status, _, b := e.call(2, w01); status == 200 {
		t.Fatalf("w01 called at window 2: %s", b)
	}
	// Named cover by a manager, w01 may sign in there.
	staff, err := e.DB.ListStaff(t.Context(), e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	var w01Staff int64
	for _, s := range staff {
		if s.StaffNo == "RS001" {
			w01Staff = s.ID
		}
	}
	if status, b := e.do("PUT", fmt.Sprintf("/api/v1/halls/%d/windows/%d/cover", e.Hall, e.windowID(2)), w02, map[string]any{"staff": w01Staff}); status != 403 {
		t.Fatalf("a clerk names a cover: %d %s", status, b)
	}
	if status, b := e.do("PUT", fmt.Sprintf("/api/v1/halls/%d/windows/%d/cover", e.Hall, e.windowID(2)), manager, map[string]any{"staff": w01Staff}); status != 204 {
		t.Fatalf("manager names a cover: %d %s", status, b)
	}
	if status, b := session(w01, 2, "open"); status != 200 {
		t.Fatalf("cover signs in: %d %s", status, b)
	}
	recs, err := e.DB.ListAudit(t.Context(), store.AuditFilter{Action: "window.cover"})
	if err != nil || len(recs) != 1 || recs[0].Actor != "manager" {
		t.Fatalf("cover audit: %v %+v", err, recs)
	}
}

// pageToken fetches the proof of a page view that the public passes when
// it asks for an SMS code.
func (e *hallEnv) pageToken() string {
	e.t.Helper()
	status, b := e.do("GET", "/api/v1/page-token", "", nil)
	var v struct {
		PageToken string `json:"page_token"`
	}
	if err := json.Unmarshal(b, &v); status != 200 || err != nil || v.PageToken == "" {
		e.t.Fatalf("page token: %d %s", status, b)
	}
	return v.PageToken
}

// TestCleanInput: control characters, bidirectional overrides, overlong
// text and a 100 kB echo are refused with a short message; a duplicate
// reaches the client without constraint names (issue 9).
func TestCleanInput(t *testing.T) {
	e := newHall(t)
	mgr := e.token("manager")
	for _, name := range []string{"窗口\x00", "A\x1b[31m", "name\r\nX-Injected: 1", "abc\u202Eexe.txt"} {
		status, b := e.do("POST", fmt.Sprintf("/api/v1/halls/%d/zones", e.Hall), mgr, map[string]any{"code": "x", "name": name, "prefix": "Z"})
		if status != 400 || !strings.Contains(string(b), "control or text-direction") {
			t.Errorf("zone name %q: %d %s", name, status, b)
		}
	}
	long := strings.Repeat("长", 100000)
	status, b := e.do("POST", "/api/v1/calendar/overrides", mgr, map[string]any{"date": "2026-10-09", "working": false, "note": long})
	if status != 400 || len(b) > 1000 {
		t.Errorf("100,000-character note: %d, %d-byte answer", status, len(b))
	}
	status, b = e.do("POST", "/api/v1/halls", e.token("admin"), map[string]any{"code": "demo", "name": "重复", "timezone": "Asia/Shanghai",
		"hours": map[string]any{"open": "08:30", "close": "17:00", "last_ticket": "16:30"}})
	if status != 409 || strings.Contains(string(b), "UNIQUE") || strings.Contains(string(b), "halls.code") || strings.Contains(string(b), "constraint") {
		t.Errorf("duplicate hall: %d %s", status, b)
	}
	// A form too.
	res := e.request("POST", "/admin/users", bearer(e.token("admin")), formBody(url.Values{"name": {"bad\x07user"}}))
	if res.Status != 400 {
		t.Errorf("form with a bell character: %d", res.Status)
	}
}

// TestCaseAcceptanceIsIdempotent: a clerk whose answer was lost retries
// with the same key and gets the first case, not a second (issue 9).
func TestCaseAcceptanceIsIdempotent(t *testing.T) {
	e := newHall(t)
	w01 := e.token("w01")
	before, err := e.DB.ListCases(t.Context(), store.CaseFilter{HallID: e.Hall})
	if err != nil {
		t.Fatal(err)
	}
	body := caseBody("RS-A-004", "居民身份证")
	body["idempotency_key"] = "accept-7f3a"
	first := e.createCase(w01, body)
	status, b := e.do("POST", "/api/v1/cases", w01, body)
	var again struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
	}
	json.Unmarshal(b, &again)
	if status != 200 || again.ID != first.ID || again.Number != first.Number {
		t.Fatalf("retry: %d %s; first was %d %s", status, b, first.ID, first.Number)
	}
	list, err := e.DB.ListCases(t.Context(), store.CaseFilter{HallID: e.Hall})
	if err != nil || len(list) != len(before)+1 {
		t.Fatalf("%d new cases after a retry: %v", len(list)-len(before), err)
	}
}
