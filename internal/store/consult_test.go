package store_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/consult"
	"mingbai/internal/hall"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// consultEnv is a database with two halls, the graduate FAQ in the first,
// and a clock the test moves. Staffed hours are 09:00–17:00 on working
// days (Asia/Shanghai).
type consultEnv struct {
	t     *testing.T
	db    *store.DB
	hall  hall.Hall
	other hall.Hall
	now   time.Time
}

func newConsultEnv(t *testing.T) *consultEnv {
	t.Helper()
	db := storetest.Open(t)
	e := &consultEnv{t: t, db: db}
	e.at("2026-12-01 10:00") // a Tuesday
	db.SetClock(func() time.Time { return e.now })
	var err error
	hours := hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}
	if e.hall, err = db.CreateHall(ctx, hall.Hall{Code: "c1", Name: "咨询大厅", Timezone: "Asia/Shanghai", Hours: hours}); err != nil {
		t.Fatal(err)
	}
	if e.other, err = db.CreateHall(ctx, hall.Hall{Code: "c2", Name: "另一大厅", Timezone: "Asia/Shanghai", Hours: hours}); err != nil {
		t.Fatal(err)
	}
	for _, f := range consult.GraduateFAQ() {
		if _, err := db.SaveFAQ(ctx, e.hall.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *consultEnv) at(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		e.t.Fatal(err)
	}
	e.now = t
}

func (e *consultEnv) wechat(openID, text, dedupe string) store.ConsultReceived {
	e.t.Helper()
	r, err := e.db.ConsultReceive(ctx, store.ConsultInbound{HallID: e.hall.ID, Channel: consult.WeChat, GraduateKey: openID, Kind: "text", Body: text, DedupeKey: dedupe})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *consultEnv) thread(id int64) store.ConsultThreadView {
	e.t.Helper()
	v, err := e.db.ConsultThreadFor(ctx, e.hall.ID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func TestConsultRetriesStoredOnce(t *testing.T) {
	e := newConsultEnv(t)
	first := e.wechat("oGrad1", "我的档案在哪里", "msg:6054768590064713728")
	if first.Duplicate || first.Reply == "" {
		t.Fatalf("first delivery: %+v", first)
	}
	for i := 0; i < 2; i++ {
		r := e.wechat("oGrad1", "我的档案在哪里", "msg:6054768590064713728")
		if !r.Duplicate || r.Reply != "" {
			t.Fatalf("retry %d: %+v", i, r)
		}
	}
	v := e.thread(first.Thread.ID)
	var in, out int
	for _, m := range v.Messages {
		switch m.Direction {
		case store.DirIn:
			in++
		case store.DirOut:
			out++
		}
	}
	if in != 1 || out != 1 {
		t.Fatalf("in %d out %d: %+v", in, out, v.Messages)
	}
}

func TestConsultBaodaozhengCurrentRule(t *testing.T) {
	e := newConsultEnv(t)
	r := e.wechat("oGrad2", "报到证办理需要什么材料？", "msg:1")
	if !strings.Contains(r.Reply, "不再发放") || !strings.Contains(r.Reply, "教学〔2022〕5号") || strings.Contains(r.Reply, "已废止") {
		t.Fatalf("reply %q", r.Reply)
	}
	if r.Thread.Status != consult.Resolved || r.Thread.ResolvedBy != "auto" {
		t.Fatalf("FAQ answer leaves thread %+v", r.Thread)
	}
}

func TestConsultHandoverAndTimers(t *testing.T) {
	e := newConsultEnv(t)
	e.at("2026-12-04 16:30") // Friday, half an hour before the end of duty
	r := e.wechat("oGrad3", "我想问一下我的具体情况", "msg:2")
	if r.Thread.Status != consult.Open || !strings.Contains(r.Reply, "尽快") {
		t.Fatalf("queued: %+v %q", r.Thread, r.Reply)
	}
	e.at("2026-12-06 20:00") // Sunday evening
	r = e.wechat("oGrad3", "人工", "msg:3")
	if !strings.Contains(r.Reply, "2026-12-07 09:00") {
		t.Fatalf("outside hours the reply says when: %q", r.Reply)
	}
	e.at("2026-12-07 10:00") // Monday: 30 + 60 staffed minutes later
	q, err := e.db.ConsultQueue(ctx, store.ConsultQueueFilter{HallID: e.hall.ID})
	if err != nil || len(q) != 1 {
		t.Fatalf("queue %v %+v", err, q)
	}
	if q[0].FirstResponse == nil || q[0].FirstResponse.Minutes != 90 || q[0].FirstResponse.Overdue {
		t.Fatalf("timer %+v", q[0].FirstResponse)
	}
	res, err := e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "您好，请问您是哪一届毕业生？", IdempotencyKey: "k1"})
	if err != nil || res.Send == nil || res.Send.OpenID != "oGrad3" {
		t.Fatalf("reply %+v %v", res, err)
	}
	again, err := e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "您好，请问您是哪一届毕业生？", IdempotencyKey: "k1"})
	if err != nil || again.Send != nil || again.Message.ID != res.Message.ID {
		t.Fatalf("retried reply sent again: %+v %v", again, err)
	}
	if err := e.db.ConsultDelivered(ctx, e.hall.ID, res.Send.MessageID, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "需要核实档案", Note: true}); err != nil {
		t.Fatal(err)
	}
	e.at("2026-12-07 11:00")
	st, err := e.db.ConsultStatus(ctx, e.hall.ID, r.Thread.ID, consult.Resolved, time.Time{}, "consult")
	if err != nil || st.Send == nil || !strings.Contains(st.Send.Body, "非常满意") {
		t.Fatalf("resolve: %+v %v", st, err)
	}
	// The graduate rates 1 over WeChat: flagged.
	e.wechat("oGrad3", "1", "msg:4")
	// … and the feedback area's rectification flow has taken it over.
	flags, err := e.db.ConsultFlags(ctx, e.hall.ID, "")
	if err != nil || len(flags) != 1 || flags[0].Level != 1 || flags[0].State != "taken" {
		t.Fatalf("flags %+v %v", flags, err)
	}
	rects, err := e.db.ListRectifications(ctx, store.RectFilter{HallID: e.hall.ID, Open: true})
	if err != nil || len(rects) != 1 || rects[0].Rating.Kind != store.ServiceConsult || int(rects[0].Rating.Overall) != 1 {
		t.Fatalf("rectifications %+v %v", rects, err)
	}
	if err := e.db.TakeConsultFlag(ctx, e.hall.ID, flags[0].ID, "rect:2"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("taken twice: %v", err)
	}
	rep, err := e.db.ConsultReport(ctx, e.hall.ID, "2026-12-04")
	if err != nil {
		t.Fatal(err)
	}
	// First response: 16:30–17:00 Friday + 09:00–10:00 Monday = 90 staffed
	// minutes; resolution 150.
	if rep.Volume != 1 || rep.Person != 1 || rep.FirstResponseMean != 90 || rep.ResolutionMean != 150 || rep.Ratings[1] != 1 || rep.Flagged != 1 {
		t.Fatalf("report %+v", rep)
	}
	// The graduate never sees the note (staff view has it).
	v := e.thread(r.Thread.ID)
	notes := 0
	for _, m := range v.Messages {
		if m.Direction == store.DirNote {
			notes++
		}
	}
	if notes != 1 {
		t.Fatalf("notes %d", notes)
	}
	// Another hall does not see the thread.
	if _, err := e.db.ConsultThreadFor(ctx, e.other.ID, r.Thread.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("other hall: %v", err)
	}
}

func TestConsultAfter48HoursOffersSMS(t *testing.T) {
	e := newConsultEnv(t)
	r := e.wechat("oGrad4", "人工", "msg:5")
	e.now = e.now.Add(48*time.Hour + time.Minute)
	res, err := e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "抱歉回复晚了"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Send != nil || res.Blocked != "consult.kf_expired" || res.Thread.Offer != "sms" || res.Message.Delivery != "blocked" {
		t.Fatalf("after 48 h: %+v", res)
	}
	if _, err := e.db.ConsultSMS(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "抱歉回复晚了"}, ""); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("SMS without a phone: %v", err)
	}
	sms, err := e.db.ConsultSMS(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "抱歉回复晚了", IdempotencyKey: "s1"}, "13812345678")
	if err != nil || sms.Thread.Offer != "" {
		t.Fatalf("sms %+v %v", sms, err)
	}
	out, err := e.db.OutboxMessages(ctx, 10)
	if err != nil || len(out) != 1 || out[0].Kind != "consult_reply" {
		t.Fatalf("outbox %+v %v", out, err)
	}
	// Five customer-service messages, then the sixth is refused.
	r = e.wechat("oGrad5", "人工", "msg:6")
	for i := 0; i < consult.KFMax; i++ {
		res, err := e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "第几条"})
		if err != nil || res.Send == nil {
			t.Fatalf("message %d: %+v %v", i+1, res, err)
		}
	}
	res, err = e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "第六条"})
	if err != nil || res.Send != nil || res.Blocked != "consult.kf_used_up" {
		t.Fatalf("sixth: %+v %v", res, err)
	}
}

var codeRE = regexp.MustCompile(`\d{6}`)

func TestConsultWebThread(t *testing.T) {
	e := newConsultEnv(t)
	phone := "13912345678"
	if err := e.db.RequestPhoneCode(ctx, e.hall.ID, phone); err != nil {
		t.Fatal(err)
	}
	out, _ := e.db.OutboxMessages(ctx, 10)
	code := codeRE.FindString(out[0].Body)
	if _, err := e.db.ConsultWebStart(ctx, e.hall.ID, phone, "000000"); !apperr.Is(err, apperr.Invalid) && code != "000000" {
		t.Fatalf("wrong code: %v", err)
	}
	tok, err := e.db.ConsultWebStart(ctx, e.hall.ID, phone, code)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.db.ConsultWebThread(ctx, tok)
	if err != nil || v.Thread.Graduate != "139****5678" {
		t.Fatalf("%+v %v", v.Thread, err)
	}
	r, err := e.db.ConsultReceive(ctx, store.ConsultInbound{HallID: e.hall.ID, Channel: consult.Web, ThreadID: v.Thread.ID, Kind: "text", Body: "灵活就业有社保补贴吗"})
	if err != nil || !strings.Contains(r.Reply, "财社〔2017〕164号") {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := e.db.ConsultReceive(ctx, store.ConsultInbound{HallID: e.hall.ID, Channel: consult.Web, ThreadID: v.Thread.ID, Kind: "text", Body: "人工"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: v.Thread.ID, By: "consult", Body: "内部：需查档", Note: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: v.Thread.ID, By: "consult", Body: "您好"}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.ConsultWebRate(ctx, tok, 5, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("rating before resolution: %v", err)
	}
	if _, err := e.db.ConsultStatus(ctx, e.hall.ID, v.Thread.ID, consult.Resolved, time.Time{}, "consult"); err != nil {
		t.Fatal(err)
	}
	if err := e.db.ConsultWebRate(ctx, tok, 4, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.db.ConsultWebRate(ctx, tok, 4, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("rated twice: %v", err)
	}
	v, _ = e.db.ConsultWebThread(ctx, tok)
	for _, m := range v.Messages {
		if m.Direction != store.DirIn && m.Direction != store.DirOut {
			t.Fatalf("graduate sees %+v", m)
		}
		if strings.Contains(m.Body, "内部") {
			t.Fatal("graduate sees the note")
		}
	}
	// The same phone again: the same thread, a new token; the old one is dead.
	if err := e.db.RequestPhoneCode(ctx, e.hall.ID, phone); !apperr.Is(err, apperr.RateLimited) {
		t.Fatalf("second code within a minute: %v", err)
	}
	// Hand-over only to a consultant of the hall.
	if err := e.db.ConsultAssign(ctx, e.hall.ID, v.Thread.ID, "nobody", "consult"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("assign to nobody: %v", err)
	}
	u, err := e.db.CreateUserIn(ctx, e.hall.ID, "zixun2", "咨询员二", auth.Consultant, "Consult-Two-2026")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SaveStaff(ctx, hall.Staff{HallID: e.hall.ID, StaffNo: "ZX02", Name: "咨询员二", Post: "就业咨询员", UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.ConsultAssign(ctx, e.hall.ID, v.Thread.ID, "zixun2", "consult"); err != nil {
		t.Fatal(err)
	}
}

// TestConsultLateReply: an automatic reply sent late uses one of the
// thread's customer-service messages.
func TestConsultLateReply(t *testing.T) {
	e := newConsultEnv(t)
	r := e.wechat("oGrad9", "人工", "msg:9")
	if err := e.db.ConsultReplyLate(ctx, e.hall.ID, r.ReplyID); err != nil {
		t.Fatal(err)
	}
	if err := e.db.ConsultReplyLate(ctx, e.other.ID, r.ReplyID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("other hall: %v", err)
	}
	v := e.thread(r.Thread.ID)
	if v.Thread.KFSince != 1 || v.Messages[len(v.Messages)-1].Via != "kf" {
		t.Fatalf("%+v %+v", v.Thread, v.Messages)
	}
}

// TestConsultPhoneResealed: a key rotation re-seals the phones of web
// threads too, so the old key can be retired without stranding them.
func TestConsultPhoneResealed(t *testing.T) {
	e := newConsultEnv(t)
	ring := pii.GenerateKeyring()
	s1, _ := pii.NewSealer(ring)
	e.db.SetPII(s1)
	phone := "13700001111"
	if err := e.db.RequestPhoneCode(ctx, e.hall.ID, phone); err != nil {
		t.Fatal(err)
	}
	out, _ := e.db.OutboxMessages(ctx, 10)
	if _, err := e.db.ConsultWebStart(ctx, e.hall.ID, phone, codeRE.FindString(out[0].Body)); err != nil {
		t.Fatal(err)
	}
	ring2, err := ring.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := pii.NewSealer(ring2)
	e.db.SetPII(s2)
	// The thread's phone, the code's phone and the SMS in the outbox.
	usage, _ := e.db.PIIKeyUsage(ctx)
	old := usage[ring.Current()]
	if old < 3 {
		t.Fatalf("usage before %v", usage)
	}
	if n, err := e.db.ResealPII(ctx, s2, 10); err != nil || n != old {
		t.Fatalf("resealed %d of %d: %v", n, old, err)
	}
	usage, _ = e.db.PIIKeyUsage(ctx)
	if usage[ring.Current()] != 0 || usage[ring2.Current()] != old {
		t.Fatalf("usage after %v", usage)
	}
	list, _ := e.db.ConsultQueue(ctx, store.ConsultQueueFilter{HallID: e.hall.ID, Status: "all"})
	if _, err := e.db.ConsultSMS(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: list[0].ID, By: "consult", Body: "您好"}, ""); err != nil {
		t.Fatalf("the re-sealed phone does not open: %v", err)
	}
}
