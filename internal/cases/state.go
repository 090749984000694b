package cases

import (
	"errors"
	"fmt"
)

// State is the state of a case in the ledger. Its values are stored.
type State string

// States of a case.
const (
	// Accepted: received at the window (受理); the clock runs.
	Accepted State = "accepted"
	// InReview: being processed (审核); the clock runs.
	InReview State = "in_review"
	// Correction: the applicant was told what to supply or fix (补正); the
	// clock is stopped.
	Correction State = "correction"
	// Completed: done (办结). Final.
	Completed State = "completed"
	// Rejected: refused with reason and legal basis (不予受理/不予办理).
	// Final.
	Rejected State = "rejected"
	// Withdrawn: withdrawn by the applicant (撤回). Final.
	Withdrawn State = "withdrawn"
)

// States returns every state in ledger order.
func States() []State {
	return []State{Accepted, InReview, Correction, Completed, Rejected, Withdrawn}
}

// Valid reports whether s is a defined state.
func (s State) Valid() bool {
	switch s {
	case Accepted, InReview, Correction, Completed, Rejected, Withdrawn:
		return true
	}
	return false
}

// Closed reports whether s is final: completed, rejected or withdrawn.
func (s State) Closed() bool { return s == Completed || s == Rejected || s == Withdrawn }

// Transition is one allowed change of state.
type Transition struct {
	From, To State
	// InstantOnly restricts the change to on-the-spot items (pledged limit
	// 0).
	InstantOnly bool
}

// transitions is the ledger's transition table. Closed states have no way
// out: a mistake is corrected by a new case, so the ledger keeps its
// history.
var transitions = []Transition{
	{From: Accepted, To: InReview},
	{From: Accepted, To: Correction},
	{From: Accepted, To: Completed, InstantOnly: true},
	{From: Accepted, To: Rejected},
	{From: Accepted, To: Withdrawn},

	{From: InReview, To: Correction},
	{From: InReview, To: Completed},
	{From: InReview, To: Rejected},
	{From: InReview, To: Withdrawn},

	{From: Correction, To: InReview},
	{From: Correction, To: Rejected},
	{From: Correction, To: Withdrawn},
}

// Transitions returns the transition table (a copy).
func Transitions() []Transition {
	return append([]Transition(nil), transitions...)
}

// ErrTransition is returned, wrapped in a *TransitionError, for a change of
// state that the table does not allow.
var ErrTransition = errors.New("cases: change of state not allowed")

// TransitionError reports a change of state that is not allowed.
// errors.Is(err, ErrTransition) is true for it.
type TransitionError struct {
	From, To State
	// InstantOnly is true when the change is allowed for on-the-spot items
	// only and the case is not one.
	InstantOnly bool
}

// Error says which change was refused and why.
func (e *TransitionError) Error() string {
	if e.InstantOnly {
		return fmt.Sprintf("cases: %s → %s is only for on-the-spot items; a pledged item is reviewed first", e.From, e.To)
	}
	return fmt.Sprintf("cases: a case cannot go from %s to %s", e.From, e.To)
}

// Is makes errors.Is(err, ErrTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrTransition }

// CanTransition reports whether a case may go from one state to another;
// instant tells whether the case's item is an on-the-spot item.
func CanTransition(from, to State, instant bool) bool {
	return CheckTransition(from, to, instant) == nil
}

// CheckTransition is CanTransition returning a *TransitionError when the
// change is not allowed.
func CheckTransition(from, to State, instant bool) error {
	for _, t := range transitions {
		if t.From == from && t.To == to {
			if t.InstantOnly && !instant {
				return &TransitionError{From: from, To: to, InstantOnly: true}
			}
			return nil
		}
	}
	return &TransitionError{From: from, To: to}
}

// Next returns the states a case may go to from state from, in table order.
func Next(from State, instant bool) []State {
	var out []State
	for _, t := range transitions {
		if t.From == from && (!t.InstantOnly || instant) {
			out = append(out, t.To)
		}
	}
	return out
}
