package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Prefill puts n waiting tickets into the hall's queue for today, spread
// over its offered items, in one transaction straight into the tables
// (as thousands of kiosk issues would leave them: numbered from the day's
// counters, issued over the last hours). The benchmarks use it to measure
// what a long queue costs without spending minutes issuing it.
func (h *Hall) Prefill(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	zones, err := h.DB.ListZones(ctx, h.HallID)
	if err != nil {
		return err
	}
	prefix := map[string]string{}
	for _, z := range zones {
		prefix[z.Code] = z.Prefix
	}
	items, err := h.DB.ListPublishedItems(ctx, "")
	if err != nil {
		return err
	}
	zoneOf := map[string]string{}
	for _, it := range items {
		zoneOf[it.Code] = it.Zone
	}
	day, err := h.DB.HallDay(ctx, h.HallID)
	if err != nil {
		return err
	}
	raw := h.DB.Raw()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	seq, base := map[string]int{}, map[string]int{}
	rows, err := tx.QueryContext(ctx, h.DB.Rebind("SELECT prefix, last_seq FROM queue_counters WHERE hall_id = ? AND day = ?"), h.HallID, day)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p string
		var s int
		if err := rows.Scan(&p, &s); err != nil {
			rows.Close()
			return err
		}
		seq[p], base[p] = s, s
	}
	rows.Close()
	now := time.Now()
	ins := h.DB.Rebind(`INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, priority, channel, phone, state, issued_at, created_at,
		eta_ms, track_token) VALUES (?, ?, ?, ?, ?, ?, ?, '', 'kiosk', '', 'waiting', ?, ?, -1, ?)`)
	st, err := tx.PrepareContext(ctx, ins)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := 0; i < n; i++ {
		item := h.Items[i%len(h.Items)]
		z := zoneOf[item]
		p := prefix[z]
		if p == "" {
			return fmt.Errorf("item %s: zone %q has no prefix", item, z)
		}
		seq[p]++
		at := now.Add(-time.Duration(n-i) * 3 * time.Second).UnixMilli()
		b := make([]byte, 18)
		rand.Read(b)
		if _, err := st.ExecContext(ctx, h.HallID, day, fmt.Sprintf("%s%03d", p, seq[p]), p, seq[p], item, z, at, at, hex.EncodeToString(b)); err != nil {
			return err
		}
	}
	up := h.DB.Rebind(`INSERT INTO queue_counters (hall_id, day, prefix, last_seq) VALUES (?, ?, ?, ?)
		ON CONFLICT (hall_id, day, prefix) DO UPDATE SET last_seq = queue_counters.last_seq + excluded.last_seq`)
	for p, s := range seq {
		if _, err := tx.ExecContext(ctx, up, h.HallID, day, p, s-base[p]); err != nil {
			return err
		}
	}
	return tx.Commit()
}
