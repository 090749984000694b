package store

import (
	"context"

	"mingbai/internal/duty"
)

// DutyRecord is a console entry with its shift, for the hall's records.
type DutyRecord struct {
	DutyLog
	Day    string `json:"day"`
	Post   string `json:"post"`
	Leader string `json:"leader"`
}

// ListDutyRecords returns the console entries of a month's shifts, oldest
// first (at most 10,000).
func (db *DB) ListDutyRecords(ctx context.Context, hallID int64, month string) ([]DutyRecord, error) {
	if err := duty.ValidMonth(month); err != nil {
		return nil, err
	}
	out := []DutyRecord{}
	err := db.Read(ctx, func(tx *Tx) error {
		shifts, err := queryShifts(tx, "WHERE s.hall_id = ? AND s.day >= ? AND s.day <= ?", hallID, month+"-01", month+"-31")
		if err != nil {
			return err
		}
		byID := map[int64]Shift{}
		for _, s := range shifts {
			byID[s.ID] = s
		}
		logs, err := dutyLogs(tx, `JOIN duty_shifts s ON s.id = l.shift_id WHERE l.hall_id = ? AND s.day >= ? AND s.day <= ? ORDER BY l.at, l.id LIMIT 10000`,
			hallID, month+"-01", month+"-31")
		if err != nil {
			return err
		}
		for _, l := range logs {
			s := byID[l.ShiftID]
			leader := s.LeaderName
			if s.DeputyID != 0 && l.ByID == s.DeputyID {
				leader = s.DeputyName
			}
			out = append(out, DutyRecord{DutyLog: l, Day: s.Day, Post: s.Post, Leader: leader})
		}
		return nil
	})
	return out, wrap("duty records", err)
}
