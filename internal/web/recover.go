package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
)

// chain wraps the route mux in the middleware every request passes, from
// the outside in: a request id, the security headers, the reader's
// language (so that a panic's 500 speaks it too), panic recovery,
// cross-origin protection.
func (s *Server) chain(cop *http.CrossOriginProtection, mux http.Handler) http.Handler {
	return s.withRequestID(s.securityHeaders(s.withLang(s.recoverer(cop.Handler(mux)))))
}

type requestIDKey struct{}

// requestIDHeader names the request id in both directions: a front proxy
// may set it (a well-formed value is kept, so its logs and ours agree),
// and every response carries it.
const requestIDHeader = "X-Request-ID"

// withRequestID gives every request an id, in its context and in the
// X-Request-ID response header; log lines about the request and the 5xx
// answers carry it, so a person who reports an error can be found in the
// log.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if !goodRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(requestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// goodRequestID accepts 8 to 64 letters, digits, '-', '_' and '.' only: a
// header value never brings markup or line breaks into a page or a log.
func goodRequestID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// requestID returns the id withRequestID gave the request ("" outside it).
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// recoverer turns a panic in a handler into a logged error and a 500
// answer in the reader's language (JSON for the API, the error page for
// browsers) carrying the request id; the server keeps running and the
// client never sees the panic's text. When the handler had already begun
// its answer, the panic is only logged (the status cannot change any
// more). http.ErrAbortHandler keeps its meaning: abort the response.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &startedWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			stack := debug.Stack()
			if len(stack) > 8<<10 {
				stack = stack[:8<<10]
			}
			s.Log.Error("panic in handler", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "answered", tw.started, "stack", string(stack))
			if !tw.started {
				s.fail(w, r, errInternal)
			}
		}()
		next.ServeHTTP(tw, r)
	})
}

// startedWriter remembers whether the answer has begun.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (w *startedWriter) WriteHeader(code int) {
	if code >= 200 {
		w.started = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *startedWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and SetWriteDeadline.
func (w *startedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
