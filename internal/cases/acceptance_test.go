package cases

import (
	"errors"
	"testing"

	"mingbai/internal/workday"
)

// TestOpen: a case with a required material missing is never accepted
// unless the item allows 容缺受理 and the clerk chose it with a date.
func TestOpen(t *testing.T) {
	received := allReceived(t)
	missing := withStatuses(t, received, map[string]MaterialStatus{"解除劳动合同证明": Missing})
	tests := []struct {
		name     string
		list     []Material
		decision Decision
		allow    bool
		supplyBy string
		want     State
		err      error
	}{
		{name: "complete, default", list: received, want: Accepted},
		{name: "complete, accept_missing chosen", list: received, decision: DecideAcceptMissing, allow: true, supplyBy: "2026-02-20", want: Accepted},
		{name: "missing, default is the notice", list: missing, want: Correction},
		{name: "missing, notice", list: missing, decision: DecideNotice, allow: true, want: Correction},
		{name: "missing, accept without the item's flag", list: missing, decision: DecideAcceptMissing, supplyBy: "2026-02-20", err: ErrNoDeferredAcceptance},
		{name: "missing, accept without a date", list: missing, decision: DecideAcceptMissing, allow: true, err: ErrSupplyBy},
		{name: "missing, accept with a date in the past", list: missing, decision: DecideAcceptMissing, allow: true, supplyBy: "2026-02-11", err: ErrSupplyBy},
		{name: "missing, accept with a date too far", list: missing, decision: DecideAcceptMissing, allow: true, supplyBy: "2026-06-30", err: ErrSupplyBy},
		{name: "missing, accept", list: missing, decision: DecideAcceptMissing, allow: true, supplyBy: "2026-02-20", want: Accepted},
		{name: "unknown decision", list: missing, decision: "later", err: ErrDecision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCase(tt.list)
			c.State = ""
			var by workday.Date
			if tt.supplyBy != "" {
				by = d(tt.supplyBy)
			}
			got, err := c.Open(tt.decision, tt.allow, by)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if got.State != tt.want {
				t.Fatalf("state = %s, want %s", got.State, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("opened case does not validate: %v", err)
			}
			switch {
			case got.State == Correction:
				if len(got.Corrections) != 1 || got.Corrections[0].Stop != c.AcceptedOn {
					t.Errorf("corrections = %v", got.Corrections)
				}
			case got.DeferredAccept:
				if got.Materials[1].Status != Deferred || len(ReviewBlockers(got.Materials)) != 0 || len(CompletionBlockers(got.Materials)) == 0 {
					t.Errorf("materials after 容缺受理: %+v", got.Materials)
				}
			}
		})
	}
	// The default opening of a case with a missing material is not
	// accepted, and reaching review needs the materials.
	c := newCase(missing)
	opened, err := c.Open("", true, workday.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opened.Apply(Change{To: InReview, On: d("2026-02-13")}); !errors.Is(err, ErrMaterialsIncomplete) {
		t.Errorf("review without the materials: %v", err)
	}
}
