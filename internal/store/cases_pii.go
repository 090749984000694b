package store

import (
	"context"
	"errors"
	"fmt"

	"mingbai/internal/apperr"
	"mingbai/internal/pii"
)

// SetPII installs the sealer that encrypts applicants' personal data. It
// may be called again while the server runs (after a key rotation); cases
// written afterwards are sealed under the new ring's current key.
func (db *DB) SetPII(s *pii.Sealer) { db.piiSealer.Store(s) }

// PII returns the current sealer, or nil when none is installed.
func (db *DB) PII() *pii.Sealer { return db.piiSealer.Load() }

// sealer returns the sealer or an error saying that personal data cannot
// be stored without keys.
func (db *DB) sealer() (*pii.Sealer, error) {
	s := db.piiSealer.Load()
	if s == nil {
		return nil, apperr.New(apperr.Unavailable, "cases.no_pii_key")
	}
	return s, nil
}

// CheckPIIKey opens one sealed value, if any exists, to make sure the
// installed key ring is the one the data was sealed with: a server started
// with the wrong key file must fail at start-up, not on the first case.
func (db *DB) CheckPIIKey(ctx context.Context) error {
	s, err := db.sealer()
	if err != nil {
		return err
	}
	var enc string
	err = db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT applicant_name_enc FROM cases ORDER BY id DESC LIMIT 1").Scan(&enc)
	})
	if errors.Is(err, ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.OpenString(enc); err != nil {
		return fmt.Errorf("the personal-data key ring does not open the stored data (wrong key file or MINGBAI_PII_KEY?): %w", err)
	}
	return nil
}

// RevealCase returns the applicant's full personal data and writes the
// access to the audit log (case.view_pii) in the same transaction: no
// audit record, no data. The case is found by hall and id.
func (db *DB) RevealCase(ctx context.Context, hallID, id int64) (PersonalData, error) {
	s, err := db.sealer()
	if err != nil {
		return PersonalData{}, err
	}
	var p PersonalData
	err = db.Write(ctx, func(tx *Tx) error {
		var nameEnc, idEnc, phoneEnc, number string
		if err := tx.QueryRow("SELECT number, applicant_name_enc, id_number_enc, phone_enc FROM cases WHERE id = ? AND hall_id = ?", id, hallID).Scan(&number, &nameEnc, &idEnc, &phoneEnc); err != nil {
			return notFound(err, "case")
		}
		var err error
		if p.Name, err = s.OpenString(nameEnc); err != nil {
			return err
		}
		if idEnc != "" {
			if p.IDNumber, err = s.OpenString(idEnc); err != nil {
				return err
			}
		}
		if p.Phone, err = s.OpenString(phoneEnc); err != nil {
			return err
		}
		return tx.Audit("case.view_pii", fmt.Sprintf("case:%d", id), number)
	})
	return p, err
}
