package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/events"
	"mingbai/internal/hall"
	"mingbai/internal/queue"
	"mingbai/internal/sim"
	"mingbai/internal/store"
)

// TrafficSource marks every audit record written by the living demo hall.
const TrafficSource = "demo-traffic"

// HallCode is the code of the demo hall; the living demo acts in no other.
const HallCode = "demo"

// TrafficOptions configure the living demo hall.
type TrafficOptions struct {
	// Speed is scenario minutes per wall minute: 1 runs a hall day in real
	// time, 60 runs a scenario hour in a minute.
	Speed float64
	// Scenario is an embedded simulator scenario (default "reference").
	Scenario string
	// StartAt is the scenario's clock when the demo starts (default
	// "10:00": the busiest hour of the reference day, above the hall's
	// capacity, so that a newcomer sees people waiting within minutes).
	StartAt string
	// Seed makes the arrivals reproducible (default: from the start time).
	Seed uint64
	// Events, when set, wakes idle clerks as soon as a ticket is issued
	// (the newcomer's own kiosk ticket is called without delay) and tells
	// the demo when a person signs in or out at a window.
	Events *events.Broker
	Log    *slog.Logger
}

type trafficClerk struct {
	Clerk
	windowID int64
	who      store.Staffer
	ctx      context.Context
}

type plannedTicket struct {
	noShow  bool
	service float64 // minutes at average speed
	day     *sim.Day
}

type traffic struct {
	db     *store.DB
	o      TrafficOptions
	log    *slog.Logger
	hallID int64
	plan   *sim.Plan
	clock  Clock
	feed   *Feed
	params Params
	clerks []*trafficClerk
	// planned maps the tickets the demo issued to what the scenario says
	// about their holders.
	planned map[int64]plannedTicket
	items   map[string]bool // published items (false: skip)
	citizen context.Context
	started int64
	issued  int
}

// RunTraffic runs the living demo hall until ctx ends: simulated citizens
// take tickets along the scenario's arrivals (scaled by Speed), and a
// simulated clerk at each window signs in along its shifts, calls, serves,
// recalls and finishes through the same store operations as the window
// console. A person who signs in at a window takes it over until they sign
// out. It acts only in the hall whose code is HallCode.
func RunTraffic(ctx context.Context, db *store.DB, o TrafficOptions) error {
	tr, err := newTraffic(ctx, db, o)
	if err != nil {
		return err
	}
	return tr.run(ctx)
}

// CheckTraffic reports whether the living demo can run on db: it needs the
// demo hall.
func CheckTraffic(ctx context.Context, db *store.DB) error {
	_, err := demoHall(ctx, db)
	return err
}

func demoHall(ctx context.Context, db *store.DB) (hall.Hall, error) {
	halls, err := db.ListHalls(ctx)
	if err != nil {
		return hall.Hall{}, err
	}
	for _, h := range halls {
		if h.Code == HallCode {
			return h, nil
		}
	}
	return hall.Hall{}, fmt.Errorf("demo traffic: no hall with code %q (start with --demo on an empty database, or --demo-traffic=false)", HallCode)
}

func newTraffic(ctx context.Context, db *store.DB, o TrafficOptions) (*traffic, error) {
	if o.Speed <= 0 {
		o.Speed = 1
	}
	if o.Scenario == "" {
		o.Scenario = "reference"
	}
	if o.StartAt == "" {
		o.StartAt = "10:00"
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h, err := demoHall(ctx, db)
	if err != nil {
		return nil, err
	}
	sc, err := sim.LoadScenario(o.Scenario)
	if err != nil {
		return nil, err
	}
	plan, err := sc.Compile()
	if err != nil {
		return nil, err
	}
	start, err := ClockMinutes(o.StartAt)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if o.Seed == 0 {
		o.Seed = uint64(now.UnixNano())
	}
	st, err := db.QueueSettings(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	tr := &traffic{db: db, o: o, log: log, hallID: h.ID, plan: plan,
		clock:   Clock{Start: now, Speed: o.Speed, Open: plan.Open(), Close: plan.Close(), StartMinute: start},
		params:  DefaultParams(st.MaxRecalls, sc.RecallMinutes),
		planned: map[int64]plannedTicket{}, items: map[string]bool{}, started: now.Unix(),
		citizen: store.WithActor(ctx, store.Actor{Name: "demo-citizen", Role: "anonymous", Source: TrafficSource}),
	}
	tr.feed = NewFeed(plan, tr.clock, o.Seed)
	windows, err := db.ListWindows(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	for _, w := range windows {
		user := "sim:" + w.Number
		c := &trafficClerk{Clerk: Clerk{Window: w.Number}, windowID: w.ID,
			who: store.Staffer{Username: user, StaffID: w.StaffID, Simulated: true},
			ctx: store.WithActor(ctx, store.Actor{Name: user, Role: "window_staff", Source: TrafficSource})}
		tr.clerks = append(tr.clerks, c)
	}
	return tr, nil
}

// ClockMinutes reads a clock time "HH:MM" as minutes after midnight.
func ClockMinutes(s string) (float64, error) {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, fmt.Errorf("demo traffic: bad clock time %q (want HH:MM)", s)
	}
	return float64(h*60 + m), nil
}

// maxSleep bounds the wait between two looks at the hall, so that shift
// changes and people signing in are noticed without events.
const maxSleep = 2 * time.Second

func (tr *traffic) run(ctx context.Context) error {
	var sub *events.Sub
	subscribe := func() {
		if tr.o.Events != nil {
			sub = tr.o.Events.Subscribe(tr.hallID)
		}
	}
	subscribe()
	defer func() {
		if sub != nil {
			tr.o.Events.Unsubscribe(sub)
		}
	}()
	tr.log.Info("demo traffic started", "hall", tr.hallID, "speed", tr.o.Speed, "scenario", tr.o.Scenario, "clock", tr.o.StartAt)
	dirty := true
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if ctx.Err() != nil {
			return nil
		}
		if dirty {
			if err := tr.reconcile(ctx); err != nil && ctx.Err() == nil {
				tr.log.Warn("demo traffic: window sessions", "err", err)
			}
			dirty = false
		}
		next := tr.step(ctx)
		wait := time.Until(tr.clock.Wall(next))
		wait = min(max(wait, 5*time.Millisecond), maxSleep)
		timer.Reset(wait)
		var evc <-chan *events.Event
		if sub != nil {
			evc = sub.C
		}
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
			dirty = true
		case ev, ok := <-evc:
			if !ok {
				// Dropped as a slow subscriber, or the broker closed at
				// shutdown: fall back to the timer.
				sub = nil
				continue
			}
			switch ev.Kind {
			case store.EventTicketIssued, store.EventTicketUpdated:
				now := tr.clock.Abs(time.Now())
				for _, c := range tr.clerks {
					c.Wake(now)
				}
			case store.EventWindowState:
				dirty = true
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// step issues the due arrivals and moves every clerk as far as it can go
// now; it returns the scenario time at which something is due next.
func (tr *traffic) step(ctx context.Context) float64 {
	now := tr.clock.Abs(time.Now())
	due := tr.feed.Due(now)
	for _, a := range due {
		if ctx.Err() != nil {
			return now
		}
		tr.issue(a)
	}
	if len(due) > 0 {
		for _, c := range tr.clerks {
			c.Wake(now)
		}
	}
	next := tr.feed.NextAt()
	_, minute := tr.clock.DayMinute(now)
	for _, c := range tr.clerks {
		onShift := tr.plan.OnShift(c.Window, minute)
		for range 8 {
			if ctx.Err() != nil {
				return now
			}
			a, at := c.Next(now, onShift, tr.params)
			if a == Wait {
				next = math.Min(next, at)
				break
			}
			o, info := tr.act(c, a)
			c.Apply(a, o, now, tr.params, info)
		}
	}
	return next
}

func (tr *traffic) issue(a DueArrival) {
	ok, known := tr.items[a.Item]
	if !known {
		_, err := tr.db.PublishedItem(tr.citizen, a.Item)
		ok = err == nil
		tr.items[a.Item] = ok
	}
	if !ok {
		return
	}
	prio := a.Priority
	if prio == queue.PriorityAppointment {
		// Appointments need a booking with a confirmed phone; the demo's
		// citizens take ordinary tickets instead.
		prio = queue.PriorityNone
	}
	tr.issued++
	res, err := tr.db.IssueTicket(tr.citizen, store.IssueRequest{HallID: tr.hallID, Item: a.Item, Zone: a.Zone, Priority: prio,
		Channel: store.ChannelKiosk, IdemKey: fmt.Sprintf("demo:%d:%d", tr.started, tr.issued)})
	if err != nil {
		tr.log.Debug("demo traffic: ticket not issued", "item", a.Item, "err", err)
		return
	}
	if len(tr.planned) > 20000 {
		tr.planned = map[int64]plannedTicket{}
	}
	tr.planned[res.Ticket.ID] = plannedTicket{noShow: a.NoShow, service: a.ServiceMinutes, day: a.Day}
}

// reconcile brings the clerks in line with the window sessions: a window
// where a person is signed in is theirs; a simulated session of an earlier
// run is taken up again.
func (tr *traffic) reconcile(ctx context.Context) error {
	sessions, err := tr.db.WindowSessions(ctx, tr.hallID)
	if err != nil {
		return err
	}
	now := tr.clock.Abs(time.Now())
	for _, c := range tr.clerks {
		s, ok := sessions[c.windowID]
		mine := ok && s.Simulated && s.Username == c.who.Username
		switch {
		case ok && !mine:
			if c.Phase != Human {
				c.reset(Human, now)
			}
		case mine:
			if c.Phase == Off || c.Phase == Human {
				c.reset(Idle, now)
			}
		default:
			if c.Phase != Off {
				c.reset(Off, now)
			}
		}
	}
	return nil
}

// act carries out one action of a clerk through the store.
func (tr *traffic) act(c *trafficClerk, a Action) (Outcome, CallInfo) {
	var err error
	switch a {
	case SignIn:
		_, err = tr.db.SignInWindow(c.ctx, tr.hallID, c.windowID, c.who)
	case SignOut:
		_, err = tr.db.SetWindowState(c.ctx, tr.hallID, c.windowID, c.who, store.WindowClosed, "")
	case Call:
		var t store.Ticket
		t, err = tr.db.CallNext(c.ctx, store.CallRequest{HallID: tr.hallID, WindowID: c.windowID, By: c.who})
		if err == nil {
			return Done, tr.callInfo(c, t)
		}
		if ae := apperr.As(err); ae != nil && ae.Key == "queue.window_busy" {
			// A ticket is still at the window (left by a person who signed
			// out, or by an earlier run): carry on with it.
			return tr.adopt(c)
		}
	case Start, Recall, NoShow, Finish:
		action := map[Action]string{Start: store.ActStart, Recall: store.ActRecall, NoShow: store.ActNoShow, Finish: store.ActFinish}[a]
		_, err = tr.db.ActOnTicket(c.ctx, store.ActRequest{HallID: tr.hallID, TicketID: c.Ticket, By: c.who, Action: action})
	}
	return tr.outcome(a, err), CallInfo{}
}

func (tr *traffic) callInfo(c *trafficClerk, t store.Ticket) CallInfo {
	p, ok := tr.planned[t.ID]
	delete(tr.planned, t.ID)
	if !ok {
		// Not one of the demo's citizens (a newcomer's ticket): they come,
		// and take the item's mean time.
		p = plannedTicket{service: tr.plan.MeanService(t.Item), day: tr.feed.Today()}
	}
	return CallInfo{Ticket: t.ID, NoShow: p.noShow, Service: p.day.Service(c.Window, p.service)}
}

// adopt takes up the ticket already at the clerk's window.
func (tr *traffic) adopt(c *trafficClerk) (Outcome, CallInfo) {
	con, err := tr.db.WindowConsole(c.ctx, tr.hallID, c.windowID)
	if err != nil || con.Current == nil {
		return tr.outcome(Call, err), CallInfo{}
	}
	info := tr.callInfo(c, *con.Current)
	info.NoShow, info.Serving = false, con.Current.State == "serving"
	return Done, info
}

func (tr *traffic) outcome(a Action, err error) Outcome {
	if err == nil {
		return Done
	}
	ae := apperr.As(err)
	switch {
	case ae != nil && ae.Key == "queue.nothing_waiting":
		return Empty
	case ae != nil && (ae.Key == "queue.window_taken" || ae.Key == "queue.not_signed_in" || ae.Key == "queue.not_your_ticket" || ae.Key == "queue.window_paused"):
		return TakenOver
	case ae != nil && (ae.Code == apperr.Conflict || ae.Code == apperr.NotFound):
		// The ticket moved on without the clerk (cancelled by its holder).
		return Lost
	case errors.Is(err, context.Canceled):
		return Empty
	}
	tr.log.Warn("demo traffic", "action", a, "err", err)
	if a == Call {
		return Empty
	}
	return Lost
}
