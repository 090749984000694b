// Package apperr defines the error type that crosses every layer of mingbai:
// a stable machine code for clients and a message key that the web layer
// translates into the caller's language.
package apperr

import (
	"errors"
	"fmt"
)

// Code is a stable, documented error class. Clients switch on it; the web
// layer maps it to an HTTP status in one table.
type Code string

// Error codes. Keep this list short: it is part of the public API.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	RateLimited  Code = "rate_limited"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
)

// Error is an application error with a code, a message key from the i18n
// catalogue and arguments for that message. Field, when set, names the input
// field at fault so forms can highlight it.
type Error struct {
	Code  Code
	Key   string
	Args  []any
	Field string
	// Details lists further problems (for example every invalid row of an
	// import) so a client can show them all at once.
	Details []Detail
	// Cause is the error this one was made from (a driver's constraint
	// violation …), for the log; it never reaches the client.
	Cause error
}

// Detail is one problem among many, already phrased in the two languages the
// catalogue needs when the message is built from data (such as an item code).
type Detail struct {
	Ref     string `json:"ref,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Error implements error with the key and arguments, for logs.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s %v (field %s)", e.Code, e.Key, e.Args, e.Field)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Args)
}

// Unwrap returns the cause, so errors.Is and errors.As see through the
// mapping to the driver's error.
func (e *Error) Unwrap() error { return e.Cause }

// New returns an error with the given code and message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// InvalidField returns an invalid-input error for one field.
func InvalidField(field, key string, args ...any) *Error {
	return &Error{Code: Invalid, Key: key, Args: args, Field: field}
}

// NotFoundOf returns a not-found error with the generic key for a kind of
// object, e.g. NotFoundOf("item").
func NotFoundOf(kind string) *Error {
	return &Error{Code: NotFound, Key: "err.not_found", Args: []any{kind}}
}

// CodeOf returns the code of err, Internal when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as *Error, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	return err != nil && CodeOf(err) == code
}
