package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// FanoutResult is the outcome of one server-sent-event fan-out.
type FanoutResult struct {
	Clients   int
	Connected int
	// ConnectTime is how long it took until every client had its snapshot.
	ConnectTime time.Duration
	// Call is the latency of the call request itself.
	Call time.Duration
	// Lat are the times from the call until each client read the
	// ticket.called event, sorted.
	Lat      Result
	Missed   int
	PerConn  float64 // bytes of heap and stack per connected client (client and server)
	Dropped  int64
	FirstErr error
}

// RaiseFDLimit raises the open-file limit to at least n (the hard limit
// too when the process may), and returns the limit in force.
func RaiseFDLimit(n uint64) uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	if rl.Cur >= n {
		return rl.Cur
	}
	want := rl
	want.Cur = n
	if want.Max < n {
		want.Max = n
	}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) != nil {
		want = rl
		want.Cur = rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want)
	}
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	return rl.Cur
}

func heapAndStack() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// Fanout connects n clients to the hall stream, waits until each has its
// snapshot, calls one ticket and measures when each client reads the
// ticket.called event.
func Fanout(ctx context.Context, n int) (FanoutResult, error) {
	out := FanoutResult{Clients: n}
	if lim := RaiseFDLimit(uint64(2*n + 1024)); lim < uint64(2*n+256) {
		return out, fmt.Errorf("open-file limit %d is too low for %d clients and their server side", lim, n)
	}
	h, err := StartHall(ctx, Engine{Name: "sqlite-full", Sync: "FULL"})
	if err != nil {
		return out, err
	}
	defer h.Close()
	c := newClient(8)
	staff, err := h.SignIn(ctx, c, 1)
	if err != nil {
		return out, err
	}
	// One waiting ticket that window 1 will call: an item of its own.
	wins, err := h.DB.ListWindows(ctx, h.HallID)
	if err != nil {
		return out, err
	}
	var item string
	for _, w := range wins {
		if w.ID == staff[0].id && len(w.Items) > 0 {
			item = w.Items[0]
		}
	}
	if err := post(ctx, c, h.URL+"/api/v1/tickets", h.Kiosk, map[string]string{"item": item}, nil); err != nil {
		return out, err
	}

	before := heapAndStack()
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 1, DisableCompression: true, ResponseHeaderTimeout: 60 * time.Second,
		ReadBufferSize: 4096, WriteBufferSize: 1024,
	}
	defer tr.CloseIdleConnections()
	sc := &http.Client{Transport: tr}
	sctx, stop := context.WithCancel(ctx)
	defer stop()

	var ready, got sync.WaitGroup
	ready.Add(n)
	got.Add(n)
	arrived := make([]int64, n) // unix ns when ticket.called was read; 0 = never
	var connected, failed atomic.Int64
	var firstErr atomic.Pointer[error]
	var t0 atomic.Int64
	connectSem := make(chan struct{}, 128) // stay below the listen backlog
	start := time.Now()
	for i := 0; i < n; i++ {
		go func(i int) {
			readyDone, gotDone := false, false
			defer func() {
				if !readyDone {
					ready.Done()
				}
				if !gotDone {
					got.Done()
				}
			}()
			fail := func(err error) {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, &err)
			}
			connectSem <- struct{}{}
			req, _ := http.NewRequestWithContext(sctx, "GET", fmt.Sprintf("%s/api/v1/halls/%d/stream", h.URL, h.HallID), nil)
			resp, err := sc.Do(req)
			<-connectSem
			if err != nil {
				fail(err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				fail(fmt.Errorf("stream: HTTP %d", resp.StatusCode))
				return
			}
			br := bufio.NewReaderSize(resp.Body, 1024)
			snapshot, midline := false, false
			for {
				line, err := br.ReadSlice('\n')
				if err == bufio.ErrBufferFull {
					midline = true
					continue
				}
				if err != nil {
					if !readyDone {
						fail(err)
					}
					return
				}
				if midline {
					midline = false
					continue
				}
				switch {
				case bytes.Equal(line, []byte("event: snapshot\n")):
					snapshot = true
				case snapshot && !readyDone && len(line) == 1:
					connected.Add(1)
					readyDone = true
					ready.Done()
				case bytes.Equal(line, []byte("event: ticket.called\n")):
					arrived[i] = time.Now().UnixNano()
					gotDone = true
					got.Done()
					// Keep the connection open until the end, as a screen would.
					<-sctx.Done()
					return
				}
			}
		}(i)
	}
	if !waitTimeout(&ready, 5*time.Minute) {
		return out, fmt.Errorf("clients did not connect within 5 minutes")
	}
	out.ConnectTime = time.Since(start)
	out.Connected = int(connected.Load())
	if p := firstErr.Load(); p != nil {
		out.FirstErr = *p
	}
	after := heapAndStack()
	if out.Connected > 0 && after > before {
		out.PerConn = float64(after-before) / float64(out.Connected)
	}
	t0.Store(time.Now().UnixNano())
	callStart := time.Now()
	if err := post(ctx, c, fmt.Sprintf("%s/api/v1/windows/%d/call", h.URL, staff[0].id), staff[0].token, nil, nil); err != nil {
		return out, fmt.Errorf("call: %w", err)
	}
	out.Call = time.Since(callStart)
	waitTimeout(&got, time.Minute)
	var lat []time.Duration
	for _, a := range arrived {
		if a == 0 {
			out.Missed++
			continue
		}
		lat = append(lat, time.Duration(a-t0.Load()))
	}
	slices.Sort(lat)
	out.Lat = Result{Ops: len(lat), Lat: lat}
	_, _, out.Dropped = h.Broker.Stats()
	out.Missed -= n - out.Connected // those never connected are reported as such
	stop()
	return out, nil
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
