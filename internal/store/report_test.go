package store_test

import (
	"fmt"
	"math"
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

func TestMonthlyTicketReport(t *testing.T) {
	db := storetest.Open(t)
	h := demoHall(t, db)
	other, err := db.CreateHall(ctx, hall.Hall{Code: "other", Name: "另一大厅", Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}})
	if err != nil {
		t.Fatal(err)
	}
	const minute = int64(60000)
	base := int64(1_772_000_000_000)
	type tk struct {
		hall                      int64
		day, item, state          string
		called, started, finished int64 // minutes after issue, 0 = never
	}
	data := []tk{
		{h.ID, "2026-03-02", "RS-A-001", "done", 5, 6, 16},   // wait 5, service 10
		{h.ID, "2026-03-02", "RS-A-001", "done", 15, 15, 35}, // wait 15, service 20
		{h.ID, "2026-03-02", "RS-B-001", "no_show", 10, 0, 0},
		{h.ID, "2026-03-31", "RS-B-001", "waiting", 0, 0, 0},
		{h.ID, "2026-03-31", "RS-B-001", "done", 2, 3, 7}, // wait 2, service 4
		{h.ID, "2026-04-01", "RS-A-001", "done", 1, 1, 2}, // next month
		{h.ID, "2026-02-28", "RS-A-001", "done", 1, 1, 2}, // last month
		{other.ID, "2026-03-02", "RS-A-001", "done", 1, 1, 2},
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		for i, d := range data {
			at := func(m int64) int64 {
				if m == 0 {
					return 0
				}
				return base + m*minute
			}
			if _, err := tx.Exec(`INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, channel, state, issued_at, created_at,
				called_at, started_at, finished_at, track_token) VALUES (?, ?, ?, 'A', ?, ?, 'employment', 'kiosk', ?, ?, ?, ?, ?, ?, ?)`,
				d.hall, d.day, fmt.Sprintf("A%03d", i+1), i+1, d.item, d.state, base, base, at(d.called), at(d.started), at(d.finished),
				fmt.Sprintf("report-test-token-%03d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.MonthlyTicketReport(ctx, h.ID, "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	if len(rep.Items) != 2 || rep.Items[0].Key != "RS-A-001" || rep.Items[1].Key != "RS-B-001" {
		t.Fatalf("items = %+v", rep.Items)
	}
	a, b := rep.Items[0], rep.Items[1]
	if a.Tickets != 2 || a.Called != 2 || a.Served != 2 {
		t.Errorf("RS-A-001 counts = %+v", a)
	}
	near("A mean wait", a.MeanWaitMin, 10)
	near("A within 10", a.Within10, 0.5)
	near("A mean service", a.MeanServiceMin, 15)
	if b.Tickets != 3 || b.Called != 2 || b.Served != 1 {
		t.Errorf("RS-B-001 counts = %+v", b)
	}
	near("B mean wait", b.MeanWaitMin, 6)
	near("B within 10", b.Within10, 1) // exactly 10 minutes counts
	near("B mean service", b.MeanServiceMin, 4)
	if len(rep.Days) != 2 || rep.Days[0].Key != "2026-03-02" || rep.Days[0].Tickets != 3 || rep.Days[1].Key != "2026-03-31" || rep.Days[1].Tickets != 2 {
		t.Errorf("days = %+v", rep.Days)
	}
	if rep.Total.Tickets != 5 || rep.Total.Served != 3 {
		t.Errorf("total = %+v", rep.Total)
	}
	near("total mean wait", rep.Total.MeanWaitMin, 8)
	empty, err := db.MonthlyTicketReport(ctx, h.ID, "2026-05")
	if err != nil || len(empty.Items) != 0 || empty.Total.Tickets != 0 {
		t.Errorf("empty month = %+v, %v", empty, err)
	}
	if _, err := db.MonthlyTicketReport(ctx, h.ID, "March"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("bad month: %v", err)
	}
}
