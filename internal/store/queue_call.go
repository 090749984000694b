package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/notify"
	"mingbai/internal/queue"
)

// Window session states.
const (
	WindowOpen   = "open"
	WindowPaused = "paused"
	WindowClosed = "closed"
)

// Pause reasons.
var PauseReasons = []string{"break", "back_office", "meeting"}

// WindowSession is a staff member signed in at a window.
type WindowSession struct {
	ID        int64  `json:"id"`
	HallID    int64  `json:"hall_id"`
	WindowID  int64  `json:"window_id"`
	StaffID   int64  `json:"staff_id,omitempty"`
	Username  string `json:"username"`
	State     string `json:"state"`
	Reason    string `json:"reason,omitempty"`
	OpenedAt  int64  `json:"opened_at"`
	UpdatedAt int64  `json:"updated_at"`
	// Simulated marks the session of a simulated clerk of the living demo
	// hall (internal/demo): a person signing in takes the window over.
	Simulated bool `json:"simulated,omitempty"`
}

// Staffer is the member of staff acting at a window.
type Staffer struct {
	Username string
	StaffID  int64
	// Manager lets hall managers and admins act on any window's tickets.
	Manager bool
	// Simulated is a simulated clerk of the living demo hall.
	Simulated bool
}

func activeSession(tx *Tx, windowID int64) (WindowSession, error) {
	var s WindowSession
	var sim int
	err := tx.QueryRow(`SELECT id, hall_id, window_id, COALESCE(staff_id, 0), username, state, reason, opened_at, updated_at, simulated
		FROM window_sessions WHERE window_id = ? AND state <> 'closed'`, windowID).
		Scan(&s.ID, &s.HallID, &s.WindowID, &s.StaffID, &s.Username, &s.State, &s.Reason, &s.OpenedAt, &s.UpdatedAt, &sim)
	s.Simulated = sim != 0
	return s, err
}

// WindowSession returns the active session of a window (not found when no
// one is signed in).
func (db *DB) WindowSession(ctx context.Context, windowID int64) (WindowSession, error) {
	var s WindowSession
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		s, err = activeSession(tx, windowID)
		return notFound(err, "window_session")
	})
	return s, err
}

func windowInTx(tx *Tx, hallID, windowID int64) (hall.Window, error) {
	ws, err := listWindows(tx, hallID)
	if err != nil {
		return hall.Window{}, err
	}
	for _, w := range ws {
		if w.ID == windowID {
			return w, nil
		}
	}
	return hall.Window{}, apperr.NotFoundOf("window")
}

func publishWindow(tx *Tx, w hall.Window, state, reason string) error {
	return tx.Publish(w.HallID, EventWindowState, map[string]string{"window": w.Number, "state": state, "reason": reason})
}

// SignInWindow opens a session for a staff member at a window, ending the
// member's session at any other window.
func (db *DB) SignInWindow(ctx context.Context, hallID, windowID int64, who Staffer) (WindowSession, error) {
	// The queue changes: the next estimate must see it (queue_eta.go).
	defer db.etas.drop(hallID)
	var s WindowSession
	err := db.Write(ctx, func(tx *Tx) error {
		w, err := windowInTx(tx, hallID, windowID)
		if err != nil {
			return err
		}
		if err := lockHall(tx, hallID); err != nil {
			return err
		}
		cur, err := activeSession(tx, windowID)
		if err == nil && cur.Simulated && !who.Simulated {
			// A person takes the window over from its simulated clerk (the
			// living demo hall); the ticket at the window stays there, and
			// the person finishes it.
			if _, err := tx.Exec("UPDATE window_sessions SET state = 'closed', closed_at = ?, updated_at = ? WHERE id = ?", tx.NowMs(), tx.NowMs(), cur.ID); err != nil {
				return err
			}
			if err := tx.Audit("window.take_over", fmt.Sprintf("window:%d", windowID), cur.Username); err != nil {
				return err
			}
			err = ErrNoRows
		}
		if err == nil && cur.Username != who.Username {
			return apperr.New(apperr.Conflict, "queue.window_taken", w.Number)
		}
		if err == nil {
			if cur.State != WindowOpen {
				if _, err := tx.Exec("UPDATE window_sessions SET state = 'open', reason = '', updated_at = ? WHERE id = ?", tx.NowMs(), cur.ID); err != nil {
					return err
				}
				cur.State, cur.Reason = WindowOpen, ""
				if err := publishWindow(tx, w, WindowOpen, ""); err != nil {
					return err
				}
			}
			s = cur
			return tx.Audit("window.sign_in", fmt.Sprintf("window:%d", windowID), "again")
		} else if !errors.Is(err, ErrNoRows) {
			return err
		}
		if _, err := tx.Exec("UPDATE window_sessions SET state = 'closed', closed_at = ?, updated_at = ? WHERE username = ? AND state <> 'closed'", tx.NowMs(), tx.NowMs(), who.Username); err != nil {
			return err
		}
		s = WindowSession{HallID: hallID, WindowID: windowID, StaffID: who.StaffID, Username: who.Username, State: WindowOpen, OpenedAt: tx.NowMs(), UpdatedAt: tx.NowMs(), Simulated: who.Simulated}
		s.ID, err = tx.InsertID("INSERT INTO window_sessions (hall_id, window_id, staff_id, username, state, opened_at, updated_at, simulated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			hallID, windowID, nullInt(who.StaffID), who.Username, WindowOpen, s.OpenedAt, s.UpdatedAt, b2i(who.Simulated))
		if err != nil {
			return err
		}
		if err := publishWindow(tx, w, WindowOpen, ""); err != nil {
			return err
		}
		return tx.Audit("window.sign_in", fmt.Sprintf("window:%d", windowID), w.Number)
	})
	return s, err
}

// SetWindowState pauses (with a reason), reopens or closes (signs out) the
// caller's session at a window.
func (db *DB) SetWindowState(ctx context.Context, hallID, windowID int64, who Staffer, state, reason string) (WindowSession, error) {
	// The queue changes: the next estimate must see it (queue_eta.go).
	defer db.etas.drop(hallID)
	var s WindowSession
	switch state {
	case WindowOpen, WindowClosed:
		reason = ""
	case WindowPaused:
		ok := false
		for _, r := range PauseReasons {
			ok = ok || r == reason
		}
		if !ok {
			return s, apperr.InvalidField("reason", "queue.bad_pause_reason", reason)
		}
	default:
		return s, apperr.InvalidField("state", "err.bad_value", "state", state)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		w, err := windowInTx(tx, hallID, windowID)
		if err != nil {
			return err
		}
		cur, err := activeSession(tx, windowID)
		if errors.Is(err, ErrNoRows) || (err == nil && cur.Username != who.Username && !who.Manager) {
			return apperr.New(apperr.Conflict, "queue.not_signed_in", w.Number)
		} else if err != nil {
			return err
		}
		closed := int64(0)
		if state == WindowClosed {
			closed = tx.NowMs()
		}
		if _, err := tx.Exec("UPDATE window_sessions SET state = ?, reason = ?, updated_at = ?, closed_at = ? WHERE id = ?", state, reason, tx.NowMs(), closed, cur.ID); err != nil {
			return err
		}
		cur.State, cur.Reason, cur.UpdatedAt = state, reason, tx.NowMs()
		s = cur
		if err := publishWindow(tx, w, state, reason); err != nil {
			return err
		}
		return tx.Audit("window."+state, fmt.Sprintf("window:%d", windowID), reason)
	})
	return s, err
}

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
func (db *DB) CallNext(ctx context.Context, req CallRequest) (Ticket, error) {
	// The queue changes: the next estimate must see it (queue_eta.go).
	defer db.etas.drop(req.HallID)
	var out Ticket
	if utf8.RuneCountInString(req.Reason) > 200 {
		return out, apperr.InvalidField("reason", "err.too_long", "reason", 200)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		w, err := windowInTx(tx, req.HallID, req.WindowID)
		if err != nil {
			return err
		}
		if err := lockHall(tx, req.HallID); err != nil {
			return err
		}
		sess, err := activeSession(tx, req.WindowID)
		if errors.Is(err, ErrNoRows) || (err == nil && sess.Username != req.By.Username) {
			return apperr.New(apperr.Conflict, "queue.not_signed_in", w.Number)
		} else if err != nil {
			return err
		}
		if sess.State == WindowPaused {
			return apperr.New(apperr.Conflict, "queue.window_paused", w.Number)
		}
		var busy string
		err = tx.QueryRow("SELECT number FROM tickets WHERE window_id = ? AND state IN ('called', 'serving') LIMIT 1", req.WindowID).Scan(&busy)
		if err == nil {
			return apperr.New(apperr.Conflict, "queue.window_busy", busy)
		} else if !errors.Is(err, ErrNoRows) {
			return err
		}
		_, loc, err := hallInTx(tx, req.HallID)
		if err != nil {
			return err
		}
		st, err := queueSettings(tx, req.HallID)
		if err != nil {
			return err
		}
		pol, err := queue.NewPolicy(st.Policy, queue.Options{K: st.GreenK})
		if err != nil {
			return err
		}
		day := dayOf(tx.Now, loc)
		waiting, rows, err := loadWaiting(tx, req.HallID, day)
		if err != nil {
			return err
		}
		qw := queueWindow(w, true)
		idx := -1
		if req.TicketID == 0 {
			i, ok := pol.Next(qw, waiting, tx.Now)
			if !ok {
				return apperr.New(apperr.NotFound, "queue.nothing_waiting", w.Number)
			}
			idx = i
		} else {
			for i := range waiting {
				if waiting[i].ID == req.TicketID {
					idx = i
				}
			}
			if idx < 0 {
				return apperr.New(apperr.Conflict, "queue.not_waiting")
			}
			if !qw.Serves(&waiting[idx]) {
				return apperr.New(apperr.Invalid, "queue.window_cannot_serve", w.Number, waiting[idx].Item)
			}
			if !queue.IsInTurn(pol, qw, waiting, idx, tx.Now) {
				reason := strings.TrimSpace(req.Reason)
				if reason == "" {
					return apperr.InvalidField("reason", "queue.reason_required")
				}
				t := rows[idx]
				if _, err := tx.Exec("INSERT INTO integrity_alerts (hall_id, kind, ref, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
					req.HallID, "queue.out_of_turn", fmt.Sprintf("ticket:%d", t.ID),
					fmt.Sprintf("%s called at window %s out of turn; reason: %s", t.Number, w.Number, reason), req.By.Username, tx.NowMs()); err != nil {
					return err
				}
				if err := tx.Audit("queue.out_of_turn", fmt.Sprintf("ticket:%d", t.ID), fmt.Sprintf("%s window %s: %s", t.Number, w.Number, reason)); err != nil {
					return err
				}
			}
		}
		// Every call, in turn or not, goes through ApplyCall so the
		// green-channel bound holds; the bumped counters are stored.
		for _, i := range queue.ApplyCall(qw, waiting, idx) {
			if _, err := tx.Exec("UPDATE tickets SET priority_bypassed = ? WHERE id = ?", waiting[i].PriorityBypassed, waiting[i].ID); err != nil {
				return err
			}
		}
		t := rows[idx]
		res, err := tx.Exec(`UPDATE tickets SET state = 'called', called_at = CASE WHEN called_at = 0 THEN ? ELSE called_at END,
			window_id = ?, staff_id = ?, target_window_id = NULL, recalls = 0 WHERE id = ? AND state = 'waiting'`, tx.NowMs(), req.WindowID, nullInt(sess.StaffID), t.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "queue.not_waiting")
		}
		if err := transition(tx, &t, "call", "called", sess.StaffID, req.WindowID, req.Reason); err != nil {
			return err
		}
		if err := tx.Audit("ticket.call", fmt.Sprintf("ticket:%d", t.ID), fmt.Sprintf("%s window %s", t.Number, w.Number)); err != nil {
			return err
		}
		if err := publishTicket(tx, EventTicketCalled, &t, w.Number); err != nil {
			return err
		}
		if err := notifyNear(tx, req.HallID, st, append(waiting[:idx:idx], waiting[idx+1:]...)); err != nil {
			return err
		}
		out, err = ticketByID(tx, t.ID)
		return err
	})
	return out, err
}

// notifyNear sends, once per ticket, an SMS to holders with a phone whose
// turn is near (NearAhead or fewer people before them).
func notifyNear(tx *Tx, hallID int64, st QueueSettings, waiting []queue.Ticket) error {
	if st.NearAhead <= 0 {
		return nil
	}
	rows, err := tx.Query("SELECT id, phone, number FROM tickets WHERE hall_id = ? AND state = 'waiting' AND phone <> '' AND near_notified = 0", hallID)
	if err != nil {
		return err
	}
	type cand struct {
		id            int64
		phone, number string
	}
	var cs []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.id, &c.phone, &c.number); err != nil {
			rows.Close()
			return err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if len(cs) == 0 {
		return nil
	}
	snapWindows := []queue.WindowState{}
	wins, err := listWindows(tx, hallID)
	if err != nil {
		return err
	}
	for _, w := range wins {
		snapWindows = append(snapWindows, queue.WindowState{Window: queueWindow(w, true)})
	}
	for _, c := range cs {
		var t *queue.Ticket
		for i := range waiting {
			if waiting[i].ID == c.id {
				t = &waiting[i]
			}
		}
		if t == nil || aheadIn(waiting, snapWindows, *t) > st.NearAhead {
			continue
		}
		if _, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: c.phone, Kind: "turn_near",
			Body:      fmt.Sprintf("【明白办】您的 %s 号即将叫到，请回到大厅等候。", c.number),
			DedupeKey: fmt.Sprintf("turn_near:%d", c.id)}); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE tickets SET near_notified = 1 WHERE id = ?", c.id); err != nil {
			return err
		}
	}
	return nil
}

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

// RequestPhoneCode sends a six-digit code by SMS through the outbox for a
// remote ticket. At most one code a minute and five an hour per phone.
func (db *DB) RequestPhoneCode(ctx context.Context, hallID int64, phone string) error {
	if !mobileOK(phone) {
		return apperr.InvalidField("phone", "queue.bad_phone")
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		var recent, hour int
		if err := tx.QueryRow("SELECT COUNT(*) FROM phone_codes WHERE phone = ? AND created_at > ?", phone, tx.Now.Add(-time.Minute).UnixMilli()).Scan(&recent); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT COUNT(*) FROM phone_codes WHERE phone = ? AND created_at > ?", phone, tx.Now.Add(-time.Hour).UnixMilli()).Scan(&hour); err != nil {
			return err
		}
		if recent > 0 || hour >= 5 {
			return apperr.New(apperr.RateLimited, "err.rate_limited")
		}
		code := sixDigits()
		if _, err := tx.Exec("INSERT INTO phone_codes (hall_id, phone, code_hash, token, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			hallID, phone, hashCode(phone, code), newSecret(12), tx.Now.Add(10*time.Minute).UnixMilli(), tx.NowMs()); err != nil {
			return err
		}
		_, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Kind: "sms_code",
			Body: fmt.Sprintf("【明白办】您的取号验证码为 %s，10 分钟内有效。", code)})
		return err
	})
}

func sixDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1000000))
	return fmt.Sprintf("%06d", n.Int64())
}

// badCodeError is a wrong SMS code; IssueTicket counts the attempt after
// the failed transaction has rolled back.
type badCodeError struct{ id int64 }

func (e *badCodeError) Error() string { return "wrong sms code" }

func (db *DB) countCodeAttempt(ctx context.Context, id int64) {
	_ = db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE phone_codes SET attempts = attempts + 1 WHERE id = ?", id)
		return err
	})
}

// usePhoneCode checks the latest unexpired code of phone and marks it used.
func usePhoneCode(tx *Tx, hallID int64, phone, code string) error {
	if code == "" {
		return apperr.InvalidField("sms_code", "err.required", "sms_code")
	}
	var id int64
	var hash string
	var attempts int
	err := tx.QueryRow("SELECT id, code_hash, attempts FROM phone_codes WHERE hall_id = ? AND phone = ? AND used_at = 0 AND expires_at > ? ORDER BY id DESC LIMIT 1",
		hallID, phone, tx.NowMs()).Scan(&id, &hash, &attempts)
	if err != nil || attempts >= 5 {
		return apperr.InvalidField("sms_code", "queue.bad_code")
	}
	if hash != hashCode(phone, code) {
		return &badCodeError{id: id}
	}
	_, err = tx.Exec("UPDATE phone_codes SET used_at = ? WHERE id = ?", tx.NowMs(), id)
	return err
}
