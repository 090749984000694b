package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mingbai/internal/hall"

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
	// Ahead is the number of people before the ticket (Wait.Ahead).
	Ahead int
	// Wait is what the kiosk and the printed ticket show (see Wait).
	Wait Wait
	// Created is false when an idempotent retry returned an earlier ticket.
	Created bool
}

// IssueTicket issues a ticket in one transaction: the rules (hours, item
// offered, one active ticket per phone and item, daily cap), the next
// number from the day's counter row, the estimate, the audit record and
// the public event.
func (db *DB) IssueTicket(ctx context.Context, req IssueRequest) (Issued, error) {
	var out Issued
	if err := queue.CheckIssue(queue.IssueInput{Priority: req.Priority, Channel: queue.Channel(req.Channel), Phone: req.Phone,
		Appointment: req.AppointmentID != 0, IdemKey: req.IdemKey}); err != nil {
		return out, err
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
	if err == nil && !out.Created && out.Ticket.State == string(queue.StateWaiting) {
		// An idempotent retry: the ticket's live wait, as its phone page says.
		if w, werr := db.waitOf(ctx, &out.Ticket); werr == nil {
			out.Ahead, out.Wait = w.Ahead, w
		}
	}
	var bad *badCodeError
	if errors.As(err, &bad) {
		db.countCodeAttempt(ctx, bad.id)
		return out, apperr.InvalidField("sms_code", "queue.bad_code")
	}
	if err != nil && req.IdemKey != "" && apperr.Is(err, apperr.Conflict) && apperr.As(err).Key == "err.duplicate" {
		// A concurrent retry with the same key won the race: return its ticket.
		return db.IssueTicket(ctx, req)
	}
	return out, wrap("issue ticket", err)
}

// issueInTx issues a ticket inside tx (see IssueTicket).
func issueInTx(tx *Tx, req IssueRequest, out *Issued) error {
	tx.keepsWaiting = true
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
	lk, err := issueLookupsOf(tx, req.HallID)
	if err != nil {
		return err
	}
	h, loc := lk.hall, lk.loc
	// Halls open on working days follow the official calendar with its
	// holidays and make-up days, and the hall's own closures.
	if ok, err := h.Hours.AcceptsTickets(tx.Now, loc, lk.isWork); err != nil {
		return err
	} else if !ok {
		return apperr.New(apperr.Conflict, "queue.hall_closed", h.Hours.Open, h.Hours.LastTicket)
	}
	if !lk.offered[req.Item] {
		var one int
		if err := tx.QueryRow(`SELECT 1 FROM window_items wi JOIN windows w ON w.id = wi.window_id WHERE w.hall_id = ? AND wi.item_code = ? LIMIT 1`,
			req.HallID, req.Item).Scan(&one); err != nil {
			if errors.Is(err, ErrNoRows) {
				return apperr.InvalidField("item", "queue.item_not_offered", req.Item)
			}
			return err
		}
		lk.offered[req.Item] = true
	}
	prefix, ok := lk.prefix[req.Zone]
	if !ok {
		if err := tx.QueryRow("SELECT prefix FROM zones WHERE hall_id = ? AND code = ?", req.HallID, req.Zone).Scan(&prefix); err != nil {
			if errors.Is(err, ErrNoRows) {
				return apperr.InvalidField("item", "queue.item_not_offered", req.Item)
			}
			return err
		}
		lk.prefix[req.Zone] = prefix
	}
	if err := lockHall(tx, req.HallID); err != nil {
		return err
	}
	if req.Channel == ChannelPhone {
		if err := usePhoneCode(tx, req.HallID, req.Phone, req.SMSCode); err != nil {
			return err
		}
	}
	if !lk.stOK {
		if lk.st, err = queueSettings(tx, req.HallID); err != nil {
			return err
		}
		lk.stOK = true
	}
	st := lk.st
	day := dayOf(tx.Now, loc)
	// The facts for the limits, then the decision (queue.CheckIssueLimits).
	facts := queue.IssueFacts{DefaultCap: st.DefaultCap}
	if req.Phone != "" {
		blind, err := tx.blindPhone(req.Phone)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM tickets WHERE hall_id = ? AND phone_blind = ? AND item_code = ? AND state IN (`+stateList(queue.State.Active)+`)`,
			req.HallID, blind, req.Item).Scan(&facts.ActiveForPhone); err != nil {
			return err
		}
	}
	if c, ok := lk.caps[req.Item]; ok {
		facts.ItemCap, facts.HasItemCap = c.cap, c.has
	} else {
		if err := tx.QueryRow("SELECT daily_cap FROM queue_item_caps WHERE hall_id = ? AND item_code = ?", req.HallID, req.Item).Scan(&facts.ItemCap); err == nil {
			facts.HasItemCap = true
		} else if !errors.Is(err, ErrNoRows) {
			return err
		}
		lk.caps[req.Item] = itemCap{facts.ItemCap, facts.HasItemCap}
	}
	today := itemDay{req.HallID, day, req.Item}
	if n, ok := tx.grp.issuedToday(today); ok {
		facts.IssuedToday = n
	} else if err := tx.QueryRow("SELECT COUNT(*) FROM tickets WHERE hall_id = ? AND day = ? AND item_code = ?", req.HallID, day, req.Item).Scan(&facts.IssuedToday); err != nil {
		return err
	}
	if err := queue.CheckIssueLimits(facts); err != nil {
		return err
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
	phoneEnc, phoneBlind, err := tx.sealPhone(t.Phone)
	if err != nil {
		return err
	}
	t.ID, err = tx.InsertID(`INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, priority, channel, phone, phone_enc, phone_blind, state, issued_at, created_at,
		eta_ms, track_token, idem_key, appointment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.HallID, t.Day, t.Number, t.Prefix, t.Seq, t.Item, t.Zone, t.Priority, t.Channel, phoneEnc, phoneBlind, t.State, t.IssuedAt, t.CreatedAt,
		t.EtaMs, t.TrackToken, idem, nullInt(req.AppointmentID))
	if err != nil {
		return err
	}
	noteWaitingAdded(tx, &t)
	if tx.grp != nil && tx.Dialect() == SQLite {
		// Calls will follow: the group writer keeps this waiting list
		// loaded (warmUpWhenIdle).
		tx.db.group.want(t.HallID, t.Day)
	}
	tx.grp.noteIssued(today, facts.IssuedToday+1)
	if req.pre != nil {
		out.Ahead, out.Wait = req.pre.ahead, req.pre.wait
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
		if out.Ahead, err = aheadOf(tx, &t, waiting); err != nil {
			return err
		}
		out.Wait = Wait{Ahead: out.Ahead, EtaMs: t.EtaMs, At: now}
		if t.EtaMs >= 0 {
			out.Wait.ExpectedAt = now + t.EtaMs
		}
	}
	tr := t
	tr.State = ""
	if err := transition(tx, &tr, string(queue.ActIssue), t.State, 0, 0, t.Channel); err != nil {
		return err
	}
	if err := tx.Audit("ticket.issue", fmt.Sprintf("ticket:%d", t.ID), fmt.Sprintf("%s %s %s %s", t.Number, t.Item, t.Channel, t.Priority)); err != nil {
		return err
	}
	out.Ticket, out.Created = t, true
	return publishTicket(tx, EventTicketIssued, &t, "", waitingAdded)
}

// issueLookups are what an issue reads about its hall that a grouped
// write does not change: read by the first issue of a hall in a group and
// kept for the others (groupState.issue). Outside a group they are read
// afresh for each issue.
type issueLookups struct {
	hall    hall.Hall
	loc     *time.Location
	isWork  hall.IsWorkingDay
	offered map[string]bool   // items a window of the hall offers
	prefix  map[string]string // zone → ticket prefix
	caps    map[string]itemCap
	st      QueueSettings
	stOK    bool
}

type itemCap struct {
	cap int
	has bool
}

func issueLookupsOf(tx *Tx, hallID int64) (*issueLookups, error) {
	g := tx.grp
	if g != nil && g.issue[hallID] != nil {
		return g.issue[hallID], nil
	}
	h, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return nil, err
	}
	isWork, err := workingDayCheck(tx, h)
	if err != nil {
		return nil, err
	}
	lk := &issueLookups{hall: h, loc: loc, isWork: isWork, offered: map[string]bool{}, prefix: map[string]string{}, caps: map[string]itemCap{}}
	if g != nil {
		if g.issue == nil {
			g.issue = map[int64]*issueLookups{}
		}
		g.issue[hallID] = lk
	}
	return lk, nil
}

// issuedToday is the count of today's tickets of an item that the group
// has carried on since it read it (false: read it).
func (g *groupState) issuedToday(k itemDay) (int, bool) {
	if g == nil {
		return 0, false
	}
	n, ok := g.issued[k]
	return n, ok
}

// noteIssued records the count after an issue.
func (g *groupState) noteIssued(k itemDay, n int) {
	if g == nil {
		return
	}
	if g.issued == nil {
		g.issued = map[itemDay]int{}
	}
	g.issued[k] = n
}
