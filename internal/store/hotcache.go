package store

import (
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"mingbai/internal/auth"
)

// The hot cache (PostgreSQL): what signed-in requests and ticket issues
// read before their transactions and what almost never changes, kept in
// memory: the device a kiosk's token names, the published version of a
// guide item, and the account a staff member's API token or browser
// session names. On the benchmark machine the device and item reads were
// two of an issue's seven round trips to PostgreSQL, and the round trips
// were most of its cost; the principal of a token or session is a round
// trip of every signed-in request (each of a clerk's calls, starts and
// finishes).
//
// A change is seen by every instance at once: the transaction that
// revokes a device or publishes an item sends a NOTIFY (payload
// "hot:devices" or "hot:items") on the events channel, delivered at its
// commit; each instance's event listener drops the part named (the
// instance that wrote drops it too, after its commit). The principals are
// guarded twice, because many paths change them (a sign-out, a revoked
// token, a disabled account, a new role or hall, a staff record linked to
// an account, a command or an operator's SQL): the store functions that
// change them say so (Tx.changedHot(hotPrincipals)), and triggers on
// users, staff, sessions and api_tokens send "hot:principals" for any
// writer at all (migration 00026), so no future code path can forget it.
//
// The cache is used only while the listener is connected: while it is
// away a change would go unseen, so every read goes to the database then,
// and the cache starts empty when the listener is back. A read that races
// with a change cannot put the old value back: it stores only if no drop
// happened since it began (gen). Only what was granted is kept (never an
// error, a revoked token or a disabled account), and a session only until
// its expires_at: after that the database is asked, and refuses it.
//
// On SQLite the reads cost no round trip and another process (a command
// on the same file) could change the rows unseen: the cache is off there.
type hotCache struct {
	live atomic.Bool
	gen  atomic.Uint64

	mu       sync.RWMutex
	devices  map[string]auth.Principal // token hash → an unrevoked device
	items    map[string]int            // item code → its published version
	tokens   map[string]auth.Principal // token hash → an unrevoked API token's enabled account
	sessions map[string]hotSession     // session token hash → its enabled account
}

// hotSession is a cached session: its account and when it expires (unix
// ms); it is used only before then.
type hotSession struct {
	p       auth.Principal
	expires int64
}

// What a change drops (the NOTIFY payload after "hot:").
const (
	hotDevices    = "devices"
	hotItems      = "items"
	hotPrincipals = "principals" // staff API tokens and sessions
)

// hotMax bounds each map: a hall has tens of devices, the catalogue tens
// of items and an installation hundreds of staff signed in; anything
// beyond is read from the database.
const hotMax = 4096

// on reports whether the cache may be used, and the generation to store
// with.
func (c *hotCache) on() (uint64, bool) {
	if !c.live.Load() {
		return 0, false
	}
	return c.gen.Load(), true
}

// hotGet looks key up in *m, one of c's maps, while the cache is on.
func hotGet[V any](c *hotCache, m *map[string]V, key string) (V, bool) {
	if !c.live.Load() {
		var zero V
		return zero, false
	}
	c.mu.RLock()
	v, ok := (*m)[key]
	c.mu.RUnlock()
	return v, ok
}

// hotPut stores v under key in *m, one of c's maps, unless something was
// dropped since gen was read (the value may be older than the drop), the
// cache went off, or the map is full. A full map first forgets the values
// stale reports (nil: none is).
func hotPut[V any](c *hotCache, gen uint64, m *map[string]V, key string, v V, stale func(V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen || !c.live.Load() {
		return
	}
	if len(*m) >= hotMax && stale != nil {
		maps.DeleteFunc(*m, func(_ string, v V) bool { return stale(v) })
	}
	if len(*m) >= hotMax {
		return
	}
	putKey(m, key, v)
}

func (c *hotCache) device(hash string) (auth.Principal, bool) { return hotGet(c, &c.devices, hash) }
func (c *hotCache) item(code string) (int, bool)              { return hotGet(c, &c.items, code) }
func (c *hotCache) token(hash string) (auth.Principal, bool)  { return hotGet(c, &c.tokens, hash) }

// session returns the cached account of a session that has not expired
// at now (unix ms).
func (c *hotCache) session(hash string, now int64) (auth.Principal, bool) {
	s, ok := hotGet(c, &c.sessions, hash)
	return s.p, ok && now < s.expires
}

func (c *hotCache) putDevice(gen uint64, hash string, p auth.Principal) {
	hotPut(c, gen, &c.devices, hash, p, nil)
}

func (c *hotCache) putItem(gen uint64, code string, version int) {
	hotPut(c, gen, &c.items, code, version, nil)
}

func (c *hotCache) putToken(gen uint64, hash string, p auth.Principal) {
	hotPut(c, gen, &c.tokens, hash, p, nil)
}

// putSession keeps a session until expires (unix ms); a full map first
// forgets the sessions expired by now.
func (c *hotCache) putSession(gen uint64, hash string, p auth.Principal, expires, now int64) {
	hotPut(c, gen, &c.sessions, hash, hotSession{p, expires}, func(s hotSession) bool { return s.expires <= now })
}

// drop forgets what (hotDevices, hotItems, hotPrincipals; "" everything).
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
	if what == "" || what == hotPrincipals {
		c.tokens, c.sessions = nil, nil
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
// revocation, an item's published version, an account's sessions, tokens,
// role or hall): every instance drops it when the transaction commits,
// this one right after its commit, the others when the NOTIFY reaches
// their listeners.
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
