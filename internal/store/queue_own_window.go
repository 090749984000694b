package store

import (
	"context"
	"fmt"

	"mingbai/internal/apperr"
	"mingbai/internal/queue"
)

// Window covers, and the data of the own-window rule (queue.CheckStaffWindow).

// mayStaffWindow applies queue.CheckStaffWindow with the window's
// assigned staff member and cover.
func mayStaffWindow(tx *Tx, windowID int64, number string, who Staffer) error {
	var assigned, cover int64
	if err := tx.QueryRow("SELECT COALESCE(staff_id, 0), COALESCE(cover_staff_id, 0) FROM windows WHERE id = ?", windowID).Scan(&assigned, &cover); err != nil {
		return notFound(err, "window")
	}
	return queue.CheckStaffWindow(who, assigned, cover, number)
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
