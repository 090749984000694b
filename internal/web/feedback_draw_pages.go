package web

import (
	"fmt"
	"net/http"
	"strconv"

	"mingbai/internal/apperr"
	"mingbai/internal/feedback"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

func (s *Server) pageDraws(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	ds, err := s.DB.ListDraws(r.Context(), h.ID)
	if err != nil {
		return err
	}
	// The sample-size calculator answers on the same page (GET form).
	q := r.URL.Query()
	var calc *feedback.SampleSize
	calcErr := ""
	if q.Get("margin") != "" {
		m, _ := strconv.ParseFloat(q.Get("margin"), 64)
		c, _ := strconv.ParseFloat(q.Get("confidence"), 64)
		n, _ := strconv.Atoi(q.Get("population"))
		rr, _ := strconv.ParseFloat(q.Get("response"), 64)
		out, err := feedback.Size(feedback.SampleSpec{Margin: m / 100, Confidence: c / 100, Population: n, ResponseRate: rr / 100})
		if e := apperr.As(err); e != nil {
			calcErr = message(lang(r), e)
		} else {
			calc = &out
		}
	}
	s.render(w, r, 200, "fb_draws", pageData{Title: i18n.T(lang(r), "fb.draws_title"), Flash: fbFlash(r), Error: calcErr, Data: map[string]any{
		"Hall": h, "Draws": ds, "Calc": calc, "Q": q, "Today": s.DB.Now().In(shanghai).Format("2006-01-02"),
		"Scopes": []string{"tickets", "cases", "both"}, "Strata": []string{"zone", "window", "staff", "item"},
		"Allocations": []feedback.Allocation{feedback.ProportionalWithMin, feedback.Proportional, feedback.Equal},
	}})
	return nil
}

func (s *Server) formCreateDraw(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.PostFormValue("n"))
	min, _ := strconv.Atoi(r.PostFormValue("min"))
	spec := store.DrawSpec{HallID: h.ID, Name: r.PostFormValue("name"), From: r.PostFormValue("from"), To: r.PostFormValue("to"),
		Scope: r.PostFormValue("scope"), StrataBy: r.PostFormValue("strata_by"), N: n, Allocation: feedback.Allocation(r.PostFormValue("allocation")),
		Min: min, IdemKey: r.PostFormValue("idempotency_key")}
	if v := r.PostFormValue("recent_days"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil {
			return apperr.InvalidField("recent_days", "fb.err.range", 0, 365)
		}
		spec.RecentDays = &d
	}
	d, err := s.DB.CreateDraw(r.Context(), spec)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/draws/%d?hall=%d&flash=created", d.ID, h.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) pageDraw(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "draw")
	if err != nil {
		return err
	}
	d, err := s.DB.GetDraw(r.Context(), h.ID, id)
	if err != nil {
		return err
	}
	verified, problem := false, ""
	if d.Seed != "" {
		if _, err := s.DB.VerifyDraw(r.Context(), id); err != nil {
			problem = err.Error()
		} else {
			verified = true
		}
	}
	s.render(w, r, 200, "fb_draw", pageData{Title: d.Name, Flash: fbFlash(r), Data: map[string]any{
		"Hall": h, "D": d, "Verified": verified, "Problem": problem, "ResponseRate": pct(d.ResponseRate),
		"Sat":     rateView{Row: store.RateRow{Interval: d.Satisfaction}, Rate: pct(d.Satisfaction.Rate), Low: pct(d.Satisfaction.Low), High: pct(d.Satisfaction.High)},
		"Reasons": []string{feedback.ExcludedNoPhone, feedback.ExcludedOptOut, feedback.ExcludedRecent},
	}})
	return nil
}

func (s *Server) formSeedDraw(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "draw")
	if err != nil {
		return err
	}
	if _, err := s.DB.SetDrawSeed(r.Context(), h.ID, id, r.PostFormValue("seed"), r.PostFormValue("source")); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/draws/%d?hall=%d&flash=seeded", id, h.ID), http.StatusSeeOther)
	return nil
}

// pageCallback is the callback console: the script and questions are
// server-rendered, static/feedback.js fetches the next person and records
// the outcome through the API.
func (s *Server) pageCallback(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	ds, err := s.DB.ListDraws(r.Context(), h.ID)
	if err != nil {
		return err
	}
	var seeded []store.Draw
	for _, d := range ds {
		if d.Seed != "" {
			seeded = append(seeded, d)
		}
	}
	s.render(w, r, 200, "fb_callback", pageData{Title: i18n.T(lang(r), "fb.cb_title"), Data: map[string]any{
		"Hall": h, "Draws": seeded, "Msg": fbMessages(lang(r)), "Outcomes": feedback.Outcomes, "Levels": feedback.Levels,
		"Questions": []string{"attitude", "ability", "efficiency"}, "YesNo": []string{"told_once", "improper_demand"},
	}})
	return nil
}
