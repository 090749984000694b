package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"mingbai/internal/web"
)

// Every answer of a test server (newServer) is checked against the
// server's own OpenAPI description, whichever client asked — the helpers
// (e.request, e.do, secRequest, the sweeps), a test's own http.Client, a
// stream reader or the browser: its status must be documented for the
// operation, and a JSON body must match the declared schema (types,
// nullability, no undeclared properties, bounds). checkedHandler does it on
// the server's side of the test connection, so a new test or a new route is
// covered without anyone writing anything. The operations come from the
// route table through the description. Answers that are not JSON (streams,
// files, pages) are checked for their status only.

// apiDoc is the description, read once: it depends only on the route
// table, which is the same for every test server.
type apiDoc struct {
	schemas map[string]any
	ops     []apiOp
	found   sync.Map // "METHOD path" → *apiOp (nil: none), the sweeps repeat paths
}

type apiOp struct {
	method, path string
	re           *regexp.Regexp
	params       int
	responses    map[string]any
	request      map[string]any // the JSON schema of the request body, if any
}

var (
	apiDocOnce sync.Once
	apiDocVal  *apiDoc
	apiDocErr  error
)

func loadAPIDoc(srv *web.Server) (*apiDoc, error) {
	apiDocOnce.Do(func() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
		var raw struct {
			Paths      map[string]map[string]map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
			apiDocErr = fmt.Errorf("openapi.json: %v", err)
			return
		}
		d := &apiDoc{schemas: raw.Components.Schemas}
		for p, item := range raw.Paths {
			params := strings.Count(p, "{")
			expr := "^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
			for m, op := range item {
				resp, _ := op["responses"].(map[string]any)
				var req map[string]any
				if rb, ok := op["requestBody"].(map[string]any); ok {
					c, _ := rb["content"].(map[string]any)
					j, _ := c["application/json"].(map[string]any)
					req, _ = j["schema"].(map[string]any)
				}
				d.ops = append(d.ops, apiOp{method: strings.ToUpper(m), path: p, re: regexp.MustCompile(expr), params: params, responses: resp, request: req})
			}
		}
		// The most specific template first, as the router does.
		sort.Slice(d.ops, func(i, j int) bool {
			if d.ops[i].params != d.ops[j].params {
				return d.ops[i].params < d.ops[j].params
			}
			return d.ops[i].path < d.ops[j].path
		})
		apiDocVal = d
	})
	return apiDocVal, apiDocErr
}

// checkAnswer reports where an answer breaks the description.
func checkAnswer(t testing.TB, srv *web.Server, method, target string, status int, h http.Header, body []byte) {
	t.Helper()
	d, err := loadAPIDoc(srv)
	if err != nil {
		t.Errorf("API description: %v", err)
		return
	}
	for _, p := range d.problems(method, target, status, h, body) {
		t.Errorf("OpenAPI: %s %s → %d: %s (body %.300s)", method, target, status, p, body)
	}
}

// checkedHandler serves h and checks every answer against the description
// (checkAnswer) once the handler has returned; a stream's status is checked
// when it starts. httptest.Server.Close waits for the handlers, so every
// check runs before the test ends.
func checkedHandler(t testing.TB, srv *web.Server, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &checkingWriter{ResponseWriter: w}
		cw.check = func(status int, body []byte) {
			checkAnswer(t, srv, r.Method, r.URL.RequestURI(), status, w.Header(), body)
		}
		h.ServeHTTP(cw, r)
		if cw.status == 0 {
			cw.status = http.StatusOK // nothing written: net/http answers 200
		}
		if !cw.stream {
			cw.check(cw.status, cw.body.Bytes())
		}
	})
}

// checkingWriter keeps the status and a JSON body of an answer.
type checkingWriter struct {
	http.ResponseWriter
	status       int
	json, stream bool
	body         bytes.Buffer
	check        func(status int, body []byte)
}

func (w *checkingWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
		ct := w.Header().Get("Content-Type")
		w.json = strings.HasPrefix(ct, "application/json")
		if w.stream = strings.HasPrefix(ct, "text/event-stream"); w.stream {
			w.check(code, nil)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *checkingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.json {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and SetWriteDeadline.
func (w *checkingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a stream's flush on.
func (w *checkingWriter) Flush() { http.NewResponseController(w.ResponseWriter).Flush() }

// op finds the operation of a request (nil: not an API operation).
func (d *apiDoc) op(method, target string) *apiOp {
	path, _, _ := strings.Cut(target, "?")
	key := method + " " + path
	if v, ok := d.found.Load(key); ok {
		return v.(*apiOp)
	}
	var op *apiOp
	for i := range d.ops {
		if d.ops[i].method == method && d.ops[i].re.MatchString(path) {
			op = &d.ops[i]
			break
		}
	}
	d.found.Store(key, op)
	return op
}

// resolve follows a $ref to its schema.
func (d *apiDoc) resolve(sc map[string]any) map[string]any {
	for sc != nil {
		ref, ok := sc["$ref"].(string)
		if !ok {
			return sc
		}
		sc, _ = d.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	return sc
}

func (d *apiDoc) problems(method, target string, status int, h http.Header, body []byte) []string {
	op := d.op(method, target)
	if op == nil {
		return nil // not an API operation (pages, files, a path no route has)
	}
	resp, ok := op.responses[strconv.Itoa(status)].(map[string]any)
	if !ok && status >= 500 {
		resp, ok = op.responses["default"].(map[string]any)
	}
	if !ok {
		return []string{fmt.Sprintf("status %d is not documented for %s %s", status, op.method, op.path)}
	}
	ct := h.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") {
		return nil // a stream, a file or a page: not described by a schema
	}
	content, _ := resp["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if media == nil {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil
		}
		return []string{fmt.Sprintf("answers JSON but %s %s declares no body for %d", op.method, op.path, status)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"body is not JSON: " + err.Error()}
	}
	var out []string
	d.validate(media["schema"], v, "$", &out)
	if len(out) > 8 {
		out = append(out[:8], fmt.Sprintf("… and %d more", len(out)-8))
	}
	return out
}

// validate checks v against a JSON Schema of the subset the description
// uses: $ref, anyOf, type (one or a list), properties,
// additionalProperties, items, minimum, maximum, maxLength, format.
func (d *apiDoc) validate(schema any, v any, at string, out *[]string) {
	sc, _ := schema.(map[string]any)
	if len(sc) == 0 {
		return // any value
	}
	if ref, ok := sc["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		target, ok := d.schemas[name]
		if !ok {
			*out = append(*out, at+": unknown schema "+ref)
			return
		}
		d.validate(target, v, at, out)
		return
	}
	if any, ok := sc["anyOf"].([]any); ok {
		var first []string
		for i, alt := range any {
			var errs []string
			d.validate(alt, v, at, &errs)
			if len(errs) == 0 {
				return
			}
			if i == 0 {
				first = errs
			}
		}
		*out = append(*out, first...)
		return
	}
	if types := schemaTypes(sc["type"]); types != nil && !types[jsonType(v)] {
		if !(jsonType(v) == "integer" && types["number"]) {
			*out = append(*out, fmt.Sprintf("%s: %s, want %s", at, describe(v), typeList(types)))
			return
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := sc["properties"].(map[string]any)
		for k, val := range x {
			if ps, ok := props[k]; ok {
				d.validate(ps, val, at+"."+k, out)
				continue
			}
			switch ap := sc["additionalProperties"].(type) {
			case bool:
				if !ap {
					*out = append(*out, fmt.Sprintf("%s: property %q is not declared", at, k))
				}
			case map[string]any:
				d.validate(ap, val, at+"."+k, out)
			}
		}
	case []any:
		for i, el := range x {
			d.validate(sc["items"], el, fmt.Sprintf("%s[%d]", at, i), out)
		}
	case json.Number:
		f, _ := x.Float64()
		if m, ok := sc["minimum"].(float64); ok && f < m {
			*out = append(*out, fmt.Sprintf("%s: %s below minimum %v", at, x, m))
		}
		if m, ok := sc["maximum"].(float64); ok && f > m {
			*out = append(*out, fmt.Sprintf("%s: %s above maximum %v", at, x, m))
		}
	case string:
		if m, ok := sc["maxLength"].(float64); ok && float64(utf8.RuneCountInString(x)) > m {
			*out = append(*out, fmt.Sprintf("%s: %d characters, maxLength %v", at, utf8.RuneCountInString(x), m))
		}
		switch sc["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				*out = append(*out, fmt.Sprintf("%s: %q is not a date-time", at, x))
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, x); err != nil {
				*out = append(*out, fmt.Sprintf("%s: %q is not a date", at, x))
			}
		}
	}
}

func schemaTypes(t any) map[string]bool {
	switch x := t.(type) {
	case string:
		return map[string]bool{x: true}
	case []any:
		m := map[string]bool{}
		for _, e := range x {
			if s, ok := e.(string); ok {
				m[s] = true
			}
		}
		return m
	}
	return nil
}

func typeList(m map[string]bool) string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, " or ")
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) && !strings.ContainsAny(x.String(), ".eE") {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func describe(v any) string {
	if v == nil {
		return "null"
	}
	return jsonType(v)
}

// TestOpenAPIDescribesTheTruth: the description has a server, declares
// security on every operation (an empty list for public ones), documents
// the 4xx answers of every operation, declares the fields that may be null
// as nullable; and the answer check used by the helpers catches what Prism
// caught (null for an object or a list, an undeclared property, an
// undocumented status), so it cannot pass by accident.
func TestOpenAPIDescribesTheTruth(t *testing.T) {
	e := newHall(t)
	r := e.request("GET", "/api/v1/openapi.json")
	var doc struct {
		Servers []struct{ URL string } `json:"servers"`
		Paths   map[string]map[string]struct {
			Security  *[]any                     `json:"security"`
			Responses map[string]json.RawMessage `json:"responses"`
			XRoles    []string                   `json:"x-roles"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) == 0 || doc.Servers[0].URL == "" {
		t.Errorf("no servers entry")
	}
	for p, item := range doc.Paths {
		for m, op := range item {
			public := false
			for _, r := range op.XRoles {
				public = public || r == "anonymous"
			}
			switch {
			case op.Security == nil:
				t.Errorf("%s %s declares no security", m, p)
			case public && len(*op.Security) != 0:
				t.Errorf("%s %s is public but declares security", m, p)
			case !public && len(*op.Security) == 0:
				t.Errorf("%s %s needs a credential but declares security: []", m, p)
			}
			for _, code := range []string{"400", "401", "403", "404", "429"} {
				if _, ok := op.Responses[code]; !ok {
					t.Errorf("%s %s does not document %s", m, p, code)
				}
			}
		}
	}
	nullable := map[string][]string{"CatalogItem": {"statutory_limit", "extension"}, "StoreConsole": {"current"}}
	for schema, fields := range nullable {
		for _, f := range fields {
			if s := string(doc.Components.Schemas[schema].Properties[f]); !strings.Contains(s, `"null"`) {
				t.Errorf("%s.%s is not nullable: %s", schema, f, s)
			}
		}
	}

	d, err := loadAPIDoc(e.Server)
	if err != nil {
		t.Fatal(err)
	}
	jsonH := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name, method, path string
		status             int
		body               string
		want               string
	}{
		{"null for a list", "GET", "/api/v1/halls/1/integrity-alerts", 200, `null`, "null, want array"},
		{"an object for a list", "GET", "/api/v1/halls/1/integrity-alerts", 200, `{"alerts":[]}`, "want array"},
		{"an undeclared property", "GET", "/api/v1/halls/1", 200, `{"id":1,"secret":"x"}`, `property "secret" is not declared`},
		{"a string for an integer", "GET", "/api/v1/halls/1", 200, `{"id":"1"}`, "string, want integer"},
		{"an undocumented status", "GET", "/api/v1/halls/1", 418, `{}`, "status 418 is not documented"},
		{"an error that is not an ErrorBody", "GET", "/api/v1/halls/1", 404, `{"message":"x"}`, `property "message" is not declared`},
	} {
		got := strings.Join(d.problems(tc.method, tc.path, tc.status, jsonH, []byte(tc.body)), "; ")
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: problems %q, want %q", tc.name, got, tc.want)
		}
	}
	// A good answer and a stream pass.
	if p := d.problems("GET", "/api/v1/halls/1/integrity-alerts", 200, jsonH, []byte(`[]`)); len(p) != 0 {
		t.Errorf("[]: %v", p)
	}
	if p := d.problems("GET", "/api/v1/halls/1/stream", 200, http.Header{"Content-Type": {"text/event-stream"}}, nil); len(p) != 0 {
		t.Errorf("stream: %v", p)
	}
}

// errorLog is a testing.TB that keeps the errors reported to it.
type errorLog struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (l *errorLog) Helper() {}
func (l *errorLog) Errorf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, fmt.Sprintf(format, args...))
}

// TestEveryAnswerIsChecked: what a test server answers is checked whoever
// asks (here http.DefaultClient): a body written in pieces, an undocumented
// status, a stream's status; a good answer and a page pass.
func TestEveryAnswerIsChecked(t *testing.T) {
	e := newHall(t)
	fake := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/halls/1/integrity-alerts":
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Query().Get("good") != "" {
				io.WriteString(w, "[]")
				return
			}
			io.WriteString(w, `{"alerts":`)
			io.WriteString(w, `[]}`)
		case "/api/v1/halls/1":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, `{}`)
		case "/api/v1/halls/1/stream":
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusTeapot)
			http.NewResponseController(w).Flush()
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>page</p>")
		}
	})
	log := &errorLog{TB: t}
	hs := httptest.NewServer(checkedHandler(log, e.Server, fake))
	for _, p := range []string{"/api/v1/halls/1/integrity-alerts", "/api/v1/halls/1", "/api/v1/halls/1/stream",
		"/api/v1/halls/1/integrity-alerts?good=1", "/"} {
		resp, err := http.DefaultClient.Get(hs.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	hs.Close() // waits for the handlers, and so for the checks
	got := strings.Join(log.errs, "\n")
	for _, want := range []string{"GET /api/v1/halls/1/integrity-alerts → 200: $: object, want array",
		"GET /api/v1/halls/1 → 418: status 418 is not documented", "GET /api/v1/halls/1/stream → 418: status 418 is not documented"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if len(log.errs) != 3 {
		t.Errorf("%d reports, want 3:\n%s", len(log.errs), got)
	}
}
