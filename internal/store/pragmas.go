package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// checkPragmas verifies on SQLite that a writer and a reader connection
// really run in WAL mode with the configured synchronous level (Open fails
// otherwise: a driver that silently ignored the DSN pragmas would turn every
// acknowledged write into one that power loss may take back).
func (db *DB) checkPragmas(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	for _, pool := range []struct {
		name      string
		p         *sql.DB
		queryOnly int
	}{{"writer", db.w, 0}, {"reader", db.r, 1}} {
		var journal string
		var syncLevel, fk, qo int
		c, err := pool.p.Conn(ctx)
		if err != nil {
			return err
		}
		err = c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal)
		if err == nil {
			err = c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncLevel)
		}
		if err == nil {
			err = c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
		}
		if err == nil {
			err = c.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo)
		}
		c.Close()
		if err != nil {
			return fmt.Errorf("read %s pragmas: %w", pool.name, err)
		}
		if !strings.EqualFold(journal, "wal") || syncLevel != db.syncLevel || fk != 1 || qo != pool.queryOnly {
			return fmt.Errorf("sqlite %s connection runs journal_mode=%s synchronous=%d foreign_keys=%d query_only=%d, want wal, %d, 1, %d",
				pool.name, journal, syncLevel, fk, qo, db.syncLevel, pool.queryOnly)
		}
	}
	return nil
}
