package store

import (
	"context"
	"fmt"
	"regexp"

	"mingbai/internal/notify"
	"mingbai/internal/pii"
)

// Phones at rest: every mobile number is sealed with the PII key ring
// (phone_enc) and found by its blind index (phone_blind); SMS codes are
// kept as keyed hashes; outbox recipients and bodies are sealed
// (docs/security.md). The plain columns of older versions are emptied by
// SealPlainPhones.

// phoneBlind is the blind index of a phone number, normalised first so
// that spellings of one number match.
func phoneBlind(s *pii.Sealer, phone string) string {
	if n, err := pii.NormalizeMobile(phone); err == nil {
		phone = n
	}
	return s.Blind("phone:" + phone)
}

// sealPhone returns the sealed phone and its blind index ("" for none).
func (t *Tx) sealPhone(phone string) (enc, blind string, err error) {
	if phone == "" {
		return "", "", nil
	}
	s, err := t.db.sealer()
	if err != nil {
		return "", "", err
	}
	return s.SealString(phone), phoneBlind(s, phone), nil
}

// blindPhone returns the blind index of a phone for a look-up.
func (t *Tx) blindPhone(phone string) (string, error) {
	s, err := t.db.sealer()
	if err != nil {
		return "", err
	}
	return phoneBlind(s, phone), nil
}

// openSealed opens a sealed column, falling back to a legacy plain value.
func (t *Tx) openSealed(enc, plain string) (string, error) {
	if enc == "" {
		return plain, nil
	}
	s, err := t.db.sealer()
	if err != nil {
		return "", err
	}
	return s.OpenString(enc)
}

// codeHash is the stored form of an SMS code: keyed by the lookup key, so
// that a copy of the database does not give the six digits away by
// hashing the million candidates.
func (t *Tx) codeHash(phone, code string) (string, error) {
	s, err := t.db.sealer()
	if err != nil {
		return "", err
	}
	return s.Blind("sms-code:" + phoneBlind(s, phone) + ":" + code), nil
}

// maskRecipient is the recipient a manager may see: a phone masked, a
// staff account (log channel) as it is.
func maskRecipient(channel, r string) string {
	if channel == notify.SMS {
		return pii.MaskMobile(r)
	}
	return r
}

var digitRun = regexp.MustCompile(`[0-9０-９]{4,}`)

// maskBody hides what an outbox body says that only its recipient should
// read (codes, numbers): every run of four or more digits.
func maskBody(body string) string {
	return digitRun.ReplaceAllStringFunc(body, func(m string) string {
		n := 0
		for range m {
			n++
		}
		out := make([]byte, n)
		for i := range out {
			out[i] = '*'
		}
		return string(out)
	})
}

// SealPlainPhones seals the phone numbers, SMS codes, outbox messages,
// consultation messages and WeChat OpenIDs that older versions stored in
// plain text, and empties the plain columns.
// It runs at start-up (serve) and is idempotent; it returns how many rows
// it changed.
func (db *DB) SealPlainPhones(ctx context.Context) (int, error) {
	s, err := db.sealer()
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.Write(ctx, func(tx *Tx) error {
		for _, table := range []string{"tickets", "appointments", "phone_codes"} {
			type row struct {
				id    int64
				phone string
			}
			rows, err := tx.Query("SELECT id, phone FROM " + table + " WHERE phone <> ''")
			if err != nil {
				return err
			}
			var rs []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.phone); err != nil {
					rows.Close()
					return err
				}
				rs = append(rs, r)
			}
			rows.Close()
			for _, r := range rs {
				if _, err := tx.Exec("UPDATE "+table+" SET phone_enc = ?, phone_blind = ?, phone = '' WHERE id = ?", s.SealString(r.phone), phoneBlind(s, r.phone), r.id); err != nil {
					return err
				}
				n++
			}
		}
		type msg struct {
			id                       int64
			channel, recipient, body string
		}
		rows, err := tx.Query("SELECT id, channel, recipient, body FROM outbox WHERE recipient <> '' OR body <> ''")
		if err != nil {
			return err
		}
		var ms []msg
		for rows.Next() {
			var m msg
			if err := rows.Scan(&m.id, &m.channel, &m.recipient, &m.body); err != nil {
				rows.Close()
				return err
			}
			ms = append(ms, m)
		}
		rows.Close()
		for _, m := range ms {
			if _, err := tx.Exec("UPDATE outbox SET recipient_enc = ?, recipient_blind = ?, recipient_masked = ?, body_enc = ?, recipient = '', body = '' WHERE id = ?",
				s.SealString(m.recipient), phoneBlind(s, m.recipient), maskRecipient(m.channel, m.recipient), s.SealString(m.body), m.id); err != nil {
				return err
			}
			n++
		}
		c, err := sealPlainConsult(tx, s)
		if err != nil {
			return err
		}
		n += c
		if n > 0 {
			return tx.Audit("pii.seal_phones", "phones", fmt.Sprintf("rows=%d", n))
		}
		return nil
	})
	return n, err
}
