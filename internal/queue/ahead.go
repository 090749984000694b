package queue

import (
	"sort"
	"time"
)

// Ahead is "前面还有 N 人": the number of tickets waiting now that go
// before t in t's line, counted the same way on the ticket, the kiosk, the
// phone page and for the "your turn is near" SMS:
//
//   - t's line: the tickets that a window able to serve t could also call.
//     A ticket is in it when some window of the hall that serves t (open,
//     paused or closed: the count does not jump when a clerk pauses) also
//     serves it; a ticket aimed at one window (a transfer) is served by
//     that window only. When no window serves t, its line is the tickets
//     of its own item.
//   - before t: for an ordinary ticket, the ones issued earlier and every
//     green-channel (priority) ticket, which is called first; for a
//     green-channel ticket, the green-channel tickets issued earlier.
//   - waiting now: not called, serving, held, done or cancelled; people
//     who have not arrived yet are not counted, even green-channel ones.
//
// windows are all the hall's windows. t need not be in waiting.
func Ahead(waiting []Ticket, windows []Window, t Ticket) int {
	ws := make([]Window, 0, len(windows))
	for i := range windows {
		if windows[i].Serves(&t) {
			ws = append(ws, windows[i])
		}
	}
	n := 0
	for i := range waiting {
		a := &waiting[i]
		if a.ID == t.ID || !a.Callable() || !goesBefore(a, &t) {
			continue
		}
		if len(ws) == 0 {
			if lineOf(a) == lineOf(&t) {
				n++
			}
			continue
		}
		for j := range ws {
			if ws[j].Serves(a) {
				n++
				break
			}
		}
	}
	return n
}

type lineKey struct{ item, target string }

// lineOf is the key of a ticket's line when no window serves it: its
// target window, else its item.
func lineOf(t *Ticket) lineKey {
	if t.TargetWindow != "" {
		return lineKey{target: t.TargetWindow}
	}
	return lineKey{item: t.Item}
}

// goesBefore reports whether waiting ticket a goes before t (see Ahead).
func goesBefore(a, t *Ticket) bool {
	if t.IsPriority() {
		return a.IsPriority() && Before(a, t)
	}
	return a.IsPriority() || Before(a, t)
}

// AheadAll returns Ahead for every ticket of waiting (in its order) in one
// sweep: tickets are grouped by line key (item, or target window), the
// keys that share a window are found once, and the counts per key are
// accumulated oldest first. It costs about n × keys instead of n².
func AheadAll(waiting []Ticket, windows []Window) []int {
	keys := map[lineKey]int{}
	var list []lineKey
	tk := make([]int, len(waiting))
	for i := range waiting {
		k := lineOf(&waiting[i])
		ki, ok := keys[k]
		if !ok {
			ki = len(list)
			keys[k] = ki
			list = append(list, k)
		}
		tk[i] = ki
	}
	// serves[k][w]: window w serves the tickets of key k.
	serves := make([][]bool, len(list))
	served := make([]bool, len(list))
	for ki, k := range list {
		serves[ki] = make([]bool, len(windows))
		probe := Ticket{Item: k.item, TargetWindow: k.target}
		for wi := range windows {
			if windows[wi].Serves(&probe) {
				serves[ki][wi], served[ki] = true, true
			}
		}
	}
	// competes[k]: the keys in k's line.
	competes := make([][]int, len(list))
	for a := range list {
		for b := range list {
			in := a == b
			for wi := 0; !in && wi < len(windows); wi++ {
				in = serves[a][wi] && serves[b][wi]
			}
			if in && (served[a] || a == b) {
				competes[a] = append(competes[a], b)
			}
		}
	}
	order := make([]int, 0, len(waiting))
	prioTotal := make([]int, len(list))
	for i := range waiting {
		if waiting[i].Callable() {
			order = append(order, i)
			if waiting[i].IsPriority() {
				prioTotal[tk[i]]++
			}
		}
	}
	sortIdx(order, waiting)
	ordSeen := make([]int, len(list))
	prioSeen := make([]int, len(list))
	out := make([]int, len(waiting))
	for _, i := range order {
		t := &waiting[i]
		n := 0
		for _, k := range competes[tk[i]] {
			if t.IsPriority() {
				n += prioSeen[k]
			} else {
				n += ordSeen[k] + prioTotal[k]
			}
		}
		if t.IsPriority() {
			prioSeen[tk[i]]++
		} else {
			ordSeen[tk[i]]++
		}
		out[i] = n
	}
	return out
}

func sortIdx(idx []int, ts []Ticket) {
	sort.SliceStable(idx, func(a, b int) bool { return Before(&ts[idx[a]], &ts[idx[b]]) })
}

// Stalls returns, for each window of s, how long it has left a ticket it
// serves waiting while open and idle, beyond StallGrace (see
// WindowState.IdleSince); zero for windows that are busy, closed, calling
// normally, or whose IdleSince is unknown.
func Stalls(s Snapshot) []time.Duration {
	out := make([]time.Duration, len(s.Windows))
	r := Replay{}.prepare(&s, nil)
	if r == nil {
		return out
	}
	for _, rw := range r.windows {
		for i := range s.Windows {
			if rw.ws == &s.Windows[i] {
				out[i] = fromMinutes(rw.stall)
			}
		}
	}
	return out
}
