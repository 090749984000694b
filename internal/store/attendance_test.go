package store_test

import (
	"testing"

	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

// serveAt issues a ticket of item, calls it at window n at called and
// finishes it at finished (clock times of the test day).
func (e *postsEnv) serveAt(n, item, zone, called, finished string) {
	e.t.Helper()
	e.at(called)
	iss, err := e.db.IssueTicket(ctx, store.IssueRequest{HallID: e.hall, Item: item, Zone: zone, Channel: store.ChannelStaff})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.CallNext(ctx, store.CallRequest{HallID: e.hall, WindowID: e.windows[n].ID, By: e.clerk(n), TicketID: iss.Ticket.ID, Reason: "test"}); err != nil {
		e.t.Fatal(err)
	}
	e.at(finished)
	for _, a := range []string{store.ActStart, store.ActFinish} {
		if _, err := e.db.ActOnTicket(ctx, store.ActRequest{HallID: e.hall, TicketID: iss.Ticket.ID, By: e.clerk(n), Action: a}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// TestPostReportKnownDay: on Wed 2 Dec 2026 (hours 08:30–17:00) w01
// signs in at 08:15 and out at 17:15 (early and late by ten), w02 at
// 08:25 and 17:05 (neither); the instant items RS-A-001 and RS-A-002 are
// finished 8, 11 and 10 minutes after the call (pledge 2 of 3); RS-A-004
// is not an instant item.
func TestPostReportKnownDay(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 08:15")
	if _, err := e.db.SignInWindow(ctx, e.hall, e.windows["1"].ID, e.clerk("1")); err != nil {
		t.Fatal(err)
	}
	e.at("2026-12-02 08:25")
	if _, err := e.db.SignInWindow(ctx, e.hall, e.windows["2"].ID, e.clerk("2")); err != nil {
		t.Fatal(err)
	}
	e.serveAt("1", "RS-A-001", hall.ZoneEmployment, "2026-12-02 09:00", "2026-12-02 09:08")
	e.serveAt("1", "RS-A-001", hall.ZoneEmployment, "2026-12-02 09:10", "2026-12-02 09:21")
	e.serveAt("1", "RS-A-004", hall.ZoneEmployment, "2026-12-02 09:30", "2026-12-02 10:30")
	e.serveAt("2", "RS-A-002", hall.ZoneEmployment, "2026-12-02 10:00", "2026-12-02 10:10")
	e.at("2026-12-02 17:05")
	if _, err := e.db.SetWindowState(ctx, e.hall, e.windows["2"].ID, e.clerk("2"), store.WindowClosed, ""); err != nil {
		t.Fatal(err)
	}
	e.at("2026-12-02 17:15")
	if _, err := e.db.SetWindowState(ctx, e.hall, e.windows["1"].ID, e.clerk("1"), store.WindowClosed, ""); err != nil {
		t.Fatal(err)
	}
	e.at("2026-12-02 18:00")
	day := workday.MustParse("2026-12-02")
	rep, err := e.db.PostReport(ctx, e.hall, day, day)
	if err != nil {
		t.Fatal(err)
	}
	byStaff := map[int64]store.PostStaffRow{}
	for _, r := range rep.ByStaff {
		byStaff[r.Key] = r
	}
	s1, s2, s3 := byStaff[e.windows["1"].StaffID], byStaff[e.windows["2"].StaffID], byStaff[e.windows["3"].StaffID]
	if s1.Early10.Met != 1 || s1.Late10.Met != 1 || s1.Both10.Rate != 1 || s1.Late != 0 || s1.OnPostRate != 1 {
		t.Errorf("w01: %+v", s1)
	}
	if s2.Early10.N != 1 || s2.Early10.Met != 0 || s2.Late10.Met != 0 || s2.Both10.Rate != 0 || s2.OnPostRate != 1 {
		t.Errorf("w02: %+v", s2)
	}
	if s3.Absent != 1 || s3.Days != 1 || s3.Early10.N != 0 {
		t.Errorf("w03: %+v", s3)
	}
	if len(rep.ByStaff) != 22 {
		t.Errorf("%d staff rows, want 22", len(rep.ByStaff))
	}
	p := rep.Pledge
	if p.Total.N != 3 || p.Total.Met != 2 {
		t.Errorf("pledge %+v", p.Total)
	}
	if len(p.ByWindow) != 2 || p.ByWindow[0].WindowID != e.windows["1"].ID || p.ByWindow[0].N != 2 || p.ByWindow[0].Met != 1 || p.ByWindow[1].Rate.Rate != 1 {
		t.Errorf("pledge by window %+v", p.ByWindow)
	}
	if len(p.ByItem) != 2 || p.ByItem[0].Item != "RS-A-001" || p.ByItem[0].Rate.Rate != 0.5 {
		t.Errorf("pledge by item %+v", p.ByItem)
	}
	// A weekend day is no shift; a period too long is refused.
	sat := workday.MustParse("2026-12-05")
	if rep, err := e.db.PostReport(ctx, e.hall, sat, sat); err != nil || len(rep.Days) != 0 {
		t.Errorf("Saturday: %d days %v", len(rep.Days), err)
	}
	if _, err := e.db.PostReport(ctx, e.hall, day, day.AddDays(100)); keyOf(err) != "posts.err.period_long" {
		t.Errorf("long period: %v", err)
	}
}

func TestAbsenceNamesCoverAndBriefing(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 10:00")
	w1, w2 := e.windows["1"], e.windows["2"]
	before := postsCount(t, e.db, "post_absences")
	for key, in := range map[string]store.AbsenceInput{
		"posts.err.no_cover":   {HallID: e.hall, WindowID: w1.ID, StaffID: w1.StaffID, Reason: "就医", Minutes: 30},
		"posts.err.no_reason":  {HallID: e.hall, WindowID: w1.ID, StaffID: w1.StaffID, CoverID: w2.StaffID, Minutes: 30},
		"posts.err.cover_self": {HallID: e.hall, WindowID: w1.ID, StaffID: w1.StaffID, CoverID: w1.StaffID, Reason: "x", Minutes: 30},
		"posts.err.range":      {HallID: e.hall, WindowID: w1.ID, StaffID: w1.StaffID, CoverID: w2.StaffID, Reason: "x", Minutes: 999},
	} {
		if _, err := e.db.RegisterAbsence(ctx, in); keyOf(err) != key {
			t.Errorf("%s: %v", key, err)
		}
	}
	if postsCount(t, e.db, "post_absences") != before {
		t.Fatal("bad absence written")
	}
	a, err := e.db.RegisterAbsence(ctx, store.AbsenceInput{HallID: e.hall, WindowID: w1.ID, StaffID: w1.StaffID, CoverID: w2.StaffID, Reason: "临时接待上级检查", Minutes: 30, IdemKey: "a1"})
	if err != nil || a.Cover == "" || a.UntilAt-a.FromAt != 30*60*1000 {
		t.Fatalf("%+v %v", a, err)
	}
	// The cover may now sign in at window 1 (B岗顶岗).
	if _, err := e.db.SignInWindow(ctx, e.hall, w1.ID, e.clerk("2")); err != nil {
		t.Fatalf("cover signs in: %v", err)
	}
	b, err := e.db.AddBriefing(ctx, store.BriefingInput{HallID: e.hall, Day: "2026-12-02", Topic: "失业保险金申领新规", Presenter: "周建国", Attendees: []int64{w1.StaffID, w2.StaffID, w2.StaffID}})
	if err != nil || b.Minutes != 10 || len(b.Attendees) != 2 {
		t.Fatalf("%+v %v", b, err)
	}
	if _, err := e.db.AddBriefing(ctx, store.BriefingInput{HallID: e.hall, Day: "2026-12-02", Topic: "x", Presenter: "y"}); keyOf(err) != "posts.err.no_attendees" {
		t.Fatalf("no attendees: %v", err)
	}
	list, err := e.db.ListBriefings(ctx, e.hall, workday.MustParse("2026-12-01"), workday.MustParse("2026-12-31"))
	if err != nil || len(list) != 1 {
		t.Fatalf("%+v %v", list, err)
	}
}

// TestPostReportPausesAddUp: w03 signs in at 08:20 (hours 08:30–17:00,
// 510 minutes) and pauses three times — 09:00–09:15 (resumed on the
// console), 11:00–11:10 (back by signing in again), 14:00–14:20 (signed
// out while paused, in again at 14:30) — and signs out at 17:10: on post
// 510 − 15 − 10 − 20 − 10 = 455 minutes.
func TestPostReportPausesAddUp(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 08:20")
	w, c := e.windows["3"].ID, e.clerk("3")
	step := func(at, state string) {
		t.Helper()
		e.at("2026-12-02 " + at)
		var err error
		if state == "in" {
			_, err = e.db.SignInWindow(ctx, e.hall, w, c)
		} else {
			_, err = e.db.SetWindowState(ctx, e.hall, w, c, state, "break")
		}
		if err != nil {
			t.Fatalf("%s %s: %v", at, state, err)
		}
	}
	step("08:20", "in")
	step("09:00", store.WindowPaused)
	step("09:15", store.WindowOpen)
	step("11:00", store.WindowPaused)
	step("11:10", "in")
	step("14:00", store.WindowPaused)
	step("14:20", store.WindowClosed)
	step("14:30", "in")
	step("17:10", store.WindowClosed)
	e.at("2026-12-02 18:00")
	day := workday.MustParse("2026-12-02")
	rep, err := e.db.PostReport(ctx, e.hall, day, day)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Days {
		if d.StaffID == e.windows["3"].StaffID {
			if d.OnPost != 455 || d.Scheduled != 510 || !d.Early10 || !d.Late10 || d.Late || d.EarlyLeave {
				t.Fatalf("w03: %+v", d)
			}
			return
		}
	}
	t.Fatal("no day for w03")
}
