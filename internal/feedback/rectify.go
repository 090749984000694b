package feedback

import (
	"mingbai/internal/apperr"
	"mingbai/internal/workday"
)

// RectState is the state of a rectification (整改) of a bad rating.
type RectState string

// The states, in the order a rectification moves through them.
const (
	RectOpen       RectState = "open"        // opened by the bad rating
	RectAssigned   RectState = "assigned"    // an owner is named (谁办理谁负责)
	RectVerified   RectState = "verified"    // the facts are checked
	RectRectified  RectState = "rectified"   // the fix is recorded
	RectReplied    RectState = "replied"     // the citizen has been answered
	RectCalledBack RectState = "called_back" // the citizen was called back
	RectClosed     RectState = "closed"
)

// RectStates lists the states in order.
var RectStates = []RectState{RectOpen, RectAssigned, RectVerified, RectRectified, RectReplied, RectCalledBack, RectClosed}

// RectAction is a step of a rectification.
type RectAction string

// The steps.
const (
	ActAssign   RectAction = "assign"
	ActVerify   RectAction = "verify"
	ActRectify  RectAction = "rectify"
	ActReply    RectAction = "reply"
	ActCallback RectAction = "callback"
	ActClose    RectAction = "close"
)

// RectActions lists the steps in order.
var RectActions = []RectAction{ActAssign, ActVerify, ActRectify, ActReply, ActCallback, ActClose}

// rectNext is the state machine: each step is allowed from one state.
var rectNext = map[RectAction][2]RectState{
	ActAssign:   {RectOpen, RectAssigned},
	ActVerify:   {RectAssigned, RectVerified},
	ActRectify:  {RectVerified, RectRectified},
	ActReply:    {RectRectified, RectReplied},
	ActCallback: {RectReplied, RectCalledBack},
	ActClose:    {RectCalledBack, RectClosed},
}

// Step returns the state after action a from state s, or an invalid-input
// error naming the step expected next.
func Step(s RectState, a RectAction) (RectState, error) {
	t, ok := rectNext[a]
	if !ok {
		return s, apperr.InvalidField("action", "fb.err.rect_action")
	}
	if s == RectClosed {
		return s, apperr.New(apperr.Conflict, "fb.err.rect_closed")
	}
	if t[0] != s {
		return s, apperr.New(apperr.Conflict, "fb.err.rect_order", "rect_action."+string(NextAction(s)))
	}
	return t[1], nil
}

// NextAction is the step expected in state s ("" when closed).
func NextAction(s RectState) RectAction {
	for a, t := range rectNext {
		if t[0] == s {
			return a
		}
	}
	return ""
}

// Owner says who takes a step: the manager assigns and closes, the owner
// (normally the staff member who handled the matter) does the rest. The
// callback step may also be done by a callback operator.
func Owner(a RectAction) string {
	switch a {
	case ActAssign, ActClose:
		return "manager"
	case ActCallback:
		return "callback"
	}
	return "owner"
}

// DefaultRectDays is the rectification deadline in working days (Dezhou's
// rule; configurable per hall: Sichuan allows 15).
const DefaultRectDays = 5

// DefaultLateDays is how many working days after the service a missing
// rating may still be added (Shandong HR).
const DefaultLateDays = 5

// Deadline is the last working day of a rectification opened on day d.
func Deadline(cal *workday.Calendar, opened workday.Date, days int) (workday.Date, error) {
	if days <= 0 {
		days = DefaultRectDays
	}
	return cal.AddWorkdays(opened, days)
}

// Overdue reports whether a rectification that is not closed is past its
// deadline on day today.
func Overdue(s RectState, deadline, today workday.Date) bool {
	return s != RectClosed && !deadline.IsZero() && today.After(deadline)
}

// AppealState is the state of an appeal by the rated staff member.
type AppealState string

// Appeal states. An upheld appeal marks the rating invalid (kept, never
// deleted, and left out of the rates); a rejected one leaves it standing.
const (
	AppealPending  AppealState = "pending"
	AppealUpheld   AppealState = "upheld"
	AppealRejected AppealState = "rejected"
)

// Outcome is the result of one callback attempt.
type Outcome string

// The outcomes of an attempt.
const (
	OutcomeCompleted Outcome = "completed"
	OutcomePartial   Outcome = "partial"
	OutcomeRefused   Outcome = "refused"
	OutcomeNoContact Outcome = "no_contact"
	OutcomeOther     Outcome = "other"
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{OutcomeCompleted, OutcomePartial, OutcomeRefused, OutcomeNoContact, OutcomeOther}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	for _, k := range Outcomes {
		if k == o {
			return true
		}
	}
	return false
}

// Final reports whether an outcome ends the work on a drawn person: an
// answer was obtained or they refused. No contact and other may be tried
// again, up to MaxAttempts.
func (o Outcome) Final() bool {
	return o == OutcomeCompleted || o == OutcomePartial || o == OutcomeRefused
}

// MaxAttempts is how many times a drawn person is tried before a
// replacement from the same stratum is taken.
const MaxAttempts = 3

// DayPart splits the day for the "different days and times" rule.
func DayPart(hour int) string {
	switch {
	case hour < 12:
		return "morning"
	case hour < 18:
		return "afternoon"
	}
	return "evening"
}

// AttemptAllowed checks a new attempt against the earlier ones (each given
// as its local day and part of day): at most MaxAttempts, and each on a
// different day or at a different part of the day than every earlier one.
func AttemptAllowed(prev [][2]string, day, part string) error {
	if len(prev) >= MaxAttempts {
		return apperr.New(apperr.Conflict, "fb.err.attempts_used", MaxAttempts)
	}
	for _, p := range prev {
		if p[0] == day && p[1] == part {
			return apperr.New(apperr.Conflict, "fb.err.attempt_same_slot")
		}
	}
	return nil
}

// CallbackQuestions are the questions of the callback script, each
// answered with a level (attitude, ability, efficiency) or yes/no.
var CallbackQuestions = []string{"attitude", "ability", "efficiency", "told_once", "improper_demand"}
