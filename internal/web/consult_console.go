package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/consult"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

// The console of consultation staff: the queue with its timers, a thread
// with one-key canned replies, notes, hand-over, state changes, SMS when
// WeChat's window has passed; the FAQ editor; the daily report and its
// Excel export; the list of low ratings.

func (s *Server) pageConsultConsole(w http.ResponseWriter, r *http.Request) error {
	hallID, err := s.consultHall(r)
	if err != nil {
		return err
	}
	f := store.ConsultQueueFilter{HallID: hallID, Status: r.URL.Query().Get("status")}
	if r.URL.Query().Get("mine") == "1" {
		f.Assignee = principal(r).Username
	}
	list, err := s.DB.ConsultQueue(r.Context(), f)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "consult_console", pageData{Title: i18n.T(lang(r), "consult.console_title"), Data: map[string]any{
		"Threads": list, "Status": f.Status, "Mine": f.Assignee != "", "Statuses": consult.Statuses, "Hall": hallID,
	}})
	return nil
}

// consultThread reads the thread of the path in the caller's hall.
func (s *Server) consultThread(r *http.Request) (int64, store.ConsultThreadView, error) {
	hallID, err := s.consultHall(r)
	if err != nil {
		return 0, store.ConsultThreadView{}, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return 0, store.ConsultThreadView{}, err
	}
	v, err := s.DB.ConsultThreadFor(r.Context(), hallID, id)
	return hallID, v, err
}

func (s *Server) renderStaffThread(w http.ResponseWriter, r *http.Request, status int, hallID int64, v store.ConsultThreadView, formErr string) error {
	canned, err := s.DB.ListCanned(r.Context(), hallID)
	if err != nil {
		return err
	}
	colleagues, err := s.consultColleagues(r, hallID)
	if err != nil {
		return err
	}
	s.render(w, r, status, "consult_staff_thread", pageData{Title: i18n.T(lang(r), "consult.thread_title", v.Thread.ID), Error: formErr, Data: map[string]any{
		"View": v, "Canned": canned, "Colleagues": colleagues, "Statuses": consult.Statuses, "Key": newFormKey(),
		"CanAct": hasRole(principal(r), consultStaff), "Done": r.URL.Query().Get("done") == "1",
	}})
	return nil
}

func hasRole(p auth.Principal, rs []auth.Role) bool {
	for _, r := range rs {
		if p.Role == r {
			return true
		}
	}
	return false
}

// newFormKey is a fresh idempotency key for a form, so that a
// resubmitted reply is stored and sent once.
func newFormKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// consultColleagues are the accounts a thread may be handed over to.
func (s *Server) consultColleagues(r *http.Request, hallID int64) ([]string, error) {
	users, err := s.DB.ListUsers(r.Context())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range users {
		if !u.Disabled && u.HallID == hallID && (u.Role == auth.Consultant || u.Role == auth.HallManager) && u.Username != principal(r).Username {
			out = append(out, u.Username)
		}
	}
	return out, nil
}

func (s *Server) pageConsultStaffThread(w http.ResponseWriter, r *http.Request) error {
	hallID, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	return s.renderStaffThread(w, r, 200, hallID, v, "")
}

// consultAfter re-renders the thread with the error of a failed form, or
// goes back to it.
func (s *Server) consultAfter(w http.ResponseWriter, r *http.Request, hallID, id int64, err error) error {
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		v, rerr := s.DB.ConsultThreadFor(r.Context(), hallID, id)
		if rerr != nil {
			return rerr
		}
		return s.renderStaffThread(w, r, status, hallID, v, msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/consult/console/%d?done=1#end", id), http.StatusSeeOther)
	return nil
}

func (s *Server) formConsultReply(w http.ResponseWriter, r *http.Request) error {
	hallID, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	res, err := s.DB.ConsultReply(r.Context(), store.ConsultReplyInput{HallID: hallID, ThreadID: v.Thread.ID, By: principal(r).Username,
		Body: r.FormValue("body"), Note: r.FormValue("note") == "1", IdempotencyKey: r.FormValue("idempotency_key")})
	if err == nil && res.Send != nil {
		s.sendKF(r.Context(), hallID, *res.Send)
	}
	return s.consultAfter(w, r, hallID, v.Thread.ID, err)
}

func (s *Server) formConsultSMS(w http.ResponseWriter, r *http.Request) error {
	hallID, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	_, err = s.DB.ConsultSMS(r.Context(), store.ConsultReplyInput{HallID: hallID, ThreadID: v.Thread.ID, By: principal(r).Username,
		Body: r.FormValue("body"), IdempotencyKey: r.FormValue("idempotency_key")}, strings.TrimSpace(r.FormValue("phone")))
	return s.consultAfter(w, r, hallID, v.Thread.ID, err)
}

func (s *Server) formConsultCallback(w http.ResponseWriter, r *http.Request) error {
	hallID, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	return s.consultAfter(w, r, hallID, v.Thread.ID, s.DB.ConsultCallback(r.Context(), hallID, v.Thread.ID, principal(r).Username))
}

func (s *Server) formConsultStatus(w http.ResponseWriter, r *http.Request) error {
	hallID, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	var until time.Time
	if h := strings.TrimSpace(r.FormValue("snooze_hours")); h != "" {
		d, perr := time.ParseDuration(h + "h")
		if perr != nil || d <= 0 || d > 30*24*time.Hour {
			return s.consultAfter(w, r, hallID, v.Thread.ID, apperr.InvalidField("snooze_until", "consult.snooze_future"))
		}
		until = s.DB.Now().Add(d)
	}
	res, err := s.DB.ConsultStatus(r.Context(), hallID, v.Thread.ID, r.FormValue("status"), until, principal(r).Username)
	if err == nil && res.Send != nil {
		s.sendKF(r.Context(), hallID, *res.Send)
	}
	return s.consultAfter(w, r, hallID, v.Thread.ID, err)
}

func (s *Server) formConsultAssign(w http.ResponseWriter, r *http.Request) error {
	hallID, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	return s.consultAfter(w, r, hallID, v.Thread.ID, s.DB.ConsultAssign(r.Context(), hallID, v.Thread.ID, strings.TrimSpace(r.FormValue("assignee")), principal(r).Username))
}

func (s *Server) formConsultTags(w http.ResponseWriter, r *http.Request) error {
	hallID, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	tags := strings.FieldsFunc(r.FormValue("tags"), func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '、' })
	return s.consultAfter(w, r, hallID, v.Thread.ID, s.DB.ConsultTags(r.Context(), hallID, v.Thread.ID, tags))
}

// ---- FAQ editor ----

// faqRow is an entry on the editor page: whether its review is due, its
// keywords in the editor's format, and its edit form.
type faqRow struct {
	consult.Entry
	Due      bool
	Keywords string
	Form     faqFormData
}

// faqFormData is what the "faqform" template receives.
type faqFormData struct {
	L i18n.Lang
	V *faqRow
}

func (s *Server) pageConsultFAQEdit(w http.ResponseWriter, r *http.Request) error {
	return s.renderFAQEdit(w, r, 200, "", nil)
}

func (s *Server) renderFAQEdit(w http.ResponseWriter, r *http.Request, status int, formErr string, draft *consult.Entry) error {
	hallID, err := s.consultHall(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListFAQ(r.Context(), hallID, true)
	if err != nil {
		return err
	}
	canned, err := s.DB.ListCanned(r.Context(), hallID)
	if err != nil {
		return err
	}
	h, err := s.DB.Hall(r.Context(), hallID)
	if err != nil {
		return err
	}
	today := workday.DateOf(s.DB.Now().In(mustLoc(h.Timezone)))
	var rows []faqRow
	due := 0
	for _, e := range list {
		rw := faqRow{Entry: e, Due: e.ReviewDue(today), Keywords: consult.FormatKeywords(e.Keywords)}
		if rw.Due {
			due++
		}
		rows = append(rows, rw)
	}
	l := lang(r)
	for i := range rows {
		rows[i].Form = faqFormData{L: l, V: &rows[i]}
	}
	draftForm := faqFormData{L: l}
	if draft != nil {
		draftForm.V = &faqRow{Entry: *draft, Keywords: consult.FormatKeywords(draft.Keywords)}
	}
	hours, targets, err := s.DB.ConsultHours(r.Context(), hallID)
	if err != nil {
		return err
	}
	s.render(w, r, status, "consult_faq_edit", pageData{Title: i18n.T(lang(r), "consult.faq_edit_title"), Error: formErr, Data: map[string]any{
		"FAQ": rows, "Due": due, "Canned": canned, "DraftForm": draftForm, "Hall": hallID,
		"Hours": hours, "Targets": targets, "CanSet": hasRole(principal(r), managers),
	}})
	return nil
}

func (s *Server) formConsultFAQ(w http.ResponseWriter, r *http.Request) error {
	hallID, err := s.consultHall(r)
	if err != nil {
		return err
	}
	e, err := faqForm(r)
	if err == nil {
		_, err = s.DB.SaveFAQ(r.Context(), hallID, e)
	}
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderFAQEdit(w, r, status, msg, &e)
	}
	http.Redirect(w, r, "/consult/faq/edit#faq-"+strings.ToUpper(strings.TrimSpace(e.Code)), http.StatusSeeOther)
	return nil
}

func (s *Server) formConsultCanned(w http.ResponseWriter, r *http.Request) error {
	hallID, err := s.consultHall(r)
	if err != nil {
		return err
	}
	err = s.DB.SaveCanned(r.Context(), hallID, consult.Canned{Key: strings.TrimSpace(r.FormValue("key")), Title: strings.TrimSpace(r.FormValue("title")), Body: strings.TrimSpace(r.FormValue("body"))})
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderFAQEdit(w, r, status, msg, nil)
	}
	http.Redirect(w, r, "/consult/faq/edit#canned", http.StatusSeeOther)
	return nil
}

// formConsultSettings changes the hall's staffed hours and targets.
func (s *Server) formConsultSettings(w http.ResponseWriter, r *http.Request) error {
	hallID, err := s.consultHall(r)
	if err != nil {
		return err
	}
	first, _ := strconv.Atoi(r.FormValue("first_response"))
	res, _ := strconv.Atoi(r.FormValue("resolution"))
	if err := s.DB.SetConsultSettings(r.Context(), hallID, r.FormValue("open"), r.FormValue("close"), consult.Targets{FirstResponse: first, Resolution: res}); err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderFAQEdit(w, r, status, msg, nil)
	}
	http.Redirect(w, r, "/consult/faq/edit#settings", http.StatusSeeOther)
	return nil
}

// ---- Daily report ----

// reportDay is the ?day= of a report, today (hall time) by default.
func (s *Server) reportDay(r *http.Request, hallID int64) (string, error) {
	if v := r.URL.Query().Get("day"); v != "" {
		if _, err := workday.Parse(v); err != nil {
			return "", apperr.InvalidField("day", "consult.bad_day", v)
		}
		return v, nil
	}
	h, err := s.DB.Hall(r.Context(), hallID)
	if err != nil {
		return "", err
	}
	return workday.DateOf(s.DB.Now().In(mustLoc(h.Timezone))).String(), nil
}

func (s *Server) consultReport(r *http.Request) (store.ConsultDay, error) {
	hallID, err := s.consultHall(r)
	if err != nil {
		return store.ConsultDay{}, err
	}
	day, err := s.reportDay(r, hallID)
	if err != nil {
		return store.ConsultDay{}, err
	}
	return s.DB.ConsultReport(r.Context(), hallID, day)
}

func (s *Server) pageConsultReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.consultReport(r)
	if err != nil {
		return err
	}
	hallID, _ := s.consultHall(r)
	flags, err := s.DB.ConsultFlags(r.Context(), hallID, "")
	if err != nil {
		return err
	}
	s.render(w, r, 200, "consult_report", pageData{Title: i18n.T(lang(r), "consult.report_title"), Data: map[string]any{
		"R": rep, "Rows": reportRows(lang(r), rep), "Flags": flags,
	}})
	return nil
}

// reportRows are the report's lines (label, value), shared by the page and
// the Excel export so that both say the same.
func reportRows(l i18n.Lang, r store.ConsultDay) [][2]string {
	pct := func(met, n int) string {
		if n == 0 {
			return "—"
		}
		return fmt.Sprintf("%d / %d（%.0f%%）", met, n, 100*float64(met)/float64(n))
	}
	mins := func(m float64, n int) string {
		if n == 0 {
			return "—"
		}
		return i18n.T(l, "consult.minutes", fmt.Sprintf("%.0f", m))
	}
	rows := [][2]string{
		{i18n.T(l, "consult.rep_day"), r.Day},
		{i18n.T(l, "consult.rep_volume"), fmt.Sprint(r.Volume)},
		{i18n.T(l, "consult.rep_automatic"), fmt.Sprint(r.Automatic)},
		{i18n.T(l, "consult.rep_person"), fmt.Sprint(r.Person)},
		{i18n.T(l, "consult.channel_wechat"), fmt.Sprint(r.ByChannel[consult.WeChat])},
		{i18n.T(l, "consult.channel_web"), fmt.Sprint(r.ByChannel[consult.Web])},
		{i18n.T(l, "consult.rep_first_response"), mins(r.FirstResponseMean, r.FirstResponseN)},
		{i18n.T(l, "consult.rep_first_response_met", r.Targets.FirstResponse), pct(r.FirstResponseMet, r.FirstResponseN)},
		{i18n.T(l, "consult.rep_resolution"), mins(r.ResolutionMean, r.ResolutionN)},
		{i18n.T(l, "consult.rep_resolution_met", r.Targets.Resolution), pct(r.ResolutionMet, r.ResolutionN)},
	}
	rated := 0
	for _, lv := range consult.Levels {
		rows = append(rows, [2]string{i18n.T(l, fmt.Sprintf("consult.level_%d", lv)), fmt.Sprint(r.Ratings[lv])})
		rated += r.Ratings[lv]
	}
	mean := "—"
	if rated > 0 {
		mean = fmt.Sprintf("%.2f", r.RatingMean)
	}
	rows = append(rows, [2]string{i18n.T(l, "consult.rep_rating_mean"), mean}, [2]string{i18n.T(l, "consult.rep_flagged"), fmt.Sprint(r.Flagged)})
	return rows
}

func (s *Server) exportConsultReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.consultReport(r)
	if err != nil {
		return err
	}
	l := lang(r)
	f := excelize.NewFile()
	defer f.Close()
	sheet := i18n.T(l, "consult.report_sheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	_ = f.SetColWidth(sheet, "A", "A", 34)
	_ = f.SetColWidth(sheet, "B", "B", 24)
	for i, row := range reportRows(l, rep) {
		a, _ := excelize.CoordinatesToCellName(1, i+1)
		b, _ := excelize.CoordinatesToCellName(2, i+1)
		if err := f.SetCellStr(sheet, a, row[0]); err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, b, row[1]); err != nil {
			return err
		}
	}
	if err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
		return tx.Audit("consult.report_export", "consult_report", rep.Day)
	}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="consult-`+rep.Day+`.xlsx"`)
	return f.Write(w)
}

// ---- API ----

type consultReplyRequest struct {
	Body           string `json:"body"`
	Note           bool   `json:"note,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

func (s *Server) apiConsultThreads(w http.ResponseWriter, r *http.Request) error {
	hallID, err := s.consultHall(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ConsultQueue(r.Context(), store.ConsultQueueFilter{HallID: hallID, Status: r.URL.Query().Get("status"), Assignee: r.URL.Query().Get("assignee")})
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.ConsultThread{}
	}
	writeJSON(w, 200, list)
	return nil
}

func (s *Server) apiConsultThread(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, v)
	return nil
}

func (s *Server) apiConsultReply(w http.ResponseWriter, r *http.Request) error {
	var in consultReplyRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	hallID, v, err := s.consultThread(r)
	if err != nil {
		return err
	}
	res, err := s.DB.ConsultReply(r.Context(), store.ConsultReplyInput{HallID: hallID, ThreadID: v.Thread.ID, By: principal(r).Username, Body: in.Body, Note: in.Note, IdempotencyKey: in.IdempotencyKey})
	if err != nil {
		return err
	}
	if res.Send != nil {
		s.sendKF(r.Context(), hallID, *res.Send)
		if nv, err := s.DB.ConsultThreadFor(r.Context(), hallID, v.Thread.ID); err == nil {
			for _, m := range nv.Messages {
				if m.ID == res.Message.ID {
					res.Message = m
				}
			}
			res.Thread = nv.Thread
		}
	}
	if res.Blocked != "" {
		res.BlockedMessage = i18n.T(lang(r), res.Blocked)
	}
	writeJSON(w, 200, res)
	return nil
}

func (s *Server) apiConsultReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.consultReport(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, rep)
	return nil
}

func (s *Server) apiConsultFlags(w http.ResponseWriter, r *http.Request) error {
	hallID, err := s.consultHall(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ConsultFlags(r.Context(), hallID, r.URL.Query().Get("state"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.ConsultFlag{}
	}
	writeJSON(w, 200, list)
	return nil
}
