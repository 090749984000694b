// Package consult holds the rules of employment consultation for
// graduates, free of I/O: thread states, the customer-service message
// window of WeChat, response and resolution timers on the working-day
// calendar, FAQ keyword matching and the satisfaction scale.
package consult

import (
	"time"

	"mingbai/internal/apperr"
)

// Channels a graduate reaches the service through. A graduate has one
// thread per channel.
const (
	WeChat = "wechat"
	Web    = "web"
)

// Thread states.
const (
	// Open: a person is needed (the graduate asked something the FAQ did
	// not answer, or asked for a person).
	Open = "open"
	// Pending: staff answered and wait for the graduate.
	Pending = "pending"
	// Snoozed: put aside until a time (a call-back promised, a colleague
	// asked); it counts as open again when the time comes.
	Snoozed = "snoozed"
	// Resolved: done; a new message from the graduate opens it again.
	Resolved = "resolved"
)

// Statuses lists the thread states in the order the console shows them.
var Statuses = []string{Open, Pending, Snoozed, Resolved}

// ValidStatus reports whether s is a thread state.
func ValidStatus(s string) bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Move checks a change of state asked for by staff. Snoozing needs a time
// in the future; a resolved thread opens again only through a new message
// from the graduate or explicitly to open.
func Move(from, to string, snoozeUntil, now time.Time) error {
	if !ValidStatus(to) {
		return apperr.InvalidField("status", "consult.bad_status", to)
	}
	if from == to && to != Snoozed {
		return apperr.New(apperr.Conflict, "consult.same_status", "consult.status_"+to)
	}
	if to == Snoozed && !snoozeUntil.After(now) {
		return apperr.InvalidField("snooze_until", "consult.snooze_future")
	}
	if from == Resolved && to != Open {
		return apperr.New(apperr.Conflict, "consult.resolved_closed")
	}
	return nil
}

// Effective returns the state as the queue sees it: a snoozed thread whose
// time has come counts as open.
func Effective(status string, snoozeUntil, now time.Time) string {
	if status == Snoozed && !snoozeUntil.After(now) {
		return Open
	}
	return status
}

// The WeChat customer-service message rule: an account may send
// customer-service messages to a follower only within 48 hours of the
// follower's last message, and at most five before the follower writes
// again.
const (
	KFWindow = 48 * time.Hour
	KFMax    = 5
)

// KF says whether a reply may go over WeChat's customer-service API now,
// given the graduate's last message and how many customer-service
// messages went since; reason is a catalogue key when it may not.
func KF(lastInbound time.Time, sentSince int, now time.Time) (ok bool, reason string) {
	if lastInbound.IsZero() || now.Sub(lastInbound) > KFWindow {
		return false, "consult.kf_expired"
	}
	if sentSince >= KFMax {
		return false, "consult.kf_used_up"
	}
	return true, ""
}

// Satisfaction levels of the five-level scale used across the bureau.
const (
	VerySatisfied    = 5
	Satisfied        = 4
	Neutral          = 3
	Dissatisfied     = 2
	VeryDissatisfied = 1
)

// Levels lists the scale from best to worst, as the rating form shows it.
var Levels = []int{VerySatisfied, Satisfied, Neutral, Dissatisfied, VeryDissatisfied}

// ValidLevel reports whether n is on the scale.
func ValidLevel(n int) bool { return n >= VeryDissatisfied && n <= VerySatisfied }

// Flagged reports whether a rating goes to the rectification list: the two
// lowest levels.
func Flagged(level int) bool { return level <= Dissatisfied }
