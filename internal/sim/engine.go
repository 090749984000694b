package sim

import (
	"container/heap"
	"math"
	"sort"
	"time"

	"mingbai/internal/queue"
)

// epoch is the simulated date; simulated times are minutes after its midnight.
var epoch = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func at(min float64) time.Time { return epoch.Add(time.Duration(min * float64(time.Minute))) }

const (
	evDone = iota // ordered: a window frees before shifts change, before arrivals
	evSpanEnd
	evSpanStart
	evArrival
)

type event struct {
	t    float64
	kind int
	idx  int
	seq  int
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.t != b.t {
		return a.t < b.t
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.seq < b.seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// runOpts select what runDay records besides waits.
type runOpts struct {
	// estimators, when set, are asked for every ticket at issue.
	estimators []queue.Estimator
	// knownSpeed tells the estimators each staff member's speed factor.
	knownSpeed bool
}

// ticketResult is what happened to one ticket of the trace.
type ticketResult struct {
	wait   float64 // minutes from issue to call; NaN if never called
	noShow bool
	est    []float64 // minutes, per estimator
}

// dayResult is one policy's day.
type dayResult struct {
	tickets   []ticketResult
	overtakes int
	unserved  int
}

type winState struct {
	open, openEnded, busy, closing, recalling bool
	idleSince, servingSince                   float64
	servingItem                               int
}

// runDay simulates one day of trace tr under policy pol. Windows call
// through pol.Next and queue.ApplyCall, exactly as the server does; among
// idle windows the longest idle calls first.
func runDay(h *hallModel, tr *dayTrace, pol queue.Policy, o runOpts) *dayResult {
	nw := len(h.windows)
	windows := make([]queue.Window, nw)
	ws := make([]winState, nw)
	ev := &eventHeap{}
	seq := 0
	push := func(t float64, kind, idx int) {
		seq++
		heap.Push(ev, event{t: t, kind: kind, idx: idx, seq: seq})
	}
	for i, wm := range h.windows {
		windows[i] = queue.Window{ID: wm.id, Number: wm.id, Home: wm.home, Items: wm.items}
		for k, sp := range wm.spans {
			push(sp[0], evSpanStart, i<<8|k)
			if !math.IsInf(sp[1], 1) {
				push(sp[1], evSpanEnd, i)
			}
		}
	}
	res := &dayResult{tickets: make([]ticketResult, len(tr.arrivals))}
	for i := range res.tickets {
		res.tickets[i].wait = math.NaN()
	}
	if len(tr.arrivals) > 0 {
		push(tr.arrivals[0].t, evArrival, 0)
	}
	assigner, _ := pol.(queue.Assigner)
	waiting := make([]queue.Ticket, 0, 256)
	lastWait := map[string]time.Duration{}
	sc := h.sc
	recall := sc.RecallMinutes

	// Estimation state.
	var snapWin []queue.WindowState
	var recent []int // arrival indices of recent priority tickets
	var svc map[string]queue.ServiceStats
	if o.estimators != nil {
		snapWin = make([]queue.WindowState, nw)
		svc = h.serviceStats()
		for i, wm := range h.windows {
			spans := make([]queue.Span, 0, len(wm.spans))
			for _, sp := range wm.spans {
				s := queue.Span{From: at(sp[0])}
				if !math.IsInf(sp[1], 1) {
					s.Until = at(sp[1])
				}
				spans = append(spans, s)
			}
			snapWin[i].Spans = spans
		}
	}

	var now float64
	closeWin := func(w int) {
		ws[w].open, ws[w].closing = false, false
		windows[w].Open = false
		if assigner == nil {
			return
		}
		for i := range waiting {
			if waiting[i].TargetWindow == windows[w].ID {
				waiting[i].TargetWindow = ""
				if id, ok := assigner.Assign(waiting[i], windows, waiting); ok {
					waiting[i].TargetWindow = id
				}
			}
		}
	}
	call := func(w, idx int) {
		t := &waiting[idx]
		for i := range waiting {
			a := &waiting[i]
			if i != idx && queue.Before(a, t) && (a.Zone == t.Zone || windows[w].Items.Has(a.Item)) {
				res.overtakes++
			}
		}
		queue.ApplyCall(windows[w], waiting, idx)
		ai := int(t.ID - 1)
		a := &tr.arrivals[ai]
		res.tickets[ai].wait = now - a.t
		res.tickets[ai].noShow = a.noShow
		lastWait[t.Zone] = time.Duration((now - a.t) * float64(time.Minute))
		waiting = append(waiting[:idx], waiting[idx+1:]...)
		dur := a.service * tr.speed[w]
		if a.noShow {
			dur = recall
		}
		st := &ws[w]
		st.busy, st.recalling, st.servingItem, st.servingSince = true, a.noShow, a.item, now
		windows[w].Serving, windows[w].ServingSince = int64(ai+1), at(now)
		push(now+dur, evDone, w)
	}
	dispatch := func(w int) bool {
		st := &ws[w]
		if !st.open || st.busy {
			return false
		}
		idx, ok := pol.Next(windows[w], waiting, at(now))
		if !ok {
			if now >= h.close && st.openEnded {
				closeWin(w)
			}
			return false
		}
		call(w, idx)
		return true
	}
	idle := make([]int, 0, nw)

	for ev.Len() > 0 {
		e := heap.Pop(ev).(event)
		now = e.t
		switch e.kind {
		case evDone:
			w := e.idx
			ws[w].busy, ws[w].recalling = false, false
			windows[w].Serving = 0
			if ws[w].closing {
				closeWin(w)
			} else {
				ws[w].idleSince = now
				dispatch(w)
			}
		case evSpanEnd:
			if ws[e.idx].busy {
				ws[e.idx].closing = true
			} else {
				closeWin(e.idx)
			}
		case evSpanStart:
			w, k := e.idx>>8, e.idx&0xff
			st := &ws[w]
			st.open, st.closing = true, false
			st.openEnded = math.IsInf(h.windows[w].spans[k][1], 1)
			st.idleSince = now
			windows[w].Open = true
			if assigner != nil {
				for i := range waiting {
					if waiting[i].TargetWindow == "" {
						if id, ok := assigner.Assign(waiting[i], windows, waiting); ok {
							waiting[i].TargetWindow = id
						}
					}
				}
			}
			dispatch(w)
		case evArrival:
			ai := e.idx
			a := &tr.arrivals[ai]
			it := &h.items[a.item]
			t := queue.Ticket{ID: int64(ai + 1), Item: it.code, Zone: it.zone, Priority: a.priority, IssuedAt: at(a.t), State: queue.StateWaiting}
			if assigner != nil {
				if id, ok := assigner.Assign(t, windows, waiting); ok {
					t.TargetWindow = id
				}
			}
			waiting = append(waiting, t)
			if o.estimators != nil {
				if a.priority.IsPriority() {
					recent = append(recent, ai)
				}
				res.tickets[ai].est = estimate(h, o, tr, pol, now, t, waiting, windows, ws, snapWin, svc, lastWait, &recent)
			}
			if ai+1 < len(tr.arrivals) {
				push(tr.arrivals[ai+1].t, evArrival, ai+1)
			}
			idle = idle[:0]
			for w := range ws {
				if ws[w].open && !ws[w].busy {
					idle = append(idle, w)
				}
			}
			sort.SliceStable(idle, func(i, j int) bool { return ws[idle[i]].idleSince < ws[idle[j]].idleSince })
			for _, w := range idle {
				if dispatch(w) {
					break
				}
			}
		}
	}
	res.unserved = len(waiting)
	return res
}

// serviceStats are the items' service statistics as the server would have
// learned them from history.
func (h *hallModel) serviceStats() map[string]queue.ServiceStats {
	m := make(map[string]queue.ServiceStats, len(h.items))
	for _, it := range h.items {
		m[it.code] = queue.ServiceStats{Mean: time.Duration(it.mean * float64(time.Minute)), CV: it.cv}
	}
	return m
}

// estimate asks every estimator for ticket t's wait at issue.
func estimate(h *hallModel, o runOpts, tr *dayTrace, pol queue.Policy, now float64, t queue.Ticket,
	waiting []queue.Ticket, windows []queue.Window, ws []winState, snapWin []queue.WindowState,
	svc map[string]queue.ServiceStats, lastWait map[string]time.Duration, recent *[]int) []float64 {
	for i := range snapWin {
		sw := &snapWin[i]
		sw.Window = windows[i]
		sw.Item, sw.Elapsed, sw.Recalling, sw.Speed = "", 0, false, 1
		if ws[i].busy {
			sw.Item = h.items[ws[i].servingItem].code
			sw.Elapsed = time.Duration((now - ws[i].servingSince) * float64(time.Minute))
			sw.Recalling = ws[i].recalling
		}
		if o.knownSpeed {
			sw.Speed = tr.speed[i]
		}
	}
	// Priority arrival rates over the last hour (at least 30 minutes).
	const window = 60.0
	r := *recent
	k := 0
	for k < len(r) && tr.arrivals[r[k]].t < now-window {
		k++
	}
	r = r[k:]
	*recent = r
	span := math.Max(30, math.Min(window, now-h.open))
	counts := map[int]int{}
	for _, ai := range r {
		counts[tr.arrivals[ai].item]++
	}
	rates := make([]queue.ArrivalRate, 0, len(counts))
	for i, it := range h.items {
		if c := counts[i]; c > 0 {
			rates = append(rates, queue.ArrivalRate{Item: it.code, Zone: it.zone, PerHour: float64(c) * 60 / span})
		}
	}
	snap := queue.Snapshot{
		Now:              at(now),
		Windows:          snapWin,
		Waiting:          waiting,
		Service:          svc,
		DefaultService:   queue.ServiceStats{Mean: time.Duration(h.meanService * float64(time.Minute)), CV: h.cvService},
		PriorityArrivals: rates,
		LastWait:         lastWait,
		NoShowRate:       h.sc.NoShowRate,
		Recall:           time.Duration(h.sc.RecallMinutes * float64(time.Minute)),
		Policy:           pol,
	}
	out := make([]float64, len(o.estimators))
	for i, e := range o.estimators {
		out[i] = e.Estimate(snap, t).Minutes()
	}
	return out
}
