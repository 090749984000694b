package store

import (
	"context"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/pii"
)

// Duty alerts by SMS to the leader on duty: a hall manager enters each
// duty leader's mobile number (sealed at rest in users.phone_enc, shown
// masked); with the hall's sms_to_leader setting an alert's SMS goes to
// the leaders of the published shifts running now, and to the hall's
// number (sms_recipient) only when none of them has a phone.

// DutyLeaderPhone is a duty leader's number for duty alerts, masked.
type DutyLeaderPhone struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// SetDutyLeaderPhone stores (or with "" clears) the mobile number of a
// duty leader of the hall, sealed, and audits the change (not the number).
func (db *DB) SetDutyLeaderPhone(ctx context.Context, hallID, userID int64, phone string) (DutyLeaderPhone, error) {
	phone = strings.TrimSpace(phone)
	var out DutyLeaderPhone
	if phone != "" && !pii.ValidMobile(phone) {
		return out, apperr.InvalidField("phone", "queue.bad_phone")
	}
	err := db.Write(ctx, func(tx *Tx) error {
		ok, err := isDutyLeader(tx, hallID, userID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFoundOf("duty_leader")
		}
		enc, _, err := tx.sealPhone(phone)
		if err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE users SET phone_enc = ? WHERE id = ?", enc, userID); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT id, display_name FROM users WHERE id = ?", userID).Scan(&out.ID, &out.Name); err != nil {
			return err
		}
		out.Phone = pii.MaskMobile(phone)
		return tx.Audit("duty.leader_phone", fmt.Sprintf("user:%d", userID), fmt.Sprintf("set=%v", phone != ""))
	})
	return out, wrap("set duty leader phone", err)
}

// DutyLeaderPhones lists the hall's duty leaders with their numbers masked.
func (db *DB) DutyLeaderPhones(ctx context.Context, hallID int64) ([]DutyLeaderPhone, error) {
	out := []DutyLeaderPhone{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, display_name, phone_enc FROM users WHERE hall_id = ? AND role = 'duty_leader' AND disabled = 0 ORDER BY id", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p DutyLeaderPhone
			var enc string
			if err := rows.Scan(&p.ID, &p.Name, &enc); err != nil {
				return err
			}
			phone, err := tx.openSealed(enc, "")
			if err != nil {
				return err
			}
			p.Phone = pii.MaskMobile(phone)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, wrap("duty leader phones", err)
}

// dutyAlertRecipients are the numbers a duty alert's SMS goes to: with
// SMSToLeader the phones of the leaders (and deputies) of the published
// shifts of the hall running now, in the order of the roster; otherwise,
// or when none of them has a phone, the hall's number; none when that is
// empty too.
func dutyAlertRecipients(tx *Tx, hallID int64, st DutySettings) ([]string, error) {
	var out []string
	if st.SMSToLeader {
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return nil, err
		}
		local := tx.Now.In(loc)
		hm := local.Format("15:04")
		rows, err := tx.Query(`SELECT u.phone_enc FROM duty_shifts s JOIN users u ON u.id = s.leader_id OR u.id = s.deputy_id
			WHERE s.hall_id = ? AND s.day = ? AND s.state = 'published' AND s.start_hm <= ? AND s.end_hm > ? AND u.disabled = 0 AND u.phone_enc <> ''
			ORDER BY s.start_hm, s.post, CASE WHEN u.id = s.leader_id THEN 0 ELSE 1 END`, hallID, local.Format("2006-01-02"), hm, hm)
		if err != nil {
			return nil, err
		}
		var encs []string
		for rows.Next() {
			var enc string
			if err := rows.Scan(&enc); err != nil {
				rows.Close()
				return nil, err
			}
			encs = append(encs, enc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, enc := range encs {
			phone, err := tx.openSealed(enc, "")
			if err != nil {
				return nil, err
			}
			if phone != "" && !seen[phone] {
				seen[phone] = true
				out = append(out, phone)
			}
		}
	}
	if len(out) == 0 && st.SMSRecipient != "" {
		out = append(out, st.SMSRecipient)
	}
	return out, nil
}
