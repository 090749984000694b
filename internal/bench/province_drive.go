package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"mingbai/internal/catalog"
	"mingbai/internal/demo"
	"mingbai/internal/pii"
	"mingbai/internal/queue"
	"mingbai/internal/sim"
)

// The operations of the province load, in the order of the table.
var provinceOps = []string{"issue", "call", "start", "finish", "recall", "no-show", "transfer", "case", "session"}

// driver plays the scenario in many halls over HTTP: kiosks issue along
// the day trace, clerks (internal/demo's state machine) sign in along their
// shifts, call, start, recall and finish, transfer a share of their
// tickets and accept a case for a share of their services.
type driver struct {
	cfg    ProvinceConfig
	plan   *sim.Plan
	params demo.Params
	urls   []string
	client *http.Client
	rr     atomic.Uint64
	run    int64 // distinguishes idempotency keys of runs

	measuring atomic.Bool
	rec       map[string]*recorder
	empty     atomic.Int64 // calls that found nothing waiting (404, not an error)
	lag       recorder     // how late the kiosks issued the due arrivals

	materials map[string][]map[string]string // item → its materials, received
	sameZone  map[string][]string            // item → other items of its zone
}

func newDriver(cfg ProvinceConfig, plan *sim.Plan, sc *sim.Scenario, urls []string) (*driver, error) {
	d := &driver{cfg: cfg, plan: plan, urls: urls, client: newClient(512), run: time.Now().UnixNano(),
		params: demo.DefaultParams(3, sc.RecallMinutes), rec: map[string]*recorder{},
		materials: map[string][]map[string]string{}, sameZone: map[string][]string{}}
	for _, op := range provinceOps {
		d.rec[op] = &recorder{}
	}
	items, err := catalog.DemoItems()
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		ms := []map[string]string{}
		for _, m := range it.Materials {
			ms = append(ms, map[string]string{"name": m.Name, "status": "received"})
		}
		d.materials[it.Code] = ms
	}
	for _, z := range sc.Zones {
		for _, a := range z.Items {
			for _, b := range z.Items {
				if a.Code != b.Code {
					d.sameZone[a.Code] = append(d.sameZone[a.Code], b.Code)
				}
			}
		}
	}
	return d, nil
}

// post sends one operation to the next server in turn and records it
// while measuring.
func (d *driver) post(ctx context.Context, op, path, token string, body, out any) error {
	base := d.urls[d.rr.Add(1)%uint64(len(d.urls))]
	on := d.measuring.Load()
	t0 := time.Now()
	err := post(ctx, d.client, base+path, token, body, out)
	if ctx.Err() != nil && err != nil {
		return err // the step ended under the request: not the server's fault
	}
	if se := (*statusError)(nil); op == "call" && errors.As(err, &se) && se.Status == 404 {
		if on {
			d.rec[op].add(time.Since(t0), nil)
			d.empty.Add(1)
		}
		return err
	}
	if on {
		d.rec[op].add(time.Since(t0), err)
	}
	return err
}

type planned struct {
	noShow  bool
	service float64 // minutes at average speed
	day     *sim.Day
}

// hallDriver is the simulated public and clerks of one hall.
type hallDriver struct {
	d      *driver
	h      *provinceHall
	seed   uint64
	abs    float64 // scenario time the hall has reached
	clock  demo.Clock
	feed   *demo.Feed
	mu     sync.Mutex
	plans  map[int64]planned
	clerks []*clerk
	issued int
	calls  atomic.Int64 // successful calls while measuring
}

type clerk struct {
	demo.Clerk
	id    int64
	token string
	wake  chan struct{}
	rng   *rand.Rand
	cases int
	item  string // the item of the current ticket
}

func (d *driver) newHall(h *provinceHall, start float64) *hallDriver {
	hd := &hallDriver{d: d, h: h, seed: d.cfg.Seed + uint64(h.n)*7919, plans: map[int64]planned{}, abs: start - d.plan.Open()}
	for w := 1; w <= 22; w++ {
		num := fmt.Sprint(w)
		hd.clerks = append(hd.clerks, &clerk{Clerk: demo.Clerk{Window: num}, id: h.windows[num], token: h.tokens[num],
			wake: make(chan struct{}, 1), rng: rand.New(rand.NewPCG(hd.seed, uint64(w)))})
	}
	return hd
}

// resume restarts the hall's scenario clock where it stopped.
func (hd *hallDriver) resume(now time.Time) {
	hd.clock = demo.Clock{Start: now, Speed: hd.d.cfg.Speed, Open: hd.d.plan.Open(), Close: hd.d.plan.Close(), StartMinute: hd.d.plan.Open() + hd.abs}
	hd.feed = demo.NewFeed(hd.d.plan, hd.clock, hd.seed)
}

// warm puts the hall where the scenario has it at the start, unmeasured:
// the tickets of the warm-up minutes before the start are issued, the
// windows on shift sign in, and each takes a ticket whose service began
// before the start (its remaining time drawn uniformly: windows finish
// spread out, as in a running hall, not all at once).
func (hd *hallDriver) warm(ctx context.Context, warmup float64) error {
	back := hd.abs - warmup
	clock := demo.Clock{Start: time.Now(), Speed: 1e-9, Open: hd.d.plan.Open(), Close: hd.d.plan.Close(), StartMinute: hd.d.plan.Open() + back}
	feed := demo.NewFeed(hd.d.plan, clock, hd.seed)
	for _, a := range feed.Due(hd.abs) {
		if err := hd.issue(ctx, a); err != nil {
			return err
		}
	}
	_, minute := clock.DayMinute(hd.abs)
	for _, c := range hd.clerks {
		if !hd.d.plan.OnShift(c.Window, minute) {
			continue
		}
		for _, a := range []demo.Action{demo.SignIn, demo.Call} {
			o, info := hd.act(ctx, c, a)
			if a == demo.Call && o == demo.Done {
				if err := hd.d.post(ctx, "start", fmt.Sprintf("/api/v1/tickets/%d/start", info.Ticket), c.token, nil, nil); err != nil {
					return fmt.Errorf("warm-up start: %w", err)
				}
				info.Serving, info.Service = true, info.Service*c.rng.Float64()
			}
			c.Apply(a, o, hd.abs, hd.d.params, info)
		}
	}
	return nil
}

// play runs the hall until stop: the kiosk and every clerk in goroutines.
func (hd *hallDriver) play(ctx context.Context, stop time.Time) {
	ctx, cancel := context.WithDeadline(ctx, stop)
	defer cancel()
	hd.resume(time.Now())
	var wg sync.WaitGroup
	wg.Add(1 + len(hd.clerks))
	go func() { defer wg.Done(); hd.kiosk(ctx) }()
	for _, c := range hd.clerks {
		go func() { defer wg.Done(); hd.work(ctx, c) }()
	}
	wg.Wait()
	hd.abs = hd.clock.Abs(stop)
}

func (hd *hallDriver) kiosk(ctx context.Context) {
	for ctx.Err() == nil {
		next := hd.feed.NextAt()
		if !sleepUntil(ctx, hd.clock.Wall(next), nil) {
			return
		}
		late := time.Since(hd.clock.Wall(next))
		due := hd.feed.Due(hd.clock.Abs(time.Now()))
		for _, a := range due {
			if hd.d.measuring.Load() {
				hd.d.lag.add(late, nil)
			}
			hd.issue(ctx, a)
		}
		if len(due) > 0 {
			for _, c := range hd.clerks {
				select {
				case c.wake <- struct{}{}:
				default:
				}
			}
		}
	}
}

func (hd *hallDriver) work(ctx context.Context, c *clerk) {
	for ctx.Err() == nil {
		now := hd.clock.Abs(time.Now())
		_, minute := hd.clock.DayMinute(now)
		a, at := c.Next(now, hd.d.plan.OnShift(c.Window, minute), hd.d.params)
		if a == demo.Wait {
			if sleepUntil(ctx, hd.clock.Wall(min(at, now+60)), c.wake) {
				c.Wake(hd.clock.Abs(time.Now()))
			}
			continue
		}
		o, info := hd.act(ctx, c, a)
		if ctx.Err() != nil {
			return // the step ended under the request: state as before it
		}
		c.Apply(a, o, now, hd.d.params, info)
	}
}

// sleepUntil waits until t, a wake-up or the end of ctx; it reports
// whether ctx is still live.
func sleepUntil(ctx context.Context, t time.Time, wake <-chan struct{}) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
	case <-wake:
	}
	return true
}

// greenOK are the priorities a kiosk issues (appointments need a booking:
// the scenario's appointment holders take ordinary tickets).
var greenOK = map[queue.PriorityReason]bool{queue.PriorityElderly: true, queue.PriorityDisabled: true, queue.PriorityPregnant: true, queue.PriorityMilitary: true}

func (hd *hallDriver) issue(ctx context.Context, a demo.DueArrival) error {
	if !hd.h.offered[a.Item] {
		return nil
	}
	hd.issued++
	body := map[string]string{"item": a.Item, "idempotency_key": fmt.Sprintf("province-%d-%d-%d", hd.d.run, hd.h.n, hd.issued)}
	if greenOK[a.Priority] {
		body["priority"] = string(a.Priority)
	}
	var t struct {
		ID int64 `json:"id"`
	}
	if err := hd.d.post(ctx, "issue", "/api/v1/tickets", hd.h.kiosk, body, &t); err != nil {
		return err
	}
	hd.mu.Lock()
	hd.plans[t.ID] = planned{noShow: a.NoShow, service: a.ServiceMinutes, day: a.Day}
	hd.mu.Unlock()
	return nil
}

// act carries out one action of a clerk over HTTP.
func (hd *hallDriver) act(ctx context.Context, c *clerk, a demo.Action) (demo.Outcome, demo.CallInfo) {
	d := hd.d
	tp := func(what string) string { return fmt.Sprintf("/api/v1/tickets/%d/%s", c.Ticket, what) }
	var err error
	switch a {
	case demo.SignIn, demo.SignOut:
		state := map[demo.Action]string{demo.SignIn: "open", demo.SignOut: "closed"}[a]
		err = d.post(ctx, "session", fmt.Sprintf("/api/v1/windows/%d/session", c.id), c.token, map[string]string{"state": state}, nil)
	case demo.Call:
		var t struct {
			ID   int64  `json:"id"`
			Item string `json:"item"`
		}
		err = d.post(ctx, "call", fmt.Sprintf("/api/v1/windows/%d/call", c.id), c.token, nil, &t)
		if se := (*statusError)(nil); errors.As(err, &se) && se.Status == 404 {
			return demo.Empty, demo.CallInfo{}
		}
		if err != nil {
			return demo.Empty, demo.CallInfo{}
		}
		if d.measuring.Load() {
			hd.calls.Add(1)
		}
		c.item = t.Item
		hd.mu.Lock()
		p, ok := hd.plans[t.ID]
		delete(hd.plans, t.ID)
		hd.mu.Unlock()
		if !ok {
			p = planned{service: d.plan.MeanService(t.Item), day: hd.feed.Today()}
		}
		return demo.Done, demo.CallInfo{Ticket: t.ID, NoShow: p.noShow, Service: p.day.Service(c.Window, p.service)}
	case demo.Start:
		err = d.post(ctx, "start", tp("start"), c.token, nil, nil)
	case demo.Recall:
		err = d.post(ctx, "recall", tp("recall"), c.token, nil, nil)
	case demo.NoShow:
		err = d.post(ctx, "no-show", tp("no-show"), c.token, nil, nil)
	case demo.Finish:
		var t struct {
			Item string `json:"item"`
		}
		if to := c.transferTo(hd); to != "" {
			// Sent on to another item of the zone: back in the queue at
			// its place, to be called again.
			if err = d.post(ctx, "transfer", tp("transfer"), c.token, map[string]string{"item": to}, &t); err == nil {
				hd.mu.Lock()
				hd.plans[c.Ticket] = planned{service: d.plan.MeanService(to), day: hd.feed.Today()}
				hd.mu.Unlock()
			}
			break
		}
		if err = d.post(ctx, "finish", tp("finish"), c.token, nil, &t); err == nil && c.rng.Float64() < d.cfg.CaseShare {
			hd.accept(ctx, c, t.Item)
		}
	}
	if err != nil {
		return demo.Lost, demo.CallInfo{}
	}
	return demo.Done, demo.CallInfo{}
}

// transferTo is the item the clerk sends the current ticket on to (a
// share TransferShare of the services), "" to finish it.
func (c *clerk) transferTo(hd *hallDriver) string {
	others := hd.d.sameZone[c.item]
	if len(others) == 0 || c.rng.Float64() >= hd.d.cfg.TransferShare {
		return ""
	}
	if to := others[c.rng.IntN(len(others))]; hd.h.offered[to] {
		return to
	}
	return ""
}

// accept takes a case for the service just finished, with every material
// of the item's guide received.
func (hd *hallDriver) accept(ctx context.Context, c *clerk, item string) {
	c.cases++
	first := fmt.Sprintf("1101051980%02d%02d%03d", 1+hd.h.n%12, 1+c.cases%28, (hd.h.n*31+c.cases)%1000)
	ch, _ := pii.IDCheckCharacter(first)
	body := map[string]any{"ticket_id": c.Ticket, "item_code": item, "applicant_kind": "person", "name": "申请人", "id_number": first + string(ch),
		"phone": fmt.Sprintf("139%04d%04d", hd.h.n%10000, c.cases%10000), "delivery": "pickup", "materials": hd.d.materials[item],
		"idempotency_key": fmt.Sprintf("province-case-%d-%d-%s-%d", hd.d.run, hd.h.n, c.Window, c.cases)}
	hd.d.post(ctx, "case", "/api/v1/cases", c.token, body, nil)
}
