package web

import (
	"fmt"
	"sort"
	"strings"
)

// securityCounter is one series of a security counter: metric name and
// an optional reason label.
type securityCounter struct{ name, reason string }

var securityHelp = map[string]string{
	"mingbai_csp_violations_total":    "Content-Security-Policy violation reports received.",
	"mingbai_sms_codes_sent_total":    "SMS codes sent.",
	"mingbai_sms_codes_refused_total": "SMS code requests refused, by the limit that refused them (phone, address, hall, global, proof).",
}

func (m *metrics) count(name, reason string) {
	m.mu.Lock()
	m.security[securityCounter{name, reason}]++
	m.mu.Unlock()
}

func (m *metrics) cspViolation() { m.count("mingbai_csp_violations_total", "") }

// writeSecurity writes the security counters; the caller holds m.mu.
func (m *metrics) writeSecurity(b *strings.Builder) {
	names := make([]string, 0, len(securityHelp))
	for n := range securityHelp {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s counter\n", n, securityHelp[n], n)
		var keys []securityCounter
		for k := range m.security {
			if k.name == n {
				keys = append(keys, k)
			}
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].reason < keys[j].reason })
		if len(keys) == 0 && !strings.Contains(n, "refused") {
			fmt.Fprintf(b, "%s 0\n", n)
		}
		for _, k := range keys {
			if k.reason == "" {
				fmt.Fprintf(b, "%s %d\n", n, m.security[k])
			} else {
				fmt.Fprintf(b, "%s{reason=%q} %d\n", n, k.reason, m.security[k])
			}
		}
	}
}

// securityCount returns a counter's value (for the SMS spike alert).
func (m *metrics) securityCount(name, reason string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.security[securityCounter{name, reason}]
}
