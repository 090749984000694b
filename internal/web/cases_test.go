package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/cases"
	"mingbai/internal/store"
)

const webID = "11010519491231002X"

func caseBody(item string, received ...string) map[string]any {
	var ms []map[string]string
	for _, r := range received {
		ms = append(ms, map[string]string{"name": r, "status": "received"})
	}
	return map[string]any{"item_code": item, "applicant_kind": "person", "name": "王小菲", "id_number": webID,
		"phone": "13812345678", "delivery": "pickup", "materials": ms}
}

func (e *hallEnv) createCase(tok string, body map[string]any) store.CaseView {
	e.t.Helper()
	status, b := e.do("POST", "/api/v1/cases", tok, body)
	if status != 201 {
		e.t.Fatalf("create case: %d %s", status, b)
	}
	var v store.CaseView
	if err := json.Unmarshal(b, &v); err != nil {
		e.t.Fatal(err)
	}
	return v
}

func TestCaseAPIAccessAndReveal(t *testing.T) {
	e := newHall(t)
	w01, w02 := e.token("w01"), e.token("w02")
	bad := caseBody("RS-A-004")
	bad["id_number"] = "110105194912310021"
	status, b := e.do("POST", "/api/v1/cases", w01, bad)
	if status != 400 || !strings.Contains(string(b), "last character of the ID number") || !strings.Contains(string(b), `"field":"id_number"`) {
		t.Fatalf("bad ID number: %d %s", status, b)
	}
	status, b = e.do("POST", "/api/v1/cases", w01, caseBody("RS-Z-404"))
	if status != 400 || !strings.Contains(string(b), "RS-Z-404") {
		t.Fatalf("unknown item: %d %s", status, b)
	}
	v := e.createCase(w01, caseBody("RS-A-004", "居民身份证", "相关类别证明"))
	status, b = e.do("GET", fmt.Sprintf("/api/v1/cases/%d", v.ID), w02, nil)
	if status != 200 || strings.Contains(string(b), webID) || strings.Contains(string(b), "13812345678") || !strings.Contains(string(b), "110105********002X") {
		t.Fatalf("masked read: %d %s", status, b)
	}
	for _, who := range []string{"w02", "auditor"} {
		if status, b := e.do("GET", fmt.Sprintf("/api/v1/cases/%d?reveal=1", v.ID), e.token(who), nil); status != 403 {
			t.Errorf("reveal as %s: %d %s", who, status, b)
		}
	}
	for _, who := range []string{"w01", "manager"} {
		status, b := e.do("GET", fmt.Sprintf("/api/v1/cases/%d?reveal=1", v.ID), e.token(who), nil)
		if status != 200 || !strings.Contains(string(b), webID) {
			t.Errorf("reveal as %s: %d %s", who, status, b)
		}
	}
	recs, _ := e.DB.ListAudit(t.Context(), store.AuditFilter{Action: "case.view_pii"})
	var ok, denied int
	for _, r := range recs {
		if r.Outcome == "ok" {
			ok++
		} else {
			denied++
		}
	}
	if ok != 2 || denied != 2 {
		t.Errorf("view_pii audit: %d ok, %d denied", ok, denied)
	}
	// Only the responsible staff member moves the case.
	if status, _ := e.do("POST", fmt.Sprintf("/api/v1/cases/%d/state", v.ID), w02, map[string]any{"to": "in_review"}); status != 403 {
		t.Errorf("another window moved the case: %d", status)
	}
	status, b = e.do("POST", fmt.Sprintf("/api/v1/cases/%d/state", v.ID), w01, map[string]any{"to": "in_review"})
	if status != 400 || !strings.Contains(string(b), "《就业困难人员认定申请表》") {
		t.Fatalf("review with a required material missing: %d %s", status, b)
	}
	// With the form missing the case was never accepted: it waits in
	// correction with the clock stopped (the one-time notice).
	if v.State != cases.Correction || !v.Stopped {
		t.Fatalf("case with a required material missing: %s stopped=%v", v.State, v.Stopped)
	}
	// The notice page lists the missing material with the guide reference.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/cases/%d/notice", e.HTTP.URL, v.ID), nil)
	req.Header.Set("Authorization", "Bearer "+w01)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The paper is for that citizen: their full name, not the masked one.
	for _, want := range []string{"一次性告知书", "《就业困难人员认定申请表》", "RS-A-004", "（盖章）", "王小菲", "申请人（签字）"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("notice page lacks %q", want)
		}
	}
	if strings.Contains(string(page), webID) {
		t.Error("notice page shows the ID number")
	}
	msgs, _ := e.DB.OutboxMessages(t.Context(), 10)
	if len(msgs) == 0 || msgs[0].Kind != "case_notice" {
		t.Fatalf("no notice SMS: %+v", msgs)
	}
}

func TestCaseFormPages(t *testing.T) {
	e := newHall(t)
	w01 := e.token("w01")
	if status, b := e.do("GET", "/cases/new?item=RS-A-001", w01, nil); status != 200 || !strings.Contains(string(b), "居民身份证") {
		t.Fatalf("new case page: %d", status)
	}
	vals := url.Values{"item_code": {"RS-A-001"}, "applicant_kind": {"person"}, "name": {"张三丰"}, "id_number": {webID},
		"phone": {"13912345678"}, "delivery": {"on_the_spot"}, "m.居民身份证": {"received"},
		"extra_name_0": {"户口本"}, "extra_reason_0": {"核对户籍地址"}}
	res := e.request("POST", "/cases/new", bearer(w01), formBody(vals))
	status, loc, body := res.Status, res.Header.Get("Location"), res.Body
	if status != 303 || !strings.HasPrefix(loc, "/cases/") {
		t.Fatalf("accept form: %d %s %s", status, loc, body)
	}
	alerts, _ := e.DB.ListIntegrityAlerts(t.Context(), e.Hall, false)
	if len(alerts) != 1 {
		t.Fatalf("integrity alerts: %+v", alerts)
	}
	if status, b := e.do("GET", "/api/v1/integrity-alerts", e.token("auditor"), nil); status != 200 || !strings.Contains(string(b), "户口本") {
		t.Fatalf("alerts for auditor: %d %s", status, b)
	}
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/cases/")
	status = e.request("POST", "/cases/"+id+"/state", bearer(w01), formBody(url.Values{"to": {"completed"}})).Status
	if status != 303 {
		t.Fatalf("complete on the spot: %d", status)
	}
	msgs, _ := e.DB.OutboxMessages(t.Context(), 10)
	if len(msgs) == 0 || msgs[0].Kind != "case_done" || msgs[0].Recipient != "13912345678" {
		t.Fatalf("completion SMS: %+v", msgs)
	}
	for _, p := range []string{"/cases", "/cases/ledger", "/cases/" + id, "/cases/" + id + "?reveal=1"} {
		if status, b := e.do("GET", p, w01, nil); status != 200 {
			t.Errorf("GET %s: %d %s", p, status, b)
		}
	}
	if status, _ := e.do("GET", "/admin/calendar", e.token("manager"), nil); status != 200 {
		t.Errorf("calendar page: %d", status)
	}
}

func TestProgressLookupRevealsNothing(t *testing.T) {
	e := newHall(t)
	v := e.createCase(e.token("w01"), caseBody("RS-A-004", "居民身份证", "相关类别证明"))
	status, good := e.do("POST", "/api/v1/progress", "", map[string]string{"number": v.Number, "check": "5678"})
	if status != 200 || !strings.Contains(string(good), "王*菲") || strings.Contains(string(good), "13812345678") || strings.Contains(string(good), "1101") {
		t.Fatalf("good look-up: %d %s", status, good)
	}
	s1, wrong := e.do("POST", "/api/v1/progress", "", map[string]string{"number": v.Number, "check": "0000"})
	s2, unknown := e.do("POST", "/api/v1/progress", "", map[string]string{"number": "DEMO-20200101-00001", "check": "5678"})
	if s1 != 404 || s1 != s2 || !bytes.Equal(wrong, unknown) {
		t.Fatalf("wrong code %d %s vs unknown case %d %s", s1, wrong, s2, unknown)
	}
	for range 3 {
		e.do("POST", "/api/v1/progress", "", map[string]string{"number": v.Number, "check": "9999"})
	}
	status, b := e.do("POST", "/api/v1/progress", "", map[string]string{"number": v.Number, "check": "5678"})
	if status != 429 || !strings.Contains(string(b), "try again a little later") {
		t.Fatalf("after 5 failures: %d %s", status, b)
	}
	// The page says the same.
	res := e.request("POST", "/progress", formBody(url.Values{"number": {v.Number}, "check": {"5678"}}))
	status, page := res.Status, res.Body
	if status != 429 || !strings.Contains(page, "try again a little later") {
		t.Fatalf("progress page when locked: %d", status)
	}
}

func TestLedgerExports(t *testing.T) {
	e := newHall(t)
	w01 := e.token("w01")
	a := e.createCase(w01, caseBody("RS-A-004", "居民身份证", "相关类别证明", "《就业困难人员认定申请表》"))
	e.createCase(w01, caseBody("RS-A-001", "居民身份证"))
	res := e.request("GET", "/cases/ledger.xlsx?item=RS-A-004&state=accepted", bearer(e.token("manager")))
	status, hdr, b := res.Status, res.Header, []byte(res.Body)
	if status != 200 || !strings.Contains(hdr.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %s", status, b)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != a.Number || rows[1][1] == "employment" || rows[1][1] == "" || rows[1][2] != "RS-A-004" || rows[1][6] != "110105********002X" {
		t.Fatalf("xlsx rows: %q", rows)
	}
	for _, row := range rows {
		for _, c := range row {
			if strings.Contains(c, webID) || strings.Contains(c, "13812345678") {
				t.Fatalf("plaintext personal data in export: %q", row)
			}
		}
	}
	res = e.request("GET", "/cases/ledger.csv?item=RS-A-001", bearer(e.token("auditor")))
	status, b = res.Status, []byte(res.Body)
	if status != 200 || !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) || bytes.Count(b, []byte("\r\n")) != 2 || bytes.Contains(b, []byte(webID)) {
		t.Fatalf("csv: %d %q", status, b)
	}
}
