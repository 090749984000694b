package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of the SQLite database to path while the
// server keeps running (VACUUM INTO reads one snapshot). PostgreSQL is
// backed up with pg_dump instead.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return fmt.Errorf("backup: use pg_dump for PostgreSQL (see README)")
	}
	if strings.ContainsAny(path, "'\x00") {
		return fmt.Errorf("backup: unsupported character in path %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("backup: %s already exists", abs)
	}
	tmp := abs + ".partial"
	os.Remove(tmp)
	// A connection of its own: the read pool is query-only and the writer
	// must stay free for the running hall. VACUUM INTO reads one snapshot.
	conn, err := sql.Open("sqlite", "file:"+db.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO '"+tmp+"'"); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return os.Rename(tmp, abs)
}
