package store

import (
	"context"
	"math"
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

type etaCache struct {
	mu     sync.Mutex
	byHall map[int64]*hallSnapshot
}

type hallSnapshot struct {
	loaded  time.Time
	day     string
	snap    queue.Snapshot
	waiting []queue.Ticket
	// memo keeps the last replay per item and priority class with the
	// length of the waiting list it saw, so a burst of tickets for one item
	// does not replay the whole queue for each of them (the replay costs
	// in proportion to the square of the queue).
	memo map[string]etaMemo
}

type etaMemo struct {
	eta     time.Duration
	ok      bool
	waiting int
	ahead   int
}

// memoSpan is how many tickets may join a waiting list of n before an
// item's estimate is replayed again: at least 8, and an eighth of the
// queue, so a long queue is replayed in proportion to its growth. In
// between, each newer ticket that competes for the same windows adds one
// mean service time divided by the windows that serve the item.
func memoSpan(n int) int { return max(8, n/8) }

// preIssue is what IssueTicket computes before its transaction.
type preIssue struct {
	eta   time.Duration
	etaOK bool
	ahead int
}

func (c *etaCache) drop(hallID int64) {
	c.mu.Lock()
	delete(c.byHall, hallID)
	c.mu.Unlock()
}

func (c *etaCache) dropAll() {
	c.mu.Lock()
	c.byHall = nil
	c.mu.Unlock()
}

// snapshotFor returns a copy of the hall's snapshot, reloading it when it
// is older than snapshotTTL or of another day.
func (db *DB) snapshotFor(ctx context.Context, hallID int64) (*hallSnapshot, error) {
	now := db.Now()
	db.etas.mu.Lock()
	hs := db.etas.byHall[hallID]
	db.etas.mu.Unlock()
	if hs != nil && now.Sub(hs.loaded) < snapshotTTL && now.Sub(hs.loaded) >= 0 {
		return hs, nil
	}
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
		return err
	})
	if err != nil {
		return nil, err
	}
	db.etas.mu.Lock()
	if db.etas.byHall == nil {
		db.etas.byHall = map[int64]*hallSnapshot{}
	}
	db.etas.byHall[hallID] = fresh
	db.etas.mu.Unlock()
	return fresh, nil
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
	key := req.Item + "|" + string(req.Priority)
	db.etas.mu.Lock()
	m, have := hs.memo[key]
	n := len(hs.waiting)
	if have && n >= m.waiting && n-m.waiting <= memoSpan(n) {
		// Tickets issued since the replay that compete for the same windows
		// each push this one back by one service spread over those windows.
		extra, servers := 0, 0
		for i := range hs.snap.Windows {
			if hs.snap.Windows[i].Window.Serves(&qt) {
				servers++
			}
		}
		for i := m.waiting; i < n; i++ {
			for j := range hs.snap.Windows {
				w := &hs.snap.Windows[j].Window
				if w.Serves(&qt) && w.Serves(&hs.waiting[i]) {
					extra++
					break
				}
			}
		}
		db.etas.mu.Unlock()
		p := preIssue{eta: m.eta, etaOK: m.ok, ahead: m.ahead + extra}
		if m.ok && servers > 0 {
			mean := hs.snap.DefaultService.Mean
			if st, ok := hs.snap.Service[req.Item]; ok && st.Mean > 0 {
				mean = st.Mean
			}
			p.eta += time.Duration(extra) * mean / time.Duration(servers)
		}
		return p, nil
	}
	snap := hs.snap
	snap.Now = now
	snap.Waiting = append(append(make([]queue.Ticket, 0, n+1), hs.waiting...), qt)
	db.etas.mu.Unlock()
	var p preIssue
	p.eta, p.etaOK = estimate(snap, qt)
	p.ahead = aheadIn(snap.Waiting, snap.Windows, qt)
	db.etas.mu.Lock()
	if hs.memo == nil {
		hs.memo = map[string]etaMemo{}
	}
	hs.memo[key] = etaMemo{eta: p.eta, ok: p.etaOK, waiting: n, ahead: p.ahead}
	db.etas.mu.Unlock()
	return p, nil
}

// noteIssued adds a ticket this instance issued to the cached snapshot.
func (db *DB) noteIssued(t *Ticket) {
	db.etas.mu.Lock()
	defer db.etas.mu.Unlock()
	if hs := db.etas.byHall[t.HallID]; hs != nil && hs.day == t.Day {
		hs.waiting = append(hs.waiting, toQueue(t))
		hs.snap.Waiting = hs.waiting
	}
}
