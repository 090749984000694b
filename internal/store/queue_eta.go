package store

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"math"
	"sort"
	"sync"
	"time"

	"mingbai/internal/queue"
)

// Estimates at issue are made outside the issuing transaction, from a
// per-hall snapshot of the queue (open windows, waiting tickets, service
// statistics) that is reloaded at most once per snapshotTTL and kept up to
// date in between with the tickets this instance issues. Building the
// snapshot reads every waiting ticket; doing that inside the write
// transaction for every ticket made issuing slow in proportion to the
// queue and held the single SQLite writer meanwhile. A call, finish or
// other change at a window drops the hall's snapshot, so the next ticket
// sees it; changes made by other instances are seen within snapshotTTL.
const snapshotTTL = time.Second

// staleTTL is how long an expired snapshot still serves while another
// request reloads it.
const staleTTL = 5 * time.Second

// memoMaxAge bounds how long a memoised estimate is reused while nothing
// else changes (windows busy with the same tickets, no ticket gone): the
// time that passes moves busy and stalled windows' expected free times.
const memoMaxAge = 15 * time.Second

type etaCache struct {
	mu      sync.Mutex
	byHall  map[int64]*hallSnapshot
	loading map[int64]bool // halls whose snapshot is being reloaded
	// memo keeps, per hall, the last replay per line (the open windows
	// serving a new ticket, its zone and priority class).
	// It outlives the snapshots: an entry stays valid across reloads while
	// the windows' state (fingerprint) is the same and the tickets it saw
	// still wait in the same order (a hash of their ids), so a stream of
	// tickets for one item replays the queue only every memoSpan tickets.
	memo map[int64]map[string]etaMemo
}

type hallSnapshot struct {
	loaded  time.Time
	day     string
	snap    queue.Snapshot
	waiting []queue.Ticket
	// wins are all the hall's windows, open or not (queue.Ahead).
	wins []queue.Window
	// fp fingerprints what the replay depends on besides the waiting list:
	// the policy, the open windows with their items, current tickets,
	// recalls and stalls.
	fp uint64
	// idHash[i] hashes the ids of the first i waiting tickets.
	idHash []uint64
	stalls []time.Duration // per snap.Windows

	allMu sync.Mutex
	all   *allEstimates
}

// allEstimates are the estimates of a whole waiting list, made in one set
// of replays (queue.Replay.EstimateAll).
type allEstimates struct {
	n     int
	eta   map[int64]time.Duration
	ahead map[int64]int
}

type etaMemo struct {
	eta    time.Duration
	ok     bool
	ahead  int
	fp     uint64
	n      int
	idHash uint64
	at     time.Time
	last   time.Duration // the latest estimate given from this entry
	// The newer tickets already looked at: those of waiting[n:upto]
	// (uptoHash is idHash[upto], so the prefix is known to be the same)
	// that compete add extra people and work. Each issue then looks only
	// at the tickets issued since the last one, not at all n/8 of them
	// again: that rescan was a fifth of an issue's CPU with 3,000 waiting.
	upto     int
	uptoHash uint64
	extra    int
	work     time.Duration
}

// memoSpan is how many tickets may join a waiting list of n before an
// item's estimate is replayed again: at least 8, and an eighth of the
// queue, so a long queue is replayed in proportion to its growth. In
// between, each newer ticket that competes for the same windows adds one
// mean service time divided by the windows that serve the item.
func memoSpan(n int) int { return max(8, n/8) }

// Wait is what every page says about a waiting ticket's turn: the kiosk
// and the printed ticket at issue (Issued.Wait), the phone page and its
// JSON (TicketView.Wait). The same numbers, computed the same way.
type Wait struct {
	// Ahead is "前面还有 N 人": the waiting tickets that go before this
	// one in its line (see queue.Ahead for exactly what counts).
	Ahead int `json:"ahead"`
	// EtaMs is the estimated wait until the ticket is called, counted from
	// At, in milliseconds; -1 when no open window serves the item (say
	// "暂无法估计", never 0).
	EtaMs int64 `json:"eta_ms"`
	// At is when the estimate was made (Unix milliseconds).
	At int64 `json:"at"`
	// ExpectedAt is At + EtaMs, the expected call time (Unix ms, to show
	// as a clock time in the hall's zone); 0 when EtaMs is -1.
	ExpectedAt int64 `json:"expected_at"`
	// WindowsOpen counts the open windows that serve the ticket.
	WindowsOpen int `json:"windows_open"`
	// WindowsStalled counts those of them that are open and idle but have
	// left a ticket they serve waiting for more than queue.StallGrace (a
	// page may say "窗口暂未叫号"); the estimate already expects them to
	// stay away as long again.
	WindowsStalled int `json:"windows_stalled"`
}

// Eta returns EtaMs as a duration (-1 when unknown).
func (w Wait) Eta() time.Duration {
	if w.EtaMs < 0 {
		return -1
	}
	return time.Duration(w.EtaMs) * time.Millisecond
}

// preIssue is what IssueTicket computes before its transaction.
type preIssue struct {
	eta   time.Duration
	etaOK bool
	ahead int
	wait  Wait
}

func (c *etaCache) drop(hallID int64) {
	c.mu.Lock()
	delete(c.byHall, hallID)
	c.mu.Unlock()
}

func (c *etaCache) dropAll() {
	c.mu.Lock()
	c.byHall = nil
	c.memo = nil
	c.mu.Unlock()
}

// snapshotFor returns the hall's snapshot, reloading it when it is older
// than snapshotTTL or of another day.
func (db *DB) snapshotFor(ctx context.Context, hallID int64) (*hallSnapshot, error) {
	now := db.Now()
	db.etas.mu.Lock()
	hs := db.etas.byHall[hallID]
	if hs != nil && now.Sub(hs.loaded) < snapshotTTL && now.Sub(hs.loaded) >= 0 {
		db.etas.mu.Unlock()
		return hs, nil
	}
	// One reload at a time per hall: the others go on with the expired
	// snapshot while it is younger than staleTTL (and of the same day),
	// instead of all reading the whole queue at once when it expires.
	if db.etas.loading[hallID] && hs != nil && now.Sub(hs.loaded) < staleTTL && now.Sub(hs.loaded) >= 0 {
		db.etas.mu.Unlock()
		return hs, nil
	}
	if db.etas.loading == nil {
		db.etas.loading = map[int64]bool{}
	}
	db.etas.loading[hallID] = true
	db.etas.mu.Unlock()
	defer func() {
		db.etas.mu.Lock()
		delete(db.etas.loading, hallID)
		db.etas.mu.Unlock()
	}()
	fresh := &hallSnapshot{loaded: now}
	err := db.Read(ctx, func(tx *Tx) error {
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		st, err := queueSettings(tx, hallID)
		if err != nil {
			return err
		}
		fresh.day = dayOf(tx.Now, loc)
		fresh.snap, fresh.waiting, err = buildSnapshot(tx, hallID, fresh.day, st, nil)
		if err != nil {
			return err
		}
		wins, err := listWindows(tx, hallID)
		fresh.wins = hallQueueWindows(wins)
		return err
	})
	if err != nil {
		return nil, err
	}
	fresh.index()
	db.etas.mu.Lock()
	if db.etas.byHall == nil {
		db.etas.byHall = map[int64]*hallSnapshot{}
	}
	db.etas.byHall[hallID] = fresh
	db.etas.mu.Unlock()
	return fresh, nil
}

// index computes the fingerprint, the id hashes and the stalls.
func (hs *hallSnapshot) index() {
	hs.snap.Waiting = hs.waiting
	hs.stalls = queue.Stalls(hs.snap)
	h := fnv.New64a()
	var b [8]byte
	put := func(v int64) {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	if hs.snap.Policy != nil {
		h.Write([]byte(hs.snap.Policy.Name()))
		if m, ok := hs.snap.Policy.(queue.MingbaiPolicy); ok {
			put(int64(m.K))
		}
	}
	for i := range hs.snap.Windows {
		w := &hs.snap.Windows[i]
		h.Write([]byte(w.Window.ID))
		put(w.Window.Serving)
		h.Write([]byte(w.Item))
		if w.Recalling {
			put(1)
		}
		if hs.stalls[i] > 0 {
			put(2)
		}
		items := make([]string, 0, len(w.Window.Items))
		for it := range w.Window.Items {
			items = append(items, it)
		}
		sort.Strings(items)
		for _, it := range items {
			h.Write([]byte(it))
		}
	}
	hs.fp = h.Sum64()
	hs.idHash = make([]uint64, 1, len(hs.waiting)+64)
	for i := range hs.waiting {
		hs.idHash = append(hs.idHash, hs.idHash[i]+mix(hs.waiting[i].ID))
	}
}

// mix is splitmix64's finaliser: sums of mixed ids practically never
// collide for different sets.
func mix(id int64) uint64 {
	z := uint64(id) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// competes reports whether waiting ticket a is in t's line (queue.Ahead)
// given the windows that serve t.
func competes(serving []queue.Window, a, t *queue.Ticket) bool {
	if len(serving) == 0 {
		return a.Item == t.Item && a.TargetWindow == t.TargetWindow
	}
	for i := range serving {
		if serving[i].Serves(a) {
			return true
		}
	}
	return false
}

// preEstimate estimates the wait and the people ahead of a ticket about to
// be issued: it joins the end of the waiting list as the newest ticket.
func (db *DB) preEstimate(ctx context.Context, req IssueRequest) (preIssue, error) {
	hs, err := db.snapshotFor(ctx, req.HallID)
	if err != nil {
		return preIssue{}, err
	}
	now := db.Now()
	qt := queue.Ticket{ID: math.MaxInt64, Item: req.Item, Zone: req.Zone, Priority: req.Priority, IssuedAt: now, State: queue.StateWaiting}
	db.etas.mu.Lock()
	n := len(hs.waiting)
	var open, stalled int
	var serving []queue.Window
	// A new ticket's replay depends on which open windows serve it (and
	// its zone, for the home-zone policies), not on its own item: items
	// served by the same windows share a memo entry.
	key := string(req.Priority) + "|" + req.Zone
	for i := range hs.snap.Windows {
		if hs.snap.Windows[i].Window.Serves(&qt) {
			open++
			key += "|" + hs.snap.Windows[i].Window.ID
			if hs.stalls[i] > 0 {
				stalled++
			}
		}
	}
	key += "|c"
	for i := range hs.wins {
		if hs.wins[i].Serves(&qt) {
			serving = append(serving, hs.wins[i])
			key += "|" + hs.wins[i].ID
		}
	}
	if len(serving) == 0 {
		key += "|" + req.Item // competes then compares the items
	}
	m, have := db.etas.memo[req.HallID][key]
	if have && m.fp == hs.fp && m.n <= n && hs.idHash[m.n] == m.idHash && n-m.n <= memoSpan(n) && now.Sub(m.at) <= memoMaxAge && now.Sub(m.at) >= 0 {
		// The tickets issued since the replay that are in this one's line
		// go before it (for a priority ticket, the priority ones only); each
		// pushes it back by one service spread over the open windows.
		from, extra, work := m.n, 0, time.Duration(0)
		if m.upto > m.n && m.upto <= n && hs.idHash[m.upto] == m.uptoHash {
			from, extra, work = m.upto, m.extra, m.work
		}
		for i := from; i < n; i++ {
			a := &hs.waiting[i]
			if (!qt.IsPriority() || a.IsPriority()) && competes(serving, a, &qt) {
				extra++
				mean := hs.snap.DefaultService.Mean
				if st, ok := hs.snap.Service[a.Item]; ok && st.Mean > 0 {
					mean = st.Mean
				}
				work += mean
			}
		}
		p := preIssue{eta: m.eta, etaOK: m.ok, ahead: m.ahead + extra}
		if m.ok && open > 0 {
			p.eta += work / time.Duration(open)
		}
		m.upto, m.uptoHash, m.extra, m.work = n, hs.idHash[n], extra, work
		m.last = max(m.last, p.eta)
		db.etas.memo[req.HallID][key] = m
		db.etas.mu.Unlock()
		p.wait = makeWait(p.ahead, p.eta, p.etaOK, now, open, stalled)
		return p, nil
	}
	snap := hs.snap
	snap.Now = now
	snap.Waiting = append(append(make([]queue.Ticket, 0, n+1), hs.waiting...), qt)
	fp, idh := hs.fp, hs.idHash[n]
	// Read under the lock: noteIssued appends to idHash concurrently.
	sameLine := have && m.fp == fp && m.n <= n && hs.idHash[m.n] == m.idHash
	day := hs.day
	db.etas.mu.Unlock()
	var p preIssue
	p.eta, p.etaOK = estimateWith(replayFor(req.HallID, day), snap, qt)
	if sameLine && now.Sub(m.at) <= memoMaxAge && p.etaOK && m.ok && p.eta < m.last {
		// Nothing but newer tickets changed since the last ticket of this
		// line was told m.last: a later ticket is never told less.
		p.eta = m.last
	}
	p.ahead = queue.Ahead(snap.Waiting, hs.wins, qt)
	p.wait = makeWait(p.ahead, p.eta, p.etaOK, now, open, stalled)
	db.etas.mu.Lock()
	if db.etas.memo == nil {
		db.etas.memo = map[int64]map[string]etaMemo{}
	}
	if db.etas.memo[req.HallID] == nil {
		db.etas.memo[req.HallID] = map[string]etaMemo{}
	}
	db.etas.memo[req.HallID][key] = etaMemo{eta: p.eta, ok: p.etaOK, ahead: p.ahead, fp: fp, n: n, idHash: idh, at: now, last: p.eta}
	db.etas.mu.Unlock()
	return p, nil
}

// replayFor is the hall's estimator for a day: its random streams are
// seeded from the hall and the day, so that successive snapshots replay
// with common random numbers (see queue.Replay.Seed).
func replayFor(hallID int64, day string) queue.Replay {
	h := fnv.New64a()
	h.Write([]byte(day))
	return queue.Replay{Seed: h.Sum64() ^ mix(hallID) | 1}
}

// estimateWith is estimate with the given replay.
func estimateWith(r queue.Replay, snap queue.Snapshot, t queue.Ticket) (time.Duration, bool) {
	for i := range snap.Windows {
		if snap.Windows[i].Window.Serves(&t) {
			return r.Estimate(snap, t), true
		}
	}
	return 0, false
}

func makeWait(ahead int, eta time.Duration, ok bool, at time.Time, open, stalled int) Wait {
	w := Wait{Ahead: ahead, EtaMs: -1, At: at.UnixMilli(), WindowsOpen: open, WindowsStalled: stalled}
	if ok {
		w.EtaMs = eta.Milliseconds()
		w.ExpectedAt = w.At + w.EtaMs
	}
	return w
}

// noteIssued adds a ticket this instance issued to the cached snapshot.
func (db *DB) noteIssued(t *Ticket) {
	db.etas.mu.Lock()
	defer db.etas.mu.Unlock()
	if hs := db.etas.byHall[t.HallID]; hs != nil && hs.day == t.Day {
		hs.waiting = append(hs.waiting, toQueue(t))
		hs.snap.Waiting = hs.waiting
		hs.idHash = append(hs.idHash, hs.idHash[len(hs.idHash)-1]+mix(t.ID))
	}
}

// waitOf returns the live Wait of a waiting ticket, from the hall's
// snapshot and its whole-queue estimates (made once per snapshot for
// every waiting ticket, not one replay per request).
func (db *DB) waitOf(ctx context.Context, t *Ticket) (Wait, error) {
	hs, err := db.snapshotFor(ctx, t.HallID)
	if err != nil {
		return Wait{}, err
	}
	qt := toQueue(t)
	db.etas.mu.Lock()
	snap := hs.snap
	snap.Waiting = hs.waiting[:len(hs.waiting):len(hs.waiting)]
	var open, stalled int
	for i := range snap.Windows {
		if snap.Windows[i].Window.Serves(&qt) {
			open++
			if hs.stalls[i] > 0 {
				stalled++
			}
		}
	}
	db.etas.mu.Unlock()
	at := hs.loaded
	if hs.day != t.Day {
		return makeWait(0, 0, false, at, open, stalled), nil
	}
	hs.allMu.Lock()
	all := hs.all
	if all == nil || all.n != len(snap.Waiting) {
		all = &allEstimates{n: len(snap.Waiting), eta: make(map[int64]time.Duration, len(snap.Waiting)), ahead: make(map[int64]int, len(snap.Waiting))}
		aheads := queue.AheadAll(snap.Waiting, hs.wins)
		var etas []time.Duration
		if len(snap.Windows) > 0 {
			etas = replayFor(t.HallID, hs.day).EstimateAll(snap)
		}
		for i := range snap.Waiting {
			all.ahead[snap.Waiting[i].ID] = aheads[i]
			if etas != nil {
				all.eta[snap.Waiting[i].ID] = etas[i]
			}
		}
		hs.all = all
	}
	hs.allMu.Unlock()
	ahead, inList := all.ahead[t.ID]
	if !inList {
		// Issued by another instance since the snapshot was loaded.
		snap.Waiting = append(snap.Waiting, qt)
		eta, ok := estimateWith(replayFor(t.HallID, hs.day), snap, qt)
		return makeWait(queue.Ahead(snap.Waiting, hs.wins, qt), eta, ok, at, open, stalled), nil
	}
	eta, ok := all.eta[t.ID]
	return makeWait(ahead, eta, ok && open > 0, at, open, stalled), nil
}
