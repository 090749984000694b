package web_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// pageOwners are pages this test leaves to the area that owns them, with
// the reason; everything else is checked.
var pageOwners = map[string]string{
	"/admin/outbox": "the outbox page belongs to the notify area (issue 12)",
	"/api/docs":     "the API description is for integrators and names codes on purpose",
}

var (
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	scriptRE  = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	dataCode  = regexp.MustCompile(`(?s)<code data-code>.*?</code>|<textarea[^>]*data-code[^>]*>.*?</textarea>`)
	isoTimeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d`)
)

// visibleText is what a person reads on a page: the text without tags,
// scripts and the identifiers an administrator types (marked data-code).
func visibleText(page string) string {
	page = scriptRE.ReplaceAllString(page, " ")
	page = dataCode.ReplaceAllString(page, " ")
	return html.UnescapeString(tagRE.ReplaceAllString(page, " "))
}

// TestEveryPageSpeaksThePeoplesLanguage loads every page of the route
// table as every role, in each of the three languages, and fails on a raw
// message key, a zone, role or audit action code, or a time shown in UTC.
func TestEveryPageSpeaksThePeoplesLanguage(t *testing.T) {
	if testing.Short() && testing.Verbose() {
		t.Log("all pages × all roles × three languages")
	}
	e := newHall(t)
	ctx := context.Background()
	// Something on every page: a ticket called at window 1, a case, a
	// guide draft, audit records of all of them.
	tk := e.issue("", map[string]any{"item": itemA})
	w01 := e.token("w01")
	for _, step := range []struct{ path, body string }{
		{fmt.Sprintf("/api/v1/windows/%d/session", e.windowID(1)), `{"state":"open"}`},
		{fmt.Sprintf("/api/v1/windows/%d/call", e.windowID(1)), `{}`},
	} {
		if res := e.request("POST", step.path, bearer(w01), jsonBody(step.body)); res.Status != 200 {
			t.Fatalf("%s: %d %s", step.path, res.Status, res.Body)
		}
	}
	cs, err := e.DB.ListCases(ctx, store.CaseFilter{HallID: e.Hall})
	if err != nil || len(cs) == 0 {
		t.Fatalf("demo cases: %v", err)
	}
	token := tk.TrackURL[strings.LastIndex(tk.TrackURL, "/t/")+3:]
	params := strings.NewReplacer("{hall}", strconv.FormatInt(e.Hall, 10), "{code}", "RS-B-012", "{n}", "1",
		"{id}", strconv.FormatInt(cs[len(cs)-1].ID, 10), "{window}", strconv.FormatInt(e.windowID(1), 10),
		"{token}", token, "{zone}", "employment", "{$}", "")

	// What must never be read: message keys, codes and UTC times.
	keys := map[string]bool{}
	for _, k := range i18n.Keys() {
		keys[k] = true
	}
	keyRE := regexp.MustCompile(`\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b`)
	var codes []string
	for _, r := range auth.AllRoles {
		if strings.Contains(string(r), "_") {
			codes = append(codes, string(r))
		}
	}
	codes = append(codes, "social_insurance")
	for _, k := range i18n.Keys() {
		if a, ok := strings.CutPrefix(k, "audit.action."); ok {
			codes = append(codes, a)
		}
	}
	codeRE := regexp.MustCompile(`(?:^|[^a-z0-9_.])(` + strings.Join(quoteAll(codes), "|") + `)(?:$|[^a-z0-9_])`)
	// In Chinese, an English zone code is a code, not a word.
	zhCodeRE := regexp.MustCompile(`\b(employment|arbitration|inspection|general)\b`)
	now := time.Now().UTC()
	utcHour := now.Format("2006-01-02 15:")
	localHour := now.In(shanghaiLoc).Format("2006-01-02 15:")

	var pages []string
	seen := map[string]bool{}
	for _, rt := range e.Server.Routes() {
		if rt.Method != "GET" || strings.HasPrefix(rt.Path, "/api/v1/") || strings.Contains(rt.Path, "{file}") || strings.Contains(rt.Path, "{job}") ||
			strings.HasSuffix(rt.Path, ".png") || strings.HasSuffix(rt.Path, ".xlsx") || strings.HasSuffix(rt.Path, ".csv") ||
			rt.Path == "/healthz" || rt.Path == "/readyz" || rt.Path == "/metrics" || pageOwners[rt.Path] != "" {
			continue
		}
		p := params.Replace(rt.Path)
		if p == "" {
			p = "/"
		}
		if !seen[p] {
			seen[p] = true
			pages = append(pages, p)
		}
	}
	roleTokens := map[auth.Role]string{}
	for _, r := range auth.AllRoles {
		if r == auth.Device {
			continue
		}
		roleTokens[r] = e.tokenFor(r)
	}
	checked := 0
	for role, tok := range roleTokens {
		for _, l := range i18n.Langs {
			for _, p := range pages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				res := e.request("GET", p+sep+"lang="+string(l), bearer(tok), asBrowser(), header("Accept-Language", string(l)))
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
					continue
				}
				checked++
				text := visibleText(res.Body)
				where := fmt.Sprintf("%s as %s in %s (%d)", p, role, l, res.Status)
				for _, m := range keyRE.FindAllString(text, -1) {
					if keys[m] {
						t.Errorf("%s shows the message key %q", where, m)
					}
				}
				if m := codeRE.FindStringSubmatchIndex(text); m != nil {
					t.Errorf("%s shows the code %q: …%s…", where, text[m[2]:m[3]], text[max(0, m[0]-60):min(len(text), m[1]+60)])
				}
				if l != i18n.En {
					if m := zhCodeRE.FindStringIndex(text); m != nil {
						t.Errorf("%s shows the code %q: …%s…", where, text[m[0]:m[1]], text[max(0, m[0]-60):min(len(text), m[1]+60)])
					}
				}
				if isoTimeRE.MatchString(text) || utcHour != localHour && strings.Contains(text, utcHour) {
					t.Errorf("%s shows a UTC time", where)
				}
			}
		}
	}
	if checked < 3*len(pages) {
		t.Fatalf("only %d pages checked of %d routes", checked, len(pages))
	}
}

var shanghaiLoc, _ = time.LoadLocation("Asia/Shanghai")

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = regexp.QuoteMeta(s)
	}
	return out
}
