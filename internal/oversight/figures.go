package oversight

import (
	"math"
	"sort"
	"time"
)

// Within is the wait the "share called within" figure counts: a ticket
// called no later than this after it was issued.
const Within = 10 * time.Minute

// WaitStats are the wait figures of a set of called tickets. Waits are
// from issue to first call, in milliseconds.
type WaitStats struct {
	// Called is the number of tickets with a wait.
	Called int `json:"called"`
	// MeanMin and P90Min are the mean and the 90th percentile (nearest
	// rank) in minutes, one decimal; 0 without tickets.
	MeanMin float64 `json:"mean_min"`
	P90Min  float64 `json:"p90_min"`
	// Within10 is the share of tickets called within ten minutes, in
	// percent, one decimal; 0 without tickets.
	Within10 float64 `json:"within10_pct"`
}

// Waits computes the wait figures of the given waits (ms). The slice is
// sorted in place.
func Waits(ms []int64) WaitStats {
	var s WaitStats
	s.Called = len(ms)
	if len(ms) == 0 {
		return s
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	var sum int64
	within := 0
	for _, w := range ms {
		sum += w
		if w <= Within.Milliseconds() {
			within++
		}
	}
	s.MeanMin = round1(float64(sum) / float64(len(ms)) / 60000)
	s.P90Min = round1(float64(ms[NearestRank(len(ms), 90)]) / 60000)
	s.Within10 = round1(100 * float64(within) / float64(len(ms)))
	return s
}

// NearestRank is the index of the p-th percentile by the nearest-rank
// method in a sorted list of n values (n > 0): ceil(p/100 × n) − 1.
func NearestRank(n, p int) int {
	i := int(math.Ceil(float64(p)*float64(n)/100)) - 1
	if i < 0 {
		i = 0
	}
	if i >= n {
		i = n - 1
	}
	return i
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// Percent is 100 × part / whole with one decimal, 0 when whole is 0.
func Percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return round1(100 * float64(part) / float64(whole))
}

// HourWait is the mean wait of tickets issued in one hour of the day,
// today and on the same weekday of past weeks.
type HourWait struct {
	Hour int `json:"hour"`
	// TodayMin is today's mean wait of tickets issued in the hour and
	// called; Today is their number.
	TodayMin float64 `json:"today_min"`
	Today    int     `json:"today"`
	// UsualMin is the mean over the same weekday of the past weeks (each
	// called ticket counts once); Usual is their number.
	UsualMin float64 `json:"usual_min"`
	Usual    int     `json:"usual"`
}

// Called is one called ticket: the local hour it was issued in and its
// wait in ms.
type Called struct {
	Hour   int
	WaitMs int64
}

// ByHour groups today's and the past weekdays' called tickets by the hour
// they were issued in; hours without a ticket on either side are left out.
func ByHour(today, usual []Called) []HourWait {
	type acc struct {
		n   int
		sum int64
	}
	var t, u [24]acc
	for _, c := range today {
		if c.Hour >= 0 && c.Hour < 24 {
			t[c.Hour].n++
			t[c.Hour].sum += c.WaitMs
		}
	}
	for _, c := range usual {
		if c.Hour >= 0 && c.Hour < 24 {
			u[c.Hour].n++
			u[c.Hour].sum += c.WaitMs
		}
	}
	out := []HourWait{}
	for h := 0; h < 24; h++ {
		if t[h].n == 0 && u[h].n == 0 {
			continue
		}
		hw := HourWait{Hour: h, Today: t[h].n, Usual: u[h].n}
		if t[h].n > 0 {
			hw.TodayMin = round1(float64(t[h].sum) / float64(t[h].n) / 60000)
		}
		if u[h].n > 0 {
			hw.UsualMin = round1(float64(u[h].sum) / float64(u[h].n) / 60000)
		}
		out = append(out, hw)
	}
	return out
}

// Over reports whether a figure crosses a threshold upwards; a zero
// threshold is off.
func Over(v float64, threshold int) bool { return threshold > 0 && v > float64(threshold) }

// Under reports whether a share falls below a threshold; a zero threshold
// is off, and a figure of no tickets (called == 0) never does.
func Under(v float64, threshold, called int) bool {
	return threshold > 0 && called > 0 && v < float64(threshold)
}
