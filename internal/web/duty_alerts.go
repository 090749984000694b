package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/events"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// Role sets of posts, complaints and duty alerts.
var (
	// postsReaders read alerts, attendance and every complaint (auditors
	// read, they do not act).
	postsReaders = roles(auth.Admin, auth.HallManager, auth.DutyLeader, auth.Auditor)
	// postsActors answer and close alerts, register absences and briefings.
	postsActors = roles(auth.Admin, auth.HallManager, auth.DutyLeader)
	// complaintRoles receive complaints (首问负责) and read those they own.
	complaintRoles = roles(auth.Admin, auth.HallManager, auth.DutyLeader, auth.Auditor, auth.WindowStaff, auth.CallbackOperator, auth.Consultant)
)

// dutyAlertJSON is an alert with its kind and text in the reader's
// language.
type dutyAlertJSON struct {
	store.DutyAlert
	KindName   string `json:"kind_name"`
	Text       string `json:"text"`
	AnswerText string `json:"answer_text,omitempty"`
}

func localiseDutyAlert(l i18n.Lang, a store.DutyAlert) dutyAlertJSON {
	n := len(a.Params)
	for _, k := range store.DutyAlertKinds() {
		if k.Code == a.Kind && len(k.Params) > n {
			n = len(k.Params) // an alert raised before the kind had more parameters
		}
	}
	args := make([]any, n)
	for i := range args {
		args[i] = ""
	}
	for i, p := range a.Params {
		args[i] = p
		// Parameters shown through the catalogue: a window's state, a level.
		switch {
		case a.Kind == store.DutyUnattended.Code && i == 1:
			args[i] = i18n.T(l, "posts.state."+p)
		case a.Kind == store.DutyBadRating.Code && i == 1:
			args[i] = i18n.T(l, "fb.level."+p)
		case a.Kind == store.DutyHelpCall.Code && i == 1 && p == "":
			args[i] = i18n.T(l, "dutyalert.no_note")
		}
	}
	out := dutyAlertJSON{DutyAlert: a, KindName: i18n.T(l, "dutyalert.kind."+a.Kind), Text: i18n.T(l, "dutyalert."+a.Kind, args...)}
	if a.Answer != "" {
		out.AnswerText = i18n.T(l, "dutyalert.answer."+a.Answer)
	}
	return out
}

func localiseDutyAlerts(l i18n.Lang, as []store.DutyAlert) []dutyAlertJSON {
	out := make([]dutyAlertJSON, 0, len(as))
	for _, a := range as {
		out = append(out, localiseDutyAlert(l, a))
	}
	return out
}

func (s *Server) apiDutyAlerts(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.ListDutyAlerts(r.Context(), hallID(r), r.URL.Query().Get("all") == "1")
	if err != nil {
		return err
	}
	writeJSON(w, 200, localiseDutyAlerts(lang(r), list))
	return nil
}

type ackRequest struct {
	// Answer is "on_my_way" for a help call, else empty.
	Answer string `json:"answer,omitempty"`
	Note   string `json:"note,omitempty"`
}

func (s *Server) apiAckDutyAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in ackRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.DB.AckDutyAlert(r.Context(), hallID(r), id, in.Answer, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 200, localiseDutyAlert(lang(r), a))
	return nil
}

type closeAlertRequest struct {
	Note string `json:"note"`
}

func (s *Server) apiCloseDutyAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in closeAlertRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.DB.CloseDutyAlert(r.Context(), hallID(r), id, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 200, localiseDutyAlert(lang(r), a))
	return nil
}

// apiDutyAlertStream is the duty leader's live stream: only duty alert
// events (the public hall stream never carries them).
func (s *Server) apiDutyAlertStream(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	l := lang(r)
	return s.serveStream(w, r, streamOptions{
		HallID: h,
		Snapshot: func() (any, error) {
			list, err := s.DB.ListDutyAlerts(r.Context(), h, false)
			return localiseDutyAlerts(l, list), err
		},
		Filter: func(e events.Event) bool { return e.Kind == store.EventDutyAlert },
	})
}

func (s *Server) apiDutySettings(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	if r.Method == http.MethodPut {
		var in store.DutySettings
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		if err := s.DB.SaveDutySettings(r.Context(), h, in); err != nil {
			return err
		}
	}
	st, err := s.DB.DutySettings(r.Context(), h)
	if err != nil {
		return err
	}
	writeJSON(w, 200, st)
	return nil
}

type helpRequest struct {
	Note string `json:"note,omitempty"`
}

// apiHelpCall: the clerk signed in at the window calls the duty leader
// (POST) or reads the latest call and its answer (GET; id 0 when the
// window never called).
func (s *Server) apiHelpCall(w http.ResponseWriter, r *http.Request) error {
	hall, windowID, err := s.windowOf(r)
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		a, err := s.latestHelpCall(r, hall, windowID)
		if err != nil {
			return err
		}
		writeJSON(w, 200, a)
		return nil
	}
	var in helpRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.DB.CallForHelp(r.Context(), hall, windowID, staffer(r), in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 201, localiseDutyAlert(lang(r), a))
	return nil
}

// latestHelpCall is the window's latest help call in the reader's
// language (an empty one, id 0, when the window never called).
func (s *Server) latestHelpCall(r *http.Request, hall, windowID int64) (dutyAlertJSON, error) {
	a, err := s.DB.HelpCallOf(r.Context(), hall, windowID)
	if apperr.Is(err, apperr.NotFound) {
		// No call yet: not a 404 on a window that exists.
		a, err = store.DutyAlert{HallID: hall, WindowID: windowID, Params: []string{}}, nil
	}
	return localiseDutyAlert(lang(r), a), err
}

// apiHelpStream is the window console's live view of its help call: the
// latest call first, then event "help" with the call as it is now
// whenever a duty alert of this window's help calls changes (raised,
// answered "on my way", closed). Other duty alerts never reach it.
func (s *Server) apiHelpStream(w http.ResponseWriter, r *http.Request) error {
	hall, windowID, err := s.windowOf(r)
	if err != nil {
		return err
	}
	return s.serveStream(w, r, streamOptions{
		HallID:   hall,
		Snapshot: func() (any, error) { return s.latestHelpCall(r, hall, windowID) },
		Filter: func(e events.Event) bool {
			if e.Kind != store.EventDutyAlert {
				return false
			}
			var p struct {
				Kind     string `json:"kind"`
				WindowID int64  `json:"window_id"`
			}
			return json.Unmarshal(e.Payload, &p) == nil && p.Kind == store.DutyHelpCall.Code && p.WindowID == windowID
		},
		Transform: func(e events.Event) (events.Event, bool) {
			a, err := s.latestHelpCall(r, hall, windowID)
			if err != nil {
				return e, false
			}
			b, err := json.Marshal(a)
			if err != nil {
				return e, false
			}
			e.Kind, e.Payload = "help", b
			return e, true
		},
	})
}

// pageDutyAlerts is the duty leader's alert list (the duty console links
// here): open alerts first, with acknowledge and close forms.
func (s *Server) pageDutyAlerts(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	list, err := s.DB.ListDutyAlerts(r.Context(), h, true)
	if err != nil {
		return err
	}
	p := principal(r)
	mayAct := p.Role == auth.Admin || p.Role == auth.HallManager || p.Role == auth.DutyLeader
	var open, closed []dutyAlertJSON
	for _, a := range localiseDutyAlerts(lang(r), list) {
		if a.State == store.DutyAlertClosed {
			closed = append(closed, a)
		} else {
			open = append(open, a)
		}
	}
	s.render(w, r, 200, "duty_alerts", pageData{Title: i18n.T(lang(r), "dutyalert.title"), Data: map[string]any{
		"Hall": h, "Open": open, "Closed": closed, "MayAct": mayAct, "Flash": r.URL.Query().Get("flash") != ""}})
	return nil
}

func (s *Server) formDutyAlert(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h := hallID(r)
	if strings.HasSuffix(r.URL.Path, "/ack") {
		_, err = s.DB.AckDutyAlert(r.Context(), h, id, r.PostFormValue("answer"), r.PostFormValue("note"))
	} else {
		_, err = s.DB.CloseDutyAlert(r.Context(), h, id, r.PostFormValue("note"))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/duty/alerts?flash=1#a%s", h, strconv.FormatInt(id, 10)), http.StatusSeeOther)
	return nil
}
