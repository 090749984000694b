package store

import (
	"context"
	"time"
)

// WindowSessions returns the active sessions of a hall's windows by window
// id (the living demo hall reconciles its simulated clerks with them).
func (db *DB) WindowSessions(ctx context.Context, hallID int64) (map[int64]WindowSession, error) {
	out := map[int64]WindowSession{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT id, hall_id, window_id, COALESCE(staff_id, 0), username, state, reason, opened_at, updated_at, simulated
			FROM window_sessions WHERE hall_id = ? AND state <> 'closed'`, hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s WindowSession
			var sim int
			if err := rows.Scan(&s.ID, &s.HallID, &s.WindowID, &s.StaffID, &s.Username, &s.State, &s.Reason, &s.OpenedAt, &s.UpdatedAt, &sim); err != nil {
				return err
			}
			s.Simulated = sim != 0
			out[s.WindowID] = s
		}
		return rows.Err()
	})
	return out, err
}

// HallNow is a hall's clock and whether it issues tickets now, for the
// kiosk's closed-hall screen and the clocks on screens (which show the
// server's time in the hall's time zone, never the device's).
type HallNow struct {
	Now time.Time
	// Offset is the hall's UTC offset at Now, in seconds.
	Offset int
	// Open is true when the hall issues tickets now.
	Open bool
}

// HallNow returns the hall's clock and opening state.
func (db *DB) HallNow(ctx context.Context, hallID int64) (HallNow, error) {
	var out HallNow
	err := db.Read(ctx, func(tx *Tx) error {
		h, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		out.Now = tx.Now
		_, out.Offset = tx.Now.In(loc).Zone()
		isWork, err := workingDayCheck(tx, h)
		if err != nil {
			return err
		}
		out.Open, err = h.Hours.AcceptsTickets(tx.Now, loc, isWork)
		return err
	})
	return out, err
}
