package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/notify"
	"mingbai/internal/notify/cloudtest"
	"mingbai/internal/notify/smpptest"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

var ctx = context.Background()

// clock is a controllable clock shared by the store and the sender.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const outIDTag = 0x1401

type rig struct {
	db     *store.DB
	centre *smpptest.Server
	smpp   *notify.SMPP
	sender *notify.Sender
	clock  *clock
}

// newRig binds our SMPP provider to a fresh fake centre, with a clock at
// 10:00 Shanghai time (inside the sending window).
func newRig(t *testing.T, timeout time.Duration, decide func(n int, to string) smpptest.Action) *rig {
	t.Helper()
	centre, err := smpptest.Start()
	if err != nil {
		t.Fatal(err)
	}
	centre.OutIDTag = outIDTag
	centre.Decide = decide
	t.Cleanup(centre.Close)
	db := storetest.Open(t)
	clk := &clock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	db.SetClock(clk.Now)
	p := notify.DialSMPP(notify.SMPPConfig{Addr: centre.Addr(), SystemID: "mingbai", Password: "secret", SourceAddr: "106900001234",
		SubmitTimeout: timeout, OutIDTag: outIDTag, Sink: db, Log: db.Log, RebindMin: 10 * time.Millisecond, RebindMax: 50 * time.Millisecond})
	t.Cleanup(func() { p.Close() })
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.WaitBound(wctx); err != nil {
		t.Fatal("no bind:", err)
	}
	s := &notify.Sender{Outbox: db, Provider: func(int64) notify.Provider { return p }, Log: db.Log, Now: clk.Now, QueryAfter: time.Minute}
	return &rig{db: db, centre: centre, smpp: p, sender: s, clock: clk}
}

func (r *rig) enqueue(t *testing.T, m notify.Message) int64 {
	t.Helper()
	var id int64
	if err := r.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.Enqueue(m)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (r *rig) state(t *testing.T, id int64) string {
	t.Helper()
	var st string
	if err := r.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT state FROM outbox WHERE id = ?", id).Scan(&st)
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSMPPChineseMessageInTwoPartsDeliveredAfterBothReceipts(t *testing.T) {
	r := newRig(t, 5*time.Second, nil)
	text := "【人社服务大厅】" + strings.Repeat("您的养老保险费本月尚未缴纳请按时办理", 6)
	text = string([]rune(text)[:100])
	if n := len([]rune(text)); n != 100 {
		t.Fatalf("test text has %d characters", n)
	}
	id := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138000", Body: text, Kind: "sms_code"})
	r.sender.Drain(ctx)
	subs := r.centre.Submissions()
	if len(subs) != 2 {
		t.Fatalf("centre got %d submissions, want 2", len(subs))
	}
	if len(subs[0].ShortMessage) != 140 || len(subs[1].ShortMessage) != 72 {
		t.Fatalf("part sizes %d and %d, want 140 and 72", len(subs[0].ShortMessage), len(subs[1].ShortMessage))
	}
	if subs[0].Seq == subs[1].Seq {
		t.Fatalf("both parts have sequence number %d", subs[0].Seq)
	}
	for _, s := range subs {
		if s.DataCoding != notify.DataCodingUCS2 || s.EsmClass&0x40 == 0 || s.To != "13800138000" {
			t.Fatalf("part sent with data_coding %d esm_class %#x to %s", s.DataCoding, s.EsmClass, s.To)
		}
	}
	got, err := notify.Reassemble([][]byte{subs[1].ShortMessage, subs[0].ShortMessage})
	if err != nil || got != text {
		t.Fatalf("reassembled %q, %v", got, err)
	}
	if st := r.state(t, id); st != notify.StateAccepted {
		t.Fatalf("after submission state %s, want accepted", st)
	}
	// Receipt returns once we acknowledged it; we acknowledge only after
	// storing it, so the state is already visible.
	if err := r.centre.Receipt(subs[0].MsgID, "13800138000", "DELIVRD"); err != nil {
		t.Fatal(err)
	}
	if st := r.state(t, id); st != notify.StateAccepted {
		t.Fatalf("after one receipt state %s, want accepted", st)
	}
	if err := r.centre.Receipt(subs[1].MsgID, "13800138000", "DELIVRD"); err != nil {
		t.Fatal(err)
	}
	if st := r.state(t, id); st != notify.StateDelivered {
		t.Fatalf("after both receipts state %s, want delivered", st)
	}
	// Nothing is sent again.
	r.sender.Drain(ctx)
	if n := r.centre.Count(); n != 2 {
		t.Fatalf("centre has %d submissions after a second drain", n)
	}
}

func TestSMPPReceiptNotAcknowledgedUntilStored(t *testing.T) {
	r := newRig(t, 5*time.Second, nil)
	r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138000", Body: "【人社服务大厅】验证码123456", Kind: "sms_code"})
	r.sender.Drain(ctx)
	subs := r.centre.Submissions()
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	// A database that refuses writes: the receipt is refused, not acked.
	r.db.Close()
	if err := r.centre.Receipt(subs[0].MsgID, "13800138000", "DELIVRD"); err == nil {
		t.Fatal("receipt acknowledged although it could not be stored")
	}
	if r.centre.Unacked() != 1 {
		t.Fatalf("unacked = %d, want 1", r.centre.Unacked())
	}
}

func TestSMPPThrottledAndTimedOutNeverDuplicate(t *testing.T) {
	// 1st submission throttled, 2nd swallowed (no answer: timeout), 3rd
	// swallowed and the connection dropped; everything else accepted.
	r := newRig(t, 300*time.Millisecond, func(n int, to string) smpptest.Action {
		switch n {
		case 1:
			return smpptest.Throttle
		case 2:
			return smpptest.Swallow
		case 3:
			return smpptest.SwallowAndDrop
		}
		return smpptest.Accept
	})
	var ids []int64
	for _, phone := range []string{"13800138001", "13800138002", "13800138003", "13800138004"} {
		ids = append(ids, r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: phone, Body: "【人社服务大厅】您的业务已办结。", Kind: "sms_code"}))
	}
	for round := 0; round < 12; round++ {
		r.sender.Drain(ctx)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := r.smpp.WaitBound(wctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		r.clock.Add(2 * time.Minute) // past throttling back-off and query delay
	}
	subs := r.centre.Submissions()
	per := map[string]int{}
	for _, s := range subs {
		per[s.To]++
	}
	for phone, n := range per {
		if n != 1 {
			t.Errorf("%s got %d submissions at the centre", phone, n)
		}
	}
	if len(per) != 4 || len(subs) != 4 {
		t.Fatalf("centre holds %d submissions for %d numbers, want 4 and 4", len(subs), len(per))
	}
	for _, id := range ids {
		if st := r.state(t, id); st != notify.StateAccepted {
			t.Errorf("message %d is %s, want accepted", id, st)
		}
	}
	if r.centre.Binds() < 2 {
		t.Errorf("centre saw %d binds; the dropped connection should have been rebound", r.centre.Binds())
	}
}

func TestReminderQueuedAt23WaitsForTheWindow(t *testing.T) {
	r := newRig(t, 5*time.Second, nil)
	// 23:00 in Shanghai.
	r.clock.mu.Lock()
	r.clock.t = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	r.clock.mu.Unlock()
	id := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138000", Body: "【人社服务大厅】提醒：本月养老保险费尚未缴纳。", Kind: "remind_pension"})
	code := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13900139000", Body: "【人社服务大厅】验证码 123456", Kind: "sms_code"})
	r.sender.Drain(ctx)
	if n := r.centre.Count(); n != 1 {
		t.Fatalf("at 23:00 the centre got %d messages, want only the code", n)
	}
	if st := r.state(t, code); st != notify.StateAccepted {
		t.Fatalf("code is %s", st)
	}
	r.clock.Add(8*time.Hour + 59*time.Minute) // 07:59
	r.sender.Drain(ctx)
	if n := r.centre.Count(); n != 1 {
		t.Fatalf("at 07:59 the centre got %d messages", n)
	}
	r.clock.Add(time.Minute) // 08:00
	r.sender.Drain(ctx)
	if n := r.centre.Count(); n != 2 {
		t.Fatalf("at 08:00 the centre got %d messages, want 2", n)
	}
	if st := r.state(t, id); st != notify.StateAccepted {
		t.Fatalf("reminder is %s", st)
	}
}

func TestOptOutReplyOverSMPPStopsReminders(t *testing.T) {
	r := newRig(t, 5*time.Second, nil)
	queued := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138000", Body: "【人社服务大厅】提醒一", Kind: "remind_pension"})
	if err := r.centre.Reply("8613800138000", "退订"); err != nil {
		t.Fatal(err)
	}
	// A reply that is not a keyword changes nothing.
	if err := r.centre.Reply("13900139000", "谢谢"); err != nil {
		t.Fatal(err)
	}
	err := r.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: "13800138000", Body: "【人社服务大厅】提醒二", Kind: "remind_pension"})
		return err
	})
	if !errors.Is(err, store.ErrOptedOut) {
		t.Fatalf("new reminder to an opted-out number: %v", err)
	}
	other := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13900139000", Body: "【人社服务大厅】提醒三", Kind: "remind_pension"})
	code := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138000", Body: "【人社服务大厅】验证码 654321", Kind: "sms_code"})
	r.sender.Drain(ctx)
	subs := r.centre.Submissions()
	for _, s := range subs {
		if s.To == "13800138000" && !strings.Contains(notify.DecodeUCS2(s.ShortMessage), "验证码") {
			t.Fatalf("a reminder reached the opted-out number: %q", notify.DecodeUCS2(s.ShortMessage))
		}
	}
	if len(subs) != 2 {
		t.Fatalf("centre got %d messages, want the other reminder and the code", len(subs))
	}
	if st := r.state(t, queued); st != notify.StateFailed {
		t.Fatalf("reminder queued before the opt-out is %s, want failed", st)
	}
	for _, id := range []int64{other, code} {
		if st := r.state(t, id); st != notify.StateAccepted {
			t.Fatalf("message %d is %s", id, st)
		}
	}
	var n int
	r.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM audit_log WHERE action = 'notify.optout'").Scan(&n)
	})
	if n != 1 {
		t.Fatalf("%d opt-out audit records", n)
	}
}

// BenchmarkSendThroughProvider measures messages per second from the
// outbox (real SQLite or PostgreSQL) to the fake centre, receipts
// included: go test -run '^$' -bench SendThrough ./internal/notify/
func BenchmarkSendThroughProvider(b *testing.B) {
	for _, name := range []string{"smpp", "cloud", "log"} {
		b.Run(name, func(b *testing.B) {
			centre, err := smpptest.Start()
			if err != nil {
				b.Fatal(err)
			}
			defer centre.Close()
			centre.AutoReceipt = true
			db := storetest.Open(b)
			db.SetClock(func() time.Time { return time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) })
			var p notify.Provider = notify.LogProvider{Log: slogDiscard()}
			if name == "smpp" {
				sp := notify.DialSMPP(notify.SMPPConfig{Addr: centre.Addr(), SystemID: "b", SourceAddr: "1069", Sink: db, Log: slogDiscard()})
				defer sp.Close()
				if err := sp.WaitBound(ctx); err != nil {
					b.Fatal(err)
				}
				p = sp
			}
			var gw *cloudtest.Gateway
			if name == "cloud" {
				gw = cloudtest.Start("k", "s")
				defer gw.Close()
				p = notify.NewCloud(notify.CloudConfig{Name: "cloud", Vendor: notify.Aliyun{}, Log: slogDiscard(),
					Account: notify.CloudAccount{Endpoint: gw.URL(), AccessKeyID: "k", Secret: "s", SignName: "人社服务大厅"}})
			}
			s := &notify.Sender{Outbox: db, Provider: func(int64) notify.Provider { return p }, Log: slogDiscard(), Now: db.Now,
				Approval: func(context.Context, string, string) (string, error) { return "SMS_1", nil }}
			err = db.Write(ctx, func(tx *store.Tx) error {
				for i := 0; i < b.N; i++ {
					if _, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: fmt.Sprintf("139%08d", i), Kind: "sms_code",
						Params: map[string]string{"code": "123456", "minutes": "10"}}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			s.Drain(ctx)
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
			if name == "smpp" && centre.Count() != b.N {
				b.Fatalf("centre got %d of %d", centre.Count(), b.N)
			}
			if name == "cloud" && gw.Count() != b.N {
				b.Fatalf("gateway got %d of %d", gw.Count(), b.N)
			}
		})
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Unknown parts are queried concurrently (four workers); each query must
// get its own answer. gosmpp gives query_sm no sequence number, so before
// the fix every query went out as 0 and the answers were crossed: a
// message settled with another's id (never sent), a sent one was "not
// found" and sent again — the kill -9 test's lost and duplicate messages.
func TestSMPPConcurrentQueriesGetTheirOwnAnswers(t *testing.T) {
	r := newRig(t, 300*time.Millisecond, func(n int, to string) smpptest.Action {
		if n <= 4 {
			return smpptest.Swallow // at the centre, answer lost
		}
		return smpptest.Accept
	})
	ids := map[string]int64{}
	for i := 0; i < 4; i++ {
		to := fmt.Sprintf("1380000000%d", i)
		ids[to] = r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: to, Kind: "turn_near", Params: map[string]string{"ticket": "A1"}})
	}
	r.sender.Drain(ctx) // four timeouts: unknown
	// Four more that a "dead sender" marked submitting and never sent.
	var dead []int64
	for i := 4; i < 8; i++ {
		to := fmt.Sprintf("1380000000%d", i)
		ids[to] = r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: to, Kind: "turn_near", Params: map[string]string{"ticket": "A1"}})
		dead = append(dead, ids[to])
	}
	ms, err := r.db.ClaimOutbox(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		for _, d := range dead {
			if m.ID == d {
				if err := r.db.PartSubmitting(ctx, m.ID, 1, 1, r.smpp.Name()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	r.clock.Add(2 * time.Minute) // leases and query waits are over
	for i := 0; i < 3; i++ {
		r.sender.Drain(ctx)
		r.clock.Add(2 * time.Minute)
	}
	msgOf := map[string]string{}
	for _, s := range r.centre.Submissions() {
		if msgOf[s.To] != "" {
			t.Errorf("%s submitted twice", s.To)
		}
		msgOf[s.To] = s.MsgID
	}
	for to, id := range ids {
		var st, mid string
		if err := r.db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow("SELECT state, provider_msg_id FROM outbox_parts WHERE outbox_id = ?", id).Scan(&st, &mid)
		}); err != nil {
			t.Fatal(err)
		}
		if msgOf[to] == "" || mid != msgOf[to] || st != notify.StateAccepted {
			t.Errorf("%s: part %s with message id %q; the centre's is %q", to, st, mid, msgOf[to])
		}
	}
}
