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
	// open maps the open windows to when they last opened or resumed.
	open := map[int64]int64{}
	rows, err := tx.Query("SELECT window_id, updated_at FROM window_sessions WHERE hall_id = ? AND state = 'open'", hallID)
	if err != nil {
		return snap, nil, err
	}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return snap, nil, err
		}
		open[id] = at
	}
	rows.Close()
	// A window's last call or finish today: with the session's last
	// change, when an idle window became idle (WindowState.IdleSince).
	rows, err = tx.Query(`SELECT window_id, MAX(called_at), MAX(finished_at) FROM tickets
		WHERE hall_id = ? AND day = ? AND window_id IS NOT NULL GROUP BY window_id`, hallID, day)
	if err != nil {
		return snap, nil, err
	}
	for rows.Next() {
		var id int64
		var called, finished *int64
		if err := rows.Scan(&id, &called, &finished); err != nil {
			rows.Close()
			return snap, nil, err
		}
		if at, ok := open[id]; ok {
			for _, v := range []*int64{called, finished} {
				if v != nil && *v > at {
					at = *v
				}
			}
			open[id] = at
		}
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
		idle, ok := open[w.ID]
		if !ok {
			continue
		}
		ws := queue.WindowState{Window: queueWindow(w, true), IdleSince: time.UnixMilli(idle)}
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
	ws, _, err := loadWaiting(tx, hallID, day)
	snap.Waiting = ws
	return snap, ws, err
}

// aheadOf counts the people before t (see queue.Ahead) over all the
// hall's windows.
func aheadOf(tx *Tx, t *Ticket, waiting []queue.Ticket) (int, error) {
	wins, err := listWindows(tx, t.HallID)
	if err != nil {
		return 0, err
	}
	return queue.Ahead(waiting, hallQueueWindows(wins), toQueue(t)), nil
}

// hallQueueWindows are all the hall's windows, open or not, as the
// "people ahead" count sees them.
func hallQueueWindows(wins []hall.Window) []queue.Window {
	out := make([]queue.Window, len(wins))
	for i, w := range wins {
		out[i] = queueWindow(w, true)
	}
	return out
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

func aheadInTx(tx *Tx, t *Ticket) (int, error) {
	if t.State != "waiting" {
		return 0, nil
	}
	st, err := queueSettings(tx, t.HallID)
	if err != nil {
		return 0, err
	}
	qt := toQueue(t)
	_, waiting, err := buildSnapshot(tx, t.HallID, t.Day, st, &qt)
	if err != nil {
		return 0, err
	}
	return aheadOf(tx, t, waiting)
}
