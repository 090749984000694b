package web

import (
	"net/http"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
)

const sessionCookie = "mingbai_session"

var (
	errUnauthorized = apperr.New(apperr.Unauthorized, "err.unauthorized")
	errForbidden    = apperr.New(apperr.Forbidden, "err.forbidden")
	errInternal     = apperr.New(apperr.Internal, "err.internal")
	errCrossOrigin  = apperr.New(apperr.Forbidden, "err.cross_origin")
)

// authenticate resolves the caller: a bearer token (API token "mb_…" or
// device token "mbd_…"), else a session cookie, else anonymous. Invalid
// credentials are an error rather than silently anonymous, so a client
// learns that its token was revoked.
func (s *Server) authenticate(r *http.Request) (auth.Principal, error) {
	if s.metricsToken(r) {
		return auth.Principal{Role: auth.Anonymous}, nil // the scraper's token is no account's (metrics.go)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || secret == "" {
			return auth.Principal{}, errUnauthorized
		}
		var p auth.Principal
		var err error
		if strings.HasPrefix(secret, "mbd_") {
			p, err = s.DB.PrincipalForDevice(r.Context(), secret)
		} else {
			p, err = s.DB.PrincipalForToken(r.Context(), secret)
		}
		if err != nil {
			if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Unauthorized) {
				return auth.Principal{}, errUnauthorized
			}
			return auth.Principal{}, err
		}
		if p.Via == "token" {
			p.Via = "token"
		}
		return p, nil
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		p, err := s.DB.PrincipalForSession(r.Context(), c.Value)
		if err == nil {
			return p, nil
		}
		if !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Unauthorized) {
			return auth.Principal{}, err
		}
		// An expired session cookie is treated as anonymous: pages then ask
		// the user to sign in again.
	}
	return auth.Principal{Role: auth.Anonymous}, nil
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, secret string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Cfg.SecureCookies || r.TLS != nil,
	})
}
