package cases

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestTransitionTable(t *testing.T) {
	// Every pair of states, for pledged and on-the-spot items.
	allowed := map[string]bool{
		"accepted→in_review":   true,
		"accepted→correction":  true,
		"accepted→rejected":    true,
		"accepted→withdrawn":   true,
		"in_review→correction": true,
		"in_review→completed":  true,
		"in_review→rejected":   true,
		"in_review→withdrawn":  true,
		"correction→in_review": true,
		"correction→rejected":  true,
		"correction→withdrawn": true,
	}
	instantOnly := map[string]bool{"accepted→completed": true}

	for _, from := range States() {
		for _, to := range States() {
			key := string(from) + "→" + string(to)
			for _, instant := range []bool{false, true} {
				name := key
				if instant {
					name += " (on the spot)"
				}
				t.Run(name, func(t *testing.T) {
					want := allowed[key] || instant && instantOnly[key]
					if got := CanTransition(from, to, instant); got != want {
						t.Errorf("CanTransition = %v, want %v", got, want)
					}
					err := CheckTransition(from, to, instant)
					if want {
						if err != nil {
							t.Errorf("CheckTransition: %v", err)
						}
						return
					}
					if !errors.Is(err, ErrTransition) {
						t.Fatalf("CheckTransition error = %v, want ErrTransition", err)
					}
					var te *TransitionError
					if !errors.As(err, &te) {
						t.Fatalf("error %v is not a *TransitionError", err)
					}
					if got, want := te.InstantOnly, instantOnly[key]; got != want {
						t.Errorf("InstantOnly = %v, want %v", got, want)
					}
				})
			}
		}
	}
	if got, want := len(Transitions()), len(allowed)+len(instantOnly); got != want {
		t.Errorf("len(Transitions()) = %d, want %d", got, want)
	}
}

func TestTransitionsIsACopy(t *testing.T) {
	ts := Transitions()
	ts[0].To = Completed
	if CanTransition(Accepted, Completed, false) {
		t.Error("changing the returned table changed the rules")
	}
}

func TestNext(t *testing.T) {
	tests := []struct {
		from    State
		instant bool
		want    []State
	}{
		{Accepted, false, []State{InReview, Correction, Rejected, Withdrawn}},
		{Accepted, true, []State{InReview, Correction, Completed, Rejected, Withdrawn}},
		{InReview, false, []State{Correction, Completed, Rejected, Withdrawn}},
		{Correction, false, []State{InReview, Rejected, Withdrawn}},
		{Completed, true, nil},
		{Rejected, false, nil},
		{Withdrawn, false, nil},
	}
	for _, tt := range tests {
		if got := Next(tt.from, tt.instant); !slices.Equal(got, tt.want) {
			t.Errorf("Next(%s, %v) = %v, want %v", tt.from, tt.instant, got, tt.want)
		}
	}
}

func TestStateProperties(t *testing.T) {
	tests := []struct {
		s      State
		valid  bool
		closed bool
	}{
		{Accepted, true, false},
		{InReview, true, false},
		{Correction, true, false},
		{Completed, true, true},
		{Rejected, true, true},
		{Withdrawn, true, true},
		{"cancelled", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		if got := tt.s.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.s, got, tt.valid)
		}
		if got := tt.s.Closed(); got != tt.closed {
			t.Errorf("%q.Closed() = %v, want %v", tt.s, got, tt.closed)
		}
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	err := CheckTransition(Accepted, Completed, false)
	if !strings.Contains(err.Error(), "on-the-spot") {
		t.Errorf("message %q does not explain the on-the-spot rule", err)
	}
	err = CheckTransition(Completed, InReview, false)
	if got, want := err.Error(), "cases: a case cannot go from completed to in_review"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}
