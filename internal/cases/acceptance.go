package cases

import (
	"errors"
	"fmt"

	"mingbai/internal/workday"
)

// Decision is the window's choice when an application arrives with
// required materials missing. Its values are sent by the case form.
type Decision string

// Decisions at the window.
const (
	// DecideNotice issues the one-time notice of everything missing
	// (一次性告知) without accepting: the case opens in correction with its
	// clock stopped, and the clock starts the day after the materials
	// arrive. The default.
	DecideNotice Decision = "notice"
	// DecideAcceptMissing accepts although required materials are missing
	// (容缺受理), on the applicant's promise to hand them in by a date;
	// only where the item allows it. The missing materials are recorded as
	// deferred: they no longer block review, but they block completion.
	DecideAcceptMissing Decision = "accept_missing"
)

// Errors of Open.
var (
	// ErrDecision is returned for an unknown decision.
	ErrDecision = errors.New("cases: unknown decision at acceptance")
	// ErrNoDeferredAcceptance is returned when accepting with missing
	// materials an item whose guide does not allow 容缺受理.
	ErrNoDeferredAcceptance = errors.New("cases: the item does not allow acceptance with missing materials (容缺受理)")
	// ErrSupplyBy is returned for 容缺受理 without a valid promised date
	// (on or after the day of acceptance, at most MaxSupplyDays later).
	ErrSupplyBy = errors.New("cases: acceptance with missing materials needs the date by which they will be supplied")
)

// MaxSupplyDays bounds the promised date of 容缺受理, in calendar days
// after acceptance.
const MaxSupplyDays = 90

// Open decides how a new case enters the ledger from its checklist. c
// carries the acceptance day, the limits and the checklist as recorded at
// the window; its state is ignored. With nothing missing that the guide
// requires, the case is accepted (已受理) whatever the decision. Otherwise
// the decision applies: DecideNotice (or none) opens the case in
// correction with a correction period from the day of acceptance, so it is
// never 已受理; DecideAcceptMissing needs allowDeferred (the item's
// 容缺受理 flag) and a promised date, marks the missing materials deferred
// and accepts.
func (c Case) Open(d Decision, allowDeferred bool, supplyBy workday.Date) (Case, error) {
	out := c
	out.Materials = cloneMaterials(c.Materials)
	out.Corrections = nil
	out.State = Accepted
	out.DeferredAccept, out.SupplyBy = false, workday.Date{}
	missing := ReviewBlockers(c.Materials)
	if d == "" {
		d = DecideNotice
	}
	if d != DecideNotice && d != DecideAcceptMissing {
		return c, fmt.Errorf("%w: %q", ErrDecision, d)
	}
	if len(missing) == 0 {
		return out, nil
	}
	if d == DecideNotice {
		out.State = Correction
		out.Corrections = []CorrectionPeriod{{Stop: c.AcceptedOn}}
		return out, nil
	}
	if !allowDeferred {
		return c, ErrNoDeferredAcceptance
	}
	if !supplyBy.IsValid() || supplyBy.Before(c.AcceptedOn) || supplyBy.After(c.AcceptedOn.AddDays(MaxSupplyDays)) {
		return c, ErrSupplyBy
	}
	for i, m := range out.Materials {
		if !m.Extra && m.Requirement != Optional && m.Status == Missing {
			out.Materials[i].Status = Deferred
		}
	}
	out.DeferredAccept, out.SupplyBy = true, supplyBy
	return out, nil
}
