package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// connPragmas reads back, on one pinned connection, the settings that
// decide what an acknowledged write survives.
type connPragmas struct {
	id          string // the driver connection's address: distinct conns differ
	journal     string
	synchronous int
	foreignKeys int
	busyTimeout int
	queryOnly   int
}

func readPragmas(ctx context.Context, c *sql.Conn) (connPragmas, error) {
	var p connPragmas
	if err := c.Raw(func(dc any) error { p.id = fmt.Sprintf("%p", dc); return nil }); err != nil {
		return p, err
	}
	for _, q := range []struct {
		sql string
		dst any
	}{
		{"PRAGMA journal_mode", &p.journal},
		{"PRAGMA synchronous", &p.synchronous},
		{"PRAGMA foreign_keys", &p.foreignKeys},
		{"PRAGMA busy_timeout", &p.busyTimeout},
		{"PRAGMA query_only", &p.queryOnly},
	} {
		if err := c.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			return p, fmt.Errorf("%s: %w", q.sql, err)
		}
	}
	p.journal = strings.ToLower(p.journal)
	return p, nil
}

// TestEverySQLiteConnectionRunsTheConfiguredPragmas: power loss cannot be
// simulated with kill -9, so this checks the settings themselves. Every
// connection of the read pool (all pinned at once, so they are distinct
// connections) and the writer — also after the writer connection was
// dropped and reopened — runs in WAL mode with the configured synchronous
// level, foreign keys on and the busy timeout; readers are query-only.
func TestEverySQLiteConnectionRunsTheConfiguredPragmas(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   int // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{{"", 2}, {"full", 2}, {"NORMAL", 1}} {
		t.Run("synchronous="+tc.config, func(t *testing.T) {
			ctx := context.Background()
			const readers = 6
			db, err := Open(ctx, Config{Dir: t.TempDir(), Synchronous: tc.config, ReadConns: readers})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			check := func(what string, p connPragmas, queryOnly int) {
				t.Helper()
				if p.journal != "wal" || p.synchronous != tc.want || p.foreignKeys != 1 || p.busyTimeout != 10000 || p.queryOnly != queryOnly {
					t.Errorf("%s: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d query_only=%d; want wal %d 1 10000 %d",
						what, p.journal, p.synchronous, p.foreignKeys, p.busyTimeout, p.queryOnly, tc.want, queryOnly)
				}
			}
			// The read pool: pin every connection it may open.
			seen := map[string]bool{}
			var conns []*sql.Conn
			for i := 0; i < readers; i++ {
				c, err := db.r.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
				p, err := readPragmas(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				seen[p.id] = true
				check(fmt.Sprintf("reader %d", i), p, 1)
			}
			if len(seen) != readers {
				t.Fatalf("pinned %d reader connections but saw %d distinct ones", readers, len(seen))
			}
			for _, c := range conns {
				c.Close()
			}
			// The writer, then a fresh writer connection: drop idle
			// connections so the pool must dial again.
			ids := map[string]bool{}
			for i := 0; i < 3; i++ {
				c, err := db.w.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				p, err := readPragmas(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				ids[p.id] = true
				check(fmt.Sprintf("writer connection %d", i), p, 0)
				db.w.SetMaxIdleConns(0)
				c.Close()
				db.w.SetMaxIdleConns(2)
			}
			if len(ids) != 3 {
				t.Fatalf("writer reconnected %d times, want 3 distinct connections", len(ids))
			}
			// The start-up check the server runs agrees.
			if err := db.checkPragmas(ctx); err != nil {
				t.Fatalf("checkPragmas on a healthy database: %v", err)
			}
		})
	}
	if _, err := Open(context.Background(), Config{Dir: t.TempDir(), Synchronous: "OFF"}); err == nil {
		t.Fatal("synchronous=OFF was accepted; only FULL and NORMAL are safe")
	}
}
