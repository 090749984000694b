package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, map[string]string{"status": "ok", "version": s.Cfg.Version})
	return nil
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.Warn("readiness check failed", "err", err)
		return apperr.New(apperr.Unavailable, "err.unavailable")
	}
	writeJSON(w, 200, map[string]string{"status": "ready", "database": string(s.DB.Dialect)})
	return nil
}

type homeLink struct {
	Href, Label string
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, 200, "home", pageData{Title: i18n.T(lang(r), "home.welcome"), Data: map[string]any{
		"Public": publicLinks, "Staff": staffLinks(principal(r)),
	}})
	return nil
}

// publicLinks and staffLinks are the entries of the home page; areas add
// theirs in their handler files.
var publicLinks []homeLink

var staffLinkTable []struct {
	Link  homeLink
	Roles []auth.Role
}

func staffLinks(p auth.Principal) []homeLink {
	var out []homeLink
	for _, e := range staffLinkTable {
		for _, r := range e.Roles {
			if r == p.Role {
				out = append(out, e.Link)
				break
			}
		}
	}
	return out
}

func init() {
	staffLinkTable = append(staffLinkTable,
		struct {
			Link  homeLink
			Roles []auth.Role
		}{homeLink{"/admin", "nav.admin"}, overseers},
		struct {
			Link  homeLink
			Roles []auth.Role
		}{homeLink{"/admin/audit", "admin.audit"}, auditors},
	)
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
