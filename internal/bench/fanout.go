package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
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
	PerConn float64 // bytes of Go heap and stacks per connected client (see Separate)
	// PerConnRSS is the growth of the process's resident memory (VmRSS)
	// per connected client, after free pages went back to the OS.
	PerConnRSS float64
	Dropped    int64
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

// memory returns the Go heap and stacks in use after a collection, and
// the resident set after the free pages went back to the OS (what a
// long-running server settles at once the scavenger has run).
func memory() (heapStack, rss uint64) {
	runtime.GC()
	debug.FreeOSMemory() // collects again, then returns free pages
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse, vmRSS()
}

// vmRSS reads VmRSS of this process in bytes (0 where /proc is missing).
func vmRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func perClient(before, after uint64, n int) float64 {
	if n <= 0 || after <= before {
		return 0
	}
	return float64(after-before) / float64(n)
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

	heap0, rss0 := memory()
	url := fmt.Sprintf("%s/api/v1/halls/%d/stream", h.URL, h.HallID)
	// In a child process each side needs only n open files, and the memory
	// measured here is the server's alone.
	cs, err := ConnectScreens(ctx, []string{url}, n, exe)
	if err != nil {
		return out, err
	}
	defer cs.Stop()
	out.Separate = exe != nil
	start := time.Now()
	connected, err := cs.WaitReady(5 * time.Minute)
	if err != nil {
		return out, err
	}
	out.ConnectTime = time.Since(start)
	out.Connected = connected
	heap1, rss1 := memory()
	out.PerConn = perClient(heap0, heap1, connected)
	out.PerConnRSS = perClient(rss0, rss1, connected)
	t0 := time.Now()
	if err := post(ctx, c, fmt.Sprintf("%s/api/v1/windows/%d/call", h.URL, staff[0].id), staff[0].token, nil, nil); err != nil {
		return out, fmt.Errorf("call: %w", err)
	}
	out.Call = time.Since(t0)
	arrived, err := cs.WaitCalled(time.Minute)
	if err != nil {
		return out, err
	}
	out.Lat, out.Missed = Arrivals(arrived, t0)
	_, _, out.Dropped = h.Server.StreamStats()
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
