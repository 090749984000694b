package store_test

import (
	"fmt"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/demo"
	"mingbai/internal/feedback"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// fbEnv is the demo hall with a clock the test moves.
type fbEnv struct {
	t       *testing.T
	db      *store.DB
	hall    int64
	now     time.Time
	windows map[string]hall.Window
}

func newFBEnv(t *testing.T) *fbEnv {
	t.Helper()
	db := storetest.Open(t)
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	e := &fbEnv{t: t, db: db, hall: res.Hall.ID, windows: map[string]hall.Window{}}
	// A Tuesday 10:00 in the hall's zone, after the demo's own dates.
	d := time.Now().In(shanghai).AddDate(0, 0, 1)
	for d.Weekday() != time.Tuesday {
		d = d.AddDate(0, 0, 1)
	}
	e.now = time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, shanghai)
	db.SetClock(func() time.Time { return e.now })
	ws, err := db.ListWindows(ctx, e.hall)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		e.windows[w.Number] = w
	}
	return e
}

// serve issues a ticket with a phone, calls it at window n, starts and
// finishes it; it returns the ticket id.
func (e *fbEnv) serve(n string, phone string) int64 {
	e.t.Helper()
	w := e.windows[n]
	who := store.Staffer{Username: fmt.Sprintf("w%02s", n), StaffID: w.StaffID}
	if _, err := e.db.SignInWindow(ctx, e.hall, w.ID, who); err != nil && !apperr.Is(err, apperr.Conflict) {
		e.t.Fatal(err)
	}
	iss, err := e.db.IssueTicket(ctx, store.IssueRequest{HallID: e.hall, Item: "RS-A-004", Zone: hall.ZoneEmployment, Channel: store.ChannelStaff, Phone: phone})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.CallNext(ctx, store.CallRequest{HallID: e.hall, WindowID: w.ID, By: who, TicketID: iss.Ticket.ID, Reason: "test"}); err != nil {
		e.t.Fatal(err)
	}
	for _, a := range []string{store.ActStart, store.ActFinish} {
		if _, err := e.db.ActOnTicket(ctx, store.ActRequest{HallID: e.hall, TicketID: iss.Ticket.ID, By: who, Action: a}); err != nil {
			e.t.Fatal(err)
		}
	}
	return iss.Ticket.ID
}

func keyOf(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Key
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestRatingsAndRectification(t *testing.T) {
	e := newFBEnv(t)
	w1 := e.windows["1"]
	tid := e.serve("1", "13800138001")

	ps, err := e.db.PadState(ctx, e.hall, w1.ID)
	if err != nil || ps.TicketID != tid || ps.StaffName == "" {
		t.Fatalf("pad state = %+v, %v", ps, err)
	}
	// Bad input changes nothing: a pad of another window, an unserved
	// ticket, a bad rating without a reason.
	if _, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: tid, Channel: feedback.ChannelPad,
		Rating: feedback.Rating{Overall: 5}, WindowID: e.windows["2"].ID}); keyOf(err) != "fb.err.other_window" {
		t.Errorf("other window: %v", err)
	}
	waiting, err := e.db.IssueTicket(ctx, store.IssueRequest{HallID: e.hall, Item: "RS-A-004", Zone: hall.ZoneEmployment, Channel: store.ChannelKiosk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: waiting.Ticket.ID, Channel: feedback.ChannelQR,
		Rating: feedback.Rating{Overall: 5}}); keyOf(err) != "fb.err.not_served" {
		t.Errorf("unserved ticket: %v", err)
	}
	if _, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall + 99, Kind: store.ServiceTicket, ServiceID: tid, Channel: feedback.ChannelQR,
		Rating: feedback.Rating{Overall: 5}}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("other hall: %v", err)
	}

	r, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: tid, Channel: feedback.ChannelPad,
		Rating: feedback.Rating{Overall: feedback.Dissatisfied, Attitude: 2, Reason: "attitude", Text: "态度生硬"}, WindowID: w1.ID, IdemKey: "pad-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.RectID == 0 || r.StaffID != w1.StaffID {
		t.Fatalf("bad rating = %+v", r)
	}
	again, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: tid, Channel: feedback.ChannelPad,
		Rating: feedback.Rating{Overall: feedback.Dissatisfied, Reason: "attitude"}, WindowID: w1.ID, IdemKey: "pad-1"})
	if err != nil || again.ID != r.ID {
		t.Errorf("idempotent retry = %+v, %v", again, err)
	}
	if _, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: tid, Channel: feedback.ChannelQR,
		Rating: feedback.Rating{Overall: 5}}); keyOf(err) != "fb.err.already_rated" {
		t.Errorf("second rating: %v", err)
	}
	if ps, _ := e.db.PadState(ctx, e.hall, w1.ID); ps.TicketID != 0 {
		t.Errorf("pad still asks after rating: %+v", ps)
	}

	x, err := e.db.GetRectification(ctx, e.hall, r.RectID)
	if err != nil || x.State != feedback.RectOpen || x.Overdue {
		t.Fatalf("rectification = %+v, %v", x, err)
	}
	// Five working days later it is due; the next working day overdue.
	e.now = e.now.AddDate(0, 0, 7) // Tuesday + 7 = the deadline day
	if x, _ = e.db.GetRectification(ctx, e.hall, r.RectID); x.Overdue || x.Deadline != e.now.Format("2006-01-02") {
		t.Errorf("on the deadline day %s: %+v", e.now.Format("2006-01-02"), x)
	}
	e.now = e.now.AddDate(0, 0, 1)
	if list, _ := e.db.ListRectifications(ctx, store.RectFilter{HallID: e.hall, Overdue: true}); len(list) != 1 || !list[0].Overdue {
		t.Errorf("overdue list = %+v", list)
	}
	// Steps in order, each by its owner.
	if _, err := e.db.StepRectification(ctx, store.RectStepInput{HallID: e.hall, ID: x.ID, Action: feedback.ActVerify, Note: "x", Manager: true}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("verify before assign: %v", err)
	}
	if _, err := e.db.StepRectification(ctx, store.RectStepInput{HallID: e.hall, ID: x.ID, Action: feedback.ActAssign, By: "w01"}); keyOf(err) != "fb.err.manager_step" {
		t.Errorf("assign by staff: %v", err)
	}
	x, err = e.db.StepRectification(ctx, store.RectStepInput{HallID: e.hall, ID: x.ID, Action: feedback.ActAssign, By: "manager", Manager: true})
	if err != nil || x.Owner != "w01" {
		t.Fatalf("assign: %+v %v", x, err)
	}
	if _, err := e.db.StepRectification(ctx, store.RectStepInput{HallID: e.hall, ID: x.ID, Action: feedback.ActVerify, Note: "x", By: "w02"}); keyOf(err) != "fb.err.owner_step" {
		t.Errorf("verify by another: %v", err)
	}
	for _, a := range []feedback.RectAction{feedback.ActVerify, feedback.ActRectify, feedback.ActReply, feedback.ActCallback} {
		if x, err = e.db.StepRectification(ctx, store.RectStepInput{HallID: e.hall, ID: x.ID, Action: a, Note: "done " + string(a), By: "w01"}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	x, err = e.db.StepRectification(ctx, store.RectStepInput{HallID: e.hall, ID: x.ID, Action: feedback.ActClose, By: "manager", Manager: true})
	if err != nil || x.State != feedback.RectClosed || x.Overdue || len(x.Steps) != 7 {
		t.Fatalf("closed = %+v, %v", x, err)
	}

	// Appeal: by the rated staff member only, decided by someone else; an
	// upheld appeal keeps the rating, marked, out of the rates.
	if _, err := e.db.FileAppeal(ctx, e.hall, r.ID, e.windows["2"].StaffID, "w02", "不是我"); keyOf(err) != "fb.err.not_your_rating" {
		t.Errorf("appeal by another: %v", err)
	}
	if _, err := e.db.FileAppeal(ctx, e.hall, r.ID, w1.StaffID, "w01", "群众误评"); err != nil {
		t.Fatal(err)
	}
	before, _ := e.db.Rates(ctx, store.RateQuery{HallID: e.hall, By: "hall"})
	if len(before) != 1 || before[0].N != 1 || before[0].Satisfied != 0 {
		t.Errorf("rates before = %+v", before)
	}
	if _, err := e.db.DecideAppeal(ctx, e.hall, r.ID, true, "w01", "x"); keyOf(err) != "fb.err.appeal_self" {
		t.Errorf("self decision: %v", err)
	}
	if _, err := e.db.DecideAppeal(ctx, e.hall, r.ID, true, "manager", "监控显示服务规范"); err != nil {
		t.Fatal(err)
	}
	got, _ := e.db.GetRating(ctx, e.hall, r.ID)
	if !got.Invalid || got.Overall != feedback.Dissatisfied {
		t.Errorf("upheld rating = %+v", got)
	}
	if after, _ := e.db.Rates(ctx, store.RateQuery{HallID: e.hall, By: "hall"}); len(after) != 0 {
		t.Errorf("invalid rating still counted: %+v", after)
	}
}

func TestLateRating(t *testing.T) {
	e := newFBEnv(t)
	tid := e.serve("1", "")
	e.now = e.now.AddDate(0, 0, 7) // five working days later: still allowed
	tid2 := e.serve("1", "")
	e.now = e.now.AddDate(0, 0, 1)
	if _, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: tid, Channel: feedback.ChannelQR,
		Rating: feedback.Rating{Overall: 4}}); keyOf(err) != "fb.err.too_late" {
		t.Errorf("rating after six working days: %v", err)
	}
	r, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: tid2, Channel: feedback.ChannelQR,
		Rating: feedback.Rating{Overall: 4}})
	if err != nil || !r.Late {
		t.Errorf("late rating = %+v, %v", r, err)
	}
}

func TestDrawVerifyAndCallbacks(t *testing.T) {
	e := newFBEnv(t)
	for i := 0; i < 6; i++ {
		e.serve("1", fmt.Sprintf("1380013%04d", i))
	}
	for i := 0; i < 4; i++ {
		e.serve("15", fmt.Sprintf("1390013%04d", i))
	}
	e.serve("15", "") // no phone: excluded
	day := e.now.Format("2006-01-02")
	spec := store.DrawSpec{HallID: e.hall, Name: "十二月回访", From: day, To: day, Scope: "tickets", StrataBy: "window", N: 4,
		Allocation: feedback.Equal}
	bad := spec
	bad.N = 11
	if _, err := e.db.CreateDraw(ctx, bad); keyOf(err) != "fb.err.n_too_large" {
		t.Errorf("n larger than the population: %v", err)
	}
	if ds, _ := e.db.ListDraws(ctx, e.hall); len(ds) != 0 {
		t.Errorf("a refused draw was written: %+v", ds)
	}
	d, err := e.db.CreateDraw(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Strata) != 2 || d.Strata[1].Excluded[feedback.ExcludedNoPhone] != 1 || d.Strata[1].Population != 4 || d.SnapshotHash == "" {
		t.Fatalf("draw = %+v", d)
	}
	if _, err := e.db.NextCallTarget(ctx, e.hall, d.ID); keyOf(err) != "fb.err.no_seed" {
		t.Errorf("calling before the seed: %v", err)
	}
	if d, err = e.db.SetDrawSeed(ctx, e.hall, d.ID, "demo-seed-2024", "entered"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SetDrawSeed(ctx, e.hall, d.ID, "other", ""); keyOf(err) != "fb.err.seed_set" {
		t.Errorf("second seed: %v", err)
	}
	if _, err := e.db.VerifyDraw(ctx, d.ID); err != nil {
		t.Fatalf("genuine draw rejected: %v", err)
	}

	// Callbacks: the first target, a record outside the draw, a refusal
	// with its replacement from the same stratum.
	tg, err := e.db.NextCallTarget(ctx, e.hall, d.ID)
	if err != nil || tg.PhoneMasked == "" || tg.Replacement {
		t.Fatalf("target = %+v, %v", tg, err)
	}
	if _, err := e.db.RecordAttempt(ctx, store.AttemptInput{HallID: e.hall, DrawID: d.ID, RecordID: "T999999", Outcome: feedback.OutcomeRefused}); keyOf(err) != "fb.err.not_in_draw" {
		t.Errorf("outcome outside the draw: %v", err)
	}
	phone, err := e.db.RevealPhone(ctx, e.hall, d.ID, tg.RecordID)
	if err != nil || len(phone) != 11 {
		t.Fatalf("reveal = %q, %v", phone, err)
	}
	a, err := e.db.RecordAttempt(ctx, store.AttemptInput{HallID: e.hall, DrawID: d.ID, RecordID: tg.RecordID, Outcome: feedback.OutcomeRefused, OptOut: true})
	if err != nil || a.Replacement == "" {
		t.Fatalf("refusal = %+v, %v", a, err)
	}
	// No contact twice the same morning is refused; an answer records a
	// callback rating.
	tg2, _ := e.db.NextCallTarget(ctx, e.hall, d.ID)
	if _, err := e.db.RecordAttempt(ctx, store.AttemptInput{HallID: e.hall, DrawID: d.ID, RecordID: tg2.RecordID, Outcome: feedback.OutcomeNoContact}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.RecordAttempt(ctx, store.AttemptInput{HallID: e.hall, DrawID: d.ID, RecordID: tg2.RecordID, Outcome: feedback.OutcomeNoContact}); keyOf(err) != "fb.err.attempt_same_slot" {
		t.Errorf("same slot twice: %v", err)
	}
	e.now = e.now.Add(5 * time.Hour) // afternoon
	a, err = e.db.RecordAttempt(ctx, store.AttemptInput{HallID: e.hall, DrawID: d.ID, RecordID: tg2.RecordID, Outcome: feedback.OutcomeCompleted,
		Answers: store.CallbackAnswers{Overall: 5, Attitude: 5, Ability: 4, Efficiency: 4, ToldOnce: "yes", ImproperDemand: "no"}})
	if err != nil || a.RatingID == 0 {
		t.Fatalf("completed = %+v, %v", a, err)
	}
	d, _ = e.db.GetDraw(ctx, e.hall, d.ID)
	if d.Responded != 1 || d.Finished != 2 || d.ResponseRate != 0.5 || d.Satisfaction.N != 1 {
		t.Errorf("report = responded %d finished %d rate %v sat %+v", d.Responded, d.Finished, d.ResponseRate, d.Satisfaction)
	}
	// The opted-out number is excluded from the next draw, the called one
	// as recently called.
	d2, err := e.db.CreateDraw(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	ex := map[string]int{}
	for _, s := range d2.Strata {
		for k, v := range s.Excluded {
			ex[k] += v
		}
	}
	if ex[feedback.ExcludedOptOut] != 1 || ex[feedback.ExcludedRecent] != 1 || ex[feedback.ExcludedNoPhone] != 1 {
		t.Errorf("exclusions = %v", ex)
	}

	// Tampering with the stored snapshot or sample is detected.
	if _, err := e.db.Raw().Exec(e.db.Rebind("UPDATE draw_records SET in_sample = 1 - in_sample WHERE draw_id = ? AND record_id = ?"), d.ID, tg.RecordID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.VerifyDraw(ctx, d.ID); err == nil {
		t.Error("tampered sample verified")
	}
	if _, err := e.db.Raw().Exec(e.db.Rebind("UPDATE draw_records SET in_sample = 1 - in_sample WHERE draw_id = ? AND record_id = ?"), d.ID, tg.RecordID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.VerifyDraw(ctx, d.ID); err != nil {
		t.Errorf("restored draw rejected: %v", err)
	}
	if _, err := e.db.Raw().Exec(e.db.Rebind("UPDATE draw_records SET stratum = '9' WHERE draw_id = ? AND record_id = ?"), d.ID, tg.RecordID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.VerifyDraw(ctx, d.ID); err == nil {
		t.Error("tampered snapshot verified")
	}
}

func TestProvincialExport(t *testing.T) {
	e := newFBEnv(t)
	// The demo sets its own province; this test starts without one.
	if _, err := e.db.SaveFeedbackSettings(ctx, store.FeedbackSettings{HallID: e.hall, LateDays: 5, RectDays: 5, MinSample: 30, RecentDays: 90,
		DivisionCode: "370100"}); err != nil {
		t.Fatal(err)
	}
	tid := e.serve("1", "")
	if _, err := e.db.AddRating(ctx, store.RatingInput{HallID: e.hall, Kind: store.ServiceTicket, ServiceID: tid, Channel: feedback.ChannelQR,
		Rating: feedback.Rating{Overall: 5}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.db.ProvincialExport(ctx, e.hall, "", ""); keyOf(err) != "fb.err.no_province" {
		t.Errorf("export without a province: %v", err)
	}
	if _, err := e.db.SaveFeedbackSettings(ctx, store.FeedbackSettings{HallID: e.hall, LateDays: 5, RectDays: 5, MinSample: 30, RecentDays: 90,
		DivisionCode: "370100", Province: "sd"}); err != nil {
		t.Fatal(err)
	}
	var codes []store.ProvinceCode
	for i, l := range feedback.Levels { // 1 = 非常满意 in this province
		codes = append(codes, store.ProvinceCode{Kind: "level", Value: fmt.Sprint(int(l)), Code: fmt.Sprint(i + 1)})
	}
	if err := e.db.SetProvinceCodes(ctx, "sd", codes); keyOf(err) != "fb.err.code_missing" {
		t.Errorf("mapping without channels: %v", err)
	}
	for i, c := range feedback.Channels {
		codes = append(codes, store.ProvinceCode{Kind: "channel", Value: string(c), Code: fmt.Sprint(i + 3)})
	}
	if err := e.db.SetProvinceCodes(ctx, "sd", codes); err != nil {
		t.Fatal(err)
	}
	recs, prov, err := e.db.ProvincialExport(ctx, e.hall, "", "")
	if err != nil || prov != "sd" || len(recs) != 1 {
		t.Fatalf("export = %+v %s %v", recs, prov, err)
	}
	if r := recs[0]; r.Level != "1" || r.Channel != "4" || r.DivisionCode != "370100" || r.Count != 1 || r.ServiceID == "" {
		t.Errorf("record = %+v", r)
	}
}

func TestRatingInvitation(t *testing.T) {
	e := newFBEnv(t)
	st := e.windows["1"].StaffID
	// The demo's own completed cases are invited first.
	if _, err := e.db.InviteUnrated(ctx, e.hall, "https://hall.example"); err != nil {
		t.Fatal(err)
	}
	v, err := e.db.CreateCase(staffCtx, store.CaseInput{HallID: e.hall, StaffID: st, ItemCode: "RS-A-001", ApplicantKind: store.ApplicantPerson,
		Name: testName, IDNumber: testID, Phone: testPhone, Delivery: "pickup",
		Materials: []store.MaterialStatusInput{{Name: "居民身份证", Status: cases.Received}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.db.InviteUnrated(ctx, e.hall, "https://hall.example"); err != nil || n != 0 {
		t.Fatalf("invitations before completion: %d %v", n, err)
	}
	// The receipt's token is made at acceptance; the SMS sends the same.
	printed, err := e.db.RatingToken(ctx, e.hall, store.ServiceCase, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ChangeCaseState(staffCtx, v.HallID, v.ID, store.CaseChange{To: cases.Completed}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.db.InviteUnrated(ctx, e.hall, "https://hall.example"); err != nil || n != 1 {
		t.Fatalf("invitations: %d %v", n, err)
	}
	if n, _ := e.db.InviteUnrated(ctx, e.hall, "https://hall.example"); n != 0 {
		t.Errorf("invited twice: %d", n)
	}
	var token string
	if err := e.db.Raw().QueryRow(e.db.Rebind("SELECT token FROM rating_invites WHERE service_id = ?"), v.ID).Scan(&token); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.db.OutboxMessages(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range msgs {
		if m.Kind == "rating_invite" {
			found = true
		}
	}
	if !found {
		t.Errorf("no rating_invite in the outbox: %+v", msgs)
	}
	if token != printed {
		t.Errorf("SMS token %q, receipt token %q", token, printed)
	}
	h, kind, id, err := e.db.InviteService(ctx, token)
	if err != nil || h != e.hall || kind != store.ServiceCase || id != v.ID {
		t.Fatalf("invite service = %d %s %d %v", h, kind, id, err)
	}
	r, err := e.db.AddRating(ctx, store.RatingInput{HallID: h, Kind: kind, ServiceID: id, Channel: feedback.ChannelSMS, Rating: feedback.Rating{Overall: 5}})
	if err != nil || r.StaffID != st || r.ServiceRef != v.Number {
		t.Fatalf("SMS rating = %+v, %v", r, err)
	}
}
