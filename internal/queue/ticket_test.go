package queue

import (
	"testing"

	"mingbai/internal/apperr"
)

func TestTicketStateMachine(t *testing.T) {
	// Every action from every state: the expected result state, absent when
	// the action is refused. Written out in full, apart from the table in
	// ticket.go, so a change to the machine shows here.
	allowed := map[string]State{
		"issue ''":         StateWaiting,
		"call waiting":     StateCalled,
		"start called":     StateServing,
		"finish called":    StateDone,
		"finish serving":   StateDone,
		"no_show called":   StateNoShow,
		"recall called":    StateCalled,
		"hold called":      StateHeld,
		"hold serving":     StateHeld,
		"return held":      StateWaiting,
		"cancel waiting":   StateCancelled,
		"cancel called":    StateCancelled,
		"cancel held":      StateCancelled,
		"transfer called":  StateWaiting,
		"transfer serving": StateWaiting,
	}
	froms := append([]State{""}, States()...)
	for _, r := range Rules() {
		for _, from := range froms {
			key := string(r.Action) + " " + string(from)
			if from == "" {
				key = string(r.Action) + " ''"
			}
			t.Run(key, func(t *testing.T) {
				want, ok := allowed[key]
				got, err := Next(r.Action, from, "A001")
				if ok {
					if err != nil || got != want {
						t.Fatalf("Next = %q, %v; want %q", got, err, want)
					}
					return
				}
				e := apperr.As(err)
				if e == nil || e.Code != apperr.Conflict || e.Key != "queue.bad_state" || e.Args[0] != "A001" || e.Args[1] != "ticket_state_"+string(from) {
					t.Fatalf("Next = %q, %v; want a queue.bad_state conflict", got, err)
				}
			})
		}
	}
	if n := len(Rules()); n != 10 {
		t.Errorf("%d actions, want 10", n)
	}
}

func TestFinalStatesHaveNoWayOut(t *testing.T) {
	for _, from := range []State{StateDone, StateNoShow, StateCancelled} {
		for _, r := range Rules() {
			if _, err := Next(r.Action, from, "A001"); err == nil {
				t.Errorf("%s from final state %s allowed", r.Action, from)
			}
		}
		if _, err := HolderCancel(from, "A001"); err == nil {
			t.Errorf("holder cancel from %s allowed", from)
		}
	}
}

func TestHolderCancel(t *testing.T) {
	for _, from := range States() {
		got, err := HolderCancel(from, "B007")
		want := from == StateWaiting || from == StateHeld
		if want != (err == nil) || want && got != StateCancelled {
			t.Errorf("HolderCancel(%s) = %q, %v", from, got, err)
		}
	}
}

func TestStaffAction(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"start", true}, {"finish", true}, {"no_show", true}, {"recall", true}, {"hold", true},
		{"return", true}, {"cancel", true}, {"transfer", true},
		{"call", false}, {"issue", false}, {"", false}, {"Start", false}, {"no-show", false},
	}
	for _, c := range cases {
		a, err := StaffAction(c.in)
		if c.ok != (err == nil) || c.ok && string(a) != c.in {
			t.Errorf("StaffAction(%q) = %q, %v", c.in, a, err)
		}
		if !c.ok && !apperr.Is(err, apperr.Invalid) {
			t.Errorf("StaffAction(%q): %v, want invalid", c.in, err)
		}
	}
}

func TestStateClasses(t *testing.T) {
	cases := []struct {
		s                State
		active, atWindow bool
	}{
		{StateWaiting, true, false}, {StateCalled, true, true}, {StateServing, true, true}, {StateHeld, true, false},
		{StateDone, false, false}, {StateNoShow, false, false}, {StateCancelled, false, false}, {StateTransferred, false, false},
	}
	if len(cases) != len(States()) {
		t.Fatalf("%d cases for %d states", len(cases), len(States()))
	}
	for _, c := range cases {
		if c.s.Active() != c.active || c.s.AtWindow() != c.atWindow {
			t.Errorf("%s: Active %v AtWindow %v", c.s, c.s.Active(), c.s.AtWindow())
		}
	}
	if got := StatesWhere(State.AtWindow); len(got) != 2 || got[0] != StateCalled || got[1] != StateServing {
		t.Errorf("StatesWhere(AtWindow) = %v", got)
	}
}

func TestNoShowNoteAndOutOfTurn(t *testing.T) {
	for _, c := range []struct {
		recalls, max int
		ok           bool
	}{{0, 0, true}, {1, 2, false}, {2, 2, true}, {3, 2, true}} {
		err := CheckNoShow(c.recalls, c.max)
		if c.ok != (err == nil) || err != nil && apperr.As(err).Key != "queue.noshow_too_early" {
			t.Errorf("CheckNoShow(%d, %d) = %v", c.recalls, c.max, err)
		}
	}
	long := make([]rune, MaxNote+1)
	for i := range long {
		long[i] = '字'
	}
	if err := CheckNote("note", string(long[:MaxNote])); err != nil {
		t.Errorf("%d characters refused: %v", MaxNote, err)
	}
	if err := CheckNote("note", string(long)); apperr.As(err) == nil || apperr.As(err).Field != "note" {
		t.Errorf("%d characters: %v", MaxNote+1, err)
	}
	if r, err := CheckOutOfTurn("  老人行动不便  "); err != nil || r != "老人行动不便" {
		t.Errorf("CheckOutOfTurn = %q, %v", r, err)
	}
	if _, err := CheckOutOfTurn(" \t"); apperr.As(err) == nil || apperr.As(err).Key != "queue.reason_required" {
		t.Errorf("blank reason: %v", err)
	}
}
