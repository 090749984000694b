package web

import (
	"io"
	"net/http"
	"strings"
)

// contentSecurityPolicy allows what mingbai's own pages need and nothing
// else: scripts, styles, images and connections from this origin only, no
// inline script or handler, no plugins, no framing (screens may allow the
// configured origins), reports to /csp-report.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors %s; report-uri /csp-report"

// securityHeaders sets the headers of every response, pages, JSON and
// static files alike (docs/security.md).
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	frames := "'none'"
	screenFrames := frames
	if len(s.Cfg.ScreenFrameOrigins) > 0 {
		screenFrames = strings.Join(s.Cfg.ScreenFrameOrigins, " ")
	}
	csp := strings.Replace(contentSecurityPolicy, "%s", frames, 1)
	screenCSP := strings.Replace(contentSecurityPolicy, "%s", screenFrames, 1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if strings.HasPrefix(r.URL.Path, "/screens/") {
			h.Set("Content-Security-Policy", screenCSP)
			if screenFrames == "'none'" {
				h.Set("X-Frame-Options", "DENY")
			}
		} else {
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Frame-Options", "DENY")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// handleCSPReport receives the browser's reports of Content-Security-Policy
// violations: counted in mingbai_csp_violations_total and logged, so a
// page that breaks the policy shows up in monitoring.
func (s *Server) handleCSPReport(w http.ResponseWriter, r *http.Request) error {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	s.metrics.cspViolation()
	s.Log.Warn("content security policy violation", "report", shortValue(string(b)))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
