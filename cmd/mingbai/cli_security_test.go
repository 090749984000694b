package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIFlagsAnywhereAndNoAccidentalDatabase: flags after a positional
// argument are parsed (and a stray argument refused), and a command never
// creates ./data/mingbai.db in the working directory (issue 9).
func TestCLIFlagsAnywhereAndNoAccidentalDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(t.TempDir())
	if code, _, stderr := mingbai(t, "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	t.Setenv("MINGBAI_PASSWORD", "Strong-Pass-2026")
	// Flags after the subcommand's own flags and after positionals.
	if code, _, stderr := mingbai(t, "user", "add", "--name", "admin", "--role", "admin", "--data", dir); code != 0 {
		t.Fatalf("user add with --data last: %s", stderr)
	}
	if code, _, stderr := mingbai(t, "token", "create", "--user", "admin", "--data", dir); code != 0 {
		t.Fatalf("token create: %s", stderr)
	}
	code, _, stderr := mingbai(t, "token", "revoke", "1", "--data", dir)
	if code != 2 || !strings.Contains(stderr, `unexpected argument "1"`) || !strings.Contains(stderr, "--id 1") {
		t.Fatalf("positional id: %d %s", code, stderr)
	}
	if code, _, stderr := mingbai(t, "token", "revoke", "--id", "1", "--data", dir); code != 0 {
		t.Fatalf("token revoke --id 1 --data: %s", stderr)
	}
	// Without --data nothing is created here.
	if code, _, stderr := mingbai(t, "user", "list"); code == 0 || !strings.Contains(stderr, "no database") {
		t.Fatalf("user list without a database: %d %s", code, stderr)
	}
	if code, _, _ := mingbai(t, "token", "revoke", "15"); code == 0 {
		t.Fatal("token revoke 15 without a database succeeded")
	}
	if _, err := os.Stat(filepath.Join("data", "mingbai.db")); !os.IsNotExist(err) {
		t.Fatalf("./data/mingbai.db was created: %v", err)
	}
}
