package web

import (
	"net/http"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/store"
)

func (s *Server) apiAppointmentSlots(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if _, err := s.publishedItem(r.Context(), q.Get("item")); err != nil {
		return apperr.InvalidField("item", "queue.unknown_item", q.Get("item"))
	}
	slots, err := s.DB.AppointmentSlots(r.Context(), h.ID, q.Get("item"), q.Get("day"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, slots)
	return nil
}

type bookRequest struct {
	Hall    int64  `json:"hall,omitempty"`
	Item    string `json:"item"`
	Day     string `json:"day"`
	Slot    string `json:"slot"`
	Phone   string `json:"phone"`
	SMSCode string `json:"sms_code"`
}

func (s *Server) apiBook(w http.ResponseWriter, r *http.Request) error {
	if !principal(r).Authenticated() {
		if err := s.limits.get("appointments", 10, 10).allow(clientIP(r)); err != nil {
			return err
		}
	}
	var in bookRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	hallID, err := s.defaultHall(r, in.Hall)
	if err != nil {
		return err
	}
	item, err := s.publishedItem(r.Context(), in.Item)
	if err != nil {
		return apperr.InvalidField("item", "queue.unknown_item", in.Item)
	}
	a, err := s.DB.BookAppointment(r.Context(), store.BookRequest{HallID: hallID, Item: item.Code, Zone: item.Zone, Day: in.Day, Slot: in.Slot,
		Phone: in.Phone, SMSCode: in.SMSCode, Bookable: item.Appointment})
	if err != nil {
		return err
	}
	writeJSON(w, 201, a)
	return nil
}

type checkInRequest struct {
	Hall int64 `json:"hall,omitempty"`
}

func (s *Server) apiCheckIn(w http.ResponseWriter, r *http.Request) error {
	if !principal(r).Authenticated() {
		if err := s.limits.get("checkin", 10, 10).allow(clientIP(r)); err != nil {
			return err
		}
	}
	var in checkInRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	hallID, err := s.defaultHall(r, in.Hall)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	itemCode, err := s.DB.AppointmentItem(r.Context(), hallID, code)
	if err != nil {
		return err
	}
	item, err := s.publishedItem(r.Context(), itemCode)
	if err != nil {
		return apperr.InvalidField("item", "queue.unknown_item", itemCode)
	}
	res, err := s.DB.CheckInAppointment(r.Context(), hallID, code, item.Zone)
	if err != nil {
		return err
	}
	eta := time.Duration(-1)
	if res.Ticket.EtaMs >= 0 {
		eta = time.Duration(res.Ticket.EtaMs) * time.Millisecond
	}
	writeJSON(w, 201, issuedJSON{ID: res.Ticket.ID, Number: res.Ticket.Number, Item: item.Code, ItemName: item.Name, Zone: item.Zone, Priority: res.Ticket.Priority,
		Position: res.Ahead, EtaMinutes: etaMinutes(eta), TrackURL: s.baseURL(r) + "/t/" + res.Ticket.TrackToken, IssuedAt: res.Ticket.IssuedAt, Wait: res.Wait})
	return nil
}
