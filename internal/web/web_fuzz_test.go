package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"mingbai/internal/demo"
	"mingbai/internal/events"
	"mingbai/internal/i18n"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
)

// fuzzEnv is one server on a seeded demo database, shared by every input
// of a fuzzing process.
type fuzzEnv struct {
	srv    *web.Server
	routes []web.Route
	hall   string
	window string
	tokens []string // admin, hall manager, window clerk, a device, anonymous
}

// fuzzSkip are write routes the generic fuzzer leaves out: the staffing
// advisor runs a simulation of weeks per request (seconds of CPU), which
// would only slow the fuzzer down; its input is fuzzed through the same
// decoder as every other JSON body.
var fuzzSkip = map[string]bool{"POST /api/v1/staffing": true}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	ctx := context.Background()
	db := storetest.Open(f)
	res, err := demo.Seed(ctx, db)
	if err != nil {
		f.Fatal(err)
	}
	srv, err := web.New(db, events.NewBroker(64), slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Version: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.CloseStreams)
	e := &fuzzEnv{srv: srv, hall: strconv.FormatInt(res.Hall.ID, 10)}
	windows, err := db.ListWindows(ctx, res.Hall.ID)
	if err != nil || len(windows) == 0 {
		f.Fatal("no windows", err)
	}
	e.window = strconv.FormatInt(windows[0].ID, 10)
	for _, u := range []string{"admin", "manager", "w01"} {
		secret, _, err := db.CreateToken(ctx, u, "fuzz")
		if err != nil {
			f.Fatal(err)
		}
		e.tokens = append(e.tokens, secret)
	}
	names := make([]string, 0, len(res.DeviceTokens))
	for n := range res.DeviceTokens {
		names = append(names, n)
	}
	sort.Strings(names)
	e.tokens = append(e.tokens, res.DeviceTokens[names[0]], "")
	for _, rt := range srv.Routes() {
		if rt.Method != http.MethodGet && !fuzzSkip[rt.Method+" "+rt.Path] {
			e.routes = append(e.routes, rt)
		}
	}
	sort.Slice(e.routes, func(i, j int) bool { return e.routes[i].Method+e.routes[i].Path < e.routes[j].Method+e.routes[j].Path })
	return e
}

// path fills the route's parameters: the hall and window of the demo, or
// the fuzzed segment (bad ids, unknown codes, escapes).
func (e *fuzzEnv) path(pattern string, who uint8, seg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 {
			b.WriteString(pattern)
			return b.String()
		}
		j := strings.IndexByte(pattern[i:], '}')
		b.WriteString(pattern[:i])
		name := pattern[i+1 : i+j]
		pattern = pattern[i+j+1:]
		switch {
		case who&0x80 != 0 && seg != "":
			b.WriteString(url.PathEscape(seg))
		case name == "hall":
			b.WriteString(e.hall)
		case name == "window":
			b.WriteString(e.window)
		case seg != "":
			b.WriteString(url.PathEscape(seg))
		default:
			b.WriteString("1")
		}
	}
}

// FuzzWriteRoutes sends fuzzed JSON bodies (or form bodies, for pages),
// query strings and path segments to every write route of the route table
// as each kind of caller. Whatever the input, no answer is a 500, a 503 is
// a declared "unavailable" error, and every API error is JSON in the
// caller's language with a stable code — never a raw message key.
func FuzzWriteRoutes(f *testing.F) {
	e := newFuzzEnv(f)
	for i, rt := range e.routes {
		body := []byte("{}")
		if rt.Request != nil {
			if b, err := json.Marshal(rt.Request); err == nil {
				body = b
			}
		}
		if !strings.HasPrefix(rt.Path, "/api/") {
			body = []byte("name=x&note=%E4%BD%A0&id=1")
		}
		f.Add(uint16(i), uint8(i%5), "", "", body)
	}
	f.Add(uint16(0), uint8(0x80), "-1", "lang=en&hall=abc", []byte(`{"a":`))
	f.Add(uint16(1), uint8(1), "99999999999999999999", "limit=-5", []byte(`[]`))
	f.Add(uint16(2), uint8(2), "%00", "x=%zz", []byte("\x00\xff"))
	f.Add(uint16(3), uint8(0x83), "../../etc/passwd", "", []byte(`{"name":"<script>alert(1)</script>","count":1e308}`))
	f.Fuzz(func(t *testing.T, idx uint16, who uint8, seg, query string, body []byte) {
		if len(body) > 64<<10 {
			return
		}
		rt := e.routes[int(idx)%len(e.routes)]
		req := httptest.NewRequest(rt.Method, "/", bytes.NewReader(body))
		req.URL.Path = e.path(rt.Path, who, seg)
		req.URL.RawPath = ""
		req.URL.RawQuery = query
		req.RequestURI = ""
		api := strings.HasPrefix(rt.Path, "/api/")
		if api {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Accept-Language", []string{"zh-CN", "en", "zh-TW"}[int(who>>5)%3])
		if tok := e.tokens[int(who&0x1f)%len(e.tokens)]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		where := rt.Method + " " + req.URL.String()
		var eb web.ErrorBody
		isJSON := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")
		if isJSON && rec.Code >= 400 {
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
				t.Fatalf("%s: %d with a malformed error body: %s", where, rec.Code, rec.Body)
			}
			if i18n.Has(eb.Error.Message) {
				t.Fatalf("%s: the error shows the raw key %q", where, eb.Error.Message)
			}
		}
		switch {
		case rec.Code == http.StatusServiceUnavailable && isJSON && eb.Error.Code == "unavailable":
		case rec.Code >= 500:
			t.Fatalf("%s (body %q): status %d: %s", where, body, rec.Code, rec.Body)
		case api && rec.Code >= 400 && !isJSON:
			t.Fatalf("%s: API error %d is not JSON: %s", where, rec.Code, rec.Body)
		}
	})
}
