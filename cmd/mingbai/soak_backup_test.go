package main

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"mingbai/internal/soak"
	"mingbai/internal/store/storetest"
)

// TestBackupDrill takes an online backup while clerks and kiosks work
// (SQLite: mingbai backup; with MINGBAI_TEST_PG also pg_dump), restores it
// into a fresh data directory or database and checks it: everything
// acknowledged before the backup began is there, personal data opens with
// the key, the audit chain verifies.
func TestBackupDrill(t *testing.T) {
	bin := buildBinary(t)
	engines := map[string]string{"sqlite": ""}
	if dsn := storetest.PGDSN(); dsn != "" {
		if _, err := exec.LookPath("pg_dump"); err == nil {
			engines["postgres"] = dsn
		}
	}
	for name, dsn := range engines {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res, err := soak.BackupDrill(ctx, bin, t.TempDir(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res.Row())
			if len(res.Problems) > 0 || res.Missing > 0 {
				t.Fatalf("restored copy: %v", res.Problems)
			}
			if res.TicketsBefore < 5 || res.CasesBefore < 1 || res.Revealed != res.CasesBefore || res.Complaints < 3 || res.ComplaintsOpened != res.Complaints || res.AuditRecords == 0 {
				t.Fatalf("too little checked: %s", res.Row())
			}
		})
	}
}
