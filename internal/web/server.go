// Package web is mingbai's HTTP layer: one route table (routes.go), thin
// handlers grouped by area, server-rendered pages and a JSON API under
// /api/v1, with server-sent events for live screens.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/events"
	"mingbai/internal/store"
)

// Config holds the web layer's settings.
type Config struct {
	// BaseURL is the public address used in QR codes and links
	// (e.g. https://hall.example.gov.cn); derived from the request when empty.
	BaseURL string
	// SecureCookies marks cookies Secure; on by default under TLS.
	SecureCookies bool
	// Version is shown on /healthz and in the footer.
	Version string
	// Demo enables hints for newcomers (demo accounts on the login page).
	Demo bool
	// DemoAccounts are shown on the login page of the demo hall.
	DemoAccounts []DemoAccount
	// ScreenFrameOrigins may frame the screen pages (/screens/…), e.g. a
	// signage system's origin; every other page may not be framed.
	ScreenFrameOrigins []string
	// MetricsToken, when set, admits a /metrics scrape that presents it as
	// a bearer token; MetricsAllow lists the addresses or CIDR prefixes
	// admitted without it (nil: loopback only; "none": no address).
	MetricsToken string
	MetricsAllow []string
	// ReportMaxDays is the longest report range in days (0: 366).
	ReportMaxDays int
}

// DemoAccount is a demo login shown to newcomers.
type DemoAccount struct {
	Role, Username, Password string
}

// Server is the HTTP application.
type Server struct {
	DB     *store.DB
	Broker *events.Broker
	Log    *slog.Logger
	Cfg    Config

	handler http.Handler
	routes  []Route
	pages   *pages
	metrics *metrics
	limits  *limiters
	// pageKey signs page tokens (sms_proof.go), read once from the database.
	pageKeyMu   sync.Mutex
	pageKey     []byte
	spikeMu     sync.Mutex
	spikeLogged int64
	// wechat holds the official accounts of the halls (consult.go).
	wechat wechatAccounts
	sms    smsWiring // SMS providers (notify_callback.go)
	// streams is closed at shutdown so that live streams end and the HTTP
	// server can finish gracefully.
	streams chan struct{}
	// fanout serves the public hall screens (sse_fanout.go), from the first
	// one until CloseStreams.
	fanoutMu        sync.Mutex
	fanout          *screenFanout
	streamsClosed   bool
	streamHeartbeat time.Duration // 0: 15 s (tests shorten it)
	streamMaxQueued int           // 0: 256 frames
	// streamSendBuffer, when set, is the socket send buffer of a
	// handed-over screen (tests make it small to fill it).
	streamSendBuffer int
}

// New builds the server and checks that every template parses.
func New(db *store.DB, broker *events.Broker, log *slog.Logger, cfg Config) (*Server, error) {
	s := &Server{DB: db, Broker: broker, Log: log, Cfg: cfg, metrics: newMetrics(), limits: newLimiters(), streams: make(chan struct{})}
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()
	if err := checkRouteTenancy(s.routes); err != nil {
		// A route without a declared hall source is a programming error:
		// fail at start-up (and in every test), never at the first request.
		panic(err)
	}
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	mux.HandleFunc("/", s.notFound)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errCrossOrigin)
	}))
	s.handler = s.chain(cop, mux)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the route table (for the access test and the API docs).
func (s *Server) Routes() []Route { return s.routes }

// CloseStreams ends every live stream; call it before http.Server.Shutdown.
func (s *Server) CloseStreams() {
	select {
	case <-s.streams:
	default:
		close(s.streams)
	}
	s.fanoutMu.Lock()
	f := s.fanout
	s.streamsClosed = true
	s.fanoutMu.Unlock()
	if f != nil {
		f.close()
	}
}

// wrap turns a route into an http.Handler: authenticate, check the role,
// measure, run.
func (s *Server) wrap(rt Route) http.Handler {
	allowed := map[auth.Role]bool{}
	for _, r := range rt.Roles {
		allowed[r] = true
	}
	pattern := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		defer func() {
			status := sw.status
			v := recover()
			if v != nil {
				status = http.StatusInternalServerError // recoverer answers
			}
			s.metrics.observe(pattern, status, time.Since(start))
			if v != nil {
				panic(v)
			}
		}()
		p, err := s.authenticate(r)
		if err != nil {
			s.fail(sw, r, err)
			return
		}
		ctx := withPrincipal(r.Context(), p)
		ctx = store.WithActor(ctx, store.Actor{Name: p.Actor(), Role: string(p.Role), Source: clientIP(r)})
		r = r.WithContext(ctx)
		if !allowed[p.Role] {
			// The header tells a denial by role from a handler's own
			// 401/403 (a wrong password, a locked account).
			sw.Header().Set("X-Mingbai-Access", "denied")
			if !p.Authenticated() {
				s.fail(sw, r, errUnauthorized)
				return
			}
			if r.Method != http.MethodGet {
				_ = s.DB.AuditDenied(ctx, "access.denied", r.Method+" "+r.URL.Path, "")
			}
			s.fail(sw, r, errForbidden)
			return
		}
		if err := cleanForm(r); err != nil {
			s.fail(sw, r, err)
			return
		}
		if err := cleanURL(r, rt.Path); err != nil {
			s.fail(sw, r, err)
			return
		}
		if rt.Hall != HallNone && rt.Hall != HallBody {
			h, err := s.resolveHall(r, rt.Hall, p)
			if err != nil {
				if apperr.Is(err, apperr.Forbidden) && r.Method != http.MethodGet {
					_ = s.DB.AuditDenied(ctx, "access.other_hall", r.Method+" "+r.URL.Path, "")
				}
				s.fail(sw, r, err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), hallCtxKey{}, h))
		}
		if rt.Request == nil && r.Method != http.MethodGet && strings.HasPrefix(rt.Path, "/api/") {
			// An operation that takes no body refuses one rather than
			// ignore it (a client that sends fields expects them used).
			if err := refuseBody(w, r); err != nil {
				s.fail(sw, r, err)
				return
			}
		}
		if err := rt.Handler(sw, r); err != nil {
			s.fail(sw, r, err)
		}
	})
}

func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and SetWriteDeadline.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type ctxKey int

const (
	principalKey ctxKey = iota
	langKey
)

func withPrincipal(ctx context.Context, p auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// principal returns the authenticated caller of the request.
func principal(r *http.Request) auth.Principal {
	p, _ := r.Context().Value(principalKey).(auth.Principal)
	if p.Role == "" {
		p.Role = auth.Anonymous
	}
	return p
}
