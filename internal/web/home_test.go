package web_test

import (
	"slices"
	"strings"
	"testing"

	"mingbai/internal/auth"
)

// TestHomeLinksComeFromTheRouteTable: the home page lists the routes that
// carry a menu entry, each for the roles the route admits, and every entry
// opens for them.
func TestHomeLinksComeFromTheRouteTable(t *testing.T) {
	e := newHall(t)
	menus := 0
	for _, rt := range e.Server.Routes() {
		if rt.Menu == nil {
			continue
		}
		menus++
		if rt.Method != "GET" {
			t.Errorf("%s %s carries a menu entry but is not a page", rt.Method, rt.Path)
		}
		href := rt.Path
		if rt.Menu.Href != "" {
			href = rt.Menu.Href
		}
		for _, r := range []auth.Role{auth.Anonymous, auth.WindowStaff, auth.HallManager, auth.Auditor, auth.GuideEditor} {
			tok := e.tokenFor(r)
			home := e.request("GET", "/", bearer(tok), asBrowser())
			listed := strings.Contains(home.Body, `href="`+href+`"`)
			public := slices.Contains(rt.Roles, auth.Anonymous)
			if want := public || slices.Contains(rt.Roles, r); listed != want {
				t.Errorf("%s on the home page of %s: %v, want %v", href, r, listed, want)
			}
			if listed {
				res := e.request("GET", href, bearer(tok), asBrowser())
				if loc := res.Header.Get("Location"); res.Status == 303 && strings.HasPrefix(loc, "/") {
					// A menu entry may send the reader on to their own
					// hall's page (/dashboard → /halls/1/dashboard).
					res = e.request("GET", loc, bearer(tok), asBrowser())
				}
				if res.Status != 200 {
					t.Errorf("%s opens %s with %d", r, href, res.Status)
				}
			}
		}
	}
	if menus < 15 {
		t.Errorf("%d menu entries in the route table", menus)
	}
}
