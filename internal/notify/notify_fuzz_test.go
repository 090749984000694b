package notify

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"mingbai/internal/pii"
)

var fuzzNow = time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)

// FuzzRegistryImport: any upload (CSV or XLSX bytes) gives contributors
// only when no row is bad; every contributor then has a valid ID number,
// a valid mobile number, known insurance, frequency and payment and a
// YYYY-MM month; rows in error are numbered within the file and never
// quote a full ID number.
func FuzzRegistryImport(f *testing.F) {
	head := "姓名,身份证号码,手机号码,参保险种,缴费频次,缴至年月,缴费渠道\n"
	f.Add([]byte(head + "张三,11010519491231002X,13800138001,养老保险,按月,202602,自行缴费\n李四,440524188001010014,13800138002,养老、医疗,按年,202512,银行代扣\n"))
	f.Add([]byte("\xef\xbb\xbf" + head + "王五,11010519491231002X,12345,养老保险,每周,2026-13,现金\n"))
	f.Add([]byte("name,id_number,phone,insurance,frequency,paid_through,payment,debit_failed\nA,11010519491231002X,+86 138 0013 8001,pension,monthly,2026-02,debit,yes\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("\"unterminated\n"))
	f.Add([]byte(""))
	idRun := regexp.MustCompile(`\d{17}[\dX]`)
	f.Fuzz(func(t *testing.T, content []byte) {
		if len(content) > 64<<10 {
			return
		}
		cs, bad, err := ParseRegistry(content, fuzzNow)
		if err != nil {
			if cs != nil {
				t.Fatal("contributors with an error")
			}
			return
		}
		if len(bad) > 0 && cs != nil {
			t.Fatalf("contributors returned with %d bad rows", len(bad))
		}
		rows := bytes.Count(content, []byte("\n")) + 1
		for _, b := range bad {
			if b.Row < 1 || (!bytes.HasPrefix(content, []byte("PK")) && b.Row > rows) {
				t.Fatalf("row error at row %d of a %d-line file", b.Row, rows)
			}
			if b.Reason == "" || !strings.HasPrefix(b.Reason, "notify.import.") {
				t.Fatalf("row error reason %q", b.Reason)
			}
			if (b.Field == "id_number" || b.Field == "phone") && idRun.MatchString(b.Value) {
				t.Fatalf("row error quotes an ID number: %+v", b)
			}
		}
		for _, c := range cs {
			if _, err := pii.ParseIDNumberAt(c.IDNumber, fuzzNow); err != nil {
				t.Fatalf("contributor with a bad ID number: %v", err)
			}
			if !pii.ValidMobile(c.Phone) || c.Name == "" || len(c.Insurance) == 0 || c.Frequency == "" || c.Payment == "" {
				t.Fatalf("incomplete contributor %+v", c)
			}
			if len(c.PaidThrough) != 7 || c.PaidThrough[4] != '-' {
				t.Fatalf("paid through %q", c.PaidThrough)
			}
		}
	})
}

// FuzzReceiptText: the fields of an SMPP delivery receipt come back as
// written, whatever the quoted message text says (it may itself contain
// "stat:" or "err:"), and arbitrary text never panics.
func FuzzReceiptText(f *testing.F) {
	f.Add("id:1234567890 sub:001 dlvrd:001 submit date:2612021200 done date:2612021201 stat:DELIVRD err:000 text:您的号码A012", "m-1", "DELIVRD", "000", "stat:UNDELIV err:999")
	f.Add("", "a", "b", "c", "")
	f.Add("id: stat: err:", "x", "EXPIRED", "", "id:evil")
	f.Fuzz(func(t *testing.T, raw, id, stat, errc, text string) {
		parseReceiptText(raw) // any text: no panic
		clean := func(s string) bool {
			return s != "" && utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r == ' ' || r < 0x21 || r == 0x85 || r == 0xa0 || r > 0x7e })
		}
		if !clean(id) || !clean(stat) || !clean(errc) {
			return
		}
		body := "id:" + id + " sub:001 dlvrd:001 submit date:2612021200 done date:2612021201 stat:" + stat + " err:" + errc + " text:" + text
		gid, gstat, gerr := parseReceiptText(body)
		if gid != id || gstat != stat || gerr != errc {
			t.Fatalf("receipt %q read as id %q stat %q err %q", body, gid, gstat, gerr)
		}
	})
}

// FuzzSplitReassemble: any text that Split accepts comes back from the
// parts unchanged (invalid UTF-8 as U+FFFD, as sent), in any part order;
// no part is longer than 140 octets; arbitrary short messages never
// panic Reassemble.
func FuzzSplitReassemble(f *testing.F) {
	f.Add("【明白】您的号码A012，请到3号窗口办理。", byte(7), []byte{0x05, 0x00, 0x03, 1, 2, 1, 0, 0x41})
	f.Add(strings.Repeat("社保", 80), byte(0), []byte{})
	f.Add(strings.Repeat("😀", 40), byte(255), []byte{0x05, 0x00, 0x03, 1, 1, 1})
	f.Add("a", byte(1), []byte{0x05})
	f.Fuzz(func(t *testing.T, text string, ref byte, junk []byte) {
		_, _ = Reassemble([][]byte{junk})
		_, _ = Reassemble([][]byte{junk, junk})
		_ = DecodeUCS2(junk)
		parts, err := Split(text, ref, 0)
		if err != nil {
			return
		}
		if len(parts) != PartsNeeded(text) {
			t.Fatalf("%d parts, PartsNeeded says %d", len(parts), PartsNeeded(text))
		}
		sms := make([][]byte, len(parts))
		for i, p := range parts {
			sms[len(parts)-1-i] = p.ShortMessage() // reversed order
			if len(sms[len(parts)-1-i]) > 140 {
				t.Fatalf("part %d has %d octets", i+1, len(p.ShortMessage()))
			}
		}
		got, err := Reassemble(sms)
		if want := string([]rune(text)); err != nil || got != want { // each invalid byte as U+FFFD
			t.Fatalf("reassembled %q, %v; sent %q", got, err, text)
		}
	})
}

// FuzzParseWindow: an accepted sending window starts before it ends within
// one day and names weekdays 0–6 only.
func FuzzParseWindow(f *testing.F) {
	for _, s := range [][2]string{{"08:00-21:00", "1-5"}, {"", ""}, {"00:00-24:00", "1,2,3,4,5,6,7"}, {"-1:00-21:00", ""}, {"08:00-21:00", "1-1000000000"}, {"21:00-08:00", "7"}, {"08:00-24:30", "0"}} {
		f.Add(s[0], s[1])
	}
	loc := time.FixedZone("CST", 8*3600)
	f.Fuzz(func(t *testing.T, hours, days string) {
		w, err := ParseWindow(hours, days, loc)
		if err != nil {
			return
		}
		if w.From < 0 || w.To > 24*60 || w.From >= w.To {
			t.Fatalf("window %q → %d–%d minutes", hours, w.From, w.To)
		}
		if len(w.Days) > 7*8 {
			t.Fatalf("days %q → %d entries", days, len(w.Days))
		}
		for _, d := range w.Days {
			if d < time.Sunday || d > time.Saturday {
				t.Fatalf("days %q → weekday %d", days, d)
			}
		}
	})
}

// FuzzOptOut: the opt-out keywords are recognised with any surrounding
// space and never panic on any text.
func FuzzOptOut(f *testing.F) {
	for _, s := range []string{"TD", "td", " 退订 ", "退订谢谢", "N", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if IsOptOut(s) != IsOptOut(" "+s+" ") {
			t.Fatalf("IsOptOut(%q) depends on surrounding spaces", s)
		}
	})
}
