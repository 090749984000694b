package sim

import (
	"mingbai/internal/queue"
)

// Plan is a compiled scenario for drivers outside the simulator: the living
// demo hall replays its days against the real server.
type Plan struct{ h *hallModel }

// Arrival is one ticket of a generated hall day.
type Arrival struct {
	// Minute is the arrival time in minutes after midnight.
	Minute   float64
	Item     string
	Zone     string
	Priority queue.PriorityReason
	// NoShow is true when the holder is gone by the time they are called.
	NoShow bool
	// ServiceMinutes is the service time at average staff speed.
	ServiceMinutes float64
}

// Day is everything random about one generated hall day.
type Day struct {
	Arrivals []Arrival
	// Speed is each window's staff speed factor for the day, by window id.
	Speed map[string]float64
}

// Service returns the minutes window w's staff take for a service of
// minutes at average speed: faster staff (speed > 1) take less.
func (d *Day) Service(w string, minutes float64) float64 {
	s := d.Speed[w]
	if s <= 0 {
		s = 1
	}
	return minutes / s
}

// Compile validates the scenario and returns its plan.
func (s *Scenario) Compile() (*Plan, error) {
	h, err := compile(s)
	if err != nil {
		return nil, err
	}
	return &Plan{h: h}, nil
}

// Open and Close return the hall's hours in minutes after midnight.
func (p *Plan) Open() float64  { return p.h.open }
func (p *Plan) Close() float64 { return p.h.close }

// Day returns day d for a seed: the same trace the simulator runs its
// policies on (common random numbers).
func (p *Plan) Day(seed uint64, d int) *Day {
	tr := genDay(p.h, seed, d)
	out := &Day{Speed: map[string]float64{}}
	for _, a := range tr.arrivals {
		it := p.h.items[a.item]
		out.Arrivals = append(out.Arrivals, Arrival{Minute: a.t, Item: it.code, Zone: it.zone, Priority: a.priority, NoShow: a.noShow, ServiceMinutes: a.service})
	}
	for i, w := range p.h.windows {
		out.Speed[w.id] = tr.speed[i]
	}
	return out
}

// OnShift reports whether window id is staffed at minute m of the day. A
// shift that ends at the hall's closing time runs to the end of the day.
func (p *Plan) OnShift(id string, m float64) bool {
	for _, w := range p.h.windows {
		if w.id != id {
			continue
		}
		for _, sp := range w.spans {
			if m >= sp[0] && m < sp[1] {
				return true
			}
		}
	}
	return false
}

// MeanService returns the mean service minutes of an item
// (the mix-weighted mean for an item it does not know), for tickets the
// plan did not generate.
func (p *Plan) MeanService(item string) float64 {
	if i, ok := p.h.itemIndex[item]; ok {
		return p.h.items[i].mean
	}
	return p.h.meanService
}
