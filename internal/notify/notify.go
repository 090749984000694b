// Package notify sends messages through the durable outbox: a change that
// should tell someone enqueues a message in its own transaction; a sender
// loop claims due messages, hands them to a provider and retries failures
// with exponential back-off. Providers are pluggable; the log provider
// writes messages to the structured log (later issues add SMPP and HTTP).
package notify

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"
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
	// Params, with an empty Body, are the named parameters of the
	// template of Kind: the outbox renders the text (see Render).
	Params map[string]string `json:"-"`
	// HallID is the hall the message belongs to (managers see their
	// hall's messages; it chooses the provider and the sending window);
	// 0 for installation-wide messages.
	HallID int64 `json:"hall_id,omitempty"`
	// State is the delivery state (queued … expired) when read back.
	State string `json:"state,omitempty"`
	// Parts are the SMS parts tried so far, when read back for sending.
	Parts []PartState `json:"parts,omitempty"`
	// ExpiresAt (Unix milliseconds, 0: the kind's default, see TTL) is
	// when a message not yet sent is dropped as expired instead of being
	// sent late: a code after its validity, a turn-near notice after the
	// turn.
	ExpiresAt int64 `json:"expires_at,omitempty"`
}

// TTL is how long a message of a kind may wait before it is sent; zero
// means it never expires. Codes are useless after their validity and a
// turn-near notice after the turn; reminders keep until sent (the window
// and the daily limit may hold them for a day or two).
func TTL(kind string, params map[string]string) time.Duration {
	switch kind {
	case "sms_code":
		if n, err := strconv.Atoi(params["minutes"]); err == nil && n > 0 && n <= 60 {
			return time.Duration(n) * time.Minute
		}
		return 5 * time.Minute
	case "turn_near":
		return 20 * time.Minute
	case "appointment":
		return 2 * time.Hour
	}
	return 0
}

// PartState is what the outbox knows about one part of a message.
type PartState struct {
	Seq      int    `json:"seq"`
	Total    int    `json:"total"`
	State    string `json:"state"`
	Provider string `json:"provider"`
	MsgID    string `json:"msg_id,omitempty"`
	Stat     string `json:"stat,omitempty"`
	Error    string `json:"error,omitempty"`
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
	if m.Channel == SMS && Units(m.Body) > MaxUnits {
		return apperr.InvalidField("body", "err.too_long", "body", MaxUnits)
	}
	if utf8.RuneCountInString(m.Body) > 1000 {
		return apperr.InvalidField("body", "err.too_long", "body", 1000)
	}
	return nil
}

// LogProvider writes messages to the log instead of sending them; the
// recipient is masked because logs are not a place for phone numbers. It
// is the demo's and the tests' provider: it takes whole messages and
// reports them delivered at once.
type LogProvider struct{ Log *slog.Logger }

// Name implements Provider.
func (p LogProvider) Name() string { return "log" }

// Splits implements Provider.
func (p LogProvider) Splits() bool { return false }

// Submit implements Provider.
func (p LogProvider) Submit(ctx context.Context, s Submission, part Part) (string, error) {
	p.Log.Info("outbox message", "id", s.OutboxID, "to", MaskRecipient(s.To), "kind", s.Kind, "body", s.Text)
	return "log-" + s.OutID, nil
}

// Query implements Provider: the log has everything it was given.
func (p LogProvider) Query(ctx context.Context, s Submission, part Part, msgID string) (QueryResult, error) {
	return QueryResult{Found: true, MsgID: "log-" + s.OutID, State: StateDelivered, Stat: "DELIVRD"}, nil
}

// Instant implements InstantReceipts: what the log takes is delivered.
func (p LogProvider) Instant() bool { return true }

// MaskRecipient hides the middle of a phone number (138****5678).
func MaskRecipient(r string) string {
	if len(r) == 11 {
		return r[:3] + "****" + r[7:]
	}
	return r
}
