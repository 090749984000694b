package soak

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Screen is a hall screen following the public stream. When the stream
// breaks it reconnects to whatever address url returns then (the
// load balancer's choice) and resumes with Last-Event-ID.
type Screen struct {
	hall    int64
	url     func() string
	mu      sync.Mutex
	last    int64
	got     map[int64]bool
	calls   map[string]bool // numbers announced by ticket.called
	resyncs int
	// Connects counts the streams opened.
	connects int
	// first is when the newest stream brought its first message.
	first   time.Time
	changed chan struct{}
}

// NewScreen returns a screen of the hall that resumes after event id from
// (0: from now on); Run starts it.
func NewScreen(hall int64, from int64, url func() string) *Screen {
	return &Screen{hall: hall, url: url, last: from, got: map[int64]bool{}, calls: map[string]bool{}, changed: make(chan struct{}, 1)}
}

var streamClient = &http.Client{Transport: &http.Transport{Proxy: nil, ResponseHeaderTimeout: 10 * time.Second}}

// Run follows the stream until ctx ends.
func (s *Screen) Run(ctx context.Context) {
	for ctx.Err() == nil {
		s.follow(ctx)
		pause(ctx, nil, 50*time.Millisecond) // the server is gone: retry soon (EventSource waits "retry")
	}
}

func (s *Screen) follow(ctx context.Context) {
	req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/halls/%d/stream", s.url(), s.hall), nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.last > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(s.last, 10))
	}
	s.connects++
	s.first = time.Time{}
	s.mu.Unlock()
	resp, err := streamClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var id int64
	var kind, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		case line == "":
			s.event(id, kind, data)
			id, kind, data = 0, "", ""
		}
	}
}

func (s *Screen) event(id int64, kind, data string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first.IsZero() {
		s.first = time.Now()
	}
	if kind == "resync" {
		s.resyncs++
	}
	if id == 0 {
		return
	}
	s.got[id] = true
	if id > s.last {
		s.last = id
	}
	if kind == "ticket.called" {
		var p struct {
			Number string `json:"number"`
		}
		json.Unmarshal([]byte(data), &p)
		s.calls[p.Number] = true
	}
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// WaitFor waits until the screen has received event id (or d passes) and
// reports whether it has.
func (s *Screen) WaitFor(id int64, d time.Duration) bool {
	deadline := time.After(d)
	for {
		s.mu.Lock()
		done := s.last >= id
		s.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-s.changed:
		case <-deadline:
			return false
		}
	}
}

// Got reports whether the screen received event id.
func (s *Screen) Got(id int64) bool { s.mu.Lock(); defer s.mu.Unlock(); return s.got[id] }

// Called reports whether the screen received the call of a number.
func (s *Screen) Called(number string) bool { s.mu.Lock(); defer s.mu.Unlock(); return s.calls[number] }

// Stats reports the streams opened, the events received and the resync
// notices (a gap the server could not replay).
func (s *Screen) Stats() (connects, events, resyncs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects, len(s.got), s.resyncs
}

// resumedAt is when the newest stream brought its first message.
func (s *Screen) resumedAt() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.first }
