package web

import (
	"fmt"
	"net/http"

	"mingbai/internal/auth"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// localiseAlerts fills the kind name and the text of each integrity alert
// in the reader's language from its kind and parameters. An alert of a
// kind this binary does not know keeps its stored summary as text.
func localiseAlerts(l i18n.Lang, list []store.IntegrityAlert) []store.IntegrityAlert {
	for i := range list {
		a := &list[i]
		if args := a.Args(); args != nil {
			a.KindName = i18n.T(l, "alert.kind."+a.Kind)
			a.Text = i18n.T(l, "alert."+a.Kind, args...)
			continue
		}
		a.KindName, a.Text = a.Kind, a.Detail
	}
	if list == nil {
		list = []store.IntegrityAlert{}
	}
	return list
}

// closeRequest closes an integrity alert: both fields are required.
type closeRequest struct {
	Reason   string `json:"reason"`
	Decision string `json:"decision"`
}

// evidenceView is one evidence record as the pages link it.
type evidenceView struct {
	store.Evidence
	Href, Text string
}

// evidenceLinks names and links an alert's evidence: audit records to the
// audit log from that record on, tickets to their history, cases to the
// case page.
func evidenceLinks(l i18n.Lang, es []store.Evidence) []evidenceView {
	out := make([]evidenceView, 0, len(es))
	for _, e := range es {
		v := evidenceView{Evidence: e}
		switch e.Kind {
		case "audit":
			v.Href = fmt.Sprintf("/admin/audit?before=%d", e.ID+1)
			v.Text = i18n.T(l, "ov.ev_audit", e.ID, actionLabel(l, e.Label))
		case "ticket":
			v.Href = fmt.Sprintf("/api/v1/tickets/%d", e.ID)
			v.Text = i18n.T(l, "ov.ev_ticket", e.Label)
		case "case":
			if e.ID != 0 {
				v.Href = fmt.Sprintf("/cases/%d", e.ID)
			}
			v.Text = i18n.T(l, "ov.ev_case", e.Label)
		case "device":
			v.Text = i18n.T(l, "ov.ev_device", e.Label)
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) alertDetail(r *http.Request) (store.AlertDetail, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.AlertDetail{}, err
	}
	d, err := s.DB.IntegrityAlertDetail(r.Context(), hallID(r), id)
	if err != nil {
		return d, err
	}
	d.Alert = localiseAlerts(lang(r), []store.IntegrityAlert{d.Alert})[0]
	return d, nil
}

func (s *Server) apiAlertDetail(w http.ResponseWriter, r *http.Request) error {
	d, err := s.alertDetail(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}

func (s *Server) apiCloseAlert(w http.ResponseWriter, r *http.Request) error {
	var req closeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.DB.CloseIntegrityAlert(r.Context(), hallID(r), id, req.Reason, req.Decision); err != nil {
		return err
	}
	d, err := s.alertDetail(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}

func (s *Server) apiScanIntegrity(w http.ResponseWriter, r *http.Request) error {
	res, err := s.DB.ScanIntegrity(r.Context(), hallID(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, res)
	return nil
}

// pageIntegrityOwn takes the reader to the alerts of their hall (?hall=
// for readers of several halls).
func (s *Server) pageIntegrityOwn(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/integrity", hallID(r)), http.StatusSeeOther)
	return nil
}

func (s *Server) pageIntegrity(w http.ResponseWriter, r *http.Request) error {
	return s.renderIntegrity(w, r, 200, "", "")
}

func (s *Server) renderIntegrity(w http.ResponseWriter, r *http.Request, status int, flash, errMsg string) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	all := r.URL.Query().Get("all") == "1"
	list, err := s.DB.ListIntegrityAlerts(r.Context(), h.ID, all)
	if err != nil {
		return err
	}
	s.render(w, r, status, "integrity", pageData{Title: i18n.T(lang(r), "ov.integrity") + " · " + h.Name, Flash: flash, Error: errMsg,
		Data: map[string]any{"Hall": h, "Alerts": localiseAlerts(lang(r), list), "All": all}})
	return nil
}

func (s *Server) pageIntegrityAlert(w http.ResponseWriter, r *http.Request) error {
	return s.renderIntegrityAlert(w, r, 200, "", "")
}

func (s *Server) renderIntegrityAlert(w http.ResponseWriter, r *http.Request, status int, flash, errMsg string) error {
	d, err := s.alertDetail(r)
	if err != nil {
		return err
	}
	p := principal(r)
	l := lang(r)
	hist := make([]map[string]any, len(d.History))
	for i, n := range d.History {
		hist[i] = map[string]any{"Action": i18n.T(l, "ov.hist_"+n.Action), "Reason": n.Reason, "Decision": n.Decision, "Actor": n.Actor, "At": n.At}
	}
	s.render(w, r, status, "integrity_alert", pageData{Title: d.Alert.KindName, Flash: flash, Error: errMsg, Data: map[string]any{
		"HallID": hallID(r), "Alert": d.Alert, "Evidence": evidenceLinks(l, d.Evidence), "History": hist,
		"CanClose": p.Role == auth.Admin || p.Role == auth.Auditor,
		"Reason":   r.PostFormValue("reason"), "Decision": r.PostFormValue("decision")}})
	return nil
}

func (s *Server) formCloseAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.DB.CloseIntegrityAlert(r.Context(), hallID(r), id, r.PostFormValue("reason"), r.PostFormValue("decision"))
	if err != nil {
		msg, status, err := formError(r, err)
		if err != nil {
			return err
		}
		return s.renderIntegrityAlert(w, r, status, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/integrity/%d?closed=1", hallID(r), id), http.StatusSeeOther)
	return nil
}

func (s *Server) formScanIntegrity(w http.ResponseWriter, r *http.Request) error {
	res, err := s.DB.ScanIntegrity(r.Context(), hallID(r))
	if err != nil {
		return err
	}
	return s.renderIntegrity(w, r, 200, i18n.T(lang(r), "ov.scanned", res.New, res.Recurred, res.Reopened), "")
}
