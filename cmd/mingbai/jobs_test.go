package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"mingbai/internal/notify"
	"mingbai/internal/store/storetest"
)

func TestBackgroundJobsAreListed(t *testing.T) {
	db := storetest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	names := func(keyFile string, baseURL ...string) []string {
		var out []string
		base := ""
		if len(baseURL) > 0 {
			base = baseURL[0]
		}
		for _, j := range backgroundJobs(db, &notify.Sender{Outbox: db, Log: log}, nil, keyFile, base, nil, log) {
			out = append(out, j.Name)
		}
		return out
	}
	want := []string{"outbox", "reminder campaigns", "prune events", "case reminders", "duty alerts", "complaint reminders", "integrity scan", "appointment no-shows", "rollups"}
	if got := names(""); len(got) != len(want) {
		t.Fatalf("jobs %v, want %v", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("job %d = %q, want %q", i, got[i], want[i])
			}
		}
	}
	if got := names("/keys.json"); len(got) != len(want)+1 || got[len(got)-1] != "pii key file" {
		t.Errorf("with a key file: %v", got)
	}
	// Rating invitations link to the public address: only with --base-url.
	if got := names("", "https://hall.example"); len(got) != len(want)+1 || got[len(got)-1] != "rating invitations" {
		t.Errorf("with a base URL: %v", got)
	}
}

// TestDutyScanWithinAMinute: the duty alert scan runs often enough that
// an alert raised at its threshold on a scan (store tests, with a
// controllable clock) reaches the leader within a minute.
func TestDutyScanWithinAMinute(t *testing.T) {
	if dutyScanPeriod <= 0 || dutyScanPeriod > 30*time.Second {
		t.Fatalf("duty alerts scanned every %v: an alert could come more than a minute late on a slow scan", dutyScanPeriod)
	}
}

// TestEveryRunsAtStartAndStops: a loop with now set runs at once, logs
// errors and returns when its context ends.
func TestEveryRunsAtStartAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	loop := every(time.Hour, true, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", func(context.Context) error {
		runs++
		cancel()
		return errors.New("logged, not fatal")
	})
	done := make(chan struct{})
	go func() { loop(ctx); close(done) }()
	<-done
	if runs != 1 {
		t.Errorf("runs = %d, want 1", runs)
	}
}
