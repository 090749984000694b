package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

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

	subs, sent, dropped := s.Broker.Stats()
	fmt.Fprintf(&b, "# HELP mingbai_stream_subscribers Connected live-stream clients.\n# TYPE mingbai_stream_subscribers gauge\nmingbai_stream_subscribers %d\n", subs)
	fmt.Fprintf(&b, "# HELP mingbai_stream_events_sent_total Events delivered to stream clients.\n# TYPE mingbai_stream_events_sent_total counter\nmingbai_stream_events_sent_total %d\n", sent)
	fmt.Fprintf(&b, "# HELP mingbai_stream_dropped_total Slow stream clients dropped.\n# TYPE mingbai_stream_dropped_total counter\nmingbai_stream_dropped_total %d\n", dropped)
	if counts, err := s.DB.OutboxCounts(r.Context()); err == nil {
		b.WriteString("# HELP mingbai_outbox_messages Outbox messages by state.\n# TYPE mingbai_outbox_messages gauge\n")
		for _, st := range notify.States {
			fmt.Fprintf(&b, "mingbai_outbox_messages{state=%q} %d\n", st, counts[st])
		}
	}
	for _, g := range s.gauges(r) {
		var labels []string
		for k, v := range g.Labels {
			labels = append(labels, fmt.Sprintf("%s=%q", k, v))
		}
		sort.Strings(labels)
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s{%s} %g\n", g.Name, g.Help, g.Name, g.Name, strings.Join(labels, ","), g.Value)
	}
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

var gaugeSources = []func(*Server, *http.Request) []Gauge{queueGauges}
