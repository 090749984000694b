package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/events"
	"mingbai/internal/i18n"
	"mingbai/internal/store/storetest"
)

// lockedBuffer is a log sink safe for concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestPanicInAHandlerAnswers500WithARequestID injects routes that panic
// into the real middleware chain and the real route wrapper: the client
// gets a 500 in its language (JSON for the API, the error page for a
// browser) carrying the request id of the X-Request-ID header, the log has
// the panic with the same id, the panic's text never reaches the client,
// and the server keeps serving.
func TestPanicInAHandlerAnswers500WithARequestID(t *testing.T) {
	db := storetest.Open(t)
	logs := &lockedBuffer{}
	s, err := New(db, events.NewBroker(16), slog.New(slog.NewTextHandler(logs, nil)), Config{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "secret-panic-detail-4111"
	boom := func(w http.ResponseWriter, r *http.Request) error { panic(secret) }
	late := func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("partial"))
		panic(secret)
	}
	abort := func(w http.ResponseWriter, r *http.Request) error { panic(http.ErrAbortHandler) }
	mux := http.NewServeMux()
	for path, h := range map[string]func(http.ResponseWriter, *http.Request) error{
		"/api/v1/test-panic": boom, "/test-panic": boom, "/api/v1/test-panic-late": late, "/api/v1/test-abort": abort,
	} {
		mux.Handle("GET "+path, s.wrap(Route{Method: "GET", Path: path, Roles: everyone, Hall: HallNone, Handler: h}))
	}
	mux.Handle("/", s.handler)
	h := s.chain(http.NewCrossOriginProtection(), mux)

	do := func(path, lang, accept, rid string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Language", lang)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if rid != "" {
			req.Header.Set("X-Request-ID", rid)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	for _, tc := range []struct {
		lang string
		l    i18n.Lang
	}{{"zh-CN", i18n.ZhCN}, {"en", i18n.En}, {"zh-TW", i18n.ZhTW}} {
		rec := do("/api/v1/test-panic", tc.lang, "", "")
		if rec.Code != 500 {
			t.Fatalf("%s: status %d, want 500", tc.lang, rec.Code)
		}
		var body ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: not JSON: %v: %s", tc.lang, err, rec.Body)
		}
		id := rec.Header().Get("X-Request-ID")
		if !goodRequestID(id) || body.Error.RequestID != id {
			t.Fatalf("%s: request id header %q, body %q", tc.lang, id, body.Error.RequestID)
		}
		if body.Error.Code != apperr.Internal || body.Error.Message != i18n.T(tc.l, "err.internal") {
			t.Fatalf("%s: error %+v, want internal with %q", tc.lang, body.Error, i18n.T(tc.l, "err.internal"))
		}
		if strings.Contains(rec.Body.String(), secret) {
			t.Fatalf("%s: the panic's text reached the client: %s", tc.lang, rec.Body)
		}
		if !strings.Contains(logs.String(), "request_id="+id) || !strings.Contains(logs.String(), secret) {
			t.Fatalf("%s: log lacks the panic with request id %s:\n%s", tc.lang, id, logs)
		}
	}

	// A browser gets the error page with the id; a proxy's well-formed id
	// is kept, a malformed one replaced.
	rec := do("/test-panic", "zh-CN", "text/html", "proxy-id-12345678")
	if rec.Code != 500 || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("page: status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()
	for _, want := range []string{`<code id="request-id">proxy-id-12345678</code>`, i18n.T(i18n.ZhCN, "err.title.500"), i18n.T(i18n.ZhCN, "err.request_id")} {
		if !strings.Contains(page, want) {
			t.Fatalf("error page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, secret) {
		t.Fatal("the panic's text reached the page")
	}
	rec = do("/api/v1/test-panic", "en", "", "bad id <script>")
	if id := rec.Header().Get("X-Request-ID"); !goodRequestID(id) || strings.Contains(id, "<") {
		t.Fatalf("malformed proxy id kept: %q", id)
	}

	// A panic after the answer began: the status stays, the log says so.
	rec = do("/api/v1/test-panic-late", "en", "", "late-panic-0001")
	if rec.Code != 200 || rec.Body.String() != "partial" {
		t.Fatalf("late panic: status %d body %q", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "request_id=late-panic-0001") || !strings.Contains(logs.String(), "answered=true") {
		t.Fatalf("late panic not logged:\n%s", logs)
	}

	// http.ErrAbortHandler keeps its meaning for net/http.
	func() {
		defer func() {
			if v := recover(); !errors.Is(asError(v), http.ErrAbortHandler) {
				t.Fatalf("abort: recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		do("/api/v1/test-abort", "en", "", "")
		t.Fatal("abort did not propagate")
	}()

	// The server keeps serving, and every answer carries a request id.
	rec = do("/healthz", "en", "", "")
	if rec.Code != 200 || !goodRequestID(rec.Header().Get("X-Request-ID")) {
		t.Fatalf("after the panics /healthz: %d, id %q", rec.Code, rec.Header().Get("X-Request-ID"))
	}
	// Panics count as 5xx in the route metrics.
	s.metrics.mu.Lock()
	n := s.metrics.reqs[[2]string{"GET /api/v1/test-panic", "5xx"}]
	s.metrics.mu.Unlock()
	if n != 4 {
		t.Fatalf("metrics counted %d 5xx answers of the panicking route, want 4", n)
	}
}

func asError(v any) error {
	err, _ := v.(error)
	return err
}
