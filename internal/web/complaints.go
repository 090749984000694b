package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/complaints"
	"mingbai/internal/hall"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

// complaintViewer is the caller as the complaint rules see them: leaders,
// managers, auditors, callback operators and administrators read every
// complaint of the hall (but one about themselves); leaders, managers and
// administrators act on any; everyone else reads and acts on those they
// own.
func complaintViewer(r *http.Request) complaints.Viewer {
	p := principal(r)
	v := complaints.Viewer{Username: p.Username, StaffID: p.StaffID}
	switch p.Role {
	case auth.Admin, auth.HallManager, auth.DutyLeader:
		v.Oversees, v.Acts = true, true
	case auth.Auditor, auth.CallbackOperator:
		v.Oversees = true
	}
	return v
}

// complaintRequest is a complaint as staff enter it.
type complaintRequest struct {
	Channel         string `json:"channel"`
	Type            string `json:"type"`
	Summary         string `json:"summary"`
	Detail          string `json:"detail,omitempty"`
	Name            string `json:"name,omitempty"`
	Phone           string `json:"phone,omitempty"`
	HotlineOrder    string `json:"hotline_order,omitempty"`
	SubjectStaffID  int64  `json:"subject_staff_id,omitempty"`
	SubjectWindowID int64  `json:"subject_window_id,omitempty"`
	Item            string `json:"item,omitempty"`
	OnTheSpot       bool   `json:"on_the_spot,omitempty"`
	Resolution      string `json:"resolution,omitempty"`
	IdemKey         string `json:"idempotency_key,omitempty"`
}

func (q complaintRequest) input(hallID int64) store.ComplaintInput {
	return store.ComplaintInput{HallID: hallID, Intake: complaints.Intake{Channel: complaints.Channel(strings.TrimSpace(q.Channel)), Type: complaints.Type(strings.TrimSpace(q.Type)),
		Summary: q.Summary, Detail: q.Detail, Name: q.Name, Phone: q.Phone, HotlineOrder: q.HotlineOrder, OnTheSpot: q.OnTheSpot, Resolution: q.Resolution},
		SubjectStaffID: q.SubjectStaffID, SubjectWindowID: q.SubjectWindowID, Item: strings.TrimSpace(q.Item), IdemKey: q.IdemKey}
}

func (s *Server) createComplaint(r *http.Request, q complaintRequest) (store.Complaint, error) {
	in := q.input(hallID(r))
	p := principal(r)
	in.Receiver = p.Username
	if in.IdemKey != "" {
		in.IdemKey = "staff:" + p.Username + ":" + in.IdemKey
	}
	return s.DB.CreateComplaint(r.Context(), in, complaintViewer(r))
}

func (s *Server) apiCreateComplaint(w http.ResponseWriter, r *http.Request) error {
	var q complaintRequest
	if err := decodeJSON(w, r, &q); err != nil {
		return err
	}
	c, err := s.createComplaint(r, q)
	if err != nil {
		return err
	}
	writeJSON(w, 201, c)
	return nil
}

func (s *Server) apiListComplaints(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := s.DB.ListComplaints(r.Context(), hallID(r), complaintViewer(r), store.ComplaintFilter{State: q.Get("state"), Overdue: q.Get("overdue") == "1", Open: q.Get("open") == "1"})
	if err != nil {
		return err
	}
	writeJSON(w, 200, list)
	return nil
}

func (s *Server) apiGetComplaint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.DB.Complaint(r.Context(), hallID(r), id, complaintViewer(r), r.URL.Query().Get("reveal") == "1")
	if err != nil {
		return err
	}
	writeJSON(w, 200, c)
	return nil
}

// complaintStepRequest is a step on a complaint.
type complaintStepRequest struct {
	// Action: handover, accept, decline, extend, resolve, reply, callback.
	Action  string `json:"action"`
	To      string `json:"to,omitempty"`
	Days    int    `json:"days,omitempty"`
	Note    string `json:"note,omitempty"`
	Outcome string `json:"outcome,omitempty"`
}

func (q complaintStepRequest) step() complaints.Step {
	return complaints.Step{Action: complaints.Action(q.Action), To: q.To, Days: q.Days, Note: q.Note, Outcome: q.Outcome}
}

func (s *Server) apiStepComplaint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var q complaintStepRequest
	if err := decodeJSON(w, r, &q); err != nil {
		return err
	}
	c, err := s.DB.StepComplaint(r.Context(), hallID(r), id, complaintViewer(r), q.step())
	if err != nil {
		return err
	}
	writeJSON(w, 200, c)
	return nil
}

// limitJSON is one row of the deadline table.
type limitJSON struct {
	Type string `json:"type"`
	Days int    `json:"days"`
	Unit string `json:"unit"`
}

func (s *Server) apiComplaintLimits(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	if r.Method == http.MethodPut {
		var in []limitJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		m := map[complaints.Type]complaints.Limit{}
		for _, l := range in {
			m[complaints.Type(l.Type)] = complaints.Limit{Days: l.Days, Unit: workday.Unit(l.Unit)}
		}
		if err := s.DB.SaveComplaintLimits(r.Context(), h, m); err != nil {
			return err
		}
	}
	ls, err := s.DB.ComplaintLimits(r.Context(), h)
	if err != nil {
		return err
	}
	out := []limitJSON{}
	for _, t := range complaints.Types() {
		out = append(out, limitJSON{Type: string(t), Days: ls[t].Days, Unit: string(ls[t].Unit)})
	}
	writeJSON(w, 200, out)
	return nil
}

// publicComplaintRequest is the public web form or the kiosk's entry.
type publicComplaintRequest struct {
	Hall      int64  `json:"hall,omitempty"`
	Type      string `json:"type"`
	Summary   string `json:"summary"`
	Detail    string `json:"detail,omitempty"`
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Window    string `json:"window,omitempty"`
	PageToken string `json:"page_token,omitempty"`
	IdemKey   string `json:"idempotency_key,omitempty"`
}

// publicComplaintJSON is what the public learns: the number, the type and
// the deadline.
type publicComplaintJSON struct {
	Number    string `json:"number"`
	Type      string `json:"type"`
	Due       string `json:"due,omitempty"`
	AcceptDue string `json:"accept_due,omitempty"`
}

// submitPublic takes a complaint from the public: at a kiosk (device) or
// on the web (anonymous, with the page token of a recent page view). The
// duty desk owns it until a leader takes it.
func (s *Server) submitPublic(r *http.Request, q publicComplaintRequest) (store.Complaint, error) {
	h, err := s.bodyHall(r, q.Hall)
	if err != nil {
		return store.Complaint{}, err
	}
	p := principal(r)
	ch := complaints.ChannelWeb
	idem := ""
	switch {
	case p.Role == auth.Device && p.DeviceKind == hall.DeviceKiosk:
		ch = complaints.ChannelKiosk
		if q.IdemKey != "" {
			idem = "kiosk:" + strconv.FormatInt(p.DeviceID, 10) + ":" + q.IdemKey
		}
	case !p.Authenticated():
		if err := s.checkPageToken(r, q.PageToken); err != nil {
			return store.Complaint{}, err
		}
	default:
		return store.Complaint{}, apperr.New(apperr.Forbidden, "complaints.err.staff_use_console")
	}
	in := store.ComplaintInput{HallID: h, Intake: complaints.Intake{Channel: ch, Type: complaints.Type(strings.TrimSpace(q.Type)), Summary: q.Summary, Detail: q.Detail,
		Name: q.Name, Phone: q.Phone}, IdemKey: idem}
	if n := strings.TrimSpace(q.Window); n != "" {
		ws, err := s.DB.ListWindows(r.Context(), h)
		if err != nil {
			return store.Complaint{}, err
		}
		for _, w := range ws {
			if w.Number == n {
				in.SubjectWindowID, in.SubjectStaffID = w.ID, w.StaffID
			}
		}
		if in.SubjectWindowID == 0 {
			return store.Complaint{}, apperr.InvalidField("window", "complaints.err.no_window", n)
		}
	}
	return s.DB.CreateComplaint(r.Context(), in, complaints.Viewer{})
}

func (s *Server) apiPublicComplaint(w http.ResponseWriter, r *http.Request) error {
	var q publicComplaintRequest
	if err := decodeJSON(w, r, &q); err != nil {
		return err
	}
	c, err := s.submitPublic(r, q)
	if err != nil {
		return err
	}
	writeJSON(w, 201, publicComplaintJSON{Number: c.Number, Type: string(c.Type), Due: c.Due, AcceptDue: c.AcceptDue})
	return nil
}

// ---- pages ----

// complaintRow is a complaint as a page lists it, every code through the
// catalogue.
type complaintRow struct {
	store.Complaint
	ChannelName, TypeName, StateName, OwnerName string
}

func complaintRowOf(l i18n.Lang, c store.Complaint) complaintRow {
	owner := c.Owner
	if owner == "" {
		owner = i18n.T(l, "complaints.duty_desk")
	}
	return complaintRow{Complaint: c, ChannelName: i18n.T(l, "complaints.channel."+string(c.Channel)), TypeName: i18n.T(l, "complaints.type."+string(c.Type)),
		StateName: i18n.T(l, "complaints.state."+string(c.State)), OwnerName: owner}
}

type complaintOption struct{ Value, Label string }

func complaintOptions(l i18n.Lang) map[string][]complaintOption {
	var chs, ts, acts, outs []complaintOption
	for _, c := range complaints.Channels() {
		chs = append(chs, complaintOption{string(c), i18n.T(l, "complaints.channel."+string(c))})
	}
	for _, t := range complaints.Types() {
		ts = append(ts, complaintOption{string(t), i18n.T(l, "complaints.type."+string(t))})
	}
	for _, a := range complaints.Actions() {
		acts = append(acts, complaintOption{string(a), i18n.T(l, "complaints.action."+string(a))})
	}
	for _, o := range complaints.Outcomes() {
		outs = append(outs, complaintOption{o, i18n.T(l, "complaints.outcome."+o)})
	}
	return map[string][]complaintOption{"Channels": chs, "Types": ts, "Actions": acts, "Outcomes": outs}
}

func (s *Server) pageComplaints(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	l := lang(r)
	q := r.URL.Query()
	list, err := s.DB.ListComplaints(r.Context(), h, complaintViewer(r), store.ComplaintFilter{Overdue: q.Get("overdue") == "1", Open: q.Get("open") == "1"})
	if err != nil {
		return err
	}
	rows := make([]complaintRow, 0, len(list))
	for _, c := range list {
		rows = append(rows, complaintRowOf(l, c))
	}
	staff, err := s.DB.ListStaff(r.Context(), h)
	if err != nil {
		return err
	}
	windows, err := s.DB.ListWindows(r.Context(), h)
	if err != nil {
		return err
	}
	limits, err := s.DB.ComplaintLimits(r.Context(), h)
	if err != nil {
		return err
	}
	var lrows []complaintOption
	var lform []limitRow
	for _, t := range complaints.Types() {
		lim := limits[t]
		name := i18n.T(l, "complaints.type."+string(t))
		lrows = append(lrows, complaintOption{name, i18n.T(l, "complaints.limit_"+string(lim.Unit), lim.Days)})
		lform = append(lform, limitRow{Type: string(t), Name: name, Days: lim.Days, Unit: string(lim.Unit)})
	}
	s.render(w, r, 200, "complaints_list", pageData{Title: i18n.T(l, "complaints.title"), Data: map[string]any{
		"Hall": h, "Rows": rows, "Staff": staff, "Windows": windows, "Opt": complaintOptions(l), "Limits": lrows, "LimitForm": lform,
		"Created": q.Get("created"), "Q": q}})
	return nil
}

// limitRow is one type's deadline in the manager's form.
type limitRow struct {
	Type, Name string
	Days       int
	Unit       string
}

// formComplaintLimits saves the deadline table from the complaints page:
// every type's days and unit; one bad value refuses the whole form and
// changes nothing (SaveComplaintLimits checks all before writing).
func (s *Server) formComplaintLimits(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	h := hallID(r)
	m := map[complaints.Type]complaints.Limit{}
	for _, t := range complaints.Types() {
		v := strings.TrimSpace(r.PostFormValue("days_" + string(t)))
		if v == "" {
			continue
		}
		d, err := strconv.Atoi(v)
		if err != nil {
			return apperr.InvalidField("days_"+string(t), "complaints.err.days", 1, 365)
		}
		m[t] = complaints.Limit{Days: d, Unit: workday.Unit(r.PostFormValue("unit_" + string(t)))}
	}
	if err := s.DB.SaveComplaintLimits(r.Context(), h, m); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/complaints#complaint-limits", h), http.StatusSeeOther)
	return nil
}

func (s *Server) formCreateComplaint(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	f := r.PostFormValue
	num := func(k string) int64 { n, _ := strconv.ParseInt(f(k), 10, 64); return n }
	c, err := s.createComplaint(r, complaintRequest{Channel: f("channel"), Type: f("type"), Summary: f("summary"), Detail: f("detail"), Name: f("name"), Phone: f("phone"),
		HotlineOrder: f("hotline_order"), SubjectStaffID: num("subject_staff_id"), SubjectWindowID: num("subject_window_id"), Item: f("item"),
		OnTheSpot: f("on_the_spot") == "1", Resolution: f("resolution"), IdemKey: f("idempotency_key")})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/complaints/%d", hallID(r), c.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) pageComplaint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l := lang(r)
	c, err := s.DB.Complaint(r.Context(), hallID(r), id, complaintViewer(r), r.URL.Query().Get("reveal") == "1")
	if err != nil {
		return err
	}
	type stepRow struct {
		store.ComplaintStep
		ActionName string
	}
	var steps []stepRow
	for _, st := range c.Steps {
		steps = append(steps, stepRow{st, i18n.T(l, "complaints.action."+st.Action)})
	}
	s.render(w, r, 200, "complaints_detail", pageData{Title: i18n.T(l, "complaints.detail_title", c.Number), Data: map[string]any{
		"Hall": hallID(r), "C": complaintRowOf(l, c), "Steps": steps, "Opt": complaintOptions(l),
		"Outcome": func() string {
			if c.CallbackOutcome == "" {
				return ""
			}
			return i18n.T(l, "complaints.outcome."+c.CallbackOutcome)
		}()}})
	return nil
}

func (s *Server) formStepComplaint(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	days, _ := strconv.Atoi(r.PostFormValue("days"))
	q := complaintStepRequest{Action: r.PostFormValue("action"), To: r.PostFormValue("to"), Days: days, Note: r.PostFormValue("note"), Outcome: r.PostFormValue("outcome")}
	c, err := s.DB.StepComplaint(r.Context(), hallID(r), id, complaintViewer(r), q.step())
	if err != nil {
		return err
	}
	if c.Number == "" { // handed over: no longer readable by the former owner
		http.Redirect(w, r, fmt.Sprintf("/halls/%d/complaints", hallID(r)), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/complaints/%d", hallID(r), id), http.StatusSeeOther)
	return nil
}

// pageComplain is the public form (web, or a kiosk's browser).
func (s *Server) pageComplain(w http.ResponseWriter, r *http.Request) error {
	h, err := s.bodyHall(r, 0)
	if v := r.URL.Query().Get("hall"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		h, err = s.bodyHall(r, id)
	}
	if err != nil {
		return err
	}
	l := lang(r)
	var ts []complaintOption
	for _, t := range complaints.Types() {
		if t != complaints.TypePetition {
			ts = append(ts, complaintOption{string(t), i18n.T(l, "complaints.type."+string(t))})
		}
	}
	s.render(w, r, 200, "complaints_public", pageData{Title: i18n.T(l, "complaints.public_title"), Data: map[string]any{"Hall": h, "Types": ts}})
	return nil
}

func (s *Server) formComplain(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	f := r.PostFormValue
	hid, _ := strconv.ParseInt(r.FormValue("hall"), 10, 64)
	hid, err := s.bodyHall(r, hid)
	if err != nil {
		return err // a hall the caller may not act in is not a form error
	}
	l := lang(r)
	c, err := s.submitPublic(r, publicComplaintRequest{Hall: hid, Type: f("type"), Summary: f("summary"), Detail: f("detail"), Name: f("name"), Phone: f("phone"),
		Window: f("window"), PageToken: f("page_token"), IdemKey: f("idempotency_key")})
	data := map[string]any{"Hall": hid}
	var ts []complaintOption
	for _, t := range complaints.Types() {
		if t != complaints.TypePetition {
			ts = append(ts, complaintOption{string(t), i18n.T(l, "complaints.type."+string(t))})
		}
	}
	data["Types"] = ts
	status := 200
	if err != nil {
		msg, st, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		data["Error"], status = msg, st
		data["Form"] = r.PostForm
	} else {
		due := c.Due
		if due == "" {
			due = c.AcceptDue
		}
		data["Done"] = i18n.T(l, "complaints.public_done", c.Number, due)
	}
	s.render(w, r, status, "complaints_public", pageData{Title: i18n.T(l, "complaints.public_title"), Data: data})
	return nil
}
