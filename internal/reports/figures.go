// Package reports holds the rules of the hall's statistics: the figures of
// a daily rollup, how rollups add up over periods and groups, percentiles
// from the rollup's wait histogram, and the periods a report may cover.
// It does no I/O; the store reads and writes the rollups, the web renders
// them. Every figure is defined in docs/oversight.md ("Reports").
package reports

import (
	"math"
	"strconv"
	"strings"
)

// HistBins is the number of bins of a wait or service-time histogram: bin
// m (0 ≤ m ≤ 240) counts the durations d with ⌈d / 1 min⌉ = m, i.e. more
// than m−1 and at most m whole minutes (bin 0: exactly zero); bin 241
// counts everything over 240 minutes.
const HistBins = 242

// OverflowBin is the last bin: more than 240 minutes.
const OverflowBin = HistBins - 1

// Hist is a histogram of durations in whole minutes, rounded up.
type Hist [HistBins]int64

// BinOf returns the bin of a duration in milliseconds.
func BinOf(ms int64) int {
	if ms <= 0 {
		return 0
	}
	m := (ms + 59_999) / 60_000
	if m > OverflowBin {
		return OverflowBin
	}
	return int(m)
}

// Encode writes the non-empty bins as "bin:count" pairs separated by
// spaces (the stored form; empty for an empty histogram).
func (h *Hist) Encode() string {
	var b strings.Builder
	for i, n := range h {
		if n == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(n, 10))
	}
	return b.String()
}

// BinCount is one non-empty bin of a stored histogram.
type BinCount struct {
	Bin int
	N   int64
}

// ParseHist appends the bins of a stored histogram to buf. Malformed
// pairs are skipped (the store writes only what Encode produced). It is
// the inner loop of every report: one pass, no allocation.
func ParseHist(buf []BinCount, s string) []BinCount {
	var bin, n int64
	state := 0 // 0: in the bin, 1: in the count, 2: skipping a bad pair
	digits := 0
	emit := func() {
		if state == 1 && digits > 0 && bin < HistBins {
			buf = append(buf, BinCount{int(bin), n})
		}
		bin, n, state, digits = 0, 0, 0, 0
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			emit()
		case state == 2:
		case c == ':' && state == 0 && digits > 0:
			state, digits = 1, 0
		case c >= '0' && c <= '9' && digits < 12:
			if state == 0 {
				bin = bin*10 + int64(c-'0')
			} else {
				n = n*10 + int64(c-'0')
			}
			digits++
		default:
			state = 2
		}
	}
	emit()
	return buf
}

// AddEncoded adds a stored histogram to h.
func (h *Hist) AddEncoded(s string) {
	var buf [32]BinCount
	for _, b := range ParseHist(buf[:0], s) {
		h[b.Bin] += b.N
	}
}

// Percentile returns the p-quantile (0 < p ≤ 1) in whole minutes: the bin
// of the ⌈p·n⌉-th shortest duration, that is the smallest m such that at
// least a share p of the durations are at most m minutes. ok is false for
// an empty histogram; OverflowBin means "over 240 minutes".
func (h *Hist) Percentile(p float64) (minutes int, ok bool) {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return 0, false
	}
	rank := int64(math.Ceil(p*float64(n) - 1e-9))
	if rank < 1 {
		rank = 1
	}
	var cum int64
	for i, c := range h {
		cum += c
		if cum >= rank {
			return i, true
		}
	}
	return OverflowBin, true
}

// Counts are the additive figures of a rollup row (everything but the
// histograms). Durations are in milliseconds.
type Counts struct {
	Visits             int64 `json:"visits"`
	Called             int64 `json:"called"`
	WaitSumMs          int64 `json:"wait_sum_ms"`
	WaitMaxMs          int64 `json:"wait_max_ms"`
	Within10           int64 `json:"wait_within10"`
	Served             int64 `json:"served"`
	ServiceSumMs       int64 `json:"service_sum_ms"`
	ServiceMaxMs       int64 `json:"service_max_ms"`
	NoShows            int64 `json:"no_shows"`
	Cancelled          int64 `json:"cancelled"`
	Transfers          int64 `json:"transfers"`
	CasesAccepted      int64 `json:"cases_accepted"`
	CasesCompleted     int64 `json:"cases_completed"`
	CasesCompletedLate int64 `json:"cases_completed_late"`
	CasesDue           int64 `json:"cases_due"`
	CasesDueMet        int64 `json:"cases_due_met"`
	Corrections        int64 `json:"corrections"`
	Ratings            int64 `json:"ratings"`
	RatingSum          int64 `json:"rating_sum"`
	RatingSatisfied    int64 `json:"rating_satisfied"`
	RatingBad          int64 `json:"rating_bad"`
	Callbacks          int64 `json:"callbacks"`
	CallbackSum        int64 `json:"callback_sum"`
	CallbackSatisfied  int64 `json:"callback_satisfied"`
	// Complaints: complaints and suggestions (投诉建议) received on the day.
	Complaints int64 `json:"complaints"`
}

// Add adds o to c (maxima take the larger).
func (c *Counts) Add(o *Counts) {
	c.Visits += o.Visits
	c.Called += o.Called
	c.WaitSumMs += o.WaitSumMs
	c.WaitMaxMs = max(c.WaitMaxMs, o.WaitMaxMs)
	c.Within10 += o.Within10
	c.Served += o.Served
	c.ServiceSumMs += o.ServiceSumMs
	c.ServiceMaxMs = max(c.ServiceMaxMs, o.ServiceMaxMs)
	c.NoShows += o.NoShows
	c.Cancelled += o.Cancelled
	c.Transfers += o.Transfers
	c.CasesAccepted += o.CasesAccepted
	c.CasesCompleted += o.CasesCompleted
	c.CasesCompletedLate += o.CasesCompletedLate
	c.CasesDue += o.CasesDue
	c.CasesDueMet += o.CasesDueMet
	c.Corrections += o.Corrections
	c.Ratings += o.Ratings
	c.RatingSum += o.RatingSum
	c.RatingSatisfied += o.RatingSatisfied
	c.RatingBad += o.RatingBad
	c.Callbacks += o.Callbacks
	c.CallbackSum += o.CallbackSum
	c.CallbackSatisfied += o.CallbackSatisfied
	c.Complaints += o.Complaints
}

// Key is where a rollup row belongs: hall, the hall's local date, zone,
// item, window and staff member (0 when there is none).
type Key struct {
	HallID   int64  `json:"hall_id"`
	Day      string `json:"day"`
	Zone     string `json:"zone"`
	Item     string `json:"item_code"`
	WindowID int64  `json:"window_id"`
	StaffID  int64  `json:"staff_id"`
}

// Row is one stored rollup row: its key, counts and encoded histograms.
type Row struct {
	Key
	Counts
	WaitHist    string `json:"wait_hist"`
	ServiceHist string `json:"service_hist"`
}

// Reason is one stored count of a correction reason under a rollup key.
type Reason struct {
	Key
	Reason string `json:"reason"`
	N      int64  `json:"n"`
}

// Figures are counts with their histograms: a rollup row being computed,
// or the sum of many.
type Figures struct {
	Counts
	WaitHist    Hist
	ServiceHist Hist
	// Overdue is the number of cases due on a day before the report's
	// "today" that were not completed or refused by their due date.
	Overdue int64
}

// AddWait counts one called ticket's wait.
func (f *Figures) AddWait(ms int64) {
	ms = max(ms, 0)
	f.Called++
	f.WaitSumMs += ms
	f.WaitMaxMs = max(f.WaitMaxMs, ms)
	if ms <= 10*60_000 {
		f.Within10++
	}
	f.WaitHist[BinOf(ms)]++
}

// AddService counts one served ticket's service time.
func (f *Figures) AddService(ms int64) {
	ms = max(ms, 0)
	f.ServiceSumMs += ms
	f.ServiceMaxMs = max(f.ServiceMaxMs, ms)
	f.ServiceHist[BinOf(ms)]++
}

// Row returns the stored form of f under k.
func (f *Figures) Row(k Key) Row {
	return Row{Key: k, Counts: f.Counts, WaitHist: f.WaitHist.Encode(), ServiceHist: f.ServiceHist.Encode()}
}

// AddRow adds a stored row. Cases due on days from today on are not yet
// overdue: they add to neither CasesDue nor Overdue.
func (f *Figures) AddRow(r *Row, today string) {
	var w, s [32]BinCount
	f.addParsed(r, today, ParseHist(w[:0], r.WaitHist), ParseHist(s[:0], r.ServiceHist))
}

// addParsed adds a row whose histograms are already parsed (a report adds
// each row to its group, the total and its day: it parses them once).
func (f *Figures) addParsed(r *Row, today string, wait, service []BinCount) {
	c := r.Counts
	if r.Day >= today {
		c.CasesDue, c.CasesDueMet = 0, 0
	}
	f.Counts.Add(&c)
	f.Overdue += c.CasesDue - c.CasesDueMet
	for _, b := range wait {
		f.WaitHist[b.Bin] += b.N
	}
	for _, b := range service {
		f.ServiceHist[b.Bin] += b.N
	}
}

// Add adds other figures.
func (f *Figures) Add(o *Figures) {
	f.Counts.Add(&o.Counts)
	f.Overdue += o.Overdue
	for i := range f.WaitHist {
		f.WaitHist[i] += o.WaitHist[i]
		f.ServiceHist[i] += o.ServiceHist[i]
	}
}

// Satisfied reports whether a rating level counts as satisfied (基本满意
// or better, levels 3–5).
func Satisfied(level int) bool { return level >= 3 }

// Bad reports whether a rating level is a bad rating (levels 1–2).
func Bad(level int) bool { return level >= 1 && level <= 2 }

// Ratio is a share with its 95 % Wilson score interval.
type Ratio struct {
	N, Of   int64
	Share   float64
	Low, Hi float64
	Defined bool
}

// RatioOf returns n out of of with its interval; undefined when of is 0.
func RatioOf(n, of int64) Ratio {
	if of <= 0 {
		return Ratio{N: n, Of: of}
	}
	p := float64(n) / float64(of)
	const z = 1.959963984540054
	m := float64(of)
	den := 1 + z*z/m
	centre := (p + z*z/(2*m)) / den
	half := z * math.Sqrt(p*(1-p)/m+z*z/(4*m*m)) / den
	return Ratio{N: n, Of: of, Share: p, Low: math.Max(0, centre-half), Hi: math.Min(1, centre+half), Defined: true}
}
