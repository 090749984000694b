// Package storetest opens real databases for tests: a fresh SQLite file in
// t.TempDir(), or, when MINGBAI_TEST_PG holds a PostgreSQL DSN, a fresh
// schema in that server (dropped after the test). CI runs the suite both
// ways.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// PGDSN returns the test PostgreSQL DSN, or "" when tests run on SQLite.
func PGDSN() string { return os.Getenv("MINGBAI_TEST_PG") }

// Config returns a store configuration for a fresh, empty database and
// registers its cleanup.
func Config(t testing.TB) store.Config {
	t.Helper()
	dsn := PGDSN()
	if dsn == "" {
		return store.Config{Dir: t.TempDir()}
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return store.Config{DSN: u.String(), Dir: t.TempDir()}
}

// Open returns a migrated, empty database closed at the end of the test.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), Config(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Personal data is sealed with a fresh key ring per test.
	sealer, err := pii.NewSealer(pii.GenerateKeyring())
	if err != nil {
		t.Fatal(err)
	}
	db.SetPII(sealer)
	return db
}
