package store

import (
	"strconv"
	"time"

	"mingbai/internal/queue"
)

// loadQueue returns the callable tickets of a hall's day as the queue
// package sees them, oldest first, reading only the columns the policies
// and estimators use (no join, no personal data to unseal): a call and a
// snapshot reload read the whole waiting list, thousands of rows in a busy
// hall, and the full ticket rows made that the larger part of a call.
func loadQueue(tx *Tx, hallID int64, day string) ([]queue.Ticket, error) {
	rows, err := tx.Query(`SELECT id, number, item_code, zone, priority, issued_at, priority_bypassed, COALESCE(target_window_id, 0)
		FROM tickets WHERE hall_id = ? AND day = ? AND state = 'waiting' ORDER BY issued_at, id`, hallID, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []queue.Ticket
	for rows.Next() {
		var t queue.Ticket
		var pr string
		var at, target int64
		if err := rows.Scan(&t.ID, &t.Number, &t.Item, &t.Zone, &pr, &at, &t.PriorityBypassed, &target); err != nil {
			return nil, err
		}
		t.Priority, t.IssuedAt, t.State = queue.PriorityReason(pr), time.UnixMilli(at), queue.StateWaiting
		if target != 0 {
			t.TargetWindow = strconv.FormatInt(target, 10)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
