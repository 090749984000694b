package demo_test

import (
	"context"
	"testing"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/store/storetest"
)

// TestKeepRoster: the demo's leader is on the published roster of every
// remaining working day of the month from a demo start-up on, and a second
// start-up adds nothing.
func TestKeepRoster(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	db.SetClock(func() time.Time { return time.Date(2026, 12, 2, 7, 0, 0, 0, shanghai) }) // Wednesday, before opening
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	n, err := demo.KeepRoster(ctx, db, res.Hall.ID)
	if err != nil {
		t.Fatal(err)
	}
	// December 2026 from the 2nd: 22 working days (weekdays, no public
	// holiday), two halves each. Count what the roster holds rather than
	// trusting n.
	dec, err := db.ListRoster(ctx, res.Hall.ID, "2026-12", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(dec) != 2*22 {
		t.Fatalf("published December shifts: %d, want 44", len(dec))
	}
	for _, s := range dec {
		if s.Day < "2026-12-02" || s.State != "published" || s.LeaderName == "" {
			t.Fatalf("shift %+v", s)
		}
		if d, _ := time.ParseInLocation("2006-01-02", s.Day, shanghai); d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			t.Fatalf("shift on a weekend: %s", s.Day)
		}
	}
	again, err := demo.KeepRoster(ctx, db, res.Hall.ID)
	if err != nil || again != n {
		t.Fatalf("second start-up: %d (first %d), %v", again, n, err)
	}
	if dec2, _ := db.ListRoster(ctx, res.Hall.ID, "2026-12", false); len(dec2) != len(dec) {
		t.Fatalf("second start-up changed the roster: %d → %d", len(dec), len(dec2))
	}
}
