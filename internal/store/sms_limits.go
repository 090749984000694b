package store

import (
	"time"

	"mingbai/internal/apperr"
)

// SMSLimits bound how many SMS codes mingbai sends, so that strangers can
// make it send codes (each costs money and annoys a stranger) only
// slowly. Zero fields take the defaults (DefaultSMSLimits).
type SMSLimits struct {
	PerPhoneMinute  int // codes to one phone number per minute
	PerPhoneHour    int // … per hour
	PerAddressHour  int // codes requested from one client address per hour
	PerHallHour     int // codes for one hall per hour
	GlobalPerMinute int // codes of the installation per minute
	GlobalPerDay    int // … per day (24 hours)
	PerPageToken    int // codes one page token may ask for
	PageTokenMaxAge time.Duration
}

// DefaultSMSLimits are the limits unless the installation sets others
// (mingbai serve --sms-* flags; docs/security.md).
var DefaultSMSLimits = SMSLimits{PerPhoneMinute: 1, PerPhoneHour: 5, PerAddressHour: 10, PerHallHour: 300,
	GlobalPerMinute: 30, GlobalPerDay: 3000, PerPageToken: 3, PageTokenMaxAge: 30 * time.Minute}

func (l SMSLimits) withDefaults() SMSLimits {
	d := DefaultSMSLimits
	pick := func(v, def int) int {
		if v > 0 {
			return v
		}
		return def
	}
	l.PerPhoneMinute = pick(l.PerPhoneMinute, d.PerPhoneMinute)
	l.PerPhoneHour = pick(l.PerPhoneHour, d.PerPhoneHour)
	l.PerAddressHour = pick(l.PerAddressHour, d.PerAddressHour)
	l.PerHallHour = pick(l.PerHallHour, d.PerHallHour)
	l.GlobalPerMinute = pick(l.GlobalPerMinute, d.GlobalPerMinute)
	l.GlobalPerDay = pick(l.GlobalPerDay, d.GlobalPerDay)
	l.PerPageToken = pick(l.PerPageToken, d.PerPageToken)
	if l.PageTokenMaxAge <= 0 {
		l.PageTokenMaxAge = d.PageTokenMaxAge
	}
	return l
}

// SMSRefusal keys, one per limit, so that metrics tell them apart.
const (
	SMSLimitPhone   = "sms.limit_phone"
	SMSLimitAddress = "sms.limit_address"
	SMSLimitHall    = "sms.limit_hall"
	SMSLimitGlobal  = "sms.limit_global"
)

// checkSMSLimits counts the codes already sent inside the sending
// transaction. On PostgreSQL an advisory lock serialises senders, so two
// instances cannot both take the last place of a limit; SQLite has one
// writer.
func checkSMSLimits(tx *Tx, l SMSLimits, hallID int64, blind, source string) error {
	l = l.withDefaults()
	if err := tx.advisoryLock(lockSMSLimits, 0); err != nil {
		return err
	}
	now := tx.Now
	count := func(where string, since time.Duration, args ...any) (int, error) {
		var n int
		args = append(args, now.Add(-since).UnixMilli())
		err := tx.QueryRow("SELECT COUNT(*) FROM phone_codes WHERE "+where+" created_at > ?", args...).Scan(&n)
		return n, err
	}
	checks := []struct {
		where string
		args  []any
		since time.Duration
		max   int
		key   string
	}{
		{"phone_blind = ? AND", []any{blind}, time.Minute, l.PerPhoneMinute, SMSLimitPhone},
		{"phone_blind = ? AND", []any{blind}, time.Hour, l.PerPhoneHour, SMSLimitPhone},
		{"source = ? AND", []any{source}, time.Hour, l.PerAddressHour, SMSLimitAddress},
		{"hall_id = ? AND", []any{hallID}, time.Hour, l.PerHallHour, SMSLimitHall},
		{"", nil, time.Minute, l.GlobalPerMinute, SMSLimitGlobal},
		{"", nil, 24 * time.Hour, l.GlobalPerDay, SMSLimitGlobal},
	}
	for _, c := range checks {
		if c.key == SMSLimitAddress && source == "" {
			continue
		}
		n, err := count(c.where, c.since, c.args...)
		if err != nil {
			return err
		}
		if n >= c.max {
			return apperr.New(apperr.RateLimited, c.key)
		}
	}
	return nil
}
