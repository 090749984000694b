package web

import (
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/consult"
	"mingbai/internal/hall"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

// Graduate pages of the consultation service: web consultation for
// graduates without WeChat (phone confirmed by an SMS code through the
// outbox, the same step as remote tickets) and the public FAQ. Plain
// forms, mobile first; they work without script.

// startForm is the state of the consultation start page.
type startForm struct {
	Hall     hall.Hall
	Phone    string
	CodeSent string
	Error    string
}

func (s *Server) renderStart(w http.ResponseWriter, r *http.Request, status int, f *startForm) {
	s.render(w, r, status, "consult_start", pageData{Title: i18n.T(lang(r), "consult.web_title"), Data: f})
}

func (s *Server) startState(r *http.Request) (*startForm, error) {
	h, err := s.citizenHall(r)
	if err != nil {
		return nil, err
	}
	return &startForm{Hall: h, Phone: strings.TrimSpace(r.FormValue("phone"))}, nil
}

func (s *Server) pageConsultStart(w http.ResponseWriter, r *http.Request) error {
	f, err := s.startState(r)
	if err != nil {
		return err
	}
	s.renderStart(w, r, 200, f)
	return nil
}

func (s *Server) formConsultCode(w http.ResponseWriter, r *http.Request) error {
	f, err := s.startState(r)
	if err != nil {
		return err
	}
	var status int
	if f.CodeSent, f.Error, status, err = s.codeStep(r, f.Hall.ID, f.Phone); err != nil {
		return err
	}
	s.renderStart(w, r, status, f)
	return nil
}

func (s *Server) formConsultStart(w http.ResponseWriter, r *http.Request) error {
	f, err := s.startState(r)
	if err != nil {
		return err
	}
	token, err := s.DB.ConsultWebStart(r.Context(), f.Hall.ID, f.Phone, strings.TrimSpace(r.FormValue("sms_code")))
	if err != nil {
		msg, status, err := formError(r, err)
		if err != nil {
			return err
		}
		f.Error = msg
		s.renderStart(w, r, status, f)
		return nil
	}
	http.Redirect(w, r, "/consult/t/"+token, http.StatusSeeOther)
	return nil
}

// graduateThread is what the graduate's page shows.
type graduateThread struct {
	Token    string
	View     store.ConsultThreadView
	CanRate  bool
	Levels   []int
	Error    string
	Body     string
	Resolved bool
	// Key is the idempotency key of the message form.
	Key string
}

func (s *Server) graduateView(r *http.Request) (*graduateThread, error) {
	token := r.PathValue("token")
	v, err := s.DB.ConsultWebThread(r.Context(), token)
	if err != nil {
		return nil, err
	}
	g := &graduateThread{Token: token, View: v, Levels: consult.Levels, Resolved: v.Thread.Status == consult.Resolved, Key: newFormKey()}
	g.CanRate = g.Resolved && v.Thread.ResolvedBy != "auto" && v.Thread.ResolvedBy != "" && v.Thread.Rating == 0
	return g, nil
}

func (s *Server) renderGraduate(w http.ResponseWriter, r *http.Request, status int, g *graduateThread) {
	// The page's address is the graduate's key to the thread; pages are
	// sent no-store with a same-origin referrer policy (render), so it
	// stays out of caches and other sites' logs.
	s.render(w, r, status, "consult_thread", pageData{Title: i18n.T(lang(r), "consult.web_title"), Data: g})
}

func (s *Server) pageConsultThread(w http.ResponseWriter, r *http.Request) error {
	g, err := s.graduateView(r)
	if err != nil {
		return err
	}
	s.renderGraduate(w, r, 200, g)
	return nil
}

func (s *Server) formConsultMessage(w http.ResponseWriter, r *http.Request) error {
	g, err := s.graduateView(r)
	if err != nil {
		return err
	}
	body := strings.TrimSpace(r.FormValue("body"))
	_, err = s.DB.ConsultReceive(r.Context(), store.ConsultInbound{HallID: g.View.Thread.HallID, Channel: consult.Web, ThreadID: g.View.Thread.ID,
		Kind: "text", Body: body, DedupeKey: webDedupe(g.View.Thread.ID, r.FormValue("idempotency_key"))})
	if err != nil {
		msg, status, err := formError(r, err)
		if err != nil {
			return err
		}
		g.Error, g.Body = msg, body
		s.renderGraduate(w, r, status, g)
		return nil
	}
	http.Redirect(w, r, "/consult/t/"+g.Token+"#end", http.StatusSeeOther)
	return nil
}

// webDedupe makes a resubmitted web message (a double tap, a reload) one
// message: the form carries a random key.
func webDedupe(threadID int64, key string) string {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 64 {
		return ""
	}
	return "web:" + strconv.FormatInt(threadID, 10) + ":" + key
}

func (s *Server) formConsultRate(w http.ResponseWriter, r *http.Request) error {
	g, err := s.graduateView(r)
	if err != nil {
		return err
	}
	level, _ := strconv.Atoi(r.FormValue("level"))
	if err := s.DB.ConsultWebRate(r.Context(), g.Token, level, r.FormValue("comment")); err != nil {
		msg, status, err := formError(r, err)
		if err != nil {
			return err
		}
		g.Error = msg
		s.renderGraduate(w, r, status, g)
		return nil
	}
	http.Redirect(w, r, "/consult/t/"+g.Token+"#end", http.StatusSeeOther)
	return nil
}

// pageConsultFAQ is the public FAQ: every answer in force with its source
// and effective date.
func (s *Server) pageConsultFAQ(w http.ResponseWriter, r *http.Request) error {
	h, err := s.citizenHall(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListFAQ(r.Context(), h.ID, false)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "consult_faq", pageData{Title: i18n.T(lang(r), "consult.faq_title"), Data: map[string]any{"Hall": h, "FAQ": list}})
	return nil
}

// faqForm reads an FAQ entry from the editor's form.
func faqForm(r *http.Request) (consult.Entry, error) {
	e := consult.Entry{Code: r.FormValue("code"), Question: strings.TrimSpace(r.FormValue("question")), Answer: strings.TrimSpace(r.FormValue("answer")),
		Source: strings.TrimSpace(r.FormValue("source")), Keywords: consult.ParseKeywords(r.FormValue("keywords")), Retired: r.FormValue("retired") == "1"}
	var err error
	if v := r.FormValue("effective"); v != "" {
		if e.Effective, err = workday.Parse(v); err != nil {
			return e, apperr.InvalidField("effective", "consult.bad_day", v)
		}
	}
	if v := r.FormValue("review"); v != "" {
		if e.Review, err = workday.Parse(v); err != nil {
			return e, apperr.InvalidField("review", "consult.bad_day", v)
		}
	}
	return e, nil
}
