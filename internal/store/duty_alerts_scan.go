package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mingbai/internal/attendance"
	"mingbai/internal/hall"
	"mingbai/internal/queue"
)

// ScanDutyAlerts looks at a hall now and raises the alerts to the duty
// leader that its state calls for: windows paused or unattended too long
// while people wait for their items, zones with a long queue or a long
// wait, bad ratings, and the suggestion to open more windows when the
// people waiting would not be served before closing. Complaint deadlines
// are RemindComplaints. It returns how many alerts it raised; an alert
// already raised for the same episode is not raised again. The server
// runs it every 20 seconds (cmd/mingbai/jobs.go), so an alert comes within
// a minute of its threshold.
func (db *DB) ScanDutyAlerts(ctx context.Context, hallID int64) (int, error) {
	raised := 0
	err := db.Write(ctx, func(tx *Tx) error {
		h, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		open, openAt, closeAt, err := dutyHoursNow(tx, h, loc)
		if err != nil || !open {
			return err
		}
		st, err := dutySettingsTx(tx, hallID)
		if err != nil {
			return err
		}
		day := dayOf(tx.Now, loc)
		raise := func(k DutyAlertKind, ref string, window int64, params ...string) error {
			id, err := raiseDutyAlert(tx, hallID, k, ref, window, params...)
			if id != 0 {
				raised++
			}
			return err
		}
		// Waiting tickets by item and zone.
		type waitRow struct {
			item, zone, number string
			issued             int64
		}
		rows, err := tx.Query("SELECT item_code, zone, number, issued_at FROM tickets WHERE hall_id = ? AND day = ? AND state = ? ORDER BY issued_at, id",
			hallID, day, string(queue.StateWaiting))
		if err != nil {
			return err
		}
		var waiting []waitRow
		for rows.Next() {
			var w waitRow
			if err := rows.Scan(&w.item, &w.zone, &w.number, &w.issued); err != nil {
				rows.Close()
				return err
			}
			waiting = append(waiting, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		byItem := map[string]int{}
		byZone := map[string][]waitRow{}
		var zones []string
		for _, w := range waiting {
			byItem[w.item]++
			if byZone[w.zone] == nil {
				zones = append(zones, w.zone)
			}
			byZone[w.zone] = append(byZone[w.zone], w)
		}
		// Windows: paused or unattended while people wait for their items.
		windows, err := listWindows(tx, hallID)
		if err != nil {
			return err
		}
		openWindows := 0
		limit := time.Duration(st.AwayMinutes) * time.Minute
		for _, w := range windows {
			wn, err := dutyWindowNow(tx, w, openAt)
			if err != nil {
				return err
			}
			if wn.State == string(queue.WindowOpen) {
				openWindows++
			}
			if w.StaffID == 0 {
				continue // not on the schedule: a spare window
			}
			for _, it := range w.Items {
				wn.Waiting += byItem[it]
			}
			if ok, mins := attendance.Unattended(wn, tx.Now, true, limit); ok {
				ref := fmt.Sprintf("window:%d:%d", w.ID, wn.Since.UnixMilli())
				if err := raise(DutyUnattended, ref, w.ID, w.Number, wn.State, strconv.Itoa(mins), strconv.Itoa(wn.Waiting)); err != nil {
					return err
				}
			}
		}
		// Long queues and long waits, at most once an hour per zone.
		hour := tx.Now.In(loc).Format("2006-01-02T15")
		names, err := dutyZoneNames(tx, hallID)
		if err != nil {
			return err
		}
		for _, z := range zones {
			ws := byZone[z]
			name := names[z]
			if name == "" {
				name = z
			}
			if len(ws) > st.QueueMax {
				if err := raise(DutyQueueLong, "zone:"+z+":"+hour, 0, name, strconv.Itoa(len(ws)), strconv.Itoa(st.QueueMax)); err != nil {
					return err
				}
			}
			oldest := ws[0]
			if wait := tx.Now.Sub(time.UnixMilli(oldest.issued)); wait >= time.Duration(st.WaitMinutes)*time.Minute {
				if err := raise(DutyWaitLong, "zone:"+z+":"+hour, 0, name, oldest.number, strconv.Itoa(int(wait/time.Minute))); err != nil {
					return err
				}
			}
		}
		// Bad ratings of the last hour (the two lowest levels).
		rrows, err := tx.Query("SELECT r.id, COALESCE(w.id, 0), COALESCE(w.number, ''), r.overall FROM ratings r LEFT JOIN windows w ON w.id = r.window_id WHERE r.hall_id = ? AND r.rated_at >= ? AND r.overall BETWEEN 1 AND 2 AND r.invalid = 0",
			hallID, tx.Now.Add(-time.Hour).UnixMilli())
		if err != nil {
			return err
		}
		type bad struct {
			id, window int64
			number     string
			level      int
		}
		var bads []bad
		for rrows.Next() {
			var b bad
			if err := rrows.Scan(&b.id, &b.window, &b.number, &b.level); err != nil {
				rrows.Close()
				return err
			}
			bads = append(bads, b)
		}
		rrows.Close()
		if err := rrows.Err(); err != nil {
			return err
		}
		for _, b := range bads {
			if err := raise(DutyBadRating, fmt.Sprintf("rating:%d", b.id), b.window, b.number, strconv.Itoa(b.level)); err != nil {
				return err
			}
		}
		// More windows needed to serve everyone before closing?
		if len(waiting) > 0 {
			plan, numbers, err := dutyExtraPlan(tx, hallID, day, windows, closeAt.Sub(tx.Now))
			if err != nil {
				return err
			}
			if len(plan.Windows) > 0 {
				if err := raise(DutyExtra, "hall:"+hour, 0, strconv.Itoa(len(waiting)), strconv.Itoa(openWindows), strconv.Itoa(len(plan.Windows)),
					strings.Join(numbers, "、"), strconv.Itoa(plan.Left)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return raised, wrap("scan duty alerts", err)
}

// dutyHoursNow tells whether the hall is within its opening hours now (a
// working day when it opens on working days only) and today's opening and
// closing times.
func dutyHoursNow(tx *Tx, h hall.Hall, loc *time.Location) (bool, time.Time, time.Time, error) {
	local := tx.Now.In(loc)
	at := func(hm string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", local.Format("2006-01-02")+" "+hm, loc)
		if err != nil {
			return local
		}
		return t
	}
	openAt, closeAt := at(h.Hours.Open), at(h.Hours.Close)
	if h.Hours.AlwaysOpen {
		return true, openAt, closeAt, nil
	}
	isWork, err := workingDayCheck(tx, h)
	if err != nil {
		return false, openAt, closeAt, err
	}
	if h.Hours.WorkingDaysOnly {
		work := local.Weekday() != time.Saturday && local.Weekday() != time.Sunday
		if isWork != nil {
			if work, err = isWork(local); err != nil {
				return false, openAt, closeAt, err
			}
		}
		if !work {
			return false, openAt, closeAt, nil
		}
	}
	return !tx.Now.Before(openAt) && tx.Now.Before(closeAt), openAt, closeAt, nil
}

// dutyWindowNow is a window's state and since when: its active session, or
// closed since its last sign-out today (at the earliest since opening).
func dutyWindowNow(tx *Tx, w hall.Window, openAt time.Time) (attendance.WindowNow, error) {
	wn := attendance.WindowNow{WindowID: w.ID, State: string(queue.WindowClosed), Since: openAt}
	cur, err := sessionOf(tx, w.ID)
	if err != nil {
		return wn, err
	}
	if cur != nil {
		wn.State, wn.Since = string(cur.State), time.UnixMilli(cur.UpdatedAt)
		if cur.State == queue.WindowOpen {
			return wn, nil
		}
		if wn.Since.Before(openAt) {
			wn.Since = openAt
		}
		// Earlier pauses of today that this one follows after a brief
		// return add up (attendance.AwayEpisode): one episode, one alert.
		rows, err := tx.Query("SELECT from_at, until_at FROM window_pauses WHERE window_id = ? AND until_at > ? AND until_at <= ?",
			w.ID, openAt.UnixMilli(), wn.Since.UnixMilli())
		if err != nil {
			return wn, err
		}
		var earlier []attendance.Span
		for rows.Next() {
			var f, u int64
			if err := rows.Scan(&f, &u); err != nil {
				rows.Close()
				return wn, err
			}
			from := time.UnixMilli(f)
			if from.Before(openAt) {
				from = openAt
			}
			earlier = append(earlier, attendance.Span{From: from, To: time.UnixMilli(u)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return wn, err
		}
		if len(earlier) > 0 {
			wn.Since, wn.Away = attendance.AwayEpisode(wn.Since, tx.Now, earlier)
		}
		return wn, nil
	}
	var last int64
	if err := tx.QueryRow("SELECT COALESCE(MAX(closed_at), 0) FROM window_sessions WHERE window_id = ? AND state = 'closed'", w.ID).Scan(&last); err != nil {
		return wn, err
	}
	if t := time.UnixMilli(last); last > 0 && t.After(openAt) {
		wn.Since = t
	}
	return wn, nil
}

func dutyZoneNames(tx *Tx, hallID int64) (map[string]string, error) {
	rows, err := tx.Query("SELECT code, name FROM zones WHERE hall_id = ?", hallID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, n string
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

// dutyExtraSeed seeds the replays of the extra-window plan, so that one
// state of the hall always gives the same suggestion.
const dutyExtraSeed = 0x6d696e67626169

// dutyExtraPlan replays the waiting queue with the windows open now
// (queue.Replay.PlanExtraWindows, on the same snapshot as the wait
// estimates) and, when people would be left over at closing, picks the
// closed or paused windows to open, with their configured item sets. It
// returns the plan and the numbers of the windows to open.
func dutyExtraPlan(tx *Tx, hallID int64, day string, windows []hall.Window, untilClose time.Duration) (queue.ExtraPlan, []string, error) {
	qs, err := queueSettings(tx, hallID)
	if err != nil {
		return queue.ExtraPlan{}, nil, err
	}
	snap, _, err := buildSnapshot(tx, hallID, day, qs, nil)
	if err != nil {
		return queue.ExtraPlan{}, nil, err
	}
	open := map[string]bool{}
	for _, w := range snap.Windows {
		open[w.Window.ID] = true
	}
	var closed []queue.WindowState
	number := map[string]string{}
	for _, w := range windows {
		qw := queueWindow(w, false)
		number[qw.ID] = w.Number
		if !open[qw.ID] {
			closed = append(closed, queue.WindowState{Window: qw})
		}
	}
	plan := queue.Replay{Seed: dutyExtraSeed}.PlanExtraWindows(snap, closed, untilClose)
	numbers := make([]string, len(plan.Windows))
	for i, id := range plan.Windows {
		numbers[i] = number[id]
	}
	return plan, numbers, nil
}
