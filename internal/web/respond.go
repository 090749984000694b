package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"mingbai/internal/apperr"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// statusOf is the one table from error codes to HTTP status.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:      http.StatusBadRequest,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.RateLimited:  http.StatusTooManyRequests,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.Internal:     http.StatusInternalServerError,
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorInfo `json:"error"`
}

// ErrorInfo carries a stable code and a message in the caller's language.
type ErrorInfo struct {
	Code    apperr.Code     `json:"code"`
	Message string          `json:"message"`
	Field   string          `json:"field,omitempty"`
	Details []apperr.Detail `json:"details,omitempty"`
	// RequestID is given with server errors (5xx): the log line of the
	// failure carries the same id (recover.go).
	RequestID string `json:"request_id,omitempty"`
}

// message translates an application error; object names given as "obj.*"
// keys in the arguments are translated too.
func message(l i18n.Lang, e *apperr.Error) string {
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if s, ok := a.(string); ok && i18n.Has("obj."+s) {
			a = i18n.T(l, "obj."+s)
		} else if ok {
			a = shortValue(s) // a bad value is quoted by a short prefix only
		}
		args[i] = a
	}
	return i18n.T(l, e.Key, args...)
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// fail renders err as JSON for the API and as an error page for browsers.
// Errors that are not application errors are logged and shown as a
// generic message: internals never reach the client.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	if e == nil {
		// A full or read-only disk met outside the store's mapping.
		e = apperr.As(store.StorageError(err))
	}
	if e == nil {
		s.Log.Error("request failed", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
		e = errInternal
	} else if e.Cause != nil {
		// A mapped driver error (a constraint …): the client gets the
		// application error, the log keeps what the database said.
		s.Log.Info("request refused", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", e.Error(), "cause", e.Cause)
	}
	status := statusOf[e.Code]
	if status == 0 {
		status = 500
	}
	l := lang(r)
	if e.Key == "err.other_hall" {
		// Tells a tenancy denial from a handler's own 403 (tests, logs).
		w.Header().Set("X-Mingbai-Access", "other-hall")
	}
	if e.Code == apperr.RateLimited {
		w.Header().Set("Retry-After", "60")
	}
	var rid string
	if status >= 500 {
		rid = requestID(r)
	}
	if isAPI(r) {
		writeJSON(w, status, ErrorBody{ErrorInfo{Code: e.Code, Message: message(l, e), Field: e.Field, Details: e.Details, RequestID: rid}})
		return
	}
	if e.Code == apperr.Unauthorized && r.Method == http.MethodGet && r.Header.Get("Authorization") == "" {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	title := "err.title." + strconv.Itoa(status)
	if !i18n.Has(title) {
		title = "err.title.500"
	}
	where := "err.where." + strconv.Itoa(status)
	if !i18n.Has(where) {
		where = "err.where.default"
	}
	s.render(w, r, status, "error", pageData{Title: i18n.T(l, title), Data: map[string]any{"Code": e.Code, "Message": message(l, e), "Details": e.Details, "Status": status, "Where": where, "RequestID": rid}})
}

// formError is the one path from an error to a re-rendered form: an
// application error becomes a message in the reader's language and its
// HTTP status (400 when the code has none); any other error is returned as
// it is, for fail to log and hide.
func formError(r *http.Request, err error) (string, int, error) {
	e := apperr.As(err)
	if e == nil {
		return "", 0, err
	}
	status := statusOf[e.Code]
	if status == 0 {
		status = http.StatusBadRequest
	}
	return message(lang(r), e), status, nil
}

// jsonOut are the options of every JSON answer: encoding/json's rules,
// except that an empty list is [] and an empty map {}, never null (the
// OpenAPI description declares arrays and objects, not null).
var jsonOut = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv2.FormatNilSliceAsNull(false), jsonv2.FormatNilMapAsNull(false), jsontext.EscapeForHTML(true))

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := jsonv2.Marshal(v, jsonOut)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// maxBody bounds every JSON request body; imports use their own limit.
const maxBody = 1 << 20

// decodeJSON reads a strict JSON body into v: unknown fields, wrong types,
// trailing data and over-long bodies are clear client errors.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.New(apperr.Invalid, "err.json", "trailing data")
	}
	return cleanValue(reflect.ValueOf(v), "")
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return apperr.New(apperr.Invalid, "err.body_too_large")
	case errors.As(err, &syntax):
		return apperr.New(apperr.Invalid, "err.json", fmt.Sprintf("offset %d", syntax.Offset))
	case errors.As(err, &typ):
		return apperr.InvalidField(typ.Field, "err.json_type", typ.Field, typ.Type.String())
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "err.json", "empty body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.InvalidField(f, "err.json_field", f)
	}
	return apperr.New(apperr.Invalid, "err.json", err.Error())
}

// limitText checks a free-text field's length in characters.
func limitText(field, v string, max int) error {
	if utf8.RuneCountInString(v) > max {
		return apperr.InvalidField(field, "err.too_long", field, max)
	}
	return nil
}

// pathID parses a numeric path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.InvalidField(name, "err.bad_id", v)
	}
	return id, nil
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, apperr.New(apperr.NotFound, "err.route_not_found"))
}
