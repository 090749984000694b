package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, healthJSON{Status: "ok", Version: s.Cfg.Version})
	return nil
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.Warn("readiness check failed", "err", err)
		return apperr.New(apperr.Unavailable, "err.unavailable")
	}
	writeJSON(w, 200, readyJSON{Status: "ready", Database: string(s.DB.Dialect)})
	return nil
}

type homeLink struct {
	Href, Label string
}

// handleHome is where everyone lands: citizens find their pages; a
// signed-in person sees their name, a sign-out and the pages of their
// role, or, for a role whose area is not built yet, what is coming.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	public, staff := s.homeLinks(p)
	data := map[string]any{"Public": public, "Staff": staff}
	if p.Username != "" {
		name := p.Username
		if u, err := s.DB.UserByName(r.Context(), p.Username); err == nil && u.DisplayName != "" {
			name = u.DisplayName
		}
		data["Name"] = name
		if k, ok := comingFor[p.Role]; ok && len(staff) == 0 {
			data["Coming"] = k
		}
	}
	s.render(w, r, 200, "home", pageData{Title: i18n.T(lang(r), "home.welcome"), Data: data})
	return nil
}

// comingFor names, for the roles whose working pages are not built yet,
// the message saying what they will get and with which part. It is shown
// only while the role has no page of its own on the home page (a route
// with a Menu it may open).
var comingFor = map[auth.Role]string{
	auth.DutyLeader:       "home.coming.duty_leader",
	auth.CallbackOperator: "home.coming.callback_operator",
}

// homeLinks are the home page's entries, taken from the routes that carry
// a Menu: the public ones (routes open to everyone) and those the
// principal's role may open, in route-table order.
func (s *Server) homeLinks(p auth.Principal) (public, staff []homeLink) {
	for _, rt := range s.routes {
		if rt.Menu == nil {
			continue
		}
		l := homeLink{Href: rt.Path, Label: rt.Menu.Label}
		if rt.Menu.Href != "" {
			l.Href = rt.Menu.Href
		}
		switch {
		case slices.Contains(rt.Roles, auth.Anonymous):
			public = append(public, l)
		case slices.Contains(rt.Roles, p.Role):
			staff = append(staff, l)
		}
	}
	return public, staff
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type meResponse struct {
	Name   string    `json:"name"`
	Role   auth.Role `json:"role"`
	Via    string    `json:"via"`
	HallID int64     `json:"hall_id,omitempty"`
	Staff  int64     `json:"staff_id,omitempty"`
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, 200, "login", pageData{Title: i18n.T(lang(r), "login.title"), Data: map[string]any{"Next": safeNext(r.URL.Query().Get("next")), "Accounts": s.Cfg.DemoAccounts}})
	return nil
}

// safeNext accepts only local paths as a redirect target after sign-in.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, username, password string) (store.User, error) {
	if err := s.limits.login.allow(clientIP(r)); err != nil {
		return store.User{}, err
	}
	secret, u, err := s.DB.Login(r.Context(), strings.TrimSpace(username), password)
	if err != nil {
		return u, err
	}
	s.setSessionCookie(w, r, secret, int(store.SessionLifetime.Seconds()))
	return u, nil
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	next := safeNext(r.PostFormValue("next"))
	if _, err := s.login(w, r, r.PostFormValue("username"), r.PostFormValue("password")); err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		s.render(w, r, status, "login", pageData{Title: i18n.T(lang(r), "login.title"), Error: msg,
			Data: map[string]any{"Next": next, "Username": r.PostFormValue("username"), "Accounts": s.Cfg.DemoAccounts}})
		return nil
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u, err := s.login(w, r, req.Username, req.Password)
	if err != nil {
		return err
	}
	writeJSON(w, 200, meResponse{Name: u.Username, Role: u.Role, Via: "session", HallID: u.HallID, Staff: u.StaffID})
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.DB.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	writeJSON(w, 200, meResponse{Name: p.Actor(), Role: p.Role, Via: p.Via, HallID: p.HallID, Staff: p.StaffID})
	return nil
}
