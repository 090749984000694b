package complaints

import (
	"strings"

	"mingbai/internal/apperr"
)

// Facts are what the rules need to know of a complaint.
type Facts struct {
	Type           Type
	State          State
	Owner          string
	Receiver       string
	SubjectStaffID int64
	ExtendedDays   int
	HasPhone       bool
}

// Step is a step as a person asks for it.
type Step struct {
	Action Action
	// To is the account that takes the complaint over (handover).
	To string
	// ToStaffID is the staff record of To (0 when it has none).
	ToStaffID int64
	// Days is the extension of a petition (at most 30).
	Days int
	// Note: the resolution (resolve), the reply text (reply), the reason
	// (decline, extend, handover) or the callback remark.
	Note string
	// Outcome of a callback (satisfied, unsatisfied, unreachable).
	Outcome string
}

// Viewer is a person reading or acting on complaints.
type Viewer struct {
	Username string
	// StaffID is the viewer's staff record (0 when they have none).
	StaffID int64
	// Oversees: duty leaders, managers, auditors, callback operators and
	// administrators read every complaint of their hall (but one about
	// themselves); everyone else reads only the complaints they own.
	Oversees bool
	// Acts: may take steps on complaints they do not own (duty leaders,
	// managers, administrators); auditors only read.
	Acts bool
}

// MayView reports whether v may see a complaint at all. The staff member
// complained about never sees it, whatever their role.
func MayView(v Viewer, f Facts) bool {
	if f.SubjectStaffID != 0 && v.StaffID == f.SubjectStaffID {
		return false
	}
	return v.Oversees || (v.Username != "" && v.Username == f.Owner)
}

// MayReveal reports whether v may see the complainant's name and phone
// in full (audited): the owner, or someone who acts for the hall.
func MayReveal(v Viewer, f Facts) bool {
	return MayView(v, f) && (v.Acts || v.Username == f.Owner)
}

// CheckReceiver refuses a complaint received by the staff member it is
// about: it goes to the duty leader instead.
func CheckReceiver(receiverStaffID, subjectStaffID int64) error {
	if subjectStaffID != 0 && receiverStaffID == subjectStaffID {
		return apperr.New(apperr.Invalid, "complaints.err.own_subject")
	}
	return nil
}

// Next checks a step by v against the facts and returns the state after
// it. Only the owner (first-receiver responsibility: the receiver owns the
// complaint until a recorded hand-over) or someone who acts for the hall
// may take a step.
func Next(v Viewer, f Facts, s Step) (State, error) {
	if !MayView(v, f) {
		return "", apperr.NotFoundOf("complaint")
	}
	if v.Username != f.Owner && !v.Acts {
		return "", apperr.New(apperr.Forbidden, "complaints.err.not_owner")
	}
	need := func(field string, max int) error {
		if strings.TrimSpace(s.Note) == "" {
			return apperr.InvalidField(field, "err.required", field)
		}
		return text(field, s.Note, max, true)
	}
	bad := func() (State, error) {
		return "", apperr.New(apperr.Conflict, "complaints.err.step", string(s.Action), string(f.State))
	}
	st, err := next(f, s, need, bad)
	if err != nil {
		return "", err
	}
	return st, nil
}

// next is the step table of Next; a refused step returns its error.
func next(f Facts, s Step, need func(string, int) error, bad func() (State, error)) (State, error) {
	switch s.Action {
	case ActHandover:
		if f.State == StateClosed {
			return bad()
		}
		if strings.TrimSpace(s.To) == "" {
			return "", apperr.InvalidField("to", "err.required", "to")
		}
		if s.To == f.Owner {
			return "", apperr.InvalidField("to", "complaints.err.same_owner")
		}
		if f.SubjectStaffID != 0 && s.ToStaffID == f.SubjectStaffID {
			return "", apperr.InvalidField("to", "complaints.err.to_subject")
		}
		if err := text("note", s.Note, 500, false); err != nil {
			return "", err
		}
		return f.State, nil
	case ActAccept:
		if f.State != StatePending {
			return bad()
		}
		return StateOpen, text("note", s.Note, 500, false)
	case ActDecline:
		if f.State != StatePending {
			return bad()
		}
		return StateClosed, need("note", 1000)
	case ActExtend:
		if f.Type != TypePetition || f.State != StateOpen {
			return bad()
		}
		if f.ExtendedDays > 0 {
			return "", apperr.New(apperr.Conflict, "complaints.err.extended_once")
		}
		if s.Days < 1 || s.Days > PetitionMaxExtension {
			return "", apperr.InvalidField("days", "complaints.err.extend_days", PetitionMaxExtension)
		}
		return StateOpen, need("note", 500)
	case ActResolve:
		if f.State != StateOpen {
			return bad()
		}
		return StateResolved, need("note", 2000)
	case ActReply:
		if f.State != StateResolved {
			return bad()
		}
		return StateReplied, need("note", 300)
	case ActCallback:
		if f.State != StateResolved && f.State != StateReplied {
			return bad()
		}
		switch s.Outcome {
		case OutcomeSatisfied, OutcomeUnsatisfied, OutcomeUnreachable:
		default:
			return "", apperr.InvalidField("outcome", "complaints.err.outcome")
		}
		return StateClosed, text("note", s.Note, 500, false)
	}
	return "", apperr.InvalidField("action", "complaints.err.action")
}
