package web

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
)

// metrics counts requests and their latencies per route pattern in the
// Prometheus text format. Hand-written: the format is simple and the
// client library would be the largest dependency of the binary.
type metrics struct {
	mu    sync.Mutex
	start time.Time
	reqs  map[[2]string]int64 // route, status class
	hist  map[string]*histogram
	// security counts security events (security_metrics.go).
	security map[securityCounter]int64
}

var buckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type histogram struct {
	counts []int64
	sum    float64
	n      int64
}

func newMetrics() *metrics {
	return &metrics{start: time.Now(), reqs: map[[2]string]int64{}, hist: map[string]*histogram{}, security: map[securityCounter]int64{}}
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	class := fmt.Sprintf("%dxx", status/100)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs[[2]string{route, class}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]int64, len(buckets))}
		m.hist[route] = h
	}
	sec := d.Seconds()
	for i, b := range buckets {
		if sec <= b {
			h.counts[i]++
		}
	}
	h.sum += sec
	h.n++
}

// Gauge is a business gauge contributed by an area (waiting tickets,
// outbox backlog …).
type Gauge struct {
	Name, Help string
	Labels     map[string]string
	Value      float64
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	if err := s.metricsAllowed(r); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	m := s.metrics
	m.mu.Lock()
	b.WriteString("# HELP mingbai_http_requests_total HTTP requests by route and status class.\n# TYPE mingbai_http_requests_total counter\n")
	keys := make([][2]string, 0, len(m.reqs))
	for k := range m.reqs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "mingbai_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.reqs[k])
	}
	b.WriteString("# HELP mingbai_http_request_duration_seconds HTTP request latency by route.\n# TYPE mingbai_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.hist))
	for k := range m.hist {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	for _, rt := range routes {
		h := m.hist[rt]
		for i, le := range buckets {
			fmt.Fprintf(&b, "mingbai_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", rt, le, h.counts[i])
		}
		fmt.Fprintf(&b, "mingbai_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", rt, h.n)
		fmt.Fprintf(&b, "mingbai_http_request_duration_seconds_sum{route=%q} %g\n", rt, h.sum)
		fmt.Fprintf(&b, "mingbai_http_request_duration_seconds_count{route=%q} %d\n", rt, h.n)
	}
	m.writeSecurity(&b)
	fmt.Fprintf(&b, "# HELP mingbai_uptime_seconds Seconds since the server started.\n# TYPE mingbai_uptime_seconds gauge\nmingbai_uptime_seconds %g\n", time.Since(m.start).Seconds())
	m.mu.Unlock()

	subs, sent, dropped := s.StreamStats()
	fmt.Fprintf(&b, "# HELP mingbai_stream_subscribers Connected live-stream clients.\n# TYPE mingbai_stream_subscribers gauge\nmingbai_stream_subscribers %d\n", subs)
	fmt.Fprintf(&b, "# HELP mingbai_stream_events_sent_total Events delivered to stream clients.\n# TYPE mingbai_stream_events_sent_total counter\nmingbai_stream_events_sent_total %d\n", sent)
	fmt.Fprintf(&b, "# HELP mingbai_stream_dropped_total Slow stream clients dropped.\n# TYPE mingbai_stream_dropped_total counter\nmingbai_stream_dropped_total %d\n", dropped)
	if counts, err := s.DB.OutboxCounts(r.Context()); err == nil {
		b.WriteString("# HELP mingbai_outbox_messages Outbox messages by state.\n# TYPE mingbai_outbox_messages gauge\n")
		for _, st := range notify.States {
			fmt.Fprintf(&b, "mingbai_outbox_messages{state=%q} %d\n", st, counts[st])
		}
	}
	writeGauges(&b, s.gauges(r))
	_, err := w.Write([]byte(b.String()))
	return err
}

// gauges collects business gauges from the areas; each area adds its
// function to the gaugeSources list.
func (s *Server) gauges(r *http.Request) []Gauge {
	var out []Gauge
	for _, src := range gaugeSources {
		out = append(out, src(s, r)...)
	}
	return out
}

var gaugeSources = []func(*Server, *http.Request) []Gauge{queueGauges, hallGauges}

// writeGauges writes gauges grouped by name: one HELP and TYPE line per
// metric, then its samples (the text format allows no second HELP).
func writeGauges(b *strings.Builder, gs []Gauge) {
	var names []string
	byName := map[string][]Gauge{}
	for _, g := range gs {
		if _, ok := byName[g.Name]; !ok {
			names = append(names, g.Name)
		}
		byName[g.Name] = append(byName[g.Name], g)
	}
	for _, n := range names {
		list := byName[n]
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n", n, list[0].Help, n)
		for _, g := range list {
			var labels []string
			for k, v := range g.Labels {
				labels = append(labels, fmt.Sprintf("%s=%q", k, v))
			}
			sort.Strings(labels)
			fmt.Fprintf(b, "%s{%s} %g\n", n, strings.Join(labels, ","), g.Value)
		}
	}
}

// hallGauges are the business figures per hall and zone
// (docs/oversight.md lists them).
func hallGauges(s *Server, r *http.Request) []Gauge {
	hs, err := s.DB.AllHallGauges(r.Context())
	if err != nil {
		s.Log.Warn("metrics: hall gauges", "err", err)
		return nil
	}
	var out []Gauge
	for _, h := range hs {
		hall := map[string]string{"hall": h.Code}
		for _, z := range h.Zones {
			out = append(out, Gauge{Name: "mingbai_hall_longest_wait_seconds", Help: "Longest current wait of a waiting ticket per zone (seconds since issue)",
				Labels: map[string]string{"hall": h.Code, "zone": z.Code}, Value: z.LongestSec})
		}
		add := func(name, help string, v float64) {
			out = append(out, Gauge{Name: name, Help: help, Labels: hall, Value: v})
		}
		add("mingbai_hall_tickets_issued_today", "Tickets issued today in the hall's time zone", float64(h.Issued))
		add("mingbai_hall_tickets_served_today", "Tickets served to the end (done) today", float64(h.Served))
		add("mingbai_hall_tickets_called_today", "Tickets called at least once today", float64(h.Called))
		add("mingbai_hall_wait_mean_seconds", "Mean wait from issue to first call of today's called tickets", h.MeanWaitSec)
		add("mingbai_hall_called_within_10min_ratio", "Share of today's called tickets called within 10 minutes of issue (0-1)", h.Within10)
		add("mingbai_hall_windows_open", "Windows with a staff member signed in (open or paused)", float64(h.WindowsOpen))
		add("mingbai_hall_windows_scheduled", "Windows with an assigned staff member", float64(h.WindowsScheduled))
		add("mingbai_hall_cases_overdue", "Open cases past their pledged deadline", float64(h.CasesOverdue))
		add("mingbai_hall_integrity_alerts_open", "Open integrity alerts", float64(h.AlertsOpen))
	}
	return out
}

// metricsAllowed admits a scrape with the configured bearer token, or
// from an allow-listed address (loopback by default) that came directly,
// not through a proxy (a request with forwarding headers needs the token:
// behind a reverse proxy on the same host everything looks local).
func (s *Server) metricsAllowed(r *http.Request) error {
	if s.metricsToken(r) {
		return nil
	}
	if r.Header.Get("X-Forwarded-For") == "" && r.Header.Get("Forwarded") == "" && r.Header.Get("X-Real-Ip") == "" {
		if ip, err := netip.ParseAddr(clientIP(r)); err == nil {
			ip = ip.Unmap()
			for _, p := range s.metricsNets() {
				if p.Contains(ip) {
					return nil
				}
			}
		}
	}
	return apperr.New(apperr.Forbidden, "ov.metrics_refused")
}

// metricsToken reports whether a request to /metrics carries the
// configured scrape token as its bearer token.
func (s *Server) metricsToken(r *http.Request) bool {
	tok := s.Cfg.MetricsToken
	if tok == "" || r.URL.Path != "/metrics" {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(tok)) == 1
}

// metricsNets parses the allow-list (MetricsAllow: addresses or CIDR
// prefixes; nil means loopback; "none" allows no address).
func (s *Server) metricsNets() []netip.Prefix {
	allow := s.Cfg.MetricsAllow
	if allow == nil {
		allow = []string{"127.0.0.0/8", "::1/128"}
	}
	var out []netip.Prefix
	for _, a := range allow {
		a = strings.TrimSpace(a)
		if a == "" || a == "none" {
			continue
		}
		if p, err := netip.ParsePrefix(a); err == nil {
			out = append(out, p.Masked())
		} else if ip, err := netip.ParseAddr(a); err == nil {
			out = append(out, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
		}
	}
	return out
}
