package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"mingbai/internal/store"
)

// readStream connects to a hall's stream with Last-Event-ID and collects
// the ids of the kind of event until want have arrived.
func readStream(t *testing.T, e *hallEnv, last int64, kind string, want int) (ids []int64, sawResync bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/halls/%d/stream", e.HTTP.URL, e.Hall), nil)
	req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var id int64
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id, _ = strconv.ParseInt(line[4:], 10, 64)
		case line == "event: resync":
			sawResync = true
			if want == 0 {
				return nil, true
			}
		case line == "event: "+kind:
			ids = append(ids, id)
			if len(ids) >= want {
				return ids, sawResync
			}
		}
	}
	return ids, sawResync
}

// TestStreamReplaysEveryMissedEvent: a screen back after an outage gets
// all 2,000 calls it missed, in order, not the first 500 (issue 9); when
// the gap is older than the retained events it is told to resync.
func TestStreamReplaysEveryMissedEvent(t *testing.T) {
	e := newHall(t)
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system"})
	var first int64
	if err := e.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Publish(e.Hall, "window.state", map[string]string{"window": "1", "state": "open"})
	}); err != nil {
		t.Fatal(err)
	}
	evs, err := e.DB.EventsSince(ctx, e.Hall, 0, 100000)
	if err != nil || len(evs) == 0 {
		t.Fatal(err)
	}
	first = evs[len(evs)-1].ID
	if err := e.DB.Write(ctx, func(tx *store.Tx) error {
		for i := range 2000 {
			if err := tx.Publish(e.Hall, "ticket.called", map[string]any{"number": fmt.Sprintf("A%04d", i), "window": "1", "zone": "employment"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ids, resync := readStream(t, e, first, "ticket.called", 2000)
	if len(ids) != 2000 || resync {
		t.Fatalf("replayed %d of 2000 missed calls (resync %v)", len(ids), resync)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("out of order at %d: %d after %d", i, ids[i], ids[i-1])
		}
	}
	// Events pruned: a screen resuming from before them is told to resync.
	// A negative age prunes everything up to an hour from now, without
	// moving the database clock under the streams still being served.
	if err := e.DB.PruneEvents(ctx, -time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Publish(e.Hall, "ticket.called", map[string]any{"number": "B0001", "window": "2", "zone": "social_insurance"})
	}); err != nil {
		t.Fatal(err)
	}
	if _, resync := readStream(t, e, first, "ticket.called", 0); !resync {
		t.Fatal("a gap older than the retained events was not flagged")
	}
}
