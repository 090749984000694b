package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// countingScreens are hall screens that count the ticket.called events
// each reads after its snapshot (the province benchmark compares them with
// the calls made in the screen's hall).
type countingScreens struct {
	ready     sync.WaitGroup
	called    []atomic.Int64
	connected atomic.Int64
	failed    atomic.Int64
	firstErr  atomic.Pointer[error]
	cancel    context.CancelFunc
	tr        *http.Transport
}

// connectCounting connects n screens, screen i to urls[i%len(urls)].
func connectCounting(ctx context.Context, urls []string, n int) *countingScreens {
	s := &countingScreens{called: make([]atomic.Int64, n)}
	s.tr = screenTransport() // the fan-out's screens' (clients.go)
	sc := &http.Client{Transport: s.tr}
	sctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.ready.Add(n)
	sem := make(chan struct{}, 128) // stay below the listen backlog
	for i := 0; i < n; i++ {
		go s.client(sctx, sc, urls[i%len(urls)], i, sem)
	}
	return s
}

func (s *countingScreens) client(ctx context.Context, sc *http.Client, url string, i int, sem chan struct{}) {
	readyDone := false
	err := readStream(ctx, sc, url, sem, func() {
		s.connected.Add(1)
		readyDone = true
		s.ready.Done()
	}, func() bool {
		if readyDone {
			s.called[i].Add(1)
		}
		return true
	})
	if err != nil {
		s.firstErr.CompareAndSwap(nil, &err)
	}
	if !readyDone {
		s.ready.Done() // never connected: counted by connected
	} else if err != nil {
		s.failed.Add(1) // the stream ended under the screen
	}
}

// ScreensMain is the hidden `mingbai bench province-screens N URL…`: it
// connects N counting screens over the URLs, prints "ready CONNECTED", and
// for every line on stdin prints the ticket.called events each screen has
// read (one number a line), "failed F" and "end"; it ends with stdin.
func ScreensMain(args []string, stdin io.Reader, stdout io.Writer) int {
	if len(args) < 2 {
		return 2
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > 200_000 {
		return 2
	}
	RaiseFDLimit(uint64(n + 1024))
	s := connectCounting(context.Background(), args[1:], n)
	defer s.stop()
	if !waitTimeout(&s.ready, 5*time.Minute) {
		fmt.Fprintf(stdout, "error %d of %d screens connected within 5 minutes\n", s.connected.Load(), n)
		return 1
	}
	if s.connected.Load() == 0 {
		msg := "no screen connected"
		if p := s.firstErr.Load(); p != nil {
			msg = (*p).Error()
		}
		fmt.Fprintf(stdout, "error %s\n", strings.ReplaceAll(msg, "\n", " "))
		return 1
	}
	fmt.Fprintf(stdout, "ready %d\n", s.connected.Load())
	in := bufio.NewScanner(stdin)
	for in.Scan() {
		w := bufio.NewWriter(stdout)
		for i := range s.called {
			fmt.Fprintln(w, s.called[i].Load())
		}
		fmt.Fprintf(w, "failed %d\nend\n", s.failed.Load())
		w.Flush()
	}
	return 0
}

func (s *countingScreens) stop() {
	s.cancel()
	s.tr.CloseIdleConnections()
}

// screenProc is the counting screens in a child process.
type screenProc struct {
	child
	in io.WriteCloser
}

func startScreens(ctx context.Context, exe string, urls []string, n int) (*screenProc, error) {
	cmd := exec.CommandContext(ctx, exe, append([]string{"bench", "province-screens", strconv.Itoa(n)}, urls...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &screenProc{child: child{cmd: cmd, out: bufio.NewReaderSize(out, 1<<16), n: n}, in: in}, nil
}

// counts asks the child for the events each screen has read so far and
// how many streams failed after connecting.
func (p *screenProc) counts() ([]int64, int, error) {
	if _, err := io.WriteString(p.in, "count\n"); err != nil {
		return nil, 0, err
	}
	out := make([]int64, 0, p.n)
	for {
		s, err := p.line(30 * time.Second)
		if err != nil {
			return out, 0, err
		}
		if v, ok := strings.CutPrefix(s, "failed "); ok {
			f, _ := strconv.Atoi(v)
			if s, err = p.line(30 * time.Second); err != nil || s != "end" {
				return out, f, fmt.Errorf("screens: %q after the counts", s)
			}
			return out, f, nil
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return out, 0, fmt.Errorf("screens: %q", s)
		}
		out = append(out, v)
	}
}

func (p *screenProc) pid() int { return p.cmd.Process.Pid }

func (p *screenProc) stop() {
	p.in.Close()
	p.child.Stop()
}
