package reports

import (
	"math"
	"strconv"
)

// Cell is one figure of a report line: a number shown with Dec decimals
// (a percentage when Pct, already multiplied by 100), or a text (an
// interval), or nothing (OK false: no denominator; shown as a dash).
type Cell struct {
	Num  float64
	Dec  int
	Pct  bool
	Text string
	OK   bool
}

// Format renders a cell the same way on the page and in checks of the
// Excel export ("—" for an undefined figure).
func (c Cell) Format() string {
	switch {
	case !c.OK:
		return "—"
	case c.Text != "":
		return c.Text
	}
	return strconv.FormatFloat(c.Rounded(), 'f', c.Dec, 64)
}

// Rounded is the number rounded to the shown decimals (what the Excel
// export writes).
func (c Cell) Rounded() float64 {
	p := math.Pow(10, float64(c.Dec))
	return math.Round(c.Num*p) / p
}

// Column is one figure of the report tables: its message key (the column
// heading; docs/oversight.md defines it), its table and its value.
type Column struct {
	Key     string
	Section string
	Value   func(f *Figures) Cell
}

// Report table sections.
const (
	SectionQueue        = "queue"
	SectionCases        = "cases"
	SectionSatisfaction = "satisfaction"
)

// Sections lists the tables in page order.
var Sections = []string{SectionQueue, SectionCases, SectionSatisfaction}

func count(n int64) Cell { return Cell{Num: float64(n), OK: true} }

func minutes(ms, n int64) Cell {
	if n == 0 {
		return Cell{}
	}
	return Cell{Num: float64(ms) / float64(n) / 60000, Dec: 1, OK: true}
}

func pct(n, of int64) Cell {
	if of == 0 {
		return Cell{}
	}
	return Cell{Num: 100 * float64(n) / float64(of), Dec: 1, Pct: true, OK: true}
}

func interval(n, of int64) Cell {
	r := RatioOf(n, of)
	if !r.Defined {
		return Cell{}
	}
	lo := strconv.FormatFloat(100*r.Low, 'f', 1, 64)
	hi := strconv.FormatFloat(100*r.Hi, 'f', 1, 64)
	return Cell{Text: lo + "–" + hi, OK: true}
}

func percentile(h *Hist, p float64) Cell {
	m, ok := h.Percentile(p)
	if !ok {
		return Cell{}
	}
	if m == OverflowBin {
		return Cell{Text: ">240", OK: true}
	}
	return Cell{Num: float64(m), OK: true}
}

// Columns are the figures of every report line, in table order.
var Columns = []Column{
	{"reports.col_visits", SectionQueue, func(f *Figures) Cell { return count(f.Visits) }},
	{"reports.col_called", SectionQueue, func(f *Figures) Cell { return count(f.Called) }},
	{"reports.col_wait_mean", SectionQueue, func(f *Figures) Cell { return minutes(f.WaitSumMs, f.Called) }},
	{"reports.col_wait_p50", SectionQueue, func(f *Figures) Cell { return percentile(&f.WaitHist, 0.5) }},
	{"reports.col_wait_p90", SectionQueue, func(f *Figures) Cell { return percentile(&f.WaitHist, 0.9) }},
	{"reports.col_wait_max", SectionQueue, func(f *Figures) Cell { return minutes(f.WaitMaxMs, min(f.Called, 1)) }},
	{"reports.col_within10", SectionQueue, func(f *Figures) Cell { return pct(f.Within10, f.Called) }},
	{"reports.col_served", SectionQueue, func(f *Figures) Cell { return count(f.Served) }},
	{"reports.col_service_mean", SectionQueue, func(f *Figures) Cell { return minutes(f.ServiceSumMs, f.Served) }},
	{"reports.col_service_p90", SectionQueue, func(f *Figures) Cell { return percentile(&f.ServiceHist, 0.9) }},
	{"reports.col_service_max", SectionQueue, func(f *Figures) Cell { return minutes(f.ServiceMaxMs, min(f.Served, 1)) }},
	{"reports.col_no_shows", SectionQueue, func(f *Figures) Cell { return count(f.NoShows) }},
	{"reports.col_transfers", SectionQueue, func(f *Figures) Cell { return count(f.Transfers) }},
	{"reports.col_cases_accepted", SectionCases, func(f *Figures) Cell { return count(f.CasesAccepted) }},
	{"reports.col_cases_completed", SectionCases, func(f *Figures) Cell { return count(f.CasesCompleted) }},
	{"reports.col_cases_on_time", SectionCases, func(f *Figures) Cell { return count(f.CasesCompleted - f.CasesCompletedLate) }},
	{"reports.col_on_time_rate", SectionCases, func(f *Figures) Cell { return pct(f.CasesCompleted-f.CasesCompletedLate, f.CasesCompleted) }},
	{"reports.col_cases_overdue", SectionCases, func(f *Figures) Cell { return count(f.Overdue) }},
	{"reports.col_corrections", SectionCases, func(f *Figures) Cell { return count(f.Corrections) }},
	{"reports.col_ratings", SectionSatisfaction, func(f *Figures) Cell { return count(f.Ratings) }},
	{"reports.col_rating_mean", SectionSatisfaction, func(f *Figures) Cell {
		c := minutes(f.RatingSum*60000, f.Ratings)
		c.Dec = 2
		return c
	}},
	{"reports.col_satisfaction", SectionSatisfaction, func(f *Figures) Cell { return pct(f.RatingSatisfied, f.Ratings) }},
	{"reports.col_satisfaction_ci", SectionSatisfaction, func(f *Figures) Cell { return interval(f.RatingSatisfied, f.Ratings) }},
	{"reports.col_bad", SectionSatisfaction, func(f *Figures) Cell { return count(f.RatingBad) }},
	{"reports.col_callbacks", SectionSatisfaction, func(f *Figures) Cell { return count(f.Callbacks) }},
	{"reports.col_callback_satisfaction", SectionSatisfaction, func(f *Figures) Cell { return pct(f.CallbackSatisfied, f.Callbacks) }},
	{"reports.col_callback_ci", SectionSatisfaction, func(f *Figures) Cell { return interval(f.CallbackSatisfied, f.Callbacks) }},
	{"reports.col_complaints", SectionSatisfaction, func(f *Figures) Cell { return count(f.Complaints) }},
}

// SectionColumns returns the columns of one table.
func SectionColumns(section string) []Column {
	var out []Column
	for _, c := range Columns {
		if c.Section == section {
			out = append(out, c)
		}
	}
	return out
}
