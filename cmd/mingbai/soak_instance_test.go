package main

import (
	"context"
	"testing"
	"time"

	"mingbai/internal/soak"
	"mingbai/internal/store/storetest"
)

// TestInstanceLoss runs two servers on one PostgreSQL database, screens
// on the first, clerks and kiosks working through it; the first is killed
// with SIGKILL under load. The screens move to the second and resume from
// Last-Event-ID without missing a call; requests that got no answer were
// either committed (read back, or answered 200 on a retry with their
// idempotency key) or not; nothing acknowledged is lost.
func TestInstanceLoss(t *testing.T) {
	dsn := storetest.PGDSN()
	if dsn == "" {
		t.Skip("two instances share PostgreSQL: set MINGBAI_TEST_PG")
	}
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := soak.InstanceLoss(ctx, soak.InstanceLossConfig{Bin: bin, Dir: t.TempDir(), DSN: dsn, Screens: 3,
		Log: func(f string, a ...any) { t.Logf(f, a...) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s screens resumed %v after the kill", res.Row(), res.Resume.Round(time.Millisecond))
	if !res.OK() || res.Resume < 0 {
		t.Fatalf("instance loss: %v", res.Problems)
	}
	if res.Acknowledged < 20 || res.Events < 10 || res.Unacknowledged == 0 {
		t.Fatalf("too little happened: %s", res.Row())
	}
}
