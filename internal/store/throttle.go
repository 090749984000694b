package store

import (
	"context"
	"errors"
	"time"

	"mingbai/internal/apperr"
)

// Throttles with exponential back-off, kept in the database so that every
// instance sees them (docs/security.md). A key is blocked only for itself:
// a stranger's failures from one address never lock the account, the case
// or the hall for anyone else.

// Backoff says how a throttle grows: the first Free failures cost nothing,
// each further one doubles the wait from Base, up to Max.
type Backoff struct {
	Free int
	Base time.Duration
	Max  time.Duration
}

// Wait returns the block after the given number of failures.
func (b Backoff) Wait(failures int) time.Duration {
	if failures <= b.Free {
		return 0
	}
	d := b.Base
	for i := b.Free + 1; i < failures && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Throttle scopes and their back-off.
var (
	// LoginThrottle: per account and client address.
	LoginThrottle = Backoff{Free: 3, Base: time.Second, Max: 15 * time.Minute}
	// LoginAddressThrottle: per client address over all accounts (password
	// spraying).
	LoginAddressThrottle = Backoff{Free: 20, Base: time.Second, Max: 15 * time.Minute}
	// ProgressThrottle: per case number and client address.
	ProgressThrottle = Backoff{Free: 3, Base: 2 * time.Second, Max: time.Hour}
	// ProgressAddressThrottle: per client address over all case numbers.
	ProgressAddressThrottle = Backoff{Free: 10, Base: 2 * time.Second, Max: time.Hour}
)

// throttleIdle is how long a key without failures is kept.
const throttleIdle = 24 * time.Hour

// blockedFor returns how long the key is still blocked (0: not blocked).
func (t *Tx) blockedFor(scope, key string) (time.Duration, error) {
	var until int64
	err := t.QueryRow("SELECT blocked_until FROM throttle WHERE scope = ? AND key = ?", scope, key).Scan(&until)
	if errors.Is(err, ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if d := time.Duration(until-t.NowMs()) * time.Millisecond; d > 0 {
		return d, nil
	}
	return 0, nil
}

// throttleFail counts a failure of the key and blocks it by b.
func (t *Tx) throttleFail(scope, key string, b Backoff) error {
	var failures int
	var updated int64
	err := t.QueryRow("SELECT failures, updated_at FROM throttle WHERE scope = ? AND key = ?", scope, key).Scan(&failures, &updated)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNoRows) {
		return err
	}
	now := t.NowMs()
	if exists && now-updated > throttleIdle.Milliseconds() {
		failures = 0
	}
	failures++
	until := now + b.Wait(failures).Milliseconds()
	if exists {
		_, err = t.Exec("UPDATE throttle SET failures = ?, blocked_until = ?, updated_at = ? WHERE scope = ? AND key = ?", failures, until, now, scope, key)
	} else {
		_, err = t.Exec("INSERT INTO throttle (scope, key, failures, blocked_until, updated_at) VALUES (?, ?, ?, ?, ?)", scope, key, failures, until, now)
	}
	return err
}

// throttleClear forgets the key's failures (after a success).
func (t *Tx) throttleClear(scope, key string) error {
	_, err := t.Exec("DELETE FROM throttle WHERE scope = ? AND key = ?", scope, key)
	return err
}

// PruneThrottles deletes throttle keys idle for a day.
func (db *DB) PruneThrottles(ctx context.Context) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("DELETE FROM throttle WHERE updated_at < ? AND blocked_until < ?", tx.NowMs()-throttleIdle.Milliseconds(), tx.NowMs())
		return err
	})
}

// UseToken counts one use of a one-time-ish token (scope, key) and refuses
// it beyond max uses.
func (db *DB) UseToken(ctx context.Context, scope, key string, max int) error {
	return db.Write(ctx, func(tx *Tx) error {
		var uses int
		err := tx.QueryRow("SELECT failures FROM throttle WHERE scope = ? AND key = ?", scope, key).Scan(&uses)
		switch {
		case errors.Is(err, ErrNoRows):
			_, err = tx.Exec("INSERT INTO throttle (scope, key, failures, blocked_until, updated_at) VALUES (?, ?, 1, 0, ?)", scope, key, tx.NowMs())
			return err
		case err != nil:
			return err
		case uses >= max:
			return apperr.New(apperr.RateLimited, "err.rate_limited")
		}
		_, err = tx.Exec("UPDATE throttle SET failures = failures + 1, updated_at = ? WHERE scope = ? AND key = ?", tx.NowMs(), scope, key)
		return err
	})
}

// Secret returns the named server secret, creating a random one on first
// use; every instance sharing the database shares it.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	var v string
	err := db.Write(ctx, func(tx *Tx) error {
		err := tx.QueryRow("SELECT value FROM app_secrets WHERE name = ?", name).Scan(&v)
		if err == nil || !errors.Is(err, ErrNoRows) {
			return err
		}
		v = newSecret(32)
		_, err = tx.Exec("INSERT INTO app_secrets (name, value) VALUES (?, ?)", name, v)
		return err
	})
	return []byte(v), err
}
