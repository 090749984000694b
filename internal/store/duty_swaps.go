package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/duty"
)

// Swap is a request by a shift's leader to hand the shift to another
// leader.
type Swap struct {
	ID        int64  `json:"id"`
	ShiftID   int64  `json:"shift_id"`
	Day       string `json:"day"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Post      string `json:"post"`
	FromID    int64  `json:"from_id"`
	FromName  string `json:"from_name"`
	ToID      int64  `json:"to_id"`
	ToName    string `json:"to_name"`
	Reason    string `json:"reason"`
	State     string `json:"state"`
	Note      string `json:"note,omitempty"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

// SwapInput is a new swap request.
type SwapInput struct {
	ShiftID int64  `json:"shift_id"`
	ToID    int64  `json:"to_id"`
	Reason  string `json:"reason"`
	IdemKey string `json:"idempotency_key,omitempty"`
}

const swapCols = `w.id, w.shift_id, s.day, s.start_hm, s.end_hm, s.post, w.from_id, COALESCE(f.display_name, ''), w.to_id, COALESCE(t.display_name, ''),
	w.reason, w.state, w.note, w.created_at, w.updated_at`
const swapFrom = ` FROM duty_swaps w JOIN duty_shifts s ON s.id = w.shift_id JOIN users f ON f.id = w.from_id JOIN users t ON t.id = w.to_id `

func querySwaps(tx *Tx, where string, args ...any) ([]Swap, error) {
	rows, err := tx.Query("SELECT "+swapCols+swapFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Swap{}
	for rows.Next() {
		var w Swap
		if err := rows.Scan(&w.ID, &w.ShiftID, &w.Day, &w.Start, &w.End, &w.Post, &w.FromID, &w.FromName, &w.ToID, &w.ToName,
			&w.Reason, &w.State, &w.Note, &w.CreatedAt, &w.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func swapTx(tx *Tx, hallID, id int64) (Swap, error) {
	ws, err := querySwaps(tx, "WHERE w.hall_id = ? AND w.id = ?", hallID, id)
	if err != nil {
		return Swap{}, err
	}
	if len(ws) == 0 {
		return Swap{}, apperr.NotFoundOf("swap")
	}
	return ws[0], nil
}

// ListSwaps lists a hall's swap requests, newest first; with leader set,
// only those the leader asked for or was asked.
func (db *DB) ListSwaps(ctx context.Context, hallID, leader int64) ([]Swap, error) {
	var out []Swap
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if leader != 0 {
			out, err = querySwaps(tx, "WHERE w.hall_id = ? AND (w.from_id = ? OR w.to_id = ?) ORDER BY w.id DESC LIMIT 200", hallID, leader, leader)
		} else {
			out, err = querySwaps(tx, "WHERE w.hall_id = ? ORDER BY w.id DESC LIMIT 200", hallID)
		}
		return err
	})
	return out, wrap("list swaps", err)
}

// shiftStarted reports whether a shift has begun: checked in, or its day
// and start time are past in the hall's time.
func shiftStarted(tx *Tx, hallID int64, s Shift) (bool, error) {
	if s.CheckedInAt != 0 {
		return true, nil
	}
	_, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return false, err
	}
	now := tx.Now.In(loc)
	today, hm := now.Format("2006-01-02"), now.Format("15:04")
	return s.Day < today || (s.Day == today && s.Start <= hm), nil
}

// RequestSwap records a leader's request to hand a shift to another
// leader. A retry with the same idempotency key returns the first request.
func (db *DB) RequestSwap(ctx context.Context, hallID, by int64, in SwapInput) (Swap, error) {
	var out Swap
	reason, err := duty.Text("reason", in.Reason, 200, "")
	if err != nil {
		return out, err
	}
	in.IdemKey = strings.TrimSpace(in.IdemKey)
	err = db.Write(ctx, func(tx *Tx) error {
		if err := lockDuty(tx, hallID); err != nil {
			return err
		}
		if in.IdemKey != "" {
			var id int64
			err := tx.QueryRow("SELECT id FROM duty_swaps WHERE hall_id = ? AND idem_key = ?", hallID, in.IdemKey).Scan(&id)
			if err == nil {
				var rerr error
				out, rerr = swapTx(tx, hallID, id)
				return rerr
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		s, err := shiftTx(tx, hallID, in.ShiftID)
		if err != nil {
			return err
		}
		var f duty.SwapFacts
		f.RequesterIsLeader = s.LeaderID == by
		if f.TargetOK, err = isDutyLeader(tx, hallID, in.ToID); err != nil {
			return err
		}
		if f.Started, err = shiftStarted(tx, hallID, s); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow("SELECT COUNT(*) FROM duty_swaps WHERE shift_id = ? AND state IN ('requested', 'accepted')", s.ID).Scan(&open); err != nil {
			return err
		}
		f.OpenSwap = open > 0
		if err := duty.CheckSwapRequest(by, in.ToID, f); err != nil {
			return err
		}
		var idem any
		if in.IdemKey != "" {
			idem = in.IdemKey
		}
		id, err := tx.InsertID(`INSERT INTO duty_swaps (hall_id, shift_id, from_id, to_id, reason, state, idem_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, hallID, s.ID, by, in.ToID, reason, duty.SwapRequested, idem, tx.NowMs(), tx.NowMs())
		if err != nil {
			return err
		}
		if err := tx.Audit("duty.swap.request", fmt.Sprintf("swap:%d", id), fmt.Sprintf("shift=%d from=%d to=%d", s.ID, by, in.ToID)); err != nil {
			return err
		}
		out, err = swapTx(tx, hallID, id)
		return err
	})
	return out, wrap("request swap", err)
}

// ActOnSwap moves a swap request on: the asked leader accepts or
// declines, a manager approves or rejects, the requester cancels. On
// approval the shift passes to the other leader in the same transaction.
func (db *DB) ActOnSwap(ctx context.Context, hallID, id int64, action duty.SwapAction, by int64, manager bool, note string) (Swap, error) {
	var out Swap
	note, err := duty.Text("note", note, 200, "")
	if err != nil {
		return out, err
	}
	err = db.Write(ctx, func(tx *Tx) error {
		if err := lockDuty(tx, hallID); err != nil {
			return err
		}
		w, err := swapTx(tx, hallID, id)
		if err != nil {
			return err
		}
		next, err := duty.NextSwap(duty.SwapState(w.State), action, duty.SwapActor{Requester: w.FromID == by, Target: w.ToID == by, Manager: manager})
		if err != nil {
			return err
		}
		if next == duty.SwapApproved {
			if err := approveSwap(tx, hallID, w); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("UPDATE duty_swaps SET state = ?, note = CASE WHEN ? = '' THEN note ELSE ? END, updated_at = ? WHERE id = ?",
			next, note, note, tx.NowMs(), id); err != nil {
			return err
		}
		if err := tx.Audit("duty.swap."+string(action), fmt.Sprintf("swap:%d", id), fmt.Sprintf("shift=%d %s->%s", w.ShiftID, w.State, next)); err != nil {
			return err
		}
		out, err = swapTx(tx, hallID, id)
		return err
	})
	return out, wrap("act on swap", err)
}

// approveSwap hands the shift to the swap's other leader, checked as a
// roster change (still a duty leader, not on another post then, the shift
// not begun).
func approveSwap(tx *Tx, hallID int64, w Swap) error {
	s, err := shiftTx(tx, hallID, w.ShiftID)
	if err != nil {
		return err
	}
	if s.LeaderID != w.FromID {
		return apperr.New(apperr.Conflict, "duty.err.swap_stale")
	}
	started, err := shiftStarted(tx, hallID, s)
	if err != nil {
		return err
	}
	if started {
		return apperr.New(apperr.Conflict, "duty.err.swap_started")
	}
	h, _, err := hallInTx(tx, hallID)
	if err != nil {
		return err
	}
	deputy := s.DeputyID
	if deputy == w.ToID {
		deputy = 0
	}
	sh := duty.Shift{Day: s.Day, Half: duty.Half(s.Half), Start: s.Start, End: s.End, Post: duty.Post(s.Post), LeaderID: w.ToID, DeputyID: deputy}
	f, err := shiftFacts(tx, h, sh, s.ID)
	if err != nil {
		return err
	}
	if err := sh.Decide(f); err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE duty_shifts SET leader_id = ?, deputy_id = ?, updated_at = ? WHERE id = ?", w.ToID, nullInt(deputy), tx.NowMs(), s.ID); err != nil {
		return err
	}
	after, err := shiftTx(tx, hallID, s.ID)
	if err != nil {
		return err
	}
	if err := tx.Audit("duty.shift.update", fmt.Sprintf("shift:%d", s.ID), fmt.Sprintf("swap %d: from %s to %s", w.ID, shiftDetail(s), shiftDetail(after))); err != nil {
		return err
	}
	if after.State != string(duty.Published) {
		return nil
	}
	return rosterChanged(tx, hallID, after)
}
