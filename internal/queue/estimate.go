package queue

import (
	"fmt"
	"math"
	"time"
)

// Estimator predicts, from a snapshot of the hall, how long a ticket will
// wait until it is called (预计等候). Estimate must not modify the snapshot.
type Estimator interface {
	Name() string
	Estimate(s Snapshot, t Ticket) time.Duration
}

// ServiceStats describe the service time of an item, learned from history:
// the mean and the coefficient of variation. The estimators model service
// times as lognormal with these moments.
type ServiceStats struct {
	Mean time.Duration
	CV   float64
}

// ArrivalRate is an expected arrival rate of priority tickets for an item,
// per hour, e.g. counted over the last hour.
type ArrivalRate struct {
	Item    string
	Zone    string
	PerHour float64
}

// Span is a planned period during which a window is staffed. A zero Until
// means open-ended (the window stays until the queue it serves is empty).
type Span struct {
	From, Until time.Time
}

// WindowState is one window in a Snapshot.
type WindowState struct {
	// Window is the window; Window.Serving != 0 means it is busy.
	Window Window
	// Item is the item of the ticket being served ("" if unknown).
	Item string
	// Elapsed is how long the current ticket has been at the window.
	Elapsed time.Duration
	// Recalling is true while the window recalls a ticket that has not
	// shown up; it is then busy for at most Snapshot.Recall in all.
	Recalling bool
	// Speed scales the window's service times (1 = the item mean; a slower
	// staff member has Speed > 1). Zero means 1.
	Speed float64
	// Spans, when not nil, are the window's planned staffed periods; they
	// replace Window.Open for the future. When nil the window stays as it is.
	Spans []Span
	// IdleSince, for an open idle window, is when it last called, finished
	// or opened (resumed). A window that stays idle while tickets it serves
	// wait is not calling: the replay expects it to stay away as long again
	// (less StallGrace), so the estimate follows what the hall shows. Zero
	// means unknown: the window calls at once.
	IdleSince time.Time
}

// StallGrace is how long an open idle window may leave a ticket it serves
// waiting before the estimators stop expecting it to call at once: the
// few seconds between a finish and the next call, and some more.
const StallGrace = time.Minute

// Snapshot is the state of a hall as the estimators see it.
type Snapshot struct {
	// Now is the time of the snapshot.
	Now time.Time
	// Windows are the hall's windows (open ones, and closed ones with
	// planned spans).
	Windows []WindowState
	// Waiting are the callable tickets, oldest first; the ticket to estimate
	// is usually among them (it is added at the end if not).
	Waiting []Ticket
	// Service holds per-item service statistics.
	Service map[string]ServiceStats
	// DefaultService is the hall-wide service statistic, used for items
	// missing from Service and by the naive estimator.
	DefaultService ServiceStats
	// PriorityArrivals are the recent arrival rates of priority tickets.
	PriorityArrivals []ArrivalRate
	// LastWait holds, per zone, the wait of the last ticket of that zone to
	// be called (the history the LES estimator needs).
	LastWait map[string]time.Duration
	// NoShowRate is the share of called tickets that do not show up; such a
	// ticket holds the window for Recall.
	NoShowRate float64
	// Recall is how long a no-show holds a window.
	Recall time.Duration
	// Policy is the dispatch policy in force; nil means MingbaiPolicy with
	// DefaultK.
	Policy Policy
}

func (s *Snapshot) policy() Policy {
	if s.Policy != nil {
		return s.Policy
	}
	return MingbaiPolicy{K: DefaultK}
}

func (s *Snapshot) stats(item string) ServiceStats {
	if st, ok := s.Service[item]; ok && st.Mean > 0 {
		return st
	}
	return s.DefaultService
}

// Estimator names accepted by NewEstimator.
const (
	EstimatorNaive   = "naive"
	EstimatorQL      = "ql"
	EstimatorHOL     = "hol"
	EstimatorLES     = "les"
	EstimatorMingbai = "mingbai"
)

var estimatorNames = []string{EstimatorMingbai, EstimatorQL, EstimatorHOL, EstimatorLES, EstimatorNaive}

// EstimatorNames lists the registered estimator names, the default first.
func EstimatorNames() []string { return append([]string(nil), estimatorNames...) }

// NewEstimator returns the estimator registered under name:
//
//   - naive: people ahead in the whole hall × hall mean service ÷ open windows.
//   - ql: queue length, (n+1)/(sμ) with n the tickets ahead in the ticket's
//     zone, s the open windows serving its item and 1/μ the mean service of
//     those tickets (Ibrahim & Whitt).
//   - hol: the elapsed wait of the head of the ticket's zone queue (LES when
//     the ticket is itself the head).
//   - les: the wait of the last ticket of the zone to be called.
//   - mingbai: a forward replay of the dispatch policy (see Replay).
//
// All of them return 0 for a ticket that an idle open window would call at
// once.
func NewEstimator(name string) (Estimator, error) {
	switch name {
	case EstimatorNaive:
		return naive{}, nil
	case EstimatorQL:
		return ql{}, nil
	case EstimatorHOL:
		return hol{}, nil
	case EstimatorLES:
		return les{}, nil
	case EstimatorMingbai, "":
		return Replay{}, nil
	}
	return nil, fmt.Errorf("queue: unknown estimator %q (known: %v)", name, estimatorNames)
}

// withTicket returns s.Waiting with t in it and t's index.
func withTicket(s *Snapshot, t *Ticket) ([]Ticket, int) {
	for i := range s.Waiting {
		if s.Waiting[i].ID == t.ID {
			return s.Waiting, i
		}
	}
	ws := make([]Ticket, len(s.Waiting), len(s.Waiting)+1)
	copy(ws, s.Waiting)
	return append(ws, *t), len(ws)
}

// callableNow reports whether an open idle window would call waiting[ti]
// at once under the snapshot's policy.
func callableNow(s *Snapshot, waiting []Ticket, ti int) bool {
	p := s.policy()
	for i := range s.Windows {
		ws := &s.Windows[i]
		if ws.Window.Serving != 0 || !openAt(ws, s.Now) {
			continue
		}
		if idx, ok := p.Next(ws.Window, waiting, s.Now); ok && idx == ti {
			return true
		}
	}
	return false
}

func openAt(ws *WindowState, now time.Time) bool {
	if ws.Spans == nil {
		return ws.Window.Open
	}
	for _, sp := range ws.Spans {
		if !now.Before(sp.From) && (sp.Until.IsZero() || now.Before(sp.Until)) {
			return true
		}
	}
	return false
}

// ahead reports whether a goes before t in t's queue: for an ordinary t,
// older tickets and waiting priority tickets; for a priority t, older
// priority tickets.
func ahead(a, t *Ticket) bool {
	if a.ID == t.ID || !a.Callable() {
		return false
	}
	if t.IsPriority() {
		return a.IsPriority() && Before(a, t)
	}
	return a.IsPriority() || Before(a, t)
}

type naive struct{}

func (naive) Name() string { return EstimatorNaive }

func (naive) Estimate(s Snapshot, t Ticket) time.Duration {
	waiting, ti := withTicket(&s, &t)
	if callableNow(&s, waiting, ti) {
		return 0
	}
	n := 0
	for i := range waiting {
		if ahead(&waiting[i], &t) {
			n++
		}
	}
	open := 0
	for i := range s.Windows {
		if openAt(&s.Windows[i], s.Now) {
			open++
		}
	}
	if open == 0 {
		open = 1
	}
	return time.Duration(float64(n) * float64(s.DefaultService.Mean) / float64(open))
}

type ql struct{}

func (ql) Name() string { return EstimatorQL }

func (ql) Estimate(s Snapshot, t Ticket) time.Duration {
	waiting, ti := withTicket(&s, &t)
	if callableNow(&s, waiting, ti) {
		return 0
	}
	n := 0
	sum := float64(s.stats(t.Item).Mean)
	for i := range waiting {
		a := &waiting[i]
		if a.Zone == t.Zone && ahead(a, &t) {
			n++
			sum += float64(s.stats(a.Item).Mean)
		}
	}
	servers := 0
	for i := range s.Windows {
		ws := &s.Windows[i]
		if openAt(ws, s.Now) && ws.Window.Serves(&t) {
			servers++
		}
	}
	if servers == 0 {
		servers = 1
	}
	mean := sum / float64(n+1)
	return time.Duration(float64(n+1) * mean / float64(servers))
}

type hol struct{}

func (hol) Name() string { return EstimatorHOL }

func (hol) Estimate(s Snapshot, t Ticket) time.Duration {
	waiting, ti := withTicket(&s, &t)
	if callableNow(&s, waiting, ti) {
		return 0
	}
	head := -1
	for i := range waiting {
		a := &waiting[i]
		if a.Zone == t.Zone && ahead(a, &t) && (head < 0 || Before(a, &waiting[head])) {
			head = i
		}
	}
	if head < 0 {
		return s.LastWait[t.Zone]
	}
	return s.Now.Sub(waiting[head].IssuedAt)
}

type les struct{}

func (les) Name() string { return EstimatorLES }

func (les) Estimate(s Snapshot, t Ticket) time.Duration {
	waiting, ti := withTicket(&s, &t)
	if callableNow(&s, waiting, ti) {
		return 0
	}
	return s.LastWait[t.Zone]
}

// lognormalParams returns μ and σ of the lognormal with the given mean and
// coefficient of variation.
func lognormalParams(mean, cv float64) (mu, sigma float64) {
	s2 := math.Log1p(cv * cv)
	return math.Log(mean) - s2/2, math.Sqrt(s2)
}

// phi is the standard normal distribution function.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// ResidualMean returns the expected remaining service time of a lognormal
// service with the given mean and cv that has already lasted elapsed:
// E[S − e | S > e].
func ResidualMean(st ServiceStats, elapsed time.Duration) time.Duration {
	m := float64(st.Mean)
	if m <= 0 {
		return 0
	}
	e := float64(elapsed)
	if e <= 0 {
		return st.Mean
	}
	if st.CV <= 0 {
		return time.Duration(math.Max(m-e, 0))
	}
	mu, sg := lognormalParams(m, st.CV)
	le := math.Log(e)
	num := phi((mu + sg*sg - le) / sg)
	den := phi((mu - le) / sg)
	if den < 1e-300 || num <= 0 {
		// Far in the tail: the Mills-ratio asymptote of the residual.
		z := (le - mu) / sg
		return time.Duration(e * sg / math.Max(z, 1))
	}
	r := m*num/den - e
	if r < 0 {
		r = 0
	}
	return time.Duration(r)
}
