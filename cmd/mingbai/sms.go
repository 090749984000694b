package main

import (
	"fmt"
	"log/slog"
	"strconv"

	"mingbai/internal/notify"
	"mingbai/internal/store"
)

// smsProviders starts the providers named in the SMS configuration file
// and installs each hall's sending policy; without a file every hall uses
// the log provider and the default window.
func smsProviders(path string, db *store.DB, log *slog.Logger) (func(int64) notify.Provider, func(), error) {
	if path == "" {
		lp := notify.LogProvider{Log: log}
		return func(int64) notify.Provider { return lp }, func() {}, nil
	}
	cfg, err := notify.LoadConfig(path)
	if err != nil {
		return nil, nil, err
	}
	choose, _, closeAll, err := cfg.Build(db, log)
	if err != nil {
		return nil, nil, fmt.Errorf("--sms-config: %w", err)
	}
	db.SetNotifyPolicy(func(hallID int64) store.NotifyPolicy {
		// The window is in hall time: the store fills in the hall's zone.
		h := cfg.Halls[strconv.FormatInt(hallID, 10)]
		w, _ := notify.ParseWindow(h.Window, h.Days, nil)
		return store.NotifyPolicy{Window: w, DailyLimit: h.DailyLimit}
	})
	return choose, closeAll, nil
}
