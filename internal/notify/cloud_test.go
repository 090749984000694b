package notify_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"mingbai/internal/notify"
	"mingbai/internal/notify/cloudtest"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

type cloudRig struct {
	db     *store.DB
	gw     *cloudtest.Gateway
	cloud  *notify.Cloud
	sender *notify.Sender
	clock  *clock
}

// newCloudRig points a cloud provider at a fresh fake gateway on
// 127.0.0.1, with a clock at 10:00 Shanghai time; every template is
// approved with code SMS_<kind> unless approve says otherwise.
func newCloudRig(t *testing.T, decide func(n int, to string) cloudtest.Action, approve func(kind string) (string, error)) *cloudRig {
	t.Helper()
	gw := cloudtest.Start("LTAI-test", "gateway-secret")
	gw.Decide = decide
	t.Cleanup(gw.Close)
	db := storetest.Open(t)
	clk := &clock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	db.SetClock(clk.Now)
	c := notify.NewCloud(notify.CloudConfig{Name: "cloud", Vendor: notify.Aliyun{}, CallbackSecret: "cb-secret", Timeout: 300 * time.Millisecond,
		Account: notify.CloudAccount{Endpoint: gw.URL(), AccessKeyID: "LTAI-test", Secret: "gateway-secret", SignName: "人社服务大厅"}, Log: slogDiscard()})
	if approve == nil {
		approve = func(kind string) (string, error) { return "SMS_" + kind, nil }
	}
	s := &notify.Sender{Outbox: db, Provider: func(int64) notify.Provider { return c }, Log: slogDiscard(), Now: clk.Now, QueryAfter: time.Minute,
		Approval: func(_ context.Context, provider, kind string) (string, error) { return approve(kind) }}
	return &cloudRig{db: db, gw: gw, cloud: c, sender: s, clock: clk}
}

func (r *cloudRig) enqueue(t *testing.T, m notify.Message) int64 {
	return (&rig{db: r.db}).enqueue(t, m)
}

func (r *cloudRig) state(t *testing.T, id int64) string { return (&rig{db: r.db}).state(t, id) }

// perTo counts the gateway's messages per recipient.
func (r *cloudRig) perTo() map[string]int {
	out := map[string]int{}
	for _, m := range r.gw.Messages() {
		out[m.To]++
	}
	return out
}

// The gateway gets the sign name, the approved template code, the
// parameters as JSON and our out-id; no text.
func TestCloudSendsByApprovedTemplate(t *testing.T) {
	r := newCloudRig(t, nil, nil)
	id := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138000", Kind: "turn_near", Params: map[string]string{"ticket": "A012"}})
	r.sender.Drain(ctx)
	ms := r.gw.Messages()
	if len(ms) != 1 {
		t.Fatalf("gateway has %d messages", len(ms))
	}
	m := ms[0]
	if m.SignName != "人社服务大厅" || m.Template != "SMS_turn_near" || m.Params["ticket"] != "A012" || len(m.Params) != 1 || m.OutID == "" || m.To != "13800138000" {
		t.Fatalf("gateway got %+v", m)
	}
	if st := r.state(t, id); st != notify.StateAccepted {
		t.Fatalf("state %s", st)
	}
	if r.gw.BadSignatures() != 0 {
		t.Fatal("requests were not signed as the gateway expects")
	}
}

// Throttling (vendor code and HTTP 429) and a 5xx that took nothing are
// retried with back-off through the outbox; a 5xx or a hang after the
// gateway took the message becomes unknown and is settled by a status
// query — never by a resend. Each number ends with exactly one message at
// the gateway.
func TestCloudThrottling5xxAndTimeoutsNeverDuplicate(t *testing.T) {
	plan := map[string][]cloudtest.Action{
		"13800000001": {cloudtest.Throttle, cloudtest.TooMany, cloudtest.Accept},
		"13800000002": {cloudtest.FailUntaken, cloudtest.Accept},
		"13800000003": {cloudtest.FailTaken},
		"13800000004": {cloudtest.Hang},
	}
	seen := map[string]int{}
	r := newCloudRig(t, func(n int, to string) cloudtest.Action {
		p := plan[to]
		i := seen[to]
		seen[to]++
		if i < len(p) {
			return p[i]
		}
		return cloudtest.Accept
	}, nil)
	ids := map[string]int64{}
	for to := range plan {
		ids[to] = r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: to, Kind: "turn_near", Params: map[string]string{"ticket": "A1"}})
	}
	for i := 0; i < 12; i++ {
		r.sender.Drain(ctx)
		r.clock.Add(70 * time.Second) // past every back-off and the query wait
	}
	for to, id := range ids {
		if st := r.state(t, id); st != notify.StateAccepted {
			t.Errorf("%s: state %s", to, st)
		}
	}
	per := r.perTo()
	for to := range plan {
		if per[to] != 1 {
			t.Errorf("%s: %d messages at the gateway, want exactly 1", to, per[to])
		}
	}
	if r.gw.Queries() < 3 {
		t.Errorf("%d status queries; the unknown results were not queried", r.gw.Queries())
	}
	if seen["13800000001"] != 3 || seen["13800000002"] != 2 {
		t.Errorf("send requests: %v", seen)
	}
}

// A message without an approved template does not go.
func TestCloudRefusesUnapprovedTemplate(t *testing.T) {
	r := newCloudRig(t, nil, func(string) (string, error) { return "", notify.ErrNotApproved })
	id := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138000", Kind: "turn_near", Params: map[string]string{"ticket": "A1"}})
	r.sender.Drain(ctx)
	if r.gw.Count() != 0 || r.state(t, id) != notify.StateFailed {
		t.Fatalf("gateway %d, state %s", r.gw.Count(), r.state(t, id))
	}
}

// A code not sent within its validity, or a turn-near notice after its
// time, expires instead of going late; an urgent code still in time goes.
func TestMessageExpiresInsteadOfGoingLate(t *testing.T) {
	r := newCloudRig(t, func(n int, to string) cloudtest.Action { return cloudtest.Throttle }, nil)
	code := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138000", Kind: "sms_code", Params: map[string]string{"code": "123456", "minutes": "5"}})
	turn := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138001", Kind: "turn_near", Params: map[string]string{"ticket": "A1"}})
	r.sender.Drain(ctx) // throttled: both wait
	r.clock.Add(6 * time.Minute)
	r.gw.Decide = nil // the gateway takes everything again
	r.sender.Drain(ctx)
	if st := r.state(t, code); st != notify.StateExpired {
		t.Fatalf("code after 6 minutes: %s", st)
	}
	if st := r.state(t, turn); st != notify.StateAccepted {
		t.Fatalf("turn-near within 20 minutes: %s", st)
	}
	late := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138002", Kind: "turn_near", Params: map[string]string{"ticket": "A2"}, ExpiresAt: r.clock.Now().Add(time.Second).UnixMilli()})
	r.clock.Add(2 * time.Second)
	r.sender.Drain(ctx)
	if st := r.state(t, late); st != notify.StateExpired {
		t.Fatalf("explicit expiry: %s", st)
	}
	if per := r.perTo(); per["13800138000"] != 0 || per["13800138002"] != 0 || per["13800138001"] != 1 {
		t.Fatalf("gateway: %v", per)
	}
	// The queue area drops a notice that is no longer needed.
	gone := r.enqueue(t, notify.Message{Channel: notify.SMS, Recipient: "13800138003", Kind: "turn_near", Params: map[string]string{"ticket": "A3"}, DedupeKey: "turn_near:99"})
	if err := r.db.Write(ctx, func(tx *store.Tx) error { return tx.ExpireQueued("turn_near:99") }); err != nil {
		t.Fatal(err)
	}
	r.sender.Drain(ctx)
	if st := r.state(t, gone); st != notify.StateExpired || r.perTo()["13800138003"] != 0 {
		t.Fatalf("dropped notice: %s", st)
	}
}

// A push callback is accepted only with a valid signature inside the
// clock window.
func TestVerifyPush(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`[{"biz_id":"1"}]`)
	ts := "1800000000"
	sig := notify.SignPush("s3cret", ts, "n1", body)
	if err := notify.VerifyPush("s3cret", ts, "n1", sig, body, now); err != nil {
		t.Fatal(err)
	}
	if err := notify.VerifyPush("other", ts, "n1", sig, body, now); !errors.Is(err, notify.ErrPushSignature) {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := notify.VerifyPush("s3cret", ts, "n1", sig, []byte(`[{"biz_id":"2"}]`), now); !errors.Is(err, notify.ErrPushSignature) {
		t.Fatalf("changed body: %v", err)
	}
	if err := notify.VerifyPush("s3cret", ts, "n1", sig, body, now.Add(6*time.Minute)); !errors.Is(err, notify.ErrPushStale) {
		t.Fatalf("stale: %v", err)
	}
	_ = http.StatusOK
}

// A cloud provider is configured per hall, its secrets come from the
// environment (never the file), and a missing callback secret is refused.
func TestCloudConfiguration(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := dir + "/sms.json"
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := notify.LoadConfig(write(`{"providers": {"c": {"type": "cloud", "endpoint": "http://127.0.0.1:1/", "access_key_id": "k", "sign_name": "人社服务大厅", "password_env": "X"}}}`)); err == nil {
		t.Fatal("a cloud provider without a callback secret was accepted")
	}
	if _, err := notify.LoadConfig(write(`{"providers": {"c": {"type": "cloud", "vendor": "nobody", "endpoint": "http://127.0.0.1:1/", "access_key_id": "k", "sign_name": "s", "callback_secret_env": "Y"}}}`)); err == nil {
		t.Fatal("an unknown vendor was accepted")
	}
	cfg, err := notify.LoadConfig(write(`{"providers": {"c": {"type": "cloud", "endpoint": "http://127.0.0.1:1/", "access_key_id": "k", "sign_name": "人社服务大厅",
		"password_env": "MB_TEST_CLOUD_SECRET", "callback_secret_env": "MB_TEST_CLOUD_CB"}}, "halls": {"7": {"provider": "c"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MB_TEST_CLOUD_SECRET", "very-secret-value")
	if _, _, _, err := cfg.Build(nil, slogDiscard()); err == nil || strings.Contains(err.Error(), "very-secret-value") {
		t.Fatalf("missing callback secret: %v", err)
	}
	t.Setenv("MB_TEST_CLOUD_CB", "cb")
	choose, all, closeAll, err := cfg.Build(nil, slogDiscard())
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	if choose(7).Name() != "c" || choose(8).Name() != "log" {
		t.Fatalf("hall 7 uses %s, hall 8 %s", choose(7).Name(), choose(8).Name())
	}
	if _, ok := all["c"].(notify.PushVerifier); !ok {
		t.Fatal("the cloud provider takes no push callbacks")
	}
}
