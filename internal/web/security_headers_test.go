package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestSecurityHeadersOnEveryResponse: pages, JSON, errors and static files
// carry the Content-Security-Policy, nosniff, no framing and the other
// headers of docs/security.md.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	e := newHall(t)
	for _, p := range []string{"/", "/login", "/admin", "/api/v1/halls", "/api/v1/nothing", "/static/app.js",
		fmt.Sprintf("/screens/hall/%d", e.Hall), "/api/v1/openapi.json"} {
		res := e.request("GET", p, bearer(e.token("manager")))
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline script: %q", p, csp)
		}
		switch rp := h.Get("Referrer-Policy"); rp {
		case "same-origin", "no-referrer", "strict-origin-when-cross-origin":
		default:
			t.Errorf("%s: Referrer-Policy %q", p, rp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", p, k, h.Get(k), v)
			}
		}
		if !strings.Contains(h.Get("Permissions-Policy"), "camera=()") {
			t.Errorf("%s: Permissions-Policy %q", p, h.Get("Permissions-Policy"))
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS without TLS", p)
		}
	}
}
