package web

import (
	"errors"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"mingbai/internal/events"
)

// screenFanout serves the public hall stream to thousands of screens.
//
// The handler sends the headers, the snapshot and any replay through
// net/http as every stream does, then takes the connection over
// (http.Hijacker) and returns: net/http's goroutine, its background reader
// and its 4 KiB buffers are freed, and what stays per screen is the socket
// and a screenConn of about a hundred bytes.
//
// Events come from the broker's tap (never a bounded channel that would
// drop every screen at once). Each is filtered and encoded once, as one
// byte slice already framed as an HTTP chunk (the response is chunked:
// net/http chose that when it sent the headers), and written to every
// screen of the hall by a few goroutines with non-blocking writes. A screen
// whose socket buffer is full gets a queue of the shared frames and, for
// as long as it lags, a goroutine of its own that writes them with a
// deadline; when its queue passes maxQueued (as a broker subscriber whose
// buffer is full) it is disconnected, and it resumes with Last-Event-ID.
// Every heartbeat a comment goes to each screen, and a screen that went
// away is found then (the read side at EOF, or a failed write).
type screenFanout struct {
	filter       func(events.Event) bool
	heartbeat    time.Duration
	writeTimeout time.Duration
	maxQueued    int
	workers      int
	sendBuffer   int // socket send buffer after the handover (0: the kernel's)

	mu     sync.Mutex
	halls  map[int64][]*screenConn
	count  int
	closed bool
	buf    []*screenConn // the dispatcher's copy of a hall's screens

	qmu   sync.Mutex
	queue []*events.Event
	wake  chan struct{}
	done  chan struct{}
	untap func()

	// Ids of recent events, so that one delivered twice (the PostgreSQL
	// listener catching up after a reconnection) is written once; the
	// dispatcher's alone.
	seen    [1024]int64
	seenPos int

	sent, dropped atomic.Int64
}

// maxBacklog bounds the events waiting for the dispatcher; past it the
// fan-out cannot keep up at all, and every screen is disconnected to
// resume from the events table.
const maxBacklog = 4096

// frame is one encoded event (id 0: not an event, a heartbeat).
type frame struct {
	id int64
	b  []byte
}

// screenConn is one screen: joining (the handler is sending the snapshot
// and the replay; frames queue), then handed over.
type screenConn struct {
	hall int64
	idx  int // position in screenFanout.halls[hall], under screenFanout.mu

	mu       sync.Mutex
	c        net.Conn
	raw      syscall.RawConn // nil: every write goes through drain
	queued   []frame         // not yet written, the first from off
	off      int
	joining  bool
	draining bool
	dead     bool
}

func newScreenFanout(b *events.Broker, filter func(events.Event) bool, heartbeat time.Duration, maxQueued int) *screenFanout {
	if heartbeat <= 0 {
		heartbeat = 15 * time.Second
	}
	if maxQueued <= 0 {
		maxQueued = 256 // as a broker subscriber's buffer (cmd/mingbai/serve.go)
	}
	f := &screenFanout{
		filter: filter, heartbeat: heartbeat, writeTimeout: 10 * time.Second, maxQueued: maxQueued,
		workers: min(runtime.GOMAXPROCS(0), 4),
		halls:   map[int64][]*screenConn{}, wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	f.untap = b.Tap(f.enqueue)
	go f.run()
	return f
}

// enqueue is the broker's tap: it must not block.
func (f *screenFanout) enqueue(e *events.Event) {
	f.qmu.Lock()
	f.queue = append(f.queue, e)
	f.qmu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *screenFanout) run() {
	tick := time.NewTicker(f.heartbeat)
	defer tick.Stop()
	beat := frame{b: chunk([]byte(": heartbeat\n\n"))}
	for {
		select {
		case <-f.done:
			return
		case <-tick.C:
			f.each(f.all(), func(sc *screenConn) {
				if sc.gone() {
					f.kill(sc, false)
					return
				}
				f.send(sc, beat)
			})
		case <-f.wake:
			for {
				f.qmu.Lock()
				batch := f.queue
				f.queue = nil
				f.qmu.Unlock()
				if len(batch) == 0 {
					break
				}
				if len(batch) > maxBacklog {
					f.each(f.all(), func(sc *screenConn) { f.kill(sc, true) })
					continue
				}
				for _, e := range batch {
					f.broadcast(e)
				}
			}
		}
	}
}

func (f *screenFanout) broadcast(e *events.Event) {
	if e.ID != 0 {
		for _, id := range f.seen {
			if id == e.ID {
				return
			}
		}
		f.seen[f.seenPos] = e.ID
		f.seenPos = (f.seenPos + 1) % len(f.seen)
	}
	if f.filter != nil && !f.filter(*e) {
		return
	}
	f.mu.Lock()
	f.buf = append(f.buf[:0], f.halls[e.HallID]...)
	f.mu.Unlock()
	if len(f.buf) == 0 {
		return
	}
	data, err := eventData(e.Payload)
	if err != nil {
		return
	}
	fr := frame{id: e.ID, b: chunk(sseEvent(e.ID, e.Kind, data))}
	f.each(f.buf, func(sc *screenConn) { f.send(sc, fr) })
	clear(f.buf) // hold no screen that leaves
}

// all copies every screen of every hall.
func (f *screenFanout) all() []*screenConn {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*screenConn, 0, f.count)
	for _, cs := range f.halls {
		out = append(out, cs...)
	}
	return out
}

// each runs fn on every screen, split between the workers. They yield
// now and then so that the requests being served (the next call) are not
// queued behind a broadcast to ten thousand sockets.
func (f *screenFanout) each(cs []*screenConn, fn func(*screenConn)) {
	part := func(cs []*screenConn) {
		for i, sc := range cs {
			fn(sc)
			if i%128 == 127 {
				runtime.Gosched()
			}
		}
	}
	w := f.workers
	if len(cs) < 512 || w <= 1 {
		part(cs)
		return
	}
	var wg sync.WaitGroup
	per := (len(cs) + w - 1) / w
	for lo := 0; lo < len(cs); lo += per {
		wg.Add(1)
		go func(p []*screenConn) {
			defer wg.Done()
			part(p)
		}(cs[lo:min(lo+per, len(cs))])
	}
	wg.Wait()
}

// join registers a screen of the hall before its snapshot is read, so that
// no event falls between the snapshot and the handover; nil when shutting
// down.
func (f *screenFanout) join(hall int64) *screenConn {
	sc := &screenConn{hall: hall, joining: true}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	sc.idx = len(f.halls[hall])
	f.halls[hall] = append(f.halls[hall], sc)
	f.count++
	return sc
}

// handOver gives the hijacked connection to the fan-out: the events queued
// while joining are written unless the replay (up to id after) had them.
func (f *screenFanout) handOver(sc *screenConn, c net.Conn, after int64) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.c = c
	if sc.dead { // dropped while joining, or shutting down
		c.Close()
		return
	}
	if tc, ok := c.(*net.TCPConn); ok && f.sendBuffer > 0 {
		_ = tc.SetWriteBuffer(f.sendBuffer)
	}
	if rc, ok := c.(syscall.Conn); ok {
		sc.raw, _ = rc.SyscallConn()
	}
	keep := sc.queued[:0]
	for _, fr := range sc.queued {
		if fr.id == 0 || fr.id > after {
			keep = append(keep, fr)
		}
	}
	clear(sc.queued[len(keep):])
	sc.queued = keep
	sc.joining = false
	if len(sc.queued) > 0 {
		sc.draining = true
		go f.drain(sc)
	}
}

// send writes fr to sc without blocking, or queues it behind what is
// already waiting.
func (f *screenFanout) send(sc *screenConn, fr frame) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.dead {
		return
	}
	if sc.joining || len(sc.queued) > 0 {
		if len(sc.queued) >= f.maxQueued {
			f.killLocked(sc, true)
			return
		}
		sc.queued = append(sc.queued, fr)
		f.sent.Add(1)
		return
	}
	n, err := sc.tryWrite(fr.b)
	if err != nil {
		f.killLocked(sc, false)
		return
	}
	f.sent.Add(1)
	if n < len(fr.b) {
		sc.queued = append(sc.queued, fr)
		sc.off = n
		sc.draining = true
		go f.drain(sc)
	}
}

// drain writes a lagging screen's queue with a deadline per frame, then
// ends; a screen that takes longer than that is disconnected.
func (f *screenFanout) drain(sc *screenConn) {
	for {
		sc.mu.Lock()
		if sc.dead || len(sc.queued) == 0 {
			sc.draining = false
			sc.queued = nil
			sc.mu.Unlock()
			return
		}
		b := sc.queued[0].b[sc.off:]
		c := sc.c
		sc.mu.Unlock()
		_ = c.SetWriteDeadline(time.Now().Add(f.writeTimeout))
		_, err := c.Write(b)
		sc.mu.Lock()
		if err != nil {
			var ne net.Error
			f.killLocked(sc, errors.As(err, &ne) && ne.Timeout())
			sc.draining = false
			sc.mu.Unlock()
			return
		}
		sc.queued[0] = frame{}
		sc.queued = sc.queued[1:]
		sc.off = 0
		sc.mu.Unlock()
	}
}

// tryWrite writes what the socket takes now (0 when it is full).
func (sc *screenConn) tryWrite(b []byte) (int, error) {
	if sc.raw == nil {
		return 0, nil
	}
	var n int
	var werr error
	err := sc.raw.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), b)
			if werr != syscall.EINTR {
				return true
			}
		}
	})
	if err != nil {
		return 0, err
	}
	if werr == syscall.EAGAIN {
		return 0, nil
	}
	if werr != nil {
		return 0, werr
	}
	return max(n, 0), nil
}

// gone reports a screen whose peer closed the connection (its read side
// is at EOF); whatever it sent is discarded.
func (sc *screenConn) gone() bool {
	sc.mu.Lock()
	raw := sc.raw
	sc.mu.Unlock()
	if raw == nil {
		return false
	}
	var b [256]byte
	var n int
	var rerr error
	err := raw.Read(func(fd uintptr) bool {
		n, rerr = syscall.Read(int(fd), b[:])
		return true
	})
	switch {
	case err != nil:
		return true
	case rerr == syscall.EAGAIN || rerr == syscall.EINTR:
		return false
	case rerr != nil:
		return true
	}
	return n == 0
}

func (f *screenFanout) kill(sc *screenConn, slow bool) {
	sc.mu.Lock()
	f.killLocked(sc, slow)
	sc.mu.Unlock()
}

// killLocked disconnects sc (under sc.mu) and frees its slot.
func (f *screenFanout) killLocked(sc *screenConn, slow bool) {
	if sc.dead {
		return
	}
	sc.dead = true
	sc.queued = nil
	if sc.c != nil {
		sc.c.Close()
	}
	if slow {
		f.dropped.Add(1)
	}
	f.remove(sc)
}

// leave frees the slot of a screen that was never handed over.
func (f *screenFanout) leave(sc *screenConn) { f.kill(sc, false) }

func (f *screenFanout) remove(sc *screenConn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cs := f.halls[sc.hall]
	if sc.idx >= len(cs) || cs[sc.idx] != sc {
		return
	}
	last := cs[len(cs)-1]
	cs[sc.idx], last.idx = last, sc.idx
	cs[len(cs)-1] = nil
	if cs = cs[:len(cs)-1]; len(cs) == 0 {
		delete(f.halls, sc.hall)
	} else {
		f.halls[sc.hall] = cs
	}
	f.count--
}

// close disconnects every screen (shutdown); they reconnect to another
// instance or to this one when it is back.
func (f *screenFanout) close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	f.mu.Unlock()
	f.untap()
	close(f.done)
	for _, sc := range f.all() {
		f.kill(sc, false)
	}
}

// stats reports the screens connected, the frames sent and the screens
// dropped for being slow.
func (f *screenFanout) stats() (screens int, sent, dropped int64) {
	f.mu.Lock()
	screens = f.count
	f.mu.Unlock()
	return screens, f.sent.Load(), f.dropped.Load()
}

// sseEvent encodes one server-sent event.
func sseEvent(id int64, kind string, data []byte) []byte {
	b := make([]byte, 0, len(kind)+len(data)+40)
	if id > 0 {
		b = append(b, "id: "...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, '\n')
	}
	b = append(b, "event: "...)
	b = append(b, kind...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}

// chunk frames p as one chunk of a chunked HTTP/1.1 response.
func chunk(p []byte) []byte {
	b := make([]byte, 0, len(p)+12)
	b = strconv.AppendInt(b, int64(len(p)), 16)
	b = append(b, "\r\n"...)
	b = append(b, p...)
	return append(b, "\r\n"...)
}

// canHijack reports whether the connection under w can be taken over
// (HTTP/1.x; an HTTP/2 stream cannot).
func canHijack(w http.ResponseWriter) bool {
	for {
		if _, ok := w.(http.Hijacker); ok {
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}
