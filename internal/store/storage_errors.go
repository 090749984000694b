package store

import (
	"errors"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"mingbai/internal/apperr"
)

// storageError maps a database's "cannot write" failures to an
// unavailable application error (HTTP 503): a full disk (SQLITE_FULL,
// ENOSPC, PostgreSQL disk_full) is err.storage_full; a read-only or
// failing disk (SQLITE_READONLY, SQLITE_IOERR, EROFS, a PostgreSQL server
// that is read-only, e.g. a standby during failover) is
// err.storage_readonly. The transaction that met it was rolled back:
// nothing of it is stored, and the client may retry when space returns.
// Other errors give nil.
func storageError(err error) *apperr.Error {
	if err == nil {
		return nil
	}
	full := &apperr.Error{Code: apperr.Unavailable, Key: "err.storage_full", Cause: err}
	readonly := &apperr.Error{Code: apperr.Unavailable, Key: "err.storage_readonly", Cause: err}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return full
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return readonly
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "53100": // disk_full
			return full
		case "25006", "58030": // read_only_sql_transaction, io_error
			return readonly
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return full
	case errors.Is(err, syscall.EROFS):
		return readonly
	}
	return nil
}

// StorageError returns the unavailable application error for a full or
// read-only disk met by err, or nil: the web layer's last line, for
// errors that reached it without passing the store's mapping.
func StorageError(err error) error {
	if e := storageError(err); e != nil {
		return e
	}
	return nil
}
