package store

import (
	"context"
	"fmt"
	"reflect"
	"sort"
)

// CheckRollups recomputes every hall-day that has rollups or raw rows from
// the raw rows and compares it with what is stored, after a flush. It
// returns the hall-days that differ ("hall 3 2026-02-12") and how many it
// checked.
func (db *DB) CheckRollups(ctx context.Context) (bad []string, checked int, err error) {
	if _, err := db.FlushRollups(ctx); err != nil {
		return nil, 0, err
	}
	var keys []hallDay
	err = db.Read(ctx, func(tx *Tx) error {
		return eachRow(tx, `SELECT hall_id, day FROM rollup_daily UNION SELECT hall_id, day FROM tickets ORDER BY 1, 2`, nil, func(sc scanner) error {
			var k hallDay
			err := sc.Scan(&k.hall, &k.day)
			keys = append(keys, k)
			return err
		})
	})
	if err != nil {
		return nil, 0, err
	}
	for _, k := range keys {
		want, wantR, err := db.ComputeHallDay(ctx, k.hall, k.day)
		if err != nil {
			return bad, checked, err
		}
		got, gotR, err := db.StoredRollups(ctx, k.hall, k.day)
		if err != nil {
			return bad, checked, err
		}
		sort.Slice(got, func(i, j int) bool { return keyLess(got[i].Key, got[j].Key) })
		sort.Slice(gotR, func(i, j int) bool {
			if gotR[i].Key != gotR[j].Key {
				return keyLess(gotR[i].Key, gotR[j].Key)
			}
			return gotR[i].Reason < gotR[j].Reason
		})
		if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) ||
			len(gotR) != len(wantR) || (len(gotR) > 0 && !reflect.DeepEqual(gotR, wantR)) {
			bad = append(bad, fmt.Sprintf("hall %d %s", k.hall, k.day))
		}
		checked++
	}
	return bad, checked, nil
}
