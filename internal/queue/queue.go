// Package queue holds the hall's queue logic: tickets, windows, the dispatch
// policies that choose which waiting ticket a window calls next, the
// green-channel starvation bound, and wait estimators.
//
// The package is pure: no I/O, no clock, no randomness of its own. The server
// and the simulator (internal/sim) run the very same code, so that what the
// simulator measures is what the hall does.
package queue

import (
	"sort"
	"time"
)

// PriorityReason says why a ticket is in the green channel (绿色通道). The
// zero value, PriorityNone, is an ordinary ticket.
type PriorityReason string

// Priority reasons. Any reason other than PriorityNone makes a ticket a
// priority ticket.
const (
	PriorityNone        PriorityReason = ""
	PriorityElderly     PriorityReason = "elderly"
	PriorityDisabled    PriorityReason = "disabled"
	PriorityPregnant    PriorityReason = "pregnant"
	PriorityMilitary    PriorityReason = "military"
	PriorityAppointment PriorityReason = "appointment"
)

// IsPriority reports whether r puts a ticket in the green channel.
func (r PriorityReason) IsPriority() bool { return r != PriorityNone && r != "none" }

// State is the life-cycle state of a ticket.
type State string

// Ticket states. Only waiting tickets can be called; the zero value "" is
// treated as StateWaiting so that freshly built tickets need no state.
const (
	StateWaiting     State = "waiting"
	StateCalled      State = "called"
	StateServing     State = "serving"
	StateDone        State = "done"
	StateNoShow      State = "no_show"
	StateCancelled   State = "cancelled"
	StateHeld        State = "held"
	StateTransferred State = "transferred"
)

// Ticket is one citizen's place in the queue (取号).
type Ticket struct {
	// ID is unique within a hall; it breaks ties between tickets issued at
	// the same instant (lower ID is older).
	ID int64
	// Number is the printed number, e.g. "B012".
	Number string
	// Item is the service item code, e.g. "RS-B-012".
	Item string
	// Zone is the zone code of the item; it is the item group used by the
	// home-zone policies and by the queue-length estimators.
	Zone string
	// Priority is the green-channel reason; PriorityNone for ordinary tickets.
	Priority PriorityReason
	// IssuedAt is when the ticket was issued (or checked in, for an
	// appointment). A transferred ticket keeps its IssuedAt: it keeps its place.
	IssuedAt time.Time
	// State is the life-cycle state.
	State State
	// PriorityBypassed counts the later-issued priority tickets that were
	// called, while this ordinary ticket waited, at windows able to serve it.
	// ApplyCall maintains it; the mingbai policy keeps it at most K.
	PriorityBypassed int
	// TargetWindow, when not empty, restricts the ticket to that one window
	// (a transfer to a specific window, or the per_window policy's
	// assignment at issue). The target window serves it whatever its items.
	TargetWindow string
}

// IsPriority reports whether t is in the green channel.
func (t *Ticket) IsPriority() bool { return t.Priority.IsPriority() }

// Callable reports whether t is waiting to be called.
func (t *Ticket) Callable() bool { return t.State == StateWaiting || t.State == "" }

// Before reports whether a was issued before b: earlier IssuedAt, then lower
// ID. It is the queue's notion of "older".
func Before(a, b *Ticket) bool {
	if !a.IssuedAt.Equal(b.IssuedAt) {
		return a.IssuedAt.Before(b.IssuedAt)
	}
	return a.ID < b.ID
}

// SortWaiting sorts tickets oldest first (see Before). Policies do not need
// a sorted slice, but estimators read "tickets ahead" from its order.
func SortWaiting(ts []Ticket) {
	sort.SliceStable(ts, func(i, j int) bool { return Before(&ts[i], &ts[j]) })
}

// ItemSet is a set of service item codes.
type ItemSet map[string]struct{}

// NewItemSet returns the set of the given item codes.
func NewItemSet(items ...string) ItemSet {
	s := make(ItemSet, len(items))
	for _, it := range items {
		s[it] = struct{}{}
	}
	return s
}

// ItemsForZones builds the item set of a window that serves whole zones:
// every item that catalog (zone code → item codes) lists under one of zones.
func ItemsForZones(catalog map[string][]string, zones ...string) ItemSet {
	s := ItemSet{}
	for _, z := range zones {
		for _, it := range catalog[z] {
			s[it] = struct{}{}
		}
	}
	return s
}

// Has reports whether item is in s.
func (s ItemSet) Has(item string) bool {
	_, ok := s[item]
	return ok
}

// Window is a counter (窗口) as the dispatch policies see it.
type Window struct {
	// ID is the stable identifier used in Ticket.TargetWindow.
	ID string
	// Number is the number shown on the screens.
	Number string
	// Home is the window's home zone, used by own_first and dedicated.
	Home string
	// Items are the item codes the window serves (see ItemsForZones).
	Items ItemSet
	// Open reports whether the window is staffed and calling.
	Open bool
	// Serving is the ID of the ticket being served, 0 when idle.
	Serving int64
	// ServingSince is when the current ticket was called.
	ServingSince time.Time
}

// Serves reports whether w may call t: a ticket aimed at a window is served
// by that window only; any other ticket by the windows whose items include
// its item.
func (w *Window) Serves(t *Ticket) bool {
	if t.TargetWindow != "" {
		return t.TargetWindow == w.ID
	}
	return w.Items.Has(t.Item)
}

// ApplyCall records that window w calls waiting[chosen]. When the chosen
// ticket is a priority ticket it increments PriorityBypassed of every
// callable ordinary ticket that w serves and that was issued before it, and
// returns their indices, so the caller can persist the counters. Call it for
// every call, in turn or not, before removing the chosen ticket.
func ApplyCall(w Window, waiting []Ticket, chosen int) []int {
	c := &waiting[chosen]
	if !c.IsPriority() {
		return nil
	}
	var bumped []int
	for i := range waiting {
		t := &waiting[i]
		if i == chosen || t.IsPriority() || !t.Callable() || !Before(t, c) || !w.Serves(t) {
			continue
		}
		t.PriorityBypassed++
		bumped = append(bumped, i)
	}
	return bumped
}
