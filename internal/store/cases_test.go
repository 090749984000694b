package store_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/cases"
	"mingbai/internal/catalog"
	"mingbai/internal/hall"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/workday"
)

const (
	testID    = "11010519491231002X"
	testID2   = "440524188001010014"
	testPhone = "13812345678"
	testName  = "王小菲"
)

// caseEnv is a database with a hall, a window staff member and a clock
// that the test moves.
type caseEnv struct {
	t     *testing.T
	db    *store.DB
	hall  hall.Hall
	staff hall.Staff
	now   time.Time
	ring  *pii.Keyring
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func newCaseEnv(t *testing.T) *caseEnv {
	t.Helper()
	db := storetest.Open(t)
	e := &caseEnv{t: t, db: db, ring: pii.GenerateKeyring()}
	s, err := pii.NewSealer(e.ring)
	if err != nil {
		t.Fatal(err)
	}
	db.SetPII(s)
	// The catalogue is published before any case is accepted, so that the
	// guide in force at acceptance exists.
	e.at("2025-12-01 09:00")
	db.SetClock(func() time.Time { return e.now })
	if _, err := db.ImportCatalog(ctx, catalog.DemoJSON); err != nil {
		t.Fatal(err)
	}
	e.at("2026-02-12 10:00")
	h, err := db.CreateHall(ctx, hall.Hall{Code: "rsj01", Name: "测试大厅", Timezone: "Asia/Shanghai", Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}})
	if err != nil {
		t.Fatal(err)
	}
	e.hall = h
	u, err := db.CreateUser(ctx, "w01", "李明", auth.WindowStaff, "Window-2026-ok")
	if err != nil {
		t.Fatal(err)
	}
	e.staff, err = db.SaveStaff(ctx, hall.Staff{HallID: h.ID, StaffNo: "RS001", Name: "李明", Post: "窗口", UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// at sets the clock to a time in the hall's zone ("2006-01-02 15:04").
func (e *caseEnv) at(s string) {
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		e.t.Fatal(err)
	}
	e.now = tm
}

var staffCtx = store.WithActor(ctx, store.Actor{Name: "w01", Role: "window_staff", Source: "test"})

// person returns a case input for a person applying for item code with
// the given materials received.
func (e *caseEnv) person(code string, received ...string) store.CaseInput {
	in := store.CaseInput{HallID: e.hall.ID, StaffID: e.staff.ID, ItemCode: code, ApplicantKind: store.ApplicantPerson,
		Name: testName, IDNumber: testID, Phone: testPhone, Delivery: "pickup"}
	for _, r := range received {
		in.Materials = append(in.Materials, store.MaterialStatusInput{Name: r, Status: cases.Received})
	}
	return in
}

func (e *caseEnv) create(in store.CaseInput) store.CaseView {
	e.t.Helper()
	v, err := e.db.CreateCase(staffCtx, in)
	if err != nil {
		e.t.Fatalf("create case: %v", err)
	}
	return v
}

func (e *caseEnv) countCases() int {
	e.t.Helper()
	list, err := e.db.ListCases(ctx, store.CaseFilter{HallID: e.hall.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(list)
}

func wantKey(t *testing.T, err error, code apperr.Code, key string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Code != code || ae.Key != key {
		t.Fatalf("error = %v, want %s %s", err, code, key)
	}
}

// TestCasePersonalDataSealed writes cases and looks for the plaintext ID
// number, phone and name in the database: in the SQLite file and its WAL,
// or in every row of the case tables, the audit log and the outbox on
// PostgreSQL. The blind index still finds the case by exact ID number.
func TestCasePersonalDataSealed(t *testing.T) {
	e := newCaseEnv(t)
	v := e.create(e.person("RS-B-012", "居民身份证", "本人人事档案", "社会保障卡"))
	// Complete materials: a case opened with the one-time notice also
	// queues an SMS, and the outbox's sealing is another area's (issue 9).
	other := e.person("RS-B-012", "居民身份证", "本人人事档案", "社会保障卡")
	other.IDNumber, other.Name = testID2, "欧阳小菲"
	e.create(other)
	if v.IDMasked != "110105********002X" || v.NameMasked != "王*菲" || v.PhoneMasked != "138****5678" {
		t.Fatalf("masked forms: %q %q %q", v.IDMasked, v.NameMasked, v.PhoneMasked)
	}
	secrets := []string{testID, testID2, testPhone, testName, "欧阳小菲"}
	if e.db.Dialect == store.SQLite {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(e.db.Path() + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		if !bytes.Contains(all, []byte("RS-B-012")) {
			t.Fatal("the case is not in the database files: the grep proves nothing")
		}
		for _, s := range secrets {
			if bytes.Contains(all, []byte(s)) {
				t.Errorf("plaintext %q found in the SQLite files", s)
			}
		}
	} else {
		for _, table := range []string{"cases", "case_materials", "case_steps", "audit_log", "outbox", "integrity_alerts"} {
			rows, err := e.db.Raw().Query("SELECT t::text FROM " + table + " t")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var row string
				rows.Scan(&row)
				for _, s := range secrets {
					if strings.Contains(row, s) {
						t.Errorf("plaintext %q found in %s: %s", s, table, row)
					}
				}
			}
			rows.Close()
		}
	}
	found, err := e.db.FindCasesByIDNumber(staffCtx, e.hall.ID, "110105 19491231 002x")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ID != v.ID {
		t.Fatalf("find by ID number: %+v", found)
	}
	if found, _ := e.db.FindCasesByIDNumber(staffCtx, e.hall.ID, "11010519491231003"+string(mustCheck("11010519491231003"))); len(found) != 0 {
		t.Fatalf("another ID number found %d cases", len(found))
	}
	p, err := e.db.RevealCase(staffCtx, v.HallID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.IDNumber != testID || p.Phone != testPhone || p.Name != testName {
		t.Fatalf("reveal: %+v", p)
	}
	recs, _ := e.db.ListAudit(ctx, store.AuditFilter{Action: "case.view_pii"})
	if len(recs) != 1 || recs[0].Actor != "w01" || recs[0].Object != fmt.Sprintf("case:%d", v.ID) {
		t.Fatalf("view_pii audit: %+v", recs)
	}
}

func mustCheck(first17 string) byte {
	c, err := pii.IDCheckCharacter(first17)
	if err != nil {
		panic(err)
	}
	return c
}

func TestCaseBadInputChangesNothing(t *testing.T) {
	e := newCaseEnv(t)
	bad := e.person("RS-B-012")
	bad.IDNumber = "110105194912310021" // last character mistyped
	_, err := e.db.CreateCase(staffCtx, bad)
	wantKey(t, err, apperr.Invalid, "cases.id_checksum")
	if apperr.As(err).Field != "id_number" {
		t.Errorf("field = %q", apperr.As(err).Field)
	}
	bad = e.person("RS-B-012")
	bad.Phone = "1381234567"
	_, err = e.db.CreateCase(staffCtx, bad)
	wantKey(t, err, apperr.Invalid, "cases.phone_invalid")
	_, err = e.db.CreateCase(staffCtx, e.person("RS-X-999"))
	wantKey(t, err, apperr.Invalid, "cases.unknown_item")
	bad = e.person("RS-B-012", "复印的户口本")
	_, err = e.db.CreateCase(staffCtx, bad)
	wantKey(t, err, apperr.Invalid, "cases.material_not_in_guide")
	bad = e.person("RS-B-012")
	bad.Extras = []store.ExtraMaterialInput{{Name: "户口本"}}
	_, err = e.db.CreateCase(staffCtx, bad)
	wantKey(t, err, apperr.Invalid, "cases.extra_needs_reason")
	if n := e.countCases(); n != 0 {
		t.Fatalf("%d cases after bad input", n)
	}

	// A pledged item cannot be completed at the window.
	v := e.create(e.person("RS-B-012", "居民身份证", "本人人事档案", "社会保障卡"))
	_, err = e.db.ChangeCaseState(staffCtx, v.HallID, v.ID, store.CaseChange{To: cases.Completed})
	wantKey(t, err, apperr.Conflict, "cases.transition_instant_only")
	_, err = e.db.ChangeCaseState(staffCtx, v.HallID, v.ID, store.CaseChange{To: cases.Rejected, Reason: "不符合条件"})
	wantKey(t, err, apperr.Invalid, "cases.rejection_needs_basis")
	// An on-the-spot item with its required ID card missing is not
	// accepted: it waits in correction (the one-time notice) and cannot be
	// completed.
	w := e.create(e.person("RS-A-001"))
	if w.State != cases.Correction || !w.Stopped {
		t.Fatalf("case with a required material missing: %s", w.State)
	}
	_, err = e.db.ChangeCaseState(staffCtx, w.HallID, w.ID, store.CaseChange{To: cases.Completed})
	wantKey(t, err, apperr.Conflict, "cases.transition_not_allowed")
	for id, want := range map[int64]cases.State{v.ID: cases.Accepted, w.ID: cases.Correction} {
		got, err := e.db.Case(ctx, e.hall.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != want || len(got.Steps) != 1 {
			t.Errorf("case %d changed: %s, %d steps", id, got.State, len(got.Steps))
		}
	}
	// A closed case cannot move.
	x := e.create(e.person("RS-A-001", "居民身份证"))
	if _, err := e.db.ChangeCaseState(staffCtx, x.HallID, x.ID, store.CaseChange{To: cases.Completed}); err != nil {
		t.Fatal(err)
	}
	_, err = e.db.ChangeCaseState(staffCtx, x.HallID, x.ID, store.CaseChange{To: cases.InReview})
	wantKey(t, err, apperr.Conflict, "cases.transition_not_allowed")
}

// TestCaseCorrectionStopsClock follows a 10-working-day case across the
// 2026 Spring Festival: accepted Thu 2026-02-12 it is due 2026-03-04; a
// correction requested Fri 02-13 keeps 9 days; the materials arrive Wed
// 02-25 and the clock restarts on 02-26, so it is due 2026-03-09.
func TestCaseCorrectionStopsClock(t *testing.T) {
	e := newCaseEnv(t)
	v := e.create(e.person("RS-A-004", "居民身份证", "相关类别证明", "《就业困难人员认定申请表》"))
	if v.State != cases.Accepted || v.PledgedDue != "2026-03-04" || v.Number != "RSJ01-20260212-00001" || v.GuideVersion != 1 {
		t.Fatalf("accepted: %s due %s, number %s, guide v%d", v.State, v.PledgedDue, v.Number, v.GuideVersion)
	}
	// On review the form turns out to be incomplete: it is missing again.
	e.at("2026-02-13 15:00")
	v, err := e.db.UpdateCaseMaterials(staffCtx, v.HallID, v.ID, store.MaterialsUpdate{Materials: []store.MaterialStatusInput{{Name: "《就业困难人员认定申请表》", Status: cases.Missing}}})
	if err != nil {
		t.Fatal(err)
	}
	v, err = e.db.ChangeCaseState(staffCtx, v.HallID, v.ID, store.CaseChange{To: cases.Correction})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Stopped || v.PledgedDue != "" || len(v.Corrections) != 1 || v.Corrections[0].Stop != "2026-02-13" {
		t.Fatalf("in correction: %+v", v)
	}
	msgs, _ := e.db.OutboxMessages(ctx, 10)
	if len(msgs) != 1 || msgs[0].Recipient != testPhone || msgs[0].Kind != "case_notice" || !strings.Contains(msgs[0].Body, "《就业困难人员认定申请表》") {
		t.Fatalf("one-time notice SMS: %+v", msgs)
	}
	e.at("2026-02-25 09:30")
	v, err = e.db.ChangeCaseState(staffCtx, v.HallID, v.ID, store.CaseChange{To: cases.InReview, Received: []string{"《就业困难人员认定申请表》"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Stopped || v.PledgedDue != "2026-03-09" || v.Corrections[0].Resume != "2026-02-25" {
		t.Fatalf("after materials: due %s, %+v", v.PledgedDue, v.Corrections)
	}
	cal := workday.Official()
	if d, _ := cal.Deadline(workday.MustParse("2026-02-25"), 9, workday.WorkingDays); d.String() != v.PledgedDue {
		t.Fatalf("calendar says %s", d)
	}
	// Overdue: red in the list, and the overdue filter finds it.
	e.at("2026-03-10 09:00")
	list, err := e.db.ListCases(ctx, store.CaseFilter{HallID: e.hall.ID, Overdue: true})
	if err != nil || len(list) != 1 || list[0].Warning != cases.LevelRed {
		t.Fatalf("overdue list: %v %+v", err, list)
	}
	n, err := e.db.RemindDueCases(ctx, e.hall.ID)
	if err != nil || n != 1 {
		t.Fatalf("reminders: %d %v", n, err)
	}
	if n, _ := e.db.RemindDueCases(ctx, e.hall.ID); n != 0 {
		t.Fatalf("second run sent %d reminders", n)
	}
	v, err = e.db.ChangeCaseState(staffCtx, v.HallID, v.ID, store.CaseChange{To: cases.Completed})
	if err != nil {
		t.Fatal(err)
	}
	if v.State != cases.Completed || v.ClosedDate != "2026-03-10" || len(v.Steps) != 5 {
		t.Fatalf("completed: %+v", v)
	}
	msgs, _ = e.db.OutboxMessages(ctx, 10)
	if msgs[0].Kind != "case_done" || msgs[0].Recipient != testPhone {
		t.Fatalf("completion SMS: %+v", msgs[0])
	}
	// The SMS text comes from the catalogue in the hall's language, never a key.
	if !strings.Contains(msgs[0].Body, "请携带身份证件到窗口领取结果") || strings.Contains(msgs[0].Body, "cases.") {
		t.Fatalf("completion SMS (delivery %q): %q", v.Delivery, msgs[0].Body)
	}
	reminders := 0
	for _, m := range msgs {
		if m.Kind == "case_remind" {
			reminders++
			if !strings.Contains(m.Body, v.Number+" ") || !strings.Contains(m.Body, "超期") {
				t.Fatalf("reminder says %q", m.Body)
			}
		}
	}
	if reminders != 1 {
		t.Fatalf("%d reminders in the outbox", reminders)
	}
}

func TestCalendarOverrideMovesDueDates(t *testing.T) {
	e := newCaseEnv(t)
	v := e.create(e.person("RS-A-004", "居民身份证", "相关类别证明", "《就业困难人员认定申请表》"))
	if err := e.db.SetCalendarOverride(staffCtx, workday.Override{Date: "2026-02-13", Work: false, Note: "停电闭厅"}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.db.Case(ctx, e.hall.ID, v.ID)
	if got.PledgedDue != "2026-03-05" {
		t.Fatalf("due after closure: %s", got.PledgedDue)
	}
	err := e.db.SetCalendarOverride(staffCtx, workday.Override{Date: "2026-02-30", Note: "x"})
	wantKey(t, err, apperr.Invalid, "cases.bad_date")
}

func TestProgressLookupThrottled(t *testing.T) {
	e := newCaseEnv(t)
	v := e.create(e.person("RS-B-012", "居民身份证", "本人人事档案", "社会保障卡"))
	p, err := e.db.LookupProgress(ctx, strings.ToLower(v.Number), "5678", "1.2.3.4")
	if err != nil {
		t.Fatal(err)
	}
	if p.NameMasked != "王*菲" || p.State != cases.Accepted || p.PledgedDue != v.PledgedDue || len(p.Steps) != 1 {
		t.Fatalf("progress: %+v", p)
	}
	if p, err := e.db.LookupProgress(ctx, v.Number, "002x", "1.2.3.4"); err != nil || p.Number != v.Number {
		t.Fatalf("by ID last four: %v", err)
	}
	_, errWrong := e.db.LookupProgress(ctx, v.Number, "0000", "1.2.3.4")
	_, errUnknown := e.db.LookupProgress(ctx, "RSJ01-20260212-00099", "5678", "1.2.3.4")
	wantKey(t, errWrong, apperr.NotFound, "cases.progress_nomatch")
	wantKey(t, errUnknown, apperr.NotFound, "cases.progress_nomatch")
	// A stranger guessing from one address backs off that address only:
	// the applicant at another address still gets the answer.
	for range 4 {
		e.db.LookupProgress(ctx, v.Number, "1111", "5.6.7.8")
	}
	_, err = e.db.LookupProgress(ctx, v.Number, "5678", "5.6.7.8")
	wantKey(t, err, apperr.RateLimited, "cases.progress_throttled")
	if _, err := e.db.LookupProgress(ctx, v.Number, "5678", "1.2.3.4"); err != nil {
		t.Fatalf("applicant blocked by a stranger's guesses: %v", err)
	}
	e.at("2026-02-12 11:01")
	if _, err := e.db.LookupProgress(ctx, v.Number, "5678", "5.6.7.8"); err != nil {
		t.Fatalf("after the back-off: %v", err)
	}
}

func TestResealPII(t *testing.T) {
	e := newCaseEnv(t)
	v := e.create(e.person("RS-B-012"))
	ring2, err := e.ring.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := pii.NewSealer(ring2)
	e.db.SetPII(s2)
	w := e.create(e.person("RS-A-001")) // sealed under key 2 already
	// A case's three values and whatever else its acceptance sealed (the
	// applicant's SMS in the outbox) are under key 1.
	mid, _ := e.db.PIIKeyUsage(ctx)
	if mid[1] < 3 || mid[2] < 3 {
		t.Fatalf("key usage before the re-seal: %v", mid)
	}
	n, err := e.db.ResealPII(ctx, s2, 1)
	if err != nil || n != mid[1] {
		t.Fatalf("resealed %d values of %d: %v", n, mid[1], err)
	}
	use, _ := e.db.PIIKeyUsage(ctx)
	if use[1] != 0 || use[2] != mid[1]+mid[2] {
		t.Fatalf("key usage: %v (before %v)", use, mid)
	}
	ring3, _ := ring2.WithoutKey(1)
	s3, _ := pii.NewSealer(ring3)
	e.db.SetPII(s3)
	if err := e.db.CheckPIIKey(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{v.ID, w.ID} {
		if p, err := e.db.RevealCase(staffCtx, v.HallID, id); err != nil || p.IDNumber != testID {
			t.Fatalf("reveal after rotation: %v %+v", err, p)
		}
	}
	if found, _ := e.db.FindCasesByIDNumber(staffCtx, e.hall.ID, testID); len(found) != 2 {
		t.Fatalf("blind index after rotation: %d", len(found))
	}
	other, _ := pii.NewSealer(pii.GenerateKeyring())
	e.db.SetPII(other)
	if err := e.db.CheckPIIKey(ctx); err == nil {
		t.Fatal("a foreign key ring passed the start-up check")
	}
}

func TestExtraMaterialRaisesAlert(t *testing.T) {
	e := newCaseEnv(t)
	in := e.person("RS-B-012", "居民身份证")
	in.Extras = []store.ExtraMaterialInput{{Name: "户口本", Reason: "档案出生日期与身份证不一致，需核对"}}
	v := e.create(in)
	alerts, err := e.db.ListIntegrityAlerts(ctx, e.hall.ID, false)
	if err != nil || len(alerts) != 1 || alerts[0].Ref != "case:"+v.Number || !strings.Contains(alerts[0].Detail, "户口本") {
		t.Fatalf("alerts: %v %+v", err, alerts)
	}
	if err := e.db.ResolveIntegrityAlert(staffCtx, e.hall.ID, alerts[0].ID, "已核实"); err != nil {
		t.Fatal(err)
	}
	if open, _ := e.db.ListIntegrityAlerts(ctx, e.hall.ID, false); len(open) != 0 {
		t.Fatalf("open alerts after resolve: %d", len(open))
	}
}
