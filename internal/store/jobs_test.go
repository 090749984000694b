package store_test

import (
	"context"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// twoInstances opens the same fresh database twice, as two `mingbai serve`
// instances would, both on one controllable clock.
// The clock is set through SetClock, which is safe for the background
// writers that read it.
func twoInstances(t *testing.T) (a, b *store.DB, clock *time.Time, tick func(time.Duration)) {
	t.Helper()
	cfg := storetest.Config(t)
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a = open()
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	b = open()
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	clock = &now
	tick = func(d time.Duration) {
		now = now.Add(d)
		at := now
		a.SetClock(func() time.Time { return at })
		b.SetClock(func() time.Time { return at })
	}
	tick(0)
	return a, b, clock, tick
}

// TestClaimJobOneInstanceAPeriod: of two instances on one database, one
// takes each period's run; the job falls due again a tenth of its period
// early (JobSlack), and a forced claim (the run at start) is always taken.
func TestClaimJobOneInstanceAPeriod(t *testing.T) {
	a, b, clock, tick := twoInstances(t)
	ctx := context.Background()
	const period = 20 * time.Second
	claim := func(db *store.DB, force bool) bool {
		t.Helper()
		ok, err := db.ClaimJob(ctx, "duty alerts", period, force)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim(a, false) {
		t.Fatal("the first claim of a job never run was not taken")
	}
	if claim(b, false) || claim(a, false) {
		t.Fatal("a job taken this period was taken again")
	}
	tick(period*90/100 - time.Millisecond)
	if claim(b, false) {
		t.Fatal("taken before it was due")
	}
	tick(time.Millisecond)
	if !claim(b, false) {
		t.Fatal("not taken once due")
	}
	if claim(a, false) {
		t.Fatal("taken by both instances in one period")
	}
	if !claim(a, true) {
		t.Fatal("a forced claim (the run at start) was refused")
	}
	// Another job is due on its own.
	if ok, err := b.ClaimJob(ctx, "rollups", 30*time.Second, false); err != nil || !ok {
		t.Fatalf("another job: %v %v", ok, err)
	}
	runs, err := a.JobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Name != "duty alerts" || runs[1].Name != "rollups" {
		t.Fatalf("job runs %+v", runs)
	}
	if want := clock.Add(period * 90 / 100); !runs[0].Due.Equal(want) || !runs[0].Taken.Equal(*clock) || runs[0].Instance == "" {
		t.Errorf("duty alerts row %+v, want due %v taken %v by a named instance", runs[0], want, *clock)
	}
	if _, err := a.ClaimJob(ctx, "", period, false); err == nil {
		t.Error("a job without a name was claimed")
	}
	if _, err := a.ClaimJob(ctx, "x", 0, false); err == nil {
		t.Error("a job without a period was claimed")
	}
}
