package store

import (
	"context"
	"fmt"
	"strings"

	"mingbai/internal/pii"
)

// sealedTable is a table with columns sealed under the personal-data key
// ring, and the integer column that orders its rows.
type sealedTable struct {
	table, id string
	cols      []string
}

// sealedColumns are every column sealed with the personal-data key ring.
// The key usage count (PIIKeyUsage, which says when an old key may be
// retired) and the re-seal after a rotation (ResealPII) walk exactly these,
// so a new sealed column is one line here; TestEverySealedColumnIsListed
// fails for a column named *_enc that is missing.
var sealedColumns = []sealedTable{
	{"cases", "id", []string{"applicant_name_enc", "id_number_enc", "phone_enc"}},
	{"tickets", "id", []string{"phone_enc"}},
	{"appointments", "id", []string{"phone_enc"}},
	{"phone_codes", "id", []string{"phone_enc"}},
	{"outbox", "id", []string{"recipient_enc", "body_enc", "params_enc"}},
	{"contributors", "id", []string{"name_enc", "id_number_enc", "phone_enc"}},
	{"campaign_recipients", "id", []string{"phone_enc"}},
	{"consult_threads", "id", []string{"phone_enc", "openid_enc"}},
	{"consult_messages", "id", []string{"body_enc"}},
	{"complaints", "id", []string{"name_enc", "phone_enc", "detail_enc"}},
	{"duty_settings", "hall_id", []string{"sms_recipient"}},
	{"users", "id", []string{"phone_enc"}}, // duty leaders' numbers (duty_alert_sms.go)
}

// sealedRow is one row of a sealed table: its id and its sealed values
// ("" where a column holds none).
type sealedRow struct {
	id   int64
	vals []string
}

// sealedRows reads the rows of t with an id above after, in id order
// (batch ≤ 0: all of them).
func sealedRows(tx *Tx, t sealedTable, after int64, batch int) ([]sealedRow, error) {
	q := "SELECT " + t.id + ", " + strings.Join(t.cols, ", ") + " FROM " + t.table + " WHERE " + t.id + " > ? ORDER BY " + t.id
	args := []any{after}
	if batch > 0 {
		q += " LIMIT ?"
		args = append(args, batch)
	}
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rs []sealedRow
	for rows.Next() {
		r := sealedRow{vals: make([]string, len(t.cols))}
		ptrs := []any{&r.id}
		for i := range r.vals {
			ptrs = append(ptrs, &r.vals[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// PIIKeyUsage returns, per key id, how many sealed values use it.
func (db *DB) PIIKeyUsage(ctx context.Context) (map[byte]int, error) {
	out := map[byte]int{}
	err := db.Read(ctx, func(tx *Tx) error {
		for _, t := range sealedColumns {
			rs, err := sealedRows(tx, t, 0, 0)
			if err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
			for _, r := range rs {
				for i, v := range r.vals {
					if v == "" {
						continue
					}
					id, err := keyIDOf(v)
					if err != nil {
						return fmt.Errorf("%s %d %s: %w", t.table, r.id, t.cols[i], err)
					}
					out[id]++
				}
			}
		}
		return nil
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
// runs while the server works: each value is updated only if it still
// holds what was read (compare and set), and rows are visited in id order
// so that the walk ends. It returns the number of values re-sealed.
func (db *DB) ResealPII(ctx context.Context, s *pii.Sealer, batch int) (int, error) {
	if batch <= 0 {
		batch = 200
	}
	total := 0
	for _, t := range sealedColumns {
		for after := int64(0); ; {
			n, last, err := db.resealBatch(ctx, s, t, after, batch)
			total += n
			if err != nil {
				return total, err
			}
			if last == 0 {
				break
			}
			after = last
		}
	}
	return total, nil
}

// resealBatch re-seals the values of up to batch rows of t after id after
// (ids are positive); last is the id of the last row visited (0: none was
// left).
func (db *DB) resealBatch(ctx context.Context, s *pii.Sealer, t sealedTable, after int64, batch int) (changed int, last int64, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		changed, last = 0, 0
		rs, err := sealedRows(tx, t, after, batch)
		if err != nil {
			return err
		}
		for _, r := range rs {
			last = r.id
			for i, v := range r.vals {
				if v == "" {
					continue
				}
				col := t.cols[i]
				b, err := decodeB64(v)
				if err != nil {
					return fmt.Errorf("%s %d %s: %w", t.table, r.id, col, err)
				}
				nb, did, err := s.Rotate(b)
				if err != nil {
					return fmt.Errorf("%s %d %s: %w", t.table, r.id, col, err)
				}
				if !did {
					continue
				}
				if _, err := tx.Exec("UPDATE "+t.table+" SET "+col+" = ? WHERE "+t.id+" = ? AND "+col+" = ?", encodeB64(nb), r.id, v); err != nil {
					return err
				}
				changed++
			}
		}
		if changed > 0 {
			return tx.Audit("pii.reseal", t.table, fmt.Sprintf("%d values re-sealed under key %d (%s %d–%d)", changed, s.CurrentKey(), t.table, rs[0].id, last))
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return changed, last, nil
}
