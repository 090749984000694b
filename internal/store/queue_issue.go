package store

import (
	"context"
	"errors"
	"fmt"

	"mingbai/internal/apperr"
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
