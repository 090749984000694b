package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"mingbai/internal/events"
)

// replayPage is how many missed events one query of a resumed stream reads.
const replayPage = 500

// streamOptions configure one server-sent-event stream.
type streamOptions struct {
	HallID int64
	// Snapshot, when set, is sent first as event "snapshot" so that a
	// (re)connecting screen shows the whole current state at once.
	Snapshot func() (any, error)
	// Filter drops events the client should not see (nil: all of the hall).
	Filter func(events.Event) bool
	// Transform may reshape an event's payload for this audience (for
	// example to strip anything personal); nil keeps it.
	Transform func(events.Event) (events.Event, bool)
	Heartbeat time.Duration
	// Fanout, when set, takes the connection over after the snapshot and
	// the replay (its own filter then applies to live events: the same as
	// Filter, without Transform).
	Fanout *screenFanout
}

// eventData is an event's data line. A payload is JSON the store wrote:
// sent as it is, not re-encoded for each of thousands of screens, unless
// it has a line break (a data line must not break).
func eventData(payload any) ([]byte, error) {
	b, raw := payload.(json.RawMessage)
	if !raw || bytes.IndexByte(b, '\n') >= 0 {
		return json.Marshal(payload)
	}
	return b, nil
}

// StreamStats reports the connected live-stream clients, the events
// delivered to them and the clients dropped for being slow (for /metrics
// and the bench).
func (s *Server) StreamStats() (clients int, sent, dropped int64) {
	clients, sent, dropped = s.Broker.Stats()
	s.fanoutMu.Lock()
	f := s.fanout
	s.fanoutMu.Unlock()
	if f != nil {
		n, fs, fd := f.stats()
		clients, sent, dropped = clients+n, sent+fs, dropped+fd
	}
	return clients, sent, dropped
}

// screens returns the fan-out of the public hall stream, started at the
// first screen; nil once the streams are closed.
func (s *Server) screens() *screenFanout {
	s.fanoutMu.Lock()
	defer s.fanoutMu.Unlock()
	if s.fanout == nil && !s.streamsClosed {
		s.fanout = newScreenFanout(s.Broker, func(e events.Event) bool { return publicKinds[e.Kind] }, s.streamHeartbeat, s.streamMaxQueued)
		s.fanout.sendBuffer = s.streamSendBuffer
	}
	if s.streamsClosed {
		return nil
	}
	return s.fanout
}

// serveStream writes a hall's events as text/event-stream until the client
// goes away, the broker drops it as too slow, or the server shuts down.
// Events carry their ids; a client that reconnects with Last-Event-ID first
// receives everything it missed from the events table, paged, with no cap;
// when the gap is older than the table retains it gets "resync" after the
// snapshot instead.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, o streamOptions) error {
	rc := http.NewResponseController(w)
	// Subscribe before reading the backlog so nothing falls in between;
	// duplicates are skipped by id. A screen of the public hall stream
	// joins the fan-out instead, which takes its connection over after
	// the replay (sse_fanout.go); a connection that cannot be taken over
	// (HTTP/2, TLS served here) stays a subscriber with a goroutine.
	var sc *screenConn
	var sub *events.Sub
	if o.Fanout != nil && r.TLS == nil && canHijack(w) {
		if sc = o.Fanout.join(o.HallID); sc == nil {
			return nil // shutting down
		}
		defer func() {
			if sc != nil { // not handed over
				o.Fanout.leave(sc)
			}
		}()
	} else {
		sub = s.Broker.Subscribe(o.HallID)
		defer s.Broker.Unsubscribe(sub)
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "keep-alive")
	// No deadline for a stream: http.Server's ReadTimeout (60 s in serve)
	// stays on the connection for the request's whole life, and when it
	// expires net/http's background read cancels the request's context,
	// which ended every stream after a minute. A client that goes away is
	// still seen (the read returns EOF).
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.SetReadDeadline(time.Time{})
	w.WriteHeader(200)

	send := func(id int64, kind string, payload any) error {
		b, err := eventData(payload)
		if err != nil {
			return err
		}
		if id > 0 {
			fmt.Fprintf(w, "id: %d\n", id)
		}
		_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", kind, b)
		return err
	}
	emit := func(e events.Event) error {
		if o.Filter != nil && !o.Filter(e) {
			return nil
		}
		if o.Transform != nil {
			var ok bool
			if e, ok = o.Transform(e); !ok {
				return nil
			}
		}
		return send(e.ID, e.Kind, e.Payload)
	}
	fmt.Fprintf(w, "retry: 2000\n\n")
	var last int64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		last, _ = strconv.ParseInt(v, 10, 64)
	} else if v := r.URL.Query().Get("last_event_id"); v != "" {
		last, _ = strconv.ParseInt(v, 10, 64)
	}
	if o.Snapshot != nil {
		snap, err := o.Snapshot()
		if err != nil {
			return err
		}
		if err := send(0, "snapshot", snap); err != nil {
			return nil
		}
	}
	if last > 0 {
		// A gap older than what the events table retains cannot be
		// replayed: the snapshot above stands in for it, and "resync" says
		// so, so that screens re-announce the current calls.
		oldest, newest, err := s.DB.EventRange(r.Context())
		if err != nil {
			return err
		}
		if newest < last {
			last = 0 // ids were reused: replay what the table holds
		}
		if oldest > last+1 || last == 0 {
			if err := send(0, "resync", map[string]string{"reason": "gap"}); err != nil {
				return nil
			}
		}
		// Everything after Last-Event-ID, page by page, without a cap.
		for {
			missed, err := s.DB.EventsSince(r.Context(), o.HallID, last, replayPage)
			if err != nil {
				return err
			}
			for _, e := range missed {
				if err := emit(e); err != nil {
					return nil
				}
				last = e.ID
			}
			if len(missed) < replayPage {
				break
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		}
	}
	replayedTo := last
	if err := rc.Flush(); err != nil {
		return nil
	}
	if sc != nil {
		c, _, err := rc.Hijack()
		if err != nil {
			return nil // the screen reconnects and resumes
		}
		o.Fanout.handOver(sc, c, replayedTo)
		sc = nil
		return nil
	}
	hb := o.Heartbeat
	if hb == 0 {
		hb = 15 * time.Second
	}
	tick := time.NewTicker(hb)
	defer tick.Stop()
	// Live events already sent (replayed from the table, or delivered
	// twice): the last few ids in a ring, a fixed 512 bytes per screen
	// where a map grew to thousands of entries.
	var recent [64]int64
	next := 0
	seenLive := func(id int64) bool {
		for _, r := range recent {
			if r == id {
				return true
			}
		}
		recent[next] = id
		next = (next + 1) % len(recent)
		return false
	}
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-s.streams:
			return nil
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
		case pe, ok := <-sub.C:
			if !ok {
				return nil // dropped as slow, or shutting down: the client reconnects
			}
			e := *pe
			if e.ID != 0 && (e.ID <= replayedTo || seenLive(e.ID)) {
				continue
			}
			if err := emit(e); err != nil {
				return nil
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
