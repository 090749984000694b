package store

import (
	"context"
	"fmt"
	"strings"

	"mingbai/internal/pii"
)

// Sealed columns of complaints, the duty alert SMS recipient and the duty
// leaders' phones: the key usage count and the re-seal after a key
// rotation walk them like the cases' (cases_pii.go).

// complaintsSealed are the tables and sealed columns of this area.
var complaintsSealed = []struct {
	table, id string
	cols      []string
}{
	{"complaints", "id", []string{"name_enc", "phone_enc", "detail_enc"}},
	{"duty_settings", "hall_id", []string{"sms_recipient"}},
	{"users", "id", []string{"phone_enc"}}, // duty leaders' numbers (duty_alert_sms.go)
}

// complaintsKeyUsage adds the key ids of this area's sealed values to out.
func complaintsKeyUsage(tx *Tx, out map[byte]int) error {
	for _, t := range complaintsSealed {
		rows, err := tx.Query("SELECT " + strings.Join(t.cols, ", ") + " FROM " + t.table)
		if err != nil {
			return err
		}
		vals := make([]string, len(t.cols))
		ptrs := make([]any, len(t.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			for _, v := range vals {
				if v == "" {
					continue
				}
				id, err := keyIDOf(v)
				if err != nil {
					rows.Close()
					return err
				}
				out[id]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// resealComplaints re-seals this area's values that are not under the
// current key, batch rows per transaction, compare and set per column.
func (db *DB) resealComplaints(ctx context.Context, s *pii.Sealer, batch int) (int, error) {
	total := 0
	for _, t := range complaintsSealed {
		var after int64
		for {
			changed, last := 0, int64(0)
			err := db.Write(ctx, func(tx *Tx) error {
				changed, last = 0, 0
				rows, err := tx.Query("SELECT "+t.id+", "+strings.Join(t.cols, ", ")+" FROM "+t.table+" WHERE "+t.id+" > ? ORDER BY "+t.id+" LIMIT ?", after, batch)
				if err != nil {
					return err
				}
				type row struct {
					id   int64
					vals []string
				}
				var rs []row
				for rows.Next() {
					r := row{vals: make([]string, len(t.cols))}
					ptrs := []any{&r.id}
					for i := range r.vals {
						ptrs = append(ptrs, &r.vals[i])
					}
					if err := rows.Scan(ptrs...); err != nil {
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
					for i, v := range r.vals {
						if v == "" {
							continue
						}
						b, err := decodeB64(v)
						if err != nil {
							return fmt.Errorf("%s %d: %w", t.table, r.id, err)
						}
						nb, did, err := s.Rotate(b)
						if err != nil {
							return fmt.Errorf("%s %d: %w", t.table, r.id, err)
						}
						if !did {
							continue
						}
						col := t.cols[i]
						if _, err := tx.Exec("UPDATE "+t.table+" SET "+col+" = ? WHERE "+t.id+" = ? AND "+col+" = ?", encodeB64(nb), r.id, v); err != nil {
							return err
						}
						changed++
					}
				}
				if changed > 0 {
					return tx.Audit("pii.reseal", t.table, fmt.Sprintf("%d values re-sealed under key %d (%d–%d)", changed, s.CurrentKey(), after+1, last))
				}
				return nil
			})
			total += changed
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
