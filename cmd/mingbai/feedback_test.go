package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/feedback"
	"mingbai/internal/hall"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// TestVerifyDraw stores a real draw (demo hall, served tickets, frozen
// snapshot, seed), then checks that `mingbai feedback verify-draw` confirms
// it, from the database and from an exported evidence file, and rejects it
// once one snapshot row or one sampled record is changed.
func TestVerifyDraw(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := pii.NewSealer(pii.GenerateKeyring())
	if err != nil {
		t.Fatal(err)
	}
	db.SetPII(s)
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := db.ListWindows(ctx, res.Hall.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"1", "2"} {
		var w hall.Window
		for _, x := range ws {
			if x.Number == n {
				w = x
			}
		}
		who := store.Staffer{Username: "w0" + n, StaffID: w.StaffID}
		for i := 0; i < 4; i++ {
			iss, err := db.IssueTicket(ctx, store.IssueRequest{HallID: res.Hall.ID, Item: "RS-A-004", Zone: hall.ZoneEmployment, Channel: store.ChannelStaff,
				Phone: fmt.Sprintf("138%s00%05d", n, i)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.CallNext(ctx, store.CallRequest{HallID: res.Hall.ID, WindowID: w.ID, By: who, TicketID: iss.Ticket.ID, Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{store.ActStart, store.ActFinish} {
				if _, err := db.ActOnTicket(ctx, store.ActRequest{HallID: res.Hall.ID, TicketID: iss.Ticket.ID, By: who, Action: a}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	day := db.Now().In(shanghaiLoc(t)).Format("2006-01-02")
	d, err := db.CreateDraw(ctx, store.DrawSpec{HallID: res.Hall.ID, Name: "test", From: day, To: day, Scope: "tickets", StrataBy: "window",
		N: 4, Allocation: feedback.Proportional})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mingbai(t, "feedback", "verify-draw", "--data="+dir, "--draw", fmt.Sprint(d.ID)); code != 1 || !strings.Contains(stderr, "no seed") {
		t.Errorf("unseeded draw: %d %s", code, stderr)
	}
	if _, err := db.SetDrawSeed(ctx, res.Hall.ID, d.ID, "demo-seed-2024", "test"); err != nil {
		t.Fatal(err)
	}
	evidence := filepath.Join(dir, "draw.json")
	code, out, stderr := mingbai(t, "feedback", "verify-draw", "--data="+dir, "--draw", fmt.Sprint(d.ID), "--export", evidence)
	if code != 0 || !strings.Contains(out, "verified") {
		t.Fatalf("genuine draw: %d %s %s", code, out, stderr)
	}
	if code, out, _ := mingbai(t, "feedback", "verify-draw", "--file", evidence); code != 0 || !strings.Contains(out, "verified") {
		t.Errorf("evidence file: %d %s", code, out)
	}

	// A changed snapshot row breaks the hash; a swapped sample record breaks
	// the list.
	var sampled, other string
	if err := db.Raw().QueryRow("SELECT record_id FROM draw_records WHERE draw_id = ? AND in_sample = 1 LIMIT 1", d.ID).Scan(&sampled); err != nil {
		t.Fatal(err)
	}
	if err := db.Raw().QueryRow("SELECT record_id FROM draw_records WHERE draw_id = ? AND in_sample = 0 LIMIT 1", d.ID).Scan(&other); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Raw().Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec("UPDATE draw_records SET in_sample = 0 WHERE draw_id = ? AND record_id = ?", d.ID, sampled)
	exec("UPDATE draw_records SET in_sample = 1 WHERE draw_id = ? AND record_id = ?", d.ID, other)
	if code, _, stderr := mingbai(t, "feedback", "verify-draw", "--data="+dir, "--draw", fmt.Sprint(d.ID)); code != 1 || !strings.Contains(stderr, "does NOT verify") {
		t.Errorf("swapped sample: %d %s", code, stderr)
	}
	exec("UPDATE draw_records SET in_sample = 1 WHERE draw_id = ? AND record_id = ?", d.ID, sampled)
	exec("UPDATE draw_records SET in_sample = 0 WHERE draw_id = ? AND record_id = ?", d.ID, other)
	exec("UPDATE draw_records SET stratum = 'X' WHERE draw_id = ? AND record_id = ?", d.ID, other)
	if code, _, stderr := mingbai(t, "feedback", "verify-draw", "--data="+dir, "--draw", fmt.Sprint(d.ID)); code != 1 || !strings.Contains(stderr, "snapshot hash") {
		t.Errorf("changed snapshot row: %d %s", code, stderr)
	}
	db.Close()

	// The evidence file is checked on its own: editing it is caught too.
	b, err := os.ReadFile(evidence)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(evidence, []byte(strings.Replace(string(b), `"seed": "demo-seed-2024"`, `"seed": "demo-seed-2025"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := mingbai(t, "feedback", "verify-draw", "--file", evidence); code != 1 {
		t.Errorf("edited evidence file verified")
	}
}

func shanghaiLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
