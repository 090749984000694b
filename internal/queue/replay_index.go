package queue

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// The indexed replay. The generic replay (runGeneric) asks Policy.Next for
// every simulated call, and Next scans the whole queue testing each ticket
// against the window's item set: a replay of a queue of n tickets costs
// n² map look-ups. The built-in policies all call "the oldest ticket of
// some set of (item, zone, priority, target window) classes", so the index
// keeps one first-in-first-out list per class, precomputes once per
// estimate which classes each window may call (slice indexes, no string
// look-ups during the replay), and finds a window's next ticket among the
// heads of its classes. The green channel's bypass counters live in one
// range-add/range-max tree per ordinary class: a priority call passes a
// prefix of each class it competes with, and the bound K asks whether any
// ticket in such a prefix has been passed K times. A replay then costs
// about n × (classes per window) + (priority calls) × log n.
//
// The indexed replay makes the same calls, in the same order, with the
// same random draws as the generic one (TestIndexedReplayMatchesGeneric).

type fastKind uint8

const (
	fastMingbai   fastKind = iota + 1 // mingbai with K >= 0
	fastOldest                        // oldest_hol, and mingbai with K < 0
	fastOwnFirst                      // home classes first, then the rest
	fastDedicated                     // home classes only
	fastPerWindow                     // classes aimed at the window
	fastPooled                        // every class not aimed at another window
)

// fastKindOf recognises the built-in policies; ok is false for others.
func fastKindOf(p Policy) (kind fastKind, k int, ok bool) {
	switch q := p.(type) {
	case MingbaiPolicy:
		if q.K < 0 {
			return fastOldest, 0, true
		}
		return fastMingbai, q.K, true
	case *MingbaiPolicy:
		if q.K < 0 {
			return fastOldest, 0, true
		}
		return fastMingbai, q.K, true
	case oldestHOL:
		return fastOldest, 0, true
	case ownFirst:
		return fastOwnFirst, 0, true
	case dedicated:
		return fastDedicated, 0, true
	case PerWindow, *PerWindow:
		return fastPerWindow, 0, true
	case fifoPooled:
		return fastPooled, 0, true
	}
	return 0, 0, false
}

type classKey struct {
	item, zone, target string
	prio               bool
}

// replayClass is one FIFO of the index: tickets of one item and zone, one
// priority class, aimed at one window or none.
type replayClass struct {
	key  classKey
	tix  []int32 // indexes into replayer.list, oldest first
	byp0 []int32 // initial PriorityBypassed of tix (ordinary classes)
}

type replayIndex struct {
	kind    fastKind
	k       int32
	classes []replayClass
	cls     []int32 // class of each ticket of replayer.list
	// serve[w] are the classes window w may call (Window.Serves); first[w]
	// the classes the policy looks at first (or only).
	serve, first [][]int32
	arrClass     []int32 // class of each Snapshot.PriorityArrivals entry
}

func buildIndex(r *replayer) *replayIndex {
	kind, k, ok := fastKindOf(r.pol)
	if !ok {
		return nil
	}
	ix := &replayIndex{kind: kind, k: int32(k), cls: make([]int32, len(r.list))}
	byKey := map[classKey]int32{}
	classOf := func(key classKey) int32 {
		c, ok := byKey[key]
		if !ok {
			c = int32(len(ix.classes))
			byKey[key] = c
			ix.classes = append(ix.classes, replayClass{key: key})
		}
		return c
	}
	for i := range r.list {
		t := &r.list[i]
		c := classOf(classKey{item: t.Item, zone: t.Zone, target: t.TargetWindow, prio: t.IsPriority()})
		ix.cls[i] = c
		ix.classes[c].tix = append(ix.classes[c].tix, int32(i))
	}
	for _, a := range r.s.PriorityArrivals {
		ix.arrClass = append(ix.arrClass, classOf(classKey{item: a.Item, zone: a.Zone, prio: true}))
	}
	for ci := range ix.classes {
		c := &ix.classes[ci]
		sort.Slice(c.tix, func(a, b int) bool { return Before(&r.list[c.tix[a]], &r.list[c.tix[b]]) })
		if !c.key.prio && kind == fastMingbai {
			c.byp0 = make([]int32, len(c.tix))
			for j, ti := range c.tix {
				c.byp0[j] = int32(r.list[ti].PriorityBypassed)
			}
		}
	}
	ix.serve = make([][]int32, len(r.windows))
	ix.first = make([][]int32, len(r.windows))
	for wi := range r.windows {
		w := &r.windows[wi].ws.Window
		for ci := range ix.classes {
			key := &ix.classes[ci].key
			serves := key.target == w.ID || (key.target == "" && w.Items.Has(key.item))
			if serves {
				ix.serve[wi] = append(ix.serve[wi], int32(ci))
			}
			var first bool
			switch kind {
			case fastOwnFirst, fastDedicated:
				first = serves && (key.zone == w.Home || key.target == w.ID)
			case fastPerWindow:
				first = key.target == w.ID
			case fastPooled:
				first = key.target == "" || key.target == w.ID
			}
			if first {
				ix.first[wi] = append(ix.first[wi], int32(ci))
			}
		}
	}
	return ix
}

// stalls sets, for each open idle window with a known IdleSince, how long
// it is expected to stay away: as long as it has already left the oldest
// ticket it serves waiting, less StallGrace.
func (r *replayer) stalls() {
	now := r.s.Now
	for wi := range r.windows {
		rw := &r.windows[wi]
		ws := rw.ws
		if ws.Window.Serving != 0 || ws.IdleSince.IsZero() || rw.spans[0][0] > 0 {
			continue
		}
		var oldest *Ticket
		if r.ix != nil {
			for _, c := range r.ix.serve[wi] {
				if tix := r.ix.classes[c].tix; len(tix) > 0 && (oldest == nil || Before(&r.list[tix[0]], oldest)) {
					oldest = &r.list[tix[0]]
				}
			}
		} else {
			for i := range r.list {
				if ws.Window.Serves(&r.list[i]) && (oldest == nil || Before(&r.list[i], oldest)) {
					oldest = &r.list[i]
				}
			}
		}
		if oldest == nil {
			continue
		}
		since := ws.IdleSince
		if oldest.IssuedAt.After(since) {
			since = oldest.IssuedAt
		}
		if d := now.Sub(since) - StallGrace; d > 0 {
			rw.stall = minutes(d)
		}
	}
}

// indexedRun is the per-replay state of the index.
type indexedRun struct {
	head []int32   // per class: position of its oldest uncalled ticket
	tix  [][]int32 // per class; priority classes grow with arrivals
	byp  []maxTree // per ordinary class (mingbai only)
}

// runIndexed replays once on the index. With calls == nil it returns the
// target's wait in minutes; otherwise it replays until every ticket of the
// list is called (or the horizon), storing each one's wait in calls
// (indexed like replayer.list; the horizon for tickets never called).
func (r *replayer) runIndexed(rng *rand.Rand, calls []float64) float64 {
	ix := r.ix
	u := r.start(rng, false)
	u.list = r.list[:len(r.list):len(r.list)] // appends copy: r.list is shared
	cls := ix.cls[:len(ix.cls):len(ix.cls)]
	st := indexedRun{head: make([]int32, len(ix.classes)), tix: make([][]int32, len(ix.classes))}
	for c := range ix.classes {
		st.tix[c] = ix.classes[c].tix
	}
	for _, c := range ix.arrClass {
		if len(st.tix[c]) == len(ix.classes[c].tix) {
			st.tix[c] = append(make([]int32, 0, len(ix.classes[c].tix)+16), ix.classes[c].tix...)
		}
	}
	if ix.kind == fastMingbai {
		st.byp = make([]maxTree, len(ix.classes))
		for c := range ix.classes {
			if b := ix.classes[c].byp0; b != nil {
				st.byp[c].build(b)
			}
		}
	}
	remaining := len(r.list)
	if calls != nil {
		for i := range calls {
			calls[i] = r.hmin
		}
	}
	for steps := 0; steps < maxSteps+len(calls); steps++ {
		bi, bt := u.nextWindow()
		if bi < 0 || bt >= r.hmin {
			return r.hmin
		}
		for u.nextArr <= bt {
			t, a := u.arrival()
			c := ix.arrClass[a]
			i := int32(len(u.list))
			u.list = append(u.list, t)
			cls = append(cls, c)
			st.insert(c, i, u.list)
		}
		w := &u.ws[bi]
		idx, ok := st.next(ix, bi, u.list)
		if !ok {
			w.free = u.nextArr
			continue
		}
		if calls == nil {
			if u.list[idx].ID == r.target {
				return bt
			}
		} else if int(idx) < len(r.list) {
			calls[idx] = bt
			if remaining--; remaining == 0 {
				return r.hmin
			}
		}
		c := cls[idx]
		if ix.kind == fastMingbai && ix.classes[c].key.prio {
			st.passed(ix, bi, u.list, &u.list[idx])
		}
		st.head[c]++
		w.free = bt + u.occupancy(u.list[idx].Item)*w.speed
	}
	return r.hmin
}

// insert adds ticket i (a priority arrival) to class c in age order.
func (st *indexedRun) insert(c, i int32, list []Ticket) {
	t := st.tix[c]
	t = append(t, i)
	for j := len(t) - 1; j > int(st.head[c]) && Before(&list[t[j]], &list[t[j-1]]); j-- {
		t[j], t[j-1] = t[j-1], t[j]
	}
	st.tix[c] = t
}

// oldest returns the oldest head among classes (priority ones only, or
// ordinary ones only, or both when which is 0).
func (st *indexedRun) oldest(ix *replayIndex, classes []int32, list []Ticket, which int) (int32, bool) {
	best := int32(-1)
	for _, c := range classes {
		if which != 0 && ix.classes[c].key.prio != (which > 0) {
			continue
		}
		h := st.head[c]
		if int(h) >= len(st.tix[c]) {
			continue
		}
		i := st.tix[c][h]
		if best < 0 || Before(&list[i], &list[best]) {
			best = i
		}
	}
	return best, best >= 0
}

// next is Policy.Next on the index: the list index of the ticket window
// wi calls.
func (st *indexedRun) next(ix *replayIndex, wi int, list []Ticket) (int32, bool) {
	switch ix.kind {
	case fastOldest:
		return st.oldest(ix, ix.serve[wi], list, 0)
	case fastOwnFirst:
		if i, ok := st.oldest(ix, ix.first[wi], list, 0); ok {
			return i, true
		}
		return st.oldest(ix, ix.serve[wi], list, 0)
	case fastDedicated, fastPerWindow, fastPooled:
		return st.oldest(ix, ix.first[wi], list, 0)
	}
	o, okO := st.oldest(ix, ix.serve[wi], list, -1)
	pr, okP := st.oldest(ix, ix.serve[wi], list, 1)
	switch {
	case !okP:
		return o, okO
	case !okO:
		return pr, true
	case Before(&list[pr], &list[o]):
		return pr, true
	}
	// Calling pr passes the ordinary tickets older than it; refuse when one
	// of them has been passed K times already.
	P := &list[pr]
	for _, c := range ix.serve[wi] {
		if ix.classes[c].key.prio {
			continue
		}
		h, p := st.prefix(c, list, P)
		if p > h && st.byp[c].max(int(h), int(p)) >= ix.k {
			return o, true
		}
	}
	return pr, true
}

// prefix returns the positions [h, p) of class c's uncalled tickets issued
// before P.
func (st *indexedRun) prefix(c int32, list []Ticket, P *Ticket) (int32, int32) {
	t := st.tix[c]
	h := st.head[c]
	p := h + int32(sort.Search(len(t)-int(h), func(j int) bool { return !Before(&list[t[int(h)+j]], P) }))
	return h, p
}

// passed is ApplyCall on the index: the priority ticket P, called at
// window wi, passes the older ordinary tickets of every class wi serves.
func (st *indexedRun) passed(ix *replayIndex, wi int, list []Ticket, P *Ticket) {
	for _, c := range ix.serve[wi] {
		if ix.classes[c].key.prio {
			continue
		}
		if h, p := st.prefix(c, list, P); p > h {
			st.byp[c].add(int(h), int(p), 1)
		}
	}
}

// maxTree is a segment tree over a fixed array with range add and range
// max (lazy additions kept at the nodes, never pushed down).
type maxTree struct {
	n       int
	mx, lzy []int32
}

func (t *maxTree) build(v []int32) {
	t.n = len(v)
	if t.n == 0 {
		return
	}
	size := 1
	for size < t.n {
		size <<= 1
	}
	t.mx = make([]int32, 2*size)
	t.lzy = make([]int32, 2*size)
	t.fill(1, 0, t.n, v)
}

func (t *maxTree) fill(node, l, r int, v []int32) {
	if r-l == 1 {
		t.mx[node] = v[l]
		return
	}
	m := (l + r) / 2
	t.fill(2*node, l, m, v)
	t.fill(2*node+1, m, r, v)
	t.mx[node] = max(t.mx[2*node], t.mx[2*node+1])
}

// add adds d to positions [a, b).
func (t *maxTree) add(a, b int, d int32) { t.addAt(1, 0, t.n, a, b, d) }

func (t *maxTree) addAt(node, l, r, a, b int, d int32) {
	if b <= l || r <= a {
		return
	}
	if a <= l && r <= b {
		t.mx[node] += d
		t.lzy[node] += d
		return
	}
	m := (l + r) / 2
	t.addAt(2*node, l, m, a, b, d)
	t.addAt(2*node+1, m, r, a, b, d)
	t.mx[node] = max(t.mx[2*node], t.mx[2*node+1]) + t.lzy[node]
}

// max returns the largest value in positions [a, b).
func (t *maxTree) max(a, b int) int32 { return t.maxAt(1, 0, t.n, a, b) }

func (t *maxTree) maxAt(node, l, r, a, b int) int32 {
	if b <= l || r <= a {
		return math.MinInt32
	}
	if a <= l && r <= b {
		return t.mx[node]
	}
	m := (l + r) / 2
	return max(t.maxAt(2*node, l, m, a, b), t.maxAt(2*node+1, m, r, a, b)) + t.lzy[node]
}

// EstimateAll estimates every callable ticket of s.Waiting in one set of
// replays: each replay runs until the whole queue is called, and each
// ticket's estimate is the median of its waits over the replays. It
// returns the estimates in the order of s.Waiting (the horizon for
// tickets that are not callable). The random streams are seeded from the
// snapshot time (or Seed) alone, so one ticket's estimate here may differ from
// Estimate's for it by the Monte Carlo noise, never by the model.
func (e Replay) EstimateAll(s Snapshot) []time.Duration {
	out := make([]time.Duration, len(s.Waiting))
	hz := e.horizon()
	r := e.prepare(&s, nil)
	if r == nil {
		for i := range out {
			out[i] = hz
		}
		return out
	}
	if r.ix == nil {
		// A policy the index does not know: one generic replay per ticket.
		for i := range s.Waiting {
			out[i] = hz
			if s.Waiting[i].Callable() {
				out[i] = e.Estimate(s, s.Waiting[i])
			}
		}
		return out
	}
	n := e.samples(len(r.list) + 1)
	if n < 1 {
		n = 1
	}
	waits := make([][]float64, n)
	var rng *rand.Rand
	if n > 1 {
		rng = rand.New(rand.NewPCG(e.seed(&s), 0x5bd1e995))
	}
	for k := range waits {
		waits[k] = make([]float64, len(r.list))
		r.runIndexed(rng, waits[k])
	}
	col := make([]float64, n)
	li := 0
	for i := range s.Waiting {
		out[i] = hz
		if !s.Waiting[i].Callable() {
			continue
		}
		for k := range waits {
			col[k] = waits[k][li]
		}
		sort.Float64s(col)
		out[i] = fromMinutes(math.Min(col[n/2], r.hmin))
		li++
	}
	return out
}
