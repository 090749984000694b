package sim

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"mingbai/internal/queue"
)

// Config is one simulation run.
type Config struct {
	// Scenario is the hall and its demand.
	Scenario *Scenario
	// Days is the number of simulated days (each its own trace).
	Days int
	// Seed seeds the traces; the same seed gives the same numbers.
	Seed uint64
	// Policies are the dispatch policies to compare (queue.PolicyNames).
	// The pooled bound (fifo_pooled) is always run.
	Policies []string
	// K is the green-channel bound (0 = queue.DefaultK).
	K int
	// Estimates asks every estimator for every ticket's wait at issue,
	// under the mingbai policy, and compares with the actual wait.
	Estimates bool
	// KnownSpeed lets the estimators know each staff member's speed.
	KnownSpeed bool
	// Workers is the number of days simulated in parallel (0 = GOMAXPROCS).
	// It does not change the results.
	Workers int
}

// Report is the outcome of Simulate.
type Report struct {
	Scenario string  `json:"scenario"`
	Days     int     `json:"days"`
	Seed     uint64  `json:"seed"`
	Tickets  int     `json:"tickets"`
	PerDay   float64 `json:"tickets_per_day"`
	K        int     `json:"k"`
	// Bound names the policy whose mean is the reference (fifo_pooled).
	Bound     string          `json:"bound"`
	Policies  []PolicyStats   `json:"policies"`
	Estimates []EstimateStats `json:"estimates,omitempty"`
	Notes     []string        `json:"notes"`
}

// PolicyStats are one policy's waits, in minutes from issue to call, over
// the tickets served (no-shows excluded).
type PolicyStats struct {
	Policy       string  `json:"policy"`
	Served       int     `json:"served"`
	NoShows      int     `json:"no_shows"`
	Unserved     int     `json:"unserved"`
	Mean         float64 `json:"mean"`
	P50          float64 `json:"p50"`
	P90          float64 `json:"p90"`
	P95          float64 `json:"p95"`
	Max          float64 `json:"max"`
	MedianDayMax float64 `json:"median_day_max"`
	// Within10 is the share of tickets called within 10 minutes.
	Within10 float64 `json:"within_10min"`
	// Jain is Jain's fairness index of the items' mean waits:
	// (Σx)²/(n·Σx²), 1 when every item waits alike.
	Jain float64 `json:"jain_items"`
	// OvertakesPer100 counts, per 100 calls, the pairs (A, B) where B was
	// called while A, issued earlier, was still waiting, and A was of the
	// same zone as B or of an item the calling window serves.
	OvertakesPer100 float64 `json:"overtakes_per_100"`
	// VsBound is Mean divided by the pooled bound's mean.
	VsBound float64 `json:"mean_vs_pooled"`
	// WorstItemP95 is the largest p95 of an item, WorstItem that item, and
	// WorstItemRatio WorstItemP95 / P95.
	WorstItem      string        `json:"worst_item"`
	WorstItemP95   float64       `json:"worst_item_p95"`
	WorstItemRatio float64       `json:"worst_item_p95_ratio"`
	Zones          []GroupStats  `json:"zones"`
	Items          []GroupStats  `json:"items"`
	Hours          []HourlyStats `json:"hours"`
}

// GroupStats are the waits of one zone or item.
type GroupStats struct {
	Code string  `json:"code"`
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	P95  float64 `json:"p95"`
}

// HourlyStats are the waits of the tickets issued in one hour.
type HourlyStats struct {
	Hour     int     `json:"hour"`
	N        int     `json:"n"`
	Mean     float64 `json:"mean"`
	Within10 float64 `json:"within_10min"`
}

// EstimateStats compare one estimator's estimates at issue with the actual
// waits under the mingbai policy, over all called tickets (no-shows too:
// their wait is until the call) and over the delayed ones (actual wait
// > 0, i.e. not called at the moment of issue). RASE is √MSE / E[W | W > 0].
type EstimateStats struct {
	Estimator   string  `json:"estimator"`
	N           int     `json:"n"`
	NDelayed    int     `json:"n_delayed"`
	MAE         float64 `json:"mae"`
	RASE        float64 `json:"rase"`
	Bias        float64 `json:"bias"`
	MAEDelayed  float64 `json:"mae_delayed"`
	RASEDelayed float64 `json:"rase_delayed"`
	// VsBestClassical is MAE over the best MAE of ql, hol and les.
	VsBestClassical float64 `json:"mae_vs_best_classical"`
}

// policyDay is one policy's compact day.
type policyDay struct {
	waits     []float32 // served tickets
	items     []uint16
	hours     []uint8
	dayMax    float64
	overtakes int
	calls     int
	noShows   int
	unserved  int
}

type estDay struct {
	actual []float32
	est    [][]float32 // per estimator
}

type dayOut struct {
	n   int
	pol []policyDay
	est *estDay
}

// Simulate runs the configured days and computes the report.
func Simulate(cfg Config) (*Report, error) {
	if cfg.Scenario == nil {
		return nil, errors.New("sim: no scenario")
	}
	h, err := compile(cfg.Scenario)
	if err != nil {
		return nil, err
	}
	if cfg.Days <= 0 {
		return nil, errors.New("sim: days must be positive")
	}
	names := cfg.Policies
	if len(names) == 0 {
		names = queue.PolicyNames()
	}
	hasBound, mIdx := false, -1
	for i, n := range names {
		hasBound = hasBound || n == queue.PolicyFIFOPooled
		if n == queue.PolicyMingbai {
			mIdx = i
		}
	}
	if !hasBound {
		names = append(append([]string(nil), names...), queue.PolicyFIFOPooled)
	}
	k := cfg.K
	if k == 0 {
		k = queue.DefaultK
	}
	pols := make([]queue.Policy, len(names))
	for i, n := range names {
		if pols[i], err = queue.NewPolicy(n, queue.Options{K: k}); err != nil {
			return nil, err
		}
	}
	var ests []queue.Estimator
	if cfg.Estimates {
		for _, n := range queue.EstimatorNames() {
			e, _ := queue.NewEstimator(n)
			ests = append(ests, e)
		}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	outs := make([]dayOut, cfg.Days)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for d := range next {
				outs[d] = simDay(h, cfg, d, pols, mIdx, ests)
			}
		})
	}
	for d := 0; d < cfg.Days; d++ {
		next <- d
	}
	close(next)
	wg.Wait()
	return aggregate(h, cfg, k, names, ests, outs), nil
}

func simDay(h *hallModel, cfg Config, d int, pols []queue.Policy, mIdx int, ests []queue.Estimator) dayOut {
	tr := genDay(h, cfg.Seed, d)
	out := dayOut{n: len(tr.arrivals), pol: make([]policyDay, len(pols))}
	for i, p := range pols {
		var o runOpts
		if ests != nil && i == mIdx {
			o = runOpts{estimators: ests, knownSpeed: cfg.KnownSpeed}
		}
		r := runDay(h, tr, p, o)
		out.pol[i] = compact(h, tr, r)
		if o.estimators != nil {
			out.est = estCompact(r, len(ests))
		}
	}
	if ests != nil && mIdx < 0 {
		p, _ := queue.NewPolicy(queue.PolicyMingbai, queue.Options{K: cfg.K})
		r := runDay(h, tr, p, runOpts{estimators: ests, knownSpeed: cfg.KnownSpeed})
		out.est = estCompact(r, len(ests))
	}
	return out
}

func compact(h *hallModel, tr *dayTrace, r *dayResult) policyDay {
	pd := policyDay{overtakes: r.overtakes, unserved: r.unserved}
	for i, t := range r.tickets {
		if math.IsNaN(t.wait) {
			continue
		}
		pd.calls++
		if t.noShow {
			pd.noShows++
			continue
		}
		pd.waits = append(pd.waits, float32(t.wait))
		pd.items = append(pd.items, uint16(tr.arrivals[i].item))
		pd.hours = append(pd.hours, uint8(tr.arrivals[i].t/60))
		pd.dayMax = math.Max(pd.dayMax, t.wait)
	}
	return pd
}

func estCompact(r *dayResult, ne int) *estDay {
	ed := &estDay{est: make([][]float32, ne)}
	for _, t := range r.tickets {
		if math.IsNaN(t.wait) {
			continue
		}
		ed.actual = append(ed.actual, float32(t.wait))
		for j := range ne {
			ed.est[j] = append(ed.est[j], float32(t.est[j]))
		}
	}
	return ed
}

// percentile returns the nearest-rank q-quantile of sorted xs.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return sorted[i]
}

func jain(xs []float64) float64 {
	var s, s2 float64
	for _, x := range xs {
		s += x
		s2 += x * x
	}
	if s2 == 0 {
		return 1
	}
	return s * s / (float64(len(xs)) * s2)
}

func aggregate(h *hallModel, cfg Config, k int, names []string, ests []queue.Estimator, outs []dayOut) *Report {
	rep := &Report{Scenario: cfg.Scenario.Name, Days: cfg.Days, Seed: cfg.Seed, K: k, Bound: queue.PolicyFIFOPooled}
	for _, o := range outs {
		rep.Tickets += o.n
	}
	rep.PerDay = float64(rep.Tickets) / float64(cfg.Days)
	for pi, name := range names {
		ps := PolicyStats{Policy: name}
		var all []float64
		byItem := make([][]float64, len(h.items))
		byHour := map[int][]float64{}
		var dayMax []float64
		calls := 0
		for _, o := range outs {
			pd := &o.pol[pi]
			ps.NoShows += pd.noShows
			ps.Unserved += pd.unserved
			ps.OvertakesPer100 += float64(pd.overtakes)
			calls += pd.calls
			dayMax = append(dayMax, pd.dayMax)
			for j, w := range pd.waits {
				all = append(all, float64(w))
				byItem[pd.items[j]] = append(byItem[pd.items[j]], float64(w))
				byHour[int(pd.hours[j])] = append(byHour[int(pd.hours[j])], float64(w))
			}
		}
		if calls > 0 {
			ps.OvertakesPer100 *= 100 / float64(calls)
		}
		ps.Served = len(all)
		ps.Mean, ps.Within10 = meanWithin(all)
		sort.Float64s(all)
		ps.P50, ps.P90, ps.P95 = percentile(all, 0.5), percentile(all, 0.9), percentile(all, 0.95)
		if len(all) > 0 {
			ps.Max = all[len(all)-1]
		}
		sort.Float64s(dayMax)
		ps.MedianDayMax = percentile(dayMax, 0.5)
		var means []float64
		byZone := map[string][]float64{}
		for i, ws := range byItem {
			if len(ws) == 0 {
				continue
			}
			byZone[h.items[i].zone] = append(byZone[h.items[i].zone], ws...)
			g := group(h.items[i].code, ws)
			ps.Items = append(ps.Items, g)
			means = append(means, g.Mean)
			if g.P95 > ps.WorstItemP95 {
				ps.WorstItemP95, ps.WorstItem = g.P95, g.Code
			}
		}
		if ps.P95 > 0 {
			ps.WorstItemRatio = ps.WorstItemP95 / ps.P95
		}
		ps.Jain = jain(means)
		for _, z := range h.zones {
			if ws := byZone[z]; len(ws) > 0 {
				ps.Zones = append(ps.Zones, group(z, ws))
			}
		}
		var hours []int
		for hr := range byHour {
			hours = append(hours, hr)
		}
		sort.Ints(hours)
		for _, hr := range hours {
			m, w10 := meanWithin(byHour[hr])
			ps.Hours = append(ps.Hours, HourlyStats{Hour: hr, N: len(byHour[hr]), Mean: m, Within10: w10})
		}
		rep.Policies = append(rep.Policies, ps)
	}
	var bound float64
	for _, p := range rep.Policies {
		if p.Policy == rep.Bound {
			bound = p.Mean
		}
	}
	for i := range rep.Policies {
		if bound > 0 {
			rep.Policies[i].VsBound = rep.Policies[i].Mean / bound
		}
	}
	if ests != nil {
		rep.Estimates = estimateStats(ests, outs)
	}
	rep.Notes = []string{
		"Waits are minutes from issue to call, over served tickets (no-shows excluded); every policy ran on the same day traces.",
		"fifo_pooled (every window serves every item, first come first served) is the bound for policies that do not use service-time knowledge; a policy that does (e.g. shortest service first) can beat its mean while being unfair, so fairness (Jain, overtakes, per-zone p95) is shown beside it.",
		fmt.Sprintf("Overtake: B called while A, issued earlier, still waited, A of B's zone or of an item the calling window serves. mingbai passes an ordinary ticket by at most K=%d later priority tickets.", k),
	}
	if ests != nil {
		rep.Notes = append(rep.Notes, "Estimates are made at issue and compared with the actual wait under the mingbai policy; delayed = actual wait > 0; RASE = √MSE / E[W | W > 0].")
	}
	return rep
}

func meanWithin(ws []float64) (mean, within10 float64) {
	if len(ws) == 0 {
		return 0, 0
	}
	n10 := 0
	for _, w := range ws {
		mean += w
		if w <= 10 {
			n10++
		}
	}
	return mean / float64(len(ws)), float64(n10) / float64(len(ws))
}

func group(code string, ws []float64) GroupStats {
	g := GroupStats{Code: code, N: len(ws)}
	g.Mean, _ = meanWithin(ws)
	s := append([]float64(nil), ws...)
	sort.Float64s(s)
	g.P95 = percentile(s, 0.95)
	return g
}

func estimateStats(ests []queue.Estimator, outs []dayOut) []EstimateStats {
	var condSum float64
	var condN int
	for _, o := range outs {
		for _, a := range o.est.actual {
			if a > 0 {
				condSum += float64(a)
				condN++
			}
		}
	}
	condMean := condSum / math.Max(float64(condN), 1)
	res := make([]EstimateStats, len(ests))
	for j, e := range ests {
		es := EstimateStats{Estimator: e.Name()}
		var abs, sq, bias, absD, sqD float64
		for _, o := range outs {
			for i, a := range o.est.actual {
				d := float64(o.est.est[j][i]) - float64(a)
				es.N++
				abs += math.Abs(d)
				sq += d * d
				bias += d
				if a > 0 {
					es.NDelayed++
					absD += math.Abs(d)
					sqD += d * d
				}
			}
		}
		n, nd := math.Max(float64(es.N), 1), math.Max(float64(es.NDelayed), 1)
		es.MAE, es.Bias, es.RASE = abs/n, bias/n, math.Sqrt(sq/n)/condMean
		es.MAEDelayed, es.RASEDelayed = absD/nd, math.Sqrt(sqD/nd)/condMean
		res[j] = es
	}
	best := math.Inf(1)
	for _, es := range res {
		switch es.Estimator {
		case queue.EstimatorQL, queue.EstimatorHOL, queue.EstimatorLES:
			best = math.Min(best, es.MAE)
		}
	}
	for j := range res {
		if best > 0 && !math.IsInf(best, 1) {
			res[j].VsBestClassical = res[j].MAE / best
		}
	}
	return res
}
