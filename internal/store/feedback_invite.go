package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mingbai/internal/notify"
)

// InviteUnrated sends an SMS rating invitation for every completed case of
// the hall that is still unrated InviteDays after completion and was not
// invited before. Each invitation carries a token for the public rating
// page at base + "/rate/i/" + token. It returns how many it queued.
func (db *DB) InviteUnrated(ctx context.Context, hallID int64, base string) (int, error) {
	s, err := db.sealer()
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.Write(ctx, func(tx *Tx) error {
		set, err := feedbackSettingsTx(tx, hallID)
		if err != nil {
			return err
		}
		cutoff := tx.Now.Add(-time.Duration(set.InviteDays) * 24 * time.Hour).UnixMilli()
		// The late-rating period bounds how old a case may be: an
		// invitation it could no longer use would only annoy.
		oldest := tx.Now.Add(-time.Duration(set.LateDays+4) * 24 * time.Hour).UnixMilli()
		rows, err := tx.Query(`SELECT c.id, c.number, c.item_name, c.phone_enc FROM cases c
			WHERE c.hall_id = ? AND c.state = 'completed' AND c.updated_at <= ? AND c.updated_at >= ? AND c.phone_enc <> ''
			AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.service_kind = 'case' AND r.service_id = c.id AND r.channel <> 'callback')
			AND NOT EXISTS (SELECT 1 FROM rating_invites i WHERE i.service_kind = 'case' AND i.service_id = c.id AND i.sent_at > 0)
			ORDER BY c.id LIMIT 200`, hallID, cutoff, oldest)
		if err != nil {
			return err
		}
		type inv struct {
			id                  int64
			number, item, phone string
		}
		var list []inv
		for rows.Next() {
			var v inv
			var enc string
			if err := rows.Scan(&v.id, &v.number, &v.item, &enc); err != nil {
				rows.Close()
				return err
			}
			if v.phone, err = s.OpenString(enc); err != nil {
				rows.Close()
				return err
			}
			list = append(list, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range list {
			// The token printed on the receipt, if any, is the one sent.
			token, err := ratingTokenTx(tx, hallID, ServiceCase, v.id)
			if err != nil {
				return err
			}
			if _, err := tx.Exec("UPDATE rating_invites SET sent_at = ? WHERE token = ?", tx.NowMs(), token); err != nil {
				return err
			}
			params := map[string]string{"item": v.item, "number": v.number, "link": base + "/rate/i/" + token}
			if _, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: v.phone, Params: params, Kind: "rating_invite", HallID: hallID,
				DedupeKey: fmt.Sprintf("rating-invite:case:%d", v.id)}); err != nil {
				return err
			}
			if err := tx.Audit("rating.invite", fmt.Sprintf("case:%d", v.id), v.number); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

func ratingTokenTx(tx *Tx, hallID int64, kind string, id int64) (string, error) {
	var token string
	err := tx.QueryRow("SELECT token FROM rating_invites WHERE service_kind = ? AND service_id = ? AND hall_id = ?", kind, id, hallID).Scan(&token)
	if err == nil {
		return token, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	token = newSecret(12)
	_, err = tx.Exec("INSERT INTO rating_invites (hall_id, service_kind, service_id, token, created_at) VALUES (?, ?, ?, ?, ?)",
		hallID, kind, id, token, tx.NowMs())
	return token, err
}

// RatingToken returns the rating token of a case of the hall, creating it
// the first time (the acceptance receipt prints it as a QR code; the SMS
// invitation sends the same one).
func (db *DB) RatingToken(ctx context.Context, hallID int64, kind string, id int64) (string, error) {
	var token string
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := serviceTx(tx, hallID, kind, id); err != nil {
			return err
		}
		var err error
		token, err = ratingTokenTx(tx, hallID, kind, id)
		return err
	})
	return token, err
}

// InviteService resolves a rating-invitation token to its hall and service.
func (db *DB) InviteService(ctx context.Context, token string) (hallID int64, kind string, id int64, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		e := tx.QueryRow("SELECT hall_id, service_kind, service_id FROM rating_invites WHERE token = ?", token).Scan(&hallID, &kind, &id)
		return notFound(e, "invite")
	})
	return
}

// ServiceSummary is what a public rating page shows of the service: the
// item and the staff member's name and photo (public by design), never the
// applicant.
type ServiceSummary struct {
	Kind       string `json:"kind"`
	Ref        string `json:"ref"`
	Item       string `json:"item"`
	StaffName  string `json:"staff_name"`
	StaffPhoto string `json:"staff_photo"`
	Served     bool   `json:"served"`
	Rated      bool   `json:"rated"`
}

// ServiceSummary returns the public summary of a service of the hall.
func (db *DB) ServiceSummary(ctx context.Context, hallID int64, kind string, id int64) (ServiceSummary, error) {
	var out ServiceSummary
	err := db.Read(ctx, func(tx *Tx) error {
		sv, err := serviceTx(tx, hallID, kind, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM ratings WHERE service_kind = ? AND service_id = ? AND channel <> 'callback'", kind, id).Scan(&n); err != nil {
			return err
		}
		out = ServiceSummary{Kind: kind, Ref: sv.Ref, Item: sv.Item, StaffName: sv.StaffName, StaffPhoto: sv.StaffPhoto, Served: sv.Served, Rated: n > 0}
		return nil
	})
	return out, err
}
