package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/feedback"
	"mingbai/internal/hall"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// fbJSMessages are the catalogue entries the feedback scripts show.
var fbJSMessages = []string{"fb.level.5", "fb.level.4", "fb.level.3", "fb.level.2", "fb.level.1", "fb.pad_waiting", "fb.pad_ask",
	"fb.pad_thanks", "fb.pad_offline", "fb.pad_reason", "fb.pad_send", "fb.pad_no_token", "fb.dim.overall", "fb.dim.efficiency",
	"fb.dim.service_level", "fb.dim.attitude", "fb.cb_none", "fb.cb_reveal", "fb.cb_saved", "fb.cb_replacement", "fb.cb_attempts",
	"fb.reason.slow", "fb.reason.attitude", "fb.reason.unclear", "fb.reason.extra_materials", "fb.reason.repeat_trip",
	"fb.reason.improper_demand", "fb.reason.other", "fb.pad_window", "fb.satisfaction", "fb.no_ratings", "err.internal"}

func fbMessages(l i18n.Lang) map[string]string {
	m := map[string]string{}
	for _, k := range fbJSMessages {
		m[k] = i18n.T(l, k)
	}
	return m
}

// fbPageHall is the hall of a page (?hall= or the default) that the caller
// may act in.
func (s *Server) fbPageHall(r *http.Request) (hall.Hall, error) {
	return s.DB.Hall(r.Context(), hallID(r))
}

func fbFlash(r *http.Request) string {
	switch f := r.URL.Query().Get("flash"); f {
	case "saved", "rated", "appealed", "decided", "seeded", "created":
		return i18n.T(lang(r), "fb.flash."+f)
	}
	return ""
}

// pagePad is the rating pad: a 1280×800 tablet at a window. The page is a
// shell; static/feedback.js authenticates with the device token and follows
// the hall's event stream.
func (s *Server) pagePad(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, 200, "fb_pad", pageData{Title: i18n.T(lang(r), "fb.pad_title"), Data: map[string]any{
		"Msg": fbMessages(lang(r)), "Reasons": feedback.Reasons, "Levels": feedback.Levels,
		"Dims": []feedback.Dimension{feedback.Efficiency, feedback.ServiceLevel, feedback.Attitude},
	}})
	return nil
}

// rateTarget resolves the token of a public rating page.
func (s *Server) rateTarget(r *http.Request) (hallID int64, kind string, id int64, err error) {
	tok := r.PathValue("token")
	if strings.HasPrefix(r.URL.Path, "/rate/t/") {
		hallID, id, err = s.DB.TicketIDByToken(r.Context(), tok)
		return hallID, store.ServiceTicket, id, err
	}
	return s.DB.InviteService(r.Context(), tok)
}

func (s *Server) pageRate(w http.ResponseWriter, r *http.Request) error {
	hallID, kind, id, err := s.rateTarget(r)
	if err != nil {
		return err
	}
	sum, err := s.DB.ServiceSummary(r.Context(), hallID, kind, id)
	if err != nil {
		return err
	}
	item := sum.Item
	if it, err := s.DB.PublishedItem(r.Context(), sum.Item); err == nil {
		item = it.Name
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, 200, "fb_rate", pageData{Title: i18n.T(lang(r), "fb.rate_title"), Flash: fbFlash(r), Data: map[string]any{
		"Summary": sum, "Item": item, "Levels": feedback.Levels, "Reasons": feedback.Reasons, "Action": r.URL.Path,
		"Dims": []feedback.Dimension{feedback.Efficiency, feedback.ServiceLevel, feedback.Attitude},
	}})
	return nil
}

func formLevel(r *http.Request, name string) feedback.Level {
	n, _ := strconv.Atoi(r.PostFormValue(name))
	return feedback.Level(n)
}

func (s *Server) formRate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	hallID, kind, id, err := s.rateTarget(r)
	if err != nil {
		return err
	}
	ch := feedback.ChannelQR
	if kind == store.ServiceCase {
		ch = feedback.ChannelSMS
	}
	in := store.RatingInput{HallID: hallID, Kind: kind, ServiceID: id, Channel: ch, Rating: feedback.Rating{
		Overall: formLevel(r, "overall"), Efficiency: formLevel(r, "efficiency"), ServiceLevel: formLevel(r, "service_level"),
		Attitude: formLevel(r, "attitude"), Reason: r.PostFormValue("reason"), Text: r.PostFormValue("text")}}
	if _, err := s.DB.AddRating(r.Context(), in); err != nil {
		return err
	}
	http.Redirect(w, r, r.URL.Path+"?flash=rated", http.StatusSeeOther)
	return nil
}

// rateLabel names a group of a rate report for people.
func (s *Server) rateLabel(r *http.Request, by string, row store.RateRow) string {
	l := lang(r)
	switch by {
	case "hall":
		return i18n.T(l, "fb.by.hall")
	case "zone":
		return i18n.T(l, "catalog.zone."+row.Key)
	case "window":
		return i18n.T(l, "fb.window_n", row.Key)
	case "staff":
		return row.Label + " (" + row.Key + ")"
	case "item":
		if it, err := s.DB.PublishedItem(r.Context(), row.Key); err == nil {
			return it.Name
		}
	}
	return row.Key
}

type rateView struct {
	Label  string
	Row    store.RateRow
	Rate   string
	Low    string
	High   string
	Enough bool
}

func (s *Server) rateViews(r *http.Request, q store.RateQuery) ([]rateView, error) {
	rows, err := s.DB.Rates(r.Context(), q)
	if err != nil {
		return nil, err
	}
	out := make([]rateView, 0, len(rows))
	for _, x := range rows {
		out = append(out, rateView{Label: s.rateLabel(r, q.By, x), Row: x, Rate: pct(x.Rate), Low: pct(x.Low), High: pct(x.High), Enough: x.Enough})
	}
	return out, nil
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

func (s *Server) pageFeedback(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	q := s.rateQuery(r, h.ID)
	rows, err := s.rateViews(r, q)
	if err != nil {
		return err
	}
	pads, err := s.DB.ListPads(r.Context(), h.ID)
	if err != nil {
		return err
	}
	set, err := s.DB.FeedbackSettings(r.Context(), h.ID)
	if err != nil {
		return err
	}
	wins, err := s.DB.ListWindows(r.Context(), h.ID)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "fb_overview", pageData{Title: i18n.T(lang(r), "fb.title"), Flash: fbFlash(r), Data: map[string]any{
		"Hall": h, "Rows": rows, "Q": q, "Groups": []string{"hall", "zone", "window", "staff", "item"}, "Pads": pads, "Settings": set, "Windows": wins,
		"XLSX": "/feedback/rates.xlsx?" + r.URL.RawQuery,
	}})
	return nil
}

func (s *Server) exportRatesXLSX(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	l := lang(r)
	f := excelize.NewFile()
	defer f.Close()
	first := true
	for _, by := range []string{"hall", "zone", "window", "staff", "item"} {
		q := s.rateQuery(r, h.ID)
		q.By = by
		rows, err := s.rateViews(r, q)
		if err != nil {
			return err
		}
		sheet := i18n.T(l, "fb.by."+by)
		if first {
			f.SetSheetName("Sheet1", sheet)
			first = false
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		head := []any{i18n.T(l, "fb.col.group"), i18n.T(l, "fb.col.n"), i18n.T(l, "fb.col.satisfied"), i18n.T(l, "fb.col.rate"),
			i18n.T(l, "fb.col.low"), i18n.T(l, "fb.col.high")}
		for _, lv := range feedback.Levels {
			head = append(head, i18n.T(l, lv.Key()))
		}
		if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
			return err
		}
		for i, x := range rows {
			row := []any{x.Label, x.Row.N, x.Row.Satisfied}
			if x.Enough {
				row = append(row, x.Row.Rate, x.Row.Low, x.Row.High)
			} else {
				ins := i18n.T(l, "fb.insufficient")
				row = append(row, ins, ins, ins)
			}
			for _, lv := range feedback.Levels {
				row = append(row, x.Row.Levels[lv])
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return apperr.New(apperr.Internal, "err.internal")
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="satisfaction-`+h.Code+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) pageRects(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	p := principal(r)
	f := store.RectFilter{HallID: h.ID, Open: r.URL.Query().Get("all") != "1"}
	if p.Role == auth.WindowStaff {
		f.StaffID = p.StaffID
		if f.StaffID == 0 {
			return apperr.New(apperr.Forbidden, "fb.err.no_staff")
		}
	}
	xs, err := s.DB.ListRectifications(r.Context(), f)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "fb_rects", pageData{Title: i18n.T(lang(r), "fb.rects_title"), Flash: fbFlash(r), Data: map[string]any{
		"Hall": h, "Rects": xs, "Staff": p.Role == auth.WindowStaff,
	}})
	return nil
}

func (s *Server) pageRect(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbPageHall(r)
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
	p := principal(r)
	staff := p.Role == auth.WindowStaff
	if staff && x.StaffID != p.StaffID && x.Owner != p.Username {
		return errForbidden
	}
	if staff || p.Role == auth.CallbackOperator {
		// The rated staff member never sees who rated them.
		x.Rating.ServiceRef, x.Rating.ServiceID = "", 0
	}
	s.render(w, r, 200, "fb_rect", pageData{Title: i18n.T(lang(r), "fb.rect_title", x.ID), Flash: fbFlash(r), Data: map[string]any{
		"Hall": h, "X": x, "Manager": isManager(p), "Staff": staff,
		"CanStep": x.Next != "" && (isManager(p) || (feedback.Owner(x.Next) != "manager" && x.Owner == p.Username) ||
			(x.Next == feedback.ActCallback && p.Role == auth.CallbackOperator)),
	}})
	return nil
}

func (s *Server) formRectStep(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.stepRect(r, h.ID, id, stepRequest{Action: r.PostFormValue("action"), Note: r.PostFormValue("note"), Owner: r.PostFormValue("owner")}); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/rectifications/%d?hall=%d&flash=saved", id, h.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) formDecideAppeal(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rt, err := s.DB.GetRating(r.Context(), h.ID, id)
	if err != nil {
		return err
	}
	if _, err := s.DB.DecideAppeal(r.Context(), h.ID, id, r.PostFormValue("uphold") == "1", principal(r).Username, r.PostFormValue("reason")); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/rectifications/%d?hall=%d&flash=decided", rt.RectID, h.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) pageMine(w http.ResponseWriter, r *http.Request) error {
	hallID, rs, err := s.myRatings(r)
	if err != nil {
		return err
	}
	set, err := s.DB.FeedbackSettings(r.Context(), hallID)
	if err != nil {
		return err
	}
	sat := 0
	valid := 0
	for _, x := range rs {
		if !x.Invalid && x.Channel != string(feedback.ChannelCallback) {
			valid++
			if feedback.Level(x.Overall).Satisfied() {
				sat++
			}
		}
	}
	iv := feedback.Wilson(sat, valid)
	s.render(w, r, 200, "fb_mine", pageData{Title: i18n.T(lang(r), "fb.mine_title"), Flash: fbFlash(r), Data: map[string]any{
		"HallID": hallID, "Ratings": rs, "N": valid, "Enough": feedback.Enough(valid, set.MinSample), "Min": set.MinSample,
		"Rate": pct(iv.Rate), "Low": pct(iv.Low), "High": pct(iv.High),
	}})
	return nil
}

func (s *Server) formAppeal(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	p := principal(r)
	if p.StaffID == 0 {
		return apperr.New(apperr.Forbidden, "fb.err.no_staff")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.DB.FileAppeal(r.Context(), hallID(r), id, p.StaffID, p.Username, r.PostFormValue("reason")); err != nil {
		return err
	}
	http.Redirect(w, r, "/feedback/mine?flash=appealed", http.StatusSeeOther)
	return nil
}

func (s *Server) pagePublicSatisfaction(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	ps, err := s.DB.PublicSatisfaction(r.Context(), h.ID)
	if err != nil {
		return err
	}
	var zones []rateView
	for _, z := range ps.Zones {
		zones = append(zones, rateView{Label: i18n.T(lang(r), "catalog.zone."+z.Key), Row: z, Rate: pct(z.Rate), Low: pct(z.Low), High: pct(z.High)})
	}
	s.render(w, r, 200, "fb_public", pageData{Title: i18n.T(lang(r), "fb.public_title"), Data: map[string]any{
		"Hall": h, "Days": ps.Days, "All": rateView{Row: ps.Hall, Rate: pct(ps.Hall.Rate), Low: pct(ps.Hall.Low), High: pct(ps.Hall.High)}, "Zones": zones,
	}})
	return nil
}

func formInt(r *http.Request, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
	return n
}

// formFeedbackSettings saves a hall's rating and rectification rules.
func (s *Server) formFeedbackSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	in := store.FeedbackSettings{HallID: h.ID, LateDays: formInt(r, "late_days"), RectDays: formInt(r, "rect_days"), MinSample: formInt(r, "min_sample"),
		RecentDays: formInt(r, "recent_days"), InviteDays: formInt(r, "invite_days"), DivisionCode: strings.TrimSpace(r.PostFormValue("division_code")),
		Province: strings.TrimSpace(r.PostFormValue("province"))}
	if _, err := s.DB.SaveFeedbackSettings(r.Context(), in); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback?hall=%d&flash=saved", h.ID), http.StatusSeeOther)
	return nil
}

// formTiePad ties a rating pad to a window of the hall.
func (s *Server) formTiePad(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	h, err := s.fbPageHall(r)
	if err != nil {
		return err
	}
	dev, err := pathID(r, "device")
	if err != nil {
		return err
	}
	win, err := strconv.ParseInt(r.PostFormValue("window"), 10, 64)
	if err != nil || win <= 0 {
		return apperr.InvalidField("window", "err.bad_id", r.PostFormValue("window"))
	}
	if err := s.DB.TieDevice(r.Context(), h.ID, dev, win); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback?hall=%d&flash=saved", h.ID), http.StatusSeeOther)
	return nil
}
