package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"mingbai/internal/store"
)

// smsCode asks the store for a code and reads it from the outbox.
func (e *hallEnv) smsCode(phone string) string {
	e.t.Helper()
	if err := e.DB.RequestPhoneCode(context.Background(), e.Hall, phone); err != nil {
		e.t.Fatal(err)
	}
	msgs, err := e.DB.OutboxMessages(context.Background(), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range msgs { // newest first
		if m.Kind == "sms_code" && m.Recipient == phone {
			i := strings.Index(m.Body, "验证码为 ") + len("验证码为 ")
			return m.Body[i : i+6]
		}
	}
	e.t.Fatal("no code")
	return ""
}

func TestAppointments(t *testing.T) {
	e := newHall(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, loc)
	e.DB.SetClock(func() time.Time { return now })
	st := store.DefaultQueueSettings
	st.ApptCapacity = 1
	if status, b := e.do("PUT", fmt.Sprintf("/api/v1/halls/%d/queue-settings", e.Hall), e.token("manager"), st); status != 200 {
		t.Fatalf("settings: %d %s", status, b)
	}
	book := func(phone, item, day, slot string) (int, string) {
		status, b := e.do("POST", "/api/v1/appointments", "", map[string]string{"item": item, "day": day, "slot": slot, "phone": phone, "sms_code": e.smsCode(phone)})
		now = now.Add(2 * time.Minute) // one code a minute per phone
		return status, string(b)
	}
	status, body := book("13600000001", itemA, "2026-03-04", "10:00")
	if status != 201 {
		t.Fatalf("book: %d %s", status, body)
	}
	var a struct{ Code string }
	json.Unmarshal([]byte(body), &a)
	if strings.Contains(body, "13600000001") {
		t.Errorf("booking answer shows the phone: %s", body)
	}
	if status, body := book("13600000002", itemA, "2026-03-04", "10:00"); status != 409 {
		t.Fatalf("full slot: %d %s", status, body)
	}
	if status, body := book("13600000002", itemA, "2026-03-04", "10:10"); status != 400 {
		t.Fatalf("bad slot: %d %s", status, body)
	}
	// Too early to check in (more than 30 minutes before the slot).
	path := "/api/v1/appointments/" + a.Code + "/check-in"
	if status, b := e.do("POST", path, "", nil); status != 409 {
		t.Fatalf("early check-in: %d %s", status, b)
	}
	e.issue(e.token("admin"), map[string]any{"item": itemA})
	now = time.Date(2026, 3, 4, 9, 40, 0, 0, loc)
	status, b := e.do("POST", path, "", nil)
	if status != 201 || !strings.Contains(string(b), `"priority":"appointment"`) {
		t.Fatalf("check-in: %d %s", status, b)
	}
	// The appointment ticket goes before the older ordinary one.
	w1 := e.signIn(1)
	_, c, _ := e.call(1, w1)
	if c.Priority != "appointment" {
		t.Errorf("first call %+v, want the appointment", c)
	}
	if status, b := e.do("POST", path, "", nil); status != 409 {
		t.Fatalf("second check-in: %d %s", status, b)
	}
	// Three missed appointments in 90 days: no booking for 30 days.
	const phone = "13600000009"
	for i, day := range []string{"2026-03-05", "2026-03-06", "2026-03-07"} {
		if status, body := book(phone, fmt.Sprintf("RS-A-00%d", i+2), day, "09:00"); status != 201 {
			t.Fatalf("book %s: %d %s", day, status, body)
		}
	}
	now = time.Date(2026, 3, 8, 8, 0, 0, 0, loc)
	if n, err := e.DB.MarkAppointmentNoShows(context.Background()); err != nil || n != 3 {
		t.Fatalf("no-shows: %d %v", n, err)
	}
	if status, body := book(phone, itemA, "2026-03-09", "09:00"); status != 409 || !strings.Contains(body, "cannot book until 2026-04-06") {
		t.Fatalf("banned phone: %d %s", status, body)
	}
}

// TestAppointmentsOnlyOnWorkingDays: a hall that opens on working days
// offers no slots on a statutory holiday and refuses a booking for it.
func TestAppointmentsOnlyOnWorkingDays(t *testing.T) {
	e := newHall(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e.DB.SetClock(func() time.Time { return time.Date(2026, 4, 1, 9, 0, 0, 0, loc) })
	h, err := e.DB.Hall(context.Background(), e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	h.Hours.AlwaysOpen, h.Hours.WorkingDaysOnly = false, true
	if _, err := e.DB.UpdateHall(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	slots := func(day string) int {
		status, b := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/appointment-slots?item=%s&day=%s", e.Hall, itemA, day), "", nil)
		var out []struct{ Slot string }
		if err := json.Unmarshal(b, &out); status != 200 || err != nil {
			t.Fatalf("slots %s: %d %s", day, status, b)
		}
		return len(out)
	}
	if n := slots("2026-04-06"); n != 0 { // Qingming holiday, a Monday
		t.Errorf("holiday offers %d slots", n)
	}
	if n := slots("2026-04-07"); n == 0 {
		t.Errorf("working day offers no slots")
	}
	status, b := e.do("POST", "/api/v1/appointments", "", map[string]string{"item": itemA, "day": "2026-04-06", "slot": "10:00", "phone": "13600000009", "sms_code": e.smsCode("13600000009")})
	if status != 400 || !strings.Contains(string(b), "closed") {
		t.Errorf("booking a holiday: %d %s", status, b)
	}
}
