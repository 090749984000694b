package web

import (
	"context"
	"net/http"
	"net/url"

	"mingbai/internal/i18n"
)

const langCookie = "mingbai_lang"

// withLang picks the caller's language: ?lang= (and remember it in a
// cookie), else the cookie, else Accept-Language; Simplified Chinese by
// default.
func (s *Server) withLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
		if c, err := r.Cookie(langCookie); err == nil {
			if v, ok := i18n.Parse(c.Value); ok {
				l = v
			}
		}
		if q := r.URL.Query().Get("lang"); q != "" {
			if v, ok := i18n.Parse(q); ok {
				l = v
				http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(v), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
			}
		}
		w.Header().Set("Content-Language", string(l))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, l)))
	})
}

func lang(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.ZhCN
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
