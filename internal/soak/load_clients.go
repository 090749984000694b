package soak

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// loadScreen is one connected screen or phone: it reads the hall stream,
// remembers every ticket.called event id it saw, and reconnects with
// Last-Event-ID when the stream ends (as browsers do).
type loadScreen struct {
	mu      sync.Mutex
	called  map[int64]bool
	last    int64
	ready   chan struct{}
	readyOK sync.Once
	reconn  atomic.Int64
}

type loadScreens struct {
	list   []*loadScreen
	cancel context.CancelFunc
	wg     sync.WaitGroup
	tr     *http.Transport
}

// connectLoadScreens connects n clients to the stream URL and returns once
// every one has its snapshot (or timeout passes).
func connectLoadScreens(ctx context.Context, url string, n int, timeout time.Duration) (*loadScreens, int) {
	ls := &loadScreens{}
	ls.tr = &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 1, DisableCompression: true, ResponseHeaderTimeout: 60 * time.Second,
		ReadBufferSize: 4096, WriteBufferSize: 1024,
	}
	client := &http.Client{Transport: ls.tr}
	cctx, cancel := context.WithCancel(ctx)
	ls.cancel = cancel
	sem := make(chan struct{}, 64) // stay below the listen backlog
	for i := 0; i < n; i++ {
		s := &loadScreen{called: map[int64]bool{}, ready: make(chan struct{})}
		ls.list = append(ls.list, s)
		ls.wg.Add(1)
		go func() {
			defer ls.wg.Done()
			s.run(cctx, client, url, sem)
		}()
	}
	deadline := time.After(timeout)
	connected := 0
	for _, s := range ls.list {
		select {
		case <-s.ready:
			connected++
		case <-deadline:
			return ls, connected
		}
	}
	return ls, connected
}

func (s *loadScreen) run(ctx context.Context, client *http.Client, url string, sem chan struct{}) {
	for ctx.Err() == nil {
		s.once(ctx, client, url, sem)
		if ctx.Err() != nil {
			return
		}
		s.reconn.Add(1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (s *loadScreen) once(ctx context.Context, client *http.Client, url string, sem chan struct{}) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.last > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(s.last, 10))
	}
	s.mu.Unlock()
	sem <- struct{}{}
	resp, err := client.Do(req)
	<-sem
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return
	}
	rd := bufio.NewReaderSize(resp.Body, 4096)
	var id int64
	var kind string
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "id: "):
			id, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
		case line == "":
			if kind == "snapshot" {
				s.readyOK.Do(func() { close(s.ready) })
			}
			if id > 0 {
				s.mu.Lock()
				if kind == "ticket.called" {
					s.called[id] = true
				}
				if id > s.last {
					s.last = id
				}
				s.mu.Unlock()
			}
			id, kind = 0, ""
		}
	}
}

// seen reports how many of the given call event ids the screen saw.
func (s *loadScreen) seen(ids map[int64]bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id := range ids {
		if s.called[id] {
			n++
		}
	}
	return n
}

func (ls *loadScreens) stop() {
	ls.cancel()
	ls.wg.Wait()
	ls.tr.CloseIdleConnections()
}
