package web_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"mingbai/internal/web"
)

// TestMetricsNeedATokenOrAnAllowedAddress: /metrics answers loopback
// scrapes by default, refuses a proxied one (forwarding headers) and any
// address not on the list, and admits a scrape with the token; it carries
// the business gauges per hall and zone, each metric described once.
func TestMetricsNeedATokenOrAnAllowedAddress(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	e.issue(admin, map[string]any{"item": itemA})

	res := e.request("GET", "/metrics")
	if res.Status != 200 {
		t.Fatalf("loopback scrape: %d", res.Status)
	}
	for _, want := range []string{
		`mingbai_queue_waiting{hall="` + "", `mingbai_hall_longest_wait_seconds{hall="`, `mingbai_hall_tickets_issued_today{hall="`,
		`mingbai_hall_tickets_served_today{hall="`, `mingbai_hall_windows_open{hall="`, `mingbai_hall_cases_overdue{hall="`,
		`mingbai_hall_integrity_alerts_open{hall="`, `mingbai_hall_called_within_10min_ratio{hall="`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !regexp.MustCompile(`mingbai_hall_tickets_issued_today\{hall="[^"]+"\} 1\n`).MatchString(res.Body) {
		t.Errorf("issued today is not 1:\n%s", grep(res.Body, "issued_today"))
	}
	// The text format allows one HELP per metric.
	seen := map[string]bool{}
	for _, line := range strings.Split(res.Body, "\n") {
		if strings.HasPrefix(line, "# HELP ") {
			name := strings.Fields(line)[2]
			if seen[name] {
				t.Errorf("second HELP for %s", name)
			}
			seen[name] = true
		}
	}
	// Every metric the docs and the Grafana board name is served.
	for _, f := range []string{"../../docs/oversight.md", "../../docs/grafana/mingbai-halls.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`mingbai_(?:hall|queue)_[a-z0-9_]+`).FindAllString(string(b), -1) {
			if !seen[m] {
				t.Errorf("%s names %s, which /metrics does not serve", f, m)
			}
		}
	}
	// Through a proxy on the same host everything looks local: refused.
	if res := e.request("GET", "/metrics", header("X-Forwarded-For", "203.0.113.9")); res.Status != 403 {
		t.Fatalf("proxied scrape: %d", res.Status)
	}

	// A server configured with a token and no allowed address.
	s2 := newServer(t, e.DB, web.Config{Version: "test", MetricsToken: "s3cret-scrape", MetricsAllow: []string{}})
	for name, tok := range map[string]string{"no token": "", "wrong token": "nope", "a user's token": admin} {
		if res := s2.request("GET", "/metrics", bearer(tok)); (res.Status != 403 && res.Status != 401) || strings.Contains(res.Body, "mingbai_hall") {
			t.Errorf("%s: %d", name, res.Status)
		}
	}
	if res := s2.request("GET", "/metrics", bearer("s3cret-scrape"), header("X-Forwarded-For", "203.0.113.9")); res.Status != 200 || !strings.Contains(res.Body, "mingbai_hall_windows_open") {
		t.Fatalf("with the token: %d", res.Status)
	}
	// An allow-list that names another network refuses loopback.
	s3 := newServer(t, e.DB, web.Config{Version: "test", MetricsAllow: []string{"10.0.0.0/8"}})
	if res := s3.request("GET", "/metrics"); res.Status != 403 {
		t.Fatalf("loopback not on the list: %d", res.Status)
	}
	s4 := newServer(t, e.DB, web.Config{Version: "test", MetricsAllow: []string{"127.0.0.1"}})
	if res := s4.request("GET", "/metrics"); res.Status != 200 {
		t.Fatalf("127.0.0.1 on the list: %d", res.Status)
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return fmt.Sprint(out)
}
