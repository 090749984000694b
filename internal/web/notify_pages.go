package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/i18n"
	"mingbai/internal/notify"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// Managers' pages of the notification area: the outbox (masked numbers,
// filters, history, retry of failed and cancelling of queued messages,
// provider health), template registrations with their approval, and the
// opt-out list. Every page is of one hall (?hall=).

// back redirects to a page of the same hall after a form.
func back(w http.ResponseWriter, r *http.Request, path string, flash string) {
	q := url.Values{"hall": {strconv.FormatInt(hallID(r), 10)}}
	if flash != "" {
		q.Set("done", flash)
	}
	http.Redirect(w, r, path+"?"+q.Encode(), http.StatusSeeOther)
}

func (s *Server) providerHealth(hallID int64) notify.Health {
	p := s.smsProviderOf(hallID)
	if h, ok := p.(interface{ Health() notify.Health }); ok {
		return h.Health()
	}
	return notify.Health{Name: p.Name(), Bound: true}
}

type outboxRow struct {
	store.OutboxEntry
	History []store.OutboxAttempt
}

func (s *Server) pageNotifyOutbox(w http.ResponseWriter, r *http.Request) error {
	return s.renderNotifyOutbox(w, r, 200, "")
}

func (s *Server) renderNotifyOutbox(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	state := r.URL.Query().Get("state")
	valid := state == ""
	for _, st := range notify.States {
		valid = valid || st == state
	}
	if !valid {
		return apperr.InvalidField("state", "err.bad_value", "state", state)
	}
	q := r.URL.Query()
	f := store.OutboxFilter{State: state, Provider: q.Get("provider"), Kind: q.Get("kind"), Phone: q.Get("phone"), Case: q.Get("case")}
	if len(f.Case) > 40 {
		return apperr.InvalidField("case", "err.bad_value", "case", "")
	}
	if len(f.Phone) > 11 || len(f.Provider) > 40 || len(f.Kind) > 40 {
		return apperr.InvalidField("phone", "err.bad_value", "phone", "")
	}
	es, err := s.DB.SearchOutbox(r.Context(), hallID(r), f, 200)
	if err != nil {
		return err
	}
	rows := make([]outboxRow, 0, len(es))
	for _, e := range es {
		e.Recipient = notify.MaskRecipient(e.Recipient) // never a clear number
		row := outboxRow{OutboxEntry: e}
		if len(rows) < 50 {
			if row.History, err = s.DB.OutboxHistory(r.Context(), hallID(r), e.ID); err != nil {
				return err
			}
		}
		rows = append(rows, row)
	}
	data := map[string]any{"Hall": hallID(r), "State": state, "States": notify.States, "Filter": f, "Kinds": notify.TemplateKinds(), "Rows": rows, "Health": s.providerHealth(hallID(r))}
	s.render(w, r, status, "notify_outbox", pageData{Title: i18n.T(lang(r), "notify.outbox_title"), Data: data, Error: msg, Flash: doneFlash(r)})
	return nil
}

func doneFlash(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "retry", "cancel", "saved", "decided", "optout", "started", "stopped":
		return i18n.T(lang(r), "notify.done."+r.URL.Query().Get("done"))
	}
	return ""
}

func (s *Server) formNotifyOutbox(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	switch action {
	case "retry":
		err = s.DB.RetryOutbox(r.Context(), hallID(r), id)
	case "cancel":
		err = s.DB.CancelOutbox(r.Context(), hallID(r), id)
	default:
		return apperr.NotFoundOf("action")
	}
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderNotifyOutbox(w, r, status, msg)
	}
	back(w, r, "/notify/outbox", action)
	return nil
}

// hallProviders are the providers whose templates a hall's manager keeps:
// the hall's own (an admin sees every configured provider).
func (s *Server) hallProviders(r *http.Request) []string {
	if principal(r).Role == auth.Admin {
		return s.smsProviderNames()
	}
	return []string{s.smsProviderOf(hallID(r)).Name()}
}

func (s *Server) pageNotifyTemplates(w http.ResponseWriter, r *http.Request) error {
	return s.renderNotifyTemplates(w, r, 200, "")
}

func (s *Server) renderNotifyTemplates(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	ts, err := s.DB.ListSMSTemplates(r.Context(), s.hallProviders(r))
	if err != nil {
		return err
	}
	data := map[string]any{"Hall": hallID(r), "Templates": ts, "Me": principal(r).Actor()}
	s.render(w, r, status, "notify_templates", pageData{Title: i18n.T(lang(r), "notify.templates_title"), Data: data, Error: msg, Flash: doneFlash(r)})
	return nil
}

func (s *Server) mayKeepProvider(r *http.Request, provider string) bool {
	for _, p := range s.hallProviders(r) {
		if p == provider {
			return true
		}
	}
	return false
}

func (s *Server) formNotifyTemplateSave(w http.ResponseWriter, r *http.Request) error {
	provider := r.PostFormValue("provider")
	if !s.mayKeepProvider(r, provider) {
		return errForbidden
	}
	if _, err := s.DB.SaveSMSTemplate(r.Context(), provider, r.PostFormValue("kind"), r.PostFormValue("code"), r.PostFormValue("note")); err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderNotifyTemplates(w, r, status, msg)
	}
	back(w, r, "/notify/templates", "saved")
	return nil
}

func (s *Server) formNotifyTemplateDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ts, err := s.DB.ListSMSTemplates(r.Context(), s.hallProviders(r))
	if err != nil {
		return err
	}
	mine := false
	for _, t := range ts {
		mine = mine || t.ID == id
	}
	if !mine {
		return apperr.NotFoundOf("template")
	}
	if _, err := s.DB.DecideSMSTemplate(r.Context(), id, r.PostFormValue("action"), r.PostFormValue("note")); err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderNotifyTemplates(w, r, status, msg)
	}
	back(w, r, "/notify/templates", "decided")
	return nil
}

func (s *Server) pageNotifyOptOuts(w http.ResponseWriter, r *http.Request) error {
	return s.renderNotifyOptOuts(w, r, 200, "")
}

func (s *Server) renderNotifyOptOuts(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	outs, err := s.DB.ListOptOuts(r.Context(), 500)
	if err != nil {
		return err
	}
	s.render(w, r, status, "notify_optouts", pageData{Title: i18n.T(lang(r), "notify.optouts_title"), Data: map[string]any{"Hall": hallID(r), "OptOuts": outs}, Error: msg, Flash: doneFlash(r)})
	return nil
}

// formNotifyOptOut records a citizen's opt-out asked for in person or by
// telephone.
func (s *Server) formNotifyOptOut(w http.ResponseWriter, r *http.Request) error {
	phone := strings.TrimSpace(r.PostFormValue("phone"))
	err := error(nil)
	if !pii.ValidMobile(phone) {
		err = apperr.InvalidField("phone", "notify.bad_mobile")
	} else {
		err = s.DB.OptOut(r.Context(), phone, "staff:"+principal(r).Actor())
	}
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderNotifyOptOuts(w, r, status, msg)
	}
	back(w, r, "/notify/optouts", "optout")
	return nil
}
