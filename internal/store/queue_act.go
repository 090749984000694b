package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"mingbai/internal/apperr"
)

// Ticket actions after the call.
const (
	ActStart    = "start"
	ActFinish   = "finish"
	ActNoShow   = "no_show"
	ActRecall   = "recall"
	ActHold     = "hold"
	ActReturn   = "return"
	ActCancel   = "cancel"
	ActTransfer = "transfer"
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

var actFrom = map[string][]string{
	ActStart:    {"called"},
	ActFinish:   {"called", "serving"},
	ActNoShow:   {"called"},
	ActRecall:   {"called"},
	ActHold:     {"called", "serving"},
	ActReturn:   {"held"},
	ActCancel:   {"waiting", "called", "held"},
	ActTransfer: {"called", "serving"},
}

var actTo = map[string]string{ActStart: "serving", ActFinish: "done", ActNoShow: "no_show", ActRecall: "called",
	ActHold: "held", ActReturn: "waiting", ActCancel: "cancelled", ActTransfer: "waiting"}

// ActOnTicket applies an action to a ticket in one transaction with its
// transition, audit record and public event. A wrong state is a conflict
// and changes nothing.
func (db *DB) ActOnTicket(ctx context.Context, req ActRequest) (Ticket, error) {
	// The queue changes: the next estimate must see it (queue_eta.go).
	defer db.etas.drop(req.HallID)
	var out Ticket
	from, ok := actFrom[req.Action]
	if !ok {
		return out, apperr.InvalidField("action", "err.bad_value", "action", req.Action)
	}
	if utf8.RuneCountInString(req.Note) > 200 {
		return out, apperr.InvalidField("note", "err.too_long", "note", 200)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		t, err := ticketByID(tx, req.TicketID)
		if err != nil || t.HallID != req.HallID {
			return apperr.NotFoundOf("ticket")
		}
		if err := lockHall(tx, req.HallID); err != nil {
			return err
		}
		t, err = ticketByID(tx, req.TicketID)
		if err != nil {
			return err
		}
		okState := false
		for _, s := range from {
			okState = okState || s == t.State
		}
		if !okState {
			return apperr.New(apperr.Conflict, "queue.bad_state", t.Number, "ticket_state_"+t.State)
		}
		// The staff member must be the one signed in at the ticket's window
		// (a held ticket returns through any window of its holder).
		if t.WindowID != 0 && !req.By.Manager {
			sess, err := activeSession(tx, t.WindowID)
			if err != nil || sess.Username != req.By.Username {
				return apperr.New(apperr.Forbidden, "queue.not_your_ticket", t.Number)
			}
		}
		st, err := queueSettings(tx, req.HallID)
		if err != nil {
			return err
		}
		now := tx.NowMs()
		to := actTo[req.Action]
		win := t.WindowNumber
		switch req.Action {
		case ActStart:
			_, err = tx.Exec("UPDATE tickets SET state = ?, started_at = ? WHERE id = ?", to, now, t.ID)
		case ActFinish:
			_, err = tx.Exec("UPDATE tickets SET state = ?, started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END, finished_at = ? WHERE id = ?", to, now, now, t.ID)
		case ActNoShow:
			if t.Recalls < st.MaxRecalls {
				return apperr.New(apperr.Conflict, "queue.noshow_too_early", st.MaxRecalls, t.Recalls)
			}
			_, err = tx.Exec("UPDATE tickets SET state = ?, finished_at = ? WHERE id = ?", to, now, t.ID)
		case ActRecall:
			_, err = tx.Exec("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?", t.ID)
		case ActHold:
			_, err = tx.Exec("UPDATE tickets SET state = ?, window_id = NULL WHERE id = ?", to, t.ID)
		case ActReturn:
			_, err = tx.Exec("UPDATE tickets SET state = ? WHERE id = ?", to, t.ID)
		case ActCancel:
			_, err = tx.Exec("UPDATE tickets SET state = ?, finished_at = ?, window_id = NULL WHERE id = ?", to, now, t.ID)
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
			_, err = tx.Exec("UPDATE tickets SET state = 'waiting', item_code = ?, zone = ?, window_id = NULL, target_window_id = ?, started_at = 0, recalls = 0 WHERE id = ?",
				item, zone, nullInt(req.WindowID), t.ID)
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
		if err := publishTicket(tx, kind, &t, win); err != nil {
			return err
		}
		out, err = ticketByID(tx, t.ID)
		return err
	})
	return out, err
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
		if t.State != "waiting" && t.State != "held" {
			return apperr.New(apperr.Conflict, "queue.bad_state", t.Number, "ticket_state_"+t.State)
		}
		if _, err := tx.Exec("UPDATE tickets SET state = 'cancelled', finished_at = ? WHERE id = ?", tx.NowMs(), t.ID); err != nil {
			return err
		}
		if err := transition(tx, &t, ActCancel, "cancelled", 0, 0, "holder"); err != nil {
			return err
		}
		if err := tx.Audit("ticket.cancel", fmt.Sprintf("ticket:%d", t.ID), t.Number+" by holder"); err != nil {
			return err
		}
		return publishTicket(tx, EventTicketUpdated, &t, "")
	})
}
