package queue

import (
	"fmt"
	"time"
)

// DefaultK is the default green-channel bound: no ordinary ticket is passed
// by more than DefaultK later-issued priority tickets.
const DefaultK = 2

// Policy chooses the ticket a window calls next.
//
// Next returns the index in waiting of the ticket window w should call at
// now, or ok == false when w has nothing to call. waiting need not be
// sorted; tickets that are not callable (see Ticket.Callable) are ignored.
// Next does not modify waiting.
type Policy interface {
	Name() string
	Next(w Window, waiting []Ticket, now time.Time) (idx int, ok bool)
}

// Assigner is implemented by policies that bind a ticket to a window when
// it is issued (per_window). Assign returns the ID of the window to put in
// Ticket.TargetWindow, or ok == false when no open window serves the ticket.
// waiting holds the tickets already waiting.
type Assigner interface {
	Assign(t Ticket, windows []Window, waiting []Ticket) (windowID string, ok bool)
}

// Options configure the policies built by NewPolicy.
type Options struct {
	// K is the green-channel bound of the mingbai policy; 0 means DefaultK.
	// A negative K disables the green channel (priority tickets queue as
	// ordinary ones).
	K int
}

// Policy names accepted by NewPolicy.
const (
	PolicyOldestHOL  = "oldest_hol"
	PolicyOwnFirst   = "own_first"
	PolicyDedicated  = "dedicated"
	PolicyPerWindow  = "per_window"
	PolicyFIFOPooled = "fifo_pooled"
	PolicyMingbai    = "mingbai"
)

var policyNames = []string{PolicyMingbai, PolicyOldestHOL, PolicyOwnFirst, PolicyDedicated, PolicyPerWindow, PolicyFIFOPooled}

// PolicyNames lists the registered policy names, the default first.
func PolicyNames() []string { return append([]string(nil), policyNames...) }

// NewPolicy returns the policy registered under name:
//
//   - oldest_hol: the oldest callable ticket among the window's items
//     (oldest head of line across the window's queues); ignores priority.
//   - own_first: the oldest ticket of the window's home zone, else the
//     oldest of its other items.
//   - dedicated: the oldest ticket of the window's home zone only.
//   - per_window: one queue per window; tickets are assigned at issue to the
//     open eligible window with the shortest queue (see Assigner) and each
//     window calls its own queue first come, first served.
//   - fifo_pooled: every window serves every item, first come, first
//     served: the pooling bound for policies that ignore service times.
//   - mingbai: the default; oldest head of line with the green channel and
//     its bound K (see MingbaiPolicy).
func NewPolicy(name string, o Options) (Policy, error) {
	switch name {
	case PolicyOldestHOL:
		return oldestHOL{}, nil
	case PolicyOwnFirst:
		return ownFirst{}, nil
	case PolicyDedicated:
		return dedicated{}, nil
	case PolicyPerWindow:
		return PerWindow{}, nil
	case PolicyFIFOPooled:
		return fifoPooled{}, nil
	case PolicyMingbai, "":
		k := o.K
		if k == 0 {
			k = DefaultK
		}
		return MingbaiPolicy{K: k}, nil
	}
	return nil, fmt.Errorf("queue: unknown policy %q (known: %v)", name, policyNames)
}

// IsInTurn reports whether window w calling waiting[chosen] at now is what
// policy p would do. The server uses it to flag out-of-turn calls (an
// integrity risk point). A pick of a ticket issued at the same instant as
// the policy's pick with the same priority also counts as in turn.
func IsInTurn(p Policy, w Window, waiting []Ticket, chosen int, now time.Time) bool {
	if chosen < 0 || chosen >= len(waiting) {
		return false
	}
	idx, ok := p.Next(w, waiting, now)
	if !ok {
		return false
	}
	if idx == chosen {
		return true
	}
	a, b := &waiting[idx], &waiting[chosen]
	return a.IssuedAt.Equal(b.IssuedAt) && a.IsPriority() == b.IsPriority() && w.Serves(b) && b.Callable()
}

// oldestIf returns the oldest callable ticket that w serves and keep accepts.
func oldestIf(w *Window, waiting []Ticket, keep func(*Ticket) bool) (int, bool) {
	best := -1
	for i := range waiting {
		t := &waiting[i]
		// Older than the best so far before the item set's lookup (see
		// MingbaiPolicy.Next).
		if !t.Callable() || best >= 0 && !Before(t, &waiting[best]) || !w.Serves(t) || (keep != nil && !keep(t)) {
			continue
		}
		best = i
	}
	return best, best >= 0
}

type oldestHOL struct{}

func (oldestHOL) Name() string { return PolicyOldestHOL }

func (oldestHOL) Next(w Window, waiting []Ticket, _ time.Time) (int, bool) {
	return oldestIf(&w, waiting, nil)
}

type ownFirst struct{}

func (ownFirst) Name() string { return PolicyOwnFirst }

func (ownFirst) Next(w Window, waiting []Ticket, _ time.Time) (int, bool) {
	if i, ok := oldestIf(&w, waiting, func(t *Ticket) bool { return t.Zone == w.Home || t.TargetWindow == w.ID }); ok {
		return i, true
	}
	return oldestIf(&w, waiting, nil)
}

type dedicated struct{}

func (dedicated) Name() string { return PolicyDedicated }

func (dedicated) Next(w Window, waiting []Ticket, _ time.Time) (int, bool) {
	return oldestIf(&w, waiting, func(t *Ticket) bool { return t.Zone == w.Home || t.TargetWindow == w.ID })
}

type fifoPooled struct{}

func (fifoPooled) Name() string { return PolicyFIFOPooled }

func (fifoPooled) Next(w Window, waiting []Ticket, _ time.Time) (int, bool) {
	best := -1
	for i := range waiting {
		t := &waiting[i]
		if !t.Callable() || (t.TargetWindow != "" && t.TargetWindow != w.ID) {
			continue
		}
		if best < 0 || Before(t, &waiting[best]) {
			best = i
		}
	}
	return best, best >= 0
}

// PerWindow is the one-queue-per-window policy. Each window calls the
// oldest ticket aimed at it (Ticket.TargetWindow); Assign picks, at issue,
// the open window serving the item with the fewest tickets (waiting plus
// the one in service), the earliest in the windows slice on ties.
type PerWindow struct{}

// Name returns "per_window".
func (PerWindow) Name() string { return PolicyPerWindow }

// Next returns the oldest callable ticket aimed at w.
func (PerWindow) Next(w Window, waiting []Ticket, _ time.Time) (int, bool) {
	return oldestIf(&w, waiting, func(t *Ticket) bool { return t.TargetWindow == w.ID })
}

// Assign returns the open window serving t's item with the shortest queue.
func (PerWindow) Assign(t Ticket, windows []Window, waiting []Ticket) (string, bool) {
	best, bestLen := -1, 0
	for i := range windows {
		w := &windows[i]
		if !w.Open || !w.Items.Has(t.Item) {
			continue
		}
		n := 0
		if w.Serving != 0 {
			n++
		}
		for j := range waiting {
			if waiting[j].TargetWindow == w.ID && waiting[j].Callable() {
				n++
			}
		}
		if best < 0 || n < bestLen {
			best, bestLen = i, n
		}
	}
	if best < 0 {
		return "", false
	}
	return windows[best].ID, true
}

// MingbaiPolicy is the default dispatch: oldest head of line across the
// window's queues, with the green channel (绿色通道) and a starvation bound.
//
// A window calls the oldest callable priority ticket it serves before older
// ordinary tickets, unless one of the ordinary tickets it would pass
// (callable, served by the window, issued before that priority ticket) has
// already been passed K times (Ticket.PriorityBypassed >= K); then it calls
// the oldest ordinary ticket it serves instead. Otherwise it calls the oldest
// ticket it serves.
//
// Bound: if every call goes through this policy and ApplyCall, no ordinary
// ticket is ever passed by more than K later-issued priority tickets called
// at windows able to serve it. (A priority call passes exactly the ordinary
// tickets the check above inspects, and is refused when any of them is at
// K; so each counter only grows from below K.) With K < 0 the green channel
// is off and the policy is oldest_hol; with K == 0 priority tickets are
// called first only when no older ordinary ticket waits for the window.
type MingbaiPolicy struct {
	// K is the green-channel bound; see DefaultK.
	K int
}

// Name returns "mingbai".
func (MingbaiPolicy) Name() string { return PolicyMingbai }

// Next implements Policy.
func (p MingbaiPolicy) Next(w Window, waiting []Ticket, _ time.Time) (int, bool) {
	if p.K < 0 {
		return oldestIf(&w, waiting, nil)
	}
	o, pr := -1, -1
	for i := range waiting {
		t := &waiting[i]
		if !t.Callable() {
			continue
		}
		// The comparison first, the window's item set (a map lookup) only
		// for a ticket older than the best so far: in a list in queue
		// order, as the store keeps it, few are.
		if t.IsPriority() {
			if (pr < 0 || Before(t, &waiting[pr])) && w.Serves(t) {
				pr = i
			}
		} else if (o < 0 || Before(t, &waiting[o])) && w.Serves(t) {
			o = i
		}
	}
	switch {
	case pr < 0:
		return o, o >= 0
	case o < 0:
		return pr, true
	case Before(&waiting[pr], &waiting[o]):
		return pr, true
	}
	// Calling pr passes the eligible ordinary tickets older than it.
	P := &waiting[pr]
	for i := range waiting {
		t := &waiting[i]
		if t.IsPriority() || !t.Callable() || !Before(t, P) || !w.Serves(t) {
			continue
		}
		if t.PriorityBypassed >= p.K {
			return o, true
		}
	}
	return pr, true
}
