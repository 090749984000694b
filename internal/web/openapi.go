package web

import (
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"mingbai/internal/i18n"
)

// The OpenAPI 3.1 description is generated from the route table and the
// request/response example types named there, so it cannot drift from the
// code: a route without a summary is not part of the public API.

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

func (s *Server) openAPI() map[string]any {
	paths := map[string]any{}
	schemas := map[string]any{}
	for _, rt := range s.routes {
		if rt.Summary == "" || !strings.HasPrefix(rt.Path, "/") {
			continue
		}
		p := strings.TrimSuffix(rt.Path, "{$}")
		op := map[string]any{
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"operationId": operationID(rt),
			"x-roles":     rolesOf(rt),
		}
		var params []any
		for _, m := range pathParamRE.FindAllStringSubmatch(p, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Request), schemas)}}}
		}
		okCode := "200"
		if rt.Method == "POST" && rt.Request != nil && !strings.HasSuffix(p, "/session") {
			okCode = "201"
		}
		resp := map[string]any{"description": "OK"}
		if rt.Response != nil {
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Response), schemas)}}
		}
		responses := map[string]any{okCode: resp, "default": map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ErrorBody"}}}}}
		op["responses"] = responses
		if !allowsAnonymous(rt) {
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}}
		}
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	schemaOf(reflect.TypeOf(ErrorBody{}), schemas)
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "mingbai API",
			"version":     s.Cfg.Version,
			"description": i18n.T(i18n.ZhCN, "app.name") + " — " + i18n.T(i18n.En, "app.tagline") + ". Errors are JSON {\"error\":{\"code\",\"message\"}} with the message in the language of Accept-Language (zh-CN, en, zh-TW). x-roles lists the roles that may call each operation.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "API token (mingbai token create) or device token"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
		},
	}
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

// schemaOf describes a Go type as JSON Schema (2020-12, as OpenAPI 3.1
// uses), registering named structs under components.
func schemaOf(t reflect.Type, defs map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{} // json.RawMessage: any JSON
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), defs)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), defs)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.String() == "time.Time" {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		name := schemaName(t)
		if _, done := defs[name]; !done {
			defs[name] = map[string]any{} // placeholder against recursion
			props := map[string]any{}
			addFields(t, props, defs)
			keys := make([]string, 0, len(props))
			for k := range props {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			defs[name] = map[string]any{"type": "object", "properties": props}
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any, defs map[string]any) {
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
				addFields(ft, props, defs)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type, defs)
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
