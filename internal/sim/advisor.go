package sim

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"mingbai/internal/queue"
)

// AdvisorConfig is a staffing question: which zones should each window
// serve, and how many windows should be open each hour, for the target to
// be met with the fewest staff-hours?
type AdvisorConfig struct {
	// Scenario is the hall and its demand; its windows' zones are the
	// starting layout.
	Scenario *Scenario
	// TargetShare of tickets called within TargetMinutes (0.9, 10).
	TargetShare   float64
	TargetMinutes float64
	// Days simulated per evaluation during the search (common traces), and
	// VerifyDays for the final prediction.
	Days, VerifyDays int
	Seed             uint64
	// MaxZones a window may serve (3: chains of two or three zones).
	MaxZones int
	// Policy is the dispatch policy (default mingbai).
	Policy string
	// Progress, when set, is called after every simulation of the search
	// with the number run so far, so a page can show that a long search is
	// alive.
	Progress func(evaluations int)
}

// Advice is the advisor's proposal.
type Advice struct {
	Scenario      string  `json:"scenario"`
	Policy        string  `json:"policy"`
	TargetShare   float64 `json:"target_share"`
	TargetMinutes float64 `json:"target_minutes"`
	// Met tells whether the proposal meets the target on the verification
	// days.
	Met bool `json:"met"`
	// Current is the scenario as it is; Proposed the advice; both
	// simulated on the same VerifyDays traces.
	Current  Outcome `json:"current"`
	Proposed Outcome `json:"proposed"`
	// Windows are the proposed skills and shifts of every window.
	Windows []WindowAdvice `json:"windows"`
	// Hours are the proposed number of open windows per hour.
	Hours []HourStaffing `json:"hours"`
	// Evaluations counts the simulations the search ran.
	Evaluations int `json:"evaluations"`
}

// Outcome is a simulated layout and staffing.
type Outcome struct {
	StaffHours float64   `json:"staff_hours"`
	Mean       float64   `json:"mean_wait"`
	P95        float64   `json:"p95_wait"`
	Within     float64   `json:"within_share"`
	ZoneMean   []float64 `json:"zone_mean_wait"`
}

// WindowAdvice is one window's proposed zones (Added: the zones new to it)
// and shifts.
type WindowAdvice struct {
	ID     string   `json:"id"`
	Home   string   `json:"home"`
	Zones  []string `json:"zones"`
	Added  []string `json:"added,omitempty"`
	Shifts []string `json:"shifts,omitempty"`
}

// HourStaffing is the number of open windows in one hour, now and proposed.
type HourStaffing struct {
	Hour     int `json:"hour"`
	Current  int `json:"current"`
	Proposed int `json:"proposed"`
}

type evalResult struct {
	mean, p95, within float64
	zoneMean          []float64
}

type evaluator struct {
	cfg    AdvisorConfig
	traces []*dayTrace
	pol    queue.Policy
	n      int
}

func (e *evaluator) run(sc *Scenario) evalResult {
	e.n++
	if e.cfg.Progress != nil {
		e.cfg.Progress(e.n)
	}
	h, err := compile(sc)
	if err != nil {
		panic(err) // the advisor only builds valid scenarios
	}
	res := make([]*dayResult, len(e.traces))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for d := range next {
				res[d] = runDay(h, e.traces[d], e.pol, runOpts{})
			}
		})
	}
	for d := range e.traces {
		next <- d
	}
	close(next)
	wg.Wait()
	var all []float64
	zs := make([]float64, len(h.zones))
	zn := make([]float64, len(h.zones))
	zi := map[string]int{}
	for i, z := range h.zones {
		zi[z] = i
	}
	for d, r := range res {
		for i, t := range r.tickets {
			if t.noShow {
				continue
			}
			w := t.wait
			if math.IsNaN(w) {
				w = 24 * 60 // never called: count as a very long wait
			}
			all = append(all, w)
			z := zi[h.items[e.traces[d].arrivals[i].item].zone]
			zs[z] += w
			zn[z]++
		}
	}
	var out evalResult
	n10 := 0
	for _, w := range all {
		out.mean += w
		if w <= e.cfg.TargetMinutes {
			n10++
		}
	}
	out.mean /= float64(len(all))
	out.within = float64(n10) / float64(len(all))
	sort.Float64s(all)
	out.p95 = percentile(all, 0.95)
	for i := range zs {
		out.zoneMean = append(out.zoneMean, zs[i]/math.Max(zn[i], 1))
	}
	return out
}

// Advise searches for window skills and hourly staffing that meet the
// target with the fewest staff-hours, by simulation on common traces:
//
//  1. Skills, greedily: for each staffed window that serves fewer than
//     MaxZones zones, the candidate is to add the zone it lacks with the
//     longest mean wait; the candidate that lowers the hall's mean wait the
//     most is kept, until none lowers it by 1% or more.
//  2. Staffing, by hour: windows are ranked (most flexible and most needed
//     first) and the first n_h are open in hour h. Hours are added where
//     the share within target is lowest until the target is met, then
//     removed wherever the target still holds.
//
// Staff-hours are window-hours; lunch breaks are left to the roster.
func Advise(cfg AdvisorConfig) (*Advice, error) {
	if cfg.Scenario == nil {
		return nil, errors.New("sim: no scenario")
	}
	if cfg.TargetShare <= 0 || cfg.TargetShare >= 1 || cfg.TargetMinutes <= 0 {
		return nil, errors.New("sim: the target needs a share in (0, 1) and positive minutes")
	}
	if cfg.Days <= 0 {
		cfg.Days = 40
	}
	if cfg.VerifyDays <= 0 {
		cfg.VerifyDays = 200
	}
	if cfg.MaxZones <= 0 {
		cfg.MaxZones = 3
	}
	if cfg.Policy == "" {
		cfg.Policy = queue.PolicyMingbai
	}
	pol, err := queue.NewPolicy(cfg.Policy, queue.Options{})
	if err != nil {
		return nil, err
	}
	base := cfg.Scenario.Clone()
	h, err := compile(base)
	if err != nil {
		return nil, err
	}
	ev := &evaluator{cfg: cfg, pol: pol}
	for d := 0; d < cfg.Days; d++ {
		ev.traces = append(ev.traces, genDay(h, cfg.Seed+1000, d))
	}
	cur := base.Clone()
	best := ev.run(cur)

	// 1. Skills.
	for {
		zoneWait := map[string]float64{}
		for i, z := range h.zones {
			zoneWait[z] = best.zoneMean[i]
		}
		var bestSc *Scenario
		var bestRes evalResult
		for wi, w := range cur.Windows {
			if len(w.Shifts) == 0 || len(w.Zones) >= cfg.MaxZones {
				continue
			}
			add, worst := "", -1.0
			for _, z := range h.zones {
				if !slices.Contains(w.Zones, z) && zoneWait[z] > worst {
					add, worst = z, zoneWait[z]
				}
			}
			if add == "" {
				continue
			}
			cand := cur.Clone()
			cand.Windows[wi].Zones = append(cand.Windows[wi].Zones, add)
			r := ev.run(cand)
			if bestSc == nil || r.mean < bestRes.mean {
				bestSc, bestRes = cand, r
			}
		}
		if bestSc == nil || bestRes.mean > 0.99*best.mean {
			break
		}
		cur, best = bestSc, bestRes
	}

	// 2. Staffing.
	hours := int(math.Ceil((h.close - h.open) / 60))
	rank := rankWindows(h, cur)
	counts := currentCounts(h, hours)
	staffed := func(counts []int) *Scenario {
		sc := cur.Clone()
		applyCounts(sc, h, rank, counts)
		return sc
	}
	res := ev.run(staffed(counts))
	hourShare := func(counts []int) []float64 {
		// Share within target per hour of issue, from a run.
		return hourWithin(ev, staffed(counts))
	}
	for res.within < cfg.TargetShare {
		hs := hourShare(counts)
		worst := -1
		for hr := range counts {
			if counts[hr] < len(cur.Windows) && (worst < 0 || hs[hr] < hs[worst]) {
				worst = hr
			}
		}
		if worst < 0 {
			break
		}
		counts[worst]++
		res = ev.run(staffed(counts))
	}
	for improved := true; improved && res.within >= cfg.TargetShare; {
		improved = false
		hs := hourShare(counts)
		order := make([]int, hours)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return hs[order[a]] > hs[order[b]] })
		for _, hr := range order {
			if counts[hr] <= 1 {
				continue
			}
			counts[hr]--
			if r := ev.run(staffed(counts)); r.within >= cfg.TargetShare {
				res, improved = r, true
				break
			}
			counts[hr]++
		}
	}
	final := staffed(counts)

	// Verify both on fresh, longer traces.
	ver := &evaluator{cfg: cfg, pol: pol}
	for d := 0; d < cfg.VerifyDays; d++ {
		ver.traces = append(ver.traces, genDay(h, cfg.Seed, d))
	}
	curRes, propRes := ver.run(base), ver.run(final)
	adv := &Advice{
		Scenario: base.Name, Policy: cfg.Policy, TargetShare: cfg.TargetShare, TargetMinutes: cfg.TargetMinutes,
		Met:         propRes.within >= cfg.TargetShare,
		Current:     outcome(base, h, curRes),
		Proposed:    outcome(final, h, propRes),
		Evaluations: ev.n + ver.n,
	}
	before := currentCounts(h, hours)
	for hr := range counts {
		adv.Hours = append(adv.Hours, HourStaffing{Hour: int(h.open/60) + hr, Current: before[hr], Proposed: counts[hr]})
	}
	for i, w := range final.Windows {
		wa := WindowAdvice{ID: w.ID, Home: w.Home, Zones: w.Zones, Shifts: w.Shifts}
		for _, z := range w.Zones {
			if !slices.Contains(base.Windows[i].Zones, z) {
				wa.Added = append(wa.Added, z)
			}
		}
		adv.Windows = append(adv.Windows, wa)
	}
	return adv, nil
}

func outcome(sc *Scenario, h *hallModel, r evalResult) Outcome {
	return Outcome{StaffHours: staffHours(sc), Mean: r.mean, P95: r.p95, Within: r.within, ZoneMean: r.zoneMean}
}

// hourWithin is the share within target per hour of issue.
func hourWithin(ev *evaluator, sc *Scenario) []float64 {
	ev.n++
	h, _ := compile(sc)
	hours := int(math.Ceil((h.close - h.open) / 60))
	in, n := make([]float64, hours), make([]float64, hours)
	for _, tr := range ev.traces {
		r := runDay(h, tr, ev.pol, runOpts{})
		for i, t := range r.tickets {
			if t.noShow {
				continue
			}
			hr := int((tr.arrivals[i].t - h.open) / 60)
			n[hr]++
			if !math.IsNaN(t.wait) && t.wait <= ev.cfg.TargetMinutes {
				in[hr]++
			}
		}
	}
	for i := range in {
		in[i] /= math.Max(n[i], 1)
	}
	return in
}

func staffHours(sc *Scenario) float64 {
	var mins float64
	for _, w := range sc.Windows {
		for _, s := range w.Shifts {
			a, b, _ := strings.Cut(s, "-")
			x, _ := parseClock(a)
			y, _ := parseClock(b)
			mins += y - x
		}
	}
	return mins / 60
}

// currentCounts is the scenario's open windows per hour, rounded up.
func currentCounts(h *hallModel, hours int) []int {
	out := make([]int, hours)
	for hr := range out {
		a := h.open + 60*float64(hr)
		b := math.Min(a+60, h.close)
		var mins float64
		for _, w := range h.windows {
			for _, sp := range w.spans {
				mins += math.Max(0, math.Min(b, sp[1])-math.Max(a, sp[0]))
			}
		}
		out[hr] = int(math.Ceil(mins/(b-a) - 1e-9))
	}
	return out
}

// rankWindows orders windows so that the first n of them cover the zones in
// proportion to their workload: each next window is the one whose zones
// have the most workload per window already chosen for them, the
// more flexible first on ties.
func rankWindows(h *hallModel, sc *Scenario) []int {
	load := map[string]float64{}
	for _, it := range h.items {
		load[it.zone] += it.prob * it.mean
	}
	cover := map[string]float64{}
	var rank []int
	used := make([]bool, len(sc.Windows))
	for range sc.Windows {
		best, bestScore := -1, -1.0
		for i, w := range sc.Windows {
			if used[i] {
				continue
			}
			var s float64
			for _, z := range w.Zones {
				s += load[z] / (1 + cover[z])
			}
			if z := w.Home; !slices.Contains(w.Zones, z) {
				s += load[z] / (1 + cover[z])
			}
			if s > bestScore+1e-12 {
				best, bestScore = i, s
			}
		}
		used[best] = true
		rank = append(rank, best)
		w := sc.Windows[best]
		for _, z := range w.Zones {
			cover[z] += 1 / float64(len(w.Zones))
		}
	}
	return rank
}

// applyCounts sets the shifts: the first counts[h] ranked windows are open
// in hour h.
func applyCounts(sc *Scenario, h *hallModel, rank []int, counts []int) {
	pos := make([]int, len(rank))
	for p, w := range rank {
		pos[w] = p
	}
	for wi := range sc.Windows {
		var shifts []string
		start := -1
		for hr := 0; hr <= len(counts); hr++ {
			open := hr < len(counts) && pos[wi] < counts[hr]
			if open && start < 0 {
				start = hr
			}
			if !open && start >= 0 {
				a := h.open + 60*float64(start)
				b := math.Min(h.open+60*float64(hr), h.close)
				shifts = append(shifts, clock(a)+"-"+clock(b))
				start = -1
			}
		}
		sc.Windows[wi].Shifts = shifts
	}
}

// AdvisorMain is the entry point of `mingbai staffing`: it prints the
// advisor's proposal for a scenario. It returns the process exit code.
func AdvisorMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("staffing", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenario := fs.String("scenario", "reference", "scenario name ("+strings.Join(Scenarios(), ", ")+") or path to a JSON file")
	share := fs.Float64("target", 0.9, "target share of tickets called within --minutes")
	minutes := fs.Float64("minutes", 10, "target wait in minutes")
	days := fs.Int("days", 40, "simulated days per evaluation during the search")
	verify := fs.Int("verify-days", 200, "simulated days for the final prediction")
	seed := fs.Uint64("seed", 1, "random seed")
	maxZones := fs.Int("max-zones", 3, "most zones a window may serve")
	format := fs.String("format", "table", "output format: table or json")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !validFormat("staffing", *format, stderr) {
		return 2
	}
	sc, err := LoadScenario(*scenario)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	adv, err := Advise(AdvisorConfig{Scenario: sc, TargetShare: *share, TargetMinutes: *minutes, Days: *days, VerifyDays: *verify, Seed: *seed, MaxZones: *maxZones})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return writeOutput(*format, adv, func() { writeAdvice(stdout, adv) }, stdout, stderr)
}

func writeAdvice(w io.Writer, a *Advice) {
	fmt.Fprintf(w, "scenario %s, policy %s, target: %.0f%% called within %.0f minutes\n\n", a.Scenario, a.Policy, 100*a.TargetShare, a.TargetMinutes)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tstaff-hours\tmean wait\tp95\twithin target\t")
	for _, r := range []struct {
		name string
		o    Outcome
	}{{"current", a.Current}, {"proposed", a.Proposed}} {
		fmt.Fprintf(tw, "%s\t%.1f\t%.2f\t%.1f\t%.1f%%\t\n", r.name, r.o.StaffHours, r.o.Mean, r.o.P95, 100*r.o.Within)
	}
	tw.Flush()
	if a.Met {
		fmt.Fprintln(w, "\nthe proposal meets the target on the verification days")
	} else {
		fmt.Fprintln(w, "\nthe proposal does NOT meet the target on the verification days")
	}
	fmt.Fprintln(w, "\nopen windows per hour (current → proposed):")
	for _, hs := range a.Hours {
		fmt.Fprintf(w, "  %02d:00  %2d → %2d\n", hs.Hour, hs.Current, hs.Proposed)
	}
	fmt.Fprintln(w, "\nwindows:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "window\thome\tzones\tadded\tshifts")
	for _, wa := range a.Windows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", wa.ID, wa.Home, strings.Join(wa.Zones, ","), strings.Join(wa.Added, ","), strings.Join(wa.Shifts, " "))
	}
	tw.Flush()
	fmt.Fprintf(w, "\n(%d simulations; staff-hours are window-hours, lunch breaks are left to the roster)\n", a.Evaluations)
}
