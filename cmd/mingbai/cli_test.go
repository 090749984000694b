package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"mingbai/internal/store"
)

func mingbai(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLIUserTokenAuditBackup(t *testing.T) {
	dir := t.TempDir()
	data := "--data=" + dir
	if code, _, stderr := mingbai(t, "user", "list", data); code == 0 || !strings.Contains(stderr, "mingbai migrate") {
		t.Fatalf("unmigrated database: code %d, stderr %q should name 'mingbai migrate'", code, stderr)
	}
	if code, out, stderr := mingbai(t, "migrate", data); code != 0 || !strings.Contains(out, "schema at version") {
		t.Fatalf("migrate: %d %s %s", code, out, stderr)
	}
	t.Setenv("MINGBAI_PASSWORD", "Strong-Pass-2026")
	if code, _, stderr := mingbai(t, "user", "add", data, "--name", "admin", "--role", "admin"); code != 0 {
		t.Fatalf("user add: %s", stderr)
	}
	if code, _, stderr := mingbai(t, "user", "add", data, "--name", "xavier", "--role", "king"); code == 0 || !strings.Contains(stderr, "Unknown role") {
		t.Fatalf("bad role: %d %s", code, stderr)
	}
	if code, out, stderr := mingbai(t, "user", "role", data, "--name", "admin", "--role", "auditor"); code != 0 || !strings.Contains(out, "now auditor") {
		t.Fatalf("user role: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := mingbai(t, "user", "role", data, "--name", "admin", "--role", "admin"); code != 0 {
		t.Fatalf("user role back: %s", stderr)
	}
	code, tok, stderr := mingbai(t, "token", "create", data, "--user", "admin")
	if code != 0 || !strings.HasPrefix(tok, "mb_") {
		t.Fatalf("token create: %d %q %s", code, tok, stderr)
	}
	db, err := store.Open(context.Background(), store.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.PrincipalForToken(context.Background(), strings.TrimSpace(tok))
	db.Close()
	if err != nil || p.Username != "admin" {
		t.Fatalf("printed token does not authenticate: %v %v", p, err)
	}
	if code, out, _ := mingbai(t, "audit", "verify", data); code != 0 || !strings.Contains(out, "intact: 4 records") {
		t.Fatalf("verify intact: %d %s", code, out)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if code, _, stderr := mingbai(t, "backup", data, "--to", backup); code != 0 {
		t.Fatalf("backup: %s", stderr)
	}

	// Edit one audit row behind the application's back.
	raw, err := sql.Open("sqlite", filepath.Join(dir, "mingbai.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET actor = 'nobody' WHERE seq = 1"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	code, _, stderr = mingbai(t, "audit", "verify", data)
	if code == 0 || !strings.Contains(stderr, "record 1:") {
		t.Fatalf("tampered chain: code %d, stderr %q", code, stderr)
	}

	// The backup taken before the edit restores with an intact chain.
	restored := t.TempDir()
	if err := os.Rename(backup, filepath.Join(restored, "mingbai.db")); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := mingbai(t, "audit", "verify", "--data="+restored); code != 0 || !strings.Contains(out, "intact: 4 records") {
		t.Fatalf("restored backup: %d %s %s", code, out, stderr)
	}
	if code, out, _ := mingbai(t, "user", "list", "--data="+restored); code != 0 || !strings.Contains(out, "admin") {
		t.Fatalf("restored users: %s", out)
	}
}

func TestEnvironmentConfiguresFlags(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MINGBAI_DATA", dir)
	if code, _, stderr := mingbai(t, "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "mingbai.db")); err != nil {
		t.Fatalf("MINGBAI_DATA ignored: %v", err)
	}
	if code, _, _ := mingbai(t, "nonsense"); code != 2 {
		t.Fatalf("unknown command exit code %d", code)
	}
}
