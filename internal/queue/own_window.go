package queue

import "mingbai/internal/apperr"

// A clerk acts only at their own window (docs/security.md). These rules
// apply to staff who are not managers of the hall; managers act anywhere
// in their hall.

// CheckStaffWindow lets who sign in at window number when it is assigned
// to them or they were named its cover (staff ids; 0 is nobody).
func CheckStaffWindow(who Staffer, assigned, cover int64, number string) error {
	if who.Manager {
		return nil
	}
	if who.StaffID == 0 || (who.StaffID != assigned && who.StaffID != cover) {
		return apperr.New(apperr.Forbidden, "queue.not_your_window", number)
	}
	return nil
}

// CheckTicketActor decides whether who may act on ticket number: a ticket
// at a window only by the one signed in there (cur), a held ticket only by
// its holder (the staff member who called it), a ticket at no window
// (waiting) by nobody but a manager.
func CheckTicketActor(atWindow bool, cur *WindowSession, held bool, holder int64, who Staffer, number string) error {
	if who.Manager {
		return nil
	}
	switch {
	case atWindow:
		if cur == nil || cur.Username != who.Username {
			return apperr.New(apperr.Forbidden, "queue.not_your_ticket", number)
		}
	case held:
		if who.StaffID == 0 || holder != who.StaffID {
			return apperr.New(apperr.Forbidden, "queue.not_your_ticket", number)
		}
	default:
		return apperr.New(apperr.Forbidden, "queue.not_your_ticket", number)
	}
	return nil
}
