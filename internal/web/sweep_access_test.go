package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/web"
)

// sweepCaller is one caller of the generated access sweep.
type sweepCaller struct {
	name   string
	role   auth.Role // the role it acts with (anonymous for a dead cookie)
	token  string    // bearer token
	cookie string    // session cookie
	other  bool      // bound to the second hall
	// bad: a bearer credential that must be refused on every route with
	// 401 (revoked, of a disabled account, a revoked device, garbage).
	bad bool
	// user is the account of a live session cookie (renewed after the
	// sweep signs it out on /logout).
	user string
}

// sweepSession creates a session for a user directly in the database (no
// password hashing per caller), expiring at exp.
func sweepSession(t *testing.T, db *store.DB, username string, exp time.Time) string {
	t.Helper()
	secret, hash := auth.NewToken("")
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at, source)
			SELECT ?, id, ?, ?, 'sweep' FROM users WHERE username = ?`, hash, tx.NowMs(), exp.UnixMilli(), username)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// sweepCallers are the principals of the access sweep: every account role
// of the demo hall (by token, and one by session cookie) and of the second
// hall, a device of each kind of both halls, the public, and dead
// credentials: a revoked token, the token and the session of a disabled
// account, a revoked device, an expired session, a made-up token.
func sweepCallers(e *hallEnv) []sweepCaller {
	t := e.t
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system"})
	o := secSecondHall(e)
	if _, err := e.DB.CreateUserIn(ctx, e.Other.ID, "o_consultant", "另一区 consultant", auth.Consultant, "North-Hall-2026"); err != nil {
		t.Fatal(err)
	}
	o.Tokens[string(auth.Consultant)] = e.token("o_consultant")

	var cs []sweepCaller
	for _, r := range auth.AccountRoles {
		cs = append(cs, sweepCaller{name: "own " + string(r), role: r, token: e.tokenFor(r)})
		tok, ok := o.Tokens[string(r)]
		if !ok && auth.BindsToHall(r) {
			t.Fatalf("no second-hall account of role %s", r)
		}
		if ok {
			cs = append(cs, sweepCaller{name: "other " + string(r), role: r, token: tok, other: true})
		}
	}
	cs = append(cs, sweepCaller{name: "own hall_manager (session cookie)", role: auth.HallManager, user: e.People.Manager.Username,
		cookie: sweepSession(t, e.DB, e.People.Manager.Username, e.DB.Now().Add(time.Hour))})
	for _, k := range []string{hall.DeviceKiosk, hall.DeviceDisplay, hall.DeviceRatingPad} {
		tok, _, err := e.DB.CreateDevice(ctx, hall.Device{HallID: e.Hall, Kind: k, Name: "sweep " + k})
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, sweepCaller{name: "own " + k, role: auth.Device, token: tok},
			sweepCaller{name: "other " + k, role: auth.Device, token: o.Devices[k], other: true})
	}
	cs = append(cs, sweepCaller{name: "anonymous", role: auth.Anonymous})

	// Dead credentials.
	revoked, tk, err := e.DB.CreateToken(ctx, "admin", "sweep-revoked")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.RevokeToken(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.CreateUserIn(ctx, e.Hall, "sweep_gone", "已停用", auth.HallManager, "North-Hall-2026"); err != nil {
		t.Fatal(err)
	}
	goneToken := e.token("sweep_gone")
	goneCookie := sweepSession(t, e.DB, "sweep_gone", e.DB.Now().Add(time.Hour))
	if err := e.DB.SetUserDisabled(ctx, "sweep_gone", true); err != nil {
		t.Fatal(err)
	}
	devTok, dev, err := e.DB.CreateDevice(ctx, hall.Device{HallID: e.Hall, Kind: hall.DeviceKiosk, Name: "sweep revoked"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.RevokeDevice(ctx, e.Hall, dev.ID); err != nil {
		t.Fatal(err)
	}
	expired := sweepSession(t, e.DB, "admin", e.DB.Now().Add(-time.Minute))
	cs = append(cs,
		sweepCaller{name: "revoked token", token: revoked, bad: true},
		sweepCaller{name: "token of a disabled account", token: goneToken, bad: true},
		sweepCaller{name: "revoked device", token: devTok, bad: true},
		sweepCaller{name: "made-up token", token: "mb_sweep-made-up", bad: true},
		// A dead session cookie makes the caller anonymous (pages then
		// ask to sign in again).
		sweepCaller{name: "session of a disabled account", role: auth.Anonymous, cookie: goneCookie},
		sweepCaller{name: "expired session", role: auth.Anonymous, cookie: expired},
	)
	return cs
}

// sweepDo sends one request of a sweep and checks the answer against the
// API description; a stream is not read to its end.
func sweepDo(e *hallEnv, c sweepCaller, method, path, ctype, body string) (int, http.Header, string) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(ctx, method, e.HTTP.URL+path, rd)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "mingbai_session", Value: c.cookie})
	}
	if body != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept-Language", "en")
	client := *e.HTTP.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		e.t.Errorf("%s %s: %v", method, path, err) // not Fatal: runs on other goroutines too
		return 599, http.Header{}, err.Error()
	}
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, resp.Header, ""
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestEveryRouteChecksRoles is the generated access sweep (issue 17 item
// 6): every route of the table × every role of the demo hall and of a
// second hall × each device kind of both × the public × dead credentials.
// The expected answer comes from the route's declared Roles and Hall:
//   - a dead bearer credential: 401 on every route, public ones too;
//   - a role the route does not list: 401 (or the sign-in page) for the
//     public, 403 with X-Mingbai-Access: denied for everyone else;
//   - a listed role of the second hall on a route whose hall comes from
//     the path, the query or the body: 403 other-hall; from a window,
//     ticket or case of the demo hall: 404;
//   - a listed role of the demo hall: past both checks (no denial, no
//     other-hall, no 404 for the demo hall's own window, ticket or case);
//   - never a 5xx, and every answer as the API description says.
func TestEveryRouteChecksRoles(t *testing.T) {
	e := newHall(t)
	callers := sweepCallers(e)
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system"})

	// Objects of the demo hall.
	tk := e.issue("", map[string]any{"item": itemA})
	cs := e.createCase(e.token("w01"), caseBody("RS-A-004", "居民身份证", "相关类别证明"))
	win := e.windowID(1)
	staff, err := e.DB.ListStaff(ctx, e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	_, victim, err := e.DB.CreateDevice(ctx, hall.Device{HallID: e.Hall, Kind: hall.DeviceDisplay, Name: "victim"})
	if err != nil {
		t.Fatal(err)
	}
	// Callers who must change nothing go first, so that the demo hall's
	// objects are intact when its own allowed callers follow.
	order := func(rt web.Route, c sweepCaller) int {
		switch {
		case c.bad || !routeAllows(rt, c.role):
			return 0
		case c.other:
			return 1
		}
		return 2
	}
	requests := 0
	start := time.Now()
	for _, rt := range e.Server.Routes() {
		if len(rt.Roles) == 0 {
			t.Errorf("%s %s declares no roles", rt.Method, rt.Path)
		}
		id := "999999"
		switch rt.Hall.String() {
		case "ticket":
			id = fmt.Sprint(tk.ID)
		case "case":
			id = fmt.Sprint(cs.ID)
		}
		path := strings.NewReplacer("{$}", "", "{hall}", fmt.Sprint(e.Hall), "{window}", fmt.Sprint(win), "{id}", id,
			"{staff}", fmt.Sprint(staff[0].ID), "{device}", fmt.Sprint(victim.ID), "{zone}", hall.ZoneEmployment,
			"{item}", itemA, "{code}", itemA, "{n}", "1", "{name}", "nobody", "{token}", "nothing",
			"{file}", "RS001.svg").Replace(rt.Path)
		// Other parameters point at nothing, so that a permitted write
		// cannot undo the credentials of the test.
		path = pathParam.ReplaceAllString(path, "999999")
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "hall=" + fmt.Sprint(e.Hall)
		body := ""
		if rt.Method != "GET" {
			body = fmt.Sprintf(`{"hall":%d}`, e.Hall)
		}
		// Pass 0 (refused callers, who change nothing) runs four at a
		// time; the callers who may act follow one by one.
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		for _, c := range callers {
			if order(rt, c) != 0 {
				continue
			}
			requests++
			wg.Add(1)
			sem <- struct{}{}
			go func(c sweepCaller) {
				defer func() { <-sem; wg.Done() }()
				status, h, b := sweepDo(e, c, rt.Method, path, "application/json", body)
				sweepExpect(t, rt, c, status, h, b)
			}(c)
		}
		wg.Wait()
		for pass := 1; pass < 3; pass++ {
			for i, c := range callers {
				if order(rt, c) != pass {
					continue
				}
				requests++
				status, h, b := sweepDo(e, c, rt.Method, path, "application/json", body)
				sweepExpect(t, rt, c, status, h, b)
				if c.user != "" && rt.Path == "/logout" {
					callers[i].cookie = sweepSession(t, e.DB, c.user, e.DB.Now().Add(time.Hour))
				}
			}
		}
	}
	t.Logf("access sweep: %d routes, %d callers, %d requests in %v", len(e.Server.Routes()), len(callers), requests, time.Since(start).Round(time.Millisecond))
}

func routeAllows(rt web.Route, r auth.Role) bool {
	for _, x := range rt.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// sweepExpect asserts the answer the route's declaration implies.
func sweepExpect(t *testing.T, rt web.Route, c sweepCaller, status int, h http.Header, b string) {
	t.Helper()
	where := fmt.Sprintf("%s %s (hall from %s) as %s", rt.Method, rt.Path, rt.Hall, c.name)
	access := h.Get("X-Mingbai-Access")
	if status >= 500 {
		t.Errorf("%s: %d %.200s", where, status, b)
		return
	}
	if c.bad {
		if status != http.StatusUnauthorized {
			t.Errorf("%s: %d %.200s, want 401 (dead credential)", where, status, b)
		}
		return
	}
	if !routeAllows(rt, c.role) {
		toLogin := status == http.StatusSeeOther && strings.HasPrefix(h.Get("Location"), "/login")
		switch {
		case c.role == auth.Anonymous && !(access == "denied" && (status == http.StatusUnauthorized || toLogin)):
			t.Errorf("%s: %d, want 401", where, status)
		case c.role != auth.Anonymous && !(access == "denied" && status == http.StatusForbidden):
			t.Errorf("%s: %d, want 403", where, status)
		}
		return
	}
	if access == "denied" {
		t.Errorf("%s: %d, but the role is allowed", where, status)
		return
	}
	otherHall := access == "other-hall"
	switch hf := rt.Hall.String(); {
	case c.other && (hf == "path" || hf == "query" || hf == "body"):
		if status != http.StatusForbidden || !otherHall {
			t.Errorf("%s: %d %.200s, want 403 (other hall)", where, status, b)
		}
	case c.other && (hf == "ticket" || hf == "case" || hf == "window"):
		if status != http.StatusNotFound {
			t.Errorf("%s: %d %.200s, want 404 (object of another hall)", where, status, b)
		}
	case !c.other && otherHall:
		t.Errorf("%s: %d, stopped in its own hall", where, status)
	case !c.other && (hf == "ticket" || hf == "case" || hf == "window") && status == http.StatusNotFound:
		t.Errorf("%s: 404 in its own hall: %.200s", where, b)
	}
}
