package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"

	"mingbai/internal/auth"
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
	return resp.StatusCode, resp.Header, string(b)
}
