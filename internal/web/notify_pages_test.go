package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mingbai/internal/notify"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

func notifyEnqueue(t *testing.T, e *hallEnv, phone string) int64 {
	t.Helper()
	var id int64
	if err := e.DB.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Kind: "case_done", Params: map[string]string{"item": "退休申请", "number": "A1", "how": ""}, HallID: e.Hall})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// The outbox page shows masked numbers only, filters by state, retries a
// failed message and cancels a queued one; another hall's manager sees
// and touches nothing.
func TestNotifyOutboxPage(t *testing.T) {
	e := newHall(t)
	mgr := bearer(e.tokenOf(e.People.Manager))
	failed := notifyEnqueue(t, e, "13812345678")
	if err := e.DB.PartFailed(context.Background(), failed, 1, "rejected by provider (ESME_RINVDSTADR)"); err != nil {
		t.Fatal(err)
	}
	queued := notifyEnqueue(t, e, "13812345679")
	h := fmt.Sprint(e.Hall)

	page := e.request("GET", "/notify/outbox?hall="+h+"&state=failed", mgr, asBrowser())
	if page.Status != 200 || !strings.Contains(page.Body, "138****5678") || strings.Contains(page.Body, "13812345678") || strings.Contains(page.Body, "138****5679") {
		t.Fatalf("outbox page: %d\n%s", page.Status, page.Body)
	}
	for _, q := range []string{"5678", "138****5678", "13812345678"} {
		page := e.request("GET", "/notify/outbox?hall="+h+"&phone="+url.QueryEscape(q), mgr, asBrowser())
		if page.Status != 200 || !strings.Contains(page.Body, "138****5678") || strings.Contains(page.Body, "138****5679") {
			t.Fatalf("search %q: %d", q, page.Status)
		}
	}
	if r := e.request("GET", "/notify/outbox?hall="+h+"&phone=1%25", mgr, asBrowser()); r.Status != 400 {
		t.Fatalf("bad search: %d", r.Status)
	}
	if r := e.request("GET", "/notify/outbox?hall="+h+"&state=nonsense", mgr, asBrowser()); r.Status != 400 {
		t.Fatalf("bad state filter: %d", r.Status)
	}
	other := bearer(e.tokenOf(e.Other.Manager))
	if r := e.request("GET", "/notify/outbox?hall="+h, other); r.Status != 403 {
		t.Fatalf("other hall's manager: %d", r.Status)
	}
	if r := e.request("POST", fmt.Sprintf("/notify/outbox/%d/retry?hall=%d", failed, e.Other.ID), other); r.Status != 404 {
		t.Fatalf("retry through another hall: %d", r.Status)
	}
	if r := e.request("POST", fmt.Sprintf("/notify/outbox/%d/retry?hall=%s", queued, h), mgr); r.Status != 409 {
		t.Fatalf("retry of a queued message: %d", r.Status)
	}
	if r := e.request("POST", fmt.Sprintf("/notify/outbox/%d/retry?hall=%s", failed, h), mgr); r.Status != 303 {
		t.Fatalf("retry: %d %s", r.Status, r.Body)
	}
	if r := e.request("POST", fmt.Sprintf("/notify/outbox/%d/cancel?hall=%s", queued, h), mgr); r.Status != 303 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if st := outboxState(t, e.DB, failed); st != notify.StateQueued {
		t.Fatalf("retried message: %s", st)
	}
	if st := outboxState(t, e.DB, queued); st != notify.StateExpired {
		t.Fatalf("cancelled message: %s", st)
	}
	if r := e.request("POST", fmt.Sprintf("/notify/outbox/%d/retry?hall=%s", queued, h), bearer(e.tokenOf(e.People.Auditor))); r.Status != 403 {
		t.Fatalf("auditor retry: %d", r.Status)
	}
}

// A template registration goes draft → submitted → approved; its author
// cannot approve it; only then does the provider have a code to send.
func TestNotifyTemplateApproval(t *testing.T) {
	e := newHall(t)
	h := fmt.Sprint(e.Hall)
	mgr := bearer(e.tokenOf(e.People.Manager))
	admin := bearer(e.tokenOf(e.People.Admin))
	if _, err := e.DB.ApprovedTemplate(context.Background(), "log", "turn_near"); err != notify.ErrNotApproved {
		t.Fatalf("before: %v", err)
	}
	if r := e.request("POST", "/notify/templates?hall="+h, mgr, formBody(url.Values{"provider": {"log"}, "kind": {"turn_near"}, "code": {"bad code!"}})); r.Status != 400 {
		t.Fatalf("bad code: %d", r.Status)
	}
	if r := e.request("POST", "/notify/templates?hall="+h, mgr, formBody(url.Values{"provider": {"elsewhere"}, "kind": {"turn_near"}, "code": {"SMS_1"}})); r.Status != 403 {
		t.Fatalf("another hall's provider: %d", r.Status)
	}
	if r := e.request("POST", "/notify/templates?hall="+h, mgr, formBody(url.Values{"provider": {"log"}, "kind": {"turn_near"}, "code": {"SMS_2001"}})); r.Status != 303 {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	ts, err := e.DB.ListSMSTemplates(context.Background(), []string{"log"})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, tpl := range ts {
		if tpl.Kind == "turn_near" {
			id = tpl.ID
			if tpl.State != store.TemplateDraft || !strings.HasPrefix(tpl.Text, notify.Signature) {
				t.Fatalf("saved: %+v", tpl)
			}
		}
	}
	path := fmt.Sprintf("/notify/templates/%d?hall=%s", id, h)
	if r := e.request("POST", path, mgr, formBody(url.Values{"action": {"approve"}})); r.Status != 409 {
		t.Fatalf("approve a draft: %d", r.Status)
	}
	if r := e.request("POST", path, mgr, formBody(url.Values{"action": {"submit"}})); r.Status != 303 {
		t.Fatalf("submit: %d", r.Status)
	}
	if r := e.request("POST", path, mgr, formBody(url.Values{"action": {"approve"}})); r.Status != 403 {
		t.Fatalf("author approves: %d", r.Status)
	}
	if r := e.request("POST", path, admin, formBody(url.Values{"action": {"approve"}})); r.Status != 303 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if code, err := e.DB.ApprovedTemplate(context.Background(), "log", "turn_near"); err != nil || code != "SMS_2001" {
		t.Fatalf("approved code %q %v", code, err)
	}
	page := e.request("GET", "/notify/templates?hall="+h, mgr, asBrowser())
	if page.Status != 200 || !strings.Contains(page.Body, "SMS_2001") {
		t.Fatalf("templates page: %d", page.Status)
	}
	var audits int
	e.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM audit_log WHERE action LIKE 'notify.template.%'").Scan(&audits)
	})
	if audits != 3 {
		t.Fatalf("%d template audit records, want save, submit, approve", audits)
	}
}

func registryCSV(t *testing.T, n int, bad bool) []byte {
	var b strings.Builder
	b.WriteString("姓名,身份证号码,手机号码,参保险种,缴费频次,缴至年月,缴费渠道\n")
	for i := 0; i < n; i++ {
		first := fmt.Sprintf("%06d19800101%03d", 110000+i/1000, i%1000)
		c, _ := pii.IDCheckCharacter(first)
		phone := fmt.Sprintf("139%08d", i)
		if bad && i == 2 {
			phone = "12345"
		}
		fmt.Fprintf(&b, "参保人,%s%c,%s,养老保险,按月,2000-01,自行缴费\n", first, c, phone)
	}
	return []byte(b.String())
}

func upload(content []byte) reqOpt {
	return func(s *reqSpec) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "registry.csv")
		fw.Write(content)
		mw.Close()
		s.body = &buf
		s.header.Set("Content-Type", mw.FormDataContentType())
	}
}

// The registry import lists bad rows and imports nothing, or imports in
// the background with progress; the campaign page previews, starts and
// stops a campaign; the opt-out list takes a number and shows it masked.
func TestNotifyRegistryCampaignsAndOptOuts(t *testing.T) {
	e := newHall(t)
	h := fmt.Sprint(e.Hall)
	mgr := bearer(e.tokenOf(e.People.Manager))
	if r := e.request("GET", "/notify/registry?hall="+h, mgr, asBrowser()); r.Status != 200 || !strings.Contains(r.Body, "notify_registry") {
		t.Fatalf("registry page: %d", r.Status)
	}
	r := e.request("POST", "/api/v1/notify/imports?hall="+h, mgr, upload(registryCSV(t, 5, true)))
	if r.Status != 422 || !strings.Contains(r.Body, `"row":4`) {
		t.Fatalf("bad registry: %d %s", r.Status, r.Body)
	}
	var n int
	count := func() int {
		e.DB.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryRow("SELECT count(*) FROM contributors").Scan(&n) })
		return n
	}
	if count() != 0 {
		t.Fatal("a bad registry imported rows")
	}
	r = e.request("POST", "/api/v1/notify/imports?hall="+h, mgr, upload(registryCSV(t, 1200, false)))
	if r.Status != 202 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var job struct {
		ID       string `json:"id"`
		Total    int    `json:"total"`
		Done     int    `json:"done"`
		Finished bool   `json:"finished"`
		Result   struct{ Inserted int }
	}
	json.Unmarshal([]byte(r.Body), &job)
	deadline := time.Now().Add(30 * time.Second)
	for !job.Finished && time.Now().Before(deadline) {
		r = e.request("GET", "/api/v1/notify/imports/"+job.ID+"?hall="+h, mgr)
		json.Unmarshal([]byte(r.Body), &job)
		if !job.Finished {
			time.Sleep(20 * time.Millisecond) // polling a background job, as the page does
		}
	}
	if !job.Finished || job.Result.Inserted != 1200 || job.Done != 1200 || count() != 1200 {
		t.Fatalf("import job: %+v, %d rows", job, n)
	}
	if r := e.request("GET", "/api/v1/notify/imports/"+job.ID+"?hall="+fmt.Sprint(e.Other.ID), bearer(e.tokenOf(e.Other.Manager))); r.Status != 404 {
		t.Fatalf("other hall reads the job: %d", r.Status)
	}

	today := e.DB.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	page := e.request("GET", "/notify/campaigns?hall="+h+"&preview="+today, mgr, asBrowser())
	if page.Status != 200 || !strings.Contains(page.Body, `id="preview-result"`) {
		t.Fatalf("preview: %d", page.Status)
	}
	if r := e.request("POST", "/notify/campaigns?hall="+h, mgr, formBody(url.Values{"day": {"2001-01-01"}})); r.Status != 400 {
		t.Fatalf("campaign in the past: %d", r.Status)
	}
	if r := e.request("POST", "/notify/campaigns?hall="+h, mgr, formBody(url.Values{"day": {today}})); r.Status != 303 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	cs, err := e.DB.ListCampaigns(context.Background(), e.Hall)
	if err != nil || len(cs) != 1 {
		t.Fatalf("campaigns %v %v", cs, err)
	}
	if r := e.request("POST", fmt.Sprintf("/notify/campaigns/%d/stop?hall=%s", cs[0].ID, h), mgr); r.Status != 303 {
		t.Fatalf("stop: %d", r.Status)
	}
	if r := e.request("POST", fmt.Sprintf("/notify/campaigns/%d/stop?hall=%s", cs[0].ID, h), mgr); r.Status != 409 {
		t.Fatalf("stop twice: %d", r.Status)
	}
	if page := e.request("GET", "/notify/campaigns?hall="+h, mgr, asBrowser()); page.Status != 200 || !strings.Contains(page.Body, `data-state="stopped"`) {
		t.Fatalf("campaign page: %d", page.Status)
	}

	if r := e.request("POST", "/notify/optouts?hall="+h, mgr, formBody(url.Values{"phone": {"1391234"}})); r.Status != 400 {
		t.Fatalf("bad number: %d", r.Status)
	}
	if r := e.request("POST", "/notify/optouts?hall="+h, mgr, formBody(url.Values{"phone": {"13912345678"}})); r.Status != 303 {
		t.Fatalf("opt-out: %d %s", r.Status, r.Body)
	}
	if page := e.request("GET", "/notify/optouts?hall="+h, mgr, asBrowser()); !strings.Contains(page.Body, "139****5678") || strings.Contains(page.Body, "13912345678") {
		t.Fatalf("opt-out list: %d", page.Status)
	}
	_ = http.StatusOK
}

// The public opt-out page stops reminders when the number and ID number
// match a contributor, answers the same when they do not, and refuses bad
// input.
func TestPublicOptOut(t *testing.T) {
	e := newHall(t)
	mgr := bearer(e.tokenOf(e.People.Manager))
	if r := e.request("POST", "/api/v1/notify/imports?hall="+fmt.Sprint(e.Hall), mgr, upload(registryCSV(t, 3, false))); r.Status != 202 {
		t.Fatalf("import: %d", r.Status)
	}
	first := fmt.Sprintf("%06d19800101%03d", 110000, 1)
	c, _ := pii.IDCheckCharacter(first)
	id := first + string(c)
	optedOut := func(phone string) bool {
		var out bool
		deadline := time.Now().Add(10 * time.Second)
		for {
			var n int
			e.DB.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryRow("SELECT count(*) FROM contributors").Scan(&n) })
			if n == 3 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond) // the import runs in the background
		}
		e.DB.Read(context.Background(), func(tx *store.Tx) error {
			var err error
			out, err = tx.OptedOut(phone)
			return err
		})
		return out
	}
	if r := e.request("GET", "/optout", asBrowser()); r.Status != 200 {
		t.Fatalf("page: %d", r.Status)
	}
	if r := e.request("POST", "/optout", formBody(url.Values{"phone": {"139"}, "id_number": {id}}), asBrowser()); r.Status != 400 {
		t.Fatalf("bad phone: %d", r.Status)
	}
	// Wrong pairing (another contributor's number): same answer, no effect.
	wrong := e.request("POST", "/optout", formBody(url.Values{"phone": {"13900000002"}, "id_number": {id}}), asBrowser())
	if wrong.Status != 200 || optedOut("13900000002") {
		t.Fatalf("mismatch: %d", wrong.Status)
	}
	right := e.request("POST", "/optout", formBody(url.Values{"phone": {"13900000001"}, "id_number": {id}}), asBrowser())
	if right.Status != 200 || !optedOut("13900000001") {
		t.Fatalf("match: %d", right.Status)
	}
	if strings.Contains(right.Body, "13900000001") || strings.Contains(right.Body, id) {
		t.Fatal("the answer repeats the number or ID number")
	}
}
