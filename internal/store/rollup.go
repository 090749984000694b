package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"mingbai/internal/cases"
	"mingbai/internal/reports"
)

// Daily rollups (docs/oversight.md, "Reports"). Triggers of migration
// 00016 append the hall-days a write touched to rollup_dirty, inside the
// writer's transaction: a change and its mark commit together or not at
// all, so a crash loses nothing. FlushRollups recomputes the marked
// hall-days from the raw rows (tickets, cases, case steps, correction
// reasons, ratings) and removes exactly the marks it read, in one
// transaction: a mark committed meanwhile stays for the next flush.
// Recomputing a whole hall-day, rather than adding deltas per event, keeps
// the rollup equal to its raw rows whatever path changed them (transfers,
// reissues, invalidated ratings, corrected deadlines); its cost is one
// hall-day of rows, bounded and small.

// rollupBatch bounds the marks one flush transaction takes.
const rollupBatch = 2000

type hallDay struct {
	hall int64
	day  string
}

// lockRollups serialises rollup writers (the job, a report's flush, a
// rebuild): two recomputing the same hall-day at once would insert the
// same keys.
func lockRollups(tx *Tx) error {
	_, err := tx.Exec("UPDATE rollup_lock SET n = n + 1 WHERE id = 1")
	return err
}

// FlushRollups brings every stale hall-day up to date and returns how
// many it recomputed.
func (db *DB) FlushRollups(ctx context.Context) (int, error) {
	// Most of the time nothing is stale: a read says so without taking the
	// writer (SQLite has one).
	if n, err := db.RollupStale(ctx); err != nil || n == 0 {
		return 0, wrap("flush rollups", err)
	}
	total := 0
	for {
		n, more, err := db.flushRollupBatch(ctx)
		total += n
		if err != nil || !more {
			return total, wrap("flush rollups", err)
		}
	}
}

func (db *DB) flushRollupBatch(ctx context.Context) (n int, more bool, err error) {
	err = db.writeUnchained(ctx, func(tx *Tx) error {
		var pending int
		if err := tx.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM rollup_dirty LIMIT 1) x").Scan(&pending); err != nil || pending == 0 {
			return err
		}
		if err := lockRollups(tx); err != nil {
			return err
		}
		rows, err := tx.Query("SELECT id, hall_id, day FROM rollup_dirty ORDER BY id LIMIT ?", rollupBatch)
		if err != nil {
			return err
		}
		var ids []int64
		seen := map[hallDay]bool{}
		var keys []hallDay
		for rows.Next() {
			var id int64
			var k hallDay
			if err := rows.Scan(&id, &k.hall, &k.day); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			if !seen[k] && k.day != "" {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			if err := recomputeHallDay(tx, k.hall, k.day); err != nil {
				return err
			}
		}
		n, more = len(keys), len(ids) == rollupBatch
		for len(ids) > 0 {
			part := ids[:min(len(ids), 500)]
			ids = ids[len(part):]
			q, args := "DELETE FROM rollup_dirty WHERE id IN (", make([]any, len(part))
			for i, id := range part {
				if i > 0 {
					q += ", "
				}
				q += "?"
				args[i] = id
			}
			if _, err := tx.Exec(q+")", args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return n, more, nil
}

// RollupStale reports whether marks are pending (1) or not (0).
func (db *DB) RollupStale(ctx context.Context) (int64, error) {
	var n int64
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM rollup_dirty LIMIT 1) x").Scan(&n)
	})
	return n, err
}

// ComputeHallDay computes one hall-day's rollup rows and correction
// reasons from the raw rows, without storing them (the check test
// compares them with what is stored).
func (db *DB) ComputeHallDay(ctx context.Context, hallID int64, day string) (rows []reports.Row, reasons []reports.Reason, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		rows, reasons, err = computeHallDay(tx, hallID, day)
		return err
	})
	return rows, reasons, err
}

// recomputeHallDay replaces one hall-day's rollup rows.
func recomputeHallDay(tx *Tx, hallID int64, day string) error {
	rows, reasons, err := computeHallDay(tx, hallID, day)
	if err != nil {
		return err
	}
	if _, err := tx.Exec("DELETE FROM rollup_daily WHERE hall_id = ? AND day = ?", hallID, day); err != nil {
		return err
	}
	if _, err := tx.Exec("DELETE FROM rollup_reasons WHERE hall_id = ? AND day = ?", hallID, day); err != nil {
		return err
	}
	// In multi-row statements (insertRows): a hall-day has tens of keys,
	// and the flush of a province's hall-days sent one statement per key
	// (a round trip each on PostgreSQL).
	vals := make([][]any, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		c := &r.Counts
		vals = append(vals, []any{r.HallID, r.Day, r.Zone, r.Item, r.WindowID, r.StaffID,
			c.Visits, c.Called, c.WaitSumMs, c.WaitMaxMs, c.Within10, r.WaitHist, c.Served, c.ServiceSumMs, c.ServiceMaxMs, r.ServiceHist,
			c.NoShows, c.Cancelled, c.Transfers, c.CasesAccepted, c.CasesCompleted, c.CasesCompletedLate, c.CasesDue, c.CasesDueMet, c.Corrections,
			c.Ratings, c.RatingSum, c.RatingSatisfied, c.RatingBad, c.Callbacks, c.CallbackSum, c.CallbackSatisfied, c.Complaints})
	}
	if err := insertRows(tx, `INSERT INTO rollup_daily (hall_id, day, zone, item_code, window_id, staff_id,
			visits, called, wait_sum_ms, wait_max_ms, wait_within10, wait_hist, served, service_sum_ms, service_max_ms, service_hist,
			no_shows, cancelled, transfers, cases_accepted, cases_completed, cases_completed_late, cases_due, cases_due_met, corrections,
			ratings, rating_sum, rating_satisfied, rating_bad, callbacks, callback_sum, callback_satisfied, complaints)`, vals); err != nil {
		return err
	}
	vals = vals[:0]
	for _, r := range reasons {
		vals = append(vals, []any{r.HallID, r.Day, r.Zone, r.Item, r.WindowID, r.StaffID, r.Reason, r.N})
	}
	return insertRows(tx, "INSERT INTO rollup_reasons (hall_id, day, zone, item_code, window_id, staff_id, reason, n)", vals)
}

// caseKeyCols are a case's rollup key columns: its window is the window
// of the ticket it was accepted from, if any.
const caseKeyCols = `c.zone, c.item_code, COALESCE(t.window_id, 0), COALESCE(c.staff_id, 0)`
const caseKeyFrom = ` FROM cases c LEFT JOIN tickets t ON t.id = c.ticket_id `

// computeHallDay reads one hall-day's raw rows and sums them up per key.
// The definitions are those of docs/oversight.md.
func computeHallDay(tx *Tx, hallID int64, day string) ([]reports.Row, []reports.Reason, error) {
	acc := map[reports.Key]*reports.Figures{}
	get := func(zone, item string, win, staff int64) *reports.Figures {
		k := reports.Key{HallID: hallID, Day: day, Zone: zone, Item: item, WindowID: win, StaffID: staff}
		f := acc[k]
		if f == nil {
			f = &reports.Figures{}
			acc[k] = f
		}
		return f
	}
	// Transfers of the day's tickets.
	transfers := map[int64]int64{}
	if err := eachRow(tx, `SELECT tt.ticket_id, COUNT(*) FROM ticket_transitions tt JOIN tickets t ON t.id = tt.ticket_id
		WHERE t.hall_id = ? AND t.day = ? AND tt.action = 'transfer' GROUP BY tt.ticket_id`, []any{hallID, day}, func(sc scanner) error {
		var id, n int64
		if err := sc.Scan(&id, &n); err != nil {
			return err
		}
		transfers[id] = n
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// Tickets issued on the day (the ticket's day is the hall's local date
	// of issue), under their current zone, item, window and staff.
	if err := eachRow(tx, `SELECT id, zone, item_code, COALESCE(window_id, 0), COALESCE(staff_id, 0), state, issued_at, called_at, started_at, finished_at
		FROM tickets WHERE hall_id = ? AND day = ?`, []any{hallID, day}, func(sc scanner) error {
		var id, win, staff, issued, called, started, finished int64
		var zone, item, state string
		if err := sc.Scan(&id, &zone, &item, &win, &staff, &state, &issued, &called, &started, &finished); err != nil {
			return err
		}
		f := get(zone, item, win, staff)
		f.Visits++
		if called > 0 {
			f.AddWait(called - issued)
		}
		switch state {
		case "done":
			f.Served++
			if started > 0 && finished >= started {
				f.AddService(finished - started)
			}
		case "no_show":
			f.NoShows++
		case "cancelled":
			f.Cancelled++
		}
		f.Transfers += transfers[id]
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// Cases accepted, closed or due on the day.
	if err := eachRow(tx, `SELECT `+caseKeyCols+`, c.accepted_date, c.closed_date, c.pledged_due, c.state`+caseKeyFrom+`
		WHERE c.hall_id = ? AND (c.accepted_date = ? OR c.closed_date = ? OR c.pledged_due = ?)`, []any{hallID, day, day, day}, func(sc scanner) error {
		var zone, item, accepted, closed, due, state string
		var win, staff int64
		if err := sc.Scan(&zone, &item, &win, &staff, &accepted, &closed, &due, &state); err != nil {
			return err
		}
		f := get(zone, item, win, staff)
		if accepted == day {
			f.CasesAccepted++
		}
		if closed == day && state == string(cases.Completed) {
			f.CasesCompleted++
			if due != "" && closed > due {
				f.CasesCompletedLate++
			}
		}
		// The due cohort: every case whose pledged due date is the day,
		// but withdrawn ones and ones whose clock is stopped (correction).
		if due == day && state != string(cases.Withdrawn) && state != string(cases.Correction) {
			f.CasesDue++
			if (state == string(cases.Completed) || state == string(cases.Rejected)) && closed != "" && closed <= due {
				f.CasesDueMet++
			}
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// Correction requests made on the day.
	if err := eachRow(tx, `SELECT `+caseKeyCols+caseKeyFrom+` JOIN case_steps s ON s.case_id = c.id
		WHERE c.hall_id = ? AND s.date = ? AND s.action = 'correction'`, []any{hallID, day}, func(sc scanner) error {
		var zone, item string
		var win, staff int64
		if err := sc.Scan(&zone, &item, &win, &staff); err != nil {
			return err
		}
		get(zone, item, win, staff).Corrections++
		return nil
	}); err != nil {
		return nil, nil, err
	}
	reasonN := map[reports.Reason]int64{}
	if err := eachRow(tx, `SELECT `+caseKeyCols+`, r.material`+caseKeyFrom+` JOIN case_correction_reasons r ON r.case_id = c.id
		WHERE c.hall_id = ? AND r.day = ?`, []any{hallID, day}, func(sc scanner) error {
		var r reports.Reason
		if err := sc.Scan(&r.Zone, &r.Item, &r.WindowID, &r.StaffID, &r.Reason); err != nil {
			return err
		}
		r.HallID, r.Day = hallID, day
		reasonN[r]++
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// Valid ratings given on the day: callback answers apart.
	if err := eachRow(tx, `SELECT zone, item_code, COALESCE(window_id, 0), COALESCE(staff_id, 0), channel, overall
		FROM ratings WHERE hall_id = ? AND rated_date = ? AND invalid = 0`, []any{hallID, day}, func(sc scanner) error {
		var zone, item, channel string
		var win, staff int64
		var level int
		if err := sc.Scan(&zone, &item, &win, &staff, &channel, &level); err != nil {
			return err
		}
		f := get(zone, item, win, staff)
		sat := int64(0)
		if reports.Satisfied(level) {
			sat = 1
		}
		if channel == "callback" {
			f.Callbacks++
			f.CallbackSum += int64(level)
			f.CallbackSatisfied += sat
			return nil
		}
		f.Ratings++
		f.RatingSum += int64(level)
		f.RatingSatisfied += sat
		if reports.Bad(level) {
			f.RatingBad++
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// Complaints and suggestions received on the day (every type and
	// channel), under the window and staff member they name; the zone is
	// the named window's.
	if err := eachRow(tx, `SELECT COALESCE(z.code, ''), c.item_code, COALESCE(c.subject_window_id, 0), COALESCE(c.subject_staff_id, 0)
		FROM complaints c LEFT JOIN windows w ON w.id = c.subject_window_id LEFT JOIN zones z ON z.id = w.zone_id
		WHERE c.hall_id = ? AND c.received_date = ?`, []any{hallID, day}, func(sc scanner) error {
		var zone, item string
		var win, staff int64
		if err := sc.Scan(&zone, &item, &win, &staff); err != nil {
			return err
		}
		get(zone, item, win, staff).Complaints++
		return nil
	}); err != nil {
		return nil, nil, err
	}
	rows := make([]reports.Row, 0, len(acc))
	for k, f := range acc {
		rows = append(rows, f.Row(k))
	}
	sort.Slice(rows, func(i, j int) bool { return keyLess(rows[i].Key, rows[j].Key) })
	reasons := make([]reports.Reason, 0, len(reasonN))
	for r, n := range reasonN {
		r.N = n
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if reasons[i].Key != reasons[j].Key {
			return keyLess(reasons[i].Key, reasons[j].Key)
		}
		return reasons[i].Reason < reasons[j].Reason
	})
	return rows, reasons, nil
}

func keyLess(a, b reports.Key) bool {
	return fmt.Sprintf("%d|%s|%s|%s|%020d|%020d", a.HallID, a.Day, a.Zone, a.Item, a.WindowID, a.StaffID) <
		fmt.Sprintf("%d|%s|%s|%s|%020d|%020d", b.HallID, b.Day, b.Zone, b.Item, b.WindowID, b.StaffID)
}

type scanner interface{ Scan(...any) error }

func eachRow(tx *Tx, q string, args []any, fn func(scanner) error) error {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// recordCorrectionReasons keeps the materials missing when a case is sent
// back for correction (the reasons of correction request seq), for the
// reports. Called by ChangeCaseState in its transaction.
func recordCorrectionReasons(tx *Tx, caseID int64, seq int, day string, ms []cases.Material) error {
	for _, m := range ms {
		if m.Status != cases.Missing {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO case_correction_reasons (case_id, seq, day, material) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, caseID, seq, day, m.Name); err != nil {
			return err
		}
	}
	return nil
}

// RebuildProgress is reported by RebuildRollups after every hall-day.
type RebuildProgress struct {
	Done, Total int
	HallID      int64
	Day         string
	Elapsed     time.Duration
}

// RebuildRollups recomputes every hall-day that has raw rows, replacing
// its rollups hall-day by hall-day (a report meanwhile sees each hall-day
// either before or after), then removes rollups of hall-days without raw
// rows, removes the marks it covered and flushes those left.
// progress, when set, is called after every batch of hall-days.
func (db *DB) RebuildRollups(ctx context.Context, progress func(RebuildProgress)) (int, error) {
	start := time.Now()
	var keys []hallDay
	var marks []int64
	err := db.Read(ctx, func(tx *Tx) error {
		// The marks visible now are covered by the recomputation below,
		// which reads later; marks committed meanwhile are left for the
		// next flush.
		if err := eachRow(tx, "SELECT id FROM rollup_dirty ORDER BY id", nil, func(sc scanner) error {
			var id int64
			err := sc.Scan(&id)
			marks = append(marks, id)
			return err
		}); err != nil {
			return err
		}
		return eachRow(tx, `SELECT hall_id, day FROM tickets GROUP BY hall_id, day
			UNION SELECT hall_id, accepted_date FROM cases
			UNION SELECT hall_id, closed_date FROM cases WHERE closed_date <> ''
			UNION SELECT hall_id, pledged_due FROM cases WHERE pledged_due <> ''
			UNION SELECT c.hall_id, s.date FROM case_steps s JOIN cases c ON c.id = s.case_id WHERE s.action = 'correction'
			UNION SELECT c.hall_id, r.day FROM case_correction_reasons r JOIN cases c ON c.id = r.case_id
			UNION SELECT hall_id, rated_date FROM ratings
			ORDER BY 1, 2`, nil, func(sc scanner) error {
			var k hallDay
			if err := sc.Scan(&k.hall, &k.day); err != nil {
				return err
			}
			keys = append(keys, k)
			return nil
		})
	})
	if err != nil {
		return 0, wrap("rebuild rollups", err)
	}
	const perTx = 20
	for i := 0; i < len(keys); i += perTx {
		part := keys[i:min(i+perTx, len(keys))]
		if err := db.writeUnchained(ctx, func(tx *Tx) error {
			if err := lockRollups(tx); err != nil {
				return err
			}
			for _, k := range part {
				if err := recomputeHallDay(tx, k.hall, k.day); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return i, wrap("rebuild rollups", err)
		}
		if progress != nil {
			last := part[len(part)-1]
			progress(RebuildProgress{Done: i + len(part), Total: len(keys), HallID: last.hall, Day: last.day, Elapsed: time.Since(start)})
		}
	}
	err = db.writeUnchained(ctx, func(tx *Tx) error {
		if err := lockRollups(tx); err != nil {
			return err
		}
		valid := map[hallDay]bool{}
		for _, k := range keys {
			valid[k] = true
		}
		var stale []hallDay
		if err := eachRow(tx, "SELECT DISTINCT hall_id, day FROM rollup_daily", nil, func(sc scanner) error {
			var k hallDay
			if err := sc.Scan(&k.hall, &k.day); err != nil {
				return err
			}
			if !valid[k] {
				stale = append(stale, k)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range stale {
			if err := recomputeHallDay(tx, k.hall, k.day); err != nil {
				return err
			}
		}
		// Remove the marks read at the start, as runs of consecutive ids:
		// an id not read (not yet committed then) splits a run, so it
		// stays.
		for i := 0; i < len(marks); {
			j := i
			for j+1 < len(marks) && marks[j+1] == marks[j]+1 {
				j++
			}
			if _, err := tx.Exec("DELETE FROM rollup_dirty WHERE id >= ? AND id <= ?", marks[i], marks[j]); err != nil {
				return err
			}
			i = j + 1
		}
		return nil
	})
	if err != nil {
		return len(keys), wrap("rebuild rollups", err)
	}
	_, err = db.FlushRollups(ctx)
	return len(keys), err
}
