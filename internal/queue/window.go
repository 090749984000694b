package queue

import "mingbai/internal/apperr"

// SessionState is the state of a staff member's session at a window.
type SessionState string

// Window session states.
const (
	WindowOpen   SessionState = "open"
	WindowPaused SessionState = "paused"
	WindowClosed SessionState = "closed"
)

// PauseReasons are the reasons a window may pause for (break, back office
// work, meeting); a pause without one of them is refused.
var PauseReasons = []string{"break", "back_office", "meeting"}

// WindowSession is a staff member signed in at a window.
type WindowSession struct {
	ID        int64        `json:"id"`
	HallID    int64        `json:"hall_id"`
	WindowID  int64        `json:"window_id"`
	StaffID   int64        `json:"staff_id,omitempty"`
	Username  string       `json:"username"`
	State     SessionState `json:"state"`
	Reason    string       `json:"reason,omitempty"`
	OpenedAt  int64        `json:"opened_at"`
	UpdatedAt int64        `json:"updated_at"`
}

// Staffer is the member of staff acting at a window.
type Staffer struct {
	Username string
	StaffID  int64
	// Manager lets hall managers and admins act on any window's tickets.
	Manager bool
}

// CheckWindowState validates a requested session state with its reason and
// returns the reason to store: a pause needs one of PauseReasons; open and
// closed carry none.
func CheckWindowState(state, reason string) (SessionState, string, error) {
	switch s := SessionState(state); s {
	case WindowOpen, WindowClosed:
		return s, "", nil
	case WindowPaused:
		for _, r := range PauseReasons {
			if r == reason {
				return s, reason, nil
			}
		}
		return "", "", apperr.InvalidField("reason", "queue.bad_pause_reason", reason)
	}
	return "", "", apperr.InvalidField("state", "err.bad_value", "state", state)
}

// SignIn is what signing in at a window does.
type SignIn int

// Outcomes of DecideSignIn.
const (
	// SignInNew opens a new session (after closing the member's session at
	// any other window).
	SignInNew SignIn = iota
	// SignInAgain keeps the member's session at this window, reopened if it
	// was paused.
	SignInAgain
)

// DecideSignIn decides a sign-in at window number given its current
// session (nil when nobody is signed in): someone else's session is a
// conflict.
func DecideSignIn(cur *WindowSession, who Staffer, number string) (SignIn, error) {
	switch {
	case cur == nil:
		return SignInNew, nil
	case cur.Username != who.Username:
		return 0, apperr.New(apperr.Conflict, "queue.window_taken", number)
	}
	return SignInAgain, nil
}

// CheckSetState allows changing a window's session (pause, reopen, sign
// out) to the member signed in there and to managers; cur is nil when
// nobody is.
func CheckSetState(cur *WindowSession, who Staffer, number string) error {
	if cur == nil || (cur.Username != who.Username && !who.Manager) {
		return apperr.New(apperr.Conflict, "queue.not_signed_in", number)
	}
	return nil
}

// CheckCall allows window number to call when who is the member signed in
// there (managers too must sign in to call), the session is not paused and
// no ticket is at the window (busy is its number, "" when none).
func CheckCall(cur *WindowSession, who Staffer, number, busy string) error {
	switch {
	case cur == nil || cur.Username != who.Username:
		return apperr.New(apperr.Conflict, "queue.not_signed_in", number)
	case cur.State == WindowPaused:
		return apperr.New(apperr.Conflict, "queue.window_paused", number)
	case busy != "":
		return apperr.New(apperr.Conflict, "queue.window_busy", busy)
	}
	return nil
}

// CheckActor allows who to act on a ticket (number) at a window whose
// session is cur (nil when nobody is signed in there): only the member
// signed in at the ticket's window, or a manager. A ticket at no window
// (held, waiting) may be acted on by any staff member of the hall.
func CheckActor(atWindow bool, cur *WindowSession, who Staffer, number string) error {
	if !atWindow || who.Manager {
		return nil
	}
	if cur == nil || cur.Username != who.Username {
		return apperr.New(apperr.Forbidden, "queue.not_your_ticket", number)
	}
	return nil
}
