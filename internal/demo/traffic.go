package demo

import (
	"math"
	"time"

	"mingbai/internal/sim"
)

// The living demo hall: simulated citizens take tickets as the simulator's
// reference scenario says, and simulated clerks sign in along their shifts,
// call, serve and finish at their windows, all through the store
// operations people use. This file holds the decisions, free of I/O;
// traffic_run.go carries them out against the database.

// Clock maps wall-clock time to scenario time. Scenario time is counted in
// continuous minutes (Abs) from the opening of day 0; each scenario day runs
// from the scenario's opening to its closing time, and the next day starts
// as the previous one closes, so the demo hall never stands still.
type Clock struct {
	// Start is the wall time at which scenario time reads StartMinute of
	// day 0.
	Start time.Time
	// Speed is scenario minutes per wall minute (1 = real time).
	Speed       float64
	Open, Close float64 // the scenario day, minutes after midnight
	StartMinute float64
}

// Abs returns the scenario time at wall time t.
func (c Clock) Abs(t time.Time) float64 {
	return c.StartMinute - c.Open + t.Sub(c.Start).Minutes()*c.Speed
}

// Wall returns the wall time at which scenario time reaches abs.
func (c Clock) Wall(abs float64) time.Time {
	return c.Start.Add(time.Duration((abs - (c.StartMinute - c.Open)) / c.Speed * float64(time.Minute)))
}

// DayMinute splits scenario time into the day and the minute after
// midnight.
func (c Clock) DayMinute(abs float64) (day int, minute float64) {
	span := c.Close - c.Open
	day = int(math.Floor(abs / span))
	return day, c.Open + abs - float64(day)*span
}

// AbsOf is the inverse of DayMinute.
func (c Clock) AbsOf(day int, minute float64) float64 {
	return float64(day)*(c.Close-c.Open) + minute - c.Open
}

// Feed hands out a scenario's arrivals in order as scenario time passes,
// generating each day from the seed when it begins. The demo can start in
// the middle of a day: arrivals before the start are not handed out.
type Feed struct {
	plan  *sim.Plan
	clock Clock
	seed  uint64

	day  int
	cur  *sim.Day
	next int
}

// NewFeed returns a feed that starts at the clock's start.
func NewFeed(plan *sim.Plan, clock Clock, seed uint64) *Feed {
	f := &Feed{plan: plan, clock: clock, seed: seed}
	start := clock.Abs(clock.Start)
	d, _ := clock.DayMinute(start)
	f.load(d)
	for f.next < len(f.cur.Arrivals) && f.at(f.next) < start {
		f.next++
	}
	return f
}

func (f *Feed) load(d int) { f.day, f.cur, f.next = d, f.plan.Day(f.seed, d), 0 }

func (f *Feed) at(i int) float64 { return f.clock.AbsOf(f.day, f.cur.Arrivals[i].Minute) }

// Due returns the arrivals up to scenario time abs that were not handed out
// yet, each with its day (the clerks need the day's staff speeds).
func (f *Feed) Due(abs float64) []DueArrival {
	var out []DueArrival
	for {
		for f.next < len(f.cur.Arrivals) && f.at(f.next) <= abs {
			out = append(out, DueArrival{Arrival: f.cur.Arrivals[f.next], Day: f.cur})
			f.next++
		}
		if f.clock.AbsOf(f.day+1, f.clock.Open) > abs {
			return out
		}
		f.load(f.day + 1)
	}
}

// NextAt returns the scenario time of the next arrival.
func (f *Feed) NextAt() float64 {
	if f.next >= len(f.cur.Arrivals) {
		return f.clock.AbsOf(f.day+1, f.clock.Open)
	}
	return f.at(f.next)
}

// Today is the generated day the feed is in.
func (f *Feed) Today() *sim.Day { return f.cur }

// DueArrival is an arrival with the day it belongs to.
type DueArrival struct {
	sim.Arrival
	Day *sim.Day
}

// Phase is what a simulated clerk is doing.
type Phase int

// Phases of a simulated clerk.
const (
	// Off: not signed in.
	Off Phase = iota
	// Idle: signed in, no ticket at the window.
	Idle
	// Called: a ticket was called; its holder walks up (or is gone).
	Called
	// Serving: the service is under way.
	Serving
	// Human: a person is signed in at the window; the simulated clerk
	// keeps away until they sign out.
	Human
)

// Action is the next step of a simulated clerk.
type Action int

// Actions of a simulated clerk, each one store operation.
const (
	Wait Action = iota
	SignIn
	SignOut
	Call
	Start
	Recall
	NoShow
	Finish
)

// Params are the timings of simulated clerks, in scenario minutes.
type Params struct {
	// WalkUp is how long a called citizen takes to reach the window.
	WalkUp float64
	// RecallEvery is the time between recalls of a citizen who does not
	// come; after MaxRecalls recalls the ticket is a no-show.
	RecallEvery float64
	MaxRecalls  int
	// IdleRetry is how long an idle clerk waits before calling again when
	// nothing was waiting (a new ticket wakes the clerks earlier).
	IdleRetry float64
}

// DefaultParams follow the reference scenario: a no-show holds the window
// for its recall minutes (1.5), split over the recalls the hall requires.
func DefaultParams(maxRecalls int, recallMinutes float64) Params {
	return Params{WalkUp: 0.5, RecallEvery: recallMinutes / float64(maxRecalls+1), MaxRecalls: maxRecalls, IdleRetry: 2}
}

// Clerk is the simulated clerk of one window.
type Clerk struct {
	Window string // window number, the scenario's window id
	Phase  Phase
	Ticket int64
	// NoShow and Service (minutes at this clerk's speed) describe the
	// current ticket.
	NoShow  bool
	Service float64
	// Since is when the current phase began; Recalls counts the recalls of
	// the current ticket; NextTry is when an idle clerk calls again.
	Since   float64
	Recalls int
	NextTry float64
}

// Next decides the clerk's next action at scenario time now, and when the
// clerk needs to be asked again if the answer is Wait (+Inf: only an event
// or a change of shift will change anything).
func (c *Clerk) Next(now float64, onShift bool, p Params) (Action, float64) {
	inf := math.Inf(1)
	switch c.Phase {
	case Human:
		return Wait, inf
	case Off:
		if onShift {
			return SignIn, now
		}
		return Wait, inf
	case Idle:
		if !onShift {
			return SignOut, now
		}
		if now >= c.NextTry {
			return Call, now
		}
		return Wait, c.NextTry
	case Called:
		if !c.NoShow {
			if due := c.Since + p.WalkUp; now < due {
				return Wait, due
			}
			return Start, now
		}
		due := c.Since + float64(c.Recalls+1)*p.RecallEvery
		if now < due {
			return Wait, due
		}
		if c.Recalls < p.MaxRecalls {
			return Recall, now
		}
		return NoShow, now
	case Serving:
		if due := c.Since + c.Service; now < due {
			return Wait, due
		}
		return Finish, now
	}
	return Wait, inf
}

// Outcome is how the store answered an action.
type Outcome int

// Outcomes of a clerk's action.
const (
	// Done: the action happened.
	Done Outcome = iota
	// Empty: a call found nothing waiting for the window.
	Empty
	// TakenOver: a person is signed in at the window (or took the ticket).
	TakenOver
	// Lost: the ticket is no longer the clerk's (cancelled by its holder,
	// moved by a manager); the clerk is free again.
	Lost
)

// CallInfo tells the clerk which ticket a successful call gave it.
type CallInfo struct {
	Ticket  int64
	NoShow  bool
	Service float64 // minutes at this clerk's speed
	// Serving is set when the clerk took up a ticket already being served
	// at the window.
	Serving bool
}

// Apply moves the clerk after action a had outcome o at scenario time now.
func (c *Clerk) Apply(a Action, o Outcome, now float64, p Params, call CallInfo) {
	switch o {
	case TakenOver:
		c.reset(Human, now)
		return
	case Lost:
		c.reset(Idle, now)
		return
	case Empty:
		c.NextTry = now + p.IdleRetry
		return
	}
	switch a {
	case SignIn:
		c.reset(Idle, now)
	case SignOut:
		c.reset(Off, now)
	case Call:
		c.Phase, c.Ticket, c.NoShow, c.Service, c.Since, c.Recalls = Called, call.Ticket, call.NoShow, call.Service, now, 0
		if call.Serving {
			c.Phase = Serving
		}
	case Start:
		c.Phase, c.Since = Serving, now
	case Recall:
		c.Recalls++
	case NoShow, Finish:
		c.reset(Idle, now)
	}
}

func (c *Clerk) reset(ph Phase, now float64) {
	c.Phase, c.Ticket, c.NoShow, c.Service, c.Since, c.Recalls, c.NextTry = ph, 0, false, 0, now, 0, now
}

// Wake tells an idle clerk that something changed (a new ticket): it calls
// at once instead of waiting out its retry.
func (c *Clerk) Wake(now float64) {
	if c.Phase == Idle && c.NextTry > now {
		c.NextTry = now
	}
}
