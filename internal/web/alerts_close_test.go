package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/store"
)

// TestOutOfTurnAlertHasEvidenceAndClosesOnlyWithANote is the done-when of
// the integrity alerts: an out-of-turn call appears as an alert linking its
// audit record; closing it needs a note (reason and decision) and changes
// nothing without one; the alert and its note are in the audit log; the
// alert reopens when the same thing recurs, and its history keeps both.
func TestOutOfTurnAlertHasEvidenceAndClosesOnlyWithANote(t *testing.T) {
	e := newHall(t)
	admin, auditor := e.token("admin"), e.token("auditor")
	e.issue(admin, map[string]any{"item": itemA})
	late := e.issue(admin, map[string]any{"item": itemA})
	w1 := e.signIn(1)
	if status, b := e.do("POST", fmt.Sprintf("/api/v1/windows/%d/call", e.windowID(1)), w1, map[string]any{"ticket": late.ID, "reason": "行动不便"}); status != 200 {
		t.Fatalf("out of turn: %d %s", status, b)
	}
	status, b := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/integrity-alerts", e.Hall), auditor, nil)
	var list []store.IntegrityAlert
	if status != 200 || json.Unmarshal(b, &list) != nil {
		t.Fatalf("alerts: %d %s", status, b)
	}
	var alert store.IntegrityAlert
	for _, a := range list {
		if a.Kind == "queue.out_of_turn" && a.Ref == fmt.Sprintf("ticket:%d", late.ID) {
			alert = a
		}
	}
	if alert.ID == 0 || alert.State != "open" || alert.Occurrences != 1 {
		t.Fatalf("no open out-of-turn alert for %s: %s", late.Number, b)
	}
	detailPath := fmt.Sprintf("/api/v1/halls/%d/integrity-alerts/%d", e.Hall, alert.ID)
	var d store.AlertDetail
	status, b = e.do("GET", detailPath, auditor, nil)
	if status != 200 || json.Unmarshal(b, &d) != nil {
		t.Fatalf("detail: %d %s", status, b)
	}
	var auditSeq int64
	kinds := map[string]bool{}
	for _, ev := range d.Evidence {
		kinds[ev.Kind] = true
		if ev.Kind == "audit" && ev.Label == "queue.out_of_turn" {
			auditSeq = ev.ID
		}
	}
	if auditSeq == 0 || !kinds["ticket"] {
		t.Fatalf("evidence lacks the audit record or the ticket: %+v", d.Evidence)
	}
	// The audit record the evidence names is the out-of-turn call.
	recs, err := e.DB.ListAudit(context.Background(), store.AuditFilter{Before: auditSeq + 1, Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].Seq != auditSeq || recs[0].Action != "queue.out_of_turn" || recs[0].Object != alert.Ref {
		t.Fatalf("evidence audit #%d: %+v %v", auditSeq, recs, err)
	}
	// The page links it.
	page := e.request("GET", fmt.Sprintf("/halls/%d/integrity/%d", e.Hall, alert.ID), bearer(auditor), asBrowser())
	if page.Status != 200 || !strings.Contains(page.Body, fmt.Sprintf(`href="/admin/audit?before=%d"`, auditSeq+1)) ||
		!strings.Contains(page.Body, fmt.Sprintf(`href="/api/v1/tickets/%d"`, late.ID)) {
		t.Fatalf("alert page: %d, no evidence links\n%s", page.Status, page.Body)
	}

	// Closing needs both parts of the note; without, nothing changes.
	closePath := detailPath + "/close"
	for _, body := range []map[string]any{{}, {"reason": "已核实"}, {"reason": "  ", "decision": "批评教育"}} {
		if status, b := e.do("POST", closePath, auditor, body); status != 400 || !strings.Contains(string(b), "a reason and a decision") {
			t.Fatalf("close with %v: %d %s", body, status, b)
		}
	}
	// Through the form too, and the typed text stays.
	form := e.request("POST", fmt.Sprintf("/halls/%d/integrity/%d/close", e.Hall, alert.ID), bearer(auditor), asBrowser(),
		formBody(url.Values{"reason": {"只写了原因"}}))
	if form.Status != 400 || !strings.Contains(form.Body, "只写了原因") {
		t.Fatalf("form without decision: %d", form.Status)
	}
	if open, _ := e.DB.ListIntegrityAlerts(context.Background(), e.Hall, false); len(open) == 0 {
		t.Fatal("a refused close closed the alert")
	}
	// A manager reads alerts but does not close them; auditors do.
	if status, _ := e.do("POST", closePath, e.token("manager"), map[string]any{"reason": "r", "decision": "d"}); status != 403 {
		t.Fatalf("manager closed: %d", status)
	}
	status, b = e.do("POST", closePath, auditor, map[string]any{"reason": "群众行动不便，优先办理属实", "decision": "不予追责，提醒登记理由"})
	if status != 200 || json.Unmarshal(b, &d) != nil || d.Alert.State != "closed" || len(d.History) != 1 || d.History[0].Decision != "不予追责，提醒登记理由" {
		t.Fatalf("close: %d %s", status, b)
	}
	if status, _ := e.do("POST", closePath, auditor, map[string]any{"reason": "r", "decision": "d"}); status != 409 {
		t.Fatalf("second close: %d", status)
	}
	recs, err = e.DB.ListAudit(context.Background(), store.AuditFilter{Action: "integrity.close"})
	if err != nil || len(recs) != 1 || recs[0].Object != fmt.Sprintf("integrity_alert:%d", alert.ID) || !strings.Contains(recs[0].Detail, "群众行动不便") ||
		!strings.Contains(recs[0].Detail, "不予追责") || recs[0].Actor != "auditor" {
		t.Fatalf("audit of the close: %+v %v", recs, err)
	}

	// It recurs: the same ticket called out of turn again reopens it.
	ctx := store.WithActor(context.Background(), store.Actor{Name: "w01", Role: "window_staff"})
	if err := e.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.RaiseAlert(store.Alert{HallID: e.Hall, Kind: store.AlertOutOfTurn, Ref: alert.Ref,
			Params: map[string]string{"ticket": late.Number, "window": "1", "reason": "again"}})
	}); err != nil {
		t.Fatal(err)
	}
	status, b = e.do("GET", detailPath, auditor, nil)
	if status != 200 || json.Unmarshal(b, &d) != nil || d.Alert.State != "open" || d.Alert.Reopened != 1 || d.Alert.Occurrences != 2 ||
		len(d.History) != 2 || d.History[1].Action != "reopen" {
		t.Fatalf("after recurring: %d %s", status, b)
	}
	if recs, _ := e.DB.ListAudit(context.Background(), store.AuditFilter{Action: "integrity.reopen"}); len(recs) != 1 {
		t.Fatalf("reopen audited %d times", len(recs))
	}
	// Nothing is deletable: no route deletes an alert.
	for _, rt := range e.Server.Routes() {
		if rt.Method == "DELETE" && strings.Contains(rt.Path, "integrity") {
			t.Errorf("route %s %s deletes alerts", rt.Method, rt.Path)
		}
	}
	// Another hall's manager sees none of it.
	if status, _ := e.do("GET", detailPath, e.tokenOf(e.Other.Manager), nil); status != 403 && status != 404 {
		t.Fatalf("other hall reads the alert: %d", status)
	}
}
