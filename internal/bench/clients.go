package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Screens is a set of screens connected to hall streams, in this process
// or in a child process (ConnectScreens). The fan-out bench and the
// province bench both use it.
type Screens interface {
	// WaitReady returns when every client has its snapshot or failed.
	WaitReady(d time.Duration) (connected int, err error)
	// WaitCalled returns, per client, the unix ns at which it read its
	// first ticket.called event (0: never).
	WaitCalled(d time.Duration) ([]int64, error)
	Stop()
}

// ConnectScreens connects n screens to the stream URLs, spread over them
// in turn (for example one hall stream on each of two instances). With exe
// (a command that runs `mingbai bench fanout-clients`) the screens run in
// that child process, so that their memory and open files are not the
// server's; otherwise in this process.
func ConnectScreens(ctx context.Context, urls []string, n int, exe []string) (Screens, error) {
	if len(urls) == 0 || n < 1 {
		return nil, fmt.Errorf("no stream to connect to")
	}
	if exe != nil {
		return startChild(ctx, exe, urls, n)
	}
	return connectClients(ctx, urls, n), nil
}

// Arrivals turns the arrival times of WaitCalled into latencies from t0,
// sorted; missed counts the screens that never received the event.
func Arrivals(arrived []int64, t0 time.Time) (lat Result, missed int) {
	var ds []time.Duration
	for _, a := range arrived {
		if a == 0 {
			missed++
			continue
		}
		ds = append(ds, time.Duration(a-t0.UnixNano()))
	}
	slices.Sort(ds)
	return Result{Ops: len(ds), Lat: ds}, missed
}

// screens are clients in this process.
type screens struct {
	ready, got sync.WaitGroup
	arrived    []int64
	connected  atomic.Int64
	firstErr   atomic.Pointer[error]
	cancel     context.CancelFunc
	tr         *http.Transport
}

// screenTransport is the light HTTP transport of the screens: small
// buffers, no idle pool.
func screenTransport() *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 1, DisableCompression: true, ResponseHeaderTimeout: 60 * time.Second,
		ReadBufferSize: 4096, WriteBufferSize: 1024,
	}
}

// connectClients connects n clients to the streams at urls, in turn.
func connectClients(ctx context.Context, urls []string, n int) *screens {
	s := &screens{arrived: make([]int64, n)}
	s.tr = screenTransport()
	sc := &http.Client{Transport: s.tr}
	sctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.ready.Add(n)
	s.got.Add(n)
	connectSem := make(chan struct{}, 128) // stay below the listen backlog
	for i := 0; i < n; i++ {
		go s.client(sctx, sc, urls[i%len(urls)], i, connectSem)
	}
	return s
}

func (s *screens) client(ctx context.Context, sc *http.Client, url string, i int, sem chan struct{}) {
	readyDone, gotDone := false, false
	defer func() {
		if !readyDone {
			s.ready.Done()
		}
		if !gotDone {
			s.got.Done()
		}
	}()
	err := readStream(ctx, sc, url, sem, func() {
		s.connected.Add(1)
		readyDone = true
		s.ready.Done()
	}, func() bool {
		s.arrived[i] = time.Now().UnixNano()
		gotDone = true
		s.got.Done()
		return false // stay connected until the end, as a screen would
	})
	if err != nil && !readyDone {
		s.firstErr.CompareAndSwap(nil, &err)
	}
}

// readStream connects one screen to the stream at url (sem bounds the
// connections being made at once) and reads it: ready is called when the
// snapshot has been read, called at every ticket.called; when called
// returns false the screen stays connected, reading nothing more, until
// ctx ends. It returns the error that ended the stream (nil when ctx
// did).
func readStream(ctx context.Context, sc *http.Client, url string, sem chan struct{}, ready func(), called func() bool) error {
	sem <- struct{}{}
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := sc.Do(req)
	<-sem
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("stream: HTTP %d", resp.StatusCode)
	}
	br := bufio.NewReaderSize(resp.Body, 1024)
	snapshot, readyDone, midline := false, false, false
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			midline = true
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if midline {
			midline = false
			continue
		}
		switch {
		case bytes.Equal(line, []byte("event: snapshot\n")):
			snapshot = true
		case snapshot && !readyDone && len(line) == 1:
			readyDone = true
			ready()
		case bytes.Equal(line, []byte("event: ticket.called\n")):
			if !called() {
				<-ctx.Done()
				return nil
			}
		}
	}
}

func (s *screens) WaitReady(d time.Duration) (int, error) {
	if !waitTimeout(&s.ready, d) {
		return int(s.connected.Load()), fmt.Errorf("clients did not connect within %s", d)
	}
	n := int(s.connected.Load())
	if n == 0 {
		if p := s.firstErr.Load(); p != nil {
			return 0, *p
		}
	}
	return n, nil
}

func (s *screens) WaitCalled(d time.Duration) ([]int64, error) {
	waitTimeout(&s.got, d)
	return s.arrived, nil
}

func (s *screens) Stop() {
	s.cancel()
	s.tr.CloseIdleConnections()
}

// ClientsMain is the hidden `mingbai bench fanout-clients URLS N`: it
// connects N screens to URLS (comma-separated, in turn), prints "ready CONNECTED", waits for a line on
// stdin, then prints the arrival time of ticket.called per client (unix
// ns, 0 for none) and "end".
func ClientsMain(args []string, stdout io.Writer) int {
	if len(args) != 2 {
		return 2
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 1 || n > 100_000 {
		return 2
	}
	RaiseFDLimit(uint64(n + 1024))
	s := connectClients(context.Background(), strings.Split(args[0], ","), n)
	defer s.Stop()
	connected, err := s.WaitReady(5 * time.Minute)
	if err != nil {
		fmt.Fprintf(stdout, "error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return 1
	}
	fmt.Fprintf(stdout, "ready %d\n", connected)
	arrived, _ := s.WaitCalled(time.Minute)
	w := bufio.NewWriter(stdout)
	for _, a := range arrived {
		fmt.Fprintln(w, a)
	}
	fmt.Fprintln(w, "end")
	w.Flush()
	return 0
}

// child is the client side in a child process.
type child struct {
	cmd *exec.Cmd
	out *bufio.Reader
	n   int
}

func startChild(ctx context.Context, exe []string, urls []string, n int) (*child, error) {
	args := append(append([]string{}, exe[1:]...), strings.Join(urls, ","), strconv.Itoa(n))
	cmd := exec.CommandContext(ctx, exe[0], args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &child{cmd: cmd, out: bufio.NewReaderSize(out, 1<<16), n: n}, nil
}

func (c *child) line(d time.Duration) (string, error) {
	type res struct {
		s   string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		s, err := c.out.ReadString('\n')
		ch <- res{strings.TrimSpace(s), err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-time.After(d):
		return "", fmt.Errorf("client process: no answer within %s", d)
	}
}

func (c *child) WaitReady(d time.Duration) (int, error) {
	s, err := c.line(d)
	if err != nil {
		return 0, err
	}
	if v, ok := strings.CutPrefix(s, "ready "); ok {
		return strconv.Atoi(v)
	}
	return 0, fmt.Errorf("client process: %s", s)
}

func (c *child) WaitCalled(d time.Duration) ([]int64, error) {
	deadline := time.Now().Add(d + 10*time.Second)
	out := make([]int64, 0, c.n)
	for {
		s, err := c.line(time.Until(deadline))
		if err != nil {
			return out, err
		}
		if s == "end" {
			return out, nil
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return out, fmt.Errorf("client process: %q", s)
		}
		out = append(out, v)
	}
}

func (c *child) Stop() {
	if c.cmd.Process != nil {
		c.cmd.Process.Kill()
	}
	c.cmd.Wait()
}
