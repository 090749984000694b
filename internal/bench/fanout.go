package bench

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"
)

// FanoutResult is the outcome of one server-sent-event fan-out.
type FanoutResult struct {
	Clients   int
	Waiting   int // tickets waiting while the screens connect
	Connected int
	// ConnectTime is how long it took until every client had its snapshot.
	ConnectTime time.Duration
	// Call is the latency of the call request itself.
	Call time.Duration
	// Lat are the times from the call until each client read the
	// ticket.called event, sorted.
	Lat     Result
	Missed  int
	PerConn float64 // bytes of heap and stack per connected client (see Separate)
	Dropped int64
	// Separate is true when the clients ran in a child process (PerConn is
	// then the server's memory alone).
	Separate bool
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
//
// When exe is set (a command that runs `mingbai bench fanout-clients`), the
// clients run in that child process; otherwise in this one.
func Fanout(ctx context.Context, n, waiting int, exe []string) (FanoutResult, error) {
	out := FanoutResult{Clients: n, Waiting: waiting}
	need := uint64(2*n + 256)
	if exe != nil {
		need = uint64(n + 256)
	}
	if lim := RaiseFDLimit(need + 768); lim < need {
		return out, fmt.Errorf("open-file limit %d is too low for %d clients", lim, n)
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
	// The long queue the screens connect to (window 1 calls its oldest).
	if err := h.Prefill(ctx, waiting); err != nil {
		return out, err
	}

	before := heapAndStack()
	url := fmt.Sprintf("%s/api/v1/halls/%d/stream", h.URL, h.HallID)
	var cs clientSide
	if exe != nil {
		// The clients run in a child process: each side then needs only n
		// open files, and the memory measured here is the server's alone.
		p, err := startChild(ctx, exe, url, n)
		if err != nil {
			return out, err
		}
		defer p.stop()
		cs = p
		out.Separate = true
	} else {
		cs = connectClients(ctx, url, n)
		defer cs.stop()
	}
	start := time.Now()
	connected, err := cs.waitReady(5 * time.Minute)
	if err != nil {
		return out, err
	}
	out.ConnectTime = time.Since(start)
	out.Connected = connected
	after := heapAndStack()
	if out.Connected > 0 && after > before {
		out.PerConn = float64(after-before) / float64(out.Connected)
	}
	t0 := time.Now().UnixNano()
	callStart := time.Now()
	if err := post(ctx, c, fmt.Sprintf("%s/api/v1/windows/%d/call", h.URL, staff[0].id), staff[0].token, nil, nil); err != nil {
		return out, fmt.Errorf("call: %w", err)
	}
	out.Call = time.Since(callStart)
	arrived, err := cs.waitCalled(time.Minute)
	if err != nil {
		return out, err
	}
	var lat []time.Duration
	for _, a := range arrived {
		if a == 0 {
			out.Missed++
			continue
		}
		lat = append(lat, time.Duration(a-t0))
	}
	slices.Sort(lat)
	out.Lat = Result{Ops: len(lat), Lat: lat}
	_, _, out.Dropped = h.Broker.Stats()
	out.Missed -= n - out.Connected // those never connected are reported as such
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
