package web

import (
	"net/http"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/i18n"
	"mingbai/internal/pii"
)

// The public opt-out page: a citizen stops contribution reminders to their
// number with the number and their resident ID number (both must match
// the registry). Rate-limited per address; the answer is the same whether
// or not they matched, so the page tells nobody who is registered.

func (s *Server) pagePublicOptOut(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, 200, "notify_optout_public", pageData{Title: i18n.T(lang(r), "notify.public_optout_title")})
	return nil
}

func (s *Server) formPublicOptOut(w http.ResponseWriter, r *http.Request) error {
	render := func(status int, msg, flash string) error {
		s.render(w, r, status, "notify_optout_public", pageData{Title: i18n.T(lang(r), "notify.public_optout_title"), Error: msg, Flash: flash})
		return nil
	}
	if err := s.limits.get("optout", 10, 5).allow(clientIP(r)); err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return render(status, msg, "")
	}
	phone := strings.TrimSpace(r.PostFormValue("phone"))
	id := strings.ToUpper(strings.TrimSpace(r.PostFormValue("id_number")))
	var err error
	switch {
	case !pii.ValidMobile(phone):
		err = apperr.InvalidField("phone", "notify.bad_mobile")
	case !pii.ValidIDNumber(id):
		err = apperr.InvalidField("id_number", "notify.bad_id_number")
	}
	if err == nil {
		_, err = s.DB.OptOutContributor(r.Context(), phone, id)
	}
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return render(status, msg, "")
	}
	return render(200, "", i18n.T(lang(r), "notify.public_optout_done"))
}
