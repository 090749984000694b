package store_test

import (
	"strconv"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/duty"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// dutyEnv is a small hall that opens on working days, with two duty
// leaders, a manager, and a second hall with its own leader; the clock is
// Wednesday 2026-12-02 10:00 in the hall's zone.
type dutyEnv struct {
	t                  *testing.T
	db                 *store.DB
	hall, other        int64
	l1, l2, mgr, oLead int64
	window             int64
	now                time.Time
}

func newDutyEnv(t *testing.T) *dutyEnv {
	t.Helper()
	db := storetest.Open(t)
	e := &dutyEnv{t: t, db: db, now: time.Date(2026, 12, 2, 10, 0, 0, 0, shanghai)}
	db.SetClock(func() time.Time { return e.now })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	h, err := db.CreateHall(ctx, hall.Hall{Code: "duty", Name: "值班测试大厅", Timezone: "Asia/Shanghai",
		Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30", WorkingDaysOnly: true}})
	must(err)
	o, err := db.CreateHall(ctx, hall.Hall{Code: "duty2", Name: "另一大厅", Timezone: "Asia/Shanghai",
		Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30", WorkingDaysOnly: true}})
	must(err)
	e.hall, e.other = h.ID, o.ID
	_, err = db.CreateZone(ctx, hall.Zone{HallID: h.ID, Code: hall.ZoneEmployment, Name: "就业服务区", Prefix: "A", Sort: 1})
	must(err)
	w, err := db.SaveWindow(ctx, hall.Window{HallID: h.ID, Zone: hall.ZoneEmployment, Number: "1"})
	must(err)
	e.window = w.ID
	user := func(hallID int64, name, display string, role auth.Role) int64 {
		u, err := db.CreateUserIn(ctx, hallID, name, display, role, "Duty-Test-2026!")
		must(err)
		return u.ID
	}
	e.l1 = user(h.ID, "lead1", "副局长 王一", auth.DutyLeader)
	e.l2 = user(h.ID, "lead2", "副局长 李二", auth.DutyLeader)
	e.mgr = user(h.ID, "mgr", "大厅主任", auth.HallManager)
	e.oLead = user(o.ID, "olead", "另一厅领导", auth.DutyLeader)
	return e
}

func (e *dutyEnv) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(q, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// unchanged runs fn, wants the error key, and checks that no shift, swap,
// log, audit record or event was written.
func (e *dutyEnv) refused(name, key string, fn func() error) {
	e.t.Helper()
	tables := []string{"duty_shifts", "duty_swaps", "duty_logs", "audit_log", "events"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = e.count("SELECT COUNT(*) FROM " + tb)
	}
	checkedOut := e.count("SELECT COUNT(*) FROM duty_shifts WHERE checked_out_at > 0")
	err := fn()
	if ae := apperr.As(err); ae == nil || ae.Key != key {
		e.t.Errorf("%s: got %v, want %s", name, err, key)
	}
	for _, tb := range tables {
		if n := e.count("SELECT COUNT(*) FROM " + tb); n != before[tb] {
			e.t.Errorf("%s: %s went from %d to %d rows", name, tb, before[tb], n)
		}
	}
	if n := e.count("SELECT COUNT(*) FROM duty_shifts WHERE checked_out_at > 0"); n != checkedOut {
		e.t.Errorf("%s: a shift was closed", name)
	}
}

func (e *dutyEnv) shift(in store.ShiftInput) store.Shift {
	e.t.Helper()
	s, err := e.db.CreateShift(ctx, e.hall, in)
	if err != nil {
		e.t.Fatalf("create shift %+v: %v", in, err)
	}
	return s
}

func TestDutyRosterRules(t *testing.T) {
	e := newDutyEnv(t)
	am := store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "guide", LeaderID: e.l1, IdemKey: "k1"}
	s := e.shift(am)
	if s.Start != "08:30" || s.End != "12:00" || s.State != "draft" || s.LeaderName != "副局长 王一" {
		t.Fatalf("shift = %+v", s)
	}
	if again := e.shift(am); again.ID != s.ID {
		t.Fatalf("retry made shift %d, first %d", again.ID, s.ID)
	}
	if n := e.count("SELECT COUNT(*) FROM duty_shifts"); n != 1 {
		t.Fatalf("%d shifts after a retried create", n)
	}
	bad := []struct {
		name, key string
		in        store.ShiftInput
	}{
		{"second leader at the same post", "duty.err.two_leaders", store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "guide", LeaderID: e.l2}},
		{"overlapping custom shift at the post", "duty.err.two_leaders", store.ShiftInput{Day: "2026-12-02", Half: "custom", Start: "11:00", End: "14:00", Post: "guide", LeaderID: e.l2}},
		{"leader on two posts at once", "duty.err.leader_busy", store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "consultant", LeaderID: e.l1}},
		{"Saturday", "duty.err.closed_day", store.ShiftInput{Day: "2026-12-05", Half: "am", Post: "guide", LeaderID: e.l1}},
		{"National Day holiday", "duty.err.closed_day", store.ShiftInput{Day: "2026-10-01", Half: "pm", Post: "guide", LeaderID: e.l1}},
		{"end before start", "duty.err.end_before_start", store.ShiftInput{Day: "2026-12-03", Half: "custom", Start: "15:00", End: "09:00", Post: "guide", LeaderID: e.l1}},
		{"outside hours", "duty.err.outside_hours", store.ShiftInput{Day: "2026-12-03", Half: "custom", Start: "07:00", End: "09:00", Post: "guide", LeaderID: e.l1}},
		{"another hall's leader", "duty.err.not_leader", store.ShiftInput{Day: "2026-12-03", Half: "am", Post: "guide", LeaderID: e.oLead}},
		{"a manager is not a duty leader", "duty.err.not_leader", store.ShiftInput{Day: "2026-12-03", Half: "am", Post: "guide", LeaderID: e.mgr}},
		{"deputy from another hall", "duty.err.not_leader", store.ShiftInput{Day: "2026-12-03", Half: "am", Post: "guide", LeaderID: e.l1, DeputyID: e.oLead}},
		{"deputy is the leader", "duty.err.deputy_same", store.ShiftInput{Day: "2026-12-03", Half: "am", Post: "guide", LeaderID: e.l1, DeputyID: e.l1}},
		{"unknown post", "duty.err.post", store.ShiftInput{Day: "2026-12-03", Half: "am", Post: "boss", LeaderID: e.l1}},
		{"no such date", "duty.err.day", store.ShiftInput{Day: "2026-02-30", Half: "am", Post: "guide", LeaderID: e.l1}},
	}
	for _, b := range bad {
		e.refused(b.name, b.key, func() error { _, err := e.db.CreateShift(ctx, e.hall, b.in); return err })
	}
	// A make-up working day (Saturday 2026-10-10) is an opening day; a
	// second leader goes in as deputy.
	mk := e.shift(store.ShiftInput{Day: "2026-12-02", Half: "pm", Post: "guide", LeaderID: e.l1, DeputyID: e.l2})
	if mk.DeputyName != "副局长 李二" || mk.Start != "12:00" || mk.End != "17:00" {
		t.Fatalf("pm shift = %+v", mk)
	}
	e.now = time.Date(2026, 10, 9, 10, 0, 0, 0, shanghai)
	e.shift(store.ShiftInput{Day: "2026-10-10", Half: "am", Post: "guide", LeaderID: e.l1})
	e.now = time.Date(2026, 12, 2, 10, 0, 0, 0, shanghai)

	// The display shows nothing until the month is published.
	b, err := e.db.HallBoard(ctx, e.hall)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Duty.Shifts) != 0 {
		t.Fatalf("draft roster on the board: %+v", b.Duty)
	}
	e.refused("publish a past month", "duty.err.month_past", func() error { _, err := e.db.PublishMonth(ctx, e.hall, "2026-10"); return err })
	events := e.count("SELECT COUNT(*) FROM events WHERE kind = ?", store.EventDutyRoster)
	n, err := e.db.PublishMonth(ctx, e.hall, "2026-12")
	if err != nil || n != 2 {
		t.Fatalf("publish: %d, %v", n, err)
	}
	if got := e.count("SELECT COUNT(*) FROM events WHERE kind = ?", store.EventDutyRoster); got != events+1 {
		t.Fatalf("publishing today's month sent %d events", got-events)
	}
	b, err = e.db.HallBoard(ctx, e.hall)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Duty.Shifts) != 2 || b.Duty.Shifts[0].Name != "副局长 王一" || b.Duty.Shifts[1].Deputy != "副局长 李二" || b.Duty.Shifts[0].Photo != store.LeaderPhoto(e.l1) {
		t.Fatalf("board = %+v", b.Duty)
	}
	// With a staff record of the hall linked to the leader's account, the
	// board shows its photo instead of the generated avatar.
	if _, err := e.db.SaveStaff(ctx, hall.Staff{HallID: e.hall, UserID: e.l1, StaffNo: "L01", Name: "王一", Post: "副局长", PhotoURL: "/static/photos/l01.jpg"}); err != nil {
		t.Fatal(err)
	}
	if b, err = e.db.HallBoard(ctx, e.hall); err != nil || b.Duty.Shifts[0].Photo != "/static/photos/l01.jpg" || b.Duty.Shifts[1].DeputyPhoto != store.LeaderPhoto(e.l2) {
		t.Fatalf("board with a photo = %+v %v", b.Duty, err)
	}
	// A change of today's published shift reaches the board and the audit.
	if _, err := e.db.UpdateShift(ctx, e.hall, s.ID, store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "guide", LeaderID: e.l2}); err != nil {
		t.Fatal(err)
	}
	b, _ = e.db.HallBoard(ctx, e.hall)
	if b.Duty.Shifts[0].Name != "副局长 李二" {
		t.Fatalf("board after change = %+v", b.Duty)
	}
	if e.count("SELECT COUNT(*) FROM audit_log WHERE action = 'duty.shift.update' AND object = ?", "shift:"+itoa(s.ID)) != 1 {
		t.Fatal("no audit record of the change")
	}
	// A shift added to a published month is published at once.
	late := e.shift(store.ShiftInput{Day: "2026-12-03", Half: "am", Post: "supervisor", LeaderID: e.l1})
	if late.State != "published" {
		t.Fatalf("late shift state %s", late.State)
	}
	week, err := e.db.DutyWeek(ctx, e.hall, "")
	if err != nil || len(week) != 7 || week[0].Day != "2026-11-30" || len(week[2].Shifts) != 2 || len(week[3].Shifts) != 1 {
		t.Fatalf("week = %+v, %v", week, err)
	}
	leaders, err := e.db.ListDutyLeaders(ctx, e.hall)
	if err != nil || len(leaders) != 2 {
		t.Fatalf("leaders = %+v, %v", leaders, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestDutySwaps(t *testing.T) {
	e := newDutyEnv(t)
	s := e.shift(store.ShiftInput{Day: "2026-12-03", Half: "am", Post: "consultant", LeaderID: e.l1})
	if _, err := e.db.PublishMonth(ctx, e.hall, "2026-12"); err != nil {
		t.Fatal(err)
	}
	e.refused("swap of someone else's shift", "duty.err.swap_not_your_shift", func() error {
		_, err := e.db.RequestSwap(ctx, e.hall, e.l2, store.SwapInput{ShiftID: s.ID, ToID: e.l1})
		return err
	})
	e.refused("swap to another hall's leader", "duty.err.not_leader", func() error {
		_, err := e.db.RequestSwap(ctx, e.hall, e.l1, store.SwapInput{ShiftID: s.ID, ToID: e.oLead})
		return err
	})
	w, err := e.db.RequestSwap(ctx, e.hall, e.l1, store.SwapInput{ShiftID: s.ID, ToID: e.l2, Reason: "出差", IdemKey: "sw1"})
	if err != nil || w.State != "requested" {
		t.Fatalf("request: %+v %v", w, err)
	}
	if again, _ := e.db.RequestSwap(ctx, e.hall, e.l1, store.SwapInput{ShiftID: s.ID, ToID: e.l2, IdemKey: "sw1"}); again.ID != w.ID {
		t.Fatal("retried request made a second swap")
	}
	e.refused("second open swap", "duty.err.swap_open", func() error {
		_, err := e.db.RequestSwap(ctx, e.hall, e.l1, store.SwapInput{ShiftID: s.ID, ToID: e.l2})
		return err
	})
	e.refused("requester accepts own swap", "duty.err.swap_not_yours", func() error {
		_, err := e.db.ActOnSwap(ctx, e.hall, w.ID, duty.SwapAccept, e.l1, false, "")
		return err
	})
	e.refused("manager approves before acceptance", "duty.err.swap_state", func() error {
		_, err := e.db.ActOnSwap(ctx, e.hall, w.ID, duty.SwapApprove, e.mgr, true, "")
		return err
	})
	if w, err = e.db.ActOnSwap(ctx, e.hall, w.ID, duty.SwapAccept, e.l2, false, ""); err != nil || w.State != "accepted" {
		t.Fatalf("accept: %+v %v", w, err)
	}
	if got, _ := e.db.ListRoster(ctx, e.hall, "2026-12", true); got[0].LeaderID != e.l1 {
		t.Fatal("the roster changed before approval")
	}
	if w, err = e.db.ActOnSwap(ctx, e.hall, w.ID, duty.SwapApprove, e.mgr, true, "同意"); err != nil || w.State != "approved" {
		t.Fatalf("approve: %+v %v", w, err)
	}
	got, _ := e.db.ListRoster(ctx, e.hall, "2026-12", true)
	if got[0].LeaderID != e.l2 {
		t.Fatalf("after approval the leader is %d", got[0].LeaderID)
	}
	e.refused("act on a closed swap", "duty.err.swap_state", func() error {
		_, err := e.db.ActOnSwap(ctx, e.hall, w.ID, duty.SwapCancel, e.l1, false, "")
		return err
	})
	// Declined: nothing changes on the roster.
	w2, err := e.db.RequestSwap(ctx, e.hall, e.l2, store.SwapInput{ShiftID: s.ID, ToID: e.l1})
	if err != nil {
		t.Fatal(err)
	}
	if w2, err = e.db.ActOnSwap(ctx, e.hall, w2.ID, duty.SwapDecline, e.l1, false, ""); err != nil || w2.State != "declined" {
		t.Fatalf("decline: %+v %v", w2, err)
	}
	if got, _ := e.db.ListRoster(ctx, e.hall, "2026-12", true); got[0].LeaderID != e.l2 {
		t.Fatal("a declined swap changed the roster")
	}
	// A swap of a shift already begun is refused.
	today := e.shift(store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "guide", LeaderID: e.l1})
	e.refused("swap of a begun shift", "duty.err.swap_started", func() error {
		_, err := e.db.RequestSwap(ctx, e.hall, e.l1, store.SwapInput{ShiftID: today.ID, ToID: e.l2})
		return err
	})
	mine, err := e.db.ListSwaps(ctx, e.hall, e.l1)
	if err != nil || len(mine) != 2 {
		t.Fatalf("swaps of l1 = %d, %v", len(mine), err)
	}
}

func TestDutyConsoleShift(t *testing.T) {
	e := newDutyEnv(t)
	am := e.shift(store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "supervisor", LeaderID: e.l1})
	pm := e.shift(store.ShiftInput{Day: "2026-12-02", Half: "pm", Post: "supervisor", LeaderID: e.l2})
	e.refused("check in to a draft", "duty.err.not_published", func() error { _, err := e.db.CheckInShift(ctx, e.hall, am.ID, e.l1); return err })
	if _, err := e.db.PublishMonth(ctx, e.hall, "2026-12"); err != nil {
		t.Fatal(err)
	}
	e.refused("log before check-in", "duty.err.not_on_shift", func() error {
		_, err := e.db.AddDutyLog(ctx, e.hall, e.l1, store.DutyLogInput{Kind: "guide", Zone: hall.ZoneEmployment})
		return err
	})
	e.refused("check in to another's shift", "duty.err.not_your_shift", func() error { _, err := e.db.CheckInShift(ctx, e.hall, am.ID, e.l2); return err })
	if _, err := e.db.CheckInShift(ctx, e.hall, am.ID, e.l1); err != nil {
		t.Fatal(err)
	}
	e.refused("change a begun shift", "duty.err.shift_started", func() error {
		_, err := e.db.UpdateShift(ctx, e.hall, am.ID, store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "supervisor", LeaderID: e.l2})
		return err
	})
	e.refused("remove a begun shift", "duty.err.shift_started", func() error { return e.db.DeleteShift(ctx, e.hall, am.ID) })
	e.refused("second check-in", "duty.err.checked_in", func() error { _, err := e.db.CheckInShift(ctx, e.hall, am.ID, e.l1); return err })
	e.refused("shift of another hall", "err.not_found", func() error { _, err := e.db.CheckInShift(ctx, e.other, am.ID, e.l1); return err })
	for i := 0; i < 3; i++ {
		if _, err := e.db.AddDutyLog(ctx, e.hall, e.l1, store.DutyLogInput{Kind: "guide", Zone: hall.ZoneEmployment, IdemKey: "g" + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.db.AddDutyLog(ctx, e.hall, e.l1, store.DutyLogInput{Kind: "guide", Zone: hall.ZoneEmployment, IdemKey: "ga"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddDutyLog(ctx, e.hall, e.l1, store.DutyLogInput{Kind: "consult", Topic: "失业保险金怎么领", Outcome: "on_spot"}); err != nil {
		t.Fatal(err)
	}
	okAll := map[string]bool{"at_post": true, "badge_uniform": true, "attitude": true, "discipline": true}
	badAtt := map[string]bool{"at_post": true, "badge_uniform": true, "attitude": false, "discipline": true}
	bad := []struct {
		name, key string
		in        store.DutyLogInput
	}{
		{"guide without zone", "duty.err.zone", store.DutyLogInput{Kind: "guide"}},
		{"guide to an unknown zone", "duty.err.zone", store.DutyLogInput{Kind: "guide", Zone: "nowhere"}},
		{"consult without topic", "duty.err.topic", store.DutyLogInput{Kind: "consult", Outcome: "on_spot"}},
		{"consult without outcome", "duty.err.outcome", store.DutyLogInput{Kind: "consult", Topic: "x"}},
		{"check of another hall's window", "duty.err.window", store.DutyLogInput{Kind: "check", WindowID: 999999, Aspects: okAll}},
		{"check missing an aspect", "duty.err.aspect_missing", store.DutyLogInput{Kind: "check", WindowID: e.window, Aspects: map[string]bool{"at_post": true}}},
		{"finding without handling", "duty.err.finding_needed", store.DutyLogInput{Kind: "check", WindowID: e.window, Aspects: badAtt}},
		{"unknown checklist code", "duty.err.checklist_code", store.DutyLogInput{Kind: "check", WindowID: e.window, Aspects: okAll, Items: map[string]bool{"zz": true}}},
	}
	for _, b := range bad {
		e.refused(b.name, b.key, func() error { _, err := e.db.AddDutyLog(ctx, e.hall, e.l1, b.in); return err })
	}
	chk, err := e.db.AddDutyLog(ctx, e.hall, e.l1, store.DutyLogInput{Kind: "check", WindowID: e.window, Aspects: badAtt,
		Items: map[string]bool{"s3": false, "n1": true}, Finding: "对群众语气生硬", Handling: "corrected"})
	if err != nil || chk.Window != "1" || chk.Aspects["attitude"] || !chk.Aspects["at_post"] || chk.Items["s3"] {
		t.Fatalf("check = %+v, %v", chk, err)
	}
	c, err := e.db.DutyConsoleOf(ctx, e.hall, e.l1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Shift == nil || c.Shift.ID != am.ID || c.Counts["guide"] != 3 || c.Counts["consult"] != 1 || c.Counts["check"] != 1 || c.Guided[hall.ZoneEmployment] != 3 {
		t.Fatalf("console = %+v", c)
	}
	if len(c.Checklist) != 9 || c.Live.WindowsScheduled != 0 || len(c.Live.Zones) != 1 {
		t.Fatalf("console checklist/live = %+v %+v", c.Checklist, c.Live)
	}
	e.refused("check-out without a handover note", "duty.err.handover_needed", func() error {
		_, err := e.db.CheckOutShift(ctx, e.hall, am.ID, e.l1, "   ")
		return err
	})
	e.now = e.now.Add(2 * time.Hour)
	if _, err := e.db.CheckOutShift(ctx, e.hall, am.ID, e.l1, "5号窗口态度问题已当场纠正，下午请再抽查。"); err != nil {
		t.Fatal(err)
	}
	e.refused("second check-out", "duty.err.checked_out", func() error {
		_, err := e.db.CheckOutShift(ctx, e.hall, am.ID, e.l1, "again")
		return err
	})
	next, err := e.db.DutyConsoleOf(ctx, e.hall, e.l2)
	if err != nil {
		t.Fatal(err)
	}
	if next.Shift == nil || next.Shift.ID != pm.ID || next.Handover == nil || next.Handover.Note != "5号窗口态度问题已当场纠正，下午请再抽查。" || next.Handover.From != "副局长 王一" {
		t.Fatalf("next leader's console = %+v handover %+v", next.Shift, next.Handover)
	}
	// The checklist is the hall's own once a manager saves one.
	e.refused("empty checklist", "duty.err.checklist_empty", func() error { _, err := e.db.SaveDutyChecklist(ctx, e.hall, nil); return err })
	if _, err := e.db.SaveDutyChecklist(ctx, e.hall, []duty.ChecklistItem{{Code: "a1", Group: "should", Text: "应该微笑服务"}}); err != nil {
		t.Fatal(err)
	}
	if cl, _ := e.db.DutyChecklist(ctx, e.hall); len(cl) != 1 || cl[0].Text != "应该微笑服务" {
		t.Fatalf("checklist = %+v", cl)
	}
	if cl, _ := e.db.DutyChecklist(ctx, e.other); len(cl) != 9 {
		t.Fatalf("the other hall's checklist changed: %+v", cl)
	}
}

// TestDutyConcurrentSlot: managers filling one slot at the same moment
// leave one shift; the others get a clear refusal, never a second leader.
func TestDutyConcurrentSlot(t *testing.T) {
	e := newDutyEnv(t)
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		leader := e.l1
		if i%2 == 1 {
			leader = e.l2
		}
		go func() {
			_, err := e.db.CreateShift(ctx, e.hall, store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "guide", LeaderID: leader})
			errs <- err
		}()
	}
	ok := 0
	for i := 0; i < n; i++ {
		err := <-errs
		if err == nil {
			ok++
			continue
		}
		if c := apperr.CodeOf(err); c != apperr.Invalid && c != apperr.Conflict {
			t.Errorf("refusal %v has code %s", err, c)
		}
	}
	if got := e.count("SELECT COUNT(*) FROM duty_shifts"); ok != 1 || got != 1 {
		t.Fatalf("%d creates succeeded, %d shifts", ok, got)
	}
}
