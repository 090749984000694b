package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/hall"
	"mingbai/internal/store"
)

type issued struct {
	ID         int64  `json:"id"`
	Number     string `json:"number"`
	Position   int    `json:"position"`
	EtaMinutes *int   `json:"eta_minutes"`
	TrackURL   string `json:"track_url"`
}

type ticketJSON struct {
	ID               int64  `json:"id"`
	Number           string `json:"number"`
	State            string `json:"state"`
	Priority         string `json:"priority"`
	PriorityBypassed int    `json:"priority_bypassed"`
	Item             string `json:"item"`
}

// An employment item, served by window 1 (employment, general).
const itemA = "RS-A-001"

func (e *hallEnv) issue(token string, body any) issued {
	e.t.Helper()
	status, b := e.do("POST", "/api/v1/tickets", token, body)
	if status != 201 {
		e.t.Fatalf("issue: %d %s", status, b)
	}
	var out issued
	if err := json.Unmarshal(b, &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// windowID returns the id of demo window number n.
func (e *hallEnv) windowID(n int) int64 {
	e.t.Helper()
	id, err := e.DB.WindowByNumber(context.Background(), e.Hall, fmt.Sprint(n))
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// signIn signs window staff wNN in at window n and returns their token.
func (e *hallEnv) signIn(n int) string {
	e.t.Helper()
	tok := e.token(fmt.Sprintf("w%02d", n))
	if status, b := e.do("POST", fmt.Sprintf("/api/v1/windows/%d/session", e.windowID(n)), tok, map[string]string{"state": "open"}); status != 200 {
		e.t.Fatalf("sign in at %d: %d %s", n, status, b)
	}
	return tok
}

func (e *hallEnv) call(n int, tok string) (int, ticketJSON, string) {
	e.t.Helper()
	status, b := e.do("POST", fmt.Sprintf("/api/v1/windows/%d/call", e.windowID(n)), tok, "{}")
	var t ticketJSON
	json.Unmarshal(b, &t)
	return status, t, string(b)
}

func (e *hallEnv) act(tok string, id int64, action string, body any) (int, string) {
	e.t.Helper()
	if body == nil {
		body = "{}"
	}
	status, b := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/%s", id, action), tok, body)
	return status, string(b)
}

func errCode(body string) string {
	var eb struct {
		Error struct{ Code, Message, Field string }
	}
	json.Unmarshal([]byte(body), &eb)
	return eb.Error.Code
}

func TestTicketLife(t *testing.T) {
	e := newHall(t)
	// No window open yet: a ticket, but no estimate.
	first := e.issue("", map[string]any{"item": itemA, "idempotency_key": "k1"})
	if first.Number != "A001" || first.EtaMinutes != nil || !strings.Contains(first.TrackURL, "/t/") {
		t.Fatalf("first ticket: %+v", first)
	}
	// A retry with the same key returns the same ticket with 200.
	status, b := e.do("POST", "/api/v1/tickets", "", map[string]any{"item": itemA, "idempotency_key": "k1"})
	var again issued
	json.Unmarshal(b, &again)
	if status != 200 || again.ID != first.ID || again.Number != "A001" {
		t.Fatalf("retry: %d %s", status, b)
	}
	w1 := e.signIn(1)
	second := e.issue("", map[string]any{"item": itemA})
	if second.Number != "A002" || second.Position != 1 || second.EtaMinutes == nil {
		t.Fatalf("second ticket: %+v", second)
	}
	status, called, body := e.call(1, w1)
	if status != 200 || called.Number != "A001" || called.State != "called" {
		t.Fatalf("call: %d %s", status, body)
	}
	// Calling again while A001 is at the window is refused.
	if status, _, body := e.call(1, w1); status != 409 {
		t.Fatalf("call while busy: %d %s", status, body)
	}
	// No-show needs the configured recalls first (default 2).
	if status, body := e.act(w1, called.ID, "no-show", nil); status != 409 {
		t.Fatalf("early no-show: %d %s", status, body)
	}
	for i := 0; i < 2; i++ {
		if status, body := e.act(w1, called.ID, "recall", nil); status != 200 {
			t.Fatalf("recall: %d %s", status, body)
		}
	}
	if status, body := e.act(w1, called.ID, "no-show", nil); status != 200 || !strings.Contains(body, `"no_show"`) {
		t.Fatalf("no-show: %d %s", status, body)
	}
	_, c2, _ := e.call(1, w1)
	if c2.Number != "A002" {
		t.Fatalf("second call: %+v", c2)
	}
	// Transfer to an unknown item: clear message, state unchanged.
	if status, body := e.act(w1, c2.ID, "transfer", map[string]any{"item": "RS-X-999"}); status != 400 || errCode(body) != "invalid" {
		t.Fatalf("transfer to unknown item: %d %s", status, body)
	}
	if status, body := e.act(w1, c2.ID, "start", nil); status != 200 || !strings.Contains(body, `"serving"`) {
		t.Fatalf("start: %d %s", status, body)
	}
	if status, body := e.act(w1, c2.ID, "finish", nil); status != 200 || !strings.Contains(body, `"done"`) {
		t.Fatalf("finish: %d %s", status, body)
	}
	if status, body := e.act(w1, c2.ID, "finish", nil); status != 409 || errCode(body) != "conflict" {
		t.Fatalf("double finish: %d %s", status, body)
	}
	// Nothing waits: 404.
	if status, _, body := e.call(1, w1); status != 404 {
		t.Fatalf("empty call: %d %s", status, body)
	}
	// Another staff member cannot act on a ticket at window 1.
	w2 := e.signIn(2)
	third := e.issue("", map[string]any{"item": itemA})
	_, c3, _ := e.call(1, w1)
	if c3.ID != third.ID {
		t.Fatalf("third: %+v", c3)
	}
	if status, body := e.act(w2, c3.ID, "finish", nil); status != 403 {
		t.Fatalf("other window finish: %d %s", status, body)
	}
	// Transfer keeps the ticket's place: it is waiting again, for an
	// inspection item that window 2 serves.
	if status, body := e.act(w1, c3.ID, "transfer", map[string]any{"item": "RS-D-001"}); status != 200 || !strings.Contains(body, `"waiting"`) {
		t.Fatalf("transfer: %d %s", status, body)
	}
	_, c4, body := e.call(2, w2)
	if c4.ID != c3.ID || c4.Item != "RS-D-001" {
		t.Fatalf("call after transfer: %s", body)
	}
	// Every transition is recorded with its actor.
	status, b = e.do("GET", fmt.Sprintf("/api/v1/tickets/%d", c3.ID), e.token("manager"), nil)
	var life struct {
		Transitions []store.Transition `json:"transitions"`
	}
	json.Unmarshal(b, &life)
	var acts []string
	for _, tr := range life.Transitions {
		acts = append(acts, tr.Action+":"+tr.Actor)
	}
	if got, want := strings.Join(acts, " "), "issue:anonymous call:w01 transfer:w01 call:w02"; got != want {
		t.Errorf("transitions %q, want %q", got, want)
	}
	// Pause: calling is refused with a clear message.
	if status, b := e.do("POST", fmt.Sprintf("/api/v1/windows/%d/session", e.windowID(1)), w1, map[string]string{"state": "paused", "reason": "break"}); status != 200 {
		t.Fatalf("pause: %d %s", status, b)
	}
	e.issue("", map[string]any{"item": itemA})
	if status, _, body := e.call(1, w1); status != 409 || !strings.Contains(body, "paused") {
		t.Fatalf("call on paused window: %d %s", status, body)
	}
	if status, b := e.do("POST", fmt.Sprintf("/api/v1/windows/%d/session", e.windowID(1)), w1, map[string]string{"state": "paused", "reason": "nap"}); status != 400 {
		t.Fatalf("bad pause reason: %d %s", status, b)
	}
}

func TestTicketBadInput(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	count := func() int {
		b, _ := e.DB.HallBoard(context.Background(), e.Hall)
		n := 0
		for _, z := range b.Zones {
			n += z.Waiting
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		body  any
		code  string
		field string
	}{
		{"no item", map[string]any{}, "invalid", "item"},
		{"unknown item", map[string]any{"item": "RS-Z-404"}, "invalid", "item"},
		{"bad priority", map[string]any{"item": itemA, "priority": "vip"}, "invalid", "priority"},
		{"bad phone", map[string]any{"item": itemA, "phone": "12345"}, "invalid", "phone"},
		{"remote ticket without code", map[string]any{"item": itemA, "phone": "13800138000"}, "invalid", "sms_code"},
		{"unknown field", map[string]any{"item": itemA, "vip": true}, "invalid", "vip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, b := e.do("POST", "/api/v1/tickets", "", tc.body)
			var eb struct {
				Error struct{ Code, Message, Field string }
			}
			json.Unmarshal(b, &eb)
			if status != 400 || eb.Error.Code != tc.code || eb.Error.Field != tc.field || eb.Error.Message == "" {
				t.Errorf("got %d %s", status, b)
			}
		})
	}
	// Daily cap per item.
	if status, b := e.do("PUT", fmt.Sprintf("/api/v1/halls/%d/item-caps/%s", e.Hall, itemA), e.token("manager"), map[string]int{"daily_cap": 1}); status != 200 {
		t.Fatalf("set cap: %d %s", status, b)
	}
	e.issue(admin, map[string]any{"item": itemA})
	status, b := e.do("POST", "/api/v1/tickets", admin, map[string]any{"item": itemA})
	if status != 409 || !strings.Contains(string(b), "(1 a day)") {
		t.Fatalf("cap: %d %s", status, b)
	}
	if n := count(); n != 1 {
		t.Errorf("bad input changed the queue: %d waiting", n)
	}
	// A hall outside its hours issues nothing, with the hours in the message.
	ctx := context.Background()
	h, err := e.DB.CreateHall(ctx, hall.Hall{Code: "night", Name: "夜间测试大厅", Timezone: "Asia/Shanghai",
		Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.CreateZone(ctx, hall.Zone{HallID: h.ID, Code: "employment", Name: "就业", Prefix: "A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.SaveWindow(ctx, hall.Window{HallID: h.ID, Zone: "employment", Number: "1", Items: []string{itemA}}); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e.DB.SetClock(func() time.Time { return time.Date(2026, 3, 4, 3, 0, 0, 0, loc) })
	status, b = e.do("POST", "/api/v1/tickets", admin, map[string]any{"item": itemA, "hall": h.ID})
	if status != 409 || !strings.Contains(string(b), "08:30") {
		t.Fatalf("closed hall: %d %s", status, b)
	}
	e.DB.SetClock(func() time.Time { return time.Date(2026, 3, 4, 10, 0, 0, 0, loc) })
	status, b = e.do("POST", "/api/v1/tickets", admin, map[string]any{"item": "RS-B-003", "hall": h.ID})
	if status != 400 || !strings.Contains(string(b), "does not offer") {
		t.Fatalf("item not offered: %d %s", status, b)
	}
	status, b = e.do("POST", "/api/v1/tickets", admin, map[string]any{"item": itemA, "hall": h.ID})
	if status != 201 || !strings.Contains(string(b), `"A001"`) {
		t.Fatalf("open hall: %d %s", status, b)
	}
	// A hall open on working days follows the official calendar: closed on
	// National Day (Thursday 2026-10-01), open on the make-up working day
	// (Saturday 2026-10-10).
	h.Hours.WorkingDaysOnly = true
	if _, err := e.DB.UpdateHall(ctx, h); err != nil {
		t.Fatal(err)
	}
	e.DB.SetClock(func() time.Time { return time.Date(2026, 10, 1, 10, 0, 0, 0, loc) })
	if status, b = e.do("POST", "/api/v1/tickets", admin, map[string]any{"item": itemA, "hall": h.ID}); status != 409 {
		t.Fatalf("holiday: %d %s", status, b)
	}
	e.DB.SetClock(func() time.Time { return time.Date(2026, 10, 10, 10, 0, 0, 0, loc) })
	if status, b = e.do("POST", "/api/v1/tickets", admin, map[string]any{"item": itemA, "hall": h.ID}); status != 201 {
		t.Fatalf("make-up working day: %d %s", status, b)
	}
}

// TestTwoThousandTickets: 50 clients taking 40 tickets each concurrently
// get 2,000 distinct, gapless numbers. One item, so one prefix: numbers run
// A001 … A999, A1000 … A2000 (past 999 the number grows a digit).
func TestTwoThousandTickets(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	e := newHall(t)
	tok := e.token("admin")
	const clients, each = 50, 40
	var mu sync.Mutex
	numbers := map[string]bool{}
	var errs []string
	var wg sync.WaitGroup
	client := e.HTTP.Client()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				body := fmt.Sprintf(`{"item":%q,"idempotency_key":"c%d-%d"}`, itemA, c, i)
				req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/tickets", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					mu.Lock()
					errs = append(errs, err.Error())
					mu.Unlock()
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var out issued
				json.Unmarshal(b, &out)
				mu.Lock()
				if resp.StatusCode != 201 {
					errs = append(errs, fmt.Sprintf("%d %s", resp.StatusCode, b))
				} else if numbers[out.Number] {
					errs = append(errs, "duplicate "+out.Number)
				} else {
					numbers[out.Number] = true
				}
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %s", len(errs), errs[0])
	}
	if len(numbers) != clients*each {
		t.Fatalf("%d numbers", len(numbers))
	}
	for i := 1; i <= clients*each; i++ {
		if n := store.FormatNumber("A", i); !numbers[n] {
			t.Fatalf("gap: %s missing", n)
		}
	}
}

// TestConcurrentCallsNeverShareATicket: windows calling at the same moment
// never get the same ticket.
func TestConcurrentCallsNeverShareATicket(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	const tickets = 60
	for i := 0; i < tickets; i++ {
		e.issue(admin, map[string]any{"item": itemA})
	}
	// Windows 1, 2, 3, 4 and 8 serve employment items.
	wins := []int{1, 2, 3, 4, 8}
	toks := map[int]string{}
	for _, n := range wins {
		toks[n] = e.signIn(n)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	var failures []string
	for _, n := range wins {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			url := fmt.Sprintf("%s/api/v1/windows/%d/call", e.HTTP.URL, e.windowID(n))
			for {
				req, _ := http.NewRequest("POST", url, nil)
				req.Header.Set("Authorization", "Bearer "+toks[n])
				resp, err := e.HTTP.Client().Do(req)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 404 {
					return
				}
				var tk ticketJSON
				json.Unmarshal(b, &tk)
				mu.Lock()
				if resp.StatusCode != 200 {
					failures = append(failures, fmt.Sprintf("%d %s", resp.StatusCode, b))
					mu.Unlock()
					return
				}
				seen[tk.ID]++
				mu.Unlock()
				req, _ = http.NewRequest("POST", fmt.Sprintf("%s/api/v1/tickets/%d/finish", e.HTTP.URL, tk.ID), nil)
				req.Header.Set("Authorization", "Bearer "+toks[n])
				resp, err = e.HTTP.Client().Do(req)
				if err == nil {
					resp.Body.Close()
				}
			}
		}(n)
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("failures: %v", failures)
	}
	if len(seen) != tickets {
		t.Errorf("%d tickets called, want %d", len(seen), tickets)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("ticket %d called %d times", id, n)
		}
	}
}

// TestGreenChannelBoundThroughAPI: with K = 2 an ordinary ticket is passed
// by at most two later priority tickets, calling through the API.
func TestGreenChannelBoundThroughAPI(t *testing.T) {
	for _, k := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("K=", k), func(t *testing.T) {
			e := newHall(t)
			admin := e.token("admin")
			st := store.DefaultQueueSettings
			st.GreenK = k
			if status, b := e.do("PUT", fmt.Sprintf("/api/v1/halls/%d/queue-settings", e.Hall), e.token("manager"), st); status != 200 {
				t.Fatalf("settings: %d %s", status, b)
			}
			ord := e.issue(admin, map[string]any{"item": itemA})
			ord2 := e.issue(admin, map[string]any{"item": itemA})
			for i := 0; i < 6; i++ {
				e.issue(admin, map[string]any{"item": itemA, "priority": "elderly"})
			}
			w1 := e.signIn(1)
			var order []string
			for {
				status, tk, body := e.call(1, w1)
				if status == 404 {
					break
				}
				if status != 200 {
					t.Fatalf("call: %d %s", status, body)
				}
				if tk.ID == ord.ID || tk.ID == ord2.ID {
					order = append(order, "O")
				} else {
					order = append(order, "P")
				}
				if s, b := e.act(w1, tk.ID, "finish", nil); s != 200 {
					t.Fatalf("finish: %d %s", s, b)
				}
			}
			// Count the priority calls before each ordinary ticket's call.
			passed, ords := 0, 0
			for _, o := range order {
				if o == "P" {
					passed++
					continue
				}
				ords++
				if passed > k*ords {
					t.Errorf("order %v: ordinary ticket %d passed by %d priority tickets, bound %d", order, ords, passed-(ords-1)*k, k)
				}
			}
			want := strings.Repeat("P", k) + "O" + strings.Repeat("P", 0) + "O"
			if got := strings.Join(order, ""); !strings.HasPrefix(got, want[:k+1]) {
				t.Errorf("order %s, want prefix %s", got, want[:k+1])
			}
			got, _ := e.DB.Ticket(context.Background(), e.Hall, ord.ID)
			if got.PriorityBypassed != k {
				t.Errorf("first ordinary ticket bypassed %d times, want %d", got.PriorityBypassed, k)
			}
		})
	}
}

func TestOutOfTurnCallIsAnIntegrityEvent(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	e.issue(admin, map[string]any{"item": itemA})
	late := e.issue(admin, map[string]any{"item": itemA})
	w1 := e.signIn(1)
	path := fmt.Sprintf("/api/v1/windows/%d/call", e.windowID(1))
	status, b := e.do("POST", path, w1, map[string]any{"ticket": late.ID})
	if status != 400 || !strings.Contains(string(b), `"reason"`) {
		t.Fatalf("out of turn without reason: %d %s", status, b)
	}
	status, b = e.do("POST", path, w1, map[string]any{"ticket": late.ID, "reason": "窗口预约的特殊情况"})
	if status != 200 || !strings.Contains(string(b), late.Number) {
		t.Fatalf("out of turn: %d %s", status, b)
	}
	status, b = e.do("GET", fmt.Sprintf("/api/v1/halls/%d/integrity-alerts", e.Hall), e.token("auditor"), nil)
	if status != 200 || !strings.Contains(string(b), "queue.out_of_turn") || !strings.Contains(string(b), "w01") {
		t.Fatalf("alerts: %d %s", status, b)
	}
	status, b = e.do("GET", "/api/v1/audit?action=queue.out_of_turn", e.token("auditor"), nil)
	if status != 200 || !strings.Contains(string(b), "queue.out_of_turn") {
		t.Fatalf("audit: %d %s", status, b)
	}
}

// sseEvent is one server-sent event.
type sseEvent struct {
	ID, Kind, Data string
}

// openStream reads a hall stream into a channel until ctx ends.
func openStream(ctx context.Context, t *testing.T, url string) <-chan sseEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	ch := make(chan sseEvent, 64)
	go func() {
		defer resp.Body.Close()
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Kind = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			case line == "" && ev.Kind != "":
				select {
				case ch <- ev:
				case <-ctx.Done():
					return
				}
				ev = sseEvent{}
			}
		}
	}()
	return ch
}

// waitFor returns the first event that matches, or fails at the deadline.
func waitFor(ctx context.Context, t *testing.T, ch <-chan sseEvent, match func(sseEvent) bool) sseEvent {
	t.Helper()
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("stream ended")
			}
			if match(ev) {
				return ev
			}
		case <-ctx.Done():
			t.Fatal("no matching event before the deadline")
		}
	}
}

func TestPublicStreamAndTrackingArePrivate(t *testing.T) {
	e := newHall(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ch := openStream(ctx, t, fmt.Sprintf("%s/api/v1/halls/%d/stream", e.HTTP.URL, e.Hall))
	snap := waitFor(ctx, t, ch, func(ev sseEvent) bool { return ev.Kind == "snapshot" })
	const phone = "13912345678"
	staff := e.token("manager")
	tk := e.issue(staff, map[string]any{"item": itemA, "phone": phone})
	w1 := e.signIn(1)
	ev := waitFor(ctx, t, ch, func(ev sseEvent) bool { return ev.Kind == "ticket.issued" })
	if !strings.Contains(ev.Data, tk.Number) {
		t.Errorf("issued event %s", ev.Data)
	}
	e.call(1, w1)
	called := waitFor(ctx, t, ch, func(ev sseEvent) bool { return ev.Kind == "ticket.called" })
	if !strings.Contains(called.Data, `"window":"1"`) || !strings.Contains(called.Data, tk.Number) {
		t.Errorf("called event %s", called.Data)
	}
	token := tk.TrackURL[strings.Index(tk.TrackURL, "/t/")+3:]
	_, track := e.do("GET", "/api/v1/track/"+token, "", nil)
	_, page := e.do("GET", "/t/"+token, "", nil)
	_, board := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/queue", e.Hall), "", nil)
	for name, s := range map[string]string{"snapshot": snap.Data, "issued": ev.Data, "called": called.Data, "track": string(track), "page": string(page), "board": string(board)} {
		if strings.Contains(s, phone) || strings.Contains(s, phone[3:7]) {
			t.Errorf("%s shows the phone: %s", name, s)
		}
		if strings.Contains(s, fmt.Sprintf(`"id":%d`, tk.ID)) {
			t.Errorf("%s shows the ticket id: %s", name, s)
		}
	}
	if !strings.Contains(string(track), `"state":"called"`) {
		t.Errorf("track: %s", track)
	}
	// A guessed token finds nothing.
	if status, _ := e.do("GET", "/api/v1/track/AAAAAAAAAAAAAAAAAAAAAAAA", "", nil); status != 404 {
		t.Errorf("guessed token: %d", status)
	}
}

func TestTurnNearSMS(t *testing.T) {
	e := newHall(t)
	staff := e.token("manager")
	admin := e.token("admin")
	for i := 0; i < 5; i++ {
		e.issue(admin, map[string]any{"item": itemA})
	}
	tk := e.issue(staff, map[string]any{"item": itemA, "phone": "13912345678"})
	w1 := e.signIn(1)
	for i := 0; i < 3; i++ {
		_, c, body := e.call(1, w1)
		if c.ID == 0 {
			t.Fatal(body)
		}
		e.act(w1, c.ID, "finish", nil)
	}
	msgs, err := e.DB.OutboxMessages(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Kind == "turn_near" && strings.Contains(m.Body, tk.Number) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d turn-near messages, want exactly 1", n)
	}
}

func TestRemoteTicketWithSMSCode(t *testing.T) {
	e := newHall(t)
	const phone = "13700001111"
	if status, b := e.do("POST", "/api/v1/sms-codes", "", map[string]any{"phone": phone, "page_token": e.pageToken()}); status != 202 {
		t.Fatalf("code: %d %s", status, b)
	}
	msgs, _ := e.DB.OutboxMessages(context.Background(), 10)
	code := ""
	for _, m := range msgs {
		if m.Kind == "sms_code" {
			i := strings.Index(m.Body, "验证码为 ")
			code = m.Body[i+len("验证码为 ") : i+len("验证码为 ")+6]
		}
	}
	if code == "" {
		t.Fatalf("no code in outbox: %+v", msgs)
	}
	if status, b := e.do("POST", "/api/v1/tickets", "", map[string]any{"item": itemA, "phone": phone, "sms_code": "000000x"}); status != 400 {
		t.Fatalf("wrong code: %d %s", status, b)
	}
	tk := e.issue("", map[string]any{"item": itemA, "phone": phone, "sms_code": code})
	if tk.Number != "A001" {
		t.Fatalf("%+v", tk)
	}
	// The code is used up, and one active ticket per phone and item.
	if status, b := e.do("POST", "/api/v1/tickets", e.token("manager"), map[string]any{"item": itemA, "phone": phone}); status != 409 {
		t.Fatalf("second ticket for the phone: %d %s", status, b)
	}
	got, _ := e.DB.Ticket(context.Background(), e.Hall, tk.ID)
	if got.Channel != "phone" || got.Phone != phone {
		t.Errorf("stored %+v", got)
	}
}
