package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/i18n"
	"mingbai/internal/pii"
	"mingbai/internal/queue"
	"mingbai/internal/store"
)

// Citizen pages of the queue: a remote ticket taken on the phone (phone
// confirmed by an SMS code) and appointments (book a slot, check in).
// Plain server-rendered forms: they work without script.

// citizenHall is the hall named by the "hall" query or form value, else
// the default hall.
func (s *Server) citizenHall(r *http.Request) (hall.Hall, error) {
	var given int64
	if v := r.FormValue("hall"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return hall.Hall{}, apperr.NotFoundOf("hall")
		}
		given = n
	}
	id, err := s.defaultHall(r, given)
	if err != nil {
		return hall.Hall{}, err
	}
	return s.DB.Hall(r.Context(), id)
}

// remoteForm is the state of the remote-ticket page.
type remoteForm struct {
	Hall     hall.Hall
	Zones    []kioskZone
	Zone     *kioskZone
	Item     *kioskItem
	Priority string
	Phone    string
	CodeSent string // masked phone the code went to
	Error    string
	Prios    []string
}

var greenReasons = []string{string(queue.PriorityElderly), string(queue.PriorityDisabled), string(queue.PriorityPregnant), string(queue.PriorityMilitary)}

func (s *Server) remoteState(r *http.Request) (*remoteForm, error) {
	h, err := s.citizenHall(r)
	if err != nil {
		return nil, err
	}
	zones, err := s.offeredItems(r, h)
	if err != nil {
		return nil, err
	}
	f := &remoteForm{Hall: h, Zones: zones, Priority: r.FormValue("priority"), Phone: strings.TrimSpace(r.FormValue("phone")), Prios: greenReasons}
	zone, item := r.FormValue("zone"), r.FormValue("item")
	for i := range zones {
		if zones[i].Code == zone {
			f.Zone = &zones[i]
		}
		for j := range zones[i].Items {
			if zones[i].Items[j].Code == item {
				f.Zone, f.Item = &zones[i], &zones[i].Items[j]
			}
		}
	}
	if item != "" && f.Item == nil {
		f.Error = i18n.T(lang(r), "queue.item_not_offered", item)
	}
	return f, nil
}

func (s *Server) renderRemote(w http.ResponseWriter, r *http.Request, status int, f *remoteForm) {
	s.render(w, r, status, "queue_remote", pageData{Title: i18n.T(lang(r), "queue.remote_title"), Data: f})
}

func (s *Server) pageRemote(w http.ResponseWriter, r *http.Request) error {
	f, err := s.remoteState(r)
	if err != nil {
		return err
	}
	status := 200
	if f.Error != "" {
		status = 400
	}
	s.renderRemote(w, r, status, f)
	return nil
}

// codeStep sends the code for a form page: the masked phone it went to, or
// the message to show and the status to answer with.
func (s *Server) codeStep(r *http.Request, hallID int64, phone string) (sentTo, msg string, status int, err error) {
	if err := s.sendCode(r, hallID, phone, r.PostFormValue("page_token")); err != nil {
		msg, status, err = formError(r, err)
		return "", msg, status, err
	}
	return pii.MaskMobile(phone), "", http.StatusOK, nil
}

func (s *Server) formRemoteCode(w http.ResponseWriter, r *http.Request) error {
	f, err := s.remoteState(r)
	if err != nil {
		return err
	}
	if f.Item == nil {
		s.renderRemote(w, r, 400, f)
		return nil
	}
	var status int
	if f.CodeSent, f.Error, status, err = s.codeStep(r, f.Hall.ID, f.Phone); err != nil {
		return err
	}
	s.renderRemote(w, r, status, f)
	return nil
}

func (s *Server) formRemote(w http.ResponseWriter, r *http.Request) error {
	f, err := s.remoteState(r)
	if err != nil {
		return err
	}
	if f.Item == nil {
		s.renderRemote(w, r, 400, f)
		return nil
	}
	f.CodeSent = pii.MaskMobile(f.Phone)
	issue := func() (store.Issued, error) {
		if err := s.limits.get("tickets", 10, 20).allow(clientIP(r)); err != nil {
			return store.Issued{}, err
		}
		if f.Phone == "" {
			return store.Issued{}, apperr.InvalidField("phone", "queue.bad_phone")
		}
		item, err := s.publishedItem(r.Context(), f.Item.Code)
		if err != nil {
			return store.Issued{}, apperr.InvalidField("item", "queue.unknown_item", f.Item.Code)
		}
		return s.DB.IssueTicket(r.Context(), store.IssueRequest{HallID: f.Hall.ID, Item: item.Code, Zone: item.Zone,
			Priority: queue.PriorityReason(f.Priority), Channel: store.ChannelPhone, Phone: f.Phone, SMSCode: strings.TrimSpace(r.FormValue("sms_code"))})
	}
	res, err := issue()
	if err != nil {
		var status int
		if f.Error, status, err = formError(r, err); err != nil {
			return err
		}
		s.renderRemote(w, r, status, f)
		return nil
	}
	http.Redirect(w, r, "/t/"+res.Ticket.TrackToken, http.StatusSeeOther)
	return nil
}

// apptForm is the state of the appointment page.
type apptForm struct {
	Hall     hall.Hall
	Zones    []kioskZone // bookable items only
	Item     *kioskItem
	Days     []string
	Day      string
	Slots    []store.Slot
	Slot     string
	Phone    string
	CodeSent string
	Error    string
	Booked   *store.Appointment
	CheckIn  string // check-in rule of the booking
	Code     string // check-in form value
	CIError  string
}

func (s *Server) apptState(r *http.Request) (*apptForm, error) {
	h, err := s.citizenHall(r)
	if err != nil {
		return nil, err
	}
	zones, err := s.offeredItems(r, h)
	if err != nil {
		return nil, err
	}
	items, err := s.DB.ListPublishedItems(r.Context(), "")
	if err != nil {
		return nil, err
	}
	bookable := map[string]bool{}
	for _, it := range items {
		bookable[it.Code] = it.Appointment
	}
	f := &apptForm{Hall: h, Day: r.FormValue("day"), Slot: r.FormValue("slot"), Phone: strings.TrimSpace(r.FormValue("phone")), Code: strings.TrimSpace(r.FormValue("code"))}
	item := r.FormValue("item")
	for _, z := range zones {
		kz := z
		kz.Items = nil
		for _, it := range z.Items {
			if bookable[it.Code] {
				kz.Items = append(kz.Items, it)
			}
		}
		if len(kz.Items) > 0 {
			f.Zones = append(f.Zones, kz)
		}
	}
	for zi := range f.Zones {
		for ii := range f.Zones[zi].Items {
			if f.Zones[zi].Items[ii].Code == item {
				f.Item = &f.Zones[zi].Items[ii]
			}
		}
	}
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil {
		loc = time.Local
	}
	today := s.DB.Now().In(loc)
	for i := 0; i <= store.BookAhead; i++ {
		f.Days = append(f.Days, today.AddDate(0, 0, i).Format("2006-01-02"))
	}
	if f.Day == "" {
		f.Day = f.Days[0]
	}
	if item != "" && f.Item == nil {
		f.Error = i18n.T(lang(r), "queue.appt_not_bookable", item)
	}
	if f.Item != nil {
		slots, err := s.DB.AppointmentSlots(r.Context(), h.ID, f.Item.Code, f.Day)
		if err != nil {
			var st int
			if f.Error, st, err = formError(r, err); err != nil {
				return nil, err
			}
			_ = st
		}
		f.Slots = slots
	}
	return f, nil
}

func (s *Server) renderAppt(w http.ResponseWriter, r *http.Request, status int, f *apptForm) {
	s.render(w, r, status, "queue_appointments", pageData{Title: i18n.T(lang(r), "queue.appt_title"), Data: f})
}

func (s *Server) pageAppointments(w http.ResponseWriter, r *http.Request) error {
	f, err := s.apptState(r)
	if err != nil {
		return err
	}
	status := 200
	if f.Error != "" {
		status = 400
	}
	s.renderAppt(w, r, status, f)
	return nil
}

func (s *Server) formApptCode(w http.ResponseWriter, r *http.Request) error {
	f, err := s.apptState(r)
	if err != nil {
		return err
	}
	if f.Item == nil {
		s.renderAppt(w, r, 400, f)
		return nil
	}
	var status int
	if f.CodeSent, f.Error, status, err = s.codeStep(r, f.Hall.ID, f.Phone); err != nil {
		return err
	}
	s.renderAppt(w, r, status, f)
	return nil
}

func (s *Server) formBook(w http.ResponseWriter, r *http.Request) error {
	f, err := s.apptState(r)
	if err != nil {
		return err
	}
	if f.Item == nil {
		s.renderAppt(w, r, 400, f)
		return nil
	}
	f.CodeSent = pii.MaskMobile(f.Phone)
	book := func() (store.Appointment, error) {
		if err := s.limits.get("appointments", 10, 10).allow(clientIP(r)); err != nil {
			return store.Appointment{}, err
		}
		if f.Slot == "" {
			return store.Appointment{}, apperr.InvalidField("slot", "queue.appt_choose_slot")
		}
		item, err := s.publishedItem(r.Context(), f.Item.Code)
		if err != nil {
			return store.Appointment{}, apperr.InvalidField("item", "queue.unknown_item", f.Item.Code)
		}
		return s.DB.BookAppointment(r.Context(), store.BookRequest{HallID: f.Hall.ID, Item: item.Code, Zone: item.Zone, Day: f.Day, Slot: f.Slot,
			Phone: f.Phone, SMSCode: strings.TrimSpace(r.FormValue("sms_code")), Bookable: item.Appointment})
	}
	a, err := book()
	if err != nil {
		var status int
		if f.Error, status, err = formError(r, err); err != nil {
			return err
		}
		s.renderAppt(w, r, status, f)
		return nil
	}
	f.Booked, f.Code = &a, a.Code
	at := time.UnixMilli(a.SlotAt)
	if loc, err := time.LoadLocation(f.Hall.Timezone); err == nil {
		at = at.In(loc)
	}
	f.CheckIn = i18n.T(lang(r), "queue.appt_rule", a.Day, at.Add(-store.CheckInEarly).Format("15:04"), at.Add(store.CheckInLate).Format("15:04"))
	s.renderAppt(w, r, 201, f)
	return nil
}

func (s *Server) formCheckIn(w http.ResponseWriter, r *http.Request) error {
	f, err := s.apptState(r)
	if err != nil {
		return err
	}
	checkIn := func() (store.Issued, error) {
		if err := s.limits.get("checkin", 10, 10).allow(clientIP(r)); err != nil {
			return store.Issued{}, err
		}
		if f.Code == "" {
			return store.Issued{}, apperr.InvalidField("code", "err.required", i18n.T(lang(r), "queue.appt_code"))
		}
		itemCode, err := s.DB.AppointmentItem(r.Context(), f.Hall.ID, f.Code)
		if err != nil {
			return store.Issued{}, err
		}
		item, err := s.publishedItem(r.Context(), itemCode)
		if err != nil {
			return store.Issued{}, apperr.InvalidField("item", "queue.unknown_item", itemCode)
		}
		return s.DB.CheckInAppointment(r.Context(), f.Hall.ID, f.Code, item.Zone)
	}
	res, err := checkIn()
	if err != nil {
		var status int
		if f.CIError, status, err = formError(r, err); err != nil {
			return err
		}
		s.renderAppt(w, r, status, f)
		return nil
	}
	http.Redirect(w, r, "/t/"+res.Ticket.TrackToken, http.StatusSeeOther)
	return nil
}
