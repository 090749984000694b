package queue

import (
	"reflect"
	"testing"
	"time"
)

// extraHall is a hall at t0 with open windows W1 (item a) and W2 (item
// b), closed windows W3 and W4 (item a) and W5 (item b), ten-minute
// services and no no-shows; na and nb tickets of a and b wait.
func extraHall(na, nb int) (Snapshot, []WindowState) {
	w := func(id, item string, open bool) WindowState {
		return WindowState{Window: Window{ID: id, Number: id, Items: NewItemSet(item), Open: open}}
	}
	s := Snapshot{Now: t0, Service: map[string]ServiceStats{"a": {Mean: 10 * time.Minute, CV: 0.5}, "b": {Mean: 10 * time.Minute, CV: 0.5}},
		DefaultService: ServiceStats{Mean: 10 * time.Minute, CV: 0.5},
		Windows:        []WindowState{w("W1", "a", true), w("W2", "b", true)}}
	id := int64(1)
	for i := 0; i < na+nb; i++ {
		item, zone := "a", "A"
		if i >= na {
			item, zone = "b", "B"
		}
		s.Waiting = append(s.Waiting, Ticket{ID: id, Item: item, Zone: zone, State: StateWaiting, IssuedAt: t0.Add(-time.Duration(na+nb-i) * time.Minute)})
		id++
	}
	return s, []WindowState{w("W3", "a", false), w("W4", "a", false), w("W5", "b", false)}
}

func TestPlanExtraWindows(t *testing.T) {
	exact := Replay{Samples: 1} // expected values: the arithmetic below is exact
	tests := []struct {
		name       string
		na, nb     int
		until      time.Duration
		wantLeft   int
		wantWins   []string
		wantEnough bool
	}{
		// Four each: the last call at 30 minutes, finished at 40.
		{"open windows suffice", 4, 4, 65 * time.Minute, 0, nil, true},
		// Eighteen of a at W1 alone: finished at 180. Two windows: 90, three: 60.
		{"two more of a", 18, 0, 65 * time.Minute, 12, []string{"W3", "W4"}, true},
		// Zone B is overloaded: twelve at W2 would take 120; W5 (item b) halves it.
		{"only zone B", 4, 12, 65 * time.Minute, 6, []string{"W5"}, true},
		// Thirty of b: even W2 and W5 together need 150 minutes; W3 and W4 never help.
		{"not enough", 0, 30, 65 * time.Minute, 24, []string{"W5"}, false},
	}
	for _, tt := range tests {
		s, closed := extraHall(tt.na, tt.nb)
		p := exact.PlanExtraWindows(s, closed, tt.until)
		if p.Left != tt.wantLeft || !reflect.DeepEqual(p.Windows, tt.wantWins) || p.Enough != tt.wantEnough {
			t.Errorf("%s: plan %+v, want left %d, windows %v, enough %v", tt.name, p, tt.wantLeft, tt.wantWins, tt.wantEnough)
		}
	}
}

func TestPlanExtraWindowsNoneOpen(t *testing.T) {
	s, closed := extraHall(3, 0)
	s.Windows = nil
	p := Replay{Samples: 1}.PlanExtraWindows(s, closed, time.Hour)
	if p.Left != 3 || !reflect.DeepEqual(p.Windows, []string{"W3"}) || !p.Enough {
		t.Fatalf("no window open: %+v", p)
	}
	if p := (Replay{Samples: 1}).PlanExtraWindows(s, closed, 0); p.Left != 0 || p.Windows != nil {
		t.Fatalf("at closing: %+v", p)
	}
}

// The Monte Carlo replay (the default) gives the same plan for the same
// snapshot, and the counts hold with a margin for its noise.
func TestPlanExtraWindowsSeeded(t *testing.T) {
	s, closed := extraHall(18, 0)
	e := Replay{Seed: 42}
	p := e.PlanExtraWindows(s, closed, 80*time.Minute)
	if !reflect.DeepEqual(p.Windows, []string{"W3", "W4"}) || !p.Enough {
		t.Fatalf("plan %+v", p)
	}
	for i := 0; i < 3; i++ {
		if q := e.PlanExtraWindows(s, closed, 80*time.Minute); !reflect.DeepEqual(p, q) {
			t.Fatalf("replay %d differs: %+v vs %+v", i, q, p)
		}
	}
}
