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
	// Hall is the ticket's hall as the issue read it (zero for a retry).
	Hall hall.Hall
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

// ticketInsert is a new ticket with its id taken beforehand (takeID),
// deferred in grouped writes on PostgreSQL (deferred.go).
var ticketInsert = newBulkInsert("tickets", "bbtttbttttttttbbbttb", "id", "hall_id", "day", "number", "prefix", "seq", "item_code", "zone", "priority", "channel",
	"phone", "phone_enc", "phone_blind", "state", "issued_at", "created_at", "eta_ms", "track_token", "idem_key", "appointment_id")

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
		return apperr.InvalidField("item", "queue.item_not_offered", req.Item)
	}
	prefix, ok := lk.prefix[req.Zone]
	if !ok {
		return apperr.InvalidField("item", "queue.item_not_offered", req.Item)
	}
	if err := lockHall(tx, req.HallID); err != nil {
		return err
	}
	if req.Channel == ChannelPhone {
		if err := usePhoneCode(tx, req.HallID, req.Phone, req.SMSCode); err != nil {
			return err
		}
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
		facts.ItemCap, facts.HasItemCap = c, true
	}
	today := itemDay{req.HallID, day, req.Item}
	n, exact, err := issuedTodayOf(tx, lk, today, facts.DailyCap())
	if err != nil {
		return err
	}
	facts.IssuedToday = n
	if err := queue.CheckIssueLimits(facts); err != nil {
		return err
	}
	// The counter row is incremented inside this transaction: a rolled
	// back issue gives its number back, and concurrent issuers (other
	// connections, other instances) wait on the row lock.
	seq, err := nextSeq(tx, req.HallID, day, prefix)
	if err != nil {
		return err
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
	id, taken, err := takeID(tx, "tickets", req.HallID)
	if err != nil {
		return err
	}
	if taken {
		t.ID = id
		err = tx.insertLater(ticketInsert, t.ID, t.HallID, t.Day, t.Number, t.Prefix, t.Seq, t.Item, t.Zone, t.Priority, t.Channel, "", phoneEnc, phoneBlind, t.State, t.IssuedAt, t.CreatedAt,
			t.EtaMs, t.TrackToken, idem, nullInt(req.AppointmentID))
	} else {
		// Without an id of its own the insert takes the next one.
		t.ID, err = tx.InsertID(`INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, priority, channel, phone, phone_enc, phone_blind, state, issued_at, created_at,
		eta_ms, track_token, idem_key, appointment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.HallID, t.Day, t.Number, t.Prefix, t.Seq, t.Item, t.Zone, t.Priority, t.Channel, phoneEnc, phoneBlind, t.State, t.IssuedAt, t.CreatedAt,
			t.EtaMs, t.TrackToken, idem, nullInt(req.AppointmentID))
	}
	if err != nil {
		return err
	}
	noteWaitingAdded(tx, &t)
	if tx.grp != nil && tx.Dialect() == SQLite {
		// Calls will follow: the group writer keeps this waiting list
		// loaded (warmUpWhenIdle).
		tx.db.group.want(t.HallID, t.Day)
	}
	lk.dayBound++
	if exact {
		tx.grp.noteIssued(today, facts.IssuedToday+1)
	}
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
			noteWaitingEta(tx, &t)
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
	out.Ticket, out.Created, out.Hall = t, true, h
	return publishTicket(tx, EventTicketIssued, &t, "", waitingAdded)
}

// issueLookups are what an issue reads about its hall that a grouped
// write does not change: read by the first issue of a hall in a group
// (the hall and its settings through hallRulesOf, shared with the calls;
// its offered items, zone prefixes and item caps in one statement), and
// kept for the others (groupState.issue). Outside a
// group they are read afresh for each issue.
type issueLookups struct {
	hall    hall.Hall
	loc     *time.Location
	isWork  hall.IsWorkingDay
	offered map[string]bool   // items a window of the hall offers
	prefix  map[string]string // zone → ticket prefix
	caps    map[string]int    // item → its own daily cap
	st      QueueSettings
	// dayBound is at least the number of the hall's tickets of day
	// boundDay, all items together: the sum of its counters (every ticket
	// of a day takes its number from one), read under the hall's lock and
	// counted on by the group's issues. While it is below an item's daily
	// cap, that item's own count cannot reach the cap and is not read.
	// An operation rolled back leaves it higher than the count: still a
	// bound.
	dayBound int
	boundDay string
}

func issueLookupsOf(tx *Tx, hallID int64) (*issueLookups, error) {
	g := tx.grp
	if g != nil && g.issue[hallID] != nil {
		return g.issue[hallID], nil
	}
	rules, err := hallRulesOf(tx, hallID)
	if err != nil {
		return nil, err
	}
	isWork, err := workingDayCheck(tx, rules.hall)
	if err != nil {
		return nil, err
	}
	lk := &issueLookups{hall: rules.hall, loc: rules.loc, st: rules.st, isWork: isWork, offered: map[string]bool{}, prefix: map[string]string{}, caps: map[string]int{}}
	rows, err := tx.Query(`SELECT 'o', item_code, 0, '' FROM (SELECT DISTINCT wi.item_code FROM window_items wi JOIN windows w ON w.id = wi.window_id WHERE w.hall_id = ?) o
		UNION ALL SELECT 'p', code, 0, prefix FROM zones WHERE hall_id = ?
		UNION ALL SELECT 'c', item_code, daily_cap, '' FROM queue_item_caps WHERE hall_id = ?`, hallID, hallID, hallID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, key, text string
		var n int
		if err := rows.Scan(&kind, &key, &n, &text); err != nil {
			return nil, err
		}
		switch kind {
		case "o":
			lk.offered[key] = true
		case "p":
			lk.prefix[key] = text
		case "c":
			lk.caps[key] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if g != nil {
		putKey(&g.issue, hallID, lk)
	}
	return lk, nil
}

// issuedTodayOf returns what an issue of k's item is checked against
// limit with: the item's count of the day (exact, true), or lk.dayBound
// while that is below the limit (false). Called under the hall's lock.
func issuedTodayOf(tx *Tx, lk *issueLookups, k itemDay, limit int) (int, bool, error) {
	if n, ok := tx.grp.issuedToday(k); ok {
		return n, true, nil
	}
	if lk.boundDay != k.day {
		if err := tx.QueryRow("SELECT COALESCE(SUM(last_seq), 0) FROM queue_counters WHERE hall_id = ? AND day = ?", k.hall, k.day).Scan(&lk.dayBound); err != nil {
			return 0, false, err
		}
		lk.boundDay = k.day
	}
	if lk.dayBound < limit {
		return lk.dayBound, false, nil
	}
	if tx.grp == nil {
		var n int
		err := tx.QueryRow("SELECT COUNT(*) FROM tickets WHERE hall_id = ? AND day = ? AND item_code = ?", k.hall, k.day, k.item).Scan(&n)
		return n, true, err
	}
	// Near a cap, in a group: the day's count of every item of the hall
	// in one read, kept for the group's other issues.
	counts := map[string]int{}
	rows, err := tx.Query("SELECT item_code, COUNT(*) FROM tickets WHERE hall_id = ? AND day = ? GROUP BY item_code", k.hall, k.day)
	if err != nil {
		return 0, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var item string
		var n int
		if err := rows.Scan(&item, &n); err != nil {
			return 0, false, err
		}
		counts[item] = n
	}
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	tx.grp.noteDayCounts(zoneDay{k.hall, k.day}, counts)
	return counts[k.item], true, nil
}

// issuedToday is the count of today's tickets of an item that the group
// has carried on since it read it (false: read it).
func (g *groupState) issuedToday(k itemDay) (int, bool) {
	if g == nil {
		return 0, false
	}
	if n, ok := g.issued[k]; ok {
		return n, true
	}
	return 0, g.counted[zoneDay{k.hall, k.day}]
}

// noteDayCounts records the counts of every item of a hall's day (an item
// missing from counts has none).
func (g *groupState) noteDayCounts(k zoneDay, counts map[string]int) {
	for item, n := range counts {
		putKey(&g.issued, itemDay{k.hall, k.day, item}, n)
	}
	putKey(&g.counted, k, true)
}

// noteTransfer moves a ticket of the day counted for item from to item
// to (a transfer changes the ticket's item, and the caps count by item).
func (g *groupState) noteTransfer(from itemDay, to string) {
	if g == nil || from.item == to {
		return
	}
	dest := itemDay{from.hall, from.day, to}
	if n, ok := g.issuedToday(from); ok {
		g.noteIssued(from, n-1)
	}
	if n, ok := g.issuedToday(dest); ok {
		g.noteIssued(dest, n+1)
	}
}

// noteIssued records the count after an issue.
func (g *groupState) noteIssued(k itemDay, n int) {
	if g != nil {
		putKey(&g.issued, k, n)
	}
}

// counterKey names a counter row of queue_counters.
type counterKey struct {
	hall        int64
	day, prefix string
}

// counterUpdate is the deferred write of a day's counter (nextSeq).
var counterUpdate = &bulkUpdate{table: "queue_counters", types: "bbtt",
	plain: "UPDATE queue_counters SET last_seq = ? WHERE hall_id = ? AND day = ? AND prefix = ?",
	bulk: `UPDATE queue_counters AS c SET last_seq = u.last_seq FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[])
		AS u(last_seq, hall_id, day, prefix) WHERE c.hall_id = u.hall_id AND c.day = u.day AND c.prefix = u.prefix`}

// nextSeq takes the next number of a hall's day and prefix from its
// counter row. In a grouped write on PostgreSQL the transaction holds the
// hall's lock, which every issue of the hall takes before its number, so
// after the first the group counts on by itself: the row is written by
// a deferred UPDATE (deferred.go) instead of being read back per ticket.
func nextSeq(tx *Tx, hallID int64, day, prefix string) (int, error) {
	k := counterKey{hallID, day, prefix}
	g := tx.grp
	counting := g != nil && tx.later != nil && g.halls[hallID]
	if counting {
		if last, ok := g.counters[k]; ok {
			seq := last + 1
			key := fmt.Sprintf("%d %s %s", hallID, day, prefix)
			if err := tx.updateLater(counterUpdate, key, seq, hallID, day, prefix); err != nil {
				return 0, err
			}
			g.counters[k] = seq
			return seq, nil
		}
	}
	var seq int
	if err := tx.QueryRow(`INSERT INTO queue_counters (hall_id, day, prefix, last_seq) VALUES (?, ?, ?, 1)
		ON CONFLICT (hall_id, day, prefix) DO UPDATE SET last_seq = queue_counters.last_seq + 1 RETURNING last_seq`,
		hallID, day, prefix).Scan(&seq); err != nil {
		return 0, mapErr(err)
	}
	if counting {
		putKey(&g.counters, k, seq)
	}
	return seq, nil
}
