package cases

import (
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/workday"
)

// Case is one entry of the business ledger, with the fields the rules
// need. The store keeps more (applicant, window, staff); it persists a Case
// as it is and asks this package before changing it.
type Case struct {
	// Number is the case number (see Number); it may be empty before the
	// store assigns one.
	Number string
	// ItemCode is the service item's code, e.g. RS-B-012.
	ItemCode string
	State    State
	// AcceptedOn is the day of acceptance; the clock starts the day after.
	AcceptedOn workday.Date
	// Pledged is the hall's pledged limit (承诺时限); N = 0 makes the item
	// an on-the-spot item.
	Pledged Limit
	// Statutory is the limit set by law (法定时限); it may be unset.
	Statutory Limit
	// Materials is the checklist.
	Materials []Material
	// Corrections are the periods with the clock stopped, in order; the
	// last is open while the case is in correction.
	Corrections []CorrectionPeriod
	// ClosedOn is the day the case was completed, rejected or withdrawn.
	ClosedOn workday.Date
	// Reason is why the case was rejected or withdrawn.
	Reason string
	// LegalBasis is the provision a rejection rests on (e.g. 《社会保险法》
	// 第十六条).
	LegalBasis string
	// DeferredAccept marks a case accepted with required materials missing
	// (容缺受理, see Open): those materials are deferred, which only such a
	// case allows for materials the guide marks required.
	DeferredAccept bool
	// SupplyBy is the date the applicant promised to hand the deferred
	// materials in by; set exactly when DeferredAccept is.
	SupplyBy workday.Date
}

// Instant reports whether the case's item is an on-the-spot item: its
// pledged limit is set and 0.
func (c Case) Instant() bool { return c.Pledged.IsSet() && c.Pledged.N == 0 }

// Change is a requested change of a case's state.
type Change struct {
	To State
	// On is the day of the change. Leaving correction, it is the day the
	// materials arrived: the clock restarts the day after.
	On workday.Date
	// Reason is required for a rejection, optional for a withdrawal.
	Reason string
	// LegalBasis is required for a rejection.
	LegalBasis string
}

// Errors of Apply besides *TransitionError and *MaterialsError.
var (
	// ErrRejection is returned for a rejection without its reason or its
	// legal basis.
	ErrRejection = errors.New("cases: a rejection needs a reason and a legal basis")
	// ErrNothingToCorrect is returned when requesting a correction while
	// every material is received: a correction is a one-time notice of
	// what is missing, so mark the materials to supply or fix as missing
	// first.
	ErrNothingToCorrect = errors.New("cases: no material is missing; mark the materials to supply or fix as missing before requesting a correction")
	// ErrChangeDate is returned for a change dated before acceptance or
	// before the case's last change of the clock.
	ErrChangeDate = errors.New("cases: invalid date of change")
	// ErrCase is returned by Validate for a case that is not consistent.
	ErrCase = errors.New("cases: inconsistent case")
)

// Apply returns the case after the change, or an error saying why the
// change is not allowed. The case itself is not modified.
//
//   - Any change must be in the transition table (CheckTransition);
//     accepted → completed only for on-the-spot items.
//   - → in_review needs no missing required material (ReviewBlockers).
//   - → correction needs at least one material not received; it opens a
//     correction period on On. Leaving correction closes it on On.
//   - → completed needs every required and deferrable material received
//     (CompletionBlockers).
//   - → rejected needs Reason and LegalBasis.
//   - Closing sets ClosedOn.
func (c Case) Apply(ch Change) (Case, error) {
	if err := CheckTransition(c.State, ch.To, c.Instant()); err != nil {
		return c, err
	}
	if !ch.On.IsValid() {
		return c, fmt.Errorf("%w: no valid date", ErrChangeDate)
	}
	if last := c.lastClockChange(); ch.On.Before(last) {
		return c, fmt.Errorf("%w: %s is before %s", ErrChangeDate, ch.On, last)
	}

	switch ch.To {
	case InReview:
		if b := ReviewBlockers(c.Materials); len(b) > 0 {
			return c, &MaterialsError{To: ch.To, Names: Names(b)}
		}
	case Correction:
		if len(CompletionBlockers(c.Materials)) == 0 {
			return c, ErrNothingToCorrect
		}
	case Completed:
		if b := CompletionBlockers(c.Materials); len(b) > 0 {
			return c, &MaterialsError{To: ch.To, Names: Names(b)}
		}
	case Rejected:
		if strings.TrimSpace(ch.Reason) == "" || strings.TrimSpace(ch.LegalBasis) == "" {
			return c, ErrRejection
		}
	}

	out := c
	out.Materials = cloneMaterials(c.Materials)
	out.Corrections = append([]CorrectionPeriod(nil), c.Corrections...)
	out.State = ch.To
	if c.State == Correction && ch.To == InReview {
		out.Corrections[len(out.Corrections)-1].Resume = ch.On
	}
	if ch.To == Correction {
		out.Corrections = append(out.Corrections, CorrectionPeriod{Stop: ch.On})
	}
	if ch.To.Closed() {
		out.ClosedOn = ch.On
		out.Reason = strings.TrimSpace(ch.Reason)
		out.LegalBasis = strings.TrimSpace(ch.LegalBasis)
	}
	return out, nil
}

// lastClockChange returns the latest date recorded on the case.
func (c Case) lastClockChange() workday.Date {
	last := c.AcceptedOn
	for _, p := range c.Corrections {
		if p.Stop.After(last) {
			last = p.Stop
		}
		if p.Resume.After(last) {
			last = p.Resume
		}
	}
	return last
}

// Due returns the pledged and statutory due dates of the case.
func (c Case) Due(cal *workday.Calendar) (pledged, statutory Due, err error) {
	pledged, err = ComputeDue(cal, c.AcceptedOn, c.Pledged, c.Corrections)
	if err != nil {
		return Due{}, Due{}, fmt.Errorf("pledged limit: %w", err)
	}
	statutory, err = ComputeDue(cal, c.AcceptedOn, c.Statutory, c.Corrections)
	if err != nil {
		return Due{}, Due{}, fmt.Errorf("statutory limit: %w", err)
	}
	return pledged, statutory, nil
}

// Warnings returns the warnings of the pledged and statutory limits on day
// today (see Warn). A closed case has none; its Due fields are still
// filled, for reports of late completion (Due.Missed(ClosedOn)).
func (c Case) Warnings(cal *workday.Calendar, today workday.Date, yellowDays int) (pledged, statutory Warning, err error) {
	pd, sd, err := c.Due(cal)
	if err != nil {
		return Warning{}, Warning{}, err
	}
	if c.State.Closed() {
		return Warning{Level: LevelNone, Due: pd}, Warning{Level: LevelNone, Due: sd}, nil
	}
	if pledged, err = Warn(cal, pd, today, yellowDays); err != nil {
		return Warning{}, Warning{}, fmt.Errorf("pledged limit: %w", err)
	}
	if statutory, err = Warn(cal, sd, today, yellowDays); err != nil {
		return Warning{}, Warning{}, fmt.Errorf("statutory limit: %w", err)
	}
	return pledged, statutory, nil
}

// Validate checks that a case read from storage is consistent: a known
// state, a valid acceptance date and number, valid limits (pledged not
// above statutory), a valid checklist, correction periods in order with
// one open exactly when the case is in correction, a closing date exactly
// when it is closed, and a reason and legal basis on a rejection.
func (c Case) Validate() error {
	if !c.State.Valid() {
		return fmt.Errorf("%w: unknown state %q", ErrCase, c.State)
	}
	if !c.AcceptedOn.IsValid() {
		return fmt.Errorf("%w: no valid acceptance date", ErrCase)
	}
	if c.Number != "" {
		if _, err := ParseNumber(c.Number); err != nil {
			return fmt.Errorf("%w: %w", ErrCase, err)
		}
	}
	if err := ValidateLimits(c.Pledged, c.Statutory); err != nil {
		return fmt.Errorf("%w: %w", ErrCase, err)
	}
	if err := validateMaterials(c.Materials, c.DeferredAccept); err != nil {
		return fmt.Errorf("%w: %w", ErrCase, err)
	}
	if c.DeferredAccept != c.SupplyBy.IsValid() {
		return fmt.Errorf("%w: 容缺受理 needs exactly a promised date", ErrCase)
	}
	if err := ValidateCorrections(c.AcceptedOn, c.Corrections); err != nil {
		return fmt.Errorf("%w: %w", ErrCase, err)
	}
	open := len(c.Corrections) > 0 && c.Corrections[len(c.Corrections)-1].Resume.IsZero()
	switch {
	case c.State == Correction && !open:
		return fmt.Errorf("%w: in correction without an open correction period", ErrCase)
	case open && !c.State.Closed() && c.State != Correction:
		return fmt.Errorf("%w: %s with an open correction period", ErrCase, c.State)
	case c.State.Closed() && !c.ClosedOn.IsValid():
		return fmt.Errorf("%w: %s without a closing date", ErrCase, c.State)
	case c.State.Closed() && c.ClosedOn.Before(c.lastClockChange()):
		return fmt.Errorf("%w: closed %s, before %s", ErrCase, c.ClosedOn, c.lastClockChange())
	case !c.State.Closed() && !c.ClosedOn.IsZero():
		return fmt.Errorf("%w: %s with a closing date", ErrCase, c.State)
	case c.State == Rejected && (strings.TrimSpace(c.Reason) == "" || strings.TrimSpace(c.LegalBasis) == ""):
		return fmt.Errorf("%w: %w", ErrCase, ErrRejection)
	}
	return nil
}
