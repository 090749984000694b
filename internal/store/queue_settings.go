package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mingbai/internal/apperr"
	"mingbai/internal/queue"
)

// QueueSettings are a hall's queue rules; a hall without a row uses
// DefaultQueueSettings.
type QueueSettings struct {
	Policy        string `json:"policy"`
	GreenK        int    `json:"green_k"`
	MaxRecalls    int    `json:"max_recalls"`
	NearAhead     int    `json:"near_ahead"`
	DefaultCap    int    `json:"default_cap"`
	ApptCapacity  int    `json:"appt_capacity"`
	NoShowLimit   int    `json:"noshow_limit"`
	NoShowDays    int    `json:"noshow_days"`
	NoShowBanDays int    `json:"noshow_ban_days"`
}

// DefaultQueueSettings are the rules of a hall without its own row.
var DefaultQueueSettings = QueueSettings{Policy: queue.PolicyMingbai, GreenK: queue.DefaultK, MaxRecalls: 2, NearAhead: 3,
	DefaultCap: 5000, ApptCapacity: 4, NoShowLimit: 3, NoShowDays: 90, NoShowBanDays: 30}

func queueSettings(tx *Tx, hallID int64) (QueueSettings, error) {
	s := DefaultQueueSettings
	err := tx.QueryRow(`SELECT policy, green_k, max_recalls, near_ahead, default_cap, appt_capacity, noshow_limit, noshow_days, noshow_ban_days
		FROM queue_settings WHERE hall_id = ?`, hallID).Scan(&s.Policy, &s.GreenK, &s.MaxRecalls, &s.NearAhead, &s.DefaultCap, &s.ApptCapacity, &s.NoShowLimit, &s.NoShowDays, &s.NoShowBanDays)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultQueueSettings, nil
	}
	return s, err
}

// QueueSettings returns a hall's queue rules.
func (db *DB) QueueSettings(ctx context.Context, hallID int64) (QueueSettings, error) {
	var s QueueSettings
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		s, err = queueSettings(tx, hallID)
		return err
	})
	return s, err
}

// SaveQueueSettings stores a hall's queue rules.
func (db *DB) SaveQueueSettings(ctx context.Context, hallID int64, s QueueSettings) error {
	if _, err := queue.NewPolicy(s.Policy, queue.Options{K: s.GreenK}); err != nil {
		return apperr.InvalidField("policy", "err.bad_value", "policy", s.Policy)
	}
	if s.MaxRecalls < 0 || s.NearAhead < 0 || s.DefaultCap < 1 || s.ApptCapacity < 0 || s.NoShowLimit < 1 || s.NoShowDays < 1 || s.NoShowBanDays < 0 {
		return apperr.New(apperr.Invalid, "queue.bad_settings")
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("DELETE FROM queue_settings WHERE hall_id = ?", hallID); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO queue_settings (hall_id, policy, green_k, max_recalls, near_ahead, default_cap, appt_capacity, noshow_limit, noshow_days, noshow_ban_days)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, hallID, s.Policy, s.GreenK, s.MaxRecalls, s.NearAhead, s.DefaultCap, s.ApptCapacity, s.NoShowLimit, s.NoShowDays, s.NoShowBanDays); err != nil {
			return err
		}
		return tx.Audit("queue.settings", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("%+v", s))
	})
}

// SetItemCap sets the daily ticket cap of an item in a hall (0 removes it).
func (db *DB) SetItemCap(ctx context.Context, hallID int64, item string, cap int) error {
	if cap < 0 {
		return apperr.InvalidField("daily_cap", "err.bad_value", "daily_cap", cap)
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("DELETE FROM queue_item_caps WHERE hall_id = ? AND item_code = ?", hallID, item); err != nil {
			return err
		}
		if cap > 0 {
			if _, err := tx.Exec("INSERT INTO queue_item_caps (hall_id, item_code, daily_cap) VALUES (?, ?, ?)", hallID, item, cap); err != nil {
				return err
			}
		}
		return tx.Audit("queue.item_cap", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("%s=%d", item, cap))
	})
}
