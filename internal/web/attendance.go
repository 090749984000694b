package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

// postsPeriod reads ?from=&to= (YYYY-MM-DD, the hall's days); both default to
// today in the hall's time zone.
func (s *Server) postsPeriod(r *http.Request) (workday.Date, workday.Date, error) {
	today := workday.DateOf(s.DB.Now().In(shanghai))
	q := r.URL.Query()
	parse := func(field string) (workday.Date, error) {
		v := strings.TrimSpace(q.Get(field))
		if v == "" {
			return today, nil
		}
		d, err := workday.Parse(v)
		if err != nil {
			return d, apperr.InvalidField(field, "posts.err.day")
		}
		return d, nil
	}
	from, err := parse("from")
	if err != nil {
		return from, from, err
	}
	to, err := parse("to")
	return from, to, err
}

func (s *Server) apiPostReport(w http.ResponseWriter, r *http.Request) error {
	from, to, err := s.postsPeriod(r)
	if err != nil {
		return err
	}
	rep, err := s.DB.PostReport(r.Context(), hallID(r), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, 200, rep)
	return nil
}

func (s *Server) apiAbsences(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	if r.Method == http.MethodPost {
		var in store.AbsenceInput
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		in.HallID = h
		if in.IdemKey != "" {
			in.IdemKey = principal(r).Username + ":" + in.IdemKey
		}
		a, err := s.DB.RegisterAbsence(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, 201, a)
		return nil
	}
	from, to, err := s.postsPeriod(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListAbsences(r.Context(), h, from.Time(shanghai), to.AddDays(1).Time(shanghai))
	if err != nil {
		return err
	}
	writeJSON(w, 200, list)
	return nil
}

func (s *Server) apiBriefings(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	if r.Method == http.MethodPost {
		var in store.BriefingInput
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		in.HallID = h
		if in.IdemKey != "" {
			in.IdemKey = principal(r).Username + ":" + in.IdemKey
		}
		b, err := s.DB.AddBriefing(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, 201, b)
		return nil
	}
	from, to, err := s.postsPeriod(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListBriefings(r.Context(), h, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, 200, list)
	return nil
}

func postPct(x float64, n int) string {
	if n == 0 {
		return "—"
	}
	return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
}

// postRow is a summary row as the page shows it.
type postRow struct {
	Name                            string
	Days, Absent, Late, EarlyLeave  int
	Early10, Late10, Both10, OnPost string
}

// pledgeRow is a ten-minute pledge row as the page shows it.
type pledgeRow struct{ Name, N, Met, Rate string }

// postTables are the report's tables in the reader's language, for the
// page and the Excel export.
type postTables struct {
	From, To                  workday.Date
	Report                    store.PostReport
	Staff, Windows            []postRow
	ByWindow, ByStaff, ByItem []pledgeRow
	StaffList                 []hall.Staff
	WindowList                []hall.Window
}

// postTables computes the report of the period asked for (the last seven
// days by default).
func (s *Server) postTables(r *http.Request, h int64) (postTables, error) {
	l := lang(r)
	var pt postTables
	from, to, err := s.postsPeriod(r)
	if err != nil {
		return pt, err
	}
	if r.URL.Query().Get("from") == "" {
		from = to.AddDays(-6)
	}
	pt.From, pt.To = from, to
	rep, err := s.DB.PostReport(r.Context(), h, from, to)
	if err != nil {
		return pt, err
	}
	pt.Report = rep
	for _, x := range rep.ByStaff {
		pt.Staff = append(pt.Staff, postRow{x.Name, x.Days, x.Absent, x.Late, x.EarlyLeave,
			postPct(x.Early10.Rate, x.Early10.N), postPct(x.Late10.Rate, x.Late10.N), postPct(x.Both10.Rate, x.Both10.N), postPct(x.OnPostRate, x.Days)})
	}
	for _, x := range rep.ByWindow {
		pt.Windows = append(pt.Windows, postRow{i18n.T(l, "console.window_n", x.Number), x.Days, x.Absent, x.Late, x.EarlyLeave,
			postPct(x.Early10.Rate, x.Early10.N), postPct(x.Late10.Rate, x.Late10.N), postPct(x.Both10.Rate, x.Both10.N), postPct(x.OnPostRate, x.Days)})
	}
	if pt.StaffList, err = s.DB.ListStaff(r.Context(), h); err != nil {
		return pt, err
	}
	names := map[int64]string{}
	for _, st := range pt.StaffList {
		names[st.ID] = st.Name
	}
	if pt.WindowList, err = s.DB.ListWindows(r.Context(), h); err != nil {
		return pt, err
	}
	numbers := map[int64]string{}
	for _, w := range pt.WindowList {
		numbers[w.ID] = w.Number
	}
	add := func(dst *[]pledgeRow, name string, n, met int, rate float64) {
		*dst = append(*dst, pledgeRow{name, strconv.Itoa(n), strconv.Itoa(met), postPct(rate, n)})
	}
	for _, x := range rep.Pledge.ByWindow {
		add(&pt.ByWindow, i18n.T(l, "console.window_n", numbers[x.WindowID]), x.N, x.Met, x.Rate.Rate)
	}
	for _, x := range rep.Pledge.ByStaff {
		add(&pt.ByStaff, names[x.StaffID], x.N, x.Met, x.Rate.Rate)
	}
	for _, x := range rep.Pledge.ByItem {
		add(&pt.ByItem, s.postsItemName(r, x.Item), x.N, x.Met, x.Rate.Rate)
	}
	return pt, nil
}

// pagePosts shows staff at their posts and the ten-minute method over a
// period, the absences with their covers, and the briefings, with the
// forms to register both.
func (s *Server) pagePosts(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	l := lang(r)
	pt, err := s.postTables(r, h)
	if err != nil {
		return err
	}
	from, to := pt.From, pt.To
	absences, err := s.DB.ListAbsences(r.Context(), h, from.Time(shanghai), to.AddDays(1).Time(shanghai))
	if err != nil {
		return err
	}
	briefings, err := s.DB.ListBriefings(r.Context(), h, from, to)
	if err != nil {
		return err
	}
	settings, err := s.DB.DutySettings(r.Context(), h)
	if err != nil {
		return err
	}
	phones, err := s.DB.DutyLeaderPhones(r.Context(), h)
	if err != nil {
		return err
	}
	rep := pt.Report
	s.render(w, r, 200, "attendance", pageData{Title: i18n.T(l, "posts.title"), Data: map[string]any{
		"Hall": h, "From": from.String(), "To": to.String(), "Staff": pt.Staff, "Windows": pt.Windows,
		"PledgeTotal": postPct(rep.Pledge.Total.Rate, rep.Pledge.Total.N), "PledgeN": rep.Pledge.Total.N,
		"ByWindow": pt.ByWindow, "ByStaff": pt.ByStaff, "ByItem": pt.ByItem, "Absences": absences, "Briefings": briefings,
		"StaffList": pt.StaffList, "WindowList": pt.WindowList, "Settings": settings, "LeaderPhones": phones, "Today": workday.DateOf(s.DB.Now().In(shanghai)).String()}})
	return nil
}

// postsItemName is an item's published name ("" codes stay as they are).
func (s *Server) postsItemName(r *http.Request, code string) string {
	it, err := s.DB.PublishedItem(r.Context(), code)
	if err != nil {
		return code
	}
	return it.Name
}

func (s *Server) formAbsence(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	f := r.PostFormValue
	num := func(k string) int64 { n, _ := strconv.ParseInt(f(k), 10, 64); return n }
	mins, _ := strconv.Atoi(f("minutes"))
	h := hallID(r)
	if _, err := s.DB.RegisterAbsence(r.Context(), store.AbsenceInput{HallID: h, WindowID: num("window"), StaffID: num("staff"), CoverID: num("cover"),
		Reason: f("reason"), Minutes: mins}); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/posts#absences", h), http.StatusSeeOther)
	return nil
}

func (s *Server) formBriefing(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	var att []int64
	for _, v := range r.PostForm["attendees"] {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			att = append(att, n)
		}
	}
	mins, _ := strconv.Atoi(r.PostFormValue("minutes"))
	h := hallID(r)
	if _, err := s.DB.AddBriefing(r.Context(), store.BriefingInput{HallID: h, Day: r.PostFormValue("day"), Topic: r.PostFormValue("topic"),
		Presenter: r.PostFormValue("presenter"), Minutes: mins, Attendees: att}); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/posts#briefings", h), http.StatusSeeOther)
	return nil
}

// formDutySettings saves the hall's post and alert rules from the posts
// page (a masked SMS number keeps the stored one).
func (s *Server) formDutySettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	n := func(k string) int { v, _ := strconv.Atoi(r.PostFormValue(k)); return v }
	h := hallID(r)
	if err := s.DB.SaveDutySettings(r.Context(), h, store.DutySettings{AwayMinutes: n("away_minutes"), QueueMax: n("queue_max"), WaitMinutes: n("wait_minutes"),
		RemindDays: n("remind_days"), SMSRecipient: strings.TrimSpace(r.PostFormValue("sms_recipient")), SMSToLeader: r.PostFormValue("sms_to_leader") == "1"}); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/posts", h), http.StatusSeeOther)
	return nil
}

type leaderPhoneRequest struct {
	Phone string `json:"phone"`
}

func (s *Server) apiLeaderPhones(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.DutyLeaderPhones(r.Context(), hallID(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, list)
	return nil
}

func (s *Server) apiLeaderPhone(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	var in leaderPhoneRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.DB.SetDutyLeaderPhone(r.Context(), hallID(r), id, in.Phone)
	if err != nil {
		return err
	}
	writeJSON(w, 200, p)
	return nil
}

// formLeaderPhone sets a duty leader's number from the posts page.
func (s *Server) formLeaderPhone(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	h := hallID(r)
	id, _ := strconv.ParseInt(r.PostFormValue("leader"), 10, 64)
	if id == 0 {
		return apperr.InvalidField("leader", "err.required", "leader")
	}
	if _, err := s.DB.SetDutyLeaderPhone(r.Context(), h, id, r.PostFormValue("phone")); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/halls/%d/posts", h), http.StatusSeeOther)
	return nil
}
