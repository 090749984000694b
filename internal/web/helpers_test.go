package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/demo"
	"mingbai/internal/events"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
)

// hallEnv is a real server on a real database with the demo hall seeded.
type hallEnv struct {
	t      *testing.T
	DB     *store.DB
	Server *web.Server
	HTTP   *httptest.Server
	Hall   int64
	// Devices maps demo device names to their tokens.
	Devices map[string]string
}

func newHall(t *testing.T) *hallEnv {
	t.Helper()
	db := storetest.Open(t)
	res, err := demo.Seed(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	// The demo signs its staff in at their windows; tests start from a hall
	// where nobody is signed in yet, and sign in the windows they use.
	windows, err := db.ListWindows(context.Background(), res.Hall.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range windows {
		if _, err := db.SetWindowState(context.Background(), res.Hall.ID, w.ID, store.Staffer{Manager: true}, store.WindowClosed, ""); err != nil && !apperr.Is(err, apperr.Conflict) {
			t.Fatal(err)
		}
	}
	broker := events.NewBroker(256)
	db.OnEvent(broker.Publish)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	cfg := web.Config{Version: "test", Demo: true}
	for _, a := range demo.Accounts {
		cfg.DemoAccounts = append(cfg.DemoAccounts, web.DemoAccount{Role: string(a.Role), Username: a.Username, Password: demo.Password})
	}
	srv, err := web.New(db, broker, log, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	go db.Listen(ctx, func() { close(ready) })
	<-ready
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.CloseStreams()
		hs.Close()
		cancel()
	})
	return &hallEnv{t: t, DB: db, Server: srv, HTTP: hs, Hall: res.Hall.ID, Devices: res.DeviceTokens}
}

// token returns an API token for a demo user.
func (e *hallEnv) token(user string) string {
	e.t.Helper()
	secret, _, err := e.DB.CreateToken(context.Background(), user, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// tokenFor returns a token for some demo user holding role (a device token
// for auth.Device, "" for anonymous).
func (e *hallEnv) tokenFor(role auth.Role) string {
	e.t.Helper()
	switch role {
	case auth.Anonymous:
		return ""
	case auth.Device:
		for name, tok := range e.Devices {
			if strings.Contains(name, "取号机") {
				return tok
			}
		}
	}
	for _, a := range demo.Accounts {
		if a.Role == role {
			return e.token(a.Username)
		}
	}
	e.t.Fatalf("no demo account with role %s", role)
	return ""
}

// do sends a request with an optional bearer token and JSON body and
// returns the status and body.
func (e *hallEnv) do(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	status, _, b := e.doH(method, path, token, body)
	return status, b
}

// doH is do that also returns the response headers.
func (e *hallEnv) doH(method, path, token string, body any) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = strings.NewReader(string(b))
		}
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept-Language", "en")
	client := *e.HTTP.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// browser returns a headless Chromium context, or skips the test when no
// Chromium is installed (CI installs it, so CI never skips).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("MINGBAI_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium not found at %s", path)
		}
		t.Skip("chromium not installed")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// login signs in through the login page in the browser.
func login(ctx context.Context, e *hallEnv, user string) error {
	return chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, user),
		chromedp.SendKeys(`input[name=password]`, demo.Password),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.who`),
	)
}
