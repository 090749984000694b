package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"mingbai/internal/apperr"
)

// TestStorageErrorsAreUnavailable: a database that cannot write answers
// with an unavailable error (HTTP 503) naming the cause in the person's
// words — a real SQLite read-only refusal, a full or read-only file
// system, PostgreSQL's disk_full and read-only (standby) refusals — and
// other errors are not mistaken for one.
func TestStorageErrorsAreUnavailable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// The read pool is query-only: SQLite refuses the write with
	// SQLITE_READONLY, as it does on a read-only disk.
	_, roErr := db.r.ExecContext(ctx, "CREATE TABLE t_readonly (x INTEGER)")
	if roErr == nil {
		t.Fatal("a query-only connection wrote")
	}
	for _, tc := range []struct {
		name string
		err  error
		key  string
	}{
		{"sqlite read-only", roErr, "err.storage_readonly"},
		{"ENOSPC", &os.PathError{Op: "write", Path: "/data/mingbai.db-wal", Err: syscall.ENOSPC}, "err.storage_full"},
		{"EDQUOT", fmt.Errorf("write: %w", syscall.EDQUOT), "err.storage_full"},
		{"EROFS", &os.PathError{Op: "open", Path: "/data/x", Err: syscall.EROFS}, "err.storage_readonly"},
		{"pg disk_full", &pgconn.PgError{Code: "53100", Message: "could not extend file"}, "err.storage_full"},
		{"pg read-only", fmt.Errorf("commit: %w", &pgconn.PgError{Code: "25006", Message: "cannot execute INSERT in a read-only transaction"}), "err.storage_readonly"},
		{"other", errors.New("boom"), ""},
		{"unique", &pgconn.PgError{Code: "23505"}, ""},
	} {
		e := apperr.As(mapErr(tc.err))
		if tc.key == "" {
			if e != nil && e.Code == apperr.Unavailable {
				t.Errorf("%s: mapped to %v", tc.name, e)
			}
			if StorageError(tc.err) != nil {
				t.Errorf("%s: StorageError = %v", tc.name, StorageError(tc.err))
			}
			continue
		}
		if e == nil || e.Code != apperr.Unavailable || e.Key != tc.key || !errors.Is(e.Cause, tc.err) && e.Cause != tc.err {
			t.Errorf("%s: mapped to %+v, want unavailable %s", tc.name, e, tc.key)
		}
		if se := apperr.As(StorageError(tc.err)); se == nil || se.Key != tc.key {
			t.Errorf("%s: StorageError = %v", tc.name, se)
		}
	}
}
