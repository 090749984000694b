package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mingbai/internal/store"
)

// rawScreen is a screen on a connection of its own, read (or not) as the
// test decides: a slow screen is one that stops reading.
type rawScreen struct {
	t    *testing.T
	c    net.Conn
	body *bufio.Reader
}

// dialScreen connects to the public stream of the hall; last > 0 resumes
// with Last-Event-ID; rcvbuf > 0 shrinks the socket's receive buffer so
// that a screen that does not read fills up soon.
func dialScreen(t *testing.T, e *hallEnv, last int64, rcvbuf int) *rawScreen {
	t.Helper()
	d := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		if rcvbuf > 0 {
			c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf) })
		}
		return nil
	}}
	c, err := d.Dial("tcp", e.HTTP.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	req := fmt.Sprintf("GET /api/v1/halls/%d/stream HTTP/1.1\r\nHost: screen\r\n", e.Hall)
	if last > 0 {
		req += fmt.Sprintf("Last-Event-ID: %d\r\n", last)
	}
	if _, err := c.Write([]byte(req + "\r\n")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &rawScreen{t: t, c: c, body: bufio.NewReaderSize(resp.Body, 1<<17)}
}

// next reads until an event of kind (or, with kind ":", a comment line)
// and returns its id.
func (s *rawScreen) next(kind string) int64 {
	s.t.Helper()
	s.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	var id int64
	for {
		line, err := s.body.ReadString('\n')
		if err != nil {
			s.t.Fatalf("waiting for %s: %v", kind, err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case kind == ":" && strings.HasPrefix(line, ":"):
			return 0
		case strings.HasPrefix(line, "id: "):
			id, _ = strconv.ParseInt(line[4:], 10, 64)
		case line == "event: "+kind:
			return id
		case line == "":
			id = 0
		}
	}
}

// publish commits n public events of the hall, each with a payload of
// about size bytes, and returns their ids.
func publish(t *testing.T, e *hallEnv, n, size int) []int64 {
	t.Helper()
	return publishKind(t, e, "ticket.called", n, size)
}

func publishKind(t *testing.T, e *hallEnv, kind string, n, size int) []int64 {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system"})
	pad := strings.Repeat("x", size)
	if err := e.DB.Write(ctx, func(tx *store.Tx) error {
		for i := range n {
			if err := tx.Publish(e.Hall, kind, map[string]any{"number": fmt.Sprintf("A%04d", i), "window": "1", "pad": pad}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	evs, err := e.DB.EventsSince(ctx, e.Hall, 0, 1<<20)
	if err != nil || len(evs) < n {
		t.Fatalf("events: %d, %v", len(evs), err)
	}
	var ids []int64
	for _, ev := range evs[len(evs)-n:] {
		ids = append(ids, ev.ID)
	}
	return ids
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("not within 20 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestScreenFanoutDropsSlowScreenWhichResumes: the public stream's
// connections are handed over to the fan-out; a screen that stops reading
// is disconnected once its queue is full, while a screen beside it gets
// every event; the dropped screen reconnects with Last-Event-ID and
// receives each event it missed once, in order.
func TestScreenFanoutDropsSlowScreenWhichResumes(t *testing.T) {
	e := newHall(t)
	e.Server.SetScreenFanout(time.Hour, 16, 8192)
	fast := dialScreen(t, e, 0, 0)
	fast.next("snapshot")
	slow := dialScreen(t, e, 0, 4096)
	slow.next("snapshot")
	eventually(t, "both screens handed over", func() bool { return e.Server.Screens() == 2 })

	first := publish(t, e, 1, 10)
	if id := fast.next("ticket.called"); id != first[0] {
		t.Fatalf("fast screen: event %d, want %d", id, first[0])
	}
	if id := slow.next("ticket.called"); id != first[0] {
		t.Fatalf("slow screen: event %d, want %d", id, first[0])
	}
	// The slow screen reads no more: 100 events of 32 KiB cannot all sit
	// in its socket buffers, so its queue passes 16 frames; the fast one
	// reads each burst of 10 before the next.
	var ids []int64
	for range 10 {
		burst := publish(t, e, 10, 32<<10)
		for _, want := range burst {
			if id := fast.next("ticket.called"); id != want {
				t.Fatalf("fast screen: event %d, want %d", id, want)
			}
		}
		ids = append(ids, burst...)
	}
	eventually(t, "the slow screen dropped", func() bool {
		_, _, dropped := e.Server.StreamStats()
		return dropped == 1 && e.Server.Screens() == 1
	})
	// It was disconnected: after what its buffers held, the stream ends.
	slow.c.SetReadDeadline(time.Now().Add(20 * time.Second))
	var got []int64
	var id int64
	for {
		line, err := slow.body.ReadString('\n')
		if err != nil {
			break
		}
		if v, ok := strings.CutPrefix(line, "id: "); ok {
			id, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			got = append(got, id)
		}
	}
	if len(got) >= len(ids) {
		t.Fatalf("the slow screen received all %d events: it was not slow", len(got))
	}
	last := first[0]
	if len(got) > 0 {
		last = got[len(got)-1]
	}
	again := dialScreen(t, e, last, 0)
	again.next("snapshot")
	for _, want := range ids {
		if want <= last {
			continue
		}
		if id := again.next("ticket.called"); id != want {
			t.Fatalf("resumed screen: event %d, want %d", id, want)
		}
	}
	// Live again after the replay: the next event arrives once.
	more := publish(t, e, 2, 10)
	for _, want := range more {
		if id := again.next("ticket.called"); id != want {
			t.Fatalf("resumed screen, live: event %d, want %d", id, want)
		}
	}
	if n := e.Server.Screens(); n != 2 {
		t.Fatalf("%d screens held, want 2", n)
	}
}

// TestScreenFanoutHeartbeatAndDisconnect: handed-over screens receive the
// heartbeat comment, and a screen that closes its connection frees its
// slot by the next heartbeat.
func TestScreenFanoutHeartbeatAndDisconnect(t *testing.T) {
	e := newHall(t)
	e.Server.SetScreenFanout(50*time.Millisecond, 0, 0)
	var ss []*rawScreen
	for range 3 {
		s := dialScreen(t, e, 0, 0)
		s.next("snapshot")
		ss = append(ss, s)
	}
	eventually(t, "three screens handed over", func() bool { return e.Server.Screens() == 3 })
	for _, s := range ss {
		s.next(":")
		s.next(":")
	}
	ss[1].c.Close()
	eventually(t, "the closed screen's slot freed", func() bool { return e.Server.Screens() == 2 })
	// Live events keep the public filter: a duty alert is not a screen's.
	publishKind(t, e, "duty.alert", 1, 10)
	ids := publish(t, e, 1, 10)
	for _, s := range []*rawScreen{ss[0], ss[2]} {
		if id := s.next("ticket.called"); id != ids[0] {
			t.Fatalf("event %d, want %d (a duty alert came first?)", id, ids[0])
		}
	}
	if _, _, dropped := e.Server.StreamStats(); dropped != 0 {
		t.Fatalf("a closed screen counted as dropped for being slow: %d", dropped)
	}
	e.Server.CloseStreams()
	if n := e.Server.Screens(); n != 0 {
		t.Fatalf("%d screens held after CloseStreams", n)
	}
	ss[0].c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, err := ss[0].body.ReadString('\n'); err != nil {
			break // closed by the server
		}
	}
}

// TestStreamsOutliveReadTimeout: http.Server's ReadTimeout (serve sets 60
// s) does not end live streams, handed over or not.
func TestStreamsOutliveReadTimeout(t *testing.T) {
	e := newHall(t)
	hs := httptest.NewUnstartedServer(e.Server)
	hs.Config.ReadTimeout = 300 * time.Millisecond
	hs.Start()
	t.Cleanup(hs.Close)
	short := *e
	short.HTTP = hs
	leader := e.tokenOf(e.People.Leader)
	duty := dutySSELines(t, &short, fmt.Sprintf("/api/v1/halls/%d/duty/alerts/stream", e.Hall), leader, "")
	dutyWaitLine(t, duty, "event: snapshot")
	screen := dutySSELines(t, &short, fmt.Sprintf("/api/v1/halls/%d/stream", e.Hall), "", "")
	dutyWaitLine(t, screen, "event: snapshot")
	time.Sleep(time.Second) // past the read timeout
	w01 := e.tokenOf(e.People.Clerk)
	win := e.People.Clerk.Window
	e.request("POST", fmt.Sprintf("/api/v1/windows/%d/session", win), bearer(w01), jsonBody(`{"state":"open"}`))
	if r := e.request("POST", fmt.Sprintf("/api/v1/windows/%d/help", win), bearer(w01), jsonBody(`{}`)); r.Status != 201 {
		t.Fatalf("help: %d %s", r.Status, r.Body)
	}
	dutyWaitLine(t, duty, "event: duty.alert")
	e.issue("", map[string]any{"item": itemA})
	dutyWaitLine(t, screen, "event: ticket.issued")
}
