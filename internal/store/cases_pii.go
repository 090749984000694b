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

// piiColumns are the sealed columns of the cases table: a rotation re-seals
// exactly these.
var piiColumns = []string{"applicant_name_enc", "id_number_enc", "phone_enc"}

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

// PIIKeyUsage returns, per key id, how many sealed values use it.
func (db *DB) PIIKeyUsage(ctx context.Context) (map[byte]int, error) {
	out := map[byte]int{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT applicant_name_enc, id_number_enc, phone_enc FROM cases")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v [3]string
			if err := rows.Scan(&v[0], &v[1], &v[2]); err != nil {
				return err
			}
			for _, c := range v {
				if c == "" {
					continue
				}
				id, err := keyIDOf(c)
				if err != nil {
					return err
				}
				out[id]++
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := complaintsKeyUsage(tx, out); err != nil {
			return err
		}
		return consultKeyUsage(tx, out)
	})
	return out, err
}

func keyIDOf(enc string) (byte, error) {
	b, err := decodeB64(enc)
	if err != nil {
		return 0, err
	}
	return pii.KeyID(b)
}

// ResealPII re-seals every sealed value that is not under the current key
// of s, batch rows per transaction, each batch with its audit record. It
// runs while the server works: each row is updated only if it still holds
// the value read (compare and set), and rows are visited in id order so
// that the walk ends. It returns the number of values re-sealed.
func (db *DB) ResealPII(ctx context.Context, s *pii.Sealer, batch int) (int, error) {
	if batch <= 0 {
		batch = 200
	}
	total := 0
	var after int64
	for {
		n, last, err := db.resealBatch(ctx, s, after, batch)
		total += n
		if err != nil {
			return total, err
		}
		if last == 0 {
			n, err := db.resealConsult(ctx, s, batch)
			if err != nil {
				return total + n, err
			}
			m, err := db.resealComplaints(ctx, s, batch)
			return total + n + m, err
		}
		after = last
	}
}

func (db *DB) resealBatch(ctx context.Context, s *pii.Sealer, after int64, batch int) (changed int, last int64, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, applicant_name_enc, id_number_enc, phone_enc FROM cases WHERE id > ? ORDER BY id LIMIT ?", after, batch)
		if err != nil {
			return err
		}
		type row struct {
			id  int64
			val [3]string
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.val[0], &r.val[1], &r.val[2]); err != nil {
				rows.Close()
				return err
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range rs {
			last = r.id
			for i, col := range piiColumns {
				if r.val[i] == "" {
					continue
				}
				b, err := decodeB64(r.val[i])
				if err != nil {
					return fmt.Errorf("case %d %s: %w", r.id, col, err)
				}
				nb, did, err := s.Rotate(b)
				if err != nil {
					return fmt.Errorf("case %d %s: %w", r.id, col, err)
				}
				if !did {
					continue
				}
				if _, err := tx.Exec("UPDATE cases SET "+col+" = ? WHERE id = ? AND "+col+" = ?", encodeB64(nb), r.id, r.val[i]); err != nil {
					return err
				}
				changed++
			}
		}
		if changed > 0 {
			return tx.Audit("pii.reseal", "cases", fmt.Sprintf("%d values re-sealed under key %d (cases %d–%d)", changed, s.CurrentKey(), after+1, last))
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return changed, last, nil
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
