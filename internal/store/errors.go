package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"mingbai/internal/apperr"
)

// ErrNoRows is returned by helpers that look up one row.
var ErrNoRows = sql.ErrNoRows

// mapErr turns driver errors into application errors: a unique violation is
// a conflict, a foreign-key violation invalid input, in both dialects. The
// driver's error stays the cause (apperr.Error.Cause), for the log: no
// constraint name or driver code reaches a client.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if e := storageError(err); e != nil {
		return e
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &apperr.Error{Code: apperr.Conflict, Key: "err.duplicate", Field: constraintField(constraintName(se.Error())), Cause: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &apperr.Error{Code: apperr.Invalid, Key: "err.bad_reference", Cause: err}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &apperr.Error{Code: apperr.Conflict, Key: "err.duplicate", Cause: err}
		case "23503":
			return &apperr.Error{Code: apperr.Invalid, Key: "err.bad_reference", Cause: err}
		}
	}
	return err
}

// constraintField is the column of a SQLite constraint ("users.username"
// → "username"), a field name the client may see.
func constraintField(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	if strings.ContainsAny(name, " ,()") {
		return ""
	}
	return name
}

func constraintName(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// wrap names the operation on an error that is not an application error
// (a driver or I/O failure), for whoever reads the log; application errors
// pass unchanged, since their key and arguments already say what happened.
func wrap(op string, err error) error {
	if err == nil || apperr.As(err) != nil {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// notFound maps sql.ErrNoRows to a not-found application error for kind.
func notFound(err error, kind string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundOf(kind)
	}
	return mapErr(err)
}
