package store

import (
	"context"
	"errors"
	"fmt"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/queue"
)

// The window vocabulary and its rules live in internal/queue
// (window.go); these names keep the store's callers as they were.
const (
	WindowOpen   = string(queue.WindowOpen)
	WindowPaused = string(queue.WindowPaused)
	WindowClosed = string(queue.WindowClosed)
)

// PauseReasons are queue.PauseReasons.
var PauseReasons = queue.PauseReasons

// WindowSession is a staff member signed in at a window (queue.WindowSession).
type WindowSession = queue.WindowSession

// Staffer is the member of staff acting at a window (queue.Staffer).
type Staffer = queue.Staffer

// sessionOf returns the active session of a window, nil when nobody is
// signed in there.
func sessionOf(tx *Tx, windowID int64) (*WindowSession, error) {
	s, err := activeSession(tx, windowID)
	if errors.Is(err, ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func activeSession(tx *Tx, windowID int64) (WindowSession, error) {
	var d sessionDest
	err := tx.QueryRow(`SELECT id, hall_id, window_id, COALESCE(staff_id, 0), username, state, reason, opened_at, updated_at, simulated
		FROM window_sessions WHERE window_id = ? AND state <> 'closed'`, windowID).Scan(d.targets()...)
	d.s.Simulated = d.sim != 0
	return d.s, err
}

// WindowSession returns the active session of a window (not found when no
// one is signed in).
func (db *DB) WindowSession(ctx context.Context, windowID int64) (WindowSession, error) {
	var s WindowSession
	err := db.ReadOne(ctx, func(tx *Tx) error {
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
		if err := mayStaffWindow(tx, windowID, w.Number, who); err != nil {
			return err
		}
		cur, err := sessionOf(tx, windowID)
		if err != nil {
			return err
		}
		how, err := queue.DecideSignIn(cur, who, w.Number)
		if err != nil {
			return err
		}
		if how == queue.SignInAgain {
			if cur.State != queue.WindowOpen {
				if err := endPauses(tx, "id = ?", cur.ID); err != nil {
					return err
				}
				if _, err := tx.Exec("UPDATE window_sessions SET state = 'open', reason = '', updated_at = ? WHERE id = ?", tx.NowMs(), cur.ID); err != nil {
					return err
				}
				cur.State, cur.Reason = queue.WindowOpen, ""
				if err := publishWindow(tx, w, WindowOpen, ""); err != nil {
					return err
				}
			}
			s = *cur
			return tx.Audit("window.sign_in", fmt.Sprintf("window:%d", windowID), "again")
		}
		if how == queue.SignInTakeOver {
			// The ticket at the window stays there for the person.
			if err := endPauses(tx, "id = ?", cur.ID); err != nil {
				return err
			}
			if _, err := tx.Exec("UPDATE window_sessions SET state = 'closed', closed_at = ?, updated_at = ? WHERE id = ?", tx.NowMs(), tx.NowMs(), cur.ID); err != nil {
				return err
			}
			if err := tx.Audit("window.take_over", fmt.Sprintf("window:%d", windowID), cur.Username); err != nil {
				return err
			}
		}
		if err := endPauses(tx, "username = ?", who.Username); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE window_sessions SET state = 'closed', closed_at = ?, updated_at = ? WHERE username = ? AND state <> 'closed'", tx.NowMs(), tx.NowMs(), who.Username); err != nil {
			return err
		}
		s = WindowSession{HallID: hallID, WindowID: windowID, StaffID: who.StaffID, Username: who.Username, State: queue.WindowOpen, OpenedAt: tx.NowMs(), UpdatedAt: tx.NowMs(), Simulated: who.Simulated}
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
	return s, wrap("sign in at window", err)
}

// SetWindowState pauses (with a reason), reopens or closes (signs out) the
// caller's session at a window.
func (db *DB) SetWindowState(ctx context.Context, hallID, windowID int64, who Staffer, state, reason string) (WindowSession, error) {
	// The queue changes: the next estimate must see it (queue_eta.go).
	defer db.etas.drop(hallID)
	var s WindowSession
	st, reason, err := queue.CheckWindowState(state, reason)
	if err != nil {
		return s, err
	}
	state = string(st)
	err = db.Write(ctx, func(tx *Tx) error {
		w, err := windowInTx(tx, hallID, windowID)
		if err != nil {
			return err
		}
		cur, err := sessionOf(tx, windowID)
		if err != nil {
			return err
		}
		if err := queue.CheckSetState(cur, who, w.Number); err != nil {
			return err
		}
		closed := int64(0)
		if state == WindowClosed {
			closed = tx.NowMs()
		}
		if err := endPauses(tx, "id = ?", cur.ID); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE window_sessions SET state = ?, reason = ?, updated_at = ?, closed_at = ? WHERE id = ?", state, reason, tx.NowMs(), closed, cur.ID); err != nil {
			return err
		}
		cur.State, cur.Reason, cur.UpdatedAt = st, reason, tx.NowMs()
		s = *cur
		if err := publishWindow(tx, w, state, reason); err != nil {
			return err
		}
		return tx.Audit("window."+state, fmt.Sprintf("window:%d", windowID), reason)
	})
	return s, wrap("set window state", err)
}

// endPauses records, in window_pauses, the pauses that end now: those of
// the paused sessions that match cond (about to be resumed, paused again
// with another reason, or signed out). A pause began at the session's
// updated_at, its last change of state.
func endPauses(tx *Tx, cond string, args ...any) error {
	_, err := tx.Exec(`INSERT INTO window_pauses (hall_id, window_id, session_id, staff_id, from_at, until_at)
		SELECT hall_id, window_id, id, staff_id, updated_at, ? FROM window_sessions WHERE state = 'paused' AND `+cond, append([]any{tx.NowMs()}, args...)...)
	return err
}
