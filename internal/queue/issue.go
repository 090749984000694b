package queue

import "mingbai/internal/apperr"

// Channel is how a ticket was taken. Its values are stored.
type Channel string

// Ticket channels.
const (
	ChannelKiosk       Channel = "kiosk"
	ChannelWeb         Channel = "web"
	ChannelPhone       Channel = "phone"
	ChannelAppointment Channel = "appointment"
	ChannelStaff       Channel = "staff"
)

// issuePriorities are the green-channel reasons a ticket may be issued
// with; PriorityAppointment comes only from an appointment's check-in.
var issuePriorities = []PriorityReason{PriorityNone, PriorityElderly, PriorityDisabled, PriorityPregnant, PriorityMilitary}

// MaxIdemKey is the longest idempotency key accepted, in bytes.
const MaxIdemKey = 200

// IssueInput is what the issue rules look at before anything is read.
type IssueInput struct {
	Priority PriorityReason
	Channel  Channel
	Phone    string
	// Appointment is true when the ticket is issued at an appointment's
	// check-in.
	Appointment bool
	IdemKey     string
}

// CheckIssue validates a ticket request: a known priority (appointment
// only from a check-in), a known channel, a valid mobile number when one
// is given, and one required for remote (phone) tickets.
func CheckIssue(in IssueInput) error {
	okPriority := in.Priority == PriorityAppointment && in.Appointment
	for _, p := range issuePriorities {
		okPriority = okPriority || p == in.Priority
	}
	if !okPriority {
		return apperr.InvalidField("priority", "queue.bad_priority", string(in.Priority))
	}
	switch in.Channel {
	case ChannelKiosk, ChannelWeb, ChannelPhone, ChannelAppointment, ChannelStaff:
	default:
		return apperr.InvalidField("channel", "err.bad_value", "channel", string(in.Channel))
	}
	if in.Phone != "" && !MobileOK(in.Phone) {
		return apperr.InvalidField("phone", "queue.bad_phone")
	}
	if in.Channel == ChannelPhone && in.Phone == "" {
		return apperr.InvalidField("phone", "err.required", "phone")
	}
	if len(in.IdemKey) > MaxIdemKey {
		return apperr.InvalidField("idempotency_key", "err.too_long", "idempotency_key", MaxIdemKey)
	}
	return nil
}

// MobileOK reports whether p is a mainland mobile number: 11 digits,
// starting 13–19.
func MobileOK(p string) bool {
	if len(p) != 11 || p[0] != '1' || p[1] < '3' {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// IssueFacts are what the store reads, inside the issuing transaction,
// for the limits of CheckIssueLimits.
type IssueFacts struct {
	// ActiveForPhone counts the phone's active tickets for the item (0
	// when the request has no phone).
	ActiveForPhone int
	// IssuedToday counts the item's tickets of the hall's day.
	IssuedToday int
	// DefaultCap is the hall's daily cap per item; ItemCap, when HasItemCap,
	// overrides it for this item.
	DefaultCap int
	ItemCap    int
	HasItemCap bool
}

// DailyCap is the number of tickets the item may issue today.
func (f IssueFacts) DailyCap() int {
	if f.HasItemCap {
		return f.ItemCap
	}
	return f.DefaultCap
}

// CheckIssueLimits applies one active ticket per phone and item, then the
// item's daily cap.
func CheckIssueLimits(f IssueFacts) error {
	if f.ActiveForPhone > 0 {
		return apperr.New(apperr.Conflict, "queue.phone_active")
	}
	if limit := f.DailyCap(); f.IssuedToday >= limit {
		return apperr.New(apperr.Conflict, "queue.cap_reached", limit)
	}
	return nil
}
