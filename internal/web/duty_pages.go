package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/duty"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

// dutyJSMessages are the catalogue entries the duty scripts show.
var dutyJSMessages = []string{"duty.post.guide", "duty.post.consultant", "duty.post.supervisor", "duty.deputy", "duty.now",
	"duty.saved", "duty.counted", "duty.none_today", "duty.minutes", "duty.kind.guide", "duty.kind.consult", "duty.kind.check",
	"duty.outcome.on_spot", "duty.outcome.referred", "duty.check_ok", "duty.check_failed", "duty.handover_from",
	"duty.checked_in_at", "duty.not_checked_in", "err.internal"}

func dutyMessages(l i18n.Lang) map[string]string {
	m := map[string]string{}
	for _, k := range dutyJSMessages {
		m[k] = i18n.T(l, k)
	}
	return m
}

// rosterDay is one row of the month grid.
type rosterDay struct {
	Day     string
	Weekday string
	Open    bool
	Today   bool
	// Cells holds the shifts of each post, in duty.Posts order.
	Cells [][]store.Shift
}

func (s *Server) pageDutyRoster(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	h, err := s.DB.Hall(ctx, hallID(r))
	if err != nil {
		return err
	}
	month, err := s.dutyMonth(r)
	if err != nil {
		return err
	}
	shifts, err := s.DB.ListRoster(ctx, h.ID, month, true)
	if err != nil {
		return err
	}
	leaders, err := s.DB.ListDutyLeaders(ctx, h.ID)
	if err != nil {
		return err
	}
	swaps, err := s.DB.ListSwaps(ctx, h.ID, leaderFilter(r))
	if err != nil {
		return err
	}
	cal, err := s.DB.Calendar(ctx)
	if err != nil {
		return err
	}
	now, err := s.dutyNow(r)
	if err != nil {
		return err
	}
	first, _ := time.Parse("2006-01", month)
	var days []rosterDay
	drafts := 0
	for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
		day := d.Format("2006-01-02")
		rd := rosterDay{Day: day, Weekday: "duty.wd." + strconv.Itoa(int(d.Weekday())), Open: true, Today: day == now.Format("2006-01-02"), Cells: make([][]store.Shift, len(duty.Posts))}
		if h.Hours.WorkingDaysOnly {
			if ok, err := cal.IsWorkday(workday.DateOf(d)); err == nil {
				rd.Open = ok
			}
		}
		for _, sh := range shifts {
			if sh.Day != day {
				continue
			}
			if sh.State == string(duty.Draft) {
				drafts++
			}
			for i, p := range duty.Posts {
				if string(p) == sh.Post {
					rd.Cells[i] = append(rd.Cells[i], sh)
				}
			}
		}
		days = append(days, rd)
	}
	prev, next := first.AddDate(0, -1, 0).Format("2006-01"), first.AddDate(0, 1, 0).Format("2006-01")
	s.render(w, r, 200, "duty_roster", pageData{Title: i18n.T(lang(r), "duty.roster_title"), Data: map[string]any{
		"Hall": h, "Month": month, "Prev": prev, "Next": next, "Days": days, "Posts": duty.Posts, "Leaders": leaders,
		"Drafts": drafts, "Manager": dutyManager(r), "Leader": principal(r).Role == "duty_leader", "Me": principal(r).UserID,
		"Swaps": swaps, "Msg": dutyMessages(lang(r)),
	}})
	return nil
}

func leaderFilter(r *http.Request) int64 {
	if principal(r).Role == "duty_leader" {
		return principal(r).UserID
	}
	return 0
}

func (s *Server) pageDutyConsole(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	h, err := s.DB.Hall(ctx, hallID(r))
	if err != nil {
		return err
	}
	zones, err := s.DB.ListZones(ctx, h.ID)
	if err != nil {
		return err
	}
	windows, err := s.DB.ListWindows(ctx, h.ID)
	if err != nil {
		return err
	}
	items, err := s.DB.ListPublishedItems(ctx, "")
	if err != nil {
		return err
	}
	type itemView struct{ Code, Zone, Name string }
	views := make([]itemView, 0, len(items))
	for _, it := range items {
		v := itemView{Code: it.Code, Zone: it.Zone, Name: it.Name}
		if lang(r) == "en" && it.NameEn != "" {
			v.Name = it.NameEn
		}
		views = append(views, v)
	}
	checklist, err := s.DB.DutyChecklist(ctx, h.ID)
	if err != nil {
		return err
	}
	clock, err := s.hallClock(ctx, h)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "duty_console", pageData{Title: i18n.T(lang(r), "duty.console_title"), Data: map[string]any{
		"Hall": h, "Zones": zones, "Windows": windows, "Items": views, "Checklist": checklist, "Aspects": duty.Aspects,
		"Handlings": duty.Handlings, "Outcomes": duty.Outcomes, "Msg": dutyMessages(lang(r)), "Clock": clock,
		"AlertsHref": fmt.Sprintf("/halls/%d/duty/alerts", h.ID),
	}})
	return nil
}

func (s *Server) pageDutyWeek(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	h, err := s.DB.Hall(ctx, hallID(r))
	if err != nil {
		return err
	}
	week, err := s.DB.DutyWeek(ctx, h.ID, r.URL.Query().Get("day"))
	if err != nil {
		return err
	}
	type dayView struct {
		store.DutyBoard
		Weekday string
	}
	var days []dayView
	for _, d := range week {
		t, _ := time.Parse("2006-01-02", d.Day)
		days = append(days, dayView{DutyBoard: d, Weekday: "duty.wd." + strconv.Itoa(int(t.Weekday()))})
	}
	first, _ := time.Parse("2006-01-02", week[0].Day)
	s.render(w, r, 200, "duty_week", pageData{Title: i18n.T(lang(r), "duty.week_title"), Data: map[string]any{
		"Hall": h, "Days": days, "Prev": first.AddDate(0, 0, -7).Format("2006-01-02"), "Next": first.AddDate(0, 0, 7).Format("2006-01-02"),
	}})
	return nil
}

// handleDutyAvatar draws the avatar of a duty leader (public: leaders on
// duty are shown by name and picture on the hall display).
func (s *Server) handleDutyAvatar(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("file"), ".svg"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundOf("user")
	}
	l, err := s.DB.DutyLeaderPublic(r.Context(), id)
	if err != nil {
		return err
	}
	name := l.Name
	if i := strings.LastIndex(name, " "); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		name = "?"
	}
	return writeAvatar(w, "duty-"+strconv.FormatInt(id, 10), name)
}
