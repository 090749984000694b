package duty

import "mingbai/internal/apperr"

// SwapState is the state of a swap request between two leaders.
type SwapState string

// A swap is requested by the shift's leader, accepted (or declined) by the
// other leader, then approved (or rejected) by a hall manager; the roster
// changes on approval only. The requester may withdraw it until then.
const (
	SwapRequested SwapState = "requested"
	SwapAccepted  SwapState = "accepted"
	SwapApproved  SwapState = "approved"
	SwapDeclined  SwapState = "declined"
	SwapRejected  SwapState = "rejected"
	SwapCancelled SwapState = "cancelled"
)

// SwapStates lists every state (for the catalogue and tests).
var SwapStates = []SwapState{SwapRequested, SwapAccepted, SwapApproved, SwapDeclined, SwapRejected, SwapCancelled}

// Open reports whether the swap still waits for someone.
func (s SwapState) Open() bool { return s == SwapRequested || s == SwapAccepted }

// SwapAction is what someone does to a swap request.
type SwapAction string

// The actions on a swap request.
const (
	SwapAccept  SwapAction = "accept"
	SwapDecline SwapAction = "decline"
	SwapApprove SwapAction = "approve"
	SwapReject  SwapAction = "reject"
	SwapCancel  SwapAction = "cancel"
)

// SwapActions lists the actions (for routes and tests).
var SwapActions = []SwapAction{SwapAccept, SwapDecline, SwapApprove, SwapReject, SwapCancel}

// ParseSwapAction validates an action name.
func ParseSwapAction(s string) (SwapAction, error) {
	for _, a := range SwapActions {
		if string(a) == s {
			return a, nil
		}
	}
	return "", apperr.InvalidField("action", "duty.err.swap_action", s)
}

// SwapActor says who acts on a swap: its requester, the leader asked to
// take the shift, or a manager of the hall.
type SwapActor struct {
	Requester, Target, Manager bool
}

// swapRules: for each action, the states it applies to, the state it
// leads to, and who may take it.
var swapRules = map[SwapAction]struct {
	from []SwapState
	to   SwapState
	may  func(SwapActor) bool
}{
	SwapAccept:  {[]SwapState{SwapRequested}, SwapAccepted, func(a SwapActor) bool { return a.Target }},
	SwapDecline: {[]SwapState{SwapRequested}, SwapDeclined, func(a SwapActor) bool { return a.Target }},
	SwapApprove: {[]SwapState{SwapAccepted}, SwapApproved, func(a SwapActor) bool { return a.Manager }},
	SwapReject:  {[]SwapState{SwapRequested, SwapAccepted}, SwapRejected, func(a SwapActor) bool { return a.Manager }},
	SwapCancel:  {[]SwapState{SwapRequested, SwapAccepted}, SwapCancelled, func(a SwapActor) bool { return a.Requester }},
}

// NextSwap decides the state a swap moves to when by takes action a.
func NextSwap(from SwapState, a SwapAction, by SwapActor) (SwapState, error) {
	r, ok := swapRules[a]
	if !ok {
		return "", apperr.InvalidField("action", "duty.err.swap_action", a)
	}
	if !r.may(by) {
		return "", apperr.New(apperr.Forbidden, "duty.err.swap_not_yours")
	}
	for _, s := range r.from {
		if s == from {
			return r.to, nil
		}
	}
	return "", apperr.New(apperr.Conflict, "duty.err.swap_state")
}

// SwapFacts are what a new swap request is checked against.
type SwapFacts struct {
	// RequesterIsLeader: the requester is the shift's leader.
	RequesterIsLeader bool
	// TargetOK: the other leader is a duty leader of the hall.
	TargetOK bool
	// Started: the shift has begun or is checked in (too late to swap).
	Started bool
	// OpenSwap: the shift already has an open swap request.
	OpenSwap bool
}

// CheckSwapRequest validates a new swap request.
func CheckSwapRequest(from, to int64, f SwapFacts) error {
	if !f.RequesterIsLeader {
		return apperr.New(apperr.Forbidden, "duty.err.swap_not_your_shift")
	}
	if to == 0 || to == from {
		return apperr.InvalidField("to_id", "duty.err.swap_same")
	}
	if !f.TargetOK {
		return apperr.InvalidField("to_id", "duty.err.not_leader")
	}
	if f.Started {
		return apperr.New(apperr.Conflict, "duty.err.swap_started")
	}
	if f.OpenSwap {
		return apperr.New(apperr.Conflict, "duty.err.swap_open")
	}
	return nil
}
