package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Delivery states of a message (and of each of its SMS parts).
const (
	StateQueued     = "queued"
	StateSubmitting = "submitting"
	StateAccepted   = "accepted"
	StateDelivered  = "delivered"
	StateFailed     = "failed"
	StateUnknown    = "unknown"
	StateExpired    = "expired"
)

// States lists the delivery states in their natural order.
var States = []string{StateQueued, StateSubmitting, StateAccepted, StateDelivered, StateFailed, StateUnknown, StateExpired}

// Urgent reports whether messages of a kind go at once, outside the
// sending window: codes the citizen is waiting for and turn-near notices.
func Urgent(kind string) bool {
	switch kind {
	case "sms_code", "turn_near", "appointment":
		return true
	}
	return false
}

// Reminder reports whether a kind is a reminder that an opt-out stops.
func Reminder(kind string) bool {
	return strings.HasPrefix(kind, "remind_") || kind == "appointment_remind"
}

// Errors a provider returns, which decide what the sender does next.
var (
	// ErrThrottled: the provider refused for rate (ESME_RTHROTTLED, HTTP
	// 429): nothing was taken, so the same part is tried again later.
	ErrThrottled = errors.New("provider throttled")
	// ErrNotSent: the request certainly did not leave (not bound, refused
	// connection): safe to try again.
	ErrNotSent = errors.New("not sent")
	// ErrAmbiguous: the request may have reached the provider (timeout,
	// dropped connection, HTTP 5xx after the request left): the part
	// becomes unknown and is settled by a receipt or a status query.
	ErrAmbiguous = errors.New("result unknown")
	// ErrRejected: a definite refusal (bad number, bad template): failed.
	ErrRejected = errors.New("rejected by provider")
)

// ProviderError wraps one of the sentinel errors with the provider's code.
type ProviderError struct {
	Kind error
	Code string
}

func (e *ProviderError) Error() string { return fmt.Sprintf("%v (%s)", e.Kind, e.Code) }

// Unwrap lets errors.Is see the kind.
func (e *ProviderError) Unwrap() error { return e.Kind }

// Submission is one message handed to a provider.
type Submission struct {
	OutboxID int64
	// OutID is our reference, unique per message, sent along so that a
	// status query can find a message whose answer we never got.
	OutID string
	To    string
	Text  string
	Kind  string
	// Template and Params, for providers that send by template code.
	Template string
	Params   map[string]string
}

// QueryResult is a provider's answer about one part.
type QueryResult struct {
	// Found is false when the provider has no such message: it never got
	// it, so sending it is not a resend.
	Found bool
	// MsgID is the provider's id when found.
	MsgID string
	// State is accepted, delivered or failed.
	State string
	Stat  string
}

// Provider sends SMS parts. Providers that split messages themselves
// (cloud HTTP APIs) report Splits() == false and receive the whole text as
// part 1 of 1.
type Provider interface {
	Name() string
	Splits() bool
	// Submit sends one part and returns the provider's message id.
	Submit(ctx context.Context, s Submission, p Part) (msgID string, err error)
	// Query asks what became of a part whose result is unknown; msgID is
	// empty when the provider never answered the submission.
	Query(ctx context.Context, s Submission, p Part, msgID string) (QueryResult, error)
}

// Receipt is a delivery report for one part.
type Receipt struct {
	Provider string
	MsgID    string
	// Stat is the provider's status word (DELIVRD, UNDELIV, EXPIRED …).
	Stat string
	Err  string
}

// Delivered reports whether the receipt says the part reached the phone.
func (r Receipt) Delivered() bool { return r.Stat == "DELIVRD" || r.Stat == "DELIVERED" }

// Final reports whether the receipt ends the part (delivered or not).
func (r Receipt) Final() bool {
	switch r.Stat {
	case "ENROUTE", "ACCEPTD", "ACCEPTED", "":
		return false
	}
	return true
}

// Inbound is a message a citizen sent to us (SMPP deliver_sm without the
// receipt flag, or an HTTP uplink callback).
type Inbound struct {
	Provider string
	From     string
	Text     string
}

// OptOutKeywords are the replies that stop reminders (TD = 退订).
var OptOutKeywords = []string{"TD", "T", "N", "退订", "取消", "STOP"}

// IsOptOut reports whether an inbound text asks to stop reminders.
func IsOptOut(text string) bool {
	t := strings.ToUpper(strings.TrimSpace(text))
	for _, k := range OptOutKeywords {
		if t == k {
			return true
		}
	}
	return false
}

// Sink receives what providers are told by the SMS centre. Each call must
// be durable when it returns: the caller acknowledges only afterwards.
type Sink interface {
	RecordReceipt(ctx context.Context, r Receipt) error
	RecordInbound(ctx context.Context, m Inbound) error
}

// Window is a hall's sending window for non-urgent messages.
type Window struct {
	// From and To are minutes after midnight, hall time ([From, To)).
	From, To int
	// Days are the weekdays on which messages go (all when empty).
	Days []time.Weekday
	Loc  *time.Location
}

// DefaultWindow is 08:00–21:00 every day in loc.
func DefaultWindow(loc *time.Location) Window {
	return Window{From: 8 * 60, To: 21 * 60, Loc: loc}
}

func (w Window) day(d time.Weekday) bool {
	if len(w.Days) == 0 {
		return true
	}
	for _, x := range w.Days {
		if x == d {
			return true
		}
	}
	return false
}

// NextOpen returns t when the window is open at t, otherwise the moment it
// opens next.
func (w Window) NextOpen(t time.Time) time.Time {
	loc := w.Loc
	if loc == nil {
		loc = time.Local
	}
	lt := t.In(loc)
	for i := 0; i < 8; i++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()+i, 0, 0, 0, 0, loc)
		if !w.day(day.Weekday()) {
			continue
		}
		open := day.Add(time.Duration(w.From) * time.Minute)
		shut := day.Add(time.Duration(w.To) * time.Minute)
		if i == 0 && !lt.Before(open) && lt.Before(shut) {
			return t
		}
		if lt.Before(open) {
			return open
		}
	}
	return t // no open day configured: do not hold messages forever
}

// ParseWindow reads "08:00-21:00" and an optional day list "1-5" or
// "1,2,3,4,5,6" (1 = Monday … 7 = Sunday).
func ParseWindow(hours, days string, loc *time.Location) (Window, error) {
	w := DefaultWindow(loc)
	if hours != "" {
		var h1, m1, h2, m2 int
		if _, err := fmt.Sscanf(hours, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil || h1 < 0 || h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 || h2 == 24 && m2 != 0 {
			return w, fmt.Errorf("sending window %q: want HH:MM-HH:MM", hours)
		}
		w.From, w.To = h1*60+m1, h2*60+m2
		if w.From >= w.To {
			return w, fmt.Errorf("sending window %q: ends before it starts", hours)
		}
	}
	if days != "" {
		var a, b int
		if _, err := fmt.Sscanf(days, "%d-%d", &a, &b); err == nil && strings.Contains(days, "-") {
			if a < 1 || b > 7 || a > b {
				return w, fmt.Errorf("sending days %q: want 1-7", days)
			}
			for d := a; d <= b; d++ {
				w.Days = append(w.Days, time.Weekday(d%7))
			}
		} else {
			for _, f := range strings.Split(days, ",") {
				var d int
				if _, err := fmt.Sscanf(strings.TrimSpace(f), "%d", &d); err != nil || d < 1 || d > 7 {
					return w, fmt.Errorf("sending days %q: want 1-7", days)
				}
				w.Days = append(w.Days, time.Weekday(d%7))
			}
		}
	}
	return w, nil
}

// TokenBucket caps a provider's send rate. It is safe for concurrent use.
type TokenBucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

// NewTokenBucket returns a bucket of rate per second with the given burst.
func NewTokenBucket(rate float64, burst int, now func() time.Time) *TokenBucket {
	if now == nil {
		now = time.Now
	}
	if burst < 1 {
		burst = 1
	}
	return &TokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now(), now: now}
}

// Reserve takes a token and returns how long to wait before using it
// (zero when one was available).
func (b *TokenBucket) Reserve() time.Duration {
	if b == nil || b.rate <= 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.tokens += now.Sub(b.last).Seconds() * b.rate
	b.last = now
	if b.tokens > b.burst {
		b.tokens = b.burst
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// Wait blocks until a token is available or ctx ends.
func (b *TokenBucket) Wait(ctx context.Context) error {
	d := b.Reserve()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
