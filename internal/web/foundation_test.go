package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mingbai/internal/auth"
	"mingbai/internal/store"
)

func TestTokenAdminRoute(t *testing.T) {
	e := newHall(t)
	status, body := e.do("GET", "/api/v1/users", e.token("admin"), nil)
	if status != 200 {
		t.Fatalf("admin token: %d %s", status, body)
	}
	var users []struct{ Name, Role string }
	json.Unmarshal(body, &users)
	roles := map[string]bool{}
	for _, u := range users {
		roles[u.Role] = true
	}
	for _, r := range auth.AccountRoles {
		if !roles[string(r)] {
			t.Errorf("no demo user with role %s in %s", r, body)
		}
	}
	if status, _ := e.do("GET", "/api/v1/users", "", nil); status != 401 {
		t.Errorf("anonymous: %d", status)
	}
	if status, _ := e.do("GET", "/api/v1/users", e.token("w01"), nil); status != 403 {
		t.Errorf("window staff: %d", status)
	}
	if status, body := e.do("GET", "/api/v1/users", "mb_not-a-token", nil); status != 401 || !strings.Contains(string(body), `"unauthorized"`) {
		t.Errorf("bad token: %d %s", status, body)
	}
}

func TestBadInputIsClearAndChangesNothing(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	before, _ := e.DB.ListUsers(t.Context())
	for _, tc := range []struct {
		name, body, wantField string
	}{
		{"malformed", `{"name":`, ""},
		{"unknown field", `{"name":"abc","role":"admin","password":"Abcdefgh-123","shoe":1}`, "shoe"},
		{"wrong type", `{"name":5}`, "name"},
		{"bad role", `{"name":"abcd","role":"king","password":"Abcdefgh-123"}`, "role"},
		{"weak password", `{"name":"abcd","role":"admin","password":"x"}`, "password"},
		{"long display name", `{"name":"abcd","role":"admin","password":"Abcdefgh-123","display_name":"` + strings.Repeat("长", 51) + `"}`, "display_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do("POST", "/api/v1/users", admin, tc.body)
			var eb struct {
				Error struct{ Code, Message, Field string }
			}
			json.Unmarshal(body, &eb)
			if status != 400 || eb.Error.Code != "invalid" || eb.Error.Message == "" || eb.Error.Field != tc.wantField {
				t.Errorf("got %d %s", status, body)
			}
		})
	}
	after, _ := e.DB.ListUsers(t.Context())
	if len(after) != len(before) {
		t.Errorf("bad input created %d users", len(after)-len(before))
	}
	// The message follows the caller's language.
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/users", nil)
	req.Header.Set("Accept-Language", "zh-CN")
	resp, _ := http.DefaultClient.Do(req)
	var eb struct{ Error struct{ Message string } }
	json.NewDecoder(resp.Body).Decode(&eb)
	resp.Body.Close()
	if !strings.Contains(eb.Error.Message, "请先登录") {
		t.Errorf("zh-CN message = %q", eb.Error.Message)
	}
}

func TestCrossOriginWriteRejected(t *testing.T) {
	e := newHall(t)
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/session", strings.NewReader(`{"username":"admin","password":"x"}`))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
	}
}

// TestEveryPageRenders fetches the public and staff pages in each language
// and fails on a template error.
func TestEveryPageRenders(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	for _, path := range []string{"/", "/login", "/api/docs", "/admin/halls/1", "/admin/users", "/admin/audit", "/admin/outbox", "/admin/staffing"} {
		for _, l := range []string{"zh-CN", "en", "zh-TW"} {
			status, body := e.do("GET", path+"?lang="+l, admin, nil)
			if status != 200 || !strings.Contains(string(body), "</html>") {
				t.Errorf("%s in %s: %d %.200s", path, l, status, body)
			}
		}
	}
	_, body := e.do("GET", "/login?lang=en", "", nil)
	if !strings.Contains(string(body), "Hall-Demo-2026") || !strings.Contains(string(body), "Window staff") {
		t.Errorf("demo login page lacks the demo accounts")
	}
}

func TestOpenAPIAndHealth(t *testing.T) {
	e := newHall(t)
	if status, _ := e.do("GET", "/healthz", "", nil); status != 200 {
		t.Fatalf("healthz %d", status)
	}
	if status, _ := e.do("GET", "/readyz", "", nil); status != 200 {
		t.Fatalf("readyz %d", status)
	}
	status, body := e.do("GET", "/api/v1/openapi.json", "", nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || status != 200 {
		t.Fatalf("openapi: %d %v", status, err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Paths["/api/v1/users"]["get"] == nil {
		t.Fatalf("openapi = %s, users path %v", doc.OpenAPI, doc.Paths["/api/v1/users"])
	}
	status, body = e.do("GET", "/metrics", "", nil)
	if status != 200 || !strings.Contains(string(body), "mingbai_http_requests_total") {
		t.Fatalf("metrics: %d", status)
	}
}

func TestBrowserLoginOpensAdminPage(t *testing.T) {
	e := newHall(t)
	ctx := browser(t)
	if err := login(ctx, e, "admin"); err != nil {
		t.Fatal(err)
	}
	// With two halls /admin lists them; the demo hall's link opens its page.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/admin"),
		chromedp.Click(fmt.Sprintf(`a[href="/admin/halls/%d"]`, e.Hall)), chromedp.WaitVisible(`#windows table`)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(`h1`))
	if err != nil {
		t.Fatal(err)
	}
	windows, err := chromedp.Run(ctx, chromedp.Text(`#windows table`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "综合服务大厅") || !strings.Contains(windows, "李明") {
		t.Fatalf("admin page title %q, windows %q", title, windows)
	}
}

func TestAdminChangesRole(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	callback := e.token("callback")
	if status, _ := e.do("GET", "/api/v1/halls/1/devices", callback, nil); status != 403 {
		t.Fatalf("callback operator reads devices: %d", status)
	}
	if status, b := e.do("PUT", "/api/v1/users/callback/role", admin, `{"role":"auditor"}`); status != 200 {
		t.Fatalf("change role: %d %s", status, b)
	}
	if status, _ := e.do("GET", "/api/v1/halls/1/devices", callback, nil); status != 200 {
		t.Fatalf("after the change the token should act as auditor: %d", status)
	}
	if status, b := e.do("PUT", "/api/v1/users/callback/role", admin, `{"role":"emperor"}`); status != 400 || !strings.Contains(string(b), "emperor") {
		t.Fatalf("unknown role: %d %s", status, b)
	}
	if status, _ := e.do("PUT", "/api/v1/users/nobody/role", admin, `{"role":"auditor"}`); status != 404 {
		t.Fatalf("unknown user: %d", status)
	}
	recs, _ := e.DB.ListAudit(t.Context(), store.AuditFilter{Action: "user.role"})
	if len(recs) != 1 || recs[0].Detail != "callback_operator -> auditor" {
		t.Fatalf("audit: %+v", recs)
	}
}
