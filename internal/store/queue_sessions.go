package store

import "context"

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
