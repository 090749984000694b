package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Outbox is what the sender needs from storage. Every call is one
// transaction; a part is marked submitting before it goes on the wire, so
// that a crash between the two leaves it unknown rather than unsent.
type Outbox interface {
	// ClaimOutbox leases due messages: queued ones to send and unknown
	// ones to settle. Parts left submitting by a dead sender become
	// unknown first.
	ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]Message, error)
	PartSubmitting(ctx context.Context, id int64, seq, total int, provider string) error
	PartAccepted(ctx context.Context, id int64, seq int, msgID string) error
	// PartRetry puts a part that certainly did not reach the provider
	// back in the queue for next.
	PartRetry(ctx context.Context, id int64, seq int, detail string, next time.Time) error
	PartFailed(ctx context.Context, id int64, seq int, detail string) error
	PartUnknown(ctx context.Context, id int64, seq int, detail string, next time.Time) error
	// PartSettled records a status query's answer about an unknown part.
	PartSettled(ctx context.Context, id int64, seq int, r QueryResult) error
	// Expire drops a message whose parts have not gone before its expiry:
	// it is never sent late.
	Expire(ctx context.Context, id int64, detail string) error
	Sink
}

// ErrNotApproved: the message's template has no approved registration
// with the provider; it is not sent.
var ErrNotApproved = errors.New("template not approved for this provider")

// InstantReceipts is implemented by providers (the log) whose acceptance
// is delivery.
type InstantReceipts interface{ Instant() bool }

// Sender drains the outbox through the providers.
type Sender struct {
	Outbox Outbox
	// Provider returns the provider of a hall's messages.
	Provider func(hallID int64) Provider
	Log      *slog.Logger
	Interval time.Duration
	// MaxAttempts bounds retries of messages that certainly did not go.
	MaxAttempts int
	// QueryAfter is the first wait before an unknown part is queried.
	QueryAfter time.Duration
	Now        func() time.Time
	// Wake, when signalled, makes the loop look at the outbox at once.
	Wake chan struct{}
	// Lease keeps claimed messages from other senders (default 2 min).
	Lease time.Duration
	// Workers is how many messages are in flight at once (default 4):
	// SMPP windows several submissions per bind.
	Workers int
	// Approval, when set, returns the approved template code of a kind
	// with a provider (ErrNotApproved when there is none): only approved
	// templates go out through a real provider. The log provider needs
	// none.
	Approval func(ctx context.Context, provider, kind string) (string, error)
}

func (s *Sender) defaults() {
	if s.Interval == 0 {
		s.Interval = time.Second
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 10
	}
	if s.QueryAfter == 0 {
		s.QueryAfter = time.Minute
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Lease <= 0 {
		s.Lease = 2 * time.Minute
	}
	if s.Workers <= 0 {
		s.Workers = 4
	}
}

// Run drains the outbox until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	s.defaults()
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

// Drain handles every message that is due now and returns how many
// messages it handed on (sent or settled).
func (s *Sender) Drain(ctx context.Context) int {
	s.defaults()
	n := 0
	for ctx.Err() == nil {
		batch, err := s.Outbox.ClaimOutbox(ctx, 50, s.Lease)
		if err != nil {
			s.Log.Error("outbox claim", "err", err)
			return n
		}
		if len(batch) == 0 {
			return n
		}
		var wg sync.WaitGroup
		var moved atomic.Int64
		sem := make(chan struct{}, s.Workers)
		for _, m := range batch {
			sem <- struct{}{}
			wg.Add(1)
			go func(m Message) {
				defer func() { <-sem; wg.Done() }()
				if s.handle(ctx, m) {
					moved.Add(1)
				}
			}(m)
		}
		wg.Wait()
		n += int(moved.Load())
	}
	return n
}

// handle sends or settles one message; it reports whether anything moved.
func (s *Sender) handle(ctx context.Context, m Message) bool {
	p := s.Provider(m.HallID)
	sub := Submission{OutboxID: m.ID, OutID: fmt.Sprintf("mb%d", m.ID), To: m.Recipient, Text: m.Body, Kind: m.Kind, Params: m.Params}
	if m.State != StateUnknown {
		if m.ExpiresAt > 0 && s.Now().UnixMilli() >= m.ExpiresAt {
			s.mark(s.Outbox.Expire(ctx, m.ID, "expired before it could be sent"))
			return true
		}
		begun := false // a part already went: it was approved when it began
		for _, ps := range m.Parts {
			begun = begun || ps.State != StateQueued
		}
		if ir, ok := p.(InstantReceipts); s.Approval != nil && !(ok && ir.Instant()) && !begun {
			code, err := s.Approval(ctx, p.Name(), m.Kind)
			switch {
			case errors.Is(err, ErrNotApproved):
				s.mark(s.Outbox.PartFailed(ctx, m.ID, 1, err.Error()))
				return true
			case err != nil:
				s.Log.Error("outbox template approval", "id", m.ID, "err", err)
				return false
			}
			sub.Template = code
		}
	}
	var parts []Part
	if p.Splits() {
		var err error
		// The reference is derived from the id, so a retry after a crash
		// cuts the same parts with the same header.
		parts, err = Split(m.Body, byte(m.ID), 0)
		if err != nil {
			s.mark(s.Outbox.PartFailed(ctx, m.ID, 1, err.Error()))
			return true
		}
	} else {
		parts = []Part{{Seq: 1, Total: 1}}
	}
	known := map[int]PartState{}
	for _, ps := range m.Parts {
		known[ps.Seq] = ps
	}
	if m.State == StateUnknown {
		moved := false
		for _, part := range parts {
			ps := known[part.Seq]
			if ps.State != StateUnknown {
				continue
			}
			r, err := p.Query(ctx, sub, part, ps.MsgID)
			if err != nil {
				wait := s.QueryAfter
				if errors.Is(err, ErrNotSent) {
					wait = Backoff(1) // not bound yet: ask again soon
				}
				s.mark(s.Outbox.PartUnknown(ctx, m.ID, part.Seq, "query: "+err.Error(), s.Now().Add(wait)))
				continue
			}
			if !r.Found {
				// The provider never got it: sending is not a resend.
				s.mark(s.Outbox.PartRetry(ctx, m.ID, part.Seq, "not found by status query", s.Now()))
			} else {
				s.mark(s.Outbox.PartSettled(ctx, m.ID, part.Seq, r))
			}
			moved = true
		}
		return moved
	}
	for _, part := range parts {
		ps, ok := known[part.Seq]
		if ok && ps.State != StateQueued {
			continue // accepted, delivered or unknown: never submitted twice
		}
		if m.ExpiresAt > 0 && s.Now().UnixMilli() >= m.ExpiresAt {
			// Earlier parts took until the expiry: the rest is not sent late.
			s.mark(s.Outbox.Expire(ctx, m.ID, "expired before it could be sent"))
			return true
		}
		if err := s.Outbox.PartSubmitting(ctx, m.ID, part.Seq, len(parts), p.Name()); err != nil {
			s.Log.Error("outbox mark submitting", "id", m.ID, "err", err)
			return false
		}
		msgID, err := p.Submit(ctx, sub, part)
		switch {
		case err == nil:
			s.mark(s.Outbox.PartAccepted(ctx, m.ID, part.Seq, msgID))
			if ir, ok := p.(InstantReceipts); ok && ir.Instant() {
				s.mark(s.Outbox.RecordReceipt(ctx, Receipt{Provider: p.Name(), MsgID: msgID, Stat: "DELIVRD"}))
			}
			continue
		case errors.Is(err, ErrThrottled):
			// Nothing was taken: the same part again after a pause; the
			// attempt count is not spent on throttling.
			s.mark(s.Outbox.PartRetry(ctx, m.ID, part.Seq, err.Error(), s.Now().Add(Backoff(1))))
		case errors.Is(err, ErrNotSent):
			next := s.Now().Add(Backoff(m.Attempts))
			if m.Attempts >= s.MaxAttempts {
				s.mark(s.Outbox.PartFailed(ctx, m.ID, part.Seq, err.Error()))
			} else {
				s.mark(s.Outbox.PartRetry(ctx, m.ID, part.Seq, err.Error(), next))
			}
		case errors.Is(err, ErrRejected):
			s.mark(s.Outbox.PartFailed(ctx, m.ID, part.Seq, err.Error()))
		default: // ambiguous or anything we cannot classify: never resend blind
			s.mark(s.Outbox.PartUnknown(ctx, m.ID, part.Seq, err.Error(), s.Now().Add(s.QueryAfter)))
		}
		s.Log.Warn("outbox part not accepted", "id", m.ID, "part", part.Seq, "err", err)
		return true // later parts wait until this one is accepted
	}
	return true
}

func (s *Sender) mark(err error) {
	if err != nil {
		s.Log.Error("outbox state", "err", err)
	}
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
