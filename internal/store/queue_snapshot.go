package store

import (
	"time"

	"mingbai/internal/hall"
	"mingbai/internal/queue"
)

// buildSnapshot reads the state the estimators need: the windows signed
// in and open now with their item sets and current tickets, the waiting
// tickets in order, per-item service statistics from the last week's
// finished tickets, and the last hour's priority arrival rates.
//
// When t is given and no open window serves it, the waiting list is not
// loaded (nil).
func buildSnapshot(tx *Tx, hallID int64, day string, st QueueSettings, t *queue.Ticket) (queue.Snapshot, []queue.Ticket, error) {
	now := tx.Now
	pol, err := queue.NewPolicy(st.Policy, queue.Options{K: st.GreenK})
	if err != nil {
		return queue.Snapshot{}, nil, err
	}
	snap := queue.Snapshot{Now: now, Policy: pol, DefaultService: queue.ServiceStats{Mean: 8 * time.Minute, CV: 0.8},
		Service: map[string]queue.ServiceStats{}, NoShowRate: 0.05, Recall: 2 * time.Minute}
	wins, err := listWindows(tx, hallID)
	if err != nil {
		return snap, nil, err
	}
	open := map[int64]bool{}
	rows, err := tx.Query("SELECT window_id FROM window_sessions WHERE hall_id = ? AND state = 'open'", hallID)
	if err != nil {
		return snap, nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return snap, nil, err
		}
		open[id] = true
	}
	rows.Close()
	busy := map[int64]Ticket{}
	rows, err = tx.Query("SELECT "+ticketCols+ticketFrom+"WHERE t.hall_id = ? AND t.state IN ('called', 'serving') AND t.window_id IS NOT NULL", hallID)
	if err != nil {
		return snap, nil, err
	}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return snap, nil, err
		}
		busy[t.WindowID] = t
	}
	rows.Close()
	for _, w := range wins {
		if !open[w.ID] {
			continue
		}
		ws := queue.WindowState{Window: queueWindow(w, true)}
		if t, ok := busy[w.ID]; ok {
			ws.Window.Serving = t.ID
			ws.Window.ServingSince = time.UnixMilli(t.CalledAt)
			ws.Item = t.Item
			ws.Elapsed = now.Sub(time.UnixMilli(t.CalledAt))
			ws.Recalling = t.State == "called" && t.Recalls > 0
		}
		snap.Windows = append(snap.Windows, ws)
	}
	rows, err = tx.Query(`SELECT item_code, AVG(finished_at - started_at), COUNT(*) FROM tickets
		WHERE hall_id = ? AND state = 'done' AND started_at > 0 AND finished_at >= ? GROUP BY item_code`, hallID, now.Add(-7*24*time.Hour).UnixMilli())
	if err != nil {
		return snap, nil, err
	}
	for rows.Next() {
		var item string
		var avg float64
		var n int
		if err := rows.Scan(&item, &avg, &n); err != nil {
			rows.Close()
			return snap, nil, err
		}
		if n >= 3 && avg > 0 {
			snap.Service[item] = queue.ServiceStats{Mean: time.Duration(avg) * time.Millisecond, CV: 0.8}
		}
	}
	rows.Close()
	rows, err = tx.Query(`SELECT item_code, zone, COUNT(*) FROM tickets WHERE hall_id = ? AND priority <> '' AND issued_at >= ? GROUP BY item_code, zone`,
		hallID, now.Add(-time.Hour).UnixMilli())
	if err != nil {
		return snap, nil, err
	}
	for rows.Next() {
		var a queue.ArrivalRate
		var n int
		if err := rows.Scan(&a.Item, &a.Zone, &n); err != nil {
			rows.Close()
			return snap, nil, err
		}
		a.PerHour = float64(n)
		snap.PriorityArrivals = append(snap.PriorityArrivals, a)
	}
	rows.Close()
	if t != nil && !servedBy(snap.Windows, t) {
		// No open window serves the ticket: there is nothing to replay, and
		// the (possibly long) waiting list is not needed.
		return snap, nil, nil
	}
	ws, _, err := loadWaiting(tx, hallID, day)
	snap.Waiting = ws
	return snap, ws, err
}

func servedBy(windows []queue.WindowState, t *queue.Ticket) bool {
	for i := range windows {
		if windows[i].Window.Serves(t) {
			return true
		}
	}
	return false
}

// aheadOf counts the people before t, from the loaded waiting list when
// an open window serves t (see aheadIn), else by a count of the waiting
// tickets of t's zone that go first.
func aheadOf(tx *Tx, t *Ticket, snap queue.Snapshot, waiting []queue.Ticket) (int, error) {
	if waiting != nil {
		return aheadIn(waiting, snap.Windows, toQueue(t)), nil
	}
	var n int
	q := `SELECT COUNT(*) FROM tickets WHERE hall_id = ? AND day = ? AND state = 'waiting' AND zone = ? AND id <> ? AND `
	var err error
	if t.Priority != "" {
		err = tx.QueryRow(q+`priority <> '' AND (issued_at < ? OR (issued_at = ? AND id < ?))`, t.HallID, t.Day, t.Zone, t.ID, t.IssuedAt, t.IssuedAt, t.ID).Scan(&n)
	} else {
		err = tx.QueryRow(q+`(priority <> '' OR issued_at < ? OR (issued_at = ? AND id < ?))`, t.HallID, t.Day, t.Zone, t.ID, t.IssuedAt, t.IssuedAt, t.ID).Scan(&n)
	}
	return n, err
}

func queueWindow(w hall.Window, open bool) queue.Window {
	return queue.Window{ID: strID(w.ID), Number: w.Number, Home: w.Zone, Items: queue.NewItemSet(w.Items...), Open: open}
}

// estimate runs the mingbai (replay) estimator; ok is false when no window
// is open, so there is nothing honest to say.
func estimate(snap queue.Snapshot, t queue.Ticket) (time.Duration, bool) {
	if len(snap.Windows) == 0 {
		return 0, false
	}
	served := false
	for i := range snap.Windows {
		if snap.Windows[i].Window.Serves(&t) {
			served = true
		}
	}
	if !served {
		return 0, false
	}
	est, _ := queue.NewEstimator(queue.EstimatorMingbai)
	return est.Estimate(snap, t), true
}

// aheadIn counts the people before t: waiting tickets that a window able to
// serve t could call first (older ones, and for an ordinary ticket the
// priority ones). Without open windows every waiting ticket of t's zone
// counts.
func aheadIn(waiting []queue.Ticket, windows []queue.WindowState, t queue.Ticket) int {
	var ws []queue.Window
	for i := range windows {
		if windows[i].Window.Serves(&t) {
			ws = append(ws, windows[i].Window)
		}
	}
	n := 0
	for i := range waiting {
		a := &waiting[i]
		if a.ID == t.ID || !a.Callable() {
			continue
		}
		before := queue.Before(a, &t)
		if t.IsPriority() {
			before = a.IsPriority() && before
		} else {
			before = before || a.IsPriority()
		}
		if !before {
			continue
		}
		competes := false
		if len(ws) == 0 {
			competes = a.Zone == t.Zone
		}
		for j := range ws {
			if ws[j].Serves(a) {
				competes = true
				break
			}
		}
		if competes {
			n++
		}
	}
	return n
}

func aheadInTx(tx *Tx, t *Ticket) (int, error) {
	if t.State != "waiting" {
		return 0, nil
	}
	st, err := queueSettings(tx, t.HallID)
	if err != nil {
		return 0, err
	}
	qt := toQueue(t)
	snap, waiting, err := buildSnapshot(tx, t.HallID, t.Day, st, &qt)
	if err != nil {
		return 0, err
	}
	return aheadOf(tx, t, snap, waiting)
}
