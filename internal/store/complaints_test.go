package store_test

import (
	"strings"
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/complaints"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

func postsCount(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Raw().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestComplaintOverdueAcrossNationalDay: a complaint received on Wed 23
// Sep 2026 is due in 15 working days, on 21 Oct (Mid-Autumn and National
// Day are off, Sat 10 Oct is a make-up day); the reminder comes before,
// the overdue flag on 22 Oct. The staff member complained about never
// reads it; the complainant's name and phone are sealed at rest.
func TestComplaintOverdueAcrossNationalDay(t *testing.T) {
	e := newPostsEnv(t, "2026-09-23 10:00")
	subject := e.windows["7"].StaffID
	leader := complaints.Viewer{Username: "leader", Oversees: true, Acts: true}
	lctx := store.WithActor(ctx, store.Actor{Name: "leader", Role: "duty_leader", Source: "test"})
	in := store.ComplaintInput{HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelDuty, Type: complaints.TypeComplaint,
		Summary: "7号窗口态度生硬", Detail: "材料齐全仍被要求回去复印", Name: "张三丰", Phone: "13912345678"},
		SubjectStaffID: subject, SubjectWindowID: e.windows["7"].ID, Receiver: "leader", IdemKey: "k1"}
	c, err := e.db.CreateComplaint(lctx, in, leader)
	if err != nil {
		t.Fatal(err)
	}
	if c.Due != "2026-10-21" || c.State != complaints.StateOpen || c.Owner != "leader" || c.Name != "张*丰" || c.Phone != "139****5678" {
		t.Fatalf("%+v", c)
	}
	again, err := e.db.CreateComplaint(lctx, in, leader)
	if err != nil || again.ID != c.ID {
		t.Fatalf("retry: %v %v", again.ID, err)
	}
	// Sealed at rest.
	var name, phone, detail string
	if err := e.db.Raw().QueryRow(e.db.Rebind("SELECT name_enc, phone_enc, detail_enc FROM complaints WHERE id = ?"), c.ID).Scan(&name, &phone, &detail); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{name, phone, detail} {
		if v == "" || strings.Contains(v, "张三丰") || strings.Contains(v, "13912345678") || strings.Contains(v, "复印") {
			t.Fatalf("not sealed: %q", v)
		}
	}
	// The subject, as a clerk and even with an overseeing role, never
	// reads it; another clerk who does not own it neither.
	for _, v := range []complaints.Viewer{{Username: "w07"}, {Username: "w07", Oversees: true, Acts: true}, {Username: "w01"}} {
		list, err := e.db.ListComplaints(ctx, e.hall, v, store.ComplaintFilter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("%s lists %d (%v)", v.Username, len(list), err)
		}
		if _, err := e.db.Complaint(ctx, e.hall, c.ID, v, true); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("%s reads it: %v", v.Username, err)
		}
	}
	// Handing it to the subject is refused.
	if _, err := e.db.StepComplaint(lctx, e.hall, c.ID, leader, complaints.Step{Action: complaints.ActHandover, To: "w07"}); keyOf(err) != "complaints.err.to_subject" {
		t.Fatalf("hand-over to the subject: %v", err)
	}
	// Hand-over to the manager is recorded.
	if _, err := e.db.StepComplaint(lctx, e.hall, c.ID, leader, complaints.Step{Action: complaints.ActHandover, To: "manager", Note: "需整改"}); err != nil {
		t.Fatal(err)
	}
	full, err := e.db.Complaint(lctx, e.hall, c.ID, leader, true)
	if err != nil || full.Owner != "manager" || full.Name != "张三丰" || len(full.Steps) != 2 || full.Steps[1].FromOwner != "leader" || full.Steps[1].ToOwner != "manager" {
		t.Fatalf("after hand-over: %+v %v", full, err)
	}
	for _, day := range []string{"2026-10-14 09:00", "2026-10-16 09:00"} {
		e.at(day)
		if _, err := e.db.RemindComplaints(ctx, e.hall); err != nil {
			t.Fatal(err)
		}
		if n := len(e.alerts("complaint_due")) + len(e.alerts("complaint_overdue")); n != 0 {
			t.Fatalf("%s: %d alerts", day, n)
		}
	}
	e.at("2026-10-19 09:00") // two working days left
	if _, err := e.db.RemindComplaints(ctx, e.hall); err != nil {
		t.Fatal(err)
	}
	if a := e.alerts("complaint_due"); len(a) != 1 || a[0].Params[0] != c.Number || a[0].Params[1] != "2026-10-21" {
		t.Fatalf("near: %+v", a)
	}
	e.at("2026-10-21 16:00")
	if _, err := e.db.RemindComplaints(ctx, e.hall); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.db.Complaint(ctx, e.hall, c.ID, leader, false); got.Overdue {
		t.Fatal("overdue on its last day")
	}
	e.at("2026-10-22 09:00")
	if n, err := e.db.RemindComplaints(ctx, e.hall); err != nil || n != 1 {
		t.Fatalf("overdue flags %d %v", n, err)
	}
	if a := e.alerts("complaint_overdue"); len(a) != 1 {
		t.Fatalf("overdue alert: %+v", a)
	}
	od, err := e.db.ListComplaints(ctx, e.hall, leader, store.ComplaintFilter{Overdue: true})
	if err != nil || len(od) != 1 || !od[0].Overdue || od[0].Detail != "" {
		t.Fatalf("overdue list: %+v %v", od, err)
	}
	// Resolve, reply (an SMS through the outbox), callback.
	mctx := store.WithActor(ctx, store.Actor{Name: "manager", Role: "hall_manager", Source: "test"})
	mgr := complaints.Viewer{Username: "manager", Oversees: true, Acts: true}
	for _, s := range []complaints.Step{
		{Action: complaints.ActResolve, Note: "已约谈当事人并整改"},
		{Action: complaints.ActReply, Note: "经核实情况属实，已责令整改"},
		{Action: complaints.ActCallback, Outcome: complaints.OutcomeSatisfied},
	} {
		if _, err := e.db.StepComplaint(mctx, e.hall, c.ID, mgr, s); err != nil {
			t.Fatalf("%s: %v", s.Action, err)
		}
	}
	var sms int
	if err := e.db.Raw().QueryRow("SELECT COUNT(*) FROM outbox WHERE kind = 'complaint_reply'").Scan(&sms); err != nil || sms != 1 {
		t.Fatalf("reply SMS: %d %v", sms, err)
	}
	done, _ := e.db.Complaint(ctx, e.hall, c.ID, mgr, false)
	if done.State != complaints.StateClosed || done.CallbackOutcome != complaints.OutcomeSatisfied {
		t.Fatalf("closed: %+v", done)
	}
}

// TestComplaintBadInput: no channel or no type is a clear message and
// writes nothing; the subject may not receive a complaint about themself.
func TestComplaintBadInput(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 10:00")
	before := postsCount(t, e.db, "complaints")
	audits := postsCount(t, e.db, "audit_log")
	v := complaints.Viewer{Username: "w01"}
	for key, in := range map[string]store.ComplaintInput{
		"complaints.err.no_channel": {HallID: e.hall, Intake: complaints.Intake{Type: complaints.TypeComplaint, Summary: "x"}, Receiver: "w01"},
		"complaints.err.no_type":    {HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelDuty, Summary: "x"}, Receiver: "w01"},
		"queue.bad_phone":           {HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelDuty, Type: complaints.TypeHelp, Summary: "x", Phone: "123"}, Receiver: "w01"},
		"complaints.err.own_subject": {HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelDuty, Type: complaints.TypeComplaint, Summary: "x"},
			Receiver: "w01", SubjectStaffID: e.windows["1"].StaffID},
	} {
		if _, err := e.db.CreateComplaint(ctx, in, v); keyOf(err) != key {
			t.Errorf("%s: %v", key, err)
		}
	}
	if postsCount(t, e.db, "complaints") != before || postsCount(t, e.db, "audit_log") != audits {
		t.Fatal("bad input wrote something")
	}
	// A consultation answered on the spot is resolved at once.
	c, err := e.db.CreateComplaint(ctx, store.ComplaintInput{HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelHotline, Type: complaints.TypeConsultation,
		Summary: "社保转移咨询", HotlineOrder: "12345-2026-0001", OnTheSpot: true, Resolution: "电话中已解答"}, Receiver: "w01"}, v)
	if err != nil || c.State != complaints.StateResolved || c.Due != "2026-12-04" {
		t.Fatalf("%+v %v", c, err)
	}
}

// TestComplaintPIIResealed: after a key rotation the complainant's name,
// phone and text and the duty SMS recipient are re-sealed under the new
// key and still open.
func TestComplaintPIIResealed(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 10:00")
	ring := e.ring
	leader := complaints.Viewer{Username: "leader", Oversees: true, Acts: true}
	c, err := e.db.CreateComplaint(ctx, store.ComplaintInput{HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelDuty, Type: complaints.TypeHelp,
		Summary: "需要帮助", Detail: "老人不会用自助机", Name: "赵六", Phone: "13600001111"}, Receiver: "leader"}, leader)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.SaveDutySettings(ctx, e.hall, store.DutySettings{AwayMinutes: 10, QueueMax: 30, WaitMinutes: 40, RemindDays: 2, SMSRecipient: "13800138000"}); err != nil {
		t.Fatal(err)
	}
	leaders, err := e.db.ListDutyLeaders(ctx, e.hall)
	if err != nil || len(leaders) == 0 {
		t.Fatalf("leaders %v %v", leaders, err)
	}
	if _, err := e.db.SetDutyLeaderPhone(ctx, e.hall, leaders[0].ID, "13700137000"); err != nil {
		t.Fatal(err)
	}
	before, _ := e.db.PIIKeyUsage(ctx)
	ring2, err := ring.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := pii.NewSealer(ring2)
	e.db.SetPII(s2)
	n, err := e.db.ResealPII(ctx, s2, 10)
	if err != nil || n < 5 {
		t.Fatalf("resealed %d %v (usage before %v)", n, err, before)
	}
	usage, _ := e.db.PIIKeyUsage(ctx)
	if usage[ring.Current()] != 0 {
		t.Fatalf("values left under the old key: %v", usage)
	}
	got, err := e.db.Complaint(ctx, e.hall, c.ID, leader, true)
	if err != nil || got.Name != "赵六" || got.Phone != "13600001111" || got.Detail != "老人不会用自助机" {
		t.Fatalf("after re-seal: %+v %v", got, err)
	}
	if st, err := e.db.DutySettings(ctx, e.hall); err != nil || st.SMSRecipient != "138****8000" {
		t.Fatalf("recipient after re-seal: %+v %v", st, err)
	}
	if ps, err := e.db.DutyLeaderPhones(ctx, e.hall); err != nil || ps[0].Phone != "137****7000" {
		t.Fatalf("leader phone after re-seal: %+v %v", ps, err)
	}
}

// TestComplaintLimitChangeAppliesAfterwards: a complaint opened under the
// default 15 working days keeps its deadline when the manager shortens
// complaints to 5; one received afterwards gets the new one. Bad limits —
// a petition over the regulation's 60 calendar days, or in working days,
// a day count out of range, an unknown unit — are refused and, mixed with
// a good one, write nothing.
func TestComplaintLimitChangeAppliesAfterwards(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 10:00")
	v := complaints.Viewer{Username: "leader", Oversees: true, Acts: true}
	open := func(key string) store.Complaint {
		t.Helper()
		c, err := e.db.CreateComplaint(ctx, store.ComplaintInput{HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelDuty, Type: complaints.TypeComplaint,
			Summary: "排队太久"}, Receiver: "leader", IdemKey: key}, v)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := open("a")
	if before.Due != "2026-12-23" {
		t.Fatalf("15 working days from Wed 2 Dec: %s", before.Due)
	}
	audits := postsCount(t, e.db, "audit_log")
	for key, m := range map[string]map[complaints.Type]complaints.Limit{
		"complaints.err.petition_limit": {complaints.TypeComplaint: {Days: 5, Unit: workday.WorkingDays}, complaints.TypePetition: {Days: 90, Unit: workday.CalendarDays}},
		"complaints.err.days":           {complaints.TypeComplaint: {Days: 5, Unit: workday.WorkingDays}, complaints.TypeHelp: {Days: 0, Unit: workday.WorkingDays}},
		"complaints.err.unit":           {complaints.TypeComplaint: {Days: 5, Unit: workday.WorkingDays}, complaints.TypeHelp: {Days: 3, Unit: workday.Unit("weeks")}},
	} {
		if err := e.db.SaveComplaintLimits(ctx, e.hall, m); keyOf(err) != key {
			t.Errorf("%s: %v", key, err)
		}
	}
	if err := e.db.SaveComplaintLimits(ctx, e.hall, map[complaints.Type]complaints.Limit{complaints.TypePetition: {Days: 60, Unit: workday.WorkingDays}}); keyOf(err) != "complaints.err.petition_limit" {
		t.Errorf("petition in working days: %v", err)
	}
	if postsCount(t, e.db, "audit_log") != audits {
		t.Fatal("a refused table wrote something")
	}
	if ls, _ := e.db.ComplaintLimits(ctx, e.hall); ls[complaints.TypeComplaint].Days != 15 {
		t.Fatalf("refused table changed the limits: %+v", ls)
	}
	if err := e.db.SaveComplaintLimits(ctx, e.hall, map[complaints.Type]complaints.Limit{complaints.TypeComplaint: {Days: 5, Unit: workday.WorkingDays}}); err != nil {
		t.Fatal(err)
	}
	after := open("b")
	kept, err := e.db.Complaint(ctx, e.hall, before.ID, v, false)
	if err != nil || kept.Due != "2026-12-23" || after.Due != "2026-12-09" {
		t.Fatalf("before %s (%v), after %s", kept.Due, err, after.Due)
	}
}
