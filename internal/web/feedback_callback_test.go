package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// TestCallbackConsoleAPI runs a draw through the API: a manager freezes
// the snapshot and fixes the seed, a callback operator gets the next
// person with the phone masked, reveals it (audited), records the
// interview; an outcome for a record outside the draw is refused.
func TestCallbackConsoleAPI(t *testing.T) {
	e := newHall(t)
	now := fbClock(e)
	ctx := context.Background()
	who := store.Staffer{Username: e.People.Clerk.Username, StaffID: e.People.Clerk.Staff}
	if _, err := e.DB.SignInWindow(ctx, e.Hall, e.People.Clerk.Window, who); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		iss, err := e.DB.IssueTicket(ctx, store.IssueRequest{HallID: e.Hall, Item: "RS-A-004", Zone: hall.ZoneEmployment, Channel: store.ChannelStaff,
			Phone: fmt.Sprintf("1370000%04d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.CallNext(ctx, store.CallRequest{HallID: e.Hall, WindowID: e.People.Clerk.Window, By: who, TicketID: iss.Ticket.ID, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{store.ActStart, store.ActFinish} {
			if _, err := e.DB.ActOnTicket(ctx, store.ActRequest{HallID: e.Hall, TicketID: iss.Ticket.ID, By: who, Action: a}); err != nil {
				t.Fatal(err)
			}
		}
	}
	mgr, cb := e.tokenOf(e.People.Manager), e.tokenOf(e.People.Callback)
	day := now.Format("2006-01-02")
	base := fmt.Sprintf("/api/v1/halls/%d/draws", e.Hall)
	spec := map[string]any{"name": "回访", "from": day, "to": day, "scope": "tickets", "strata_by": "zone", "n": 5, "allocation": "proportional"}
	if st, body := e.do("POST", base, mgr, spec); st != 400 || !strings.Contains(string(body), "larger than") {
		t.Errorf("n above the population: %d %s", st, body)
	}
	spec["n"] = 2
	spec["idempotency_key"] = "draw-1"
	st, body := e.do("POST", base, mgr, spec)
	var d struct {
		ID           int64  `json:"id"`
		SnapshotHash string `json:"snapshot_hash"`
	}
	if err := json.Unmarshal(body, &d); st != 201 || err != nil || len(d.SnapshotHash) != 64 {
		t.Fatalf("create draw: %d %s", st, body)
	}
	if st, body := e.do("POST", base, mgr, spec); st != 201 || !strings.Contains(string(body), fmt.Sprintf(`"id":%d`, d.ID)) {
		t.Errorf("retried create: %d %s", st, body)
	}
	if st, body := e.do("POST", fmt.Sprintf("%s/%d/seed", base, d.ID), cb, map[string]any{"seed": "x"}); st != 403 {
		t.Errorf("operator fixes the seed: %d %s", st, body)
	}
	if st, body := e.do("POST", fmt.Sprintf("%s/%d/seed", base, d.ID), mgr, map[string]any{"seed": "demo-seed-2024", "source": "entered"}); st != 200 {
		t.Fatalf("seed: %d %s", st, body)
	}
	if st, body := e.do("GET", fmt.Sprintf("%s/%d/verify", base, d.ID), mgr, nil); st != 200 || !strings.Contains(string(body), `"ok":true`) {
		t.Errorf("verify: %d %s", st, body)
	}
	st, body = e.do("GET", fmt.Sprintf("%s/%d/next", base, d.ID), cb, nil)
	var tg struct {
		RecordID    string `json:"record_id"`
		PhoneMasked string `json:"phone_masked"`
	}
	if err := json.Unmarshal(body, &tg); st != 200 || err != nil || !strings.Contains(tg.PhoneMasked, "*") || strings.Contains(string(body), `"phone"`) {
		t.Fatalf("next: %d %s", st, body)
	}
	st, body = e.do("POST", fmt.Sprintf("%s/%d/records/%s/reveal", base, d.ID, tg.RecordID), cb, map[string]any{})
	if st != 200 || !strings.Contains(string(body), `"phone":"1370000`) {
		t.Fatalf("reveal: %d %s", st, body)
	}
	audit, err := e.DB.ListAudit(ctx, store.AuditFilter{Action: "callback.reveal_phone", Limit: 10})
	if err != nil || len(audit) != 1 || audit[0].Actor != e.People.Callback.Username {
		t.Errorf("reveal audit = %+v, %v", audit, err)
	}
	if st, body := e.do("POST", fmt.Sprintf("%s/%d/records/T999999/attempts", base, d.ID), cb, map[string]any{"outcome": "refused"}); st != 400 || !strings.Contains(string(body), "not in the draw") {
		t.Errorf("outcome outside the draw: %d %s", st, body)
	}
	st, body = e.do("POST", fmt.Sprintf("%s/%d/records/%s/attempts", base, d.ID, tg.RecordID), cb, map[string]any{"outcome": "completed",
		"answers": map[string]any{"overall": 4, "attitude": 5, "ability": 4, "efficiency": 3, "told_once": "yes", "improper_demand": "no"}, "text": "挺好"})
	if st != 201 || !strings.Contains(string(body), `"rating_id"`) {
		t.Fatalf("attempt: %d %s", st, body)
	}
	if st, body := e.do("GET", fmt.Sprintf("%s/%d", base, d.ID), cb, nil); st != 200 || !strings.Contains(string(body), `"responded":1`) {
		t.Errorf("draw report: %d %s", st, body)
	}
}
