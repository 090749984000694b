package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"mingbai/internal/auth"
	"mingbai/internal/hall"
)

// cspListener records Content-Security-Policy violations of every page
// the tab loads; it is injected by the browser before any page script and
// is not subject to the page's policy.
const cspListener = `window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});`

// TestEveryPageRunsUnderCSP loads every page of the route table in
// Chromium, each as the public or as an account of a role that may see it,
// with the Content-Security-Policy on, and finds no violation.
func TestEveryPageRunsUnderCSP(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	e := newHall(t)
	tk := e.issue("", map[string]any{"item": itemA})
	token := tk.TrackURL[strings.Index(tk.TrackURL, "/t/")+3:]
	cs := e.createCase(e.token("w01"), caseBody("RS-A-004", "居民身份证"))
	repl := strings.NewReplacer("{$}", "", "{hall}", fmt.Sprint(e.Hall), "{zone}", hall.ZoneEmployment, "{window}", fmt.Sprint(e.People.Clerk.Window),
		"{code}", itemA, "{token}", token, "{id}", fmt.Sprint(cs.ID), "{n}", "1", "{file}", "RS001.svg")
	// The role that visits each page: the public when it may, else the
	// first of these roles that may.
	order := []auth.Role{auth.Anonymous, auth.WindowStaff, auth.HallManager, auth.GuideEditor, auth.Auditor, auth.Admin, auth.DutyLeader, auth.CallbackOperator}
	users := map[auth.Role]string{auth.WindowStaff: "w01", auth.HallManager: "manager", auth.GuideEditor: "editor", auth.Auditor: "auditor",
		auth.Admin: "admin", auth.DutyLeader: "leader", auth.CallbackOperator: "callback"}
	byRole := map[auth.Role][]string{}
	for _, rt := range e.Server.Routes() {
		p := rt.Path
		if rt.Method != http.MethodGet || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/avatars/") ||
			p == "/metrics" || p == "/healthz" || p == "/readyz" || strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".xlsx") || strings.HasSuffix(p, ".png") {
			continue
		}
		if strings.Contains(p, "{staff}") || strings.Contains(p, "{job}") {
			continue
		}
		allowed := map[auth.Role]bool{}
		for _, r := range rt.Roles {
			allowed[r] = true
		}
		for _, r := range order {
			if allowed[r] {
				byRole[r] = append(byRole[r], repl.Replace(p))
				break
			}
		}
	}
	ctx := browser(t)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener}); err != nil {
		t.Fatal(err)
	}
	visited := 0
	for _, r := range order {
		paths := byRole[r]
		if len(paths) == 0 {
			continue
		}
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		if r != auth.Anonymous {
			if err := login(ctx, e, users[r]); err != nil {
				t.Fatalf("login %s: %v", r, err)
			}
		}
		for _, p := range paths {
			if err := chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+p), chromedp.WaitReady("body")); err != nil {
				t.Fatalf("%s as %s: %v", p, r, err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || ["listener missing"]`))
			if err != nil {
				t.Fatalf("%s as %s: %v", p, r, err)
			}
			if len(got) > 0 {
				t.Errorf("%s as %s: CSP violations %q", p, r, got)
			}
			visited++
		}
	}
	if visited < 25 {
		t.Fatalf("only %d pages visited", visited)
	}
	// The detector itself works: an inline script is a violation.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/guides"), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`var s = document.createElement("script"); s.textContent = "window.x = 1"; document.body.appendChild(s); 0`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__csp.length > 0`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("an inline script was not reported: %v", err)
	}
}
