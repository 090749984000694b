package reports

import (
	"fmt"
	"testing"

	"mingbai/internal/apperr"
)

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in       PeriodInput
		from, to string
		key      string
	}{
		{PeriodInput{}, "2026-02-12", "2026-02-12", ""},
		{PeriodInput{Kind: Week, Date: "2026-02-12"}, "2026-02-09", "2026-02-15", ""}, // Thursday → Monday..Sunday
		{PeriodInput{Kind: Week, Date: "2026-02-15"}, "2026-02-09", "2026-02-15", ""}, // Sunday
		{PeriodInput{Kind: Month, Month: "2026-02"}, "2026-02-01", "2026-02-28", ""},
		{PeriodInput{Kind: Month}, "2026-02-01", "2026-02-28", ""},
		{PeriodInput{Kind: Custom, From: "2026-01-01", To: "2026-01-01"}, "2026-01-01", "2026-01-01", ""},
		{PeriodInput{Kind: Custom, From: "2026-02-01", To: "2026-01-01"}, "", "", "reports.reversed"},
		{PeriodInput{Kind: Custom, From: "2025-01-01", To: "2026-01-02"}, "", "", "reports.too_long"},
		{PeriodInput{Kind: Custom, From: "2025-01-01", To: "2026-01-01"}, "2025-01-01", "2026-01-01", ""}, // 366 days
		{PeriodInput{Kind: Custom, From: "2025-02-30", To: "2026-01-01"}, "", "", "reports.bad_date"},
		{PeriodInput{Kind: Month, Month: "2026-13"}, "", "", "reports.bad_month"},
		{PeriodInput{Kind: "year"}, "", "", "reports.bad_kind"},
	} {
		p, err := ParsePeriod(tc.in, "2026-02-12", 366)
		if tc.key != "" {
			if e := apperr.As(err); e == nil || e.Key != tc.key || e.Code != apperr.Invalid {
				t.Errorf("%+v: error %v, want %s", tc.in, err, tc.key)
			}
			continue
		}
		if err != nil || p.From != tc.from || p.To != tc.to {
			t.Errorf("%+v: %+v %v, want %s..%s", tc.in, p, err, tc.from, tc.to)
		}
	}
}

func TestHistogram(t *testing.T) {
	var h Hist
	for _, ms := range []int64{0, 1, 60_000, 60_001, 600_000, 600_001, 300 * 60_000} {
		h[BinOf(ms)]++
	}
	if h[0] != 1 || h[1] != 2 || h[2] != 1 || h[10] != 1 || h[11] != 1 || h[OverflowBin] != 1 {
		t.Fatalf("bins: %v", h.Encode())
	}
	var back Hist
	back.AddEncoded(h.Encode())
	back.AddEncoded("junk 3:x 999:1 -1:2")
	if back != h {
		t.Fatalf("round trip: %q → %q", h.Encode(), back.Encode())
	}
	// Seven values: ranks ⌈0.5·7⌉ = 4 → bin 2; ⌈0.9·7⌉ = 7 → overflow.
	if m, ok := h.Percentile(0.5); !ok || m != 2 {
		t.Fatalf("median %d", m)
	}
	if m, _ := h.Percentile(0.9); m != OverflowBin {
		t.Fatalf("p90 %d", m)
	}
	if _, ok := (&Hist{}).Percentile(0.5); ok {
		t.Fatal("percentile of nothing")
	}
}

func TestBuildDueCohortAndSeries(t *testing.T) {
	rows := []Row{
		{Key: Key{HallID: 1, Day: "2026-02-10", Item: "A"}, Counts: Counts{Visits: 3, CasesDue: 2, CasesDueMet: 1}},
		{Key: Key{HallID: 1, Day: "2026-02-12", Item: "B"}, Counts: Counts{Visits: 4, CasesDue: 5, CasesDueMet: 0}},
		{Key: Key{HallID: 1, Day: "2026-03-01", Item: "B"}, Counts: Counts{Visits: 100}}, // outside the period
	}
	p := Period{Kind: Custom, From: "2026-02-09", To: "2026-02-15"}
	rep := Build(p, ByItem, "2026-02-12", rows, []Reason{{Key: Key{Day: "2026-02-10"}, Reason: "x", N: 2}, {Key: Key{Day: "2026-02-11"}, Reason: "x", N: 1}})
	if rep.Total.Visits != 7 || rep.Total.Overdue != 1 || rep.Total.CasesDue != 2 {
		t.Fatalf("total: visits %d overdue %d due %d (today's due cases are not yet overdue)", rep.Total.Visits, rep.Total.Overdue, rep.Total.CasesDue)
	}
	if len(rep.Series) != 7 || rep.Series[1].Visits != 3 || rep.Series[3].Visits != 4 || rep.Series[0].Visits != 0 {
		t.Fatalf("series: %+v", rep.Series)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].Key != "A" {
		t.Fatalf("groups: %+v", rep.Groups)
	}
	if len(rep.Reasons) != 1 || rep.Reasons[0].N != 3 {
		t.Fatalf("reasons: %+v", rep.Reasons)
	}
	long := Build(Period{Kind: Custom, From: "2026-01-01", To: "2026-03-31"}, ByHall, "2026-04-01", rows, nil)
	if len(long.Series) != 3 || long.Series[1].Label != "2026-02" || long.Series[1].Visits != 7 || long.Series[2].Visits != 100 {
		t.Fatalf("monthly series: %+v", long.Series)
	}
}

func TestCells(t *testing.T) {
	f := &Figures{}
	for _, c := range Columns {
		v := c.Value(f)
		if v.OK && v.Num != 0 {
			t.Errorf("%s of nothing = %v", c.Key, v.Num)
		}
	}
	if got := RatioOf(0, 0); got.Defined {
		t.Fatal("ratio of nothing is defined")
	}
	if got := (Cell{Num: 2.25, Dec: 1, OK: true}).Format(); got != "2.3" && got != "2.2" {
		t.Fatalf("format %q", got)
	}
	r := RatioOf(10, 10)
	if r.Hi != 1 || r.Low < 0.69 || r.Low > 0.73 {
		t.Fatalf("Wilson 10/10: %+v", r)
	}
}

// BenchmarkBuild sums a year of one city's rollups (10 halls × 250 days ×
// 40 keys) by item: the part of a report done in Go.
func BenchmarkBuild(b *testing.B) {
	var h Hist
	for m := 0; m < 40; m++ {
		h[m] = int64(m % 7)
	}
	enc := h.Encode()
	var rows []Row
	for hall := int64(1); hall <= 10; hall++ {
		for d := 0; d < 250; d++ {
			day := fmt.Sprintf("2025-%02d-%02d", 1+d/21, 1+d%21)
			for k := 0; k < 40; k++ {
				rows = append(rows, Row{Key: Key{HallID: hall, Day: day, Item: fmt.Sprint("I", k%12), WindowID: int64(k)},
					Counts: Counts{Visits: 25, Called: 24}, WaitHist: enc, ServiceHist: enc})
			}
		}
	}
	p := Period{Kind: Custom, From: "2025-01-01", To: "2025-12-31"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Build(p, ByItem, "2026-01-01", rows, nil)
	}
}
