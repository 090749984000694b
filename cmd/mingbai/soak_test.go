package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mingbai/internal/soak"
	"mingbai/internal/store/storetest"
)

// buildBinary builds this command for tests that run the real server as a
// child process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mingbai")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// TestSoakCrashShort is the CI crash soak (docs/reliability.md): five
// kill -9 cycles of the real server under a mixed load, on SQLite and,
// with MINGBAI_TEST_PG, on PostgreSQL; nothing acknowledged may be lost,
// no number duplicated or skipped, the audit chain verifies and a screen
// following the stream misses no event. The documented run is
// `mingbai soak crash --cycles 50`.
func TestSoakCrashShort(t *testing.T) {
	bin := buildBinary(t)
	engines := map[string]string{"sqlite": ""}
	if dsn := storetest.PGDSN(); dsn != "" {
		engines["postgres"] = dsn
	}
	for name, dsn := range engines {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			res, err := soak.Crash(ctx, soak.CrashConfig{Bin: bin, Dir: t.TempDir(), DSN: dsn, Cycles: 5,
				MinRun: 200 * time.Millisecond, MaxRun: 900 * time.Millisecond, Log: tlog{t}})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res.Row())
			if !res.OK() {
				t.Fatalf("crash soak found problems: %v", res.Problems)
			}
			// The soak must have exercised what it claims to check.
			if res.Acknowledged < 30 || res.Tickets < 10 || res.Events < 10 || res.AuditRecords == 0 || res.Unacknowledged == 0 {
				t.Fatalf("too little happened: %s", res.Row())
			}
		})
	}
}

// tlog writes progress lines to the test log.
type tlog struct{ t *testing.T }

func (l tlog) Write(b []byte) (int, error) { l.t.Log(strings.TrimSpace(string(b))); return len(b), nil }
