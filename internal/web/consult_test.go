package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"mingbai/internal/consult"
	"mingbai/internal/store"
	"mingbai/internal/web"
	"mingbai/internal/wechat"
)

// The platform's published sample (its WXBizMsgCrypt test vector).
const (
	wxToken   = "spamtest"
	wxAESKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	wxAppID   = "wx2c2769f8efd9abc2"
	wxTS      = "1409735669"
	wxNonce   = "1320562132"
	wxMsgSig  = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	wxEncrypt = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
	wxSender  = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
)

// fakeWeChat is the platform's API on 127.0.0.1: it hands out a token and
// records customer-service messages.
type fakeWeChat struct {
	mu   sync.Mutex
	sent []map[string]any
	srv  *httptest.Server
}

func newFakeWeChat(t *testing.T) *fakeWeChat {
	f := &fakeWeChat{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch r.URL.Path {
		case "/cgi-bin/token":
			io.WriteString(w, `{"access_token":"TOKEN1","expires_in":7200}`)
		case "/cgi-bin/message/custom/send":
			if r.URL.Query().Get("access_token") != "TOKEN1" {
				io.WriteString(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
				return
			}
			var m map[string]any
			json.NewDecoder(r.Body).Decode(&m)
			f.sent = append(f.sent, m)
			io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWeChat) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

func (e *hallEnv) threadOf(openID string) store.ConsultThreadView {
	e.t.Helper()
	list, err := e.DB.ConsultQueue(context.Background(), store.ConsultQueueFilter{HallID: e.Hall, Status: "all"})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, th := range list {
		if th.Graduate == "…"+openID[len(openID)-6:] {
			v, err := e.DB.ConsultThreadFor(context.Background(), e.Hall, th.ID)
			if err != nil {
				e.t.Fatal(err)
			}
			return v
		}
	}
	e.t.Fatalf("no thread of %s", openID)
	return store.ConsultThreadView{}
}

func count(v store.ConsultThreadView, dir string) int {
	n := 0
	for _, m := range v.Messages {
		if m.Direction == dir {
			n++
		}
	}
	return n
}

// TestWeChatPublishedSample: the platform's sample verifies and decrypts
// (abcdteT reaches the thread), the reply is encrypted for the platform,
// three deliveries make one entry and one reply, and one changed
// signature byte is refused with 403 and stores nothing.
func TestWeChatPublishedSample(t *testing.T) {
	e := newHall(t)
	// The sample is from 2014: the replay window is widened for it.
	if err := e.Server.SetWeChat(web.WeChatAccount{HallID: e.Hall, Token: wxToken, EncodingAESKey: wxAESKey, AppID: wxAppID, Mode: wechat.Safe, MaxSkew: 20 * 365 * 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"timestamp": {wxTS}, "nonce": {wxNonce}, "encrypt_type": {"aes"}, "msg_signature": {wxMsgSig}, "openid": {wxSender}}
	body := `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[` + wxEncrypt + `]]></Encrypt></xml>`
	path := fmt.Sprintf("/wechat/%d?", e.Hall)

	bad := []byte(wxMsgSig)
	bad[len(bad)-1] = 'b'
	qb := url.Values{}
	for k, v := range q {
		qb[k] = v
	}
	qb.Set("msg_signature", string(bad))
	r := e.request("POST", path+qb.Encode(), xmlBody(body))
	if r.Status != 403 {
		t.Fatalf("changed signature byte: %d %s", r.Status, r.Body)
	}
	if list, _ := e.DB.ConsultQueue(context.Background(), store.ConsultQueueFilter{HallID: e.Hall, Status: "all"}); hasGraduate(list, wxSender) {
		t.Fatal("a refused message was stored")
	}

	c, _ := wechat.NewCrypter(wxAESKey, wxAppID)
	var replies []string
	for i := 0; i < 3; i++ {
		r := e.request("POST", path+q.Encode(), xmlBody(body))
		if r.Status != 200 {
			t.Fatalf("delivery %d: %d %s", i+1, r.Status, r.Body)
		}
		replies = append(replies, r.Body)
	}
	plain, err := c.OpenReply(wxToken, []byte(replies[0]))
	if err != nil {
		t.Fatalf("first reply %q: %v", replies[0], err)
	}
	m, err := wechat.ParseMessage(plain)
	if err != nil || m.ToUserName != wxSender || !strings.Contains(m.Content, "已收到") {
		t.Fatalf("reply %+v %v", m, err)
	}
	if replies[1] != "success" || replies[2] != "success" {
		t.Fatalf("retries answered %q %q", replies[1], replies[2])
	}
	v := e.threadOf(wxSender)
	if count(v, store.DirIn) != 1 || count(v, store.DirOut) != 1 || v.Messages[0].Body != "abcdteT" {
		t.Fatalf("thread %+v", v.Messages)
	}

	// Not the platform's XML: 400. A hall without an account: 404.
	if r := e.request("POST", path+q.Encode(), xmlBody("<html>")); r.Status != 400 {
		t.Fatalf("not xml: %d", r.Status)
	}
	if r := e.request("POST", fmt.Sprintf("/wechat/%d?", e.Other.ID)+q.Encode(), xmlBody(body)); r.Status != 404 {
		t.Fatalf("hall without account: %d", r.Status)
	}
	// The URL check with the sample's token.
	ts := fmt.Sprint(time.Now().Unix())
	uq := url.Values{"timestamp": {ts}, "nonce": {"77"}, "echostr": {"echo-9"}, "signature": {wechat.Signature(wxToken, ts, "77")}}
	if r := e.request("GET", path+uq.Encode()); r.Status != 200 || r.Body != "echo-9" {
		t.Fatalf("url check: %d %q", r.Status, r.Body)
	}
}

func xmlBody(s string) reqOpt {
	return func(spec *reqSpec) {
		spec.body = strings.NewReader(s)
		spec.header.Set("Content-Type", "text/xml")
	}
}

func hasGraduate(list []store.ConsultThread, openID string) bool {
	for _, th := range list {
		if th.Graduate == "…"+openID[len(openID)-6:] {
			return true
		}
	}
	return false
}

// plainMessage posts a signed plaintext-mode text message.
func (e *hallEnv) plainMessage(openID, text string, msgID int64) reply {
	e.t.Helper()
	ts, nonce := fmt.Sprint(e.DB.Now().Unix()), "n"+fmt.Sprint(msgID)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {wechat.Signature("tok", ts, nonce)}}
	body := fmt.Sprintf(`<xml><ToUserName>gh_test</ToUserName><FromUserName>%s</FromUserName><CreateTime>%s</CreateTime><MsgType>text</MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`, openID, ts, text, msgID)
	return e.request("POST", fmt.Sprintf("/wechat/%d?", e.Hall)+q.Encode(), xmlBody(body))
}

// TestWeChatReplyWindow: a staff reply goes through the customer-service
// API of the (fake) platform; more than 48 hours after the graduate's
// last message it is not sent and the thread offers SMS, which goes
// through the outbox.
func TestWeChatReplyWindow(t *testing.T) {
	e := newHall(t)
	fake := newFakeWeChat(t)
	now := time.Now()
	e.DB.SetClock(func() time.Time { return now })
	if err := e.Server.SetWeChat(web.WeChatAccount{HallID: e.Hall, Token: "tok", Mode: wechat.Plaintext, AppID: "wx1", AppSecret: "secret", APIBase: fake.srv.URL}); err != nil {
		t.Fatal(err)
	}
	r := e.plainMessage("oGraduateW1", "报到证还要吗", 9001)
	m, err := wechat.ParseMessage([]byte(r.Body))
	if err != nil || !strings.Contains(m.Content, "教学〔2022〕5号") || strings.Contains(m.Content, "已废止") {
		t.Fatalf("报到证 reply %d %q", r.Status, r.Body)
	}
	e.plainMessage("oGraduateW1", "人工", 9002)
	th := e.threadOf("oGraduateW1").Thread
	tok := e.token("consult")
	status, b := e.do("POST", fmt.Sprintf("/api/v1/consult/threads/%d/reply", th.ID), tok, map[string]any{"body": "您好，请问有什么可以帮您？", "idempotency_key": "r1"})
	if status != 200 || fake.count() != 1 {
		t.Fatalf("reply: %d %s, platform got %d", status, b, fake.count())
	}
	if fake.sent[0]["touser"] != "oGraduateW1" {
		t.Fatalf("sent %+v", fake.sent[0])
	}
	var res struct {
		Message store.ConsultMessage
		Blocked string
	}
	json.Unmarshal(b, &res)
	if res.Message.Delivery != "sent" || res.Message.Via != "kf" {
		t.Fatalf("delivery %+v", res.Message)
	}
	// The same submission again: stored and sent once.
	if status, _ := e.do("POST", fmt.Sprintf("/api/v1/consult/threads/%d/reply", th.ID), tok, map[string]any{"body": "您好，请问有什么可以帮您？", "idempotency_key": "r1"}); status != 200 || fake.count() != 1 {
		t.Fatalf("retried reply: %d, platform got %d", status, fake.count())
	}

	now = now.Add(48*time.Hour + time.Minute)
	status, b = e.do("POST", fmt.Sprintf("/api/v1/consult/threads/%d/reply", th.ID), tok, map[string]any{"body": "抱歉久等", "idempotency_key": "r2"})
	json.Unmarshal(b, &res)
	if status != 200 || fake.count() != 1 || res.Blocked != "consult.kf_expired" {
		t.Fatalf("after 48 h: %d %s, platform got %d", status, b, fake.count())
	}
	page := e.request("GET", fmt.Sprintf("/consult/console/%d", th.ID), bearer(tok), asBrowser(), header("Accept-Language", "zh-CN"))
	if page.Status != 200 || !strings.Contains(page.Body, "可改发短信") || !strings.Contains(page.Body, `id="t-sms"`) {
		t.Fatalf("thread page does not offer SMS: %d", page.Status)
	}
	before, _ := e.DB.OutboxMessages(context.Background(), 100)
	sms := e.request("POST", fmt.Sprintf("/consult/console/%d/sms", th.ID), bearer(tok), formBody(url.Values{"body": {"抱歉久等，请致电咨询"}, "phone": {"13800138000"}, "idempotency_key": {"s1"}}))
	after, _ := e.DB.OutboxMessages(context.Background(), 100)
	if sms.Status != 303 || len(after) != len(before)+1 || after[0].Kind != "consult_reply" {
		t.Fatalf("sms: %d %s; outbox %d → %d", sms.Status, sms.Body, len(before), len(after))
	}
	// A subscribe event delivered twice: one welcome (events are told
	// apart by sender and CreateTime, as they carry no MsgId).
	ts := fmt.Sprint(e.DB.Now().Unix())
	q := url.Values{"timestamp": {ts}, "nonce": {"ev"}, "signature": {wechat.Signature("tok", ts, "ev")}}
	ev := `<xml><ToUserName>gh_test</ToUserName><FromUserName>oGraduateW2</FromUserName><CreateTime>` + ts + `</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>`
	first := e.request("POST", fmt.Sprintf("/wechat/%d?", e.Hall)+q.Encode(), xmlBody(ev))
	second := e.request("POST", fmt.Sprintf("/wechat/%d?", e.Hall)+q.Encode(), xmlBody(ev))
	if wm, err := wechat.ParseMessage([]byte(first.Body)); err != nil || !strings.Contains(wm.Content, "欢迎") || second.Body != "success" {
		t.Fatalf("subscribe: %q then %q", first.Body, second.Body)
	}
	// A menu click names an FAQ answer.
	click := `<xml><ToUserName>gh_test</ToUserName><FromUserName>oGraduateW2</FromUserName><CreateTime>` + ts + `</CreateTime><MsgType>event</MsgType><Event>CLICK</Event><EventKey>FAQ_ARCHIVE</EventKey></xml>`
	cr := e.request("POST", fmt.Sprintf("/wechat/%d?", e.Hall)+q.Encode(), xmlBody(click))
	if wm, err := wechat.ParseMessage([]byte(cr.Body)); err != nil || !strings.Contains(wm.Content, "流动人员人事档案管理服务规定") {
		t.Fatalf("menu click: %q", cr.Body)
	}
	// Another hall's manager does not see the thread.
	if status, _ := e.do("GET", fmt.Sprintf("/api/v1/consult/threads/%d", th.ID), e.tokenOf(e.Other.Manager), nil); status != 404 {
		t.Fatalf("other hall's manager: %d", status)
	}
}

var sixDigits = regexp.MustCompile(`\d{6}`)

// TestWebConsultation: a graduate without WeChat confirms the phone by an
// SMS code, asks, gets the FAQ answer with its source, asks for a person,
// and never sees the internal note; the page fits a 390×844 phone.
func TestWebConsultation(t *testing.T) {
	e := newHall(t)
	start := e.request("GET", fmt.Sprintf("/consult?hall=%d", e.Hall), asBrowser())
	tokenRE := regexp.MustCompile(`name="page_token" value="([^"]+)"`)
	pt := tokenRE.FindStringSubmatch(start.Body)
	if start.Status != 200 || pt == nil {
		t.Fatalf("start page: %d, no page token", start.Status)
	}
	form := url.Values{"hall": {fmt.Sprint(e.Hall)}, "phone": {"13912340000"}, "page_token": {pt[1]}}
	if r := e.request("POST", "/consult/code", formBody(form), asBrowser()); r.Status != 200 || !strings.Contains(r.Body, "c-sent") {
		t.Fatalf("code: %d", r.Status)
	}
	out, _ := e.DB.OutboxMessages(context.Background(), 5)
	code := sixDigits.FindString(out[0].Body)
	form.Set("sms_code", "12345x")
	if r := e.request("POST", "/consult", formBody(form), asBrowser()); r.Status != 400 || !strings.Contains(r.Body, "c-error") {
		t.Fatalf("wrong code: %d", r.Status)
	}
	form.Set("sms_code", code)
	r := e.request("POST", "/consult", formBody(form), asBrowser())
	loc := r.Header.Get("Location")
	if r.Status != 303 || !strings.HasPrefix(loc, "/consult/t/") {
		t.Fatalf("start: %d %q", r.Status, loc)
	}
	if r := e.request("POST", loc, formBody(url.Values{"body": {"一次性求职创业补贴怎么申请"}, "idempotency_key": {"a1"}}), asBrowser()); r.Status != 303 {
		t.Fatalf("ask: %d %s", r.Status, r.Body)
	}
	// A double submission is one message.
	e.request("POST", loc, formBody(url.Values{"body": {"一次性求职创业补贴怎么申请"}, "idempotency_key": {"a1"}}), asBrowser())
	e.request("POST", loc, formBody(url.Values{"body": {"人工"}, "idempotency_key": {"a2"}}), asBrowser())
	v, err := e.DB.ConsultWebThread(context.Background(), strings.TrimPrefix(loc, "/consult/t/"))
	if err != nil {
		t.Fatal(err)
	}
	if count(v, store.DirIn) != 2 {
		t.Fatalf("messages %+v", v.Messages)
	}
	tok := e.token("consult")
	if status, b := e.do("POST", fmt.Sprintf("/api/v1/consult/threads/%d/reply", v.Thread.ID), tok, map[string]any{"body": "内部备注：核对困难家庭认定", "note": true}); status != 200 {
		t.Fatalf("note: %d %s", status, b)
	}
	page := e.request("GET", loc, asBrowser(), header("Accept-Language", "zh-CN"))
	if page.Status != 200 || !strings.Contains(page.Body, "财社〔2017〕164号") || strings.Contains(page.Body, "内部备注") || strings.Contains(page.Body, "13912340000") {
		t.Fatalf("graduate page: %d", page.Status)
	}

	ctx := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(e.HTTP.URL+loc),
		chromedp.WaitVisible(`#c-body`),
	); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil || overflow > 0 {
		t.Fatalf("the graduate's page scrolls sideways on a 390 px phone by %d px (%v)", overflow, err)
	}
}

// TestConsoleCannedReplyByKeyboard: a consultant opens a waiting thread,
// Alt+1 puts the first canned reply in the box and Ctrl+Enter sends it.
func TestConsoleCannedReplyByKeyboard(t *testing.T) {
	e := newHall(t)
	list, err := e.DB.ConsultQueue(context.Background(), store.ConsultQueueFilter{HallID: e.Hall})
	if err != nil || len(list) == 0 {
		t.Fatalf("demo queue %v %v", list, err)
	}
	th := list[0]
	canned := consult.GraduateCanned()[0].Body
	ctx := browser(t)
	if err := login(ctx, e, "consult"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/consult/console/%d", e.HTTP.URL, th.ID)),
		chromedp.WaitVisible(`#t-body`),
		chromedp.Focus(`#t-body`),
		chromedp.KeyEvent("1", chromedp.KeyModifiers(chromedp.ModifierAlt)),
	); err != nil {
		t.Fatal(err)
	}
	box, err := chromedp.Run(ctx, chromedp.Value(`#t-body`))
	if err != nil || box != canned {
		t.Fatalf("Alt+1 put %q (%v)", box, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(`#t-done`),
		poll(`document.querySelector("#chat li:last-child .body").textContent === `+strconv.Quote(canned)),
	); err != nil {
		t.Fatal(err)
	}
	v, err := e.DB.ConsultThreadFor(context.Background(), e.Hall, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := v.Messages[len(v.Messages)-1]
	if last.Body != canned || last.Author != "consult" {
		t.Fatalf("last message %+v", last)
	}
}

// TestConsultFAQEditorAndReport: answers past their review date are
// flagged to the editor; the daily report exports to Excel with the same
// rows as the page.
func TestConsultFAQEditorAndReport(t *testing.T) {
	e := newHall(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	e.DB.SetClock(func() time.Time { return now })
	page := e.request("GET", "/consult/faq/edit", bearer(e.token("editor")), asBrowser(), header("Accept-Language", "zh-CN"))
	if page.Status != 200 || !strings.Contains(page.Body, `id="review-due"`) || !strings.Contains(page.Body, `data-code="FAQ_SANZHI_YIFU" data-due="true"`) ||
		!strings.Contains(page.Body, `data-code="FAQ_ARCHIVE" data-due="false"`) {
		t.Fatalf("editor page: %d", page.Status)
	}
	// Saving without a source is refused with a clear message, nothing changes.
	bad := e.request("POST", "/consult/faq/edit", bearer(e.token("editor")), asBrowser(), header("Accept-Language", "zh-CN"),
		formBody(url.Values{"code": {"FAQ_NEW"}, "question": {"问"}, "answer": {"答"}, "effective": {"2026-01-01"}, "review": {"2027-01-01"}, "keywords": {"新问题"}}))
	if bad.Status != 400 || !strings.Contains(bad.Body, "依据文件") {
		t.Fatalf("no source: %d", bad.Status)
	}
	if list, _ := e.DB.ListFAQ(context.Background(), e.Hall, true); len(list) != len(consult.GraduateFAQ()) {
		t.Fatalf("a refused entry was saved: %d", len(list))
	}
	// The demo's threads are in today's report.
	day := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	x := e.request("GET", "/consult/report.xlsx?day="+day, bearer(e.token("consult")), header("Accept-Language", "zh-CN"))
	if x.Status != 200 {
		t.Fatalf("xlsx: %d %s", x.Status, x.Body)
	}
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("咨询日报")
	if err != nil || len(rows) < 10 || rows[1][0] != "咨询量（轮次）" || rows[1][1] == "0" {
		t.Fatalf("rows %v %v", rows, err)
	}
	if status, _ := e.do("GET", "/consult/report?day=2026-13-01", e.token("consult"), nil); status != 400 {
		t.Fatalf("bad day: %d", status)
	}
}
