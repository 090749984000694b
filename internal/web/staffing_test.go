package web_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"mingbai/internal/web"
)

func TestStaffingAdvisorJob(t *testing.T) {
	e := newHall(t)
	web.SetStaffingDays(2, 3)
	manager := e.token("manager")
	for _, bad := range []string{`{"scenario":"../../etc/passwd"}`, `{"scenario":"reference","target_percent":120}`} {
		if status, body := e.do("POST", "/api/v1/staffing", manager, bad); status != 400 {
			t.Errorf("%s: %d %s", bad, status, body)
		}
	}
	status, body := e.do("POST", "/api/v1/staffing", manager, `{"scenario":"reference","target_percent":90,"target_minutes":10}`)
	if status != 202 {
		t.Fatalf("start: %d %s", status, body)
	}
	var job struct {
		ID          int64
		Done        bool
		Simulations int
		Error       string
		Advice      *struct {
			Proposed struct {
				StaffHours float64 `json:"staff_hours"`
			}
			Windows []struct{ Zones []string }
			Hours   []struct{ Proposed int }
		}
	}
	json.Unmarshal(body, &job)
	if status, _ := e.do("POST", "/api/v1/staffing", manager, `{"scenario":"skewed","target_percent":90,"target_minutes":10}`); status != 409 && !job.Done {
		t.Errorf("second job while one runs: %d, want 409", status)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for !job.Done {
		if time.Now().After(deadline) {
			t.Fatal("advisor job did not finish")
		}
		status, body = e.do("GET", fmt.Sprintf("/api/v1/staffing/%d", job.ID), e.token("auditor"), nil)
		if status != 200 {
			t.Fatalf("poll: %d %s", status, body)
		}
		json.Unmarshal(body, &job)
		time.Sleep(50 * time.Millisecond) // polling interval, not a wait for an event
	}
	if job.Error != "" || job.Advice == nil || len(job.Advice.Windows) != 22 || len(job.Advice.Hours) != 9 || job.Advice.Proposed.StaffHours <= 0 || job.Simulations == 0 {
		t.Fatalf("advice: %s", body)
	}
	if status, _ := e.do("GET", "/api/v1/staffing/999999", manager, nil); status != 404 {
		t.Errorf("unknown job: %d", status)
	}
}
