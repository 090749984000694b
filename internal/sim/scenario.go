package sim

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"mingbai/internal/queue"
)

//go:embed scenarios/*.json
var scenarioFS embed.FS

// Scenario describes a hall and its demand; see the package documentation
// for the JSON format.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Open and Close are the hall's hours ("08:00"); tickets are issued
	// between them, and windows whose last shift ends at Close stay until
	// the tickets they serve are all called.
	Open  string `json:"open"`
	Close string `json:"close"`
	// Arrivals is the daily demand.
	Arrivals Arrivals `json:"arrivals"`
	// PriorityShare is the share of green-channel tickets (elderly,
	// disabled, pregnant, military); AppointmentShare that of checked-in
	// appointments. Both are priority tickets.
	PriorityShare    float64 `json:"priority_share"`
	AppointmentShare float64 `json:"appointment_share"`
	// NoShowRate is the share of called tickets whose holder is gone; the
	// window recalls for RecallMinutes and moves on.
	NoShowRate    float64 `json:"no_show_rate"`
	RecallMinutes float64 `json:"recall_minutes"`
	// StaffSpeedSpread: each day every window's staff member works at a
	// speed factor drawn uniformly from 1 ± spread (0.15 = ±15%).
	StaffSpeedSpread float64 `json:"staff_speed_spread"`
	// Zones lists the zones, their share of arrivals and their items.
	Zones []Zone `json:"zones"`
	// Windows lists the windows, their skills and shifts.
	Windows []WindowSpec `json:"windows"`
}

// Arrivals is the demand of a day: an inhomogeneous Poisson process whose
// expected daily total is PerDay times a day factor (lognormal, mean 1,
// coefficient of variation DailyCV), spread over the hall's hours by
// HourlyWeights (one weight per hour from Open; the last hour may be cut by
// Close).
type Arrivals struct {
	PerDay        float64   `json:"per_day"`
	DailyCV       float64   `json:"daily_cv"`
	HourlyWeights []float64 `json:"hourly_weights"`
}

// Zone is a functional zone with its share of arrivals and its items.
type Zone struct {
	Code  string  `json:"code"`
	Share float64 `json:"share"`
	Items []Item  `json:"items"`
}

// Item is a service item: its weight within the zone and its lognormal
// service time.
type Item struct {
	Code        string  `json:"code"`
	Name        string  `json:"name,omitempty"`
	Weight      float64 `json:"weight"`
	MeanMinutes float64 `json:"mean_minutes"`
	CV          float64 `json:"cv"`
}

// WindowSpec is a window: its home zone, the zones it serves and its
// staffed shifts ("08:00-11:30").
type WindowSpec struct {
	ID     string   `json:"id"`
	Home   string   `json:"home"`
	Zones  []string `json:"zones"`
	Shifts []string `json:"shifts"`
}

// Scenarios lists the embedded scenario names.
func Scenarios() []string {
	ents, _ := scenarioFS.ReadDir("scenarios")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// LoadScenario loads an embedded scenario by name, or a JSON file by path.
func LoadScenario(nameOrPath string) (*Scenario, error) {
	data, err := scenarioFS.ReadFile("scenarios/" + nameOrPath + ".json")
	if err != nil {
		data, err = os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fmt.Errorf("sim: scenario %q is neither embedded (%v) nor a readable file: %w", nameOrPath, Scenarios(), err)
		}
	}
	return ParseScenario(data)
}

// ParseScenario decodes and validates a scenario.
func ParseScenario(data []byte) (*Scenario, error) {
	var s Scenario
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("sim: scenario: %w", err)
	}
	if _, err := compile(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Clone returns a deep copy of s.
func (s *Scenario) Clone() *Scenario {
	data, _ := json.Marshal(s)
	var c Scenario
	_ = json.Unmarshal(data, &c)
	return &c
}

// parseClock parses "HH:MM" into minutes after midnight.
func parseClock(s string) (float64, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("sim: bad clock time %q (want HH:MM)", s)
	}
	return float64(hh*60 + mm), nil
}

func clock(min float64) string {
	m := int(math.Round(min))
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// itemModel is a compiled item.
type itemModel struct {
	code, zone string
	prob       float64 // probability of an arrival being this item
	mean, cv   float64 // minutes
	mu, sigma  float64 // lognormal parameters
}

// windowModel is a compiled window.
type windowModel struct {
	id, home string
	zones    []string
	items    queue.ItemSet
	spans    [][2]float64 // minutes; +Inf end = open-ended
}

// hallModel is a compiled scenario.
type hallModel struct {
	sc          *Scenario
	open, close float64
	rate        []float64 // expected arrivals per minute, per hour from open
	rateMax     float64
	items       []itemModel
	itemIndex   map[string]int
	zones       []string
	windows     []windowModel
	meanService float64 // mix-weighted mean, minutes
	cvService   float64
}

func compile(s *Scenario) (*hallModel, error) {
	h := &hallModel{sc: s, itemIndex: map[string]int{}}
	var err error
	if h.open, err = parseClock(s.Open); err != nil {
		return nil, err
	}
	if h.close, err = parseClock(s.Close); err != nil {
		return nil, err
	}
	if h.close <= h.open {
		return nil, errors.New("sim: close must be after open")
	}
	hours := int(math.Ceil((h.close - h.open) / 60))
	if len(s.Arrivals.HourlyWeights) != hours {
		return nil, fmt.Errorf("sim: %d hourly weights for %d hours", len(s.Arrivals.HourlyWeights), hours)
	}
	var wsum float64
	for i, w := range s.Arrivals.HourlyWeights {
		if w < 0 {
			return nil, errors.New("sim: negative hourly weight")
		}
		wsum += w * math.Min(60, h.close-h.open-60*float64(i))
	}
	if wsum <= 0 || s.Arrivals.PerDay <= 0 {
		return nil, errors.New("sim: no arrivals")
	}
	for _, w := range s.Arrivals.HourlyWeights {
		r := s.Arrivals.PerDay * w / wsum
		h.rate = append(h.rate, r)
		h.rateMax = math.Max(h.rateMax, r)
	}
	catalog := map[string][]string{}
	var zsum float64
	for _, z := range s.Zones {
		zsum += z.Share
	}
	if zsum <= 0 {
		return nil, errors.New("sim: zone shares sum to zero")
	}
	var m1, m2 float64
	for _, z := range s.Zones {
		if z.Code == "" || len(z.Items) == 0 {
			return nil, fmt.Errorf("sim: zone %q needs a code and items", z.Code)
		}
		h.zones = append(h.zones, z.Code)
		var isum float64
		for _, it := range z.Items {
			isum += it.Weight
		}
		for _, it := range z.Items {
			if it.MeanMinutes <= 0 || it.CV < 0 || it.Weight < 0 || isum <= 0 {
				return nil, fmt.Errorf("sim: item %q: bad weight, mean or cv", it.Code)
			}
			if _, dup := h.itemIndex[it.Code]; dup {
				return nil, fmt.Errorf("sim: item %q twice", it.Code)
			}
			im := itemModel{code: it.Code, zone: z.Code, prob: z.Share / zsum * it.Weight / isum, mean: it.MeanMinutes, cv: it.CV}
			s2 := math.Log1p(it.CV * it.CV)
			im.mu, im.sigma = math.Log(it.MeanMinutes)-s2/2, math.Sqrt(s2)
			h.itemIndex[it.Code] = len(h.items)
			h.items = append(h.items, im)
			catalog[z.Code] = append(catalog[z.Code], it.Code)
			m1 += im.prob * im.mean
			m2 += im.prob * im.mean * im.mean * (1 + im.cv*im.cv)
		}
	}
	h.meanService = m1
	h.cvService = math.Sqrt(m2-m1*m1) / m1
	seen := map[string]bool{}
	for _, w := range s.Windows {
		if w.ID == "" || seen[w.ID] {
			return nil, fmt.Errorf("sim: window id %q empty or repeated", w.ID)
		}
		seen[w.ID] = true
		for _, z := range append([]string{w.Home}, w.Zones...) {
			if _, ok := catalog[z]; !ok {
				return nil, fmt.Errorf("sim: window %s: unknown zone %q", w.ID, z)
			}
		}
		wm := windowModel{id: w.ID, home: w.Home, zones: w.Zones, items: queue.ItemsForZones(catalog, w.Zones...)}
		for _, sh := range w.Shifts {
			a, b, ok := strings.Cut(sh, "-")
			if !ok {
				return nil, fmt.Errorf("sim: window %s: bad shift %q (want HH:MM-HH:MM)", w.ID, sh)
			}
			from, err := parseClock(a)
			if err != nil {
				return nil, err
			}
			until, err := parseClock(b)
			if err != nil {
				return nil, err
			}
			if until <= from {
				return nil, fmt.Errorf("sim: window %s: empty shift %q", w.ID, sh)
			}
			if until >= h.close {
				until = math.Inf(1)
			}
			wm.spans = append(wm.spans, [2]float64{from, until})
		}
		sort.Slice(wm.spans, func(i, j int) bool { return wm.spans[i][0] < wm.spans[j][0] })
		for i := 1; i < len(wm.spans); i++ {
			if wm.spans[i][0] < wm.spans[i-1][1] {
				return nil, fmt.Errorf("sim: window %s: overlapping shifts", w.ID)
			}
		}
		h.windows = append(h.windows, wm)
	}
	if len(h.windows) == 0 {
		return nil, errors.New("sim: no windows")
	}
	return h, nil
}

// rateAt is the arrival rate per minute at minute t for a day factor f.
func (h *hallModel) rateAt(t, f float64) float64 {
	i := int((t - h.open) / 60)
	if i < 0 || i >= len(h.rate) || t >= h.close {
		return 0
	}
	return h.rate[i] * f
}
