package store

import (
	"context"
	"fmt"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
	"mingbai/internal/queue"
)

// CallRequest asks a window to call. TicketID 0 calls the next ticket by
// the hall's policy; a specific ticket out of turn needs a Reason and is
// recorded as an integrity event.
type CallRequest struct {
	HallID, WindowID int64
	By               Staffer
	TicketID         int64
	Reason           string
}

// CallNext calls a ticket at a window, in one transaction: it loads the
// waiting tickets, runs the hall's policy (queue.NewPolicy) for the window,
// marks the ticket called, applies queue.ApplyCall and persists the bumped
// green-channel counters. Two windows calling at once never get the same
// ticket: SQLite has one writer, PostgreSQL takes the hall's advisory lock.
// On SQLite, concurrent calls, starts, finishes and issues share a grouped
// transaction (WriteGrouped): they run one after the other inside it, each
// choosing from the waiting list as the ones before it left it.
func (db *DB) CallNext(ctx context.Context, req CallRequest) (Ticket, error) {
	// The queue changes: the next estimate must see it (queue_eta.go).
	defer db.etas.drop(req.HallID)
	var out Ticket
	if err := queue.CheckNote("reason", req.Reason); err != nil {
		return out, err
	}
	err := db.WriteGrouped(ctx, func(tx *Tx) error {
		var err error
		out, err = callInTx(tx, req)
		return err
	})
	return out, wrap("call next", err)
}

func callInTx(tx *Tx, req CallRequest) (Ticket, error) {
	tx.keepsWaiting = true
	w, err := windowInTx(tx, req.HallID, req.WindowID)
	if err != nil {
		return Ticket{}, err
	}
	if err := lockHall(tx, req.HallID); err != nil {
		return Ticket{}, err
	}
	var sess *WindowSession
	var busy string
	if wn, ok := tx.grp.window(req.WindowID); ok {
		sess, busy = wn.sess, wn.busy
	} else {
		if sess, busy, err = sessionAndBusy(tx, req.WindowID); err != nil {
			return Ticket{}, err
		}
		tx.grp.noteWindow(req.WindowID, windowNow{hall: req.HallID, sess: sess, busy: busy})
	}
	if err := queue.CheckCall(sess, req.By, w.Number, busy); err != nil {
		return Ticket{}, err
	}
	rules, err := hallRulesOf(tx, req.HallID)
	if err != nil {
		return Ticket{}, err
	}
	st := rules.st
	pol, err := queue.NewPolicy(st.Policy, queue.Options{K: st.GreenK})
	if err != nil {
		return Ticket{}, err
	}
	day := dayOf(tx.Now, rules.loc)
	list, err := callQueue(tx, req.HallID, day)
	if err != nil {
		return Ticket{}, err
	}
	waiting := list.tickets
	qw := queueWindow(w, true)
	idx := -1
	if req.TicketID == 0 {
		i, ok := queue.NextSorted(pol, qw, waiting, tx.Now, list.sorted())
		if !ok {
			return Ticket{}, apperr.New(apperr.NotFound, "queue.nothing_waiting", w.Number)
		}
		idx = i
	} else {
		for i := range waiting {
			if waiting[i].ID == req.TicketID {
				idx = i
			}
		}
		if idx < 0 {
			return Ticket{}, apperr.New(apperr.Conflict, "queue.not_waiting")
		}
		if !qw.Serves(&waiting[idx]) {
			return Ticket{}, apperr.New(apperr.Invalid, "queue.window_cannot_serve", w.Number, waiting[idx].Item)
		}
		if !queue.IsInTurn(pol, qw, waiting, idx, tx.Now) {
			reason, err := queue.CheckOutOfTurn(req.Reason)
			if err != nil {
				return Ticket{}, err
			}
			t := waiting[idx]
			if err := tx.RaiseAlert(Alert{HallID: req.HallID, Kind: AlertOutOfTurn, Ref: fmt.Sprintf("ticket:%d", t.ID),
				Params: map[string]string{"ticket": t.Number, "window": w.Number, "reason": reason}, Actor: req.By.Username}); err != nil {
				return Ticket{}, err
			}
			if err := tx.Audit("queue.out_of_turn", fmt.Sprintf("ticket:%d", t.ID), fmt.Sprintf("%s window %s: %s", t.Number, w.Number, reason)); err != nil {
				return Ticket{}, err
			}
		}
	}
	// Every call, in turn or not, goes through ApplyCall so the
	// green-channel bound holds; the bumped counters are stored.
	for _, i := range queue.ApplyCall(qw, waiting, idx) {
		if _, err := tx.Exec("UPDATE tickets SET priority_bypassed = ? WHERE id = ?", waiting[i].PriorityBypassed, waiting[i].ID); err != nil {
			return Ticket{}, err
		}
	}
	// The ticket is waiting (the list says so, read under the hall's lock,
	// and the step requires it): the call is written as it leaves the
	// row, with no read before or after (stepLater).
	to, err := queue.Next(queue.ActCall, queue.StateWaiting, waiting[idx].Number)
	if err != nil {
		return Ticket{}, err
	}
	t, ok := list.waitingRow(idx)
	if !ok {
		return Ticket{}, fmt.Errorf("call: the waiting list has no row of ticket %d", waiting[idx].ID)
	}
	t.State = string(to)
	if t.CalledAt == 0 {
		t.CalledAt = tx.NowMs()
	}
	t.WindowID, t.WindowNumber, t.StaffID = req.WindowID, w.Number, sess.StaffID
	t.TargetWindowID, t.Recalls, t.PriorityBypassed = 0, 0, waiting[idx].PriorityBypassed
	if err := tx.stepLater(&t, string(queue.StateWaiting)); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return Ticket{}, apperr.New(apperr.Conflict, "queue.not_waiting")
		}
		return Ticket{}, err
	}
	notified := list.near[idx] == nearSent
	list.remove(idx)
	called := t
	tx.grp.noteWindow(req.WindowID, windowNow{hall: req.HallID, sess: sess, busy: called.Number, t: &called, sole: true})
	t.State = string(queue.StateWaiting) // the transition's from state
	if err := transition(tx, &t, string(queue.ActCall), string(to), sess.StaffID, req.WindowID, req.Reason); err != nil {
		return Ticket{}, err
	}
	if err := tx.Audit("ticket.call", fmt.Sprintf("ticket:%d", t.ID), fmt.Sprintf("%s window %s", t.Number, w.Number)); err != nil {
		return Ticket{}, err
	}
	if err := publishTicket(tx, EventTicketCalled, &t, w.Number, waitingRemoved); err != nil {
		return Ticket{}, err
	}
	// A turn-near notice not yet sent is no use once the turn came (a
	// ticket that had none queued has none to expire).
	if notified {
		if err := tx.ExpireQueued(fmt.Sprintf("turn_near:%d", t.ID)); err != nil {
			return Ticket{}, err
		}
	}
	if err := notifyNear(tx, req.HallID, st, list); err != nil {
		return Ticket{}, err
	}
	return called, nil
}

// notifyNear sends, once per ticket, an SMS to holders with a phone whose
// turn is near (NearAhead or fewer people before them) in the waiting list
// l, and marks them notified there too.
func notifyNear(tx *Tx, hallID int64, st QueueSettings, l *waitingList) error {
	if st.NearAhead <= 0 {
		return nil
	}
	var cands []int
	for i, c := range l.near {
		if c == nearDue {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	wins, err := listWindows(tx, hallID)
	if err != nil {
		return err
	}
	qwins := hallQueueWindows(wins)
	ahead := func(i int) int { return queue.Ahead(l.tickets, qwins, l.tickets[i]) }
	if len(cands) > 8 {
		// One sweep for the whole list rather than one per candidate.
		all := queue.AheadAll(l.tickets, qwins)
		ahead = func(i int) int { return all[i] }
	}
	for _, i := range cands {
		if ahead(i) > st.NearAhead {
			continue
		}
		id := l.tickets[i].ID
		var phone, enc string
		if err := tx.QueryRow("SELECT phone, phone_enc FROM tickets WHERE id = ?", id).Scan(&phone, &enc); err != nil {
			return err
		}
		if phone, err = tx.openSealed(enc, phone); err != nil {
			return err
		}
		if _, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Kind: "turn_near", HallID: hallID,
			Params:    map[string]string{"ticket": l.tickets[i].Number},
			DedupeKey: fmt.Sprintf("turn_near:%d", id)}); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE tickets SET near_notified = 1 WHERE id = ?", id); err != nil {
			return err
		}
		l.near[i] = nearSent
	}
	return nil
}
