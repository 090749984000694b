package store

import (
	"context"
	"sync"
	"time"
)

// deviceSeenEvery is how stale a device's last_seen or an API token's
// last_used may get: they say whether a kiosk or screen is still alive and
// whether a token is still in use, to the minute.
const deviceSeenEvery = 60_000 // ms

// deviceSeen batches the devices' last_seen and the API tokens' last_used
// updates. Every device or token request used to run an UPDATE on the
// writer connection (matching no row most of the time, but still queueing
// behind the grouped writes for the one SQLite writer); now each row is
// written at most once a minute per instance, and the request never waits
// for it.
type deviceSeen struct {
	mu      sync.Mutex
	written map[seenKey]int64 // row → when this instance last wrote it (ms)
	pending map[seenKey]int64
	running bool
}

// seenKey is a device (by id) or an API token (by its hash).
type seenKey struct {
	device int64
	token  string
}

func (db *DB) deviceSeen(ctx context.Context, id int64) { db.noteSeen(ctx, seenKey{device: id}) }

// tokenUsed notes the use of the API token with this hash.
func (db *DB) tokenUsed(ctx context.Context, hash string) { db.noteSeen(ctx, seenKey{token: hash}) }

func (db *DB) noteSeen(ctx context.Context, k seenKey) {
	now := db.Now().UnixMilli()
	d := &db.seen
	d.mu.Lock()
	if now-d.written[k] < deviceSeenEvery {
		d.mu.Unlock()
		return
	}
	if d.written == nil {
		d.written, d.pending = map[seenKey]int64{}, map[seenKey]int64{}
	}
	d.written[k] = now
	d.pending[k] = now
	start := !d.running
	d.running = true
	d.mu.Unlock()
	if start {
		go db.flushSeen(context.WithoutCancel(ctx))
	}
}

// flushSeen writes the pending last_seen and last_used values in one
// transaction.
func (db *DB) flushSeen(ctx context.Context) {
	d := &db.seen
	for {
		d.mu.Lock()
		batch := d.pending
		d.pending = map[seenKey]int64{}
		if len(batch) == 0 {
			d.running = false
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
		// The transaction's clock is the latest use it records, read on the
		// request that noted it: this goroutine reads no clock.
		var latest int64
		for _, at := range batch {
			latest = max(latest, at)
		}
		err := db.writeAt(ctx, time.UnixMilli(latest), func(tx *Tx) error {
			for k, at := range batch {
				var err error
				if k.token != "" {
					_, err = tx.Exec("UPDATE api_tokens SET last_used = ? WHERE token_hash = ? AND last_used < ?", at, k.token, at-deviceSeenEvery)
				} else {
					_, err = tx.Exec("UPDATE devices SET last_seen = ? WHERE id = ? AND last_seen < ?", at, k.device, at-deviceSeenEvery)
				}
				if err != nil {
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
