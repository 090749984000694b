// Package events is the in-process broker for live screens and consoles.
// Stores publish after commit; each subscriber has a buffered channel and a
// slow subscriber is dropped rather than allowed to hold up the others (the
// screen reconnects and resumes from its Last-Event-ID).
package events

import (
	"encoding/json"
	"sync"
	"sync/atomic"
)

// Event is one thing that happened in a hall.
type Event struct {
	ID      int64           `json:"id"`
	HallID  int64           `json:"hall_id"`
	Kind    string          `json:"kind"`
	Payload json.RawMessage `json:"payload"`
	At      int64           `json:"at"`
}

// Sub is one subscription. C is closed when the broker drops the
// subscriber or it unsubscribes. Every subscriber receives the same *Event
// of a broadcast: read it, never modify it. (A pointer per buffer slot
// keeps a subscriber's buffer at 8 bytes an event, not 64: with 10,000
// screens connected that is 2 KiB each instead of 16.)
type Sub struct {
	C      <-chan *Event
	c      chan *Event
	hall   int64
	closed atomic.Bool
}

// Broker fans events out to subscribers of a hall (hall 0 receives all).
type Broker struct {
	mu      sync.RWMutex
	subs    map[int64]map[*Sub]struct{}
	taps    map[*tap]struct{}
	buf     int
	dropped atomic.Int64
	sent    atomic.Int64
}

// NewBroker returns a broker whose subscribers buffer up to buf events.
func NewBroker(buf int) *Broker {
	if buf <= 0 {
		buf = 64
	}
	return &Broker{subs: map[int64]map[*Sub]struct{}{}, buf: buf}
}

// Subscribe registers a subscriber to one hall's events (0 = all halls).
func (b *Broker) Subscribe(hall int64) *Sub {
	c := make(chan *Event, b.buf)
	s := &Sub{C: c, c: c, hall: hall}
	b.mu.Lock()
	if b.subs[hall] == nil {
		b.subs[hall] = map[*Sub]struct{}{}
	}
	b.subs[hall][s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Unsubscribe removes s and closes its channel.
func (b *Broker) Unsubscribe(s *Sub) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.remove(s)
}

func (b *Broker) remove(s *Sub) {
	if m := b.subs[s.hall]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(b.subs, s.hall)
		}
	}
	if s.closed.CompareAndSwap(false, true) {
		close(s.c)
	}
}

type tap struct{ fn func(*Event) }

// Tap registers fn to receive every published event of every hall, called
// in Publish: fn must not block (it queues the event for a goroutine of its
// own). It serves a fan-out that writes to its clients itself (the public
// hall screens, internal/web) and must not be dropped as a whole for being
// slow, as a subscriber with a bounded channel is. untap removes it.
func (b *Broker) Tap(fn func(*Event)) (untap func()) {
	t := &tap{fn}
	b.mu.Lock()
	if b.taps == nil {
		b.taps = map[*tap]struct{}{}
	}
	b.taps[t] = struct{}{}
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.taps, t)
		b.mu.Unlock()
	}
}

// Publish delivers e to the taps, the hall's subscribers and those of all
// halls without blocking; a subscriber whose buffer is full is dropped.
func (b *Broker) Publish(ev Event) {
	e := &ev
	var slow []*Sub
	b.mu.RLock()
	for t := range b.taps {
		t.fn(e)
	}
	for _, hall := range []int64{e.HallID, 0} {
		for s := range b.subs[hall] {
			select {
			case s.c <- e:
				b.sent.Add(1)
			default:
				slow = append(slow, s)
			}
		}
		if e.HallID == 0 {
			break
		}
	}
	b.mu.RUnlock()
	if len(slow) > 0 {
		b.mu.Lock()
		for _, s := range slow {
			b.remove(s)
			b.dropped.Add(1)
		}
		b.mu.Unlock()
	}
}

// Close drops every subscriber, ending live streams (graceful shutdown).
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.subs {
		for s := range m {
			b.remove(s)
		}
	}
}

// Stats reports the number of subscribers, events delivered and
// subscribers dropped for being slow, for /metrics.
func (b *Broker) Stats() (subscribers int, sent, dropped int64) {
	b.mu.RLock()
	for _, m := range b.subs {
		subscribers += len(m)
	}
	b.mu.RUnlock()
	return subscribers, b.sent.Load(), b.dropped.Load()
}
