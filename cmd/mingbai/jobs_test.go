package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mingbai/internal/notify"
	"mingbai/internal/store"
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

// TestSharedJobRunsOnOneInstanceAPeriod: two instances' loops of a shared
// job on one database, each ticking every few milliseconds, run it once
// each at start and then once a period between them. The database clock
// stands still, so however often they tick nothing else is due; moved on
// by a period, exactly one of them runs it once more.
func TestSharedJobRunsOnOneInstanceAPeriod(t *testing.T) {
	cfg := storetest.Config(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var dbs []*store.DB
	for i := 0; i < 2; i++ {
		db, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		db.SetClock(func() time.Time { return now })
		dbs = append(dbs, db)
	}
	var runs atomic.Int64
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var wg sync.WaitGroup
	for _, db := range dbs {
		// The ticker's period is real time; ClaimJob's, the database's.
		loop := shared(db, 5*time.Millisecond, true, log, "scan", func(context.Context) error { runs.Add(1); return nil })
		wg.Add(1)
		go func() { defer wg.Done(); loop(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()
	waitRuns := func(want int64) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); runs.Load() < want && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // twenty more ticks of each loop
		if got := runs.Load(); got != want {
			t.Fatalf("runs = %d, want %d", got, want)
		}
	}
	waitRuns(2) // each instance at its start
	later := now.Add(5 * time.Millisecond)
	for _, db := range dbs {
		db.SetClock(func() time.Time { return later })
	}
	waitRuns(3)
}
