package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/events"
	"mingbai/internal/notify"
	"mingbai/internal/store"
	"mingbai/internal/web"
)

func runServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serveReady, when set (by tests), is told the address the server listens
// on once it accepts connections.
var serveReady func(addr string)

// serve runs the server until ctx ends (SIGINT/SIGTERM), then shuts down
// gracefully: live streams close, in-flight requests finish, background
// work stops and the database closes.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f dbFlags
	f.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (use :8080 to listen on every interface)")
	demoFlag := fs.Bool("demo", false, "seed a demo hall when the database holds none")
	baseURL := fs.String("base-url", "", "public base URL for links and QR codes (default: from each request)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (serves HTTPS; cookies become Secure)")
	tlsKey := fs.String("tls-key", "", "TLS key file")
	reportMaxDays := fs.Int("report-max-days", 366, "longest report range in days")
	autoMigrate := fs.Bool("migrate", false, "apply pending migrations at start-up (an empty database is always migrated)")
	demoTraffic := fs.Bool("demo-traffic", false, "run simulated citizens and clerks in the demo hall (default: on with --demo)")
	demoSpeed := fs.Float64("demo-speed", 1, "speed of the demo traffic: 1 = a hall day in real time, 60 = an hour a minute")
	metricsAllow := fs.String("metrics-allow", "loopback", "addresses or CIDR prefixes that may read /metrics without a token, comma-separated (loopback, none, 10.0.0.0/8 …); the token is read from MINGBAI_METRICS_TOKEN")
	smsConfig := fs.String("sms-config", "", "SMS providers and per-hall sending policy (JSON, see docs/notify.md; default: the log provider)")
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	if !flagSet(fs, "demo-traffic") {
		*demoTraffic = *demoFlag
	}
	if *demoSpeed <= 0 || *demoSpeed > 3600 {
		fmt.Fprintln(stderr, "serve: --demo-speed must be above 0 and at most 3600")
		return 2
	}
	log := f.logger(stderr)
	db, err := f.open(ctx, log)
	if err != nil {
		return fail(stderr, err)
	}
	defer db.Close()
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return fail(stderr, err)
	}
	if current == 0 || *autoMigrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		if len(applied) > 0 {
			log.Info("database migrated", "applied", applied)
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		return fail(stderr, err)
	}

	sealer, keyFile, err := loadPII(&f)
	if err != nil {
		return fail(stderr, err)
	}
	db.SetPII(sealer)
	if err := db.CheckPIIKey(ctx); err != nil {
		return fail(stderr, err)
	}
	// Phones, codes and outbox messages stored in plain text by older
	// versions are sealed before the first request (docs/security.md).
	if n, err := db.SealPlainPhones(store.WithActor(ctx, store.Actor{Name: "system", Role: "system", Source: "start-up"})); err != nil {
		return fail(stderr, err)
	} else if n > 0 {
		log.Info("sealed plain-text phone numbers and messages", "rows", n)
	}

	allow, err := metricsAllowList(*metricsAllow)
	if err != nil {
		fmt.Fprintln(stderr, "serve:", err)
		return 2
	}
	cfg := web.Config{BaseURL: *baseURL, SecureCookies: *tlsCert != "", Version: version, Demo: *demoFlag,
		MetricsToken: os.Getenv("MINGBAI_METRICS_TOKEN"), MetricsAllow: allow, ReportMaxDays: *reportMaxDays}
	if *demoFlag {
		seeded, err := demo.Seeded(ctx, db)
		if err != nil {
			return fail(stderr, err)
		}
		if !seeded {
			res, err := demo.Seed(ctx, db)
			if err != nil {
				return fail(stderr, err)
			}
			log.Info("demo hall created", "hall", res.Hall.Name)
			if f.db == "" {
				writeDemoTokens(filepath.Join(f.data, "demo-device-tokens.txt"), res.DeviceTokens, log)
			}
		}
		if hs, err := db.ListHalls(ctx); err == nil && len(hs) > 0 {
			if n, err := demo.KeepRoster(ctx, db, hs[0].ID); err != nil {
				log.Warn("demo roster", "err", err)
			} else {
				log.Info("demo duty roster", "shifts", n)
			}
		}
		for _, a := range demo.Accounts {
			cfg.DemoAccounts = append(cfg.DemoAccounts, web.DemoAccount{Role: string(a.Role), Username: a.Username, Password: demo.Password})
		}
	}

	broker := events.NewBroker(256)
	db.OnEvent(broker.Publish)
	srv, err := web.New(db, broker, log, cfg)
	if err != nil {
		return fail(stderr, err)
	}
	if err := configureWeChat(ctx, db, srv, os.Getenv, log); err != nil {
		return fail(stderr, err)
	}

	var traffic *demo.TrafficOptions
	if *demoTraffic {
		if err := demo.CheckTraffic(ctx, db); err != nil {
			return fail(stderr, err)
		}
		traffic = &demo.TrafficOptions{Speed: *demoSpeed, Events: broker, Log: log}
	}

	bg, cancelBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	listening := make(chan struct{})
	wg.Add(1)
	go func() { defer wg.Done(); db.Listen(bg, func() { close(listening) }) }()
	sms, err := smsProviders(*smsConfig, db, log)
	if err != nil {
		cancelBG()
		return fail(stderr, err)
	}
	defer sms.close()
	sender := &notify.Sender{Outbox: db, Provider: sms.choose, Log: log, Lease: sms.lease, QueryAfter: sms.query, Wake: make(chan struct{}, 1), Approval: db.ApprovedTemplate}
	srv.SetSMS(sms.choose, sms.all)
	srv.SetSMSRule(sms.rule)
	for _, j := range backgroundJobs(db, sender, sms.rule, keyFile, *baseURL, traffic, log) {
		wg.Add(1)
		go func() { defer wg.Done(); j.Run(bg) }()
	}
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		log.Warn("event listener not ready after 10s; continuing")
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		cancelBG()
		wg.Wait()
		return fail(stderr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: nil}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	log.Info("mingbai serving", "url", fmt.Sprintf("%s://%s", scheme, ln.Addr()), "database", db.Dialect, "version", version)
	fmt.Fprintf(stdout, "mingbai %s serving %s://%s (%s)\n", version, scheme, ln.Addr(), db.Dialect)
	if serveReady != nil {
		serveReady(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- hs.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	code := 0
	select {
	case <-ctx.Done():
		log.Info("shutting down: finishing requests")
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("server stopped", "err", err)
			code = 1
		}
	}
	// Live streams never end on their own: close them first so that
	// Shutdown can wait for the ordinary requests to finish.
	srv.CloseStreams()
	broker.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	cancelBG()
	wg.Wait()
	log.Info("stopped")
	return code
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func writeDemoTokens(path string, tokens map[string]string, log interface{ Info(string, ...any) }) {
	names := make([]string, 0, len(tokens))
	for n := range tokens {
		names = append(names, n)
	}
	sort.Strings(names)
	var b []byte
	b = append(b, "# Demo device tokens (Authorization: Bearer …); shown once, stored only as hashes.\n"...)
	for _, n := range names {
		b = append(b, fmt.Sprintf("%s\t%s\n", n, tokens[n])...)
	}
	if err := os.WriteFile(path, b, 0o600); err == nil {
		log.Info("demo device tokens written", "file", path)
	}
}

// metricsAllowList turns --metrics-allow into web.Config.MetricsAllow:
// "loopback" stands for 127.0.0.0/8 and ::1.
func metricsAllowList(v string) ([]string, error) {
	out := []string{}
	for _, a := range strings.Split(v, ",") {
		switch a = strings.TrimSpace(a); a {
		case "", "none":
		case "loopback":
			out = append(out, "127.0.0.0/8", "::1/128")
		default:
			if _, err := netip.ParsePrefix(a); err != nil {
				if _, err := netip.ParseAddr(a); err != nil {
					return nil, fmt.Errorf("--metrics-allow: %q is neither an address nor a CIDR prefix", a)
				}
			}
			out = append(out, a)
		}
	}
	return out, nil
}
