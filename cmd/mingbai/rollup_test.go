package main

import (
	"context"
	"strings"
	"testing"

	"mingbai/internal/store"
)

// TestRollupCommands generates a small city, breaks one rollup row and
// has `mingbai rollup check` find it and `rollup rebuild` repair it.
func TestRollupCommands(t *testing.T) {
	dir := t.TempDir()
	data := "--data=" + dir
	if code, _, stderr := mingbai(t, "migrate", data); code != 0 {
		t.Fatal(stderr)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.GenerateCity(ctx, store.CityOptions{Halls: 2, Days: 3, PerDay: 20, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, stderr := mingbai(t, "rollup", "rebuild", data)
	if code != 0 || !strings.Contains(out, "hall-days (100%)") || !strings.Contains(out, "rebuilt the rollups of") {
		t.Fatalf("rebuild: %d %q %s", code, out, stderr)
	}
	if code, out, _ := mingbai(t, "rollup", "check", data); code != 0 || !strings.Contains(out, ": 0 differ") {
		t.Fatalf("check: %d %q", code, out)
	}
	db, err = store.Open(ctx, store.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Raw().Exec("UPDATE rollup_daily SET served = served + 1 WHERE rowid = (SELECT MIN(rowid) FROM rollup_daily)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if code, out, _ := mingbai(t, "rollup", "check", data); code != 1 || !strings.Contains(out, ": 1 differ") {
		t.Fatalf("check of a damaged row: %d %q", code, out)
	}
	if code, _, _ := mingbai(t, "rollup", "rebuild", data); code != 0 {
		t.Fatal("second rebuild failed")
	}
	if code, out, _ := mingbai(t, "rollup", "check", data); code != 0 {
		t.Fatalf("check after rebuild: %q", out)
	}
	if code, _, _ := mingbai(t, "rollup", "bogus", data); code != 2 {
		t.Fatal("an unknown subcommand is refused")
	}
}
