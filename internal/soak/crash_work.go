package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"mingbai/internal/pii"
)

// journal is what the clients were told: the state of every ticket and
// case as last acknowledged (or, after a kill, as read back).
type journal struct {
	mu      sync.Mutex
	tickets map[int64]*jTicket
	cases   map[int64]string
	// complaints: the state of every complaint as last acknowledged.
	complaints map[int64]string
	ids        map[int64]string // case → the ID number sent
	calls      map[string]bool  // day/number of every acknowledged call
	ack        int              // requests answered 2xx
	unack      int              // requests that got no answer
	// committed counts unanswered requests later found committed.
	committed int
	// unkeyed counts unanswered issues without an idempotency key: each
	// may or may not have made a ticket.
	unkeyed int
	s5xx    int
	prob    problems
	// outage: 5xx answers are expected (the database is failing over);
	// they are counted and settled like unanswered requests.
	outage bool
	acked  []span // when each acknowledged request was sent and answered
}

type span struct{ sent, answered time.Time }

type jTicket struct {
	Number, Day, State string
	IssueAcked         bool
	// By is the window whose answer set State (0: none yet, only the
	// issue).
	By int
}

func newJournal() *journal {
	return &journal{tickets: map[int64]*jTicket{}, cases: map[int64]string{}, complaints: map[int64]string{}, ids: map[int64]string{}, calls: map[string]bool{}}
}

func (j *journal) acks() int    { j.mu.Lock(); defer j.mu.Unlock(); return j.ack }
func (j *journal) unacked() int { j.mu.Lock(); defer j.mu.Unlock(); return j.unack }

// issued records a ticket's issue as an answer reported it.
func (j *journal) issued(t ticketJSON) {
	j.mu.Lock()
	defer j.mu.Unlock()
	jt := j.record(t)
	jt.IssueAcked = true
	if jt.Day == "" {
		jt.Day = t.Day
	}
	// A clerk may already have called it: keep the later state.
}

// record is the journal's entry for a ticket, made on first sight (with
// the state the issue answer implies: it carries none). j.mu is held.
func (j *journal) record(t ticketJSON) *jTicket {
	jt := j.tickets[t.ID]
	if jt == nil {
		jt = &jTicket{Number: t.Number, Day: t.Day, State: "waiting"}
		j.tickets[t.ID] = jt
	}
	return jt
}

// moved records a ticket's state as window n's answer reported it. takes
// says the answer gave the ticket to the window (a call, or a read-back
// once every worker stopped). Any other answer is window n's own move of
// a ticket it holds, and is stale when another window's answer was
// recorded since: a window only moves the ticket it called, and another
// window can call it only after this one released it (a return or a
// transfer), so the other window's move committed later even when its
// answer was read first (both may be answered from one grouped commit).
func (j *journal) moved(t ticketJSON, n int, takes bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	jt := j.record(t)
	if !takes && jt.By != 0 && jt.By != n {
		return
	}
	jt.State, jt.By = t.State, n
	if t.Day != "" {
		jt.Day = t.Day
	}
}

type ticketJSON struct {
	ID       int64  `json:"id"`
	Number   string `json:"number"`
	Day      string `json:"day"`
	Item     string `json:"item"`
	State    string `json:"state"`
	IssuedAt int64  `json:"issued_at"`
}

type caseJSON struct {
	ID        int64  `json:"id"`
	State     string `json:"state"`
	Materials []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"materials"`
}

// answer is one HTTP exchange: Err is set when no answer came.
type answer struct {
	Status int
	Body   []byte
	Err    error
}

var client = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{Proxy: nil,
	DialContext: (&net.Dialer{Timeout: 3 * time.Second}).DialContext, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}}

func call(ctx context.Context, method, url, token string, body any) answer {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{Err: err}
	}
	return answer{Status: resp.StatusCode, Body: b}
}

// load is the hall's working set: the clerks and kiosks of a soak.
type load struct {
	inst    *Instance
	windows []int
	items   []string // items served by the windows worked
}

// setupLoad signs the clerks in at their windows.
func (in *Instance) setupLoad(ctx context.Context, base string, windows int) (*load, error) {
	l := &load{inst: in}
	seen := map[string]bool{}
	for n := 1; n <= windows; n++ {
		a := call(ctx, "POST", fmt.Sprintf("%s/api/v1/windows/%d/session", base, in.Windows[n]), in.Tokens[n], map[string]string{"state": "open"})
		if a.Err != nil || a.Status != 200 {
			return nil, fmt.Errorf("sign in at window %d: %d %v %s", n, a.Status, a.Err, a.Body)
		}
		l.windows = append(l.windows, n)
		for _, it := range in.Serves[n] {
			if !seen[it] {
				seen[it] = true
				l.items = append(l.items, it)
			}
		}
	}
	slices.Sort(l.items)
	return l, nil
}

// worker is a clerk or a kiosk.
type worker interface {
	// loop works until stop closes (after the request in flight) or a
	// request goes unanswered.
	loop(ctx context.Context, stop <-chan struct{})
	resolve(ctx context.Context) error
}

func (l *load) workers(cfg CrashConfig, j *journal, cur *current, rng *rand.Rand) []worker {
	var out []worker
	for i := 0; i < cfg.Issuers; i++ {
		out = append(out, &kiosk{n: i, l: l, j: j, cur: cur, rng: rand.New(rand.NewPCG(rng.Uint64(), 1))})
	}
	out = append(out, &complainer{l: l, j: j, cur: cur, rng: rand.New(rand.NewPCG(rng.Uint64(), 3))})
	for _, n := range l.windows {
		out = append(out, &clerk{n: n, l: l, j: j, cur: cur, cases: slices.Contains(l.inst.Serves[n], caseItem),
			rng: rand.New(rand.NewPCG(rng.Uint64(), 2))})
	}
	return out
}

// pause waits d or until ctx ends or stop closes (a client's think time).
func pause(ctx context.Context, stop <-chan struct{}, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-stop:
	case <-time.After(d):
	}
}

func stopped(ctx context.Context, stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return ctx.Err() != nil
	}
}

// kiosk issues tickets, half of them with an idempotency key.
type kiosk struct {
	n    int
	seq  int
	l    *load
	j    *journal
	cur  *current
	rng  *rand.Rand
	pend map[string]any // the unanswered keyed request, to retry
}

func (k *kiosk) loop(ctx context.Context, stop <-chan struct{}) {
	for !stopped(ctx, stop) && k.pend == nil {
		k.seq++
		body := map[string]any{"item": k.l.items[k.rng.IntN(len(k.l.items))], "hall": k.l.inst.HallID}
		keyed := k.rng.IntN(2) == 0
		if keyed {
			body["idempotency_key"] = fmt.Sprintf("soak-%d-%d", k.n, k.seq)
		}
		sent := time.Now()
		a := call(ctx, "POST", k.cur.get()+"/api/v1/tickets", k.l.inst.Kiosk, body)
		k.j.mu.Lock()
		switch {
		case a.Err != nil:
			k.j.unack++
			if keyed {
				k.pend = body
			} else {
				k.j.unkeyed++
			}
		case a.Status >= 500:
			k.j.s5xx++
			if !k.j.outage {
				k.j.prob.add("issue: %d %s", a.Status, a.Body)
			}
			if keyed {
				k.pend = body
			} else {
				k.j.unkeyed++
			}
		case a.Status == 201 || a.Status == 200:
			k.j.ack++
			k.j.acked = append(k.j.acked, span{sent, time.Now()})
		default:
			k.j.prob.add("issue: unexpected %d %s", a.Status, a.Body)
		}
		k.j.mu.Unlock()
		if a.Err == nil && (a.Status == 201 || a.Status == 200) {
			var t ticketJSON
			json.Unmarshal(a.Body, &t)
			k.j.issued(t)
		}
		pause(ctx, stop, time.Duration(2+k.rng.IntN(10))*time.Millisecond)
	}
}

// resolve retries the unanswered keyed issue: 200 means the first attempt
// had committed, 201 that it had not.
func (k *kiosk) resolve(ctx context.Context) error {
	if k.pend == nil {
		return nil
	}
	a := call(ctx, "POST", k.cur.get()+"/api/v1/tickets", k.l.inst.Kiosk, k.pend)
	if a.Err != nil || (a.Status != 200 && a.Status != 201) {
		return fmt.Errorf("retry of an issue with its key: %d %v %s", a.Status, a.Err, a.Body)
	}
	var t ticketJSON
	json.Unmarshal(a.Body, &t)
	k.j.mu.Lock()
	k.j.ack++
	if a.Status == 200 {
		k.j.committed++
	}
	k.j.mu.Unlock()
	k.j.issued(t)
	k.pend = nil
	return nil
}

// caseItem is the item the clerks accept cases for, with its materials.
const caseItem = "RS-A-004"

var caseMaterials = []string{"居民身份证", "相关类别证明"}

// clerk works one window: call, then start and finish, or hold and
// return, or transfer, or recall; after some finishes a case is accepted
// and moved to in_review and completed.
type clerk struct {
	n       int
	l       *load
	j       *journal
	cur     *current
	rng     *rand.Rand
	cases   bool
	ticket  int64 // the window's ticket (called, serving or held); 0 = none
	state   string
	item    string
	kase    int64 // the open case; 0 = none
	kstate  string
	missing []string // materials the open case still lacks
	nCase   int
	pend    *pending
}

// pending is a request that got no answer: after the restart the clerk
// reads back whether it committed.
type pending struct {
	kind     string // call, act, case, case_state
	from, to string
	body     any
	sent     time.Time
}

func (c *clerk) token() string { return c.l.inst.Tokens[c.n] }

func (c *clerk) loop(ctx context.Context, stop <-chan struct{}) {
	for !stopped(ctx, stop) && c.pend == nil {
		c.step(ctx, stop)
	}
}

// send makes a request; an unanswered or 5xx one becomes pending.
func (c *clerk) send(ctx context.Context, method, path string, body any, p pending) (answer, bool) {
	p.sent = time.Now()
	a, ok, pend := c.j.send(ctx, method, c.cur.get(), path, c.token(), body)
	if pend {
		p.body = body
		c.pend = &p
	}
	return a, ok
}

// send makes a request and counts its answer: ok when 2xx; pend when it
// got no answer or a 5xx (the caller settles it later).
func (j *journal) send(ctx context.Context, method, base, path, token string, body any) (a answer, ok, pend bool) {
	sent := time.Now()
	a = call(ctx, method, base+path, token, body)
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case a.Err != nil:
		j.unack++
		return a, false, true
	case a.Status >= 500:
		j.s5xx++
		if !j.outage {
			j.prob.add("%s %s: %d %s", method, path, a.Status, a.Body)
		}
		return a, false, true
	case a.Status >= 200 && a.Status < 300:
		j.ack++
		j.acked = append(j.acked, span{sent, time.Now()})
		return a, true, false
	}
	return a, false, false
}

func (c *clerk) step(ctx context.Context, stop <-chan struct{}) {
	base := fmt.Sprintf("/api/v1/tickets/%d/", c.ticket)
	r := c.rng.IntN(100)
	switch {
	case c.kase != 0:
		// accepted → in_review → completed; a case waiting in correction
		// (the one-time notice) goes to in_review when the missing
		// materials are handed in.
		body := map[string]any{"to": "in_review"}
		if c.kstate == "in_review" {
			body["to"] = "completed"
		} else if c.kstate == "correction" {
			body["received"] = c.missing
		}
		to := body["to"].(string)
		a, ok := c.send(ctx, "POST", fmt.Sprintf("/api/v1/cases/%d/state", c.kase), body, pending{kind: "case_state", from: c.kstate, to: to})
		c.caseAnswer(a, ok, "case state")
	case c.ticket == 0:
		a, ok := c.send(ctx, "POST", fmt.Sprintf("/api/v1/windows/%d/call", c.l.inst.Windows[c.n]), nil, pending{kind: "call"})
		if ok {
			c.took(a, tookByCall)
		} else if a.Err == nil && a.Status == 404 {
			pause(ctx, stop, 20*time.Millisecond) // nothing waits
		} else if c.pend == nil {
			c.j.prob.add("call at window %d: %d %s", c.n, a.Status, a.Body)
		}
	case c.state == "held":
		c.act(ctx, base+"return", nil, "waiting")
	case c.state == "called" && r < 8:
		c.act(ctx, base+"hold", nil, "held")
	case c.state == "called" && r < 16:
		if w := c.transferTarget(); w != 0 {
			c.act(ctx, base+"transfer", map[string]int64{"window": c.l.inst.Windows[w]}, "waiting")
		} else {
			c.act(ctx, base+"start", nil, "serving")
		}
	case c.state == "called" && r < 20:
		c.act(ctx, base+"recall", nil, "called")
	case c.state == "called":
		c.act(ctx, base+"start", nil, "serving")
	case c.state == "serving" && r < 8:
		c.act(ctx, base+"hold", nil, "held")
	case c.state == "serving":
		if c.act(ctx, base+"finish", nil, "done") && c.cases && r < 45 {
			c.accept(ctx)
		}
	}
}

// transferTarget is another worked window that serves the ticket's item.
func (c *clerk) transferTarget() int {
	var ws []int
	for _, n := range c.l.windows {
		if n != c.n && slices.Contains(c.l.inst.Serves[n], c.item) {
			ws = append(ws, n)
		}
	}
	if len(ws) == 0 {
		return 0
	}
	return ws[c.rng.IntN(len(ws))]
}

// act moves the window's ticket; it reports whether it was acknowledged.
func (c *clerk) act(ctx context.Context, path string, body any, to string) bool {
	a, ok := c.send(ctx, "POST", path, body, pending{kind: "act", from: c.state, to: to})
	if ok {
		c.took(a, tookByMove)
		return true
	}
	if c.pend == nil {
		c.j.prob.add("window %d %s: %d %s", c.n, path, a.Status, a.Body)
	}
	return false
}

// How an answer reached the clerk: its own move, its acknowledged call,
// or a read-back after an unanswered request.
type how int

const (
	tookByMove how = iota
	tookByCall
	tookByReadBack
)

// took records the ticket an answer returned as the window's.
func (c *clerk) took(a answer, h how) {
	var t ticketJSON
	json.Unmarshal(a.Body, &t)
	c.j.moved(t, int(c.l.inst.Windows[c.n]), h != tookByMove)
	if h == tookByCall {
		c.j.mu.Lock()
		c.j.calls[t.Day+"/"+t.Number] = true
		c.j.mu.Unlock()
	}
	c.ticket, c.state, c.item = t.ID, t.State, t.Item
	if t.State != "called" && t.State != "serving" && t.State != "held" {
		c.ticket, c.state = 0, ""
	}
}

// accept takes a case for the item the clerk accepts, with an
// idempotency key.
func (c *clerk) accept(ctx context.Context) {
	c.nCase++
	first := fmt.Sprintf("1101051980%02d%02d%03d", 1+c.n%12, 1+c.nCase%28, c.nCase%1000)
	ch, _ := pii.IDCheckCharacter(first)
	var ms []map[string]string
	for _, m := range caseMaterials {
		ms = append(ms, map[string]string{"name": m, "status": "received"})
	}
	body := map[string]any{"item_code": caseItem, "applicant_kind": "person", "name": "申请人", "id_number": first + string(ch),
		"phone": fmt.Sprintf("138%04d%04d", c.n, c.nCase%10000), "delivery": "pickup", "materials": ms,
		"idempotency_key": fmt.Sprintf("soak-case-%d-%d", c.n, c.nCase)}
	a, ok := c.send(ctx, "POST", "/api/v1/cases", body, pending{kind: "case"})
	c.caseAnswer(a, ok, "accept case")
	if ok {
		c.sentID(body)
	}
}

// sentID records the ID number a case was accepted with.
func (c *clerk) sentID(body any) {
	c.j.mu.Lock()
	defer c.j.mu.Unlock()
	if c.kase != 0 {
		c.j.ids[c.kase], _ = body.(map[string]any)["id_number"].(string)
	}
}

func (c *clerk) caseAnswer(a answer, ok bool, what string) {
	if !ok {
		if c.pend == nil {
			c.j.prob.add("window %d %s: %d %s", c.n, what, a.Status, a.Body)
			c.kase = 0 // give the case up rather than loop on it
		}
		return
	}
	var v caseJSON
	json.Unmarshal(a.Body, &v)
	c.j.mu.Lock()
	c.j.cases[v.ID] = v.State
	c.j.mu.Unlock()
	c.kase, c.kstate, c.missing = v.ID, v.State, nil
	for _, m := range v.Materials {
		if m.Status == "missing" {
			c.missing = append(c.missing, m.Name)
		}
	}
	if v.State != "accepted" && v.State != "in_review" && v.State != "correction" {
		c.kase = 0
	}
}

// readBack records what reading back an unanswered move found: the state
// it was to reach (it committed), the one before (it did not), or another
// (a problem).
func (j *journal) readBack(what string, p *pending, got string) {
	switch got {
	case p.to:
		j.mu.Lock()
		j.committed++
		j.mu.Unlock()
	case p.from:
	default:
		j.prob.add("%s: %s → %s unanswered, found %s", what, p.from, p.to, got)
	}
}

type transitionJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	At   int64  `json:"at"`
}

// movedSince reports whether a ticket's life has the pending move since
// the request was sent.
func movedSince(life []transitionJSON, p *pending) bool {
	for _, tr := range life {
		if tr.From == p.from && tr.To == p.to && tr.At >= p.sent.UnixMilli() {
			return true
		}
	}
	return false
}

// resolve reads back what an unanswered request did.
func (c *clerk) resolve(ctx context.Context) error {
	p := c.pend
	if p == nil {
		return nil
	}
	base := c.cur.get()
	get := func(path string, out any) error {
		a := call(ctx, "GET", base+path, c.token(), nil)
		if a.Err != nil || a.Status != 200 {
			return fmt.Errorf("window %d: read back %s: %d %v %s", c.n, path, a.Status, a.Err, a.Body)
		}
		return json.Unmarshal(a.Body, out)
	}
	switch p.kind {
	case "call":
		var con struct {
			Current *ticketJSON `json:"current"`
		}
		if err := get(fmt.Sprintf("/api/v1/windows/%d/console", c.l.inst.Windows[c.n]), &con); err != nil {
			return err
		}
		if con.Current != nil {
			c.j.mu.Lock()
			c.j.committed++
			c.j.mu.Unlock()
			b, _ := json.Marshal(con.Current)
			c.took(answer{Body: b}, tookByReadBack)
		}
	case "act":
		var got struct {
			Ticket      ticketJSON       `json:"ticket"`
			Transitions []transitionJSON `json:"transitions"`
		}
		if err := get(fmt.Sprintf("/api/v1/tickets/%d", c.ticket), &got); err != nil {
			return err
		}
		t := got.Ticket
		if p.to == "waiting" && t.State != p.from && t.State != p.to && movedSince(got.Transitions, p) {
			// A return or transfer puts the ticket back in the queue, where
			// another window may call it before the kill (in the same
			// grouped commit, even): it committed, and the ticket is no
			// longer this window's.
			c.j.mu.Lock()
			c.j.committed++
			c.j.mu.Unlock()
			c.ticket, c.state = 0, ""
		} else {
			c.j.readBack(fmt.Sprintf("ticket %d", c.ticket), p, t.State)
			b, _ := json.Marshal(t)
			c.took(answer{Body: b}, tookByReadBack)
		}
	case "case":
		a := call(ctx, "POST", base+"/api/v1/cases", c.token(), p.body)
		if a.Err != nil || (a.Status != 200 && a.Status != 201) {
			return fmt.Errorf("window %d: retry of a case with its key: %d %v %s", c.n, a.Status, a.Err, a.Body)
		}
		c.j.mu.Lock()
		c.j.ack++
		if a.Status == 200 {
			c.j.committed++
		}
		c.j.mu.Unlock()
		c.caseAnswer(a, true, "")
		c.sentID(p.body)
	case "case_state":
		var v caseJSON
		if err := get(fmt.Sprintf("/api/v1/cases/%d", c.kase), &v); err != nil {
			return err
		}
		c.j.readBack(fmt.Sprintf("case %d", c.kase), p, v.State)
		b, _ := json.Marshal(v)
		c.caseAnswer(answer{Body: b}, true, "")
	}
	c.pend = nil // only once settled: a failed read-back is tried again
	return nil
}
