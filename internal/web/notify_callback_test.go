package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"mingbai/internal/notify"
	"mingbai/internal/notify/cloudtest"
	"mingbai/internal/store"
)

// cloudSetup binds a cloud provider named "cloud" to a fake gateway whose
// pushes go to this server's callback routes.
func cloudSetup(t *testing.T, e *hallEnv) (*cloudtest.Gateway, *notify.Sender) {
	t.Helper()
	gw := cloudtest.Start("LTAI-web", "gw-secret")
	t.Cleanup(gw.Close)
	gw.CallbackURL, gw.CallbackSecret = e.HTTP.URL+"/api/v1/sms/cloud", "cb-secret"
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := notify.NewCloud(notify.CloudConfig{Name: "cloud", Vendor: notify.Aliyun{}, CallbackSecret: "cb-secret", Log: quiet,
		Account: notify.CloudAccount{Endpoint: gw.URL(), AccessKeyID: "LTAI-web", Secret: "gw-secret", SignName: "人社服务大厅"}})
	e.Server.SetSMS(func(int64) notify.Provider { return c }, map[string]notify.Provider{"cloud": c})
	sender := &notify.Sender{Outbox: e.DB, Provider: func(int64) notify.Provider { return c }, Log: quiet,
		Approval: func(context.Context, string, string) (string, error) { return "SMS_1", nil }}
	return gw, sender
}

func outboxState(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	var st string
	if err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow("SELECT state FROM outbox WHERE id = ?", id).Scan(&st)
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// A signed delivery report pushed to the callback route makes the message
// delivered; a forged, stale or replayed push is refused and changes
// nothing; an opt-out reply stops reminders.
func TestSMSPushCallbacks(t *testing.T) {
	e := newHall(t)
	gw, sender := cloudSetup(t, e)
	var id int64
	if err := e.DB.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: "13812345670", Kind: "turn_near", Params: map[string]string{"ticket": "A1"}, HallID: e.Hall})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sender.Drain(context.Background())
	if st := outboxState(t, e.DB, id); st != notify.StateAccepted {
		t.Fatalf("after sending: %s", st)
	}
	var biz string
	for _, m := range gw.Messages() { // the demo's queued messages went too
		if m.To == "13812345670" {
			biz = m.BizID
		}
	}

	// Forged: signed with another secret.
	body := []byte(`[{"phone_number":"13812345670","success":true,"err_code":"DELIVERED","biz_id":"` + biz + `"}]`)
	good := gw.CallbackSecret
	gw.CallbackSecret = "guessed"
	if code, err := gw.Push("/receipts", body, time.Now(), "n-forged"); err != nil || code != http.StatusUnauthorized {
		t.Fatalf("forged push: %d %v", code, err)
	}
	gw.CallbackSecret = good
	// Stale: ten minutes old.
	if code, _ := gw.Push("/receipts", body, time.Now().Add(-10*time.Minute), "n-stale"); code != http.StatusUnauthorized {
		t.Fatalf("stale push: %d", code)
	}
	// Unknown provider.
	if code, _ := gw.Push("/../nobody/receipts", body, time.Now(), ""); code == http.StatusOK {
		t.Fatal("push to an unknown provider accepted")
	}
	if st := outboxState(t, e.DB, id); st != notify.StateAccepted {
		t.Fatalf("a refused push changed the message: %s", st)
	}

	if code, err := gw.Push("/receipts", body, time.Now(), "n-1"); err != nil || code != http.StatusOK {
		t.Fatalf("report: %d %v", code, err)
	}
	if st := outboxState(t, e.DB, id); st != notify.StateDelivered {
		t.Fatalf("after the report: %s", st)
	}
	// The same push again (same nonce): a replay.
	if code, _ := gw.Push("/receipts", body, time.Now(), "n-1"); code != http.StatusConflict {
		t.Fatalf("replayed push: %d", code)
	}

	// A reply "TD" opts the number out of reminders.
	if code, err := gw.Reply("13900139000", "TD"); err != nil || code != http.StatusOK {
		t.Fatalf("reply: %d %v", code, err)
	}
	var out bool
	if err := e.DB.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.OptedOut("13900139000")
		return err
	}); err != nil || !out {
		t.Fatalf("opt-out by reply not recorded: %v %v", out, err)
	}
}
