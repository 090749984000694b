package web

import (
	"net/http"
	"strconv"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/feedback"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// Role sets of the feedback area.
var (
	fbReaders   = roles(auth.Admin, auth.HallManager, auth.Auditor)
	fbCallers   = roles(auth.Admin, auth.HallManager, auth.CallbackOperator)
	fbStaff     = roles(auth.WindowStaff)
	fbStepRoles = roles(auth.Admin, auth.HallManager, auth.WindowStaff, auth.CallbackOperator)
	padRoles    = roles(auth.Device)
)

// fbHall is the hall the route table resolved and checked for the request
// (HallPath, HallQuery or HallOwn routes).
func (s *Server) fbHall(r *http.Request) (hall.Hall, error) {
	return s.DB.Hall(r.Context(), hallID(r))
}

// padOf returns the hall and window of the calling rating pad.
func (s *Server) padOf(r *http.Request) (hallID, windowID int64, err error) {
	p := principal(r)
	if p.Role != auth.Device || p.DeviceKind != hall.DeviceRatingPad {
		return 0, 0, apperr.New(apperr.Forbidden, "fb.err.not_pad")
	}
	w, err := s.DB.DeviceWindow(r.Context(), p.HallID, p.DeviceID)
	if err != nil {
		return 0, 0, err
	}
	if w == 0 {
		return 0, 0, apperr.New(apperr.Invalid, "fb.err.pad_no_window")
	}
	return p.HallID, w, nil
}

type padJSON struct {
	HallID int64 `json:"hall_id"`
	store.PadState
}

func (s *Server) apiPadState(w http.ResponseWriter, r *http.Request) error {
	hallID, windowID, err := s.padOf(r)
	if err != nil {
		return err
	}
	_ = s.DB.TouchDevice(r.Context(), principal(r).DeviceID)
	ps, err := s.DB.PadState(r.Context(), hallID, windowID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, padJSON{HallID: hallID, PadState: ps})
	return nil
}

// ratingRequest is a rating as a pad or a public page sends it.
type ratingRequest struct {
	TicketID     int64  `json:"ticket_id,omitempty"`
	Overall      int    `json:"overall"`
	Efficiency   int    `json:"efficiency,omitempty"`
	ServiceLevel int    `json:"service_level,omitempty"`
	Attitude     int    `json:"attitude,omitempty"`
	Reason       string `json:"reason,omitempty"`
	Text         string `json:"text,omitempty"`
	IdemKey      string `json:"idempotency_key,omitempty"`
}

func (q ratingRequest) rating() feedback.Rating {
	return feedback.Rating{Overall: feedback.Level(q.Overall), Efficiency: feedback.Level(q.Efficiency),
		ServiceLevel: feedback.Level(q.ServiceLevel), Attitude: feedback.Level(q.Attitude), Reason: q.Reason, Text: q.Text}
}

type ratingDone struct {
	ID int64 `json:"id"`
}

func (s *Server) apiPadRate(w http.ResponseWriter, r *http.Request) error {
	hallID, windowID, err := s.padOf(r)
	if err != nil {
		return err
	}
	var in ratingRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := limitText("idempotency_key", in.IdemKey, 100); err != nil {
		return err
	}
	p := principal(r)
	idem := ""
	if in.IdemKey != "" {
		idem = "pad:" + strconv.FormatInt(p.DeviceID, 10) + ":" + in.IdemKey
	}
	rt, err := s.DB.AddRating(r.Context(), store.RatingInput{HallID: hallID, Kind: store.ServiceTicket, ServiceID: in.TicketID,
		Channel: feedback.ChannelPad, Rating: in.rating(), WindowID: windowID, DeviceID: p.DeviceID, IdemKey: idem})
	if err != nil {
		return err
	}
	writeJSON(w, 201, ratingDone{ID: rt.ID})
	return nil
}

// apiRateTicket is the public QR rating keyed by the ticket's tracking token.
func (s *Server) apiRateTicket(w http.ResponseWriter, r *http.Request) error {
	hallID, id, err := s.DB.TicketIDByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	var in ratingRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rt, err := s.DB.AddRating(r.Context(), store.RatingInput{HallID: hallID, Kind: store.ServiceTicket, ServiceID: id,
		Channel: feedback.ChannelQR, Rating: in.rating()})
	if err != nil {
		return err
	}
	writeJSON(w, 201, ratingDone{ID: rt.ID})
	return nil
}

func (s *Server) apiListRatings(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rs, err := s.DB.ListRatings(r.Context(), store.RatingFilter{HallID: h.ID, From: q.Get("from"), To: q.Get("to"), Channel: q.Get("channel"), BadOnly: q.Get("bad") == "1"})
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(rs))
	return nil
}

// myRating is a rating as the rated staff member sees it: no service
// reference, no time of day — nothing that identifies the rater.
type myRating struct {
	ID           int64  `json:"id"`
	Date         string `json:"date"`
	Channel      string `json:"channel"`
	Overall      int    `json:"overall"`
	Efficiency   int    `json:"efficiency,omitempty"`
	ServiceLevel int    `json:"service_level,omitempty"`
	Attitude     int    `json:"attitude,omitempty"`
	Reason       string `json:"reason,omitempty"`
	Text         string `json:"text,omitempty"`
	Invalid      bool   `json:"invalid"`
	RectID       int64  `json:"rectification_id,omitempty"`
}

func (s *Server) myRatings(r *http.Request) (int64, []myRating, error) {
	p := principal(r)
	if p.StaffID == 0 {
		return 0, nil, apperr.New(apperr.Forbidden, "fb.err.no_staff")
	}
	hall := hallID(r)
	rs, err := s.DB.ListRatings(r.Context(), store.RatingFilter{HallID: hall, StaffID: p.StaffID})
	if err != nil {
		return 0, nil, err
	}
	out := make([]myRating, 0, len(rs))
	for _, x := range rs {
		out = append(out, myRating{ID: x.ID, Date: x.RatedDate, Channel: string(x.Channel), Overall: int(x.Overall), Efficiency: int(x.Efficiency),
			ServiceLevel: int(x.ServiceLevel), Attitude: int(x.Attitude), Reason: x.Reason, Text: x.Text, Invalid: x.Invalid, RectID: x.RectID})
	}
	return hall, out, nil
}

func (s *Server) apiMyRatings(w http.ResponseWriter, r *http.Request) error {
	_, rs, err := s.myRatings(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, rs)
	return nil
}

type appealRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiAppeal(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in appealRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := principal(r)
	a, err := s.DB.FileAppeal(r.Context(), h.ID, id, p.StaffID, p.Username, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, 201, a)
	return nil
}

type decisionRequest struct {
	Uphold bool   `json:"uphold"`
	Reason string `json:"reason"`
}

func (s *Server) apiDecideAppeal(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in decisionRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.DB.DecideAppeal(r.Context(), h.ID, id, in.Uphold, principal(r).Username, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, 200, a)
	return nil
}

func (s *Server) apiListRects(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	xs, err := s.DB.ListRectifications(r.Context(), store.RectFilter{HallID: h.ID, Open: q.Get("open") == "1", Overdue: q.Get("overdue") == "1"})
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(xs))
	return nil
}

func (s *Server) apiGetRect(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.DB.GetRectification(r.Context(), h.ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, x)
	return nil
}

type stepRequest struct {
	Action string `json:"action"`
	Note   string `json:"note,omitempty"`
	Owner  string `json:"owner,omitempty"`
}

func (s *Server) stepRect(r *http.Request, hallID, id int64, in stepRequest) (store.Rectification, error) {
	p := principal(r)
	return s.DB.StepRectification(r.Context(), store.RectStepInput{HallID: hallID, ID: id, Action: feedback.RectAction(in.Action), Note: in.Note,
		Owner: in.Owner, By: p.Username, Manager: p.Role == auth.Admin || p.Role == auth.HallManager, Callbacker: p.Role == auth.CallbackOperator})
}

func (s *Server) apiStepRect(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in stepRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := s.stepRect(r, h.ID, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, x)
	return nil
}

func (s *Server) apiFeedbackSettings(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	if r.Method == http.MethodPut {
		var in store.FeedbackSettings
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		in.HallID = h.ID
		out, err := s.DB.SaveFeedbackSettings(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, 200, out)
		return nil
	}
	out, err := s.DB.FeedbackSettings(r.Context(), h.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiSampleSize(w http.ResponseWriter, r *http.Request) error {
	var in feedback.SampleSpec
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := feedback.Size(in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiListPads(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	ps, err := s.DB.ListPads(r.Context(), h.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(ps))
	return nil
}

type tieRequest struct {
	WindowID int64 `json:"window_id"`
}

func (s *Server) apiTiePad(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "device")
	if err != nil {
		return err
	}
	var in tieRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.DB.TieDevice(r.Context(), h.ID, id, in.WindowID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// nonNil turns a nil slice into an empty one so JSON says [] not null.
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
