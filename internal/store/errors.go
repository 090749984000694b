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
// driver's error stays the cause (apperr.Error.Cause), for the log.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &apperr.Error{Code: apperr.Conflict, Key: "err.conflict", Args: []any{constraintName(se.Error())}, Cause: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &apperr.Error{Code: apperr.Invalid, Key: "err.bad_value", Args: []any{"reference", "foreign key"}, Cause: err}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &apperr.Error{Code: apperr.Conflict, Key: "err.conflict", Args: []any{pe.ConstraintName}, Cause: err}
		case "23503":
			return &apperr.Error{Code: apperr.Invalid, Key: "err.bad_value", Args: []any{"reference", pe.ConstraintName}, Cause: err}
		}
	}
	return err
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
