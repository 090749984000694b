package web

import (
	"net/http"
	"sort"

	qrcode "github.com/skip2/go-qrcode"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// queueGauges reports the waiting tickets per zone of every hall.
func queueGauges(s *Server, r *http.Request) []Gauge {
	hs, err := s.DB.ListHalls(r.Context())
	if err != nil {
		return nil
	}
	var out []Gauge
	for _, h := range hs {
		b, err := s.DB.HallBoard(r.Context(), h.ID)
		if err != nil {
			continue
		}
		for _, z := range b.Zones {
			out = append(out, Gauge{Name: "mingbai_queue_waiting", Help: "Waiting tickets per zone", Labels: map[string]string{"hall": h.Code, "zone": z.Code}, Value: float64(z.Waiting)})
		}
	}
	return out
}

// jsMessages are the message keys the queue pages' script needs.
var jsMessages = []string{"queue.ahead", "queue.eta", "queue.eta_unknown", "queue.your_number", "queue.announce", "queue.closed_msg",
	"queue.print", "queue.done", "queue.error", "queue.green_question", "queue.nothing_waiting_short", "queue.state_waiting",
	"queue.state_called", "queue.state_serving", "queue.state_done", "queue.state_no_show", "queue.state_cancelled", "queue.state_held",
	"queue.go_to_window", "queue.minutes", "queue.paused", "queue.open", "queue.closed_window", "queue.none", "queue.reason_prompt",
	"queue.call_this", "queue.return", "queue.next_mark"}

func messagesFor(l i18n.Lang) map[string]string {
	m := map[string]string{}
	for _, k := range jsMessages {
		m[k] = i18n.T(l, k)
	}
	return m
}

type kioskItem struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type kioskZone struct {
	Code   string      `json:"code"`
	Name   string      `json:"name"`
	Prefix string      `json:"prefix"`
	Items  []kioskItem `json:"items"`
}

// offeredItems returns, per zone, the published items that some window of
// the hall serves.
func (s *Server) offeredItems(r *http.Request, h hall.Hall) ([]kioskZone, error) {
	zones, err := s.DB.ListZones(r.Context(), h.ID)
	if err != nil {
		return nil, err
	}
	wins, err := s.DB.ListWindows(r.Context(), h.ID)
	if err != nil {
		return nil, err
	}
	offered := map[string]bool{}
	for _, w := range wins {
		for _, it := range w.Items {
			offered[it] = true
		}
	}
	items, err := s.DB.ListPublishedItems(r.Context(), "")
	if err != nil {
		return nil, err
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Code < items[j].Code })
	en := lang(r) == "en"
	var out []kioskZone
	for _, z := range zones {
		kz := kioskZone{Code: z.Code, Name: z.Name, Prefix: z.Prefix}
		for _, it := range items {
			if it.Zone == z.Code && offered[it.Code] {
				name := it.Name
				if en && it.NameEn != "" {
					name = it.NameEn
				}
				kz.Items = append(kz.Items, kioskItem{Code: it.Code, Name: name})
			}
		}
		if len(kz.Items) > 0 {
			out = append(out, kz)
		}
	}
	return out, nil
}

// hallFromQuery is the hall of a HallOwn page (kiosk, console): a
// device's or staff member's own, the ?hall= of the public and of callers
// who span halls, resolved and checked by the route wrapper.
func (s *Server) hallFromQuery(r *http.Request) (hall.Hall, error) {
	return s.DB.Hall(r.Context(), hallID(r))
}

func (s *Server) pageKiosk(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallFromQuery(r)
	if err != nil {
		return err
	}
	zones, err := s.offeredItems(r, h)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "kiosk", pageData{Title: i18n.T(lang(r), "queue.kiosk"), Data: map[string]any{
		"Hall": h, "Zones": zones, "Msg": messagesFor(lang(r)),
	}})
	return nil
}

func (s *Server) pageConsole(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	h, err := s.hallFromQuery(r)
	if err != nil {
		return err
	}
	wins, err := s.DB.ListWindows(r.Context(), h.ID)
	if err != nil {
		return err
	}
	// Preselect the window assigned to the staff member, else the one they
	// are signed in at.
	var mine int64
	for _, wd := range wins {
		if p.StaffID != 0 && wd.StaffID == p.StaffID {
			mine = wd.ID
		}
	}
	for _, wd := range wins {
		if sess, err := s.DB.WindowSession(r.Context(), wd.ID); err == nil && sess.Username == p.Username {
			mine = wd.ID
		}
	}
	type opt struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
		Zone   string `json:"zone"`
	}
	var opts []opt
	for _, wd := range wins {
		opts = append(opts, opt{wd.ID, wd.Number, wd.Zone})
	}
	zones, err := s.offeredItems(r, h)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "queue_console", pageData{Title: i18n.T(lang(r), "queue.console"), Data: map[string]any{
		"Hall": h, "Windows": opts, "Mine": mine, "Zones": zones, "Reasons": store.PauseReasons,
		"Script": consoleScriptData(lang(r), zones),
	}})
	return nil
}

func (s *Server) pageScreenHall(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "screen_hall", pageData{Title: h.Name, Data: map[string]any{"Hall": h, "Zone": "", "Msg": messagesFor(lang(r))}})
	return nil
}

func (s *Server) pageScreenZone(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	zones, err := s.DB.ListZones(r.Context(), h.ID)
	if err != nil {
		return err
	}
	for _, z := range zones {
		if z.Code == r.PathValue("zone") {
			s.render(w, r, 200, "screen_hall", pageData{Title: z.Name, Data: map[string]any{"Hall": h, "Zone": z.Code, "ZoneName": z.Name, "Msg": messagesFor(lang(r))}})
			return nil
		}
	}
	return apperr.NotFoundOf("zone")
}

func (s *Server) pageScreenWindow(w http.ResponseWriter, r *http.Request) error {
	hallID, windowID, err := s.windowOf(r)
	if err != nil {
		return err
	}
	win, err := s.DB.Window(r.Context(), hallID, windowID)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "screen_window", pageData{Title: win.Number, Data: map[string]any{"HallID": hallID, "Window": win.Number, "Msg": messagesFor(lang(r))}})
	return nil
}

func (s *Server) pageTrack(w http.ResponseWriter, r *http.Request) error {
	v, err := s.DB.TicketByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, 200, "track", pageData{Title: v.Ticket.Number, Data: map[string]any{
		"Token": r.PathValue("token"), "HallID": v.Ticket.HallID, "View": trackView(v), "Msg": messagesFor(lang(r)),
	}})
	return nil
}

func (s *Server) handleTrackQR(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.DB.TicketByToken(r.Context(), r.PathValue("token")); err != nil {
		return err
	}
	png, err := qrcode.Encode(s.baseURL(r)+"/t/"+r.PathValue("token"), qrcode.Medium, 256)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, err = w.Write(png)
	return err
}
