package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/queue"
)

// IssueRequest asks for a ticket. The caller has checked that Item is a
// published item (db.PublishedItem) and passes its zone.
type IssueRequest struct {
	HallID   int64
	Item     string
	Zone     string
	Priority queue.PriorityReason
	Channel  string
	// Phone is set for remote tickets (confirmed with SMSCode) and when
	// staff take a ticket for a caller.
	Phone   string
	SMSCode string
	// IdemKey, already scoped to the device or client by the caller, makes
	// a retry return the first ticket.
	IdemKey       string
	AppointmentID int64

	pre *preIssue // estimate made before the transaction
}

// Issued is the result of IssueTicket.
type Issued struct {
	Ticket Ticket
	// Ahead is the number of people before the ticket.
	Ahead int
	// Created is false when an idempotent retry returned an earlier ticket.
	Created bool
}

// Priority reasons accepted at issue (appointment comes from a check-in).
var issuePriorities = map[queue.PriorityReason]bool{queue.PriorityNone: true, queue.PriorityElderly: true, queue.PriorityDisabled: true,
	queue.PriorityPregnant: true, queue.PriorityMilitary: true}

// IssueTicket issues a ticket in one transaction: the rules (hours, item
// offered, one active ticket per phone and item, daily cap), the next
// number from the day's counter row, the estimate, the audit record and
// the public event.
func (db *DB) IssueTicket(ctx context.Context, req IssueRequest) (Issued, error) {
	var out Issued
	if !issuePriorities[req.Priority] && !(req.Priority == queue.PriorityAppointment && req.AppointmentID != 0) {
		return out, apperr.InvalidField("priority", "queue.bad_priority", string(req.Priority))
	}
	switch req.Channel {
	case ChannelKiosk, ChannelWeb, ChannelPhone, ChannelAppointment, ChannelStaff:
	default:
		return out, apperr.InvalidField("channel", "err.bad_value", "channel", req.Channel)
	}
	if req.Phone != "" && !mobileOK(req.Phone) {
		return out, apperr.InvalidField("phone", "queue.bad_phone")
	}
	if req.Channel == ChannelPhone && req.Phone == "" {
		return out, apperr.InvalidField("phone", "err.required", "phone")
	}
	if len(req.IdemKey) > 200 {
		return out, apperr.InvalidField("idempotency_key", "err.too_long", "idempotency_key", 200)
	}
	pre, err := db.preEstimate(ctx, req)
	if err != nil {
		return out, err
	}
	req.pre = &pre
	// Grouped: concurrent issues share one transaction and one fsync.
	err = db.WriteGrouped(ctx, func(tx *Tx) error { return issueInTx(tx, req, &out) })
	if err == nil && out.Created {
		db.noteIssued(&out.Ticket)
	}
	var bad *badCodeError
	if errors.As(err, &bad) {
		db.countCodeAttempt(ctx, bad.id)
		return out, apperr.InvalidField("sms_code", "queue.bad_code")
	}
	if err != nil && req.IdemKey != "" && apperr.Is(err, apperr.Conflict) && apperr.As(err).Key == "err.conflict" {
		// A concurrent retry with the same key won the race: return its ticket.
		return db.IssueTicket(ctx, req)
	}
	return out, err
}

// issueInTx issues a ticket inside tx (see IssueTicket).
func issueInTx(tx *Tx, req IssueRequest, out *Issued) error {
	if req.IdemKey != "" {
		t, err := scanTicket(tx.QueryRow("SELECT "+ticketCols+ticketFrom+"WHERE t.hall_id = ? AND t.idem_key = ?", req.HallID, req.IdemKey))
		if err == nil {
			out.Ticket = t
			out.Ahead, err = aheadInTx(tx, &t)
			return err
		}
		if !errors.Is(err, ErrNoRows) {
			return err
		}
	}
	h, loc, err := hallInTx(tx, req.HallID)
	if err != nil {
		return err
	}
	// Halls open on working days follow the official calendar with its
	// holidays and make-up days, and the hall's own closures.
	isWork, err := workingDayCheck(tx, h)
	if err != nil {
		return err
	}
	if ok, err := h.Hours.AcceptsTickets(tx.Now, loc, isWork); err != nil {
		return err
	} else if !ok {
		return apperr.New(apperr.Conflict, "queue.hall_closed", h.Hours.Open, h.Hours.LastTicket)
	}
	var one int
	if err := tx.QueryRow(`SELECT 1 FROM window_items wi JOIN windows w ON w.id = wi.window_id WHERE w.hall_id = ? AND wi.item_code = ? LIMIT 1`,
		req.HallID, req.Item).Scan(&one); err != nil {
		if errors.Is(err, ErrNoRows) {
			return apperr.InvalidField("item", "queue.item_not_offered", req.Item)
		}
		return err
	}
	var prefix string
	if err := tx.QueryRow("SELECT prefix FROM zones WHERE hall_id = ? AND code = ?", req.HallID, req.Zone).Scan(&prefix); err != nil {
		if errors.Is(err, ErrNoRows) {
			return apperr.InvalidField("item", "queue.item_not_offered", req.Item)
		}
		return err
	}
	if err := lockHall(tx, req.HallID); err != nil {
		return err
	}
	if req.Channel == ChannelPhone {
		if err := usePhoneCode(tx, req.HallID, req.Phone, req.SMSCode); err != nil {
			return err
		}
	}
	st, err := queueSettings(tx, req.HallID)
	if err != nil {
		return err
	}
	day := dayOf(tx.Now, loc)
	if req.Phone != "" {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM tickets WHERE hall_id = ? AND phone = ? AND item_code = ? AND state IN ('waiting', 'called', 'serving', 'held')`,
			req.HallID, req.Phone, req.Item).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "queue.phone_active")
		}
	}
	limit := st.DefaultCap
	var c int
	if err := tx.QueryRow("SELECT daily_cap FROM queue_item_caps WHERE hall_id = ? AND item_code = ?", req.HallID, req.Item).Scan(&c); err == nil {
		limit = c
	} else if !errors.Is(err, ErrNoRows) {
		return err
	}
	var today int
	if err := tx.QueryRow("SELECT COUNT(*) FROM tickets WHERE hall_id = ? AND day = ? AND item_code = ?", req.HallID, day, req.Item).Scan(&today); err != nil {
		return err
	}
	if today >= limit {
		return apperr.New(apperr.Conflict, "queue.cap_reached", limit)
	}
	// The counter row is incremented inside this transaction: a rolled
	// back issue gives its number back, and concurrent issuers (other
	// connections, other instances) wait on the row lock.
	var seq int
	if err := tx.QueryRow(`INSERT INTO queue_counters (hall_id, day, prefix, last_seq) VALUES (?, ?, ?, 1)
		ON CONFLICT (hall_id, day, prefix) DO UPDATE SET last_seq = queue_counters.last_seq + 1 RETURNING last_seq`,
		req.HallID, day, prefix).Scan(&seq); err != nil {
		return mapErr(err)
	}
	now := tx.NowMs()
	t := Ticket{HallID: req.HallID, Day: day, Number: FormatNumber(prefix, seq), Prefix: prefix, Seq: seq, Item: req.Item, Zone: req.Zone,
		Priority: string(req.Priority), Channel: req.Channel, Phone: req.Phone, State: string(queue.StateWaiting),
		IssuedAt: now, CreatedAt: now, TrackToken: newSecret(18), EtaMs: -1}
	if req.pre != nil && req.pre.etaOK {
		t.EtaMs = req.pre.eta.Milliseconds()
	}
	var idem any
	if req.IdemKey != "" {
		idem = req.IdemKey
	}
	t.ID, err = tx.InsertID(`INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, priority, channel, phone, state, issued_at, created_at,
		eta_ms, track_token, idem_key, appointment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.HallID, t.Day, t.Number, t.Prefix, t.Seq, t.Item, t.Zone, t.Priority, t.Channel, t.Phone, t.State, t.IssuedAt, t.CreatedAt,
		t.EtaMs, t.TrackToken, idem, nullInt(req.AppointmentID))
	if err != nil {
		return err
	}
	if req.pre != nil {
		out.Ahead = req.pre.ahead
	} else {
		// Issued inside another operation (an appointment check-in): estimate
		// from this transaction's view.
		qt := toQueue(&t)
		snap, waiting, err := buildSnapshot(tx, req.HallID, day, st, &qt)
		if err != nil {
			return err
		}
		if eta, ok := estimate(snap, qt); ok {
			t.EtaMs = eta.Milliseconds()
			if _, err := tx.Exec("UPDATE tickets SET eta_ms = ? WHERE id = ?", t.EtaMs, t.ID); err != nil {
				return err
			}
		}
		if out.Ahead, err = aheadOf(tx, &t, snap, waiting); err != nil {
			return err
		}
	}
	tr := t
	tr.State = ""
	if err := transition(tx, &tr, "issue", t.State, 0, 0, t.Channel); err != nil {
		return err
	}
	if err := tx.Audit("ticket.issue", fmt.Sprintf("ticket:%d", t.ID), fmt.Sprintf("%s %s %s %s", t.Number, t.Item, t.Channel, t.Priority)); err != nil {
		return err
	}
	out.Ticket, out.Created = t, true
	return publishTicket(tx, EventTicketIssued, &t, "")
}

func mobileOK(p string) bool {
	if len(p) != 11 || p[0] != '1' || p[1] < '3' {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

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

// TicketView is the live state of a ticket for its holder.
type TicketView struct {
	Ticket Ticket
	Ahead  int
	// Eta is the live estimate, -1 when no open window serves the item.
	Eta     time.Duration
	Calling []Call
}

// Call is one recent call shown on screens.
type Call struct {
	Number string `json:"number"`
	Window string `json:"window"`
	Zone   string `json:"zone"`
	At     int64  `json:"at"`
	// Recalls counts the recalls of the ticket (screens mark a recall).
	Recalls int `json:"recalls"`
}

// TicketByToken returns the live view of a ticket from its tracking token.
func (db *DB) TicketByToken(ctx context.Context, token string) (TicketView, error) {
	var v TicketView
	if len(token) < 16 || len(token) > 64 {
		return v, apperr.NotFoundOf("ticket")
	}
	err := db.Read(ctx, func(tx *Tx) error {
		t, err := scanTicket(tx.QueryRow("SELECT "+ticketCols+ticketFrom+"WHERE t.track_token = ?", token))
		if err != nil {
			return notFound(err, "ticket")
		}
		v.Ticket, v.Eta = t, -1
		if t.State == "waiting" {
			st, err := queueSettings(tx, t.HallID)
			if err != nil {
				return err
			}
			qt := toQueue(&t)
			snap, waiting, err := buildSnapshot(tx, t.HallID, t.Day, st, &qt)
			if err != nil {
				return err
			}
			if v.Ahead, err = aheadOf(tx, &t, snap, waiting); err != nil {
				return err
			}
			if eta, ok := estimate(snap, qt); ok {
				v.Eta = eta
			}
		}
		v.Calling, err = recentCalls(tx, t.HallID, t.Day, 6)
		return err
	})
	return v, err
}

func recentCalls(tx *Tx, hallID int64, day string, n int) ([]Call, error) {
	rows, err := tx.Query(`SELECT t.number, COALESCE(w.number, ''), t.zone, t.called_at, t.recalls FROM tickets t LEFT JOIN windows w ON w.id = t.window_id
		WHERE t.hall_id = ? AND t.day = ? AND t.called_at > 0 AND t.window_id IS NOT NULL ORDER BY t.called_at DESC, t.id DESC LIMIT ?`, hallID, day, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Call{}
	for rows.Next() {
		var c Call
		if err := rows.Scan(&c.Number, &c.Window, &c.Zone, &c.At, &c.Recalls); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func hashCode(phone, code string) string {
	sum := sha256.Sum256([]byte(phone + ":" + code))
	return hex.EncodeToString(sum[:])
}
