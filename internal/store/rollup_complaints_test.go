package store_test

import (
	"testing"

	"mingbai/internal/complaints"
	"mingbai/internal/store"
)

// TestRollupsCountComplaints: a complaint counts in the rollups on the day
// it was received, under the window, staff member and zone it names; the
// stored rollups agree with the raw rows.
func TestRollupsCountComplaints(t *testing.T) {
	e := newPostsEnv(t, "2026-09-23 10:00")
	w := e.windows["7"]
	leader := complaints.Viewer{Username: "leader", Oversees: true, Acts: true}
	lctx := store.WithActor(ctx, store.Actor{Name: "leader", Role: "duty_leader", Source: "test"})
	for i, in := range []store.ComplaintInput{
		{HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelDuty, Type: complaints.TypeComplaint, Summary: "态度生硬"},
			SubjectStaffID: w.StaffID, SubjectWindowID: w.ID, Receiver: "leader", IdemKey: "rc1"},
		{HallID: e.hall, Intake: complaints.Intake{Channel: complaints.ChannelDuty, Type: complaints.TypeComplaint, Summary: "等太久"},
			SubjectStaffID: w.StaffID, SubjectWindowID: w.ID, Receiver: "leader", IdemKey: "rc2"},
	} {
		if _, err := e.db.CreateComplaint(lctx, in, leader); err != nil {
			t.Fatalf("complaint %d: %v", i, err)
		}
	}
	data, err := e.db.ReportRows(ctx, []int64{e.hall}, "2026-09-23", "2026-09-23")
	if err != nil {
		t.Fatal(err)
	}
	var total, atWindow int64
	for _, r := range data.Rows {
		total += r.Complaints
		if r.WindowID == w.ID && r.StaffID == w.StaffID && r.Zone == w.Zone {
			atWindow += r.Complaints
		}
	}
	if total != 2 || atWindow != 2 {
		t.Fatalf("complaints in the rollups: %d, at window 7 in its zone: %d", total, atWindow)
	}
	if bad, _, err := e.db.CheckRollups(ctx); err != nil || len(bad) != 0 {
		t.Fatalf("rollups differ from the raw rows: %v %v", bad, err)
	}
}
