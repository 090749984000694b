package hall

import (
	"testing"
	"time"
)

func TestHoursAcceptsTickets(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	h := Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30", WorkingDaysOnly: true}
	at := func(s string) time.Time { v, _ := time.ParseInLocation("2006-01-02 15:04", s, loc); return v }
	for _, tc := range []struct {
		when string
		want bool
	}{
		{"2026-11-26 08:29", false},
		{"2026-11-26 08:30", true},
		{"2026-11-26 16:29", true},
		{"2026-11-26 16:30", false},
		{"2026-11-28 10:00", false}, // Saturday
	} {
		got, err := h.AcceptsTickets(at(tc.when), loc, nil)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %v %v, want %v", tc.when, got, err, tc.want)
		}
	}
	h.AlwaysOpen = true
	if ok, _ := h.AcceptsTickets(at("2026-11-28 03:00"), loc, nil); !ok {
		t.Error("always-open hall refused a ticket")
	}
}

func TestValidate(t *testing.T) {
	good := Hall{Code: "demo", Name: "演示大厅", Hours: Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Hours.LastTicket = "18:00"
	if err := bad.Validate(); err == nil {
		t.Error("last ticket after closing accepted")
	}
	bad = good
	bad.Code = "Bad Code"
	if err := bad.Validate(); err == nil {
		t.Error("bad code accepted")
	}
	// The hall code starts every case number: no hyphen, at most 16.
	for _, code := range []string{"demo-0002", "north_hall", "abcdefghijklmnopq"} {
		bad.Code = code
		if err := bad.Validate(); err == nil {
			t.Errorf("hall code %q accepted", code)
		}
	}
	bad.Code = "rsj01"
	if err := bad.Validate(); err != nil {
		t.Errorf("hall code rsj01: %v", err)
	}
	if err := (&Zone{Code: "employment", Name: "就业", Prefix: "AB"}).Validate(); err == nil {
		t.Error("two-letter prefix accepted")
	}
	if err := (&Device{Kind: "toaster", Name: "x"}).Validate(); err == nil {
		t.Error("unknown device kind accepted")
	}
	if err := (&Staff{StaffNo: "1", Name: "李明", Post: "窗口", PhotoURL: "javascript:alert(1)"}).Validate(); err == nil {
		t.Error("javascript photo URL accepted")
	}
}
