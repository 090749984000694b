package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"mingbai/internal/events"
	"mingbai/internal/hall"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
)

// TestConfigureWeChat: the account comes from the environment; a wrong
// hall or EncodingAESKey stops the start-up with a message naming the
// variable; no MINGBAI_WECHAT_HALL configures nothing.
func TestConfigureWeChat(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	if _, err := db.CreateHall(ctx, hall.Hall{Code: "demo", Name: "大厅", Timezone: "Asia/Shanghai", Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(db, events.NewBroker(8), log, web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if err := configureWeChat(ctx, db, srv, env(nil), log); err != nil {
		t.Fatalf("nothing configured: %v", err)
	}
	good := map[string]string{"MINGBAI_WECHAT_HALL": "demo", "MINGBAI_WECHAT_TOKEN": "spamtest", "MINGBAI_WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "MINGBAI_WECHAT_APPID": "wx2c2769f8efd9abc2"}
	if err := configureWeChat(ctx, db, srv, env(good), log); err != nil {
		t.Fatalf("good account: %v", err)
	}
	for k, v := range map[string]string{"MINGBAI_WECHAT_HALL": "nohall", "MINGBAI_WECHAT_AES_KEY": "short", "MINGBAI_WECHAT_MAX_SKEW": "soon", "MINGBAI_WECHAT_MODE": "compat"} {
		bad := map[string]string{}
		for a, b := range good {
			bad[a] = b
		}
		bad[k] = v
		if err := configureWeChat(ctx, db, srv, env(bad), log); err == nil || !strings.Contains(err.Error(), "MINGBAI_WECHAT") {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
