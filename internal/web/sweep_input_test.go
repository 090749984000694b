package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"mingbai/internal/auth"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/web"
)

// badInput is one malformed request of the bad-input sweep.
type badInput struct {
	name  string
	path  string // "" = the route's path with real objects
	ctype string
	body  string
}

// TestEveryWriteRefusesBadInput is the generated bad-input sweep (issue
// 17 item 7): every write route of the table, called by a role it allows
// in its own hall against real objects, receives malformed JSON, wrong
// top-level and field types (for every field of its request schema),
// over-long strings, control and text-direction characters, numbers out
// of their declared range, unknown fields, an over-large body, HTML and
// SQL fragments and bad values in the path and the query. Each must
// answer 4xx with a JSON error whose message is in the caller's language
// (zh-CN here), as the API description says (a page's form may instead
// be shown again, in Chinese, with the message); and the database must be
// unchanged afterwards (a logical dump of every table, ignoring the
// documented throttle counters, credentials' last-use times and 'denied'
// audit records).
func TestEveryWriteRefusesBadInput(t *testing.T) {
	e := newHall(t)
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system"})
	tk := e.issue("", map[string]any{"item": itemA})
	cs := e.createCase(e.token("w01"), caseBody("RS-A-004", "居民身份证", "相关类别证明"))
	win := e.windowID(1)
	staff, err := e.DB.ListStaff(ctx, e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	_, victim, err := e.DB.CreateDevice(ctx, hall.Device{HallID: e.Hall, Kind: hall.DeviceDisplay, Name: "victim"})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[auth.Role]string{}
	for _, r := range auth.AllRoles {
		tokens[r] = e.tokenFor(r)
	}
	clerk := e.tokenOf(e.People.Clerk)
	padTok, _, err := e.DB.CreateDevice(ctx, hall.Device{HallID: e.Hall, Kind: hall.DeviceRatingPad, Name: "sweep pad"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := loadAPIDoc(e.Server)
	if err != nil {
		t.Fatal(err)
	}
	// caller picks a role the route allows, the most privileged first.
	caller := func(rt web.Route) string {
		for _, r := range []auth.Role{auth.Admin, auth.HallManager, auth.WindowStaff, auth.Consultant, auth.CallbackOperator, auth.GuideEditor, auth.DutyLeader, auth.Auditor} {
			if routeAllows(rt, r) {
				if r == auth.WindowStaff {
					return clerk
				}
				return tokens[r]
			}
		}
		if routeAllows(rt, auth.Device) {
			if strings.Contains(rt.Path, "pad") {
				return padTok
			}
			return tokens[auth.Device]
		}
		return ""
	}
	objects := strings.NewReplacer("{$}", "", "{hall}", fmt.Sprint(e.Hall), "{window}", fmt.Sprint(win),
		"{staff}", fmt.Sprint(staff[0].ID), "{device}", fmt.Sprint(victim.ID), "{zone}", hall.ZoneEmployment,
		"{item}", itemA, "{code}", itemA, "{n}", "1", "{name}", "nobody", "{token}", "nothing", "{file}", "RS001.svg")

	before := dumpDB(t, e.DB)
	requests, routes := 0, 0
	start := time.Now()
	for _, rt := range e.Server.Routes() {
		if rt.Method == http.MethodGet {
			continue
		}
		routes++
		id := "999999"
		switch rt.Hall.String() {
		case "ticket":
			id = fmt.Sprint(tk.ID)
		case "case":
			id = fmt.Sprint(cs.ID)
		}
		path := pathParam.ReplaceAllString(strings.ReplaceAll(objects.Replace(rt.Path), "{id}", id), "999999")
		token := caller(rt)
		var schema map[string]any
		if op := doc.op(rt.Method, path); op != nil {
			schema = op.request
		}
		for _, in := range badInputs(doc, rt, path, schema) {
			requests++
			p := in.path
			if p == "" {
				p = path
			}
			status, h, body := sweepBad(e, token, rt.Method, p, in.ctype, in.body)
			where := fmt.Sprintf("%s %s, %s", rt.Method, rt.Path, in.name)
			if status < 400 || status >= 500 {
				t.Errorf("%s: %d, want 4xx: %.300s", where, status, body)
				continue
			}
			if status == http.StatusUnauthorized || (status == http.StatusForbidden && h.Get("X-Mingbai-Access") != "") {
				t.Errorf("%s: %d: the sweep's caller should be allowed: %.200s", where, status, body)
				continue
			}
			if !strings.HasPrefix(rt.Path, "/api/") && strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				// A page's form is shown again with the message in place.
				if !hasHan(body) {
					t.Errorf("%s: %d, page not in Chinese", where, status)
				}
				continue
			}
			var eb struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error.Code == "" {
				t.Errorf("%s: %d, not a JSON error: %.300s", where, status, body)
				continue
			}
			if !hasHan(eb.Error.Message) {
				t.Errorf("%s: %d, message not in Chinese: %q", where, status, eb.Error.Message)
			}
			if len(body) > 2000 {
				t.Errorf("%s: %d, a %d-byte error (bad values must be quoted by a short prefix)", where, status, len(body))
			}
		}
		if t.Failed() {
			// Say which route changed the database, while it is known.
			if after := dumpDB(t, e.DB); !sameDump(t, before, after, rt.Method+" "+rt.Path) {
				before = after
			}
		}
	}
	after := dumpDB(t, e.DB)
	sameDump(t, before, after, "the sweep")
	t.Logf("bad-input sweep: %d write routes, %d requests in %v", routes, requests, time.Since(start).Round(time.Millisecond))
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// badInputs are the malformed requests of one route.
func badInputs(doc *apiDoc, rt web.Route, path string, schema map[string]any) []badInput {
	const js = "application/json"
	form := "application/x-www-form-urlencoded"
	var out []badInput
	add := func(name, body string) { out = append(out, badInput{name: name, ctype: js, body: body}) }
	isJSON := schema != nil || strings.HasPrefix(rt.Path, "/api/")
	if isJSON {
		add("malformed JSON", `{"a":`)
		add("trailing data", `{}{}`)
		add("a list instead of an object", `[]`)
		add("a string instead of an object", `"x"`)
		add("a number instead of an object", `12`)
		add("an unknown field", `{"sweep_no_such_field":1}`)
		add("an over-large body", `{"sweep":"`+strings.Repeat("x", 1<<20+10)+`"}`)
		if sc := doc.resolve(schema); sc != nil && schemaTypes(sc["type"])["object"] {
			props, _ := sc["properties"].(map[string]any)
			names := make([]string, 0, len(props))
			for k := range props {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				for _, v := range badValues(doc.resolve(props[k].(map[string]any))) {
					b, _ := json.Marshal(map[string]any{k: v.value})
					if v.raw != "" {
						b = []byte(`{"` + k + `":` + v.raw + `}`)
					}
					add(k+": "+v.name, string(b))
				}
			}
		} else if sc != nil && schemaTypes(sc["type"])["array"] {
			add("a list of numbers", `[1,2,3]`)
			add("a list with a control character", `["a\u0000b"]`)
		}
	} else {
		// A form of a page: every value is checked for control characters
		// and length before the handler runs.
		for _, f := range []struct{ name, body string }{
			{"form: NUL", "name=a%00b"},
			{"form: escape", "note=a%1B%5B31mb"},
			{"form: right-to-left override", "name=" + url.QueryEscape("a\u202eb")},
			{"form: newline in a one-line field", "name=a%0Ab"},
			{"form: over-long", "name=" + strings.Repeat("x", 1001)},
			{"form: over-long note", "note=" + strings.Repeat("x", 20001)},
			{"form: a number out of range", "late_days=-1"},
			{"form: a huge number", "n=9223372036854775807"},
			{"form: not a number", "sort=12abc"},
		} {
			out = append(out, badInput{name: f.name, ctype: form, body: f.body})
		}
	}
	// Bad path values and query values, with a well-formed empty body.
	empty := "{}"
	ctype := js
	if !isJSON {
		empty, ctype = "", form
	}
	for _, m := range pathParam.FindAllStringIndex(rt.Path, -1) {
		param := rt.Path[m[0]:m[1]]
		for _, bad := range []string{"abc", "0", "-1", "99999999999999999999", "1%20OR%201%3D1", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%27%3B%20DROP%20TABLE%20tickets%3B--", "a%00b", strings.Repeat("x", 2000)} {
			if param == "{hall}" && rt.Path == "/wechat/{hall}" && bad == "0" {
				continue
			}
			// The other parameters stay on real objects.
			p := realOthers(rt.Path, param, bad, path)
			out = append(out, badInput{name: "path " + param + "=" + shortBad(bad), path: p, ctype: ctype, body: empty})
		}
	}
	out = append(out, badInput{name: "query with NUL", path: path + "?note=a%00b", ctype: ctype, body: empty},
		badInput{name: "query with a right-to-left override", path: path + "?q=a%E2%80%AEb", ctype: ctype, body: empty})
	if rt.Hall.String() == "query" || rt.Hall.String() == "own" || rt.Hall.String() == "body" {
		for _, bad := range []string{"abc", "-1", "1%27%20OR%20%271%27%3D%271", "%3Cb%3E"} {
			out = append(out, badInput{name: "query hall=" + bad, path: path + "?hall=" + bad, ctype: ctype, body: empty})
		}
	}
	return out
}

// realOthers is the route's path with one parameter bad and the others
// as in the sweep's real path.
func realOthers(tmpl, param, bad, real string) string {
	ts, rs := strings.Split(tmpl, "/"), strings.Split(real, "/")
	if len(ts) != len(rs) {
		return strings.Replace(tmpl, param, bad, 1)
	}
	for i := range ts {
		if ts[i] == param {
			rs[i] = bad
		}
	}
	return strings.Join(rs, "/")
}

func shortBad(s string) string {
	if len(s) > 24 {
		return s[:10] + fmt.Sprintf("…(%d)", len(s))
	}
	return s
}

type badValue struct {
	name  string
	value any
	raw   string // literal JSON, when value cannot say it
}

// badValues are values a field of the given schema must refuse.
func badValues(sc map[string]any) []badValue {
	if sc == nil {
		return nil
	}
	types := schemaTypes(sc["type"])
	var out []badValue
	switch {
	case types["string"]:
		max := 1000
		if m, ok := sc["maxLength"].(float64); ok {
			max = int(m)
		}
		out = append(out,
			badValue{name: "a number for a string", value: 12345},
			badValue{name: "over-long", value: strings.Repeat("长", max+1)},
			badValue{name: "NUL", value: "a\x00b"},
			badValue{name: "escape", value: "a\x1b[31mb"},
			badValue{name: "right-to-left override", value: "a\u202eb"},
		)
	case types["integer"] || types["number"]:
		out = append(out,
			badValue{name: "a string for a number", value: "12abc"},
			badValue{name: "a huge number", raw: "9223372036854775807"},
			badValue{name: "beyond int64", raw: "1e400"},
		)
		if types["integer"] {
			out = append(out, badValue{name: "a fraction for an integer", raw: "1.5"})
		}
		if m, ok := sc["maximum"].(float64); ok {
			out = append(out, badValue{name: "above the maximum", raw: fmtFloat(m + 1)})
		}
		if m, ok := sc["minimum"].(float64); ok {
			out = append(out, badValue{name: "below the minimum", raw: fmtFloat(m - 1)})
		}
	case types["boolean"]:
		out = append(out, badValue{name: "a string for a boolean", value: "yes"})
	case types["array"]:
		out = append(out, badValue{name: "an object for a list", value: map[string]any{"a": 1}})
	case types["object"]:
		out = append(out, badValue{name: "a list for an object", value: []int{1}})
	}
	return out
}

func fmtFloat(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%f", f), ".000000") }

// sweepBad sends one bad request in Chinese, asking for JSON, and checks
// the answer against the API description.
func sweepBad(e *hallEnv, token, method, path, ctype, body string) (int, http.Header, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.HTTP.URL+path, strings.NewReader(body))
	if err != nil {
		// A path that is not even a URL never reaches the server.
		return 400, http.Header{}, `{"error":{"code":"invalid","message":"无效"}}`
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Language", "zh-CN")
	client := *e.HTTP.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, string(b)
}

// dumpDB is a logical dump of every table: per table, the sorted rows.
// Left out, as documented (docs/reliability.md): the throttle counters
// (throttle, case_lookup_failures), the lazily created page-token key
// (app_secrets), when a credential was last used (api_tokens.last_used,
// devices.last_seen) and audit records of refusals (outcome 'denied').
func dumpDB(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	skipTables := map[string]bool{"throttle": true, "case_lookup_failures": true, "app_secrets": true, "schema_migrations": true, "goose_db_version": true}
	skipCols := map[string]bool{"last_used": true, "last_seen": true}
	out := map[string][]string{}
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
		if db.Dialect == store.Postgres {
			q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
		}
		rows, err := tx.Query(q)
		if err != nil {
			return err
		}
		var tables []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			if !skipTables[n] {
				tables = append(tables, n)
			}
		}
		rows.Close()
		for _, tb := range tables {
			rows, err := tx.Query("SELECT * FROM " + tb)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			var lines []string
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				var sb strings.Builder
				denied := false
				for i, c := range cols {
					if skipCols[c] {
						continue
					}
					v := vals[i]
					if b, ok := v.([]byte); ok {
						v = string(b)
					}
					if tb == "audit_log" && c == "outcome" && v == "denied" {
						denied = true
					}
					if tb == "audit_log" && (c == "prev_hash" || c == "hash" || c == "seq") {
						continue // the chain moves on with every denied record
					}
					fmt.Fprintf(&sb, "%s=%v|", c, v)
				}
				if !denied {
					lines = append(lines, sb.String())
				}
			}
			rows.Close()
			sort.Strings(lines)
			out[tb] = lines
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameDump reports the tables that differ.
func sameDump(t *testing.T, a, b map[string][]string, after string) bool {
	t.Helper()
	same := true
	for tb, rows := range b {
		if digest(rows) != digest(a[tb]) {
			same = false
			t.Errorf("after %s table %s changed: %d rows before, %d after; new: %.400s", after, tb, len(a[tb]), len(rows), strings.Join(added(a[tb], rows), " ; "))
		}
	}
	return same
}

func digest(rows []string) string {
	h := sha256.New()
	for _, r := range rows {
		h.Write([]byte(r))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func added(a, b []string) []string {
	seen := map[string]int{}
	for _, r := range a {
		seen[r]++
	}
	var out []string
	for _, r := range b {
		if seen[r] > 0 {
			seen[r]--
			continue
		}
		out = append(out, r)
	}
	return out
}
