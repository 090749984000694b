package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/cases"
	"mingbai/internal/catalog"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

// Role sets of the case ledger.
var (
	// caseWorkers accept and move cases: window staff, and managers who
	// step in for them.
	caseWorkers = roles(auth.Admin, auth.HallManager, auth.WindowStaff)
	// caseReaders read cases and the ledger; auditors read, never write.
	caseReaders = roles(auth.Admin, auth.HallManager, auth.WindowStaff, auth.Auditor)
	// calendarEditors maintain the working-day calendar.
	calendarEditors = managers
)

// caseHall returns the hall of a HallQuery or HallOwn case route, resolved
// and checked by the route wrapper: a staff member's own hall, for callers
// who span halls the ?hall= parameter or the first hall.
func (s *Server) caseHall(r *http.Request) (int64, error) {
	return hallID(r), nil
}

// isManager reports whether the caller manages cases of any staff.
func isManager(p auth.Principal) bool { return p.Role == auth.Admin || p.Role == auth.HallManager }

// loadCaseFor reads a case and checks that the caller may see it (same
// hall); write says the caller wants to change it: only its responsible
// staff member or a manager may.
func (s *Server) loadCaseFor(r *http.Request, write bool) (store.CaseView, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.CaseView{}, err
	}
	v, err := s.DB.Case(r.Context(), hallID(r), id)
	if err != nil {
		return v, err
	}
	p := principal(r)
	if v.HallID != hallID(r) {
		return store.CaseView{}, apperr.NotFoundOf("case")
	}
	if write && !isManager(p) && (p.Role != auth.WindowStaff || p.StaffID != v.StaffID) {
		return store.CaseView{}, apperr.New(apperr.Forbidden, "cases.not_yours")
	}
	return v, nil
}

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request) error {
	var in store.CaseInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := principal(r)
	if p.StaffID == 0 || p.HallID == 0 {
		return apperr.New(apperr.Forbidden, "cases.not_staff")
	}
	in.HallID, in.StaffID = p.HallID, p.StaffID
	v, err := s.DB.CreateCase(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if v.Replayed {
		status = http.StatusOK // a retry: the case accepted the first time
	}
	writeJSON(w, status, v)
	return nil
}

// ledgerFilter reads the ledger filters from the query. Window staff see
// their own cases only.
func (s *Server) ledgerFilter(r *http.Request) (store.CaseFilter, error) {
	hallID, err := s.caseHall(r)
	if err != nil {
		return store.CaseFilter{}, err
	}
	q := r.URL.Query()
	f := store.CaseFilter{HallID: hallID, Zone: q.Get("zone"), From: q.Get("from"), To: q.Get("to"), ItemCode: strings.TrimSpace(q.Get("item")),
		State: cases.State(q.Get("state")), Overdue: q.Get("overdue") == "1", Open: q.Get("open") == "1"}
	if v := q.Get("staff"); v != "" {
		if f.StaffID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return f, apperr.InvalidField("staff", "err.bad_id", v)
		}
	}
	if p := principal(r); p.Role == auth.WindowStaff {
		f.StaffID = p.StaffID
		if f.StaffID == 0 {
			f.StaffID = -1
		}
	}
	return f, nil
}

func (s *Server) apiListCases(w http.ResponseWriter, r *http.Request) error {
	f, err := s.ledgerFilter(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListCases(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.CaseView{}
	}
	writeJSON(w, 200, list)
	return nil
}

type searchRequest struct {
	IDNumber string `json:"id_number"`
}

func (s *Server) apiSearchCases(w http.ResponseWriter, r *http.Request) error {
	var req searchRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	hallID, err := s.caseHall(r)
	if err != nil {
		return err
	}
	list, err := s.DB.FindCasesByIDNumber(r.Context(), hallID, req.IDNumber)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.CaseView{}
	}
	writeJSON(w, 200, list)
	return nil
}

// caseResponse is a case, with the full personal data when revealed.
type caseResponse struct {
	store.CaseView
	Personal *store.PersonalData `json:"personal,omitempty"`
}

// reveal returns the applicant's full data for the responsible staff
// member or a manager; the store audits the access.
func (s *Server) reveal(r *http.Request, v store.CaseView) (*store.PersonalData, error) {
	p := principal(r)
	if !isManager(p) && (p.Role != auth.WindowStaff || p.StaffID != v.StaffID) {
		_ = s.DB.AuditDenied(r.Context(), "case.view_pii", "case:"+strconv.FormatInt(v.ID, 10), "not responsible")
		return nil, apperr.New(apperr.Forbidden, "cases.reveal_forbidden")
	}
	pd, err := s.DB.RevealCase(r.Context(), hallID(r), v.ID)
	if err != nil {
		return nil, err
	}
	return &pd, nil
}

func (s *Server) apiGetCase(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadCaseFor(r, false)
	if err != nil {
		return err
	}
	resp := caseResponse{CaseView: v}
	if r.URL.Query().Get("reveal") == "1" {
		if resp.Personal, err = s.reveal(r, v); err != nil {
			return err
		}
	}
	writeJSON(w, 200, resp)
	return nil
}

func (s *Server) apiChangeCase(w http.ResponseWriter, r *http.Request) error {
	var ch store.CaseChange
	if err := decodeJSON(w, r, &ch); err != nil {
		return err
	}
	v, err := s.loadCaseFor(r, true)
	if err != nil {
		return err
	}
	out, err := s.DB.ChangeCaseState(r.Context(), hallID(r), v.ID, ch)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiCaseMaterials(w http.ResponseWriter, r *http.Request) error {
	var u store.MaterialsUpdate
	if err := decodeJSON(w, r, &u); err != nil {
		return err
	}
	v, err := s.loadCaseFor(r, true)
	if err != nil {
		return err
	}
	out, err := s.DB.UpdateCaseMaterials(r.Context(), hallID(r), v.ID, u)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

type progressRequest struct {
	Number string `json:"number"`
	// Check is the last four digits of the phone or ID number.
	Check string `json:"check"`
}

// lookupProgress applies the per-address limit, then the store's per-case
// lock-out.
func (s *Server) lookupProgress(r *http.Request, req progressRequest) (store.Progress, error) {
	if err := s.limits.get("progress", 20, 20).allow(clientIP(r)); err != nil {
		return store.Progress{}, err
	}
	if err := limitText("number", req.Number, 40); err != nil {
		return store.Progress{}, err
	}
	return s.DB.LookupProgress(r.Context(), req.Number, req.Check, clientIP(r))
}

func (s *Server) apiProgress(w http.ResponseWriter, r *http.Request) error {
	var req progressRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	p, err := s.lookupProgress(r, req)
	if err != nil {
		return err
	}
	writeJSON(w, 200, p)
	return nil
}

func (s *Server) apiListAlerts(w http.ResponseWriter, r *http.Request) error {
	hallID, err := s.caseHall(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListIntegrityAlerts(r.Context(), hallID, r.URL.Query().Get("all") == "1")
	if err != nil {
		return err
	}
	writeJSON(w, 200, localiseAlerts(lang(r), list))
	return nil
}

type resolveRequest struct {
	Note string `json:"note"`
}

func (s *Server) apiResolveAlert(w http.ResponseWriter, r *http.Request) error {
	var req resolveRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hallID, err := s.caseHall(r)
	if err != nil {
		return err
	}
	if err := s.DB.ResolveIntegrityAlert(r.Context(), hallID, id, req.Note); err != nil {
		return err
	}
	writeJSON(w, 200, okJSON{OK: true})
	return nil
}

type calendarJSON struct {
	Overrides  []store.CalendarOverride `json:"overrides"`
	KnownYears []int                    `json:"known_years"`
	Official   [2]int                   `json:"official_years"`
}

func (s *Server) apiCalendar(w http.ResponseWriter, r *http.Request) error {
	ovs, years, err := s.DB.ListCalendarOverrides(r.Context())
	if err != nil {
		return err
	}
	if ovs == nil {
		ovs = []store.CalendarOverride{}
	}
	writeJSON(w, 200, calendarJSON{Overrides: ovs, KnownYears: years, Official: [2]int{workday.FirstOfficialYear, workday.LastOfficialYear()}})
	return nil
}

type overrideRequest struct {
	Date string `json:"date"`
	Work bool   `json:"work"`
	Note string `json:"note"`
}

func (s *Server) apiSetOverride(w http.ResponseWriter, r *http.Request) error {
	var req overrideRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := limitText("note", req.Note, 100); err != nil {
		return err
	}
	if err := s.DB.SetCalendarOverride(r.Context(), workday.Override{Date: req.Date, Work: req.Work, Note: req.Note}); err != nil {
		return err
	}
	writeJSON(w, 200, okJSON{OK: true})
	return nil
}

type knownYearRequest struct {
	Year int    `json:"year"`
	Note string `json:"note"`
}

func (s *Server) apiKnownYear(w http.ResponseWriter, r *http.Request) error {
	var req knownYearRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.DB.AddKnownYear(r.Context(), req.Year, req.Note); err != nil {
		return err
	}
	writeJSON(w, 200, okJSON{OK: true})
	return nil
}

// ---- pages ----

func (s *Server) pageCases(w http.ResponseWriter, r *http.Request) error {
	f, err := s.ledgerFilter(r)
	if err != nil {
		return err
	}
	f.Open = true
	list, err := s.DB.ListCases(r.Context(), f)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "cases_list", pageData{Title: i18n.T(lang(r), "cases.list_title"), Flash: caseFlash(r), Data: map[string]any{"Cases": list}})
	return nil
}

func (s *Server) pageNewCase(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	data, err := s.newCaseData(r, strings.TrimSpace(q.Get("item")), q.Get("ticket"), url.Values{})
	if err != nil {
		return err
	}
	s.render(w, r, 200, "cases_new", pageData{Title: i18n.T(lang(r), "cases.new_title"), Data: data})
	return nil
}

// newCaseData prepares the case form: the window's items, the guide of
// the chosen item (the console passes item and ticket), and the values
// entered so far (form) when it comes back with a problem.
func (s *Server) newCaseData(r *http.Request, code, ticket string, form url.Values) (map[string]any, error) {
	p := principal(r)
	items, err := s.windowItems(r.Context(), p)
	if err != nil {
		return nil, err
	}
	if ticket == "0" {
		ticket = ""
	}
	data := map[string]any{"Items": items, "TicketID": ticket, "Form": form, "Today": workday.DateOf(s.DB.Now().In(shanghai)).String()}
	if code != "" {
		g, err := s.DB.GuideAt(r.Context(), code, s.DB.Now())
		if err != nil {
			return nil, err
		}
		data["Guide"] = g
	}
	return data, nil
}

// windowItems returns the published items the staff member's window
// serves (all published items when the window is unknown).
func (s *Server) windowItems(ctx context.Context, p auth.Principal) ([]catalog.Item, error) {
	all, err := s.DB.ListPublishedItems(ctx, "")
	if err != nil || p.HallID == 0 {
		return all, err
	}
	ws, err := s.DB.ListWindows(ctx, p.HallID)
	if err != nil {
		return nil, err
	}
	serve := map[string]bool{}
	for _, win := range ws {
		if win.StaffID == p.StaffID {
			for _, c := range win.Items {
				serve[c] = true
			}
		}
	}
	if len(serve) == 0 {
		return all, nil
	}
	var out []catalog.Item
	for _, it := range all {
		if serve[it.Code] {
			out = append(out, it)
		}
	}
	return out, nil
}

func (s *Server) formNewCase(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	p := principal(r)
	if p.StaffID == 0 || p.HallID == 0 {
		return apperr.New(apperr.Forbidden, "cases.not_staff")
	}
	f := r.PostForm
	in := store.CaseInput{HallID: p.HallID, StaffID: p.StaffID, ItemCode: f.Get("item_code"), ApplicantKind: f.Get("applicant_kind"),
		Name: f.Get("name"), IDNumber: f.Get("id_number"), Phone: f.Get("phone"), EmployerName: f.Get("employer_name"),
		CreditCode: f.Get("credit_code"), Delivery: f.Get("delivery"), Notes: f.Get("notes")}
	if t := f.Get("ticket_id"); t != "" {
		in.TicketID, _ = strconv.ParseInt(t, 10, 64)
	}
	in.Materials = materialsFromForm(f)
	for i := range 3 {
		name := strings.TrimSpace(f.Get("extra_name_" + strconv.Itoa(i)))
		if name == "" {
			continue
		}
		in.Extras = append(in.Extras, store.ExtraMaterialInput{Name: name, Reason: f.Get("extra_reason_" + strconv.Itoa(i)), Status: cases.MaterialStatus(f.Get("extra_status_" + strconv.Itoa(i)))})
	}
	in.Decision, in.SupplyBy = cases.Decision(f.Get("decision")), f.Get("supply_by")
	v, err := s.DB.CreateCase(r.Context(), in)
	if err != nil {
		// The form comes back with what was entered and the message.
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		data, derr := s.newCaseData(r, in.ItemCode, strconv.FormatInt(in.TicketID, 10), f)
		if derr != nil {
			return err
		}
		s.render(w, r, status, "cases_new", pageData{Title: i18n.T(lang(r), "cases.new_title"), Error: msg, Data: data})
		return nil
	}
	flash := "accepted"
	if v.State == cases.Correction {
		flash = "notice"
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(v.ID, 10)+"?flash="+flash, http.StatusSeeOther)
	return nil
}

// materialsFromForm reads fields "m.<name>" = received|missing|deferred.
func materialsFromForm(f url.Values) []store.MaterialStatusInput {
	var out []store.MaterialStatusInput
	for k, vs := range f {
		if name, ok := strings.CutPrefix(k, "m."); ok && len(vs) > 0 && vs[0] != "" {
			out = append(out, store.MaterialStatusInput{Name: name, Status: cases.MaterialStatus(vs[0])})
		}
	}
	return out
}

func (s *Server) pageCase(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadCaseFor(r, false)
	if err != nil {
		return err
	}
	p := principal(r)
	data := map[string]any{"Case": v, "CanAct": isManager(p) || p.Role == auth.WindowStaff && p.StaffID == v.StaffID, "Missing": v.Missing(), "Receipt": wasAccepted(v)}
	if r.URL.Query().Get("reveal") == "1" {
		pd, err := s.reveal(r, v)
		if err != nil {
			return err
		}
		data["Personal"] = pd
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, 200, "cases_detail", pageData{Title: v.Number, Flash: caseFlash(r), Data: data})
	return nil
}

func (s *Server) formCaseState(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	v, err := s.loadCaseFor(r, true)
	if err != nil {
		return err
	}
	ch := store.CaseChange{To: cases.State(r.PostFormValue("to")), Reason: r.PostFormValue("reason"), LegalBasis: r.PostFormValue("legal_basis"), Note: r.PostFormValue("note"), Received: r.PostForm["received"]}
	if _, err := s.DB.ChangeCaseState(r.Context(), hallID(r), v.ID, ch); err != nil {
		return err
	}
	target := "/cases/" + strconv.FormatInt(v.ID, 10) + "?flash=changed"
	if ch.To == cases.Correction {
		target = "/cases/" + strconv.FormatInt(v.ID, 10) + "/notice"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Server) formCaseMaterials(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	v, err := s.loadCaseFor(r, true)
	if err != nil {
		return err
	}
	u := store.MaterialsUpdate{Materials: materialsFromForm(r.PostForm)}
	if name := strings.TrimSpace(r.PostFormValue("extra_name")); name != "" {
		u.Extras = append(u.Extras, store.ExtraMaterialInput{Name: name, Reason: r.PostFormValue("extra_reason")})
	}
	if _, err := s.DB.UpdateCaseMaterials(r.Context(), hallID(r), v.ID, u); err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(v.ID, 10)+"?flash=saved", http.StatusSeeOther)
	return nil
}

func (s *Server) pageNotice(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadCaseFor(r, false)
	if err != nil {
		return err
	}
	h, err := s.DB.Hall(r.Context(), v.HallID)
	if err != nil {
		return err
	}
	today := workday.DateOf(s.DB.Now().In(shanghai)).String()
	s.render(w, r, 200, "cases_notice", pageData{Title: i18n.T(lang(r), "cases.notice_title"), Data: map[string]any{"Case": v, "Hall": h, "Missing": v.Missing(), "Today": today, "Name": s.paperName(r, v)}})
	return nil
}

func (s *Server) pageLedger(w http.ResponseWriter, r *http.Request) error {
	f, err := s.ledgerFilter(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListCases(r.Context(), f)
	if err != nil {
		return err
	}
	zones, _ := s.DB.ListZones(r.Context(), f.HallID)
	staff, _ := s.DB.ListStaff(r.Context(), f.HallID)
	q := r.URL.Query()
	s.render(w, r, 200, "cases_ledger", pageData{Title: i18n.T(lang(r), "cases.ledger_title"), Data: map[string]any{
		"Cases": list, "Zones": zones, "Staff": staff, "States": cases.States(), "Q": q, "Export": q.Encode()}})
	return nil
}

func (s *Server) pageAlerts(w http.ResponseWriter, r *http.Request) error {
	hallID, err := s.caseHall(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListIntegrityAlerts(r.Context(), hallID, true)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "cases_alerts", pageData{Title: i18n.T(lang(r), "cases.alerts_title"), Data: map[string]any{"Alerts": localiseAlerts(lang(r), list)}})
	return nil
}

func (s *Server) pageProgress(w http.ResponseWriter, r *http.Request) error {
	// The receipt's QR code opens this page with the case number filled in.
	var data any
	if n := strings.TrimSpace(r.URL.Query().Get("number")); n != "" && len(n) <= 40 {
		data = map[string]any{"Number": n}
	}
	s.render(w, r, 200, "cases_progress", pageData{Title: i18n.T(lang(r), "cases.progress_title"), Data: data})
	return nil
}

func (s *Server) formProgress(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	req := progressRequest{Number: r.PostFormValue("number"), Check: r.PostFormValue("check")}
	p, err := s.lookupProgress(r, req)
	data := map[string]any{"Number": req.Number}
	status := 200
	if err != nil {
		msg, st, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		status = st
		data["Error"] = msg
	} else {
		data["Progress"] = p
	}
	s.render(w, r, status, "cases_progress", pageData{Title: i18n.T(lang(r), "cases.progress_title"), Data: data})
	return nil
}

func (s *Server) pageCalendar(w http.ResponseWriter, r *http.Request) error {
	ovs, years, err := s.DB.ListCalendarOverrides(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, 200, "cases_calendar", pageData{Title: i18n.T(lang(r), "cases.calendar_title"), Flash: caseFlash(r), Data: map[string]any{
		"Overrides": ovs, "KnownYears": years, "First": workday.FirstOfficialYear, "Last": workday.LastOfficialYear()}})
	return nil
}

func (s *Server) formCalendar(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	if y := r.PostFormValue("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return apperr.InvalidField("year", "err.bad_value", "year", y)
		}
		if err := s.DB.AddKnownYear(r.Context(), n, r.PostFormValue("note")); err != nil {
			return err
		}
	} else {
		if err := limitText("note", r.PostFormValue("note"), 100); err != nil {
			return err
		}
		if err := s.DB.SetCalendarOverride(r.Context(), workday.Override{Date: r.PostFormValue("date"), Work: r.PostFormValue("work") == "1", Note: r.PostFormValue("note")}); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/admin/calendar?flash=saved", http.StatusSeeOther)
	return nil
}

// caseFlash translates the ?flash= code of a redirect after a form.
func caseFlash(r *http.Request) string {
	switch f := r.URL.Query().Get("flash"); f {
	case "created", "changed", "saved":
		return i18n.T(lang(r), "cases.flash_"+f)
	case "accepted":
		return i18n.T(lang(r), "cases.accepted_flash")
	case "notice":
		return i18n.T(lang(r), "cases.notice_issued")
	}
	return ""
}
