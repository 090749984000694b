package web

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"mingbai/internal/catalog"
	"mingbai/internal/i18n"
	"mingbai/internal/workday"
)

// The OpenAPI 3.1 description is generated from the route table and the
// request/response example types named there, so it cannot drift from the
// code: a route without a summary is not part of the public API.

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

func (s *Server) openAPI() map[string]any {
	paths := map[string]any{}
	g := &schemaGen{defs: map[string]any{}}
	// Request bodies first: a type used in both directions gets the bounds
	// of its inputs (minimum, maximum, maxLength), which stored values obey.
	reqSchemas := map[int]map[string]any{}
	g.request = true
	for i, rt := range s.routes {
		if rt.Summary != "" && rt.Request != nil {
			reqSchemas[i] = g.of(reflect.TypeOf(rt.Request), "", "")
		}
	}
	g.request = false
	for i, rt := range s.routes {
		if rt.Summary == "" || !strings.HasPrefix(rt.Path, "/") {
			continue
		}
		p := strings.TrimSuffix(rt.Path, "{$}")
		op := map[string]any{
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"operationId": operationID(rt),
			"x-roles":     rolesOf(rt),
			"x-hall":      rt.Hall.String(),
		}
		var params []any
		for _, m := range pathParamRE.FindAllStringSubmatch(p, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string", "maxLength": maxLine}})
		}
		if rt.Hall == HallQuery || (rt.Hall == HallOwn && rt.Method == http.MethodGet) {
			params = append(params, map[string]any{"name": "hall", "in": "query", "required": false,
				"description": "the hall (callers who span halls; else the caller's own)",
				"schema":      map[string]any{"type": "integer", "minimum": 1, "maximum": maxSafeInt}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rs, ok := reqSchemas[i]; ok {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": rs}}}
		}
		resp := map[string]any{"description": "OK"}
		if rt.Response != nil {
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(rt.Response), "", "")}}
		}
		responses := map[string]any{}
		for _, code := range successCodes(rt) {
			responses[code] = resp
		}
		for _, code := range errorCodes(rt) {
			responses[code] = map[string]any{"description": errorDescriptions[code], "content": errorContent}
		}
		if rt.Unprocessable != nil {
			// An upload that lists every bad row answers 422 with its own
			// shape (an import job with its errors), not an ErrorBody.
			responses["422"] = map[string]any{"description": errorDescriptions["422"],
				"content": map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(rt.Unprocessable), "", "")}}}
		}
		responses["default"] = map[string]any{"description": "Server error (5xx)", "content": errorContent}
		op["responses"] = responses
		if allowsAnonymous(rt) {
			op["security"] = []any{} // public; a token, when sent, must be valid
		} else {
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}}
		}
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	g.of(reflect.TypeOf(ErrorBody{}), "", "")
	server := map[string]any{"url": "/", "description": "this installation (relative to the address the description was read from)"}
	if s.Cfg.BaseURL != "" {
		server = map[string]any{"url": strings.TrimSuffix(s.Cfg.BaseURL, "/") + "/", "description": "this installation"}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "mingbai API",
			"version": s.Cfg.Version,
			"description": i18n.T(i18n.ZhCN, "app.name") + " — " + i18n.T(i18n.En, "app.tagline") + ". Errors are JSON {\"error\":{\"code\",\"message\"}} with the message in the language of Accept-Language (zh-CN, en, zh-TW). " +
				"x-roles lists the roles that may call each operation, x-hall where its hall comes from (docs/security.md). " +
				"Request bodies are strict: unknown fields, strings over maxLength or with control characters, and numbers outside minimum..maximum are refused with 400 and change nothing.",
		},
		"servers": []any{server},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "API token (mingbai token create) or device token"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
		},
	}
}

var errorContent = map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ErrorBody"}}}

var errorDescriptions = map[string]string{
	"400": "Bad request: malformed JSON, an unknown field, a value out of range (error.field names it)",
	"401": "Not signed in, or the token or session is invalid, expired or revoked",
	"403": "The caller's role may not call this, the hall is not the caller's, or a cross-site write",
	"404": "No such object (or it belongs to a hall the caller may not act in)",
	"409": "Conflict with the current state (a duplicate, a ticket in another state …)",
	"422": "Well-formed but with errors in its content, each listed (error.details, or the import job's errors)",
	"429": "Too many requests: try again later (Retry-After)",
}

// successCodes are the statuses of a successful call: a POST may create
// (201; a retry with an idempotency key: 200) or start a job (202, e.g. an
// upload).
func successCodes(rt Route) []string {
	if c, ok := successOf[rt.Method+" "+rt.Path]; ok {
		return c
	}
	if rt.Method != http.MethodPost || strings.HasSuffix(rt.Path, "/session") {
		return []string{"200"}
	}
	// 202: a job started (an import, a queued message).
	return []string{"200", "201", "202"}
}

// successOf names the success statuses of operations that answer neither
// 200 nor 201.
var successOf = map[string][]string{
	"POST /api/v1/sms-codes":                          {"202"}, // queued for sending
	"POST /api/v1/staffing":                           {"202"}, // a background job
	"PUT /api/v1/halls/{hall}/windows/{window}/cover": {"204"},
	"PUT /api/v1/halls/{hall}/pads/{device}":          {"204"},
}

// errorCodes are the 4xx statuses an operation may answer, derived from
// its declaration: every route refuses a bad credential (401) and may
// rate-limit (429); role or hall checks and cross-site writes give 403;
// parameters and bodies give 400 and 404; writes may conflict (409).
func errorCodes(rt Route) []string {
	codes := []string{"400", "401", "403", "404", "429"}
	if rt.Method != http.MethodGet {
		codes = append(codes, "409", "422")
	}
	return codes
}

func operationID(rt Route) string {
	id := strings.ToLower(rt.Method) + pathParamRE.ReplaceAllString(rt.Path, "By_$1")
	return strings.NewReplacer("/api/v1/", "_", "/", "_", "-", "_", "{$}", "").Replace(id)
}

func rolesOf(rt Route) []string {
	out := make([]string, len(rt.Roles))
	for i, r := range rt.Roles {
		out[i] = string(r)
	}
	return out
}

func allowsAnonymous(rt Route) bool {
	for _, r := range rt.Roles {
		if r == "anonymous" {
			return true
		}
	}
	return false
}

// schemaGen describes Go types as JSON Schema (2020-12, as OpenAPI 3.1
// uses), registering named structs under components. In request mode it
// adds the bounds the decoder enforces (clean_input.go).
type schemaGen struct {
	defs    map[string]any
	request bool
}

var (
	timeType = reflect.TypeFor[time.Time]()
	yuanType = reflect.TypeFor[catalog.Yuan]()
	dateType = reflect.TypeFor[workday.Date]()
)

// of is the schema of type t as the value of the named field.
func (g *schemaGen) of(t reflect.Type, field string, tag reflect.StructTag) map[string]any {
	if t.Kind() == reflect.Pointer {
		inner := g.of(t.Elem(), field, tag)
		return nullable(inner)
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == yuanType:
		return map[string]any{"type": "number", "minimum": 0}
	case t == dateType:
		return map[string]any{"type": "string", "format": "date"}
	case ownJSON(t):
		if t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
			return map[string]any{"type": "string"}
		}
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.String:
		sc := map[string]any{"type": "string"}
		if g.request {
			sc["maxLength"] = maxLenOf(field, tag)
		}
		return sc
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return g.number("integer", field, t.Kind(), tag)
	case reflect.Float32, reflect.Float64:
		return g.number("number", field, t.Kind(), tag)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{} // json.RawMessage: any JSON
		}
		return map[string]any{"type": "array", "items": g.of(t.Elem(), field, tag)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem(), field, tag)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		if _, done := g.defs[name]; !done {
			g.defs[name] = map[string]any{} // placeholder against recursion
			props := map[string]any{}
			g.addFields(t, props)
			g.defs[name] = map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func (g *schemaGen) number(typ, field string, k reflect.Kind, tag reflect.StructTag) map[string]any {
	sc := map[string]any{"type": typ}
	if g.request {
		r := rangeOf(field, k, tag)
		sc["minimum"], sc["maximum"] = r.Min, r.Max
		if !isFloat(k) {
			sc["minimum"], sc["maximum"] = int64(r.Min), int64(r.Max)
		}
	}
	return sc
}

// nullable lets a schema be null too (a Go pointer).
func nullable(sc map[string]any) map[string]any {
	if t, ok := sc["type"].(string); ok {
		out := map[string]any{}
		for k, v := range sc {
			out[k] = v
		}
		out["type"] = []string{t, "null"}
		return out
	}
	if len(sc) == 0 {
		return sc // anything, null included
	}
	return map[string]any{"anyOf": []any{sc, map[string]any{"type": "null"}}}
}

func (g *schemaGen) addFields(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.addFields(ft, props)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.of(f.Type, name, f.Tag)
	}
}

func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	n := t.Name()
	if n == "" {
		return "Anonymous"
	}
	if pkg == "web" {
		return strings.ToUpper(n[:1]) + n[1:]
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + n
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, 200, s.openAPI())
	return nil
}

type docOp struct {
	Method, Path, Summary, Roles string
}

type docTag struct {
	Name string
	Ops  []docOp
}

func (s *Server) handleAPIDocs(w http.ResponseWriter, r *http.Request) error {
	byTag := map[string]*docTag{}
	var tags []*docTag
	for _, rt := range s.routes {
		if rt.Summary == "" {
			continue
		}
		t := byTag[rt.Tag]
		if t == nil {
			t = &docTag{Name: rt.Tag}
			byTag[rt.Tag] = t
			tags = append(tags, t)
		}
		t.Ops = append(t.Ops, docOp{rt.Method, rt.Path, rt.Summary, strings.Join(rolesOf(rt), " ")})
	}
	s.render(w, r, 200, "api_docs", pageData{Title: i18n.T(lang(r), "nav.api_docs"), Data: map[string]any{"Tags": tags}})
	return nil
}
