package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/queue"
	"mingbai/internal/workday"
)

// Ticket channels (queue.Channel), as the store's callers name them.
const (
	ChannelKiosk       = string(queue.ChannelKiosk)
	ChannelWeb         = string(queue.ChannelWeb)
	ChannelPhone       = string(queue.ChannelPhone)
	ChannelAppointment = string(queue.ChannelAppointment)
	ChannelStaff       = string(queue.ChannelStaff)
)

// stateList is the SQL IN list of the ticket states for which keep is true
// (queue.State.Active, queue.State.AtWindow): the store's queries follow
// the state machine of internal/queue rather than a list of their own.
func stateList(keep func(queue.State) bool) string {
	var b strings.Builder
	for i, s := range queue.StatesWhere(keep) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + string(s) + "'")
	}
	return b.String()
}

// Ticket is a stored ticket. Phone is personal data: it never leaves the
// store through a public view.
type Ticket struct {
	ID               int64  `json:"id"`
	HallID           int64  `json:"hall_id"`
	Day              string `json:"day"`
	Number           string `json:"number"`
	Prefix           string `json:"prefix"`
	Seq              int    `json:"seq"`
	Item             string `json:"item"`
	Zone             string `json:"zone"`
	Priority         string `json:"priority"`
	Channel          string `json:"channel"`
	Phone            string `json:"-"`
	State            string `json:"state"`
	IssuedAt         int64  `json:"issued_at"`
	CreatedAt        int64  `json:"created_at"`
	CalledAt         int64  `json:"called_at"`
	StartedAt        int64  `json:"started_at"`
	FinishedAt       int64  `json:"finished_at"`
	WindowID         int64  `json:"window_id,omitempty"`
	WindowNumber     string `json:"window_number,omitempty"`
	TargetWindowID   int64  `json:"target_window_id,omitempty"`
	StaffID          int64  `json:"staff_id,omitempty"`
	Recalls          int    `json:"recalls"`
	PriorityBypassed int    `json:"priority_bypassed"`
	// EtaMs is the wait estimated at issue, -1 when no window was open.
	EtaMs      int64  `json:"eta_ms"`
	TrackToken string `json:"-"`
}

// lockHall serialises queue writes of one hall across connections and
// instances on PostgreSQL (released at commit). On SQLite the single writer
// already does. In a grouped write it is taken once per group.
func lockHall(tx *Tx, hallID int64) error {
	if tx.Dialect() != Postgres || tx.grp != nil && tx.grp.halls[hallID] {
		return nil
	}
	err := tx.advisoryLock(lockQueue, hallID)
	if err == nil && tx.grp != nil {
		putKey(&tx.grp.halls, hallID, true)
	}
	return err
}

// workingDayCheck returns how the hall decides whether a day is one it
// opens on: nil (every day) unless it opens on working days only, then the
// official calendar with its holidays, make-up days and local closures.
func workingDayCheck(tx *Tx, h hall.Hall) (hall.IsWorkingDay, error) {
	if !h.Hours.WorkingDaysOnly || h.Hours.AlwaysOpen {
		return nil, nil
	}
	cal, err := loadCalendar(tx)
	if err != nil {
		return nil, err
	}
	return func(t time.Time) (bool, error) { return cal.IsWorkday(workday.DateOf(t)) }, nil
}

// opensOn reports whether the hall opens on the day of t.
func opensOn(tx *Tx, h hall.Hall, t time.Time) (bool, error) {
	isWork, err := workingDayCheck(tx, h)
	if err != nil || isWork == nil {
		return true, err
	}
	return isWork(t)
}

func hallInTx(tx *Tx, hallID int64) (hall.Hall, *time.Location, error) {
	h, err := scanHall(tx.QueryRow("SELECT id, code, name, address, timezone, hours FROM halls WHERE id = ?", hallID))
	if err != nil {
		return h, nil, notFound(err, "hall")
	}
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return h, loc, nil
}

func newSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// FormatNumber builds a ticket number: the prefix and at least three
// digits. The 1,000th ticket of a prefix in a day is A1000: numbers stay
// unique and gapless past 999 instead of wrapping.
func FormatNumber(prefix string, seq int) string { return fmt.Sprintf("%s%03d", prefix, seq) }

const ticketCols = `t.id, t.hall_id, t.day, t.number, t.prefix, t.seq, t.item_code, t.zone, t.priority, t.channel, t.phone, t.state,
	t.issued_at, t.created_at, t.called_at, t.started_at, t.finished_at, COALESCE(t.window_id, 0), COALESCE(w.number, ''),
	COALESCE(t.target_window_id, 0), COALESCE(t.staff_id, 0), t.recalls, t.priority_bypassed, t.eta_ms, t.track_token`

const ticketFrom = ` FROM tickets t LEFT JOIN windows w ON w.id = t.window_id `

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	err := row.Scan(ticketTargets(&t)...)
	return t, err
}

// ticketTargets are the scan targets of ticketCols.
func ticketTargets(t *Ticket) []any {
	return []any{&t.ID, &t.HallID, &t.Day, &t.Number, &t.Prefix, &t.Seq, &t.Item, &t.Zone, &t.Priority, &t.Channel, &t.Phone, &t.State,
		&t.IssuedAt, &t.CreatedAt, &t.CalledAt, &t.StartedAt, &t.FinishedAt, &t.WindowID, &t.WindowNumber,
		&t.TargetWindowID, &t.StaffID, &t.Recalls, &t.PriorityBypassed, &t.EtaMs, &t.TrackToken}
}

func ticketByID(tx *Tx, id int64) (Ticket, error) {
	t, err := scanTicket(tx.QueryRow("SELECT "+ticketCols+ticketFrom+"WHERE t.id = ?", id))
	return t, notFound(err, "ticket")
}

// Ticket returns a ticket by id.
//
// The ticket is read by hall and id: a ticket of another hall is not found
// (the second line of defence behind the route's tenancy check).
func (db *DB) Ticket(ctx context.Context, hallID, id int64) (Ticket, error) {
	var t Ticket
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		t, err = ticketByID(tx, id)
		if err == nil && t.HallID != hallID {
			err = apperr.NotFoundOf("ticket")
		}
		if err != nil {
			return err
		}
		// The phone is sealed at rest (phones.go).
		var enc string
		if err := tx.QueryRow("SELECT phone_enc FROM tickets WHERE id = ?", id).Scan(&enc); err != nil {
			return err
		}
		t.Phone, err = tx.openSealed(enc, t.Phone)
		return err
	})
	return t, err
}

// transitionInsert is a step of a ticket's life (deferred in grouped
// writes: deferred.go).
var transitionInsert = newBulkInsert("ticket_transitions", "btttbtbbt", "ticket_id", "action", "from_state", "to_state", "at", "actor", "staff_id", "window_id", "note")

func transition(tx *Tx, t *Ticket, action, to string, staffID, windowID int64, note string) error {
	err := tx.insertLater(transitionInsert, t.ID, action, t.State, to, tx.NowMs(), tx.Actor.Name, nullInt(staffID), nullInt(windowID), note)
	if err != nil {
		return err
	}
	t.State = to
	return nil
}

// Transition is one timestamped step of a ticket's life.
type Transition struct {
	Action   string `json:"action"`
	From     string `json:"from"`
	To       string `json:"to"`
	At       int64  `json:"at"`
	Actor    string `json:"actor"`
	StaffID  int64  `json:"staff_id,omitempty"`
	WindowID int64  `json:"window_id,omitempty"`
	Note     string `json:"note,omitempty"`
}

// TicketTransitions returns the life of a ticket, oldest first.
func (db *DB) TicketTransitions(ctx context.Context, id int64) ([]Transition, error) {
	var out []Transition
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT action, from_state, to_state, at, actor, COALESCE(staff_id, 0), COALESCE(window_id, 0), note FROM ticket_transitions WHERE ticket_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var tr Transition
			if err := rows.Scan(&tr.Action, &tr.From, &tr.To, &tr.At, &tr.Actor, &tr.StaffID, &tr.WindowID, &tr.Note); err != nil {
				return err
			}
			out = append(out, tr)
		}
		return rows.Err()
	})
	return out, err
}

// zoneCounts returns the number of waiting tickets per zone code today.
func zoneCounts(tx *Tx, hallID int64, day string) (map[string]int, error) {
	rows, err := tx.Query("SELECT zone, COUNT(*) FROM tickets WHERE hall_id = ? AND day = ? AND state = 'waiting' GROUP BY zone", hallID, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var z string
		var n int
		if err := rows.Scan(&z, &n); err != nil {
			return nil, err
		}
		out[z] = n
	}
	return out, rows.Err()
}

// Public event kinds on a hall's stream. Payloads carry ticket numbers,
// window numbers and counts only: never names, phones or ids.
const (
	EventTicketIssued   = "ticket.issued"
	EventTicketCalled   = "ticket.called"
	EventTicketRecalled = "ticket.recalled"
	EventTicketUpdated  = "ticket.updated"
	EventWindowState    = "window.state"
)

// PublicTicketEvent is the payload of the public queue events.
type PublicTicketEvent struct {
	Number  string         `json:"number"`
	Zone    string         `json:"zone"`
	Window  string         `json:"window,omitempty"`
	State   string         `json:"state,omitempty"`
	Waiting map[string]int `json:"waiting"`
}

// publishTicket publishes a public ticket event with the hall's waiting
// counts after the operation; change says what it did to them (see
// waitingCounts).
func publishTicket(tx *Tx, kind string, t *Ticket, window string, change int) error {
	counts, err := waitingCounts(tx, t, change)
	if err != nil {
		return err
	}
	return tx.Publish(t.HallID, kind, PublicTicketEvent{Number: t.Number, Zone: t.Zone, Window: window, State: t.State, Waiting: counts})
}

func strID(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// loadWaiting returns the callable tickets of a hall's day as the queue
// package sees them, and their stored rows, in the same order.
func loadWaiting(tx *Tx, hallID int64, day string) ([]queue.Ticket, []Ticket, error) {
	rows, err := tx.Query("SELECT "+ticketCols+ticketFrom+"WHERE t.hall_id = ? AND t.day = ? AND t.state = 'waiting' ORDER BY t.issued_at, t.id", hallID, day)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var qs []queue.Ticket
	var ts []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, nil, err
		}
		ts = append(ts, t)
		qs = append(qs, toQueue(&t))
	}
	return qs, ts, rows.Err()
}

func toQueue(t *Ticket) queue.Ticket {
	return queue.Ticket{ID: t.ID, Number: t.Number, Item: t.Item, Zone: t.Zone, Priority: queue.PriorityReason(t.Priority),
		IssuedAt: time.UnixMilli(t.IssuedAt), State: queue.State(t.State), PriorityBypassed: t.PriorityBypassed, TargetWindow: strID(t.TargetWindowID)}
}

func dayOf(now time.Time, loc *time.Location) string { return now.In(loc).Format("2006-01-02") }
