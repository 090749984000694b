// Package complaints holds the rules of complaints and suggestions
// (投诉建议): channels, types and their deadlines in working days (or the
// calendar days of the 2022 petition regulation), first-receiver
// responsibility (首问负责), the steps of a complaint and who may see it.
// It does no I/O: the store loads the facts and applies these rules.
package complaints

import (
	"strings"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/workday"
)

// Channel is how a complaint reached the hall.
type Channel string

// Channels.
const (
	// ChannelDuty: told to the duty leader on the floor.
	ChannelDuty Channel = "duty_leader"
	// ChannelKiosk: entered at a kiosk in the hall.
	ChannelKiosk Channel = "kiosk"
	// ChannelWeb: the public web form.
	ChannelWeb Channel = "web"
	// ChannelHotline: a 12345 hotline order entered by staff.
	ChannelHotline Channel = "hotline"
	// ChannelCallback: heard on a callback call (回访).
	ChannelCallback Channel = "callback"
)

// Channels lists every channel in display order.
func Channels() []Channel {
	return []Channel{ChannelDuty, ChannelKiosk, ChannelWeb, ChannelHotline, ChannelCallback}
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels() {
		if c == k {
			return true
		}
	}
	return false
}

// Public reports whether the channel is one the public uses without staff
// (their entries are not received by a person: the duty leader owns them).
func (c Channel) Public() bool { return c == ChannelKiosk || c == ChannelWeb }

// Type is what a complaint is.
type Type string

// Types.
const (
	TypeConsultation Type = "consultation"
	TypeHelp         Type = "help"
	TypeSuggestion   Type = "suggestion"
	TypeComplaint    Type = "complaint"
	TypeReport       Type = "report"
	// TypePetition is a formal petition (信访) under the 2022 regulation.
	TypePetition Type = "petition"
)

// Types lists every type in display order.
func Types() []Type {
	return []Type{TypeConsultation, TypeHelp, TypeSuggestion, TypeComplaint, TypeReport, TypePetition}
}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, k := range Types() {
		if t == k {
			return true
		}
	}
	return false
}

// Limit is a time limit: a number of days in a unit.
type Limit struct {
	Days int          `json:"days"`
	Unit workday.Unit `json:"unit"`
}

// Petition limits of the 信访工作条例 (2022), in calendar days: the
// decision whether to accept within 15 days of receipt, handling within 60
// days of acceptance, one extension of at most 30 days.
const (
	PetitionAcceptDays   = 15
	PetitionHandleDays   = 60
	PetitionMaxExtension = 30
)

// DefaultLimits are the deadlines by type when a hall has not set its own:
// consultation 2, help or suggestion 10, complaint or report 15 working
// days; a petition is handled within 60 calendar days of acceptance.
func DefaultLimits() map[Type]Limit {
	return map[Type]Limit{
		TypeConsultation: {2, workday.WorkingDays},
		TypeHelp:         {10, workday.WorkingDays},
		TypeSuggestion:   {10, workday.WorkingDays},
		TypeComplaint:    {15, workday.WorkingDays},
		TypeReport:       {15, workday.WorkingDays},
		TypePetition:     {PetitionHandleDays, workday.CalendarDays},
	}
}

// CheckLimit validates a hall's limit for a type.
func CheckLimit(t Type, l Limit) error {
	if !t.Valid() {
		return apperr.InvalidField("type", "complaints.err.type")
	}
	if !l.Unit.Valid() {
		return apperr.InvalidField("unit", "complaints.err.unit")
	}
	if l.Days < 1 || l.Days > 365 {
		return apperr.InvalidField("days", "complaints.err.days", 1, 365)
	}
	// A petition's handling limit is the regulation's at most: 60
	// calendar days from acceptance (a hall may set a shorter one).
	if t == TypePetition && (l.Unit != workday.CalendarDays || l.Days > PetitionHandleDays) {
		return apperr.InvalidField("days", "complaints.err.petition_limit", PetitionHandleDays)
	}
	return nil
}

// State is where a complaint stands.
type State string

// States.
const (
	// StatePending: a petition waiting for the acceptance decision.
	StatePending State = "pending"
	// StateOpen: being handled, with a deadline.
	StateOpen State = "open"
	// StateResolved: handled (on the spot or later); a reply may follow.
	StateResolved State = "resolved"
	// StateReplied: the written reply went to the citizen.
	StateReplied State = "replied"
	// StateClosed: the callback confirmed the outcome, or a petition was
	// not accepted.
	StateClosed State = "closed"
)

// States lists every state in order.
func States() []State {
	return []State{StatePending, StateOpen, StateResolved, StateReplied, StateClosed}
}

// Active reports whether a deadline still runs in the state.
func (s State) Active() bool { return s == StatePending || s == StateOpen }

// Action is a step a person takes on a complaint.
type Action string

// Actions.
const (
	ActHandover Action = "handover"
	ActAccept   Action = "accept"
	ActDecline  Action = "decline"
	ActExtend   Action = "extend"
	ActResolve  Action = "resolve"
	ActReply    Action = "reply"
	ActCallback Action = "callback"
)

// Actions lists every action.
func Actions() []Action {
	return []Action{ActHandover, ActAccept, ActDecline, ActExtend, ActResolve, ActReply, ActCallback}
}

// Callback outcomes.
const (
	OutcomeSatisfied   = "satisfied"
	OutcomeUnsatisfied = "unsatisfied"
	OutcomeUnreachable = "unreachable"
)

// Outcomes lists the callback outcomes.
func Outcomes() []string { return []string{OutcomeSatisfied, OutcomeUnsatisfied, OutcomeUnreachable} }

// Intake is a new complaint as received.
type Intake struct {
	Channel Channel
	Type    Type
	Summary string
	Detail  string
	Name    string
	Phone   string
	// HotlineOrder is the 12345 order number (hotline only, required).
	HotlineOrder string
	// OnTheSpot: resolved while the citizen is there (Resolution says how).
	OnTheSpot  bool
	Resolution string
}

// CheckIntake validates a new complaint: a channel and a type are
// required, a hotline order needs its order number, a resolution on the
// spot needs to say how.
func CheckIntake(in Intake) error {
	if strings.TrimSpace(string(in.Channel)) == "" {
		return apperr.InvalidField("channel", "complaints.err.no_channel")
	}
	if !in.Channel.Valid() {
		return apperr.InvalidField("channel", "complaints.err.channel")
	}
	if strings.TrimSpace(string(in.Type)) == "" {
		return apperr.InvalidField("type", "complaints.err.no_type")
	}
	if !in.Type.Valid() {
		return apperr.InvalidField("type", "complaints.err.type")
	}
	if err := text("summary", in.Summary, 200, true); err != nil {
		return err
	}
	if err := text("detail", in.Detail, 4000, false); err != nil {
		return err
	}
	if err := text("name", in.Name, 40, false); err != nil {
		return err
	}
	if in.Channel == ChannelHotline && strings.TrimSpace(in.HotlineOrder) == "" {
		return apperr.InvalidField("hotline_order", "complaints.err.hotline_order")
	}
	if err := text("hotline_order", in.HotlineOrder, 40, false); err != nil {
		return err
	}
	if in.OnTheSpot {
		if in.Type == TypePetition {
			return apperr.InvalidField("on_the_spot", "complaints.err.petition_spot")
		}
		if err := text("resolution", in.Resolution, 2000, true); err != nil {
			return err
		}
	}
	return nil
}

func text(field, v string, max int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return apperr.InvalidField(field, "err.required", field)
	}
	if utf8.RuneCountInString(v) > max {
		return apperr.InvalidField(field, "err.too_long", field, max)
	}
	return nil
}

// Dates are the deadlines of a complaint.
type Dates struct {
	// AcceptDue is the last day of a petition's acceptance decision.
	AcceptDue workday.Date
	// Due is the last day of handling (zero for a petition until accepted).
	Due workday.Date
}

// Deadlines returns the deadlines of a complaint of type t received on
// received (the day of receipt is not counted), by the hall's limits
// (DefaultLimits for a type the hall has not set).
func Deadlines(cal *workday.Calendar, received workday.Date, t Type, limits map[Type]Limit) (Dates, error) {
	if t == TypePetition {
		d, err := cal.Deadline(received, PetitionAcceptDays, workday.CalendarDays)
		return Dates{AcceptDue: d}, err
	}
	l, ok := limits[t]
	if !ok {
		l = DefaultLimits()[t]
	}
	d, err := cal.Deadline(received, l.Days, l.Unit)
	return Dates{Due: d}, err
}

// AcceptedDue is the handling deadline of a petition accepted on day.
func AcceptedDue(cal *workday.Calendar, accepted workday.Date, limits map[Type]Limit) (workday.Date, error) {
	l, ok := limits[TypePetition]
	if !ok {
		l = DefaultLimits()[TypePetition]
	}
	return cal.Deadline(accepted, l.Days, l.Unit)
}

// Status is how a complaint stands against its deadline on a day.
type Status struct {
	Due      workday.Date
	Overdue  bool
	Near     bool
	DaysLeft int
}

// DueStatus tells whether an active complaint is overdue on today (today
// is after its deadline) or near it (at most remind working days left).
func DueStatus(cal *workday.Calendar, today, due workday.Date, remind int) (Status, error) {
	st := Status{Due: due}
	if due.IsZero() {
		return st, nil
	}
	if today.After(due) {
		st.Overdue = true
		n, err := cal.WorkdaysBetween(today, due)
		st.DaysLeft = n
		return st, err
	}
	n, err := cal.WorkdaysBetween(today, due)
	if err != nil {
		return st, err
	}
	st.DaysLeft = n
	st.Near = n <= remind
	return st, nil
}
