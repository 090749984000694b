package web

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/events"
	"mingbai/internal/queue"
	"mingbai/internal/store"
)

// Queue and calling: the ticket API, window dispatch and ticket life, the
// public hall stream and the tracking view.

type issueRequest struct {
	Item           string `json:"item"`
	Hall           int64  `json:"hall,omitempty"`
	Priority       string `json:"priority,omitempty"`
	Phone          string `json:"phone,omitempty"`
	SMSCode        string `json:"sms_code,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

type issuedJSON struct {
	ID         int64  `json:"id"`
	Number     string `json:"number"`
	Item       string `json:"item"`
	ItemName   string `json:"item_name"`
	Zone       string `json:"zone"`
	Priority   string `json:"priority,omitempty"`
	Position   int    `json:"position"`
	EtaMinutes *int   `json:"eta_minutes"`
	TrackURL   string `json:"track_url"`
	IssuedAt   int64  `json:"issued_at"`
	// IssuedAtText is the issue time in the hall's time zone, as printed.
	IssuedAtText string `json:"issued_at_text"`
	Hall         string `json:"hall"`
	// Wait is the same as the phone page's wait (store.Wait): people
	// ahead, estimate, expected call time, open and stalled windows.
	Wait store.Wait `json:"wait"`
}

func etaMinutes(d time.Duration) *int {
	if d < 0 {
		return nil
	}
	m := int(math.Ceil(d.Minutes()))
	return &m
}

// defaultHall is the hall of a HallBody route (see bodyHall): the given
// one if the caller may act in it, else the caller's own, else the first.
func (s *Server) defaultHall(r *http.Request, given int64) (int64, error) {
	return s.bodyHall(r, given)
}

func (s *Server) apiIssueTicket(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if !p.Authenticated() {
		if err := s.limits.get("tickets", 10, 20).allow(clientIP(r)); err != nil {
			return err
		}
	}
	var in issueRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	hallID, err := s.defaultHall(r, in.Hall)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.Item) == "" {
		return apperr.InvalidField("item", "err.required", "item")
	}
	item, err := s.publishedItem(r.Context(), in.Item)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.InvalidField("item", "queue.unknown_item", in.Item)
		}
		return err
	}
	req := store.IssueRequest{HallID: hallID, Item: item.Code, Zone: item.Zone, Priority: queue.PriorityReason(in.Priority), Phone: in.Phone, SMSCode: in.SMSCode}
	switch {
	case p.Role == auth.Device:
		if p.DeviceKind != "kiosk" {
			return errForbidden
		}
		req.Channel = store.ChannelKiosk
		if in.IdempotencyKey != "" {
			req.IdemKey = fmt.Sprintf("device:%d:%s", p.DeviceID, in.IdempotencyKey)
		}
	case p.Authenticated():
		req.Channel = store.ChannelStaff
		if in.IdempotencyKey != "" {
			req.IdemKey = "user:" + p.Username + ":" + in.IdempotencyKey
		}
	default:
		req.Channel = store.ChannelWeb
		if in.Phone != "" {
			req.Channel = store.ChannelPhone
		}
		if in.IdempotencyKey != "" {
			req.IdemKey = "web:" + in.IdempotencyKey
		}
	}
	if in.Phone != "" && req.Channel == store.ChannelKiosk {
		return apperr.InvalidField("phone", "queue.phone_not_here")
	}
	res, err := s.DB.IssueTicket(r.Context(), req)
	if err != nil {
		return err
	}
	status := 201
	if !res.Created {
		status = 200
	}
	out, err := s.issuedView(r, hallID, res, item)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

type smsCodeRequest struct {
	Hall  int64  `json:"hall,omitempty"`
	Phone string `json:"phone"`
	// PageToken is the proof of a recent page view (GET /api/v1/page-token
	// or the hidden field of the citizen pages); kiosks and staff need none.
	PageToken string `json:"page_token,omitempty"`
}

func (s *Server) apiSMSCode(w http.ResponseWriter, r *http.Request) error {
	var in smsCodeRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	hallID, err := s.defaultHall(r, in.Hall)
	if err != nil {
		return err
	}
	if err := s.sendCode(r, hallID, in.Phone, in.PageToken); err != nil {
		return err
	}
	writeJSON(w, 202, sentJSON{Sent: true})
	return nil
}

// trackJSON is the public view of a ticket: no phone, no id, no names of
// people; the item's name, the hall and its address, the window once
// called.
type trackJSON struct {
	Number     string `json:"number"`
	Item       string `json:"item"`
	ItemName   string `json:"item_name"`
	Hall       string `json:"hall"`
	Address    string `json:"address"`
	Zone       string `json:"zone"`
	State      string `json:"state"`
	Position   int    `json:"position"`
	EtaMinutes *int   `json:"eta_minutes"`
	Window     string `json:"window,omitempty"`
	IssuedAt   int64  `json:"issued_at"`
	// IssuedAtText is the issue time in the hall's time zone.
	IssuedAtText string       `json:"issued_at_text"`
	Calling      []store.Call `json:"calling"`
	// Wait is the ticket's wait (store.Wait) while it waits; Position and
	// EtaMinutes are Wait.Ahead and Wait.EtaMs in whole minutes.
	Wait *store.Wait `json:"wait,omitempty"`
}

func (s *Server) trackView(r *http.Request, v store.TicketView) (trackJSON, error) {
	h, err := s.DB.Hall(r.Context(), v.Ticket.HallID)
	if err != nil {
		return trackJSON{}, err
	}
	name := v.Ticket.Item
	if it, err := s.publishedItem(r.Context(), v.Ticket.Item); err == nil {
		name = it.Name
		if lang(r) == "en" && it.NameEn != "" {
			name = it.NameEn
		}
	}
	j := trackJSON{Number: v.Ticket.Number, Item: v.Ticket.Item, ItemName: name, Hall: h.Name, Address: h.Address, Zone: v.Ticket.Zone,
		State: v.Ticket.State, Position: v.Ahead, EtaMinutes: etaMinutes(v.Eta), Window: v.Ticket.WindowNumber, IssuedAt: v.Ticket.IssuedAt,
		IssuedAtText: ticketTime(v.Ticket.IssuedAt, h), Calling: v.Calling}
	if v.Ticket.State == "waiting" {
		w := v.Wait
		j.Wait = &w
	}
	return j, nil
}

func (s *Server) apiTrack(w http.ResponseWriter, r *http.Request) error {
	v, err := s.DB.TicketByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	out, err := s.trackView(r, v)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiTrackCancel(w http.ResponseWriter, r *http.Request) error {
	if err := s.DB.CancelByToken(r.Context(), r.PathValue("token")); err != nil {
		return err
	}
	writeJSON(w, 200, cancelledJSON{Cancelled: true})
	return nil
}

func (s *Server) apiGetTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.DB.Ticket(r.Context(), hallID(r), id)
	if err != nil {
		return err
	}
	trs, err := s.DB.TicketTransitions(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, ticketDetail{Ticket: t, Transitions: trs})
	return nil
}

func staffer(r *http.Request) store.Staffer {
	p := principal(r)
	return store.Staffer{Username: p.Username, StaffID: p.StaffID, Manager: p.Role == auth.Admin || p.Role == auth.HallManager}
}

// windowOf parses {window} and returns it with its hall.
// windowOf returns the window of the path and its hall, resolved and
// checked by the route wrapper (Hall: HallWindow).
func (s *Server) windowOf(r *http.Request) (hallIDv, windowID int64, err error) {
	windowID, err = pathID(r, "window")
	if err != nil {
		return 0, 0, err
	}
	return hallID(r), windowID, nil
}

type callRequest struct {
	Ticket int64  `json:"ticket,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func (s *Server) apiCall(w http.ResponseWriter, r *http.Request) error {
	hallID, windowID, err := s.windowOf(r)
	if err != nil {
		return err
	}
	var in callRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	t, err := s.DB.CallNext(r.Context(), store.CallRequest{HallID: hallID, WindowID: windowID, By: staffer(r), TicketID: in.Ticket, Reason: in.Reason})
	if err != nil {
		return err
	}
	writeJSON(w, 200, t)
	return nil
}

type sessionRequest struct {
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

func (s *Server) apiWindowSession(w http.ResponseWriter, r *http.Request) error {
	hallID, windowID, err := s.windowOf(r)
	if err != nil {
		return err
	}
	var in sessionRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var sess store.WindowSession
	who := staffer(r)
	if in.State == store.WindowOpen {
		sess, err = s.DB.SignInWindow(r.Context(), hallID, windowID, who)
	} else {
		sess, err = s.DB.SetWindowState(r.Context(), hallID, windowID, who, in.State, in.Reason)
	}
	if err != nil {
		return err
	}
	writeJSON(w, 200, sess)
	return nil
}

func (s *Server) apiConsole(w http.ResponseWriter, r *http.Request) error {
	hallID, windowID, err := s.windowOf(r)
	if err != nil {
		return err
	}
	c, err := s.DB.WindowConsole(r.Context(), hallID, windowID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, c)
	return nil
}

type actRequest struct {
	Item   string `json:"item,omitempty"`
	Window int64  `json:"window,omitempty"`
	Note   string `json:"note,omitempty"`
}

// apiAct returns the handler of one ticket action.
func (s *Server) apiAct(action string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in actRequest
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &in); err != nil {
				return err
			}
		}
		// The hall the wrapper resolved and checked for the caller (Hall:
		// HallTicket); the store compares it with the ticket's own.
		req := store.ActRequest{HallID: hallID(r), TicketID: id, By: staffer(r), Action: action, WindowID: in.Window, Note: in.Note}
		if action == store.ActTransfer && in.Item != "" {
			item, err := s.publishedItem(r.Context(), in.Item)
			if err != nil {
				return apperr.InvalidField("item", "queue.unknown_item", in.Item)
			}
			req.Item, req.Zone = item.Code, item.Zone
		}
		out, err := s.DB.ActOnTicket(r.Context(), req)
		if err != nil {
			return err
		}
		writeJSON(w, 200, out)
		return nil
	}
}

func (s *Server) apiHallBoard(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	b, err := s.DB.HallBoard(r.Context(), h.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, b)
	return nil
}

// publicKinds are the events the public hall stream passes on; their
// payloads are built by the store from numbers and counts only.
var publicKinds = map[string]bool{store.EventTicketIssued: true, store.EventTicketCalled: true, store.EventTicketRecalled: true,
	store.EventTicketUpdated: true, store.EventWindowState: true, store.EventDutyRoster: true}

func (s *Server) apiHallStream(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	return s.serveStream(w, r, streamOptions{
		HallID:   h.ID,
		Snapshot: func() (any, error) { return s.DB.HallBoard(r.Context(), h.ID) },
		Filter:   func(e events.Event) bool { return publicKinds[e.Kind] },
		// Thousands of screens: the connection is handed to the fan-out.
		Fanout: s.screens(),
	})
}

func (s *Server) apiIntegrityAlerts(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	out, err := s.DB.ListIntegrityAlerts(r.Context(), h.ID, true)
	if err != nil {
		return err
	}
	writeJSON(w, 200, localiseAlerts(lang(r), out))
	return nil
}

func (s *Server) apiQueueSettings(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	if r.Method == http.MethodPut {
		var in store.QueueSettings
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		if err := s.DB.SaveQueueSettings(r.Context(), h.ID, in); err != nil {
			return err
		}
	}
	st, err := s.DB.QueueSettings(r.Context(), h.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, st)
	return nil
}

type itemCapRequest struct {
	DailyCap int `json:"daily_cap"`
}

func (s *Server) apiItemCap(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	var in itemCapRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.DB.PublishedItem(r.Context(), r.PathValue("item")); err != nil {
		return apperr.InvalidField("item", "queue.unknown_item", r.PathValue("item"))
	}
	if err := s.DB.SetItemCap(r.Context(), h.ID, r.PathValue("item"), in.DailyCap); err != nil {
		return err
	}
	writeJSON(w, 200, in)
	return nil
}

func (s *Server) apiETAAccuracy(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	a, err := s.DB.EstimateAccuracy(r.Context(), h.ID, time.Now().Add(-30*24*time.Hour))
	if err != nil {
		return err
	}
	writeJSON(w, 200, a)
	return nil
}
