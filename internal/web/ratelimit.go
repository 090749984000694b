package web

import (
	"sync"
	"time"

	"mingbai/internal/apperr"
)

// limiter is a token bucket per key (client address, or address and case
// number). Buckets idle for ten minutes are forgotten.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	now     func() time.Time
	lastGC  time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{rate: float64(perMinute) / 60, burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes one token for key, or returns a rate-limited error.
func (l *limiter) allow(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastGC) > 10*time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.last) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.lastGC = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens += now.Sub(b.last).Seconds() * l.rate
	if b.tokens > l.burst {
		b.tokens = l.burst
	}
	b.last = now
	if b.tokens < 1 {
		return apperr.New(apperr.RateLimited, "err.rate_limited")
	}
	b.tokens--
	return nil
}

// limiters groups the limiters of the areas.
type limiters struct {
	login *limiter
	// Areas add theirs here (tickets, progress lookup …).
	byName map[string]*limiter
	mu     sync.Mutex
}

func newLimiters() *limiters {
	return &limiters{login: newLimiter(20, 10), byName: map[string]*limiter{}}
}

// get returns the named limiter, creating it with the given rate.
func (ls *limiters) get(name string, perMinute, burst int) *limiter {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.byName[name]
	if l == nil {
		l = newLimiter(perMinute, burst)
		ls.byName[name] = l
	}
	return l
}
