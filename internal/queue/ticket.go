package queue

import (
	"strings"
	"unicode/utf8"

	"mingbai/internal/apperr"
)

// Action is a change of a ticket's state. Its values are stored in the
// ticket's transitions and audit records.
type Action string

// Ticket actions. ActIssue and ActCall have their own store operations
// (IssueTicket, CallNext); the others are taken by staff on a called,
// serving or held ticket (ActOnTicket), and ActCancel also by the holder.
const (
	ActIssue    Action = "issue"
	ActCall     Action = "call"
	ActStart    Action = "start"
	ActFinish   Action = "finish"
	ActNoShow   Action = "no_show"
	ActRecall   Action = "recall"
	ActHold     Action = "hold"
	ActReturn   Action = "return"
	ActCancel   Action = "cancel"
	ActTransfer Action = "transfer"
)

// Rule is one row of the ticket state machine: the states an action may be
// taken from and the state it leads to.
type Rule struct {
	Action Action
	From   []State
	To     State
}

// rules is the ticket state machine. Recall keeps the ticket called (it
// repeats the announcement); transfer and return put it back among the
// waiting at its old place (IssuedAt is kept). Done, no-show and cancelled
// are final.
var rules = []Rule{
	{ActIssue, []State{""}, StateWaiting},
	{ActCall, []State{StateWaiting}, StateCalled},
	{ActStart, []State{StateCalled}, StateServing},
	{ActFinish, []State{StateCalled, StateServing}, StateDone},
	{ActNoShow, []State{StateCalled}, StateNoShow},
	{ActRecall, []State{StateCalled}, StateCalled},
	{ActHold, []State{StateCalled, StateServing}, StateHeld},
	{ActReturn, []State{StateHeld}, StateWaiting},
	{ActCancel, []State{StateWaiting, StateCalled, StateHeld}, StateCancelled},
	{ActTransfer, []State{StateCalled, StateServing}, StateWaiting},
}

// holderCancel are the states from which the holder may give up a ticket
// (the tracking page): once called, only staff end it.
var holderCancel = []State{StateWaiting, StateHeld}

// Rules returns the ticket state machine (a copy).
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = Rule{r.Action, append([]State(nil), r.From...), r.To}
	}
	return out
}

func ruleOf(a Action) (Rule, bool) {
	for _, r := range rules {
		if r.Action == a {
			return r, true
		}
	}
	return Rule{}, false
}

// StaffAction parses an action staff take on a ticket after the call (the
// actions of ActOnTicket): not issue, not call.
func StaffAction(s string) (Action, error) {
	a := Action(s)
	if _, ok := ruleOf(a); !ok || a == ActIssue || a == ActCall {
		return "", apperr.InvalidField("action", "err.bad_value", "action", s)
	}
	return a, nil
}

// Next returns the state action a leads to from state from, or a conflict
// naming the ticket (number) and its state when the table does not allow
// it.
func Next(a Action, from State, number string) (State, error) {
	r, ok := ruleOf(a)
	if !ok {
		return "", apperr.InvalidField("action", "err.bad_value", "action", string(a))
	}
	for _, s := range r.From {
		if s == from {
			return r.To, nil
		}
	}
	return "", badState(number, from)
}

// HolderCancel is Next for the holder cancelling from the tracking page.
func HolderCancel(from State, number string) (State, error) {
	for _, s := range holderCancel {
		if s == from {
			return StateCancelled, nil
		}
	}
	return "", badState(number, from)
}

func badState(number string, s State) error {
	return apperr.New(apperr.Conflict, "queue.bad_state", number, "ticket_state_"+string(s))
}

// CheckNoShow allows a no-show only after the ticket was recalled
// maxRecalls times.
func CheckNoShow(recalls, maxRecalls int) error {
	if recalls < maxRecalls {
		return apperr.New(apperr.Conflict, "queue.noshow_too_early", maxRecalls, recalls)
	}
	return nil
}

// MaxNote is the longest note (or out-of-turn reason) staff may give, in
// characters.
const MaxNote = 200

// CheckNote bounds a note or reason given with an action.
func CheckNote(field, note string) error {
	if utf8.RuneCountInString(note) > MaxNote {
		return apperr.InvalidField(field, "err.too_long", field, MaxNote)
	}
	return nil
}

// CheckOutOfTurn requires a reason for calling a ticket out of turn; the
// call is then recorded as an integrity alert.
func CheckOutOfTurn(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", apperr.InvalidField("reason", "queue.reason_required")
	}
	return reason, nil
}

// Active reports whether a ticket in state s still holds a place: waiting,
// at a window or held. A phone holds one active ticket per item.
func (s State) Active() bool {
	switch s {
	case StateWaiting, StateCalled, StateServing, StateHeld:
		return true
	}
	return false
}

// AtWindow reports whether a ticket in state s occupies its window: called
// or being served. A window with such a ticket cannot call another.
func (s State) AtWindow() bool { return s == StateCalled || s == StateServing }

// States returns every ticket state.
func States() []State {
	return []State{StateWaiting, StateCalled, StateServing, StateDone, StateNoShow, StateCancelled, StateHeld, StateTransferred}
}

// StatesWhere returns the states for which keep is true, in States order
// (for a store query's IN list).
func StatesWhere(keep func(State) bool) []State {
	var out []State
	for _, s := range States() {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}
