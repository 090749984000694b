package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mingbai/internal/hall"
	"mingbai/internal/oversight"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// scanEnv is a hall with opening hours, two staff members and a clock at
// a Tuesday 11:00 in Shanghai; rows are seeded as the areas write them.
type scanEnv struct {
	t      *testing.T
	db     *store.DB
	ctx    context.Context
	hall   int64
	staff  [2]int64
	now    time.Time
	loc    *time.Location
	nCases int
}

func newScanEnv(t *testing.T) *scanEnv {
	db := storetest.Open(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 17, 11, 0, 0, 0, loc) // a Tuesday
	db.SetClock(func() time.Time { return now })
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system", Source: "test"})
	h, err := db.CreateHall(ctx, hall.Hall{Code: "scan", Name: "检查大厅", Timezone: "Asia/Shanghai",
		Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}})
	if err != nil {
		t.Fatal(err)
	}
	e := &scanEnv{t: t, db: db, ctx: ctx, hall: h.ID, now: now, loc: loc}
	for i := range e.staff {
		e.exec(func(tx *store.Tx) error {
			var err error
			e.staff[i], err = tx.InsertID("INSERT INTO staff (hall_id, staff_no, name, post) VALUES (?, ?, ?, ?)", h.ID, fmt.Sprintf("S%d", i), fmt.Sprintf("员工%d", i), "受理")
			return err
		})
	}
	return e
}

func (e *scanEnv) exec(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.db.Write(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

// seedCase inserts a case accepted daysAgo days ago by staff i.
func (e *scanEnv) seedCase(i int, blind string, daysAgo int, state string, deferred bool) (int64, string) {
	e.t.Helper()
	e.nCases++
	number := fmt.Sprintf("SCAN-%05d", e.nCases)
	at := e.now.AddDate(0, 0, -daysAgo)
	var id int64
	e.exec(func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertID(`INSERT INTO cases (number, hall_id, zone, item_code, item_name, guide_version, applicant_kind, applicant_name_enc,
			applicant_name_masked, id_number_blind, staff_id, staff_user, accepted_at, accepted_date, pledged_n, pledged_unit, pledged_due, state, delivery,
			deferred_accept, updated_at) VALUES (?, ?, 'employment', 'RS-A-001', '失业登记', 1, 'person', 'x', '王*', ?, ?, ?, ?, ?, 5, 'workdays', ?, ?, 'pickup', ?, ?)`,
			number, e.hall, blind, e.staff[i], fmt.Sprintf("w%02d", i+1), at.UnixMilli(), at.Format("2006-01-02"), at.AddDate(0, 0, 7).Format("2006-01-02"),
			state, map[bool]int{true: 1}[deferred], at.UnixMilli())
		return err
	})
	return id, number
}

func (e *scanEnv) scan() store.ScanResult {
	e.t.Helper()
	r, err := e.db.ScanIntegrity(e.ctx, e.hall)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *scanEnv) open() map[string][]store.IntegrityAlert {
	e.t.Helper()
	list, err := e.db.ListIntegrityAlerts(e.ctx, e.hall, false)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]store.IntegrityAlert{}
	for _, a := range list {
		out[a.Kind] = append(out[a.Kind], a)
	}
	return out
}

// TestIntegrityScanRules seeds one case, ticket, pad and view of personal
// data on each side of every rule's threshold and checks that exactly the
// ones over it are raised, with their evidence; a second scan changes
// nothing; new evidence makes an open alert recur and a closed one reopen;
// a rule switched off raises nothing.
func TestIntegrityScanRules(t *testing.T) {
	e := newScanEnv(t)
	// Same staff, same applicant: 3 cases of "B1" by staff 0 (an alert), 2
	// of "B2" (none), 3 of "B3" split between staff 0 and 1 (none).
	for range 3 {
		e.seedCase(0, "B1", 2, "completed", false)
	}
	for range 2 {
		e.seedCase(0, "B2", 3, "completed", false)
	}
	e.seedCase(0, "B3", 3, "completed", false)
	e.seedCase(1, "B3", 3, "completed", false)
	e.seedCase(1, "B3", 4, "completed", false)
	// Checklist incomplete: accepted with a required material missing (an
	// alert); the same accepted as deferred (容缺, none); one in correction
	// (none); an optional material missing (none).
	incomplete, incNumber := e.seedCase(1, "", 1, "accepted", false)
	deferred, _ := e.seedCase(1, "", 1, "accepted", true)
	correction, _ := e.seedCase(1, "", 1, "correction", false)
	optional, _ := e.seedCase(1, "", 1, "accepted", false)
	e.exec(func(tx *store.Tx) error {
		for _, m := range []struct {
			c          int64
			req, state string
		}{{incomplete, "required", "missing"}, {deferred, "required", "missing"}, {correction, "required", "missing"}, {optional, "optional", "missing"}} {
			if _, err := tx.Exec("INSERT INTO case_materials (case_id, seq, name, form, count, requirement, status) VALUES (?, 1, '身份证', 'original', 1, ?, ?)", m.c, m.req, m.state); err != nil {
				return err
			}
		}
		return nil
	})
	// Clock stops: 2 corrections of one case (an alert), 1 of another.
	twice, twiceNumber := e.seedCase(0, "", 5, "in_review", false)
	once, _ := e.seedCase(0, "", 5, "in_review", false)
	e.exec(func(tx *store.Tx) error {
		for _, k := range []struct {
			c   int64
			seq int
		}{{twice, 1}, {twice, 2}, {once, 1}} {
			if _, err := tx.Exec("INSERT INTO case_corrections (case_id, seq, stop_date, resume_date) VALUES (?, ?, ?, '')", k.c, k.seq, e.now.AddDate(0, 0, -k.seq).Format("2006-01-02")); err != nil {
				return err
			}
		}
		return nil
	})
	// Tickets at 07:00 and 16:45 are outside 08:30–16:30; 09:00 is not.
	day := e.now.Format("2006-01-02")
	var outside int64
	for i, hm := range []string{"07:00", "09:00", "16:45"} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, e.loc)
		at = at.AddDate(0, 0, -1)
		e.exec(func(tx *store.Tx) error {
			id, err := tx.InsertID(`INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, channel, state, issued_at, created_at, track_token)
				VALUES (?, ?, ?, 'A', ?, 'RS-A-001', 'employment', 'kiosk', 'done', ?, ?, ?)`, e.hall, at.Format("2006-01-02"), fmt.Sprintf("A%03d", i+1), i+1, at.UnixMilli(), at.UnixMilli(), fmt.Sprintf("tok%d", i))
			if i == 0 {
				outside = id
			}
			return err
		})
	}
	// Pads: one silent for 60 minutes (an alert), one seen 10 minutes ago,
	// one revoked at 09:30 today (an alert).
	nineThirty := time.Date(e.now.Year(), e.now.Month(), e.now.Day(), 9, 30, 0, 0, e.loc).UnixMilli()
	e.exec(func(tx *store.Tx) error {
		for i, p := range []struct{ seen, revoked int64 }{{e.now.Add(-time.Hour).UnixMilli(), 0}, {e.now.Add(-10 * time.Minute).UnixMilli(), 0}, {0, nineThirty}} {
			if _, err := tx.Exec("INSERT INTO devices (hall_id, kind, name, token_hash, created_at, last_seen, revoked_at) VALUES (?, 'rating_pad', ?, ?, ?, ?, ?)",
				e.hall, fmt.Sprintf("%d号评价器", i+1), fmt.Sprintf("h%d", i), e.now.AddDate(0, 0, -30).UnixMilli(), p.seen, p.revoked); err != nil {
				return err
			}
		}
		return nil
	})
	// Personal data viewed 10 days after the case closed (an alert) and the
	// day after (none).
	old, oldNumber := e.seedCase(1, "", 20, "completed", false)
	recent, _ := e.seedCase(1, "", 5, "completed", false)
	e.exec(func(tx *store.Tx) error {
		if _, err := tx.Exec("UPDATE cases SET closed_date = ? WHERE id = ?", e.now.AddDate(0, 0, -10).Format("2006-01-02"), old); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE cases SET closed_date = ? WHERE id = ?", e.now.AddDate(0, 0, -1).Format("2006-01-02"), recent); err != nil {
			return err
		}
		return nil
	})
	viewer := store.WithActor(context.Background(), store.Actor{Name: "w02", Role: "window_staff"})
	for _, id := range []int64{old, recent} {
		if err := e.db.Write(viewer, func(tx *store.Tx) error { return tx.Audit("case.view_pii", fmt.Sprintf("case:%d", id), "") }); err != nil {
			t.Fatal(err)
		}
	}
	// Per staff: 3 stops needed instead of 10.
	st := oversight.Defaults()
	st.Rules.ClockStopsPerStaff = 3
	if _, err := e.db.SaveOversightSettings(e.ctx, e.hall, st); err != nil {
		t.Fatal(err)
	}

	r := e.scan()
	open := e.open()
	want := map[string]int{oversight.RuleRepeatServe: 1, oversight.RuleIncomplete: 1, oversight.RuleStopsPerCase: 1, oversight.RuleStopsPerStaff: 1,
		oversight.RuleOutsideHours: 2, oversight.RulePadOffline: 1, oversight.RulePadRevoked: 1, oversight.RuleRevealNoCase: 1}
	total := 0
	for k, n := range want {
		total += n
		if len(open[k]) != n {
			t.Errorf("%s: %d alerts, want %d: %+v", k, len(open[k]), n, open[k])
		}
	}
	if r.New != total || len(open) != len(want) {
		t.Fatalf("scan %+v, open %v", r, open)
	}
	if a := open[oversight.RuleRepeatServe][0]; a.Params["count"] != "3" || a.Params["staff"] != "w01" || len(a.Evidence) != 3 {
		t.Errorf("repeat serve %+v", a)
	}
	if a := open[oversight.RuleIncomplete][0]; a.Ref != "case:"+incNumber || a.Params["missing"] != "身份证" {
		t.Errorf("incomplete %+v", a)
	}
	if a := open[oversight.RuleStopsPerCase][0]; a.Ref != "case:"+twiceNumber || a.Params["count"] != "2" {
		t.Errorf("stops per case %+v", a)
	}
	if a := open[oversight.RuleStopsPerStaff][0]; a.Params["staff"] != "w01" || a.Params["count"] != "3" {
		t.Errorf("stops per staff %+v", a)
	}
	if a := open[oversight.RulePadOffline][0]; a.Params["device"] != "1号评价器" || a.Params["minutes"] != "60" {
		t.Errorf("pad offline %+v", a)
	}
	if a := open[oversight.RuleRevealNoCase][0]; a.Params["case"] != oldNumber || a.Params["viewer"] != "w02" {
		t.Errorf("reveal %+v", a)
	}
	// Evidence resolves to records: the outside-hours ticket, the cases.
	var outsideAlert store.IntegrityAlert
	for _, a := range open[oversight.RuleOutsideHours] {
		if a.Ref == fmt.Sprintf("ticket:%d", outside) {
			outsideAlert = a
		}
	}
	d, err := e.db.IntegrityAlertDetail(e.ctx, e.hall, outsideAlert.ID)
	if err != nil || len(d.Evidence) != 1 || d.Evidence[0].Kind != "ticket" || d.Evidence[0].ID != outside || d.Evidence[0].Label != "A001" {
		t.Fatalf("outside-hours evidence %+v %v", d.Evidence, err)
	}
	d, err = e.db.IntegrityAlertDetail(e.ctx, e.hall, open[oversight.RuleRepeatServe][0].ID)
	if err != nil || len(d.Evidence) != 3 || d.Evidence[0].Kind != "case" || d.Evidence[0].ID == 0 {
		t.Fatalf("repeat-serve evidence %+v %v", d.Evidence, err)
	}
	if recs, _ := e.db.ListAudit(e.ctx, store.AuditFilter{Action: "integrity.raise"}); len(recs) != total {
		t.Fatalf("%d raises audited, want %d", len(recs), total)
	}

	// Scanning again changes nothing.
	if r := e.scan(); r != (store.ScanResult{}) {
		t.Fatalf("second scan %+v", r)
	}
	// New evidence: a fourth case of B1 makes the open alert recur.
	e.seedCase(0, "B1", 0, "accepted", false)
	if r := e.scan(); r.Recurred != 1 || r.New != 0 {
		t.Fatalf("after a 4th case %+v", r)
	}
	repeat := e.open()[oversight.RuleRepeatServe][0]
	if repeat.Occurrences != 2 || repeat.Params["count"] != "4" || len(repeat.Evidence) != 4 {
		t.Fatalf("recurred %+v", repeat)
	}
	// Closed, unchanged: stays closed; a fifth case reopens it.
	if err := e.db.CloseIntegrityAlert(e.ctx, e.hall, repeat.ID, "亲属代办，已核实", "不予追责"); err != nil {
		t.Fatal(err)
	}
	if r := e.scan(); r != (store.ScanResult{}) {
		t.Fatalf("scan after close %+v", r)
	}
	e.seedCase(0, "B1", 0, "accepted", false)
	if r := e.scan(); r.Reopened != 1 {
		t.Fatalf("after a 5th case %+v", r)
	}
	d, err = e.db.IntegrityAlertDetail(e.ctx, e.hall, repeat.ID)
	if err != nil || d.Alert.State != "open" || d.Alert.Reopened != 1 || len(d.History) != 2 || d.History[0].Action != "close" || d.History[1].Action != "reopen" {
		t.Fatalf("reopened %+v %v", d, err)
	}
	// A rule switched off raises nothing new.
	st.Rules.Off = []string{oversight.RuleIncomplete}
	if _, err := e.db.SaveOversightSettings(e.ctx, e.hall, st); err != nil {
		t.Fatal(err)
	}
	c, _ := e.seedCase(1, "", 0, "accepted", false)
	e.exec(func(tx *store.Tx) error {
		_, err := tx.Exec("INSERT INTO case_materials (case_id, seq, name, form, count, requirement, status) VALUES (?, 1, '户口本', 'original', 1, 'required', 'missing')", c)
		return err
	})
	if r := e.scan(); r.New != 0 {
		t.Fatalf("rule off, still raised %+v", r)
	}
}
