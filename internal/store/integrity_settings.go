package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"mingbai/internal/oversight"
)

// OversightSettings returns a hall's dashboard thresholds and integrity
// rules, the defaults where the hall has set none.
func (db *DB) OversightSettings(ctx context.Context, hallID int64) (oversight.Settings, error) {
	var s oversight.Settings
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		s, err = oversightSettings(tx, hallID)
		return err
	})
	return s, err
}

func oversightSettings(tx *Tx, hallID int64) (oversight.Settings, error) {
	var b string
	err := tx.QueryRow("SELECT settings FROM oversight_settings WHERE hall_id = ?", hallID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return oversight.Defaults(), nil
	}
	if err != nil {
		return oversight.Settings{}, err
	}
	return oversight.Parse(b)
}

// SaveOversightSettings validates and stores a hall's settings (a
// negative or too large number, or an unknown rule, is refused and
// nothing changes), audited with the settings as they were and are.
func (db *DB) SaveOversightSettings(ctx context.Context, hallID int64, s oversight.Settings) (oversight.Settings, error) {
	if s.Rules.Off == nil {
		s.Rules.Off = []string{}
	}
	if err := s.Validate(KnownAlertKind); err != nil {
		return s, err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return s, err
	}
	err = db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		old, err := oversightSettings(tx, hallID)
		if err != nil {
			return err
		}
		ob, _ := json.Marshal(old)
		res, err := tx.Exec("UPDATE oversight_settings SET settings = ?, updated_at = ? WHERE hall_id = ?", string(b), tx.NowMs(), hallID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.Exec("INSERT INTO oversight_settings (hall_id, settings, updated_at) VALUES (?, ?, ?)", hallID, string(b), tx.NowMs()); err != nil {
				return err
			}
		}
		if err := tx.Publish(hallID, EventAlertChanged, map[string]any{"settings": true}); err != nil {
			return err
		}
		return tx.Audit("oversight.settings", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("%s -> %s", ob, b))
	})
	return s, err
}
