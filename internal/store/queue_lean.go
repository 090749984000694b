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

// waitingList is a hall day's waiting list with, per ticket, where it is
// with its turn-near notice (nearNone, nearDue, nearSent) and, read
// for a call (callQueue), its stored row: a call decides from the list and
// writes its step without reading the ticket again (stepLater).
type waitingList struct {
	tickets []queue.Ticket
	near    []nearState
	rows    []*Ticket
	// withRows: rows has the row of every ticket (a list read for a call).
	withRows bool
	// priority counts the priority tickets of the list, which is in queue
	// order (queue.Sorted).
	priority int
}

// sorted is what a policy may know of the list (queue.NextSorted).
func (l *waitingList) sorted() queue.Sorted { return queue.Sorted{Priority: l.priority} }

// nearState is where a waiting ticket is with its turn-near notice.
type nearState uint8

const (
	nearNone nearState = iota // no phone: no notice
	nearDue                   // a phone, no notice yet
	nearSent                  // a notice was queued (its dedupe key is turn_near:<id>)
)

const waitingCols = `id, number, item_code, zone, priority, issued_at, priority_bypassed, COALESCE(target_window_id, 0)`

func readWaiting(tx *Tx, hallID int64, day string, near bool) (waitingList, error) {
	tx.db.waitingReads.Add(1)
	l := waitingList{withRows: near}
	q := "SELECT " + waitingCols + ", 0"
	if near {
		q = "SELECT " + waitingCols + ", CASE WHEN near_notified <> 0 THEN 2 WHEN phone_enc <> '' OR phone <> '' THEN 1 ELSE 0 END, " + waitingRowCols
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
		dest := []any{&t.ID, &t.Number, &t.Item, &t.Zone, &pr, &at, &t.PriorityBypassed, &target, &nr}
		var row *Ticket
		if near {
			row = &Ticket{HallID: hallID, Day: day, State: string(queue.StateWaiting)}
			dest = append(dest, row.restTargets()...)
		}
		if err := rows.Scan(dest...); err != nil {
			return l, err
		}
		if row != nil {
			row.ID, row.Number, row.Item, row.Zone, row.Priority, row.IssuedAt = t.ID, t.Number, t.Item, t.Zone, pr, at
			row.PriorityBypassed, row.TargetWindowID = t.PriorityBypassed, target
			l.rows = append(l.rows, row)
		}
		t.Priority, t.IssuedAt, t.State = queue.PriorityReason(pr), time.UnixMilli(at), queue.StateWaiting
		if target != 0 {
			t.TargetWindow = strconv.FormatInt(target, 10)
		}
		l.tickets = append(l.tickets, t)
		if t.IsPriority() {
			l.priority++
		}
		if near {
			l.near = append(l.near, nearState(nr))
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

// waitingRowCols are the columns of a waiting ticket's row beyond
// waitingCols, scanned by restTargets.
const waitingRowCols = `prefix, seq, channel, phone, created_at, called_at, started_at, finished_at, COALESCE(window_id, 0),
	COALESCE(staff_id, 0), recalls, eta_ms, track_token`

func (t *Ticket) restTargets() []any {
	return []any{&t.Prefix, &t.Seq, &t.Channel, &t.Phone, &t.CreatedAt, &t.CalledAt, &t.StartedAt, &t.FinishedAt, &t.WindowID,
		&t.StaffID, &t.Recalls, &t.EtaMs, &t.TrackToken}
}

// remove takes ticket i off the list, moving the shorter side of it: a
// call mostly takes a ticket near the head, and moving the whole tail of
// 12,000 tickets was as much of a call's time as choosing the ticket.
func (l *waitingList) remove(i int) {
	if l.tickets[i].IsPriority() {
		l.priority--
	}
	l.tickets = removeAt(l.tickets, i)
	l.near = removeAt(l.near, i)
	if l.withRows {
		l.rows = removeAt(l.rows, i)
	}
}

// removeAt removes s[i], keeping the order, by moving the elements before
// it up one (the slice then starts one later) or those after it down one.
func removeAt[T any](s []T, i int) []T {
	var zero T
	if i < len(s)/2 {
		copy(s[1:i+1], s[:i])
		s[0] = zero
		return s[1:]
	}
	copy(s[i:], s[i+1:])
	s[len(s)-1] = zero
	return s[:len(s)-1]
}

// waitingRow is the stored row of l's ticket i, when the list has them.
func (l *waitingList) waitingRow(i int) (Ticket, bool) {
	if !l.withRows || i < 0 || i >= len(l.rows) || l.rows[i].ID != l.tickets[i].ID {
		return Ticket{}, false
	}
	return *l.rows[i], true
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
	if qt.IsPriority() {
		l.priority++
	}
	i := len(l.tickets)
	for i > 0 && queueOrderLess(&qt, &l.tickets[i-1]) {
		i--
	}
	l.tickets = append(l.tickets, queue.Ticket{})
	copy(l.tickets[i+1:], l.tickets[i:])
	l.tickets[i] = qt
	l.near = append(l.near, nearNone)
	copy(l.near[i+1:], l.near[i:])
	if t.Phone != "" {
		l.near[i] = nearDue
	}
	if l.withRows {
		row := *t
		row.Phone = "" // as stored: the number is sealed (phone_enc)
		l.rows = append(l.rows, nil)
		copy(l.rows[i+1:], l.rows[i:])
		l.rows[i] = &row
	}
}

// noteWaitingEta records a waiting ticket's estimate, set after it joined
// the list, in the row the group carries.
func noteWaitingEta(tx *Tx, t *Ticket) {
	if g := tx.grp; g != nil {
		if l, ok := g.queues[zoneDay{t.HallID, t.Day}]; ok {
			for _, r := range l.rows {
				if r.ID == t.ID {
					r.EtaMs = t.EtaMs
				}
			}
		}
	}
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
