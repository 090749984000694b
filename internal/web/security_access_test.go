package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"mingbai/internal/auth"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// secOther is a second hall with one account of every hall-bound role
// (and a hall-bound auditor), one device of every kind and a window.
type secOther struct {
	Hall    int64
	Window  int64
	Tokens  map[string]string // principal name → bearer token
	Devices map[string]string // device kind → token
}

// secSecondHall completes the shared second hall (e.Other) with an
// account of every other hall-bound role, and a hall-bound auditor.
func secSecondHall(e *hallEnv) secOther {
	e.t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system"})
	o := secOther{Hall: e.Other.ID, Window: e.Other.Window.ID, Tokens: map[string]string{}, Devices: e.Other.Devices}
	o.Tokens[string(auth.HallManager)] = e.tokenOf(e.Other.Manager)
	o.Tokens[string(auth.WindowStaff)] = e.tokenOf(e.Other.Clerk)
	for _, r := range []auth.Role{auth.DutyLeader, auth.CallbackOperator, auth.GuideEditor, auth.Auditor} {
		name := "o_" + strings.ReplaceAll(string(r), "_", "")
		if _, err := e.DB.CreateUserIn(ctx, e.Other.ID, name, "另一区 "+string(r), r, "North-Hall-2026"); err != nil {
			e.t.Fatal(err)
		}
		o.Tokens[string(r)] = e.token(name)
	}
	return o
}

// secPrincipal is one caller of the access matrix.
type secPrincipal struct {
	name  string
	role  auth.Role
	token string
	other bool // bound to the second hall
}

// secRequest sends a request and returns status and headers without
// waiting for the end of a stream.
func secRequest(e *hallEnv, method, path, token, body string) (int, http.Header, string) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(ctx, method, e.HTTP.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
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
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, resp.Header, ""
	}
	b, _ := io.ReadAll(resp.Body)
	checkAnswer(e.t, e.Server, method, path, resp.StatusCode, resp.Header, b)
	return resp.StatusCode, resp.Header, string(b)
}

// TestEveryRouteSealsHalls walks every route of the table with the
// principals of every role bound to the demo hall and to a second hall,
// each device kind of both halls and the public, against objects of the
// demo hall: a principal of the second hall never gets past the tenancy
// check of a route that names a hall, and the demo hall's own principals
// are never stopped by it.
func TestEveryRouteSealsHalls(t *testing.T) {
	e := newHall(t)
	o := secSecondHall(e)
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

	var ps []secPrincipal
	for _, r := range auth.AccountRoles {
		ps = append(ps, secPrincipal{name: "own " + string(r), role: r, token: e.tokenFor(r)})
		if tok, ok := o.Tokens[string(r)]; ok {
			ps = append(ps, secPrincipal{name: "other " + string(r), role: r, token: tok, other: true})
		}
	}
	for _, k := range []string{hall.DeviceKiosk, hall.DeviceDisplay, hall.DeviceRatingPad} {
		tok, _, err := e.DB.CreateDevice(ctx, hall.Device{HallID: e.Hall, Kind: k, Name: "own " + k})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, secPrincipal{name: "own " + k, role: auth.Device, token: tok},
			secPrincipal{name: "other " + k, role: auth.Device, token: o.Devices[k], other: true})
	}
	ps = append(ps, secPrincipal{name: "anonymous", role: auth.Anonymous})
	// Principals of the other hall first: they must change nothing, so the
	// demo hall's objects are intact when its own principals follow.
	var ordered []secPrincipal
	for _, p := range ps {
		if p.other {
			ordered = append(ordered, p)
		}
	}
	for _, p := range ps {
		if !p.other {
			ordered = append(ordered, p)
		}
	}

	for _, rt := range e.Server.Routes() {
		allowed := map[auth.Role]bool{}
		for _, r := range rt.Roles {
			allowed[r] = true
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
			"{item}", itemA, "{code}", itemA, "{n}", "1", "{name}", "nobody", "{token}", "nothing", "{job}", "999999",
			"{file}", "RS001.svg").Replace(rt.Path)
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "hall=" + fmt.Sprint(e.Hall)
		body := ""
		if rt.Method != "GET" {
			body = fmt.Sprintf(`{"hall":%d}`, e.Hall)
		}
		for _, p := range ordered {
			if !allowed[p.role] {
				continue // TestEveryRouteChecksRoles
			}
			status, h, b := secRequest(e, rt.Method, path, p.token, body)
			where := fmt.Sprintf("%s %s (hall from %s) as %s", rt.Method, rt.Path, rt.Hall, p.name)
			otherHall := h.Get("X-Mingbai-Access") == "other-hall"
			if status >= 500 {
				t.Errorf("%s: %d %.200s", where, status, b)
				continue
			}
			switch hf := rt.Hall.String(); {
			case p.other && (hf == "path" || hf == "query" || hf == "body"):
				if status != http.StatusForbidden || !otherHall {
					t.Errorf("%s: %d %.200s, want 403 (other hall)", where, status, b)
				}
			case p.other && (hf == "ticket" || hf == "case" || hf == "window"):
				if status != http.StatusNotFound {
					t.Errorf("%s: %d %.200s, want 404 (object of another hall)", where, status, b)
				}
			case !p.other && otherHall:
				t.Errorf("%s: %d, stopped in its own hall", where, status)
			case !p.other && (hf == "ticket" || hf == "case" || hf == "window") && status == http.StatusNotFound:
				t.Errorf("%s: 404 in its own hall: %.200s", where, b)
			}
		}
	}
}
