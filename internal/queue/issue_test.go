package queue

import (
	"strings"
	"testing"
)

func TestCheckIssue(t *testing.T) {
	cases := []struct {
		name string
		in   IssueInput
		err  string
	}{
		{"kiosk, ordinary", IssueInput{Channel: ChannelKiosk}, ""},
		{"kiosk, elderly", IssueInput{Channel: ChannelKiosk, Priority: PriorityElderly}, ""},
		{"staff for a caller", IssueInput{Channel: ChannelStaff, Priority: PriorityMilitary, Phone: "13900000000"}, ""},
		{"remote with phone", IssueInput{Channel: ChannelPhone, Phone: "13700000001"}, ""},
		{"remote without phone", IssueInput{Channel: ChannelPhone}, "err.required"},
		{"appointment check-in", IssueInput{Channel: ChannelAppointment, Priority: PriorityAppointment, Appointment: true}, ""},
		{"appointment priority without appointment", IssueInput{Channel: ChannelKiosk, Priority: PriorityAppointment}, "queue.bad_priority"},
		{"unknown priority", IssueInput{Channel: ChannelKiosk, Priority: "vip"}, "queue.bad_priority"},
		{"unknown channel", IssueInput{Channel: "fax"}, "err.bad_value"},
		{"bad phone", IssueInput{Channel: ChannelWeb, Phone: "12345"}, "queue.bad_phone"},
		{"long key", IssueInput{Channel: ChannelKiosk, IdemKey: strings.Repeat("k", MaxIdemKey+1)}, "err.too_long"},
		{"longest key", IssueInput{Channel: ChannelKiosk, IdemKey: strings.Repeat("k", MaxIdemKey)}, ""},
	}
	for _, c := range cases {
		if err := CheckIssue(c.in); key(err) != c.err {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
}

func TestMobileOK(t *testing.T) {
	for p, want := range map[string]bool{
		"13800000000": true, "19912345678": true, "12800000000": false, "23800000000": false,
		"1380000000": false, "138000000000": false, "1380000000a": false, "": false,
	} {
		if MobileOK(p) != want {
			t.Errorf("MobileOK(%q) = %v", p, !want)
		}
	}
}

func TestCheckIssueLimits(t *testing.T) {
	cases := []struct {
		name string
		f    IssueFacts
		err  string
	}{
		{"room left", IssueFacts{IssuedToday: 9, DefaultCap: 10}, ""},
		{"cap reached", IssueFacts{IssuedToday: 10, DefaultCap: 10}, "queue.cap_reached"},
		{"item cap overrides", IssueFacts{IssuedToday: 1, DefaultCap: 10, ItemCap: 1, HasItemCap: true}, "queue.cap_reached"},
		{"item cap above default", IssueFacts{IssuedToday: 10, DefaultCap: 10, ItemCap: 20, HasItemCap: true}, ""},
		{"item cap zero closes the item", IssueFacts{DefaultCap: 10, HasItemCap: true}, "queue.cap_reached"},
		{"phone already active", IssueFacts{ActiveForPhone: 1, DefaultCap: 10}, "queue.phone_active"},
		{"phone rule before cap", IssueFacts{ActiveForPhone: 1, IssuedToday: 10, DefaultCap: 10}, "queue.phone_active"},
	}
	for _, c := range cases {
		if err := CheckIssueLimits(c.f); key(err) != c.err {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
	if got := (IssueFacts{DefaultCap: 10, ItemCap: 3, HasItemCap: true}).DailyCap(); got != 3 {
		t.Errorf("DailyCap = %d", got)
	}
}
