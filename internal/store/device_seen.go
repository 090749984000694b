package store

import (
	"context"
	"sync"
)

// deviceSeenEvery is how stale a device's last_seen may get: it says
// whether a kiosk or screen is still alive, to the minute.
const deviceSeenEvery = 60_000 // ms

// deviceSeen batches the devices' last_seen updates. Every device request
// used to run an UPDATE on the writer connection (matching no row most of
// the time, but still queueing behind the grouped ticket issues for the one
// SQLite writer); now a device's row is written at most once a minute per
// instance, and the request never waits for it.
type deviceSeen struct {
	mu      sync.Mutex
	written map[int64]int64 // device → when this instance last wrote it (ms)
	pending map[int64]int64
	running bool
}

func (db *DB) deviceSeen(ctx context.Context, id int64) {
	now := db.Now().UnixMilli()
	d := &db.seen
	d.mu.Lock()
	if now-d.written[id] < deviceSeenEvery {
		d.mu.Unlock()
		return
	}
	if d.written == nil {
		d.written, d.pending = map[int64]int64{}, map[int64]int64{}
	}
	d.written[id] = now
	d.pending[id] = now
	start := !d.running
	d.running = true
	d.mu.Unlock()
	if start {
		go db.flushSeen(context.WithoutCancel(ctx))
	}
}

// flushSeen writes the pending last_seen values in one transaction.
func (db *DB) flushSeen(ctx context.Context) {
	d := &db.seen
	for {
		d.mu.Lock()
		batch := d.pending
		d.pending = map[int64]int64{}
		if len(batch) == 0 {
			d.running = false
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
		err := db.Write(ctx, func(tx *Tx) error {
			for id, at := range batch {
				if _, err := tx.Exec("UPDATE devices SET last_seen = ? WHERE id = ? AND last_seen < ?", at, id, at-deviceSeenEvery); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil && db.Log != nil {
			db.Log.Warn("device last_seen", "err", err)
		}
	}
}
