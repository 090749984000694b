package chart

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

// wellFormed parses the SVG as XML.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
	}
}

func TestBarAndLine(t *testing.T) {
	c := Chart{Title: "每日办件量 <script>", XTitle: "日期", YTitle: "人次", ID: "c1",
		Labels: []string{"02-09", "02-10", "02-11"},
		Series: []Series{{Name: "取号", Values: []float64{10, 0, 25}}, {Name: "办结", Values: []float64{8, math.NaN(), 20}}}}
	bar := Bar(c)
	wellFormed(t, bar)
	if strings.Contains(bar, "<script>") || !strings.Contains(bar, "每日办件量 &lt;script&gt;") {
		t.Fatal("title not escaped")
	}
	// Four bars (zero and NaN draw none) plus two legend squares.
	if got := strings.Count(bar, "<rect"); got != 6 {
		t.Fatalf("bar: %d rects, want 6", got)
	}
	if !strings.Contains(bar, ">02-11 取号: 25<") {
		t.Fatal("bar tooltips missing")
	}
	line := Line(c)
	wellFormed(t, line)
	if got := strings.Count(line, "<circle"); got != 5 {
		t.Fatalf("line: %d dots, want 5 (NaN skipped)", got)
	}
	if got := strings.Count(line, "<polyline"); got != 1 {
		t.Fatalf("line: %d polylines, want 1 (the NaN splits the second series into single points)", got)
	}
	if strings.Contains(line, "style=") {
		t.Fatal("style attributes are refused by the CSP")
	}
}

func TestNiceMax(t *testing.T) {
	for _, tc := range []struct{ v, max, step float64 }{{0, 1, 0.25}, {7, 8, 2}, {23, 30, 10}, {100, 100, 25}, {0.3, 0.3, 0.1}} {
		m, s := niceMax(tc.v)
		if math.Abs(m-tc.max) > 1e-9 || math.Abs(s-tc.step) > 1e-9 {
			t.Errorf("niceMax(%v) = %v, %v; want %v, %v", tc.v, m, s, tc.max, tc.step)
		}
	}
}
