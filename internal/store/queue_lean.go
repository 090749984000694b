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
	l, err := readWaiting(tx, hallID, day, false)
	return l.tickets, err
}

// waitingList is a hall day's waiting list with, per ticket, whether it
// still waits for its turn-near notice (a phone, none sent yet).
type waitingList struct {
	tickets []queue.Ticket
	near    []bool
}

const waitingCols = `id, number, item_code, zone, priority, issued_at, priority_bypassed, COALESCE(target_window_id, 0)`

func readWaiting(tx *Tx, hallID int64, day string, near bool) (waitingList, error) {
	tx.db.waitingReads.Add(1)
	var l waitingList
	q := "SELECT " + waitingCols + ", 0"
	if near {
		q = "SELECT " + waitingCols + ", CASE WHEN near_notified = 0 AND (phone_enc <> '' OR phone <> '') THEN 1 ELSE 0 END"
	}
	rows, err := tx.Query(q+" FROM tickets WHERE hall_id = ? AND day = ? AND state = 'waiting' ORDER BY issued_at, id", hallID, day)
	if err != nil {
		return l, err
	}
	defer rows.Close()
	for rows.Next() {
		var t queue.Ticket
		var pr string
		var at, target int64
		var nr int
		if err := rows.Scan(&t.ID, &t.Number, &t.Item, &t.Zone, &pr, &at, &t.PriorityBypassed, &target, &nr); err != nil {
			return l, err
		}
		t.Priority, t.IssuedAt, t.State = queue.PriorityReason(pr), time.UnixMilli(at), queue.StateWaiting
		if target != 0 {
			t.TargetWindow = strconv.FormatInt(target, 10)
		}
		l.tickets = append(l.tickets, t)
		if near {
			l.near = append(l.near, nr != 0)
		}
	}
	return l, rows.Err()
}

// callQueue returns the waiting list a call chooses from. Inside a group
// of writes (WriteGrouped) it is read once and then kept by the calls and
// issues of the group, which run one after the other in its transaction:
// the caller may change it (removeWaiting, the bypass counters) as its
// operation changes the rows.
func callQueue(tx *Tx, hallID int64, day string) (*waitingList, error) {
	g := tx.grp
	k := zoneDay{hallID, day}
	if g != nil {
		if l, ok := g.queues[k]; ok {
			return l, nil
		}
	}
	l, err := readWaiting(tx, hallID, day, true)
	if err != nil {
		return nil, err
	}
	if g != nil {
		if g.queues == nil {
			g.queues = map[zoneDay]*waitingList{}
		}
		g.queues[k] = &l
		if tx.Dialect() == SQLite {
			tx.db.group.want(hallID, day) // reloaded when idle (warmUpWhenIdle)
		}
	}
	return &l, nil
}

// remove takes ticket i off the list.
func (l *waitingList) remove(i int) {
	l.tickets = append(l.tickets[:i], l.tickets[i+1:]...)
	l.near = append(l.near[:i], l.near[i+1:]...)
}

// noteWaitingAdded adds a ticket that joined the waiting list to the list
// the group carries, in the list's order (issued_at, id).
func noteWaitingAdded(tx *Tx, t *Ticket) {
	g := tx.grp
	if g == nil {
		return
	}
	l, ok := g.queues[zoneDay{t.HallID, t.Day}]
	if !ok {
		return
	}
	qt := toQueue(t)
	i := len(l.tickets)
	for i > 0 && queueOrderLess(&qt, &l.tickets[i-1]) {
		i--
	}
	l.tickets = append(l.tickets, queue.Ticket{})
	copy(l.tickets[i+1:], l.tickets[i:])
	l.tickets[i] = qt
	l.near = append(l.near, false)
	copy(l.near[i+1:], l.near[i:])
	l.near[i] = t.Phone != ""
}

// queueOrderLess is the order of readWaiting (ORDER BY issued_at, id).
func queueOrderLess(a, b *queue.Ticket) bool {
	if !a.IssuedAt.Equal(b.IssuedAt) {
		return a.IssuedAt.Before(b.IssuedAt)
	}
	return a.ID < b.ID
}

// forgetWaitingOf drops the group's waiting list and counts of a hall's
// day after an operation that changed them otherwise (a return, a
// transfer, a cancellation).
func forgetWaitingOf(tx *Tx, hallID int64, day string) {
	if g := tx.grp; g != nil {
		delete(g.queues, zoneDay{hallID, day})
		delete(g.zones, zoneDay{hallID, day})
	}
}
