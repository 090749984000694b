package store

import (
	"strings"
	"sync"
	"sync/atomic"

	"mingbai/internal/auth"
)

// The hot cache (PostgreSQL): what every ticket issue reads before its
// transaction and what almost never changes, kept in memory: the device a
// kiosk's token names and the published version of a guide item. On the
// benchmark machine the two reads were two of an issue's seven round
// trips to PostgreSQL, and the round trips were most of its cost.
//
// A change is seen by every instance at once: the transaction that revokes
// a device or publishes an item sends a NOTIFY (payload "hot:devices" or
// "hot:items") on the events channel, delivered at its commit; each
// instance's event listener drops the part named (the instance that wrote
// drops it too, after its commit). The cache is used only while the
// listener is connected: while it is away a change would go unseen, so
// every read goes to the database then, and the cache starts empty when
// the listener is back. A read that races with a change cannot put the old
// value back: it stores only if no drop happened since it began (gen).
//
// On SQLite the reads cost no round trip and another process (a command
// on the same file) could change the rows unseen: the cache is off there.
type hotCache struct {
	live atomic.Bool
	gen  atomic.Uint64

	mu      sync.RWMutex
	devices map[string]auth.Principal // token hash → an unrevoked device
	items   map[string]int            // item code → its published version
}

// What a change drops (the NOTIFY payload after "hot:").
const (
	hotDevices = "devices"
	hotItems   = "items"
)

// hotMax bounds each map: a hall has tens of devices and the catalogue
// tens of items; anything beyond is read from the database.
const hotMax = 4096

// on reports whether the cache may be used, and the generation to store
// with.
func (c *hotCache) on() (uint64, bool) {
	if !c.live.Load() {
		return 0, false
	}
	return c.gen.Load(), true
}

func (c *hotCache) device(hash string) (auth.Principal, bool) {
	if !c.live.Load() {
		return auth.Principal{}, false
	}
	c.mu.RLock()
	p, ok := c.devices[hash]
	c.mu.RUnlock()
	return p, ok
}

func (c *hotCache) item(code string) (int, bool) {
	if !c.live.Load() {
		return 0, false
	}
	c.mu.RLock()
	v, ok := c.items[code]
	c.mu.RUnlock()
	return v, ok
}

func (c *hotCache) putDevice(gen uint64, hash string, p auth.Principal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen || !c.live.Load() || len(c.devices) >= hotMax {
		return
	}
	if c.devices == nil {
		c.devices = map[string]auth.Principal{}
	}
	c.devices[hash] = p
}

func (c *hotCache) putItem(gen uint64, code string, version int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen || !c.live.Load() || len(c.items) >= hotMax {
		return
	}
	if c.items == nil {
		c.items = map[string]int{}
	}
	c.items[code] = version
}

// drop forgets what (hotDevices, hotItems; "" everything).
func (c *hotCache) drop(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	if what == "" || what == hotDevices {
		c.devices = nil
	}
	if what == "" || what == hotItems {
		c.items = nil
	}
}

// setLive turns the cache on (the listener is connected) or off; either
// way it starts empty.
func (c *hotCache) setLive(live bool) {
	c.drop("")
	c.live.Store(live)
}

// hotPayload is the NOTIFY payload of a change; hotChange parses one.
func hotPayload(what string) string { return "hot:" + what }

func hotChange(payload string) (string, bool) {
	return strings.CutPrefix(payload, "hot:")
}

// changedHot records in the transaction that it changes what (a device's
// revocation, an item's published version): every instance drops it when
// the transaction commits.
func (t *Tx) changedHot(what string) error {
	if t.db.Dialect != Postgres {
		return nil
	}
	for _, w := range t.hot {
		if w == what {
			return nil
		}
	}
	t.hot = append(t.hot, what)
	_, err := t.Exec("SELECT pg_notify(?, ?)", t.db.notifyChannel(), hotPayload(what))
	return err
}
