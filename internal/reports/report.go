package reports

import (
	"fmt"
	"sort"
	"time"

	"mingbai/internal/apperr"
)

// Period kinds.
const (
	Day    = "day"
	Week   = "week"
	Month  = "month"
	Custom = "custom"
)

// Grouping dimensions of a report.
const (
	ByHall   = "hall"
	ByZone   = "zone"
	ByWindow = "window"
	ByStaff  = "staff"
	ByItem   = "item"
)

// Dimensions lists the groupings in the order the page offers them.
var Dimensions = []string{ByHall, ByZone, ByWindow, ByStaff, ByItem}

// Kinds lists the period kinds in the order the page offers them.
var Kinds = []string{Day, Week, Month, Custom}

// DefaultMaxDays is the longest custom range when none is configured.
const DefaultMaxDays = 366

// Period is a closed range of the hall's local dates.
type Period struct {
	Kind string `json:"kind"`
	From string `json:"from"` // YYYY-MM-DD
	To   string `json:"to"`
}

// Days returns the number of dates in the period.
func (p Period) Days() int {
	f, _ := time.Parse(time.DateOnly, p.From)
	t, _ := time.Parse(time.DateOnly, p.To)
	return int(t.Sub(f).Hours()/24) + 1
}

// PeriodInput is what a person asked for.
type PeriodInput struct {
	Kind  string // day, week, month or custom; empty: day
	Date  string // day and week: a date of the period (week: Monday–Sunday)
	Month string // month: YYYY-MM
	From  string // custom
	To    string
}

func parseDate(field, v string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return d, apperr.InvalidField(field, "reports.bad_date", v)
	}
	return d, nil
}

// ParsePeriod checks a requested period against today (the default date)
// and the longest allowed range. Reversed ranges and ranges longer than
// maxDays are refused with a message naming the limit.
func ParsePeriod(in PeriodInput, today string, maxDays int) (Period, error) {
	if maxDays <= 0 {
		maxDays = DefaultMaxDays
	}
	kind := in.Kind
	if kind == "" {
		kind = Day
	}
	var from, to time.Time
	var err error
	switch kind {
	case Day, Week:
		v := in.Date
		if v == "" {
			v = today
		}
		if from, err = parseDate("date", v); err != nil {
			return Period{}, err
		}
		to = from
		if kind == Week {
			off := (int(from.Weekday()) + 6) % 7 // Monday = 0
			from = from.AddDate(0, 0, -off)
			to = from.AddDate(0, 0, 6)
		}
	case Month:
		v := in.Month
		if v == "" && len(today) >= 7 {
			v = today[:7]
		}
		if from, err = time.Parse("2006-01", v); err != nil {
			return Period{}, apperr.InvalidField("month", "reports.bad_month", v)
		}
		to = from.AddDate(0, 1, -1)
	case Custom:
		if from, err = parseDate("from", in.From); err != nil {
			return Period{}, err
		}
		if to, err = parseDate("to", in.To); err != nil {
			return Period{}, err
		}
		if to.Before(from) {
			return Period{}, apperr.InvalidField("to", "reports.reversed", in.From, in.To)
		}
	default:
		return Period{}, apperr.InvalidField("period", "reports.bad_kind", kind)
	}
	p := Period{Kind: kind, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
	if n := p.Days(); n > maxDays {
		return Period{}, apperr.InvalidField("to", "reports.too_long", n, maxDays)
	}
	return p, nil
}

// ValidDimension reports whether by names a grouping.
func ValidDimension(by string) bool {
	for _, d := range Dimensions {
		if d == by {
			return true
		}
	}
	return false
}

// GroupKey returns the key of a row under a grouping: the hall id, zone
// code, window id, staff id or item code, as text.
func GroupKey(k Key, by string) string {
	switch by {
	case ByHall:
		return fmt.Sprint(k.HallID)
	case ByZone:
		return k.Zone
	case ByWindow:
		return fmt.Sprint(k.WindowID)
	case ByStaff:
		return fmt.Sprint(k.StaffID)
	}
	return k.Item
}

// Group is one line of a report.
type Group struct {
	Key string
	Figures
}

// Point is one bucket of the report's time series.
type Point struct {
	Label string // YYYY-MM-DD for daily buckets, YYYY-MM for monthly ones
	Figures
}

// ReasonCount is one correction reason over the period.
type ReasonCount struct {
	Reason string
	N      int64
}

// Report is a period's figures: per group, in total, over time, and the
// correction reasons.
type Report struct {
	Period  Period
	By      string
	Groups  []Group
	Total   Figures
	Series  []Point
	Reasons []ReasonCount
	// Rows is the number of rollup rows read.
	Rows int
}

// DailySeriesMax is the longest period shown day by day; longer periods
// are shown month by month.
const DailySeriesMax = 62

// Build sums rollup rows (already restricted to the period and halls) up
// per group, in total and per day (or month) of the period. today decides
// which due dates have passed.
func Build(p Period, by string, today string, rows []Row, reasons []Reason) Report {
	rep := Report{Period: p, By: by, Rows: len(rows)}
	groups := map[string]*Figures{}
	monthly := p.Days() > DailySeriesMax
	points := map[string]*Figures{}
	var labels []string
	// Every bucket of the period appears, empty ones too (a chart's gaps
	// are days without visits, not missing days).
	f, _ := time.Parse(time.DateOnly, p.From)
	t, _ := time.Parse(time.DateOnly, p.To)
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		l := d.Format(time.DateOnly)
		if monthly {
			l = l[:7]
		}
		if points[l] == nil {
			points[l] = &Figures{}
			labels = append(labels, l)
		}
	}
	var wb, sb []BinCount
	for i := range rows {
		r := &rows[i]
		if r.Day < p.From || r.Day > p.To {
			continue
		}
		g := GroupKey(r.Key, by)
		x := groups[g]
		if x == nil {
			x = &Figures{}
			groups[g] = x
		}
		wb, sb = ParseHist(wb[:0], r.WaitHist), ParseHist(sb[:0], r.ServiceHist)
		x.addParsed(r, today, wb, sb)
		rep.Total.addParsed(r, today, wb, sb)
		l := r.Day
		if monthly {
			l = l[:7]
		}
		if pt := points[l]; pt != nil {
			pt.addParsed(r, today, wb, sb)
		}
	}
	for k, v := range groups {
		rep.Groups = append(rep.Groups, Group{Key: k, Figures: *v})
	}
	sort.Slice(rep.Groups, func(i, j int) bool { return rep.Groups[i].Key < rep.Groups[j].Key })
	for _, l := range labels {
		rep.Series = append(rep.Series, Point{Label: l, Figures: *points[l]})
	}
	rc := map[string]int64{}
	for _, r := range reasons {
		if r.Day >= p.From && r.Day <= p.To {
			rc[r.Reason] += r.N
		}
	}
	for k, n := range rc {
		rep.Reasons = append(rep.Reasons, ReasonCount{Reason: k, N: n})
	}
	sort.Slice(rep.Reasons, func(i, j int) bool {
		if rep.Reasons[i].N != rep.Reasons[j].N {
			return rep.Reasons[i].N > rep.Reasons[j].N
		}
		return rep.Reasons[i].Reason < rep.Reasons[j].Reason
	})
	return rep
}
