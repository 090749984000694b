package store_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/demo"
	"mingbai/internal/feedback"
	"mingbai/internal/hall"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// postsEnv is the demo hall with real opening hours (08:30–17:00 on
// working days), every window closed, and a clock the test moves.
type postsEnv struct {
	t       testing.TB
	db      *store.DB
	hall    int64
	mu      sync.Mutex
	now     time.Time
	windows map[string]hall.Window
	// ring is the personal-data key ring everything is sealed with.
	ring *pii.Keyring
}

func newPostsEnv(t testing.TB, start string) *postsEnv {
	t.Helper()
	db := storetest.Open(t)
	ring := pii.GenerateKeyring()
	sealer, err := pii.NewSealer(ring)
	if err != nil {
		t.Fatal(err)
	}
	db.SetPII(sealer)
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	e := &postsEnv{t: t, db: db, hall: res.Hall.ID, windows: map[string]hall.Window{}, ring: ring}
	e.at(start)
	db.SetClock(func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now })
	h, err := db.Hall(ctx, e.hall)
	if err != nil {
		t.Fatal(err)
	}
	h.Hours.AlwaysOpen = false
	if _, err := db.UpdateHall(ctx, h); err != nil {
		t.Fatal(err)
	}
	ws, err := db.ListWindows(ctx, e.hall)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		e.windows[w.Number] = w
		if _, err := db.SetWindowState(ctx, e.hall, w.ID, store.Staffer{Manager: true}, store.WindowClosed, ""); err != nil && !apperr.Is(err, apperr.Conflict) {
			t.Fatal(err)
		}
	}
	return e
}

// at sets the clock ("2006-01-02 15:04" or with seconds) in the hall's zone.
func (e *postsEnv) at(s string) {
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	tm, err := time.ParseInLocation(layout, s, shanghai)
	if err != nil {
		e.t.Fatal(err)
	}
	e.mu.Lock()
	e.now = tm
	e.mu.Unlock()
}

func (e *postsEnv) clerk(n string) store.Staffer {
	return store.Staffer{Username: fmt.Sprintf("w%02s", n), StaffID: e.windows[n].StaffID}
}

func (e *postsEnv) alerts(kind string) []store.DutyAlert {
	e.t.Helper()
	all, err := e.db.ListDutyAlerts(ctx, e.hall, true)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.DutyAlert
	for _, a := range all {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

func (e *postsEnv) scan() {
	e.t.Helper()
	if _, err := e.db.ScanDutyAlerts(ctx, e.hall); err != nil {
		e.t.Fatal(err)
	}
}

// TestUnattendedWindowAlert: a window paused during hours while people
// wait for its items raises an alert once the pause reaches the hall's
// limit (10 minutes) and not before; the scan (every 20 s in the server)
// does not raise it twice; a new pause is a new episode.
func TestUnattendedWindowAlert(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 09:00")
	w1 := e.windows["1"]
	e.signIn(employmentWindows...)
	if _, err := e.db.IssueTicket(ctx, store.IssueRequest{HallID: e.hall, Item: "RS-A-004", Zone: hall.ZoneEmployment, Channel: store.ChannelStaff}); err != nil {
		t.Fatal(err)
	}
	e.scan()
	if n := len(e.alerts("unattended")); n != 0 {
		t.Fatalf("%d unattended alerts with every window open", n)
	}
	if _, err := e.db.SetWindowState(ctx, e.hall, w1.ID, e.clerk("1"), store.WindowPaused, "break"); err != nil {
		t.Fatal(err)
	}
	e.at("2026-12-02 09:09:59")
	e.scan()
	if n := len(e.alerts("unattended")); n != 0 {
		t.Fatalf("alert before the limit: %d", n)
	}
	e.at("2026-12-02 09:10:00")
	e.scan()
	got := e.alerts("unattended")
	if len(got) != 1 || got[0].WindowID != w1.ID || got[0].Params[0] != "1" || got[0].Params[1] != "paused" || got[0].Params[2] != "10" || got[0].Params[3] != "1" {
		t.Fatalf("alerts %+v", got)
	}
	e.at("2026-12-02 09:10:20")
	e.scan()
	if n := len(e.alerts("unattended")); n != 1 {
		t.Fatalf("raised twice: %d", n)
	}
	// Back, then away again: a new episode.
	if _, err := e.db.SignInWindow(ctx, e.hall, w1.ID, e.clerk("1")); err != nil && !apperr.Is(err, apperr.Conflict) {
		t.Fatal(err)
	}
	if _, err := e.db.SetWindowState(ctx, e.hall, w1.ID, e.clerk("1"), store.WindowOpen, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SetWindowState(ctx, e.hall, w1.ID, e.clerk("1"), store.WindowClosed, ""); err != nil {
		t.Fatal(err)
	}
	e.at("2026-12-02 09:25:00")
	e.scan()
	if n := len(e.alerts("unattended")); n != 2 {
		t.Fatalf("second episode: %d alerts", n)
	}
	// Outside hours nothing is raised.
	e.at("2026-12-02 17:30:00")
	if n, err := e.db.ScanDutyAlerts(ctx, e.hall); err != nil || n != 0 {
		t.Fatalf("after closing: %d %v", n, err)
	}
	// The leader acknowledges and closes; closing needs a note.
	a := e.alerts("unattended")[0]
	if _, err := e.db.AckDutyAlert(ctx, e.hall, a.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CloseDutyAlert(ctx, e.hall, a.ID, ""); keyOf(err) != "err.required" {
		t.Fatalf("close without note: %v", err)
	}
	c, err := e.db.CloseDutyAlert(ctx, e.hall, a.ID, "已提醒回岗")
	if err != nil || c.State != store.DutyAlertClosed || c.ClosedBy == "" {
		t.Fatalf("close: %+v %v", c, err)
	}
	if _, err := e.db.AckDutyAlert(ctx, e.hall, a.ID, "", ""); keyOf(err) != "dutyalert.err.not_open" {
		t.Fatalf("ack a closed alert: %v", err)
	}
	// Another hall does not see or close it.
	if _, err := e.db.CloseDutyAlert(ctx, e.hall+1000, a.ID, "x"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("other hall: %v", err)
	}
}

func TestHelpCallAnsweredOnMyWay(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 10:00")
	w1 := e.windows["1"]
	if _, err := e.db.CallForHelp(ctx, e.hall, w1.ID, e.clerk("1"), ""); err == nil {
		t.Fatal("help call from a window nobody is signed in at")
	}
	if _, err := e.db.SignInWindow(ctx, e.hall, w1.ID, e.clerk("1")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CallForHelp(ctx, e.hall, w1.ID, e.clerk("2"), ""); err == nil {
		t.Fatal("help call by a clerk not signed in at the window")
	}
	a, err := e.db.CallForHelp(ctx, e.hall, w1.ID, e.clerk("1"), "情绪激动")
	if err != nil || a.Kind != "help_call" || a.State != store.DutyAlertOpen {
		t.Fatalf("%+v %v", a, err)
	}
	again, err := e.db.CallForHelp(ctx, e.hall, w1.ID, e.clerk("1"), "")
	if err != nil || again.ID != a.ID {
		t.Fatalf("second press: %+v %v", again, err)
	}
	if _, err := e.db.AckDutyAlert(ctx, e.hall, a.ID, "coming", ""); keyOf(err) != "dutyalert.err.answer" {
		t.Fatalf("bad answer: %v", err)
	}
	if _, err := e.db.AckDutyAlert(ctx, e.hall, a.ID, store.AnswerOnMyWay, ""); err != nil {
		t.Fatal(err)
	}
	seen, err := e.db.HelpCallOf(ctx, e.hall, w1.ID)
	if err != nil || seen.Answer != store.AnswerOnMyWay || seen.State != store.DutyAlertAcked {
		t.Fatalf("clerk sees %+v %v", seen, err)
	}
}

// TestExtraWindowAndQueueAlerts: 30 people waiting for a general item
// with one window open and 2 h 50 min left at 8 minutes each (no history
// yet): by the replay about ten would be left at closing, and one more
// window — the first that serves the item — clears them; a queue over the
// hall's bound and a long wait raise their alerts.
func TestExtraWindowAndQueueAlerts(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 14:00")
	if err := e.db.SaveDutySettings(ctx, e.hall, store.DutySettings{AwayMinutes: 10, QueueMax: 25, WaitMinutes: 30, RemindDays: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SignInWindow(ctx, e.hall, e.windows["17"].ID, e.clerk("17")); err != nil {
		t.Fatal(err)
	}
	e.issue("RS-E-001", hall.ZoneGeneral, 30)
	e.at("2026-12-02 14:10")
	e.scan()
	// One window: 30 × 8 = 240 minutes > 170; two: 120.
	x := e.alerts("extra_window")
	if len(x) != 1 || x[0].Params[0] != "30" || x[0].Params[1] != "1" || x[0].Params[2] != "1" || x[0].Params[3] != "1" {
		t.Fatalf("extra window: %+v", x)
	}
	if left, _ := strconv.Atoi(x[0].Params[4]); left < 5 || left > 14 {
		t.Fatalf("left over: %+v", x[0].Params)
	}
	if q := e.alerts("queue_long"); len(q) != 1 || q[0].Params[1] != "30" {
		t.Fatalf("queue: %+v", q)
	}
	if w := e.alerts("wait_long"); len(w) != 0 {
		t.Fatalf("wait alert after 10 minutes: %+v", w)
	}
	e.at("2026-12-02 14:31")
	e.scan()
	if w := e.alerts("wait_long"); len(w) != 1 || w[0].Params[2] != "31" {
		t.Fatalf("wait: %+v", w)
	}
	if bad := e.db.SaveDutySettings(ctx, e.hall, store.DutySettings{AwayMinutes: 0, QueueMax: 1, WaitMinutes: 1}); keyOf(bad) != "posts.err.range" {
		t.Fatalf("bad settings: %v", bad)
	}
}

// TestUnattendedPausesAddUp: a window paused 09:00–09:06, back for a
// minute, paused again from 09:07 has been away ten minutes at 09:11
// (the return in between is not a return to the post): the alert is
// raised then, once, for the episode that began at 09:00.
func TestUnattendedPausesAddUp(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 09:00")
	e.signIn(employmentWindows...)
	e.issue("RS-A-004", hall.ZoneEmployment, 1)
	w1 := e.windows["1"].ID
	set := func(at, state string) {
		t.Helper()
		e.at("2026-12-02 " + at)
		if _, err := e.db.SetWindowState(ctx, e.hall, w1, e.clerk("1"), state, "break"); err != nil {
			t.Fatal(err)
		}
		e.scan()
	}
	set("09:00", store.WindowPaused)
	set("09:06", store.WindowOpen)
	set("09:07", store.WindowPaused)
	e.at("2026-12-02 09:10:59")
	e.scan()
	if n := len(e.alerts("unattended")); n != 0 {
		t.Fatalf("alert after 9 minutes 59 away: %d", n)
	}
	e.at("2026-12-02 09:11")
	e.scan()
	got := e.alerts("unattended")
	if len(got) != 1 || got[0].Params[2] != "10" {
		t.Fatalf("alerts %+v", got)
	}
	// Back for a minute again and away: still the same episode, no new alert.
	set("09:12", store.WindowOpen)
	set("09:13", store.WindowPaused)
	e.at("2026-12-02 09:14")
	e.scan()
	if n := len(e.alerts("unattended")); n != 1 {
		t.Fatalf("%d alerts for one episode", n)
	}
}

// employmentWindows are the demo windows that serve employment items.
var employmentWindows = []string{"1", "2", "3", "4", "15", "16", "17", "18", "19", "20", "21", "22"}

// signIn signs the clerk of each window in at it.
func (e *postsEnv) signIn(numbers ...string) {
	e.t.Helper()
	for _, n := range numbers {
		if _, err := e.db.SignInWindow(ctx, e.hall, e.windows[n].ID, e.clerk(n)); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *postsEnv) issue(item, zone string, n int) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		if _, err := e.db.IssueTicket(ctx, store.IssueRequest{HallID: e.hall, Item: item, Zone: zone, Channel: store.ChannelStaff}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// TestExtraWindowEnoughOrOneZone: windows that clear the queue in time
// raise no suggestion; when only arbitration is overloaded (30 waiting,
// 110 minutes left, one window serving it: 240 minutes; two: 120; three:
// 80) the suggestion names windows 5 and 6, the first closed windows that
// serve arbitration (not 2, 3 or 4, which come first but serve employment).
func TestExtraWindowEnoughOrOneZone(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 14:00")
	e.signIn("1", "13")
	e.issue("RS-A-001", hall.ZoneEmployment, 5)
	e.issue("RS-C-001", hall.ZoneArbitration, 5)
	e.at("2026-12-02 14:05")
	e.scan()
	if x := e.alerts("extra_window"); len(x) != 0 {
		t.Fatalf("the open windows clear ten people in time: %+v", x)
	}
	e.issue("RS-C-001", hall.ZoneArbitration, 25)
	e.at("2026-12-02 15:10")
	e.scan()
	x := e.alerts("extra_window")
	if len(x) != 1 || x[0].Params[2] != "2" || x[0].Params[3] != "5、6" {
		t.Fatalf("arbitration overloaded: %+v", x)
	}
}

// TestBadRatingAlertBySMS: a rating at the lowest level raises an alert
// to the duty leader, who also gets it by SMS through the outbox when the
// hall names a phone for duty alerts (stored sealed, read back masked).
func TestBadRatingAlertBySMS(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 09:00")
	if err := e.db.SaveDutySettings(ctx, e.hall, store.DutySettings{AwayMinutes: 10, QueueMax: 30, WaitMinutes: 40, RemindDays: 2, SMSRecipient: "13800138000"}); err != nil {
		t.Fatal(err)
	}
	st, err := e.db.DutySettings(ctx, e.hall)
	if err != nil || st.SMSRecipient != "138****8000" {
		t.Fatalf("settings %+v %v", st, err)
	}
	// Saving the masked number back keeps the stored one.
	if err := e.db.SaveDutySettings(ctx, e.hall, st); err != nil {
		t.Fatal(err)
	}
	var enc string
	if err := e.db.Raw().QueryRow(e.db.Rebind("SELECT sms_recipient FROM duty_settings WHERE hall_id = ?"), e.hall).Scan(&enc); err != nil || enc == "" || strings.Contains(enc, "13800138000") {
		t.Fatalf("stored %q %v", enc, err)
	}
	if _, err := e.db.SignInWindow(ctx, e.hall, e.windows["1"].ID, e.clerk("1")); err != nil {
		t.Fatal(err)
	}
	e.serveAt("1", "RS-A-001", hall.ZoneEmployment, "2026-12-02 09:05", "2026-12-02 09:12")
	var tid int64
	if err := e.db.Raw().QueryRow(e.db.Rebind("SELECT MAX(id) FROM tickets WHERE hall_id = ? AND state = 'done'"), e.hall).Scan(&tid); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: tid, Channel: feedback.ChannelQR,
		Rating: feedback.Rating{Overall: 1, Reason: "attitude"}}); err != nil {
		t.Fatal(err)
	}
	e.at("2026-12-02 09:13")
	e.scan()
	var mine []store.DutyAlert
	for _, a := range e.alerts("bad_rating") {
		if a.WindowID == e.windows["1"].ID && a.Params[1] == "1" {
			mine = append(mine, a)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("bad rating alerts %+v", e.alerts("bad_rating"))
	}
	var n int
	if err := e.db.Raw().QueryRow(e.db.Rebind("SELECT COUNT(*) FROM outbox WHERE kind = 'duty_alert' AND dedupe_key = ?"), fmt.Sprintf("duty-alert:%d", mine[0].ID)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("duty alert SMS: %d %v", n, err)
	}
}

// BenchmarkScanDutyAlerts: one scan of the demo hall (22 windows, 200
// people waiting, every window open), with a baseline run side by side
// (DutyReadBaseline: the open alerts and the window sessions, two reads):
//
//	go test -run '^$' -bench 'ScanDutyAlerts|DutyReadBaseline' -benchtime 200x ./internal/store
func BenchmarkScanDutyAlerts(b *testing.B) {
	e := benchPostsHall(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.db.ScanDutyAlerts(ctx, e.hall); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDutyReadBaseline(b *testing.B) {
	e := benchPostsHall(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.db.ListDutyAlerts(ctx, e.hall, false); err != nil {
			b.Fatal(err)
		}
		if _, err := e.db.WindowSessions(ctx, e.hall); err != nil {
			b.Fatal(err)
		}
	}
}

func benchPostsHall(b *testing.B) *postsEnv {
	e := newPostsEnv(b, "2026-12-02 09:00")
	for n := range e.windows {
		if _, err := e.db.SignInWindow(ctx, e.hall, e.windows[n].ID, e.clerk(n)); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < 200; i++ {
		if _, err := e.db.IssueTicket(ctx, store.IssueRequest{HallID: e.hall, Item: "RS-B-012", Zone: hall.ZoneSocialInsurance, Channel: store.ChannelStaff}); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

// TestDutyAlertSMSToLeaderOnDuty: with sms_to_leader the alert's SMS goes
// to the phone of the leader on the published shift running now (sealed
// at rest, masked when read), and to the hall's number when no leader is
// on duty (the afternoon has no shift) or the setting is off.
func TestDutyAlertSMSToLeaderOnDuty(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 08:00")
	leaders, err := e.db.ListDutyLeaders(ctx, e.hall)
	if err != nil || len(leaders) == 0 {
		t.Fatalf("leaders %v %v", leaders, err)
	}
	lead := leaders[0].ID
	if _, err := e.db.SetDutyLeaderPhone(ctx, e.hall, lead, "12345"); keyOf(err) != "queue.bad_phone" {
		t.Fatalf("bad phone: %v", err)
	}
	if p, err := e.db.SetDutyLeaderPhone(ctx, e.hall, lead, "13900139000"); err != nil || p.Phone != "139****9000" {
		t.Fatalf("set phone %+v %v", p, err)
	}
	var enc string
	if err := e.db.Raw().QueryRow(e.db.Rebind("SELECT phone_enc FROM users WHERE id = ?"), lead).Scan(&enc); err != nil || enc == "" || strings.Contains(enc, "13900139000") {
		t.Fatalf("stored %q %v", enc, err)
	}
	if _, err := e.db.CreateShift(ctx, e.hall, store.ShiftInput{Day: "2026-12-02", Half: "am", Post: "supervisor", LeaderID: lead}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.PublishMonth(ctx, e.hall, "2026-12"); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SaveDutySettings(ctx, e.hall, store.DutySettings{AwayMinutes: 10, QueueMax: 30, WaitMinutes: 40, RemindDays: 2, SMSRecipient: "13800138000", SMSToLeader: true}); err != nil {
		t.Fatal(err)
	}
	recipient := func(id int64) string {
		t.Helper()
		var masked []string
		rows, err := e.db.Raw().Query(e.db.Rebind("SELECT recipient_masked FROM outbox WHERE kind = 'duty_alert' AND (dedupe_key = ? OR dedupe_key LIKE ?) ORDER BY id"),
			fmt.Sprintf("duty-alert:%d", id), fmt.Sprintf("duty-alert:%d:%%", id))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var m string
			if err := rows.Scan(&m); err != nil {
				t.Fatal(err)
			}
			masked = append(masked, m)
		}
		return strings.Join(masked, ",")
	}
	help := func(at, n string) store.DutyAlert {
		t.Helper()
		e.at("2026-12-02 " + at)
		if _, err := e.db.SignInWindow(ctx, e.hall, e.windows[n].ID, e.clerk(n)); err != nil {
			t.Fatal(err)
		}
		a, err := e.db.CallForHelp(ctx, e.hall, e.windows[n].ID, e.clerk(n), "")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if r := recipient(help("09:00", "1").ID); r != "139****9000" {
		t.Fatalf("morning: SMS to %q, want the leader on duty", r)
	}
	if r := recipient(help("14:00", "2").ID); r != "138****8000" {
		t.Fatalf("afternoon: SMS to %q, want the hall's number", r)
	}
	if err := e.db.SaveDutySettings(ctx, e.hall, store.DutySettings{AwayMinutes: 10, QueueMax: 30, WaitMinutes: 40, RemindDays: 2, SMSRecipient: "138****8000"}); err != nil {
		t.Fatal(err)
	}
	if r := recipient(help("10:00", "3").ID); r != "138****8000" {
		t.Fatalf("setting off: SMS to %q", r)
	}
}
