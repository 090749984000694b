package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/web"
)

// configureWeChat sets up the official account of a hall from the
// environment (secrets stay out of the command line and its ps listing):
//
//	MINGBAI_WECHAT_HALL       hall code (or id) whose account it is
//	MINGBAI_WECHAT_TOKEN      Token entered on the platform
//	MINGBAI_WECHAT_AES_KEY    EncodingAESKey (43 characters; safe mode)
//	MINGBAI_WECHAT_MODE       safe (default) or plaintext
//	MINGBAI_WECHAT_APPID      AppID
//	MINGBAI_WECHAT_SECRET     AppSecret (customer-service messages)
//	MINGBAI_WECHAT_API        API base URL (default https://api.weixin.qq.com)
//	MINGBAI_WECHAT_MAX_SKEW   accepted age of a callback timestamp (default 5m)
//
// Nothing is configured when MINGBAI_WECHAT_HALL is empty.
func configureWeChat(ctx context.Context, db *store.DB, srv *web.Server, env func(string) string, log *slog.Logger) error {
	code := env("MINGBAI_WECHAT_HALL")
	if code == "" {
		return nil
	}
	halls, err := db.ListHalls(ctx)
	if err != nil {
		return err
	}
	var hallID int64
	for _, h := range halls {
		if h.Code == code || strconv.FormatInt(h.ID, 10) == code {
			hallID = h.ID
		}
	}
	if hallID == 0 {
		return fmt.Errorf("MINGBAI_WECHAT_HALL: no hall %q", code)
	}
	a := web.WeChatAccount{HallID: hallID, Token: env("MINGBAI_WECHAT_TOKEN"), EncodingAESKey: env("MINGBAI_WECHAT_AES_KEY"),
		Mode: env("MINGBAI_WECHAT_MODE"), AppID: env("MINGBAI_WECHAT_APPID"), AppSecret: env("MINGBAI_WECHAT_SECRET"), APIBase: env("MINGBAI_WECHAT_API")}
	if v := env("MINGBAI_WECHAT_MAX_SKEW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("MINGBAI_WECHAT_MAX_SKEW: %q is not a duration such as 5m", v)
		}
		a.MaxSkew = d
	}
	if err := srv.SetWeChat(a); err != nil {
		return fmt.Errorf("MINGBAI_WECHAT_*: %w", err)
	}
	log.Info("wechat account configured", "hall", code, "callback", fmt.Sprintf("/wechat/%d", hallID), "mode", a.Mode)
	return nil
}
