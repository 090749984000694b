package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"mingbai/internal/cases"
	"mingbai/internal/reports"
	"mingbai/internal/store"
)

// rollupDay is the seeded test day of the report tests.
const rollupDay = "2026-02-12"

// seedRollupDay writes the hand-computed test day of docs/oversight.md:
// six tickets at known times at one window, three cases (one sent back
// for correction with its missing material, one completed the same day)
// and five ratings (one invalid, one a callback answer). It returns the
// zone of the cases' item.
func seedRollupDay(t *testing.T, e *caseEnv) (ticketIDs []int64, caseIDs []int64, caseZone string) {
	t.Helper()
	db := e.db
	at := func(hm string) int64 {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", rollupDay+" "+hm, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	type tk struct {
		item, zone, state             string
		issued, called, start, finish string
		window                        bool
		transfers                     int
	}
	tickets := []tk{
		{"RS-X", "employment", "done", "09:00:00", "09:05:00", "09:05:00", "09:15:00", true, 0},
		{"RS-X", "employment", "done", "09:00:00", "09:12:30", "09:13:00", "09:21:00", true, 0},
		{"RS-X", "employment", "no_show", "09:10:00", "09:30:00", "", "09:33:00", true, 0},
		{"RS-X", "employment", "done", "09:20:00", "09:20:00", "09:21:00", "09:51:00", true, 1},
		{"RS-Y", "employment", "cancelled", "10:00:00", "", "", "10:30:00", false, 0},
		{"RS-Y", "employment", "waiting", "10:00:00", "", "", "", false, 0},
	}
	ms := func(s string) int64 {
		if s == "" {
			return 0
		}
		return at(s)
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		zid, err := tx.InsertID("INSERT INTO zones (hall_id, code, name, prefix) VALUES (?, 'employment', '就业服务区', 'A')", e.hall.ID)
		if err != nil {
			return err
		}
		win, err := tx.InsertID("INSERT INTO windows (hall_id, zone_id, number, staff_id) VALUES (?, ?, '01', ?)", e.hall.ID, zid, e.staff.ID)
		if err != nil {
			return err
		}
		for i, x := range tickets {
			var w, s any
			if x.window {
				w, s = win, e.staff.ID
			}
			id, err := tx.InsertID(`INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, channel, state, issued_at, created_at,
				called_at, started_at, finished_at, window_id, staff_id, track_token) VALUES (?, ?, ?, 'A', ?, ?, ?, 'kiosk', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.hall.ID, rollupDay, "A"+string(rune('1'+i)), i+1, x.item, x.zone, x.state, ms(x.issued), ms(x.issued),
				ms(x.called), ms(x.start), ms(x.finish), w, s, "tok-rollup-"+string(rune('a'+i)))
			if err != nil {
				return err
			}
			ticketIDs = append(ticketIDs, id)
			for k := 0; k < x.transfers; k++ {
				if _, err := tx.Exec(`INSERT INTO ticket_transitions (ticket_id, action, from_state, to_state, at, actor) VALUES (?, 'transfer', 'called', 'transferred', ?, 'w01')`, id, ms(x.called)); err != nil {
					return err
				}
			}
		}
		// Ratings of the first three served tickets (5, 4, 2), a callback
		// answer (3) and an invalid rating (1), all at window 01.
		for i, r := range []struct {
			level   int
			channel string
			invalid int
		}{{5, "pad", 0}, {4, "qr", 0}, {2, "pad", 0}, {3, "callback", 0}, {1, "sms", 1}} {
			id := ticketIDs[[]int{0, 1, 3, 0, 5}[i]]
			if _, err := tx.Exec(`INSERT INTO ratings (hall_id, service_kind, service_id, service_ref, channel, overall, staff_id, window_id, zone, item_code,
				served_at, rated_at, rated_date, invalid) VALUES (?, 'ticket', ?, 'A', ?, ?, ?, ?, 'employment', 'RS-X', ?, ?, ?, ?)`,
				e.hall.ID, id, r.channel, r.level, e.staff.ID, win, at("12:00:00"), at("12:00:00"), rollupDay, r.invalid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Cases, through the case area's own write paths.
	e.at(rollupDay + " 10:00")
	all := []string{"居民身份证", "相关类别证明", "《就业困难人员认定申请表》"}
	c1 := e.create(e.person("RS-A-004", all...))
	c2 := e.create(e.person("RS-A-004", all...))
	c3 := e.create(e.person("RS-A-004", all...))
	e.at(rollupDay + " 15:00")
	if _, err := db.UpdateCaseMaterials(staffCtx, c2.HallID, c2.ID, store.MaterialsUpdate{Materials: []store.MaterialStatusInput{{Name: "《就业困难人员认定申请表》", Status: cases.Missing}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ChangeCaseState(staffCtx, c2.HallID, c2.ID, store.CaseChange{To: cases.Correction}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ChangeCaseState(staffCtx, c3.HallID, c3.ID, store.CaseChange{To: cases.InReview}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ChangeCaseState(staffCtx, c3.HallID, c3.ID, store.CaseChange{To: cases.Completed}); err != nil {
		t.Fatal(err)
	}
	return ticketIDs, []int64{c1.ID, c2.ID, c3.ID}, c1.Zone
}

// reportCells returns the formatted figures of f by column key.
func reportCells(f *reports.Figures) map[string]string {
	out := map[string]string{}
	for _, c := range reports.Columns {
		out[c.Key] = c.Value(f).Format()
	}
	return out
}

func checkCells(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %q, want %q", what, k, got[k], w)
		}
	}
}

// TestRollupSeededDay checks the report figures of the seeded day against
// the hand-computed table of docs/oversight.md ("Reports: a worked day"),
// that the rollups follow later writes (triggers, no call from the web),
// that they equal a recomputation from the raw rows, and that a rebuild
// repairs damaged rollups. It runs on SQLite, and on PostgreSQL when
// MINGBAI_TEST_PG is set.
func TestRollupSeededDay(t *testing.T) {
	e := newCaseEnv(t)
	db := e.db
	ids, _, caseZone := seedRollupDay(t, e)
	e.at("2026-02-13 09:00")
	build := func(by string, from, to string) reports.Report {
		t.Helper()
		d, err := db.ReportRows(ctx, []int64{e.hall.ID}, from, to)
		if err != nil {
			t.Fatal(err)
		}
		today := e.now.In(shanghai).Format(time.DateOnly)
		return reports.Build(reports.Period{Kind: reports.Custom, From: from, To: to}, by, today, d.Rows, d.Reasons)
	}
	rep := build(reports.ByItem, rollupDay, rollupDay)
	// The hand-computed table (docs/oversight.md).
	checkCells(t, "total", reportCells(&rep.Total), map[string]string{
		"reports.col_visits": "6", "reports.col_called": "4", "reports.col_wait_mean": "9.4",
		"reports.col_wait_p50": "5", "reports.col_wait_p90": "20", "reports.col_wait_max": "20.0", "reports.col_within10": "50.0",
		"reports.col_served": "3", "reports.col_service_mean": "16.0", "reports.col_service_p90": "30", "reports.col_service_max": "30.0",
		"reports.col_no_shows": "1", "reports.col_transfers": "1",
		"reports.col_cases_accepted": "3", "reports.col_cases_completed": "1", "reports.col_cases_on_time": "1", "reports.col_on_time_rate": "100.0",
		"reports.col_cases_overdue": "0", "reports.col_corrections": "1",
		"reports.col_ratings": "3", "reports.col_rating_mean": "3.67", "reports.col_satisfaction": "66.7", "reports.col_satisfaction_ci": "20.8–93.9",
		"reports.col_bad": "1", "reports.col_callbacks": "1", "reports.col_callback_satisfaction": "100.0", "reports.col_complaints": "0",
	})
	groups := map[string]map[string]string{}
	for i := range rep.Groups {
		groups[rep.Groups[i].Key] = reportCells(&rep.Groups[i].Figures)
	}
	checkCells(t, "RS-X", groups["RS-X"], map[string]string{"reports.col_visits": "4", "reports.col_called": "4", "reports.col_ratings": "3"})
	checkCells(t, "RS-Y", groups["RS-Y"], map[string]string{"reports.col_visits": "2", "reports.col_called": "0", "reports.col_wait_mean": "—"})
	checkCells(t, "RS-A-004", groups["RS-A-004"], map[string]string{"reports.col_visits": "0", "reports.col_cases_accepted": "3", "reports.col_corrections": "1"})
	if len(rep.Reasons) != 1 || rep.Reasons[0].Reason != "《就业困难人员认定申请表》" || rep.Reasons[0].N != 1 {
		t.Errorf("correction reasons: %+v", rep.Reasons)
	}
	zones := build(reports.ByZone, rollupDay, rollupDay)
	if len(zones.Groups) == 0 {
		t.Fatal("no zone groups")
	}
	_ = caseZone

	// An independent count straight from the tickets table.
	var n, called, waitSum int64
	if err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*), CAST(SUM(CASE WHEN called_at > 0 THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN called_at > 0 THEN called_at - issued_at ELSE 0 END) AS BIGINT) FROM tickets WHERE hall_id = ? AND day = ?`, e.hall.ID, rollupDay).Scan(&n, &called, &waitSum)
	}); err != nil {
		t.Fatal(err)
	}
	if n != rep.Total.Visits || called != rep.Total.Called || waitSum != rep.Total.WaitSumMs {
		t.Errorf("raw tickets: %d %d %d, rollup %d %d %d", n, called, waitSum, rep.Total.Visits, rep.Total.Called, rep.Total.WaitSumMs)
	}

	// Overdue: the open case and the completed one are due 2026-03-04; the
	// case in correction has its clock stopped. Once the day has passed,
	// one is overdue.
	e.at("2026-03-04 12:00")
	if got := build(reports.ByHall, "2026-03-04", "2026-03-04").Total.Overdue; got != 0 {
		t.Errorf("overdue on the due day itself = %d, want 0", got)
	}
	e.at("2026-03-10 09:00")
	due := build(reports.ByHall, "2026-03-04", "2026-03-04")
	if due.Total.Overdue != 1 || due.Total.CasesDue != 2 || due.Total.CasesDueMet != 1 {
		t.Errorf("due cohort: due %d met %d overdue %d, want 2 1 1", due.Total.CasesDue, due.Total.CasesDueMet, due.Total.Overdue)
	}

	// A later write marks its hall-day; the next report sees it.
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec("UPDATE tickets SET state = 'cancelled', finished_at = issued_at + 1 WHERE id = ?", ids[5])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if stale, _ := db.RollupStale(ctx); stale == 0 {
		t.Fatal("an update of a ticket left no stale mark")
	}
	rep = build(reports.ByItem, rollupDay, rollupDay)
	if rep.Total.Cancelled != 2 || rep.Total.Visits != 6 {
		t.Errorf("after a cancellation: cancelled %d visits %d", rep.Total.Cancelled, rep.Total.Visits)
	}
	if stale, _ := db.RollupStale(ctx); stale != 0 {
		t.Errorf("%d marks left after a flush", stale)
	}

	// Stored rollups equal a recomputation from the raw rows, for every
	// day with raw rows.
	for _, day := range []string{rollupDay, "2026-03-04"} {
		want, wantR, err := db.ComputeHallDay(ctx, e.hall.ID, day)
		if err != nil {
			t.Fatal(err)
		}
		got, gotR, err := db.StoredRollups(ctx, e.hall.ID, day)
		if err != nil {
			t.Fatal(err)
		}
		sortRows(got)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotR, wantR) && len(gotR)+len(wantR) > 0 {
			t.Errorf("%s: stored rollups differ from the raw rows:\n got %+v\nwant %+v", day, got, want)
		}
	}

	// Damage the rollups: a rebuild restores them.
	if _, err := db.Raw().Exec(db.Rebind("UPDATE rollup_daily SET visits = 99, wait_hist = '' WHERE hall_id = ?"), e.hall.ID); err != nil {
		t.Fatal(err)
	}
	if bad, _, err := db.CheckRollups(ctx); err != nil || len(bad) != 2 || bad[0] != fmt.Sprintf("hall %d %s", e.hall.ID, rollupDay) {
		t.Fatalf("check after damage: %v %v", bad, err)
	}
	var steps int
	n2, err := db.RebuildRollups(ctx, func(store.RebuildProgress) { steps++ })
	if err != nil || n2 < 2 || steps == 0 {
		t.Fatalf("rebuild: %d hall-days, %d progress calls, %v", n2, steps, err)
	}
	rep = build(reports.ByItem, rollupDay, rollupDay)
	checkCells(t, "after rebuild", reportCells(&rep.Total), map[string]string{"reports.col_visits": "6", "reports.col_wait_p90": "20"})
	if bad, n, err := db.CheckRollups(ctx); err != nil || len(bad) != 0 || n < 2 {
		t.Fatalf("check after rebuild: %v of %d, %v", bad, n, err)
	}
}

func sortRows(rows []reports.Row) {
	less := func(a, b reports.Key) bool {
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		if a.Zone != b.Zone {
			return a.Zone < b.Zone
		}
		if a.Item != b.Item {
			return a.Item < b.Item
		}
		if a.WindowID != b.WindowID {
			return a.WindowID < b.WindowID
		}
		return a.StaffID < b.StaffID
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && less(rows[j].Key, rows[j-1].Key); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}
