package store

import (
	"context"
	"fmt"

	"mingbai/internal/pii"
)

// The sealed phone of web consultation threads takes part in key usage
// and re-sealing, so that retiring an old key never strands a graduate's
// phone.

// consultKeyUsage adds the keys of sealed consultation phones to out.
func consultKeyUsage(tx *Tx, out map[byte]int) error {
	rows, err := tx.Query("SELECT phone_enc FROM consult_threads WHERE phone_enc <> ''")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var enc string
		if err := rows.Scan(&enc); err != nil {
			return err
		}
		id, err := keyIDOf(enc)
		if err != nil {
			return err
		}
		out[id]++
	}
	return rows.Err()
}

// resealConsult re-seals consultation phones not under the current key,
// batch rows per transaction (compare and set, as for cases).
func (db *DB) resealConsult(ctx context.Context, s *pii.Sealer, batch int) (int, error) {
	total := 0
	var after int64
	for {
		changed, last := 0, int64(0)
		err := db.Write(ctx, func(tx *Tx) error {
			changed, last = 0, 0
			rows, err := tx.Query("SELECT id, phone_enc FROM consult_threads WHERE id > ? AND phone_enc <> '' ORDER BY id LIMIT ?", after, batch)
			if err != nil {
				return err
			}
			type row struct {
				id  int64
				enc string
			}
			var rs []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.enc); err != nil {
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
				b, err := decodeB64(r.enc)
				if err != nil {
					return fmt.Errorf("consult thread %d: %w", r.id, err)
				}
				nb, did, err := s.Rotate(b)
				if err != nil {
					return fmt.Errorf("consult thread %d: %w", r.id, err)
				}
				if !did {
					continue
				}
				if _, err := tx.Exec("UPDATE consult_threads SET phone_enc = ? WHERE id = ? AND phone_enc = ?", encodeB64(nb), r.id, r.enc); err != nil {
					return err
				}
				changed++
			}
			if changed > 0 {
				return tx.Audit("pii.reseal", "consult_threads", fmt.Sprintf("%d values re-sealed under key %d (threads %d–%d)", changed, s.CurrentKey(), after+1, last))
			}
			return nil
		})
		total += changed
		if err != nil || last == 0 {
			return total, err
		}
		after = last
	}
}
