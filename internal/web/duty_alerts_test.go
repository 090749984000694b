package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// dutySSELines opens a stream as token and returns its lines on a channel.
func dutySSELines(t *testing.T, e *hallEnv, path, token, last string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.HTTP.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	out := make(chan string, 64)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	return out
}

func dutyWaitLine(t *testing.T, lines <-chan string, want string) []string {
	t.Helper()
	var seen []string
	for l := range lines {
		seen = append(seen, l)
		if l == want {
			return seen
		}
	}
	t.Fatalf("stream ended before %q: %v", want, seen)
	return nil
}

// TestDutyAlertStream: the leader's stream carries a help call as it is
// raised; the public hall stream never carries duty alerts.
func TestDutyAlertStream(t *testing.T) {
	e := newHall(t)
	leader := e.tokenOf(e.People.Leader)
	w01 := e.tokenOf(e.People.Clerk)
	win := e.People.Clerk.Window
	e.request("POST", fmt.Sprintf("/api/v1/windows/%d/session", win), bearer(w01), jsonBody(`{"state":"open"}`))
	if r := e.request("GET", fmt.Sprintf("/api/v1/halls/%d/duty/alerts/stream", e.Hall), bearer(w01)); r.Status != 403 {
		t.Fatalf("clerk opens the leaders' stream: %d", r.Status)
	}
	lines := dutySSELines(t, e, fmt.Sprintf("/api/v1/halls/%d/duty/alerts/stream", e.Hall), leader, "")
	dutyWaitLine(t, lines, "event: snapshot")
	if r := e.request("POST", fmt.Sprintf("/api/v1/windows/%d/help", win), bearer(w01), jsonBody(`{}`)); r.Status != 201 {
		t.Fatalf("help: %d %s", r.Status, r.Body)
	}
	seen := dutyWaitLine(t, lines, "event: duty.alert")
	var id string
	for _, l := range seen {
		if strings.HasPrefix(l, "id: ") {
			id = l[4:]
		}
	}
	if id == "" {
		t.Fatalf("no event id: %v", seen)
	}
	// Replay the public stream from just before the alert: a ticket issued
	// after it arrives, the alert does not.
	e.issue("", map[string]any{"item": itemA})
	var before int64
	fmt.Sscan(id, &before)
	pub := dutySSELines(t, e, fmt.Sprintf("/api/v1/halls/%d/stream", e.Hall), "", fmt.Sprint(before-1))
	for _, l := range dutyWaitLine(t, pub, "event: ticket.issued") {
		if l == "event: duty.alert" {
			t.Fatal("the public stream carries a duty alert")
		}
	}
}
