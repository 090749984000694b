package web_test

import (
	"encoding/json"
	"fmt"
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
