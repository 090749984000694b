package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
	"mingbai/internal/queue"
)

// RequestPhoneCode sends a six-digit code by SMS through the outbox for a
// remote ticket or a booking, within the SMS limits (db.SMS: per phone,
// per client address — the actor's source —, per hall, globally per
// minute and per day). The phone is sealed and the code kept as a keyed
// hash.
func (db *DB) RequestPhoneCode(ctx context.Context, hallID int64, phone string) error {
	if !queue.MobileOK(phone) {
		return apperr.InvalidField("phone", "queue.bad_phone")
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		enc, blind, err := tx.sealPhone(phone)
		if err != nil {
			return err
		}
		if err := checkSMSLimits(tx, db.SMS, hallID, blind, tx.Actor.Source); err != nil {
			return err
		}
		code := sixDigits()
		hash, err := tx.codeHash(phone, code)
		if err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO phone_codes (hall_id, phone, phone_enc, phone_blind, source, code_hash, token, expires_at, created_at) VALUES (?, '', ?, ?, ?, ?, ?, ?, ?)",
			hallID, enc, blind, tx.Actor.Source, hash, newSecret(12), tx.Now.Add(10*time.Minute).UnixMilli(), tx.NowMs()); err != nil {
			return err
		}
		_, err = tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Kind: "sms_code", HallID: hallID,
			Params: map[string]string{"code": code, "minutes": "10"}})
		return err
	})
}

func sixDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1000000))
	return fmt.Sprintf("%06d", n.Int64())
}

// badCodeError is a wrong SMS code; IssueTicket counts the attempt after
// the failed transaction has rolled back.
type badCodeError struct{ id int64 }

func (e *badCodeError) Error() string { return "wrong sms code" }

func (db *DB) countCodeAttempt(ctx context.Context, id int64) {
	_ = db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE phone_codes SET attempts = attempts + 1 WHERE id = ?", id)
		return err
	})
}

// usePhoneCode checks the latest unexpired code of phone and marks it used.
func usePhoneCode(tx *Tx, hallID int64, phone, code string) error {
	if code == "" {
		return apperr.InvalidField("sms_code", "err.required", "sms_code")
	}
	var id int64
	var hash string
	var attempts int
	blind, err := tx.blindPhone(phone)
	if err != nil {
		return err
	}
	err = tx.QueryRow("SELECT id, code_hash, attempts FROM phone_codes WHERE hall_id = ? AND phone_blind = ? AND used_at = 0 AND expires_at > ? ORDER BY id DESC LIMIT 1",
		hallID, blind, tx.NowMs()).Scan(&id, &hash, &attempts)
	if err != nil || attempts >= 5 {
		return apperr.InvalidField("sms_code", "queue.bad_code")
	}
	want, err := tx.codeHash(phone, code)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(want)) != 1 {
		return &badCodeError{id: id}
	}
	_, err = tx.Exec("UPDATE phone_codes SET used_at = ? WHERE id = ?", tx.NowMs(), id)
	return err
}

// mobileOK is queue.MobileOK, for the store files of other areas.
func mobileOK(p string) bool { return queue.MobileOK(p) }
