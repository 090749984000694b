package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/catalog"
	"mingbai/internal/demo"
	"mingbai/internal/events"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
)

// hallEnv is a real server on a real database with the demo hall seeded,
// and a second, small hall (Other) for the tests of what a person of one
// hall may not do in another.
type hallEnv struct {
	t      *testing.T
	DB     *store.DB
	Server *web.Server
	HTTP   *httptest.Server
	Hall   int64
	// Devices maps demo device names to their tokens.
	Devices map[string]string
	// People are the demo hall's accounts, by what tests use them for.
	People demoPeople
	// Other is the second hall.
	Other otherHall
}

// person is a named account of a test hall. Staff and Window are set for
// window staff: their staff record and the window they work at.
type person struct {
	Username string
	Role     auth.Role
	Staff    int64
	Window   int64
}

// demoPeople are the demo's accounts (internal/demo.Accounts). Clerk is
// w01, who works at window 1.
type demoPeople struct {
	Admin, Manager, Leader, Callback, Editor, Auditor, Clerk person
}

// otherHall is a second hall with one zone, one window and its own people
// and devices. Its accounts are created through the store like the demo's;
// nothing yet binds an account to a hall.
type otherHall struct {
	ID      int64
	Code    string
	Manager person // hall_manager of this hall
	Clerk   person // window_staff at Window
	Window  hall.Window
	// Devices maps a device kind (hall.DeviceKiosk, hall.DeviceDisplay,
	// hall.DeviceRatingPad) to the token of this hall's device of that kind.
	Devices map[string]string
}

// newHall seeds the demo hall and the second hall on a fresh database and
// starts a server on it.
func newHall(t *testing.T) *hallEnv {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// The demo signs its staff in at their windows; tests start from a hall
	// where nobody is signed in yet, and sign in the windows they use.
	windows, err := db.ListWindows(ctx, res.Hall.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range windows {
		if _, err := db.SetWindowState(ctx, res.Hall.ID, w.ID, store.Staffer{Manager: true}, store.WindowClosed, ""); err != nil && !apperr.Is(err, apperr.Conflict) {
			t.Fatal(err)
		}
	}
	cfg := web.Config{Version: "test", Demo: true}
	for _, a := range demo.Accounts {
		cfg.DemoAccounts = append(cfg.DemoAccounts, web.DemoAccount{Role: string(a.Role), Username: a.Username, Password: demo.Password})
	}
	e := newServer(t, db, cfg)
	e.Hall, e.Devices = res.Hall.ID, res.DeviceTokens
	e.People = demoPeople{
		Admin: person{Username: "admin", Role: auth.Admin}, Manager: person{Username: "manager", Role: auth.HallManager},
		Leader: person{Username: "leader", Role: auth.DutyLeader}, Callback: person{Username: "callback", Role: auth.CallbackOperator},
		Editor: person{Username: "editor", Role: auth.GuideEditor}, Auditor: person{Username: "auditor", Role: auth.Auditor},
		Clerk: person{Username: "w01", Role: auth.WindowStaff},
	}
	for _, w := range windows {
		if w.Number == "1" {
			e.People.Clerk.Window, e.People.Clerk.Staff = w.ID, w.StaffID
		}
	}
	e.Other = seedOtherHall(t, db)
	return e
}

// seedOtherHall creates the second hall through the store API.
func seedOtherHall(t *testing.T, db *store.DB) otherHall {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system", Source: "seed"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	h, err := db.CreateHall(ctx, hall.Hall{Code: "other", Name: "另一区人社服务大厅", Address: "另一区建设路 1 号",
		Timezone: "Asia/Shanghai", Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30", AlwaysOpen: true}})
	must(err)
	_, err = db.CreateZone(ctx, hall.Zone{HallID: h.ID, Code: hall.ZoneEmployment, Name: "就业服务区", Prefix: "A", Sort: 1})
	must(err)
	o := otherHall{ID: h.ID, Code: h.Code, Devices: map[string]string{}}
	hash, err := demo.PasswordHash()
	must(err)
	_, err = db.CreateUserWithHash(ctx, h.ID, "o_manager", "另一区大厅主任", auth.HallManager, hash)
	must(err)
	o.Manager = person{Username: "o_manager", Role: auth.HallManager}
	u, err := db.CreateUserWithHash(ctx, h.ID, "o_w01", "另一区窗口", auth.WindowStaff, hash)
	must(err)
	st, err := db.SaveStaff(ctx, hall.Staff{HallID: h.ID, StaffNo: "OT001", Name: "林一", Post: "就业服务", UserID: u.ID})
	must(err)
	items, err := catalog.DemoItems()
	must(err)
	var codes []string
	for _, it := range items {
		if it.Zone == hall.ZoneEmployment {
			codes = append(codes, it.Code)
		}
	}
	o.Window, err = db.SaveWindow(ctx, hall.Window{HallID: h.ID, Zone: hall.ZoneEmployment, Number: "1", StaffID: st.ID, Items: codes})
	must(err)
	o.Clerk = person{Username: "o_w01", Role: auth.WindowStaff, Staff: st.ID, Window: o.Window.ID}
	for _, kind := range []string{hall.DeviceKiosk, hall.DeviceDisplay, hall.DeviceRatingPad} {
		secret, _, err := db.CreateDevice(ctx, hall.Device{HallID: h.ID, Kind: kind, Name: "另一区 " + kind})
		must(err)
		o.Devices[kind] = secret
	}
	return o
}

// newServer starts a server (broker, event listener, HTTP) on db; the
// two-instance test starts two on one database.
func newServer(t *testing.T, db *store.DB, cfg web.Config) *hallEnv {
	t.Helper()
	broker := events.NewBroker(256)
	db.OnEvent(broker.Publish)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := web.New(db, broker, log, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	go db.Listen(ctx, func() { close(ready) })
	<-ready
	// Every answer, to any client, is checked against the API description.
	hs := httptest.NewServer(checkedHandler(t, srv, srv))
	t.Cleanup(func() {
		srv.CloseStreams()
		hs.Close()
		cancel()
	})
	return &hallEnv{t: t, DB: db, Server: srv, HTTP: hs}
}

// token returns an API token for a user.
func (e *hallEnv) token(user string) string {
	e.t.Helper()
	secret, _, err := e.DB.CreateToken(context.Background(), user, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// tokenOf returns an API token for a named person.
func (e *hallEnv) tokenOf(p person) string { return e.token(p.Username) }

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

// reply is one HTTP response, read whole.
type reply struct {
	Status int
	Header http.Header
	Body   string
}

// reqSpec is what the options of request set.
type reqSpec struct {
	token  string
	body   io.Reader
	header http.Header
}

// reqOpt is an option of request.
type reqOpt func(*reqSpec)

// bearer authenticates the request with an API or device token ("" for
// none).
func bearer(token string) reqOpt { return func(s *reqSpec) { s.token = token } }

// jsonBody sends v as JSON; a string is sent as it is (for malformed
// bodies). A nil v sends no body.
func jsonBody(v any) reqOpt {
	return func(s *reqSpec) {
		if v == nil {
			return
		}
		if str, ok := v.(string); ok {
			s.body = strings.NewReader(str)
		} else {
			b, _ := json.Marshal(v)
			s.body = strings.NewReader(string(b))
		}
		s.header.Set("Content-Type", "application/json")
	}
}

// formBody sends an HTML form.
func formBody(v url.Values) reqOpt {
	return func(s *reqSpec) {
		s.body = strings.NewReader(v.Encode())
		s.header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
}

// header sets a request header (Accept, Accept-Language …).
func header(k, v string) reqOpt { return func(s *reqSpec) { s.header.Set(k, v) } }

// asBrowser asks for HTML, as a browser does.
func asBrowser() reqOpt { return header("Accept", "text/html") }

// request sends one request, in English unless an option says otherwise,
// without following redirects.
func (e *hallEnv) request(method, path string, opts ...reqOpt) reply {
	e.t.Helper()
	spec := reqSpec{header: http.Header{"Accept-Language": {"en"}}}
	for _, o := range opts {
		o(&spec)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, spec.body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range spec.header {
		req.Header[k] = v
	}
	if spec.token != "" {
		req.Header.Set("Authorization", "Bearer "+spec.token)
	}
	client := *e.HTTP.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // checked against the API description by the server (checkedHandler)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// do sends a request with an optional bearer token and JSON body and
// returns the status and body.
func (e *hallEnv) do(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	r := e.request(method, path, bearer(token), jsonBody(body))
	return r.Status, []byte(r.Body)
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

// login signs in through the login page in the browser. It returns once
// the page after the login shows user in the header: a browser already
// signed in as someone else shows that person on the login page too, and
// going on before the form's answer has set the new session would act as
// the previous person.
func login(ctx context.Context, e *hallEnv, user string) error {
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, user),
		chromedp.SendKeys(`input[name=password]`, demo.Password),
		chromedp.Submit(`input[name=password]`),
	); err != nil {
		return err
	}
	signedIn := fmt.Sprintf(`(function(){ var w = document.querySelector("header .who, .who"); return location.pathname !== "/login" && !!w && w.textContent.indexOf(%q) === 0; })()`, user+" ·")
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](signedIn, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || time.Now().After(deadline) {
			return err
		}
		// The document was replaced while the poll ran (the form's answer
		// arriving): poll the new one.
		if !strings.Contains(err.Error(), "Cannot find context") && !strings.Contains(err.Error(), "navigated or closed") {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
