package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"mingbai/internal/notify"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// idNumber makes a valid resident ID number from a serial.
func idNumber(t testing.TB, n int) string {
	first := fmt.Sprintf("11010519800101%03d", n%1000)
	first = first[:14] + fmt.Sprintf("%03d", n%1000)
	c, err := pii.IDCheckCharacter(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

func TestImportContributorsSealedAndUpdatedInPlace(t *testing.T) {
	db := storetest.Open(t)
	hall := demoHall(t, db).ID
	now := time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)
	csv := "姓名,身份证号码,手机号码,参保险种,缴费频次,缴至年月,缴费渠道\n" +
		"张三," + idNumber(t, 1) + ",13800138001,养老保险,按月,202602,自行缴费\n" +
		"李四," + idNumber(t, 2) + ",13800138002,养老、医疗,按年,202512,银行代扣\n"
	cs, bad, err := notify.ParseRegistry([]byte(csv), now)
	if err != nil || len(bad) > 0 {
		t.Fatalf("parse: %v %+v", err, bad)
	}
	res, err := db.ImportContributors(ctx, hall, cs, nil)
	if err != nil || res.Inserted != 2 || res.Updated != 0 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	// Re-import with a new phone: updated in place, not added.
	cs[0].Phone = "13900139001"
	res, err = db.ImportContributors(ctx, hall, cs[:1], nil)
	if err != nil || res.Inserted != 0 || res.Updated != 1 {
		t.Fatalf("re-import = %+v, %v", res, err)
	}
	var n int
	var nameEnc, phoneMasked string
	db.Read(ctx, func(tx *store.Tx) error {
		tx.QueryRow("SELECT count(*) FROM contributors").Scan(&n)
		return tx.QueryRow("SELECT name_enc, phone_masked FROM contributors WHERE name_masked = ?", pii.MaskName("张三")).Scan(&nameEnc, &phoneMasked)
	})
	if n != 2 || strings.Contains(nameEnc, "张三") || phoneMasked != "139****9001" {
		t.Fatalf("rows %d, name %q, phone %q", n, nameEnc, phoneMasked)
	}
}

func TestParseRegistryListsEveryBadRow(t *testing.T) {
	now := time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)
	good := idNumber(t, 7)
	csv := "姓名,身份证号码,手机号码,参保险种,缴费频次,缴至年月,缴费渠道\n" +
		"张三," + good + ",13800138001,养老保险,按月,202602,自行缴费\n" +
		"李四,110105198001010000,13800138002,养老保险,按月,202602,自行缴费\n" +
		"王五," + good + ",12345,养老保险,每周,2026-13,现金\n"
	cs, bad, err := notify.ParseRegistry([]byte(csv), now)
	if err != nil || cs != nil {
		t.Fatalf("accepted a file with bad rows: %v %v", cs, err)
	}
	want := map[string]bool{"3 id_number": true, "4 id_number": true, "4 phone": true, "4 frequency": true, "4 paid_through": true, "4 payment": true}
	got := map[string]bool{}
	for _, b := range bad {
		got[fmt.Sprintf("%d %s", b.Row, b.Field)] = true
		if strings.Contains(b.Value, good[6:14]) {
			t.Errorf("row error shows an ID number in clear: %+v", b)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing error %q in %+v", k, bad)
		}
	}
	if _, bad, _ := notify.ParseRegistry([]byte("姓名,身份证号码,颜色\n"), now); len(bad) == 0 || bad[0].Reason != "notify.import.unknown_column" {
		t.Errorf("unknown column: %+v", bad)
	}
}

func TestCampaignExactlyOncePerContributorPeriodKind(t *testing.T) {
	db := storetest.Open(t)
	hall := demoHall(t, db).ID
	// 10:00 on 26 March 2026, hall time: monthly deadline in 5 days.
	db.SetClock(func() time.Time { return time.Date(2026, 3, 26, 2, 0, 0, 0, time.UTC) })
	var cs []notify.Contributor
	for i := 0; i < 30; i++ {
		c := notify.Contributor{Name: "测试" + fmt.Sprint(i), IDNumber: idNumber(t, i), Phone: fmt.Sprintf("1380013%04d", i),
			Insurance: []string{"pension"}, Frequency: notify.Monthly, PaidThrough: "2026-02", Payment: notify.SelfPay}
		switch i % 5 {
		case 1:
			c.PaidThrough = "2026-03" // paid
		case 2:
			c.Payment = notify.Debit // bank debit: no reminder
		case 3:
			c.Payment, c.DebitFailed = notify.Debit, true // debit failed: reminder
		}
		cs = append(cs, c)
	}
	if _, err := db.ImportContributors(ctx, hall, cs, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.OptOut(ctx, "13800130004", "web"); err != nil {
		t.Fatal(err)
	}
	id, err := db.StartCampaign(ctx, hall, "2026-03-26")
	if err != nil {
		t.Fatal(err)
	}
	// Step in small batches, as a crash between steps would leave it.
	for {
		more, err := db.StepCampaign(ctx, id, notify.DefaultRule, 7)
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
	}
	st, err := db.CampaignStatus(ctx, hall, id)
	if err != nil {
		t.Fatal(err)
	}
	// 30 contributors: 6 paid, 6 bank debit skipped, 18 due, of which
	// the one opted out.
	if st.Total != 30 || st.Results["skipped:paid"] != 6 || st.Results["skipped:bank_debit"] != 6 || st.Results["opted_out"] != 1 || st.Results["queued"] != 17 {
		t.Fatalf("results %+v", st)
	}
	countOutbox := func() int {
		var n int
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow("SELECT count(*) FROM outbox WHERE kind = 'remind_first'").Scan(&n)
		})
		return n
	}
	if n := countOutbox(); n != 17 {
		t.Fatalf("%d reminders queued", n)
	}
	// Running it again, or a second campaign the same day, queues nothing.
	if err := db.RunCampaign(ctx, id, notify.DefaultRule); err != nil {
		t.Fatal(err)
	}
	id2, _ := db.StartCampaign(ctx, hall, "2026-03-26")
	if id2 != id {
		t.Fatalf("a second campaign for the same day: %d", id2)
	}
	db.SetClock(func() time.Time { return time.Date(2026, 3, 27, 2, 0, 0, 0, time.UTC) })
	id3, _ := db.StartCampaign(ctx, hall, "2026-03-27")
	if err := db.RunCampaign(ctx, id3, notify.DefaultRule); err != nil {
		t.Fatal(err)
	}
	if n := countOutbox(); n != 17 {
		t.Fatalf("next day's campaign queued first reminders again: %d", n)
	}
	// Two days before the deadline the second reminder goes, once.
	db.SetClock(func() time.Time { return time.Date(2026, 3, 30, 2, 0, 0, 0, time.UTC) })
	id4, _ := db.StartCampaign(ctx, hall, "2026-03-30")
	if err := db.RunCampaign(ctx, id4, notify.DefaultRule); err != nil {
		t.Fatal(err)
	}
	var second int
	db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM outbox WHERE kind = 'remind_second'").Scan(&second)
	})
	if second != 17 {
		t.Fatalf("%d second reminders", second)
	}
}
