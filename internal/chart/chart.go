// Package chart draws small bar and line charts as SVG on the server, so
// that report pages need no script and print as they show. Text (title,
// labels, legend) comes from the caller already in the page's language and
// is escaped here. Only presentation attributes are used (no style
// attributes), which the pages' content security policy allows.
package chart

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Series is one named row of values, one per label.
type Series struct {
	Name   string
	Values []float64
}

// Chart is what to draw: labels along the x axis, one or more series, an
// axis title for each axis.
type Chart struct {
	Title  string
	XTitle string
	YTitle string
	Labels []string
	Series []Series
	// Width and Height in SVG units (defaults 480 × 260).
	Width, Height int
	// ID is the element id of the SVG (tests find charts by it).
	ID string
}

// palette is distinguishable in print and for the common colour-vision
// deficiencies (Okabe–Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}

const (
	left, right, top, bottom = 56, 16, 28, 56
)

// niceMax returns a round axis maximum ≥ v and its tick step.
func niceMax(v float64) (float64, float64) {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1, 0.25
	}
	raw := v / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	return step * math.Ceil(v/step), step
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (c *Chart) size() (int, int) {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = 480
	}
	if h <= 0 {
		h = 260
	}
	return w, h
}

func (c *Chart) maxValue() float64 {
	m := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				m = math.Max(m, v)
			}
		}
	}
	return m
}

// frame writes the SVG head, title, grid, y ticks and x labels; it
// returns the plot's scale functions.
func (c *Chart) frame(b *strings.Builder) (x0, plotW, y func(float64) float64, slot float64) {
	w, h := c.size()
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	ymax, step := niceMax(c.maxValue())
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img"`, w, h, w, h)
	if c.ID != "" {
		fmt.Fprintf(b, ` id="%s"`, html.EscapeString(c.ID))
	}
	fmt.Fprintf(b, ` aria-label="%s"><title>%s</title>`, html.EscapeString(c.Title), html.EscapeString(c.Title))
	fmt.Fprintf(b, `<text x="%d" y="16" font-size="13" font-weight="bold" fill="#222">%s</text>`, left, html.EscapeString(c.Title))
	yf := func(v float64) float64 { return float64(top) + ph - v/ymax*ph }
	for v := 0.0; v <= ymax+step/2; v += step {
		yy := yf(v)
		fmt.Fprintf(b, `<line x1="%d" x2="%s" y1="%s" y2="%s" stroke="#ddd" stroke-width="1"/>`, left, num(float64(left)+pw), num(yy), num(yy))
		fmt.Fprintf(b, `<text x="%d" y="%s" font-size="10" text-anchor="end" fill="#444">%s</text>`, left-4, num(yy+3), num(math.Round(v*100)/100))
	}
	fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%d" y2="%s" stroke="#666"/>`, left, left, top, num(float64(top)+ph))
	fmt.Fprintf(b, `<line x1="%d" x2="%s" y1="%s" y2="%s" stroke="#666"/>`, left, num(float64(left)+pw), num(float64(top)+ph), num(float64(top)+ph))
	n := max(len(c.Labels), 1)
	slot = pw / float64(n)
	// Label every k-th slot so that labels do not overlap.
	every := int(math.Ceil(float64(n) * 42 / pw))
	every = max(every, 1)
	for i, l := range c.Labels {
		if i%every != 0 {
			continue
		}
		xx := float64(left) + slot*(float64(i)+0.5)
		fmt.Fprintf(b, `<text x="%s" y="%d" font-size="10" text-anchor="middle" fill="#444">%s</text>`, num(xx), top+int(ph)+14, html.EscapeString(l))
	}
	if c.XTitle != "" {
		fmt.Fprintf(b, `<text x="%s" y="%d" font-size="11" text-anchor="middle" fill="#222">%s</text>`, num(float64(left)+pw/2), h-22, html.EscapeString(c.XTitle))
	}
	if c.YTitle != "" {
		fmt.Fprintf(b, `<text x="12" y="%s" font-size="11" text-anchor="middle" fill="#222" transform="rotate(-90 12 %s)">%s</text>`, num(float64(top)+ph/2), num(float64(top)+ph/2), html.EscapeString(c.YTitle))
	}
	// Legend along the bottom.
	lx := float64(left)
	for i, s := range c.Series {
		col := palette[i%len(palette)]
		fmt.Fprintf(b, `<rect x="%s" y="%d" width="10" height="10" fill="%s"/><text x="%s" y="%d" font-size="11" fill="#222">%s</text>`,
			num(lx), h-12, col, num(lx+14), h-3, html.EscapeString(s.Name))
		lx += 24 + textWidth(s.Name, 11)
	}
	return func(i float64) float64 { return float64(left) + slot*i }, func(float64) float64 { return pw }, yf, slot
}

// Bar draws grouped bars: for each label one bar per series.
func Bar(c Chart) string {
	var b strings.Builder
	x, _, y, slot := c.frame(&b)
	k := max(len(c.Series), 1)
	bw := slot * 0.8 / float64(k)
	for si, s := range c.Series {
		col := palette[si%len(palette)]
		for i, v := range s.Values {
			if math.IsNaN(v) || v <= 0 {
				continue
			}
			bx := x(float64(i)) + slot*0.1 + bw*float64(si)
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s %s: %s</title></rect>`,
				num(round(bx)), num(round(y(v))), num(round(bw)), num(round(y(0)-y(v))), col,
				html.EscapeString(label(c.Labels, i)), html.EscapeString(s.Name), num(v))
		}
	}
	b.WriteString("</svg>")
	return b.String()
}

// Line draws one polyline per series with a dot at every value; NaN
// values leave a gap.
func Line(c Chart) string {
	var b strings.Builder
	x, _, y, slot := c.frame(&b)
	for si, s := range c.Series {
		col := palette[si%len(palette)]
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, col, strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for i, v := range s.Values {
			if math.IsNaN(v) {
				flush()
				continue
			}
			px, py := round(x(float64(i))+slot/2), round(y(v))
			pts = append(pts, num(px)+","+num(py))
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"><title>%s %s: %s</title></circle>`, num(px), num(py), col,
				html.EscapeString(label(c.Labels, i)), html.EscapeString(s.Name), num(v))
		}
		flush()
	}
	b.WriteString("</svg>")
	return b.String()
}

func label(ls []string, i int) string {
	if i < len(ls) {
		return ls[i]
	}
	return ""
}

func round(v float64) float64 { return math.Round(v*10) / 10 }

// textWidth estimates the width of a text at a font size: CJK characters
// are about one em wide, Latin ones about half.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r > 0x2E80 {
			w += size
		} else {
			w += size * 0.55
		}
	}
	return w
}
