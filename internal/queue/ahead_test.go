package queue

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestAhead(t *testing.T) {
	emp := win("1", "employment", "employment")
	si := win("2", "social_insurance", "social_insurance")
	both := win("3", "general", "general", "employment")
	closed := win("4", "social_insurance", "social_insurance")
	closed.Open = false
	me := tk(100, 0, "RS-A-001", "employment", PriorityNone)
	pme := tk(101, 0, "RS-A-001", "employment", PriorityElderly)
	tests := []struct {
		name    string
		windows []Window
		waiting []Ticket
		t       Ticket
		want    int
	}{
		{"nobody", []Window{emp}, nil, me, 0},
		{"older of my item", []Window{emp}, []Ticket{tk(1, -5, "RS-A-001", "employment", PriorityNone)}, me, 1},
		{"older of another item at my window", []Window{emp}, []Ticket{tk(1, -5, "RS-A-002", "employment", PriorityNone)}, me, 1},
		{"younger ordinary does not count", []Window{emp}, []Ticket{tk(1, 5, "RS-A-001", "employment", PriorityNone)}, me, 0},
		{"younger priority counts for an ordinary ticket", []Window{emp}, []Ticket{tk(1, 5, "RS-A-001", "employment", PriorityElderly)}, me, 1},
		{"older ordinary does not count for a priority ticket", []Window{emp}, []Ticket{tk(1, -5, "RS-A-001", "employment", PriorityNone)}, pme, 0},
		{"older priority counts for a priority ticket", []Window{emp}, []Ticket{tk(1, -5, "RS-A-001", "employment", PriorityPregnant)}, pme, 1},
		{"another zone's window: not my line", []Window{emp, si}, []Ticket{tk(1, -5, "RS-B-001", "social_insurance", PriorityNone)}, me, 0},
		{"a shared window puts the general ticket in my line", []Window{emp, both}, []Ticket{tk(1, -5, "RS-E-001", "general", PriorityNone)}, me, 1},
		{"a closed window still defines the line", []Window{closed}, []Ticket{tk(1, -5, "RS-B-001", "social_insurance", PriorityNone)},
			tk(100, 0, "RS-B-002", "social_insurance", PriorityNone), 1},
		{"called, held and done tickets do not count", []Window{emp}, []Ticket{
			{ID: 1, Item: "RS-A-001", Zone: "employment", IssuedAt: t0.Add(-time.Minute), State: StateCalled},
			{ID: 2, Item: "RS-A-001", Zone: "employment", IssuedAt: t0.Add(-time.Minute), State: StateHeld},
			{ID: 3, Item: "RS-A-001", Zone: "employment", IssuedAt: t0.Add(-time.Minute), State: StateDone}}, me, 0},
		{"a transfer aimed at my window is in my line", []Window{emp, si}, []Ticket{
			{ID: 1, Item: "RS-B-001", Zone: "social_insurance", IssuedAt: t0.Add(-time.Hour), State: StateWaiting, TargetWindow: "1"}}, me, 1},
		{"a transfer aimed at another window is not", []Window{emp, si}, []Ticket{
			{ID: 1, Item: "RS-A-001", Zone: "employment", IssuedAt: t0.Add(-time.Hour), State: StateWaiting, TargetWindow: "2"}}, me, 0},
		{"no window serves me: my item's line", []Window{si}, []Ticket{tk(1, -5, "RS-A-001", "employment", PriorityNone), tk(2, -5, "RS-A-002", "employment", PriorityNone)}, me, 1},
		{"myself does not count", []Window{emp}, []Ticket{me}, me, 0},
	}
	for _, tt := range tests {
		if got := Ahead(tt.waiting, tt.windows, tt.t); got != tt.want {
			t.Errorf("%s: Ahead = %d, want %d", tt.name, got, tt.want)
		}
		all := AheadAll(append(append([]Ticket(nil), tt.waiting...), tt.t), tt.windows)
		if got := all[len(all)-1]; got != tt.want && !(len(tt.waiting) > 0 && tt.waiting[len(tt.waiting)-1].ID == tt.t.ID) {
			t.Errorf("%s: AheadAll = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestAheadAllMatchesAhead(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 50; round++ {
		s := randomSnapshot(rng, rng.IntN(80))
		var ws []Window
		for _, w := range s.Windows {
			ws = append(ws, w.Window)
		}
		if rng.IntN(5) == 0 {
			ws = nil
		}
		for i := range s.Waiting {
			if rng.IntN(15) == 0 {
				s.Waiting[i].State = StateHeld
			}
		}
		all := AheadAll(s.Waiting, ws)
		for i := range s.Waiting {
			if !s.Waiting[i].Callable() {
				continue
			}
			if want := Ahead(s.Waiting, ws, s.Waiting[i]); all[i] != want {
				t.Fatalf("round %d, ticket %d: AheadAll %d, Ahead %d", round, i, all[i], want)
			}
		}
	}
}

func TestStalls(t *testing.T) {
	s := hall(2, false)
	s.Windows[0].IdleSince = t0.Add(-time.Hour)
	s.Waiting = []Ticket{tk(1, -10, "RS-A-001", "employment", PriorityNone)}
	got := Stalls(s)
	if got[0] != 9*time.Minute || got[1] != 0 {
		t.Errorf("stalls = %v, want [9m 0] (the head waited 10 minutes; the second window's idle time is unknown)", got)
	}
}
