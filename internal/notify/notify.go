// Package notify sends messages through the durable outbox: a change that
// should tell someone enqueues a message in its own transaction; a sender
// loop claims due messages, hands them to a provider and retries failures
// with exponential back-off. Providers are pluggable; the log provider
// writes messages to the structured log (later issues add SMPP and HTTP).
package notify

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
)

// Channels a message can go through.
const (
	SMS = "sms"
	Log = "log"
)

// Message is one outgoing notification.
type Message struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"`
	Recipient string `json:"recipient"`
	Body      string `json:"body"`
	// Kind names the purpose (sms_code, turn_near, case_done …) for reports.
	Kind string `json:"kind"`
	// DedupeKey makes enqueueing idempotent.
	DedupeKey string `json:"dedupe_key,omitempty"`
	Attempts  int    `json:"attempts"`
	// HallID is the hall the message belongs to (managers see their
	// hall's messages); 0 for installation-wide messages.
	HallID int64 `json:"hall_id,omitempty"`
}

var mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

// Validate checks a message before it is stored.
func (m Message) Validate() error {
	switch m.Channel {
	case SMS:
		if !mobileRE.MatchString(m.Recipient) {
			return apperr.InvalidField("recipient", "err.bad_value", "recipient", "mobile")
		}
	case Log:
	default:
		return apperr.InvalidField("channel", "err.bad_value", "channel", m.Channel)
	}
	if strings.TrimSpace(m.Body) == "" {
		return apperr.InvalidField("body", "err.required", "body")
	}
	if utf8.RuneCountInString(m.Body) > 1000 {
		return apperr.InvalidField("body", "err.too_long", "body", 1000)
	}
	return nil
}

// Provider delivers a message and returns the provider's reference.
type Provider interface {
	Send(ctx context.Context, m Message) (ref string, err error)
}

// LogProvider writes messages to the log instead of sending them; the
// recipient is masked because logs are not a place for phone numbers.
type LogProvider struct{ Log *slog.Logger }

// Send implements Provider.
func (p LogProvider) Send(ctx context.Context, m Message) (string, error) {
	p.Log.Info("outbox message", "id", m.ID, "channel", m.Channel, "to", MaskRecipient(m.Recipient), "kind", m.Kind, "body", m.Body)
	return "log", nil
}

// MaskRecipient hides the middle of a phone number (138****5678).
func MaskRecipient(r string) string {
	if len(r) == 11 {
		return r[:3] + "****" + r[7:]
	}
	return r
}

// Outbox is what the sender needs from storage.
type Outbox interface {
	ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]Message, error)
	MarkSent(ctx context.Context, id int64, ref string) error
	MarkFailed(ctx context.Context, id int64, errText string, next time.Time) error
}

// Sender is the loop that drains the outbox.
type Sender struct {
	Outbox      Outbox
	Provider    Provider
	Log         *slog.Logger
	Interval    time.Duration
	MaxAttempts int
	Now         func() time.Time
	// Wake, when signalled, makes the loop look at the outbox at once.
	Wake chan struct{}
}

// Backoff returns the delay before attempt n+1 after n failed attempts:
// 5 s doubling, capped at one hour, with ±20 % jitter so that many
// instances do not retry in step.
func Backoff(attempts int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	if d > time.Hour {
		d = time.Hour
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// Run drains the outbox until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	if s.Interval == 0 {
		s.Interval = time.Second
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 10
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		s.Drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.Wake:
		}
	}
}

// Drain sends every message that is due now and returns how many were sent.
func (s *Sender) Drain(ctx context.Context) int {
	sent := 0
	for ctx.Err() == nil {
		batch, err := s.Outbox.ClaimOutbox(ctx, 50, 2*time.Minute)
		if err != nil {
			s.Log.Error("outbox claim", "err", err)
			return sent
		}
		if len(batch) == 0 {
			return sent
		}
		for _, m := range batch {
			ref, err := s.Provider.Send(ctx, m)
			if err == nil {
				if err := s.Outbox.MarkSent(ctx, m.ID, ref); err != nil {
					s.Log.Error("outbox mark sent", "id", m.ID, "err", err)
				}
				sent++
				continue
			}
			var next time.Time
			if m.Attempts < s.MaxAttempts {
				next = s.Now().Add(Backoff(m.Attempts))
			}
			s.Log.Warn("outbox send failed", "id", m.ID, "attempt", m.Attempts, "err", err, "dead", next.IsZero())
			if err := s.Outbox.MarkFailed(ctx, m.ID, err.Error(), next); err != nil {
				s.Log.Error("outbox mark failed", "id", m.ID, "err", err)
			}
		}
	}
	return sent
}
