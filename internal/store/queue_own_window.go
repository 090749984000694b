package store

import (
	"context"
	"fmt"

	"mingbai/internal/apperr"
)

// A clerk acts only at their own window (docs/security.md): these are the
// rules SignInWindow and ActOnTicket apply to staff who are not managers.

// mayStaffWindow lets a staff member sign in at a window assigned to them
// or where a manager named them cover; managers may sign in anywhere in
// their hall.
func mayStaffWindow(tx *Tx, windowID int64, number string, who Staffer) error {
	if who.Manager {
		return nil
	}
	var assigned, cover int64
	if err := tx.QueryRow("SELECT COALESCE(staff_id, 0), COALESCE(cover_staff_id, 0) FROM windows WHERE id = ?", windowID).Scan(&assigned, &cover); err != nil {
		return notFound(err, "window")
	}
	if who.StaffID == 0 || (who.StaffID != assigned && who.StaffID != cover) {
		return apperr.New(apperr.Forbidden, "queue.not_your_window", number)
	}
	return nil
}

// mayActOnTicket is the own-window rule of ActOnTicket for clerks.
func mayActOnTicket(tx *Tx, t Ticket, by Staffer) error {
	switch {
	case t.WindowID != 0:
		sess, err := activeSession(tx, t.WindowID)
		if err != nil || sess.Username != by.Username {
			return apperr.New(apperr.Forbidden, "queue.not_your_ticket", t.Number)
		}
	case t.State == "held":
		if by.StaffID == 0 || t.StaffID != by.StaffID {
			return apperr.New(apperr.Forbidden, "queue.not_your_ticket", t.Number)
		}
	default:
		return apperr.New(apperr.Forbidden, "queue.not_your_ticket", t.Number)
	}
	return nil
}

// SetWindowCover names a member of the hall's staff as cover of a window
// (0 removes the cover): the cover may sign in there as well as the
// assigned staff member.
func (db *DB) SetWindowCover(ctx context.Context, hallID, windowID, staffID int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := windowInTx(tx, hallID, windowID); err != nil {
			return err
		}
		if staffID != 0 {
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM staff WHERE id = ? AND hall_id = ?", staffID, hallID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.InvalidField("staff", "err.foreign_id", "staff")
			}
		}
		if _, err := tx.Exec("UPDATE windows SET cover_staff_id = ? WHERE id = ? AND hall_id = ?", nullInt(staffID), windowID, hallID); err != nil {
			return err
		}
		return tx.Audit("window.cover", fmt.Sprintf("window:%d", windowID), fmt.Sprintf("staff=%d", staffID))
	})
}
