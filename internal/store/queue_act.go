package store

import (
	"context"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/queue"
)

// Ticket actions after the call (queue.Action), as the store's callers
// name them. The state machine is queue.Rules.
const (
	ActStart    = string(queue.ActStart)
	ActFinish   = string(queue.ActFinish)
	ActNoShow   = string(queue.ActNoShow)
	ActRecall   = string(queue.ActRecall)
	ActHold     = string(queue.ActHold)
	ActReturn   = string(queue.ActReturn)
	ActCancel   = string(queue.ActCancel)
	ActTransfer = string(queue.ActTransfer)
)

// ActRequest is an action on a ticket by window staff.
type ActRequest struct {
	HallID   int64
	TicketID int64
	By       Staffer
	Action   string
	// Transfer target: another item the hall offers (with its zone) and/or
	// a window of the hall.
	Item, Zone string
	WindowID   int64
	Note       string
}

// ActOnTicket applies an action to a ticket in one transaction with its
// transition, audit record and public event. A wrong state is a conflict
// and changes nothing.
func (db *DB) ActOnTicket(ctx context.Context, req ActRequest) (Ticket, error) {
	// The queue changes: the next estimate must see it (queue_eta.go).
	defer db.etas.drop(req.HallID)
	var out Ticket
	action, err := queue.StaffAction(req.Action)
	if err != nil {
		return out, err
	}
	if err := queue.CheckNote("note", req.Note); err != nil {
		return out, err
	}
	// Grouped with concurrent calls and issues (see CallNext).
	err = db.WriteGrouped(ctx, func(tx *Tx) error { return actInTx(tx, req, action, &out) })
	return out, wrap("act on ticket", err)
}

// actInTx applies action to a ticket inside tx (see ActOnTicket) and
// sets *res to the ticket it leaves.
func actInTx(tx *Tx, req ActRequest, action queue.Action, res *Ticket) error {
	var out Ticket
	defer func() { *res = out }()
	tx.keepsWaiting = true
	// The ticket is read under the hall's lock (PostgreSQL), so that no
	// other call changes it meanwhile: the lock of the hall the request
	// names, and a ticket of another hall is not found.
	if err := lockHall(tx, req.HallID); err != nil {
		return err
	}
	// With it the session at its window: the staff member must be the
	// one signed in there (a held ticket returns through any window of
	// its holder).
	t, sess, sole, known := tx.grp.ticketAtWindow(req.TicketID)
	var err error
	if !known {
		t, sess, err = ticketWithSession(tx, req.TicketID)
	}
	if err != nil || t.HallID != req.HallID {
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		return apperr.NotFoundOf("ticket")
	}
	from := queue.State(t.State)
	next, err := queue.Next(action, from, t.Number)
	if err != nil {
		return err
	}
	// A clerk acts only at their own window (queue.CheckTicketActor).
	if err := queue.CheckTicketActor(t.WindowID != 0, sess, t.State == string(queue.StateHeld), t.StaffID, req.By, t.Number); err != nil {
		return err
	}
	now := tx.NowMs()
	to := string(next)
	win := t.WindowNumber
	switch req.Action {
	case ActStart, ActFinish:
		// The ticket was read under the hall's lock (or its group left
		// it at the window), so what the step leaves is known: it is
		// written without a read back, deferred on PostgreSQL.
		out = t
		out.State = to
		if out.StartedAt == 0 || req.Action == ActStart {
			out.StartedAt = now
		}
		if req.Action == ActFinish {
			out.FinishedAt = now
		}
		err = tx.stepLater(&out, t.State)
	case ActNoShow:
		st, serr := queueSettings(tx, req.HallID)
		if serr != nil {
			return serr
		}
		if err := queue.CheckNoShow(t.Recalls, st.MaxRecalls); err != nil {
			return err
		}
		out, err = updateTicket(tx, t.ID, win, "UPDATE tickets SET state = ?, finished_at = ? WHERE id = ?", to, now, t.ID)
	case ActRecall:
		out, err = updateTicket(tx, t.ID, win, "UPDATE tickets SET recalls = recalls + 1 WHERE id = ?", t.ID)
	case ActHold:
		out, err = updateTicket(tx, t.ID, win, "UPDATE tickets SET state = ?, window_id = NULL WHERE id = ?", to, t.ID)
	case ActReturn:
		out, err = updateTicket(tx, t.ID, win, "UPDATE tickets SET state = ? WHERE id = ?", to, t.ID)
	case ActCancel:
		out, err = updateTicket(tx, t.ID, win, "UPDATE tickets SET state = ?, finished_at = ?, window_id = NULL WHERE id = ?", to, now, t.ID)
	case ActTransfer:
		item, zone := t.Item, t.Zone
		if req.Item == "" && req.WindowID == 0 {
			return apperr.InvalidField("item", "queue.transfer_target")
		}
		if req.Item != "" {
			var one int
			if err := tx.QueryRow(`SELECT 1 FROM window_items wi JOIN windows w ON w.id = wi.window_id WHERE w.hall_id = ? AND wi.item_code = ? LIMIT 1`,
				req.HallID, req.Item).Scan(&one); err != nil {
				return apperr.InvalidField("item", "queue.item_not_offered", req.Item)
			}
			item, zone = req.Item, req.Zone
		}
		if req.WindowID != 0 {
			if _, err := windowInTx(tx, req.HallID, req.WindowID); err != nil {
				return err
			}
		}
		// The ticket keeps its number and its issued_at: it keeps its place.
		out, err = updateTicket(tx, t.ID, win, "UPDATE tickets SET state = ?, item_code = ?, zone = ?, window_id = NULL, target_window_id = ?, started_at = 0, recalls = 0 WHERE id = ?",
			to, item, zone, nullInt(req.WindowID), t.ID)
		if err == nil {
			tx.grp.noteTransfer(itemDay{t.HallID, t.Day, t.Item}, item)
		}
		t.Item, t.Zone = item, zone
	}
	if err != nil {
		return err
	}
	note := req.Note
	if req.Action == ActTransfer {
		note = strings.TrimSpace(fmt.Sprintf("item=%s window=%d %s", t.Item, req.WindowID, req.Note))
	}
	if err := transition(tx, &t, req.Action, to, req.By.StaffID, t.WindowID, note); err != nil {
		return err
	}
	if err := tx.Audit("ticket."+req.Action, fmt.Sprintf("ticket:%d", t.ID), t.Number+" "+note); err != nil {
		return err
	}
	kind := EventTicketUpdated
	if req.Action == ActRecall {
		kind = EventTicketRecalled
	}
	change := waitingSame
	if from == queue.StateWaiting || next == queue.StateWaiting {
		// A return, transfer or cancellation: the group reads the
		// waiting list and counts again.
		forgetWaitingOf(tx, t.HallID, t.Day)
		change = waitingFresh
	}
	// What the group knows of the window: a started ticket is still
	// there; a ticket the group saw called there finishes and leaves
	// it free (the call found no other); after anything else the next
	// call reads the window again.
	tx.grp.forgetWindow(t.WindowID)
	switch {
	case req.Action == ActStart && out.WindowID == t.WindowID:
		at := out
		tx.grp.noteWindow(t.WindowID, windowNow{hall: t.HallID, sess: sess, busy: at.Number, t: &at, sole: sole})
	case req.Action == ActFinish && sole:
		tx.grp.noteWindow(t.WindowID, windowNow{hall: t.HallID, sess: sess})
	}
	// out is the ticket as the update returned it.
	return publishTicket(tx, kind, &t, win, change)
}

// CancelByToken lets a citizen give up a waiting ticket from the tracking
// page.
func (db *DB) CancelByToken(ctx context.Context, token string) error {
	// The queue changes: the next estimate must see it (queue_eta.go).
	defer db.etas.dropAll()
	return db.Write(ctx, func(tx *Tx) error {
		t, err := scanTicket(tx.QueryRow("SELECT "+ticketCols+ticketFrom+"WHERE t.track_token = ?", token))
		if err != nil {
			return notFound(err, "ticket")
		}
		to, err := queue.HolderCancel(queue.State(t.State), t.Number)
		if err != nil {
			return err
		}
		// Only from the state read: on PostgreSQL a call may take the
		// ticket between the read and the update (this write does not take
		// the hall's lock), and the called ticket must not vanish from the
		// clerk's window.
		res, err := tx.Exec("UPDATE tickets SET state = ?, finished_at = ? WHERE id = ? AND state = ?", to, tx.NowMs(), t.ID, t.State)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.New(apperr.Conflict, "err.conflict", t.Number)
		}
		if err := transition(tx, &t, ActCancel, string(to), 0, 0, "holder"); err != nil {
			return err
		}
		if err := tx.Audit("ticket.cancel", fmt.Sprintf("ticket:%d", t.ID), t.Number+" by holder"); err != nil {
			return err
		}
		return publishTicket(tx, EventTicketUpdated, &t, "", waitingFresh)
	})
}
