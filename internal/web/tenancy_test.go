package web_test

import (
	"net/http"
	"strings"
	"testing"

	"mingbai/internal/auth"
	"mingbai/internal/web"
)

// TestRouteTableDeclaresHall: every route of the table says where its hall
// comes from, and the rule refuses a route that does not.
func TestRouteTableDeclaresHall(t *testing.T) {
	e := newHall(t)
	if err := web.CheckRouteTenancy(e.Server.Routes()); err != nil {
		t.Fatal(err)
	}
	for _, rt := range e.Server.Routes() {
		if rt.Hall.String() == "undeclared" {
			t.Errorf("%s %s declares no hall", rt.Method, rt.Path)
		}
	}
	h := func(http.ResponseWriter, *http.Request) error { return nil }
	bad := []web.Route{
		{Method: "GET", Path: "/x/{id}", Roles: []auth.Role{auth.Admin}},
		{Method: "GET", Path: "/x/{hall}", Roles: []auth.Role{auth.Admin}},
		{Method: "GET", Path: "/x/{window}", Roles: []auth.Role{auth.Admin}},
		{Method: "GET", Path: "/plain", Roles: []auth.Role{auth.Admin}},
		{Method: "GET", Path: "/x/{hall}/y", Roles: []auth.Role{auth.Admin}, Hall: web.HallNone},
		{Method: "GET", Path: "/x/y", Roles: []auth.Role{auth.Admin}, Hall: web.HallTicket},
	}
	for _, rt := range bad {
		rt.Handler = h
		err := web.CheckRouteTenancy([]web.Route{rt})
		if err == nil || !strings.Contains(err.Error(), rt.Path) {
			t.Errorf("route %s %s (hall %s) accepted: %v", rt.Method, rt.Path, rt.Hall, err)
		}
	}
}
