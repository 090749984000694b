package web_test

import (
	"strings"
	"testing"
)

// TestDriverErrorsStayInTheLog: a constraint violation reaches the client
// as a localised conflict, without the database's own words.
func TestDriverErrorsStayInTheLog(t *testing.T) {
	e := newHall(t)
	body := map[string]any{"code": "demo", "name": "重复的大厅", "timezone": "Asia/Shanghai",
		"hours": map[string]any{"open": "08:30", "close": "17:00", "last_ticket": "16:30"}}
	r := e.request("POST", "/api/v1/halls", bearer(e.tokenOf(e.People.Admin)), jsonBody(body))
	if r.Status != 409 || !strings.Contains(r.Body, `"code":"conflict"`) {
		t.Fatalf("duplicate hall: %d %s", r.Status, r.Body)
	}
	for _, leak := range []string{"UNIQUE", "constraint failed", "SQLSTATE", "23505", "duplicate key"} {
		if strings.Contains(r.Body, leak) {
			t.Errorf("the response shows the driver's error (%q): %s", leak, r.Body)
		}
	}
}
