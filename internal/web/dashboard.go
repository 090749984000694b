package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"mingbai/internal/auth"
	"mingbai/internal/events"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// dashMessages are the message keys the dashboard script needs.
var dashMessages = []string{"ov.state_closed", "ov.state_idle", "ov.state_calling", "ov.state_serving", "ov.state_paused",
	"ov.min", "ov.none", "ov.overdue", "ov.due", "ov.live", "ov.offline", "ov.hour", "ov.unscheduled", "ov.closed_windows"}

func dashMsgs(l i18n.Lang) map[string]string {
	m := map[string]string{}
	for _, k := range dashMessages {
		m[k] = i18n.T(l, k)
	}
	return m
}

// dashboardFor computes a hall's dashboard with its alerts in the reader's
// language.
func (s *Server) dashboardFor(r *http.Request, hallID int64) (store.Dashboard, error) {
	d, err := s.DB.HallDashboard(r.Context(), hallID)
	if err != nil {
		return d, err
	}
	d.Alerts = localiseAlerts(lang(r), d.Alerts)
	return d, nil
}

func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.dashboardFor(r, hallID(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}

// callerHalls lists the halls the caller may act in.
func (s *Server) callerHalls(r *http.Request) ([]int64, error) {
	hs, err := s.DB.ListHalls(r.Context())
	if err != nil {
		return nil, err
	}
	p := principal(r)
	out := []int64{}
	for _, h := range hs {
		if p.MayActIn(h.ID) {
			out = append(out, h.ID)
		}
	}
	return out, nil
}

func (s *Server) apiDistrict(w http.ResponseWriter, r *http.Request) error {
	ids, err := s.callerHalls(r)
	if err != nil {
		return err
	}
	out := []store.Dashboard{}
	for _, id := range ids {
		d, err := s.dashboardFor(r, id)
		if err != nil {
			return err
		}
		out = append(out, d)
	}
	writeJSON(w, 200, out)
	return nil
}

// dashboardChanged is the event a dashboard stream sends instead of the
// hall's own events: the page then reads the dashboard again (one read
// per burst, not per event).
func dashboardChanged(e events.Event) (events.Event, bool) {
	b, _ := json.Marshal(map[string]int64{"hall": e.HallID})
	return events.Event{ID: e.ID, HallID: e.HallID, Kind: "changed", Payload: json.RawMessage(b)}, true
}

func (s *Server) apiDashboardStream(w http.ResponseWriter, r *http.Request) error {
	id := hallID(r)
	return s.serveStream(w, r, streamOptions{
		HallID:    id,
		Snapshot:  func() (any, error) { return s.dashboardFor(r, id) },
		Transform: dashboardChanged,
	})
}

func (s *Server) apiDistrictStream(w http.ResponseWriter, r *http.Request) error {
	ids, err := s.callerHalls(r)
	if err != nil {
		return err
	}
	mine := map[int64]bool{}
	for _, id := range ids {
		mine[id] = true
	}
	// All halls' events, those of the caller's halls passed on; a resumed
	// stream gets the snapshot (the pages read every hall again).
	r.Header.Del("Last-Event-ID")
	q := r.URL.Query()
	q.Del("last_event_id")
	r.URL.RawQuery = q.Encode()
	return s.serveStream(w, r, streamOptions{
		HallID:    0,
		Snapshot:  func() (any, error) { return map[string]any{"halls": ids}, nil },
		Filter:    func(e events.Event) bool { return mine[e.HallID] },
		Transform: dashboardChanged,
	})
}

// dashPage is what the dashboard templates get.
type dashPage struct {
	HallID   int64
	HallName string
	Msg      map[string]string
	Wall     bool
	Halls    []int64
	Manager  bool
}

func (s *Server) pageDashboard(w http.ResponseWriter, r *http.Request) error {
	return s.renderDashboard(w, r, false)
}

func (s *Server) pageDashboardWall(w http.ResponseWriter, r *http.Request) error {
	return s.renderDashboard(w, r, true)
}

func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, wall bool) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	p := principal(r)
	data := dashPage{HallID: h.ID, HallName: h.Name, Msg: dashMsgs(lang(r)), Wall: wall, Halls: []int64{h.ID},
		Manager: p.Role == auth.Admin || p.Role == auth.HallManager}
	name := "dashboard"
	if wall {
		name = "dashboard_wall"
	}
	s.render(w, r, 200, name, pageData{Title: i18n.T(lang(r), "ov.dashboard") + " · " + h.Name, Data: data})
	return nil
}

// pageDistrict shows every hall the caller may act in on one page; a
// caller of one hall goes to that hall's dashboard.
func (s *Server) pageDistrict(w http.ResponseWriter, r *http.Request) error {
	ids, err := s.callerHalls(r)
	if err != nil {
		return err
	}
	if len(ids) == 1 {
		http.Redirect(w, r, "/halls/"+strconv.FormatInt(ids[0], 10)+"/dashboard", http.StatusSeeOther)
		return nil
	}
	data := dashPage{Msg: dashMsgs(lang(r)), Halls: ids}
	s.render(w, r, 200, "dashboard", pageData{Title: i18n.T(lang(r), "ov.district"), Data: data})
	return nil
}

func (s *Server) apiOversightSettings(w http.ResponseWriter, r *http.Request) error {
	id := hallID(r)
	if r.Method == http.MethodPut {
		// Fields left out keep their current values.
		in, err := s.DB.OversightSettings(r.Context(), id)
		if err != nil {
			return err
		}
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		out, err := s.DB.SaveOversightSettings(r.Context(), id, in)
		if err != nil {
			return err
		}
		writeJSON(w, 200, out)
		return nil
	}
	st, err := s.DB.OversightSettings(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, st)
	return nil
}
