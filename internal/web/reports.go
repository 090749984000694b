package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/apperr"
	"mingbai/internal/chart"
	"mingbai/internal/hall"
	"mingbai/internal/i18n"
	"mingbai/internal/reports"
	"mingbai/internal/store"
)

// Reports (docs/oversight.md, "Reports"): day, week, month or custom
// range, grouped by hall, zone, window, staff member or item, read from
// the daily rollups. The page and its Excel export are built from the same
// reportView, so that both carry the same figures.

func (s *Server) reportRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/reports", Hall: HallQuery, Roles: overseers, Handler: s.pageReports, Menu: menu("reports.title")},
		{Method: "GET", Path: "/reports.xlsx", Hall: HallQuery, Roles: overseers, Handler: s.exportReportXLSX},
	}
}

// reportLine is one line of a report table: its label and its cells in
// the order of reports.Columns.
type reportLine struct {
	Label string
	Cells []reports.Cell
}

// reportTable is one section of the report.
type reportTable struct {
	Section string
	Title   string
	Heads   []string
	Lines   []reportLine
	Total   reportLine
}

// reportView is everything the page and the export show.
type reportView struct {
	Hall     hall.Hall
	AllHalls bool
	In       reports.PeriodInput
	Period   reports.Period
	By       string
	Title    string
	Tables   []reportTable
	Reasons  []reports.ReasonCount
	Charts   []template.HTML
	Rows     int
	Took     time.Duration
}

func (s *Server) reportMaxDays() int {
	if s.Cfg.ReportMaxDays > 0 {
		return s.Cfg.ReportMaxDays
	}
	return reports.DefaultMaxDays
}

// reportInput reads the request's period, grouping and scope; bad input
// is an application error (shown on the form, nothing computed).
func (s *Server) reportInput(r *http.Request) (h hall.Hall, in reports.PeriodInput, p reports.Period, by string, all bool, err error) {
	q := r.URL.Query()
	in = reports.PeriodInput{Kind: q.Get("period"), Date: q.Get("date"), Month: q.Get("month"), From: q.Get("from"), To: q.Get("to")}
	by = q.Get("by")
	if by == "" {
		by = reports.ByItem
	}
	h, err = s.DB.Hall(r.Context(), hallID(r))
	if err != nil {
		return
	}
	if q.Get("scope") == "all" {
		if !principal(r).SpansHalls() {
			err = apperr.New(apperr.Forbidden, "reports.scope_refused")
			return
		}
		all = true
	}
	if !reports.ValidDimension(by) {
		err = apperr.InvalidField("by", "reports.bad_dimension", shortValue(by))
		return
	}
	loc, lerr := time.LoadLocation(h.Timezone)
	if lerr != nil {
		loc = shanghai
	}
	today := s.DB.Now().In(loc).Format(time.DateOnly)
	p, err = reports.ParsePeriod(in, today, s.reportMaxDays())
	return
}

// buildReport computes the view of a request.
func (s *Server) buildReport(r *http.Request) (reportView, error) {
	h, in, p, by, all, err := s.reportInput(r)
	v := reportView{Hall: h, In: in, Period: p, By: by, AllHalls: all}
	if err != nil {
		return v, err
	}
	halls := []int64{h.ID}
	if all {
		hs, err := s.DB.ListHalls(r.Context())
		if err != nil {
			return v, err
		}
		halls = halls[:0]
		for _, x := range hs {
			halls = append(halls, x.ID)
		}
	}
	data, err := s.DB.ReportRows(r.Context(), halls, p.From, p.To)
	if err != nil {
		return v, err
	}
	labels, err := s.DB.ReportLabels(r.Context(), halls)
	if err != nil {
		return v, err
	}
	loc, lerr := time.LoadLocation(h.Timezone)
	if lerr != nil {
		loc = shanghai
	}
	rep := reports.Build(p, by, s.DB.Now().In(loc).Format(time.DateOnly), data.Rows, data.Reasons)
	l := lang(r)
	v.Rows, v.Took, v.Reasons = rep.Rows, data.Took, rep.Reasons
	scope := h.Name
	if all {
		scope = i18n.T(l, "reports.all_halls")
	}
	v.Title = i18n.T(l, "reports.heading", scope, p.From, p.To)
	for _, sec := range reports.Sections {
		cols := reports.SectionColumns(sec)
		t := reportTable{Section: sec, Title: i18n.T(l, "reports.section_"+sec)}
		t.Heads = append(t.Heads, i18n.T(l, "reports.by_"+by))
		for _, c := range cols {
			t.Heads = append(t.Heads, i18n.T(l, c.Key))
		}
		line := func(label string, f *reports.Figures) reportLine {
			rl := reportLine{Label: label}
			for _, c := range cols {
				rl.Cells = append(rl.Cells, c.Value(f))
			}
			return rl
		}
		for i := range rep.Groups {
			g := &rep.Groups[i]
			t.Lines = append(t.Lines, line(groupLabel(l, by, g.Key, labels), &g.Figures))
		}
		t.Total = line(i18n.T(l, "reports.total"), &rep.Total)
		v.Tables = append(v.Tables, t)
	}
	v.Charts = reportCharts(l, rep, by, labels)
	return v, nil
}

func groupLabel(l i18n.Lang, by, key string, labels store.ReportLabels) string {
	var id int64
	fmt.Sscan(key, &id)
	switch by {
	case reports.ByHall:
		if n := labels.Halls[id]; n != "" {
			return n
		}
	case reports.ByZone:
		return zoneLabel(l, key, labels.Zones)
	case reports.ByWindow:
		if id == 0 {
			return i18n.T(l, "reports.no_window")
		}
		if n := labels.Windows[id]; n != "" {
			return i18n.T(l, "reports.window_n", n)
		}
	case reports.ByStaff:
		if id == 0 {
			return i18n.T(l, "reports.no_staff")
		}
		if n := labels.Staff[id]; n != "" {
			return n
		}
	case reports.ByItem:
		if key == "" {
			return "—"
		}
		if n := labels.Items[key]; n != "" {
			return key + " " + n
		}
		return key
	}
	return key
}

// reportCharts draws the report's charts: visits and served over time,
// mean and 90th-percentile wait over time, and visits per group.
func reportCharts(l i18n.Lang, rep reports.Report, by string, labels store.ReportLabels) []template.HTML {
	var xs []string
	visits, served, mean, p90 := []float64{}, []float64{}, []float64{}, []float64{}
	for i := range rep.Series {
		pt := &rep.Series[i]
		x := pt.Label
		if len(x) == 10 {
			x = x[5:]
		}
		xs = append(xs, x)
		visits = append(visits, float64(pt.Visits))
		served = append(served, float64(pt.Served))
		if pt.Called > 0 {
			mean = append(mean, math.Round(float64(pt.WaitSumMs)/float64(pt.Called)/6000)/10)
		} else {
			mean = append(mean, math.NaN())
		}
		if m, ok := pt.WaitHist.Percentile(0.9); ok {
			p90 = append(p90, float64(m))
		} else {
			p90 = append(p90, math.NaN())
		}
	}
	xt := i18n.T(l, "reports.axis_day")
	if len(rep.Series) > 0 && len(rep.Series[0].Label) == 7 {
		xt = i18n.T(l, "reports.axis_month")
	}
	out := []template.HTML{
		template.HTML(chart.Line(chart.Chart{ID: "chart-visits", Title: i18n.T(l, "reports.chart_visits"), XTitle: xt, YTitle: i18n.T(l, "reports.axis_people"), Labels: xs,
			Series: []chart.Series{{Name: i18n.T(l, "reports.col_visits"), Values: visits}, {Name: i18n.T(l, "reports.col_served"), Values: served}}})),
		template.HTML(chart.Line(chart.Chart{ID: "chart-wait", Title: i18n.T(l, "reports.chart_wait"), XTitle: xt, YTitle: i18n.T(l, "reports.axis_minutes"), Labels: xs,
			Series: []chart.Series{{Name: i18n.T(l, "reports.col_wait_mean"), Values: mean}, {Name: i18n.T(l, "reports.col_wait_p90"), Values: p90}}})),
	}
	var gl []string
	var gv []float64
	for i := range rep.Groups {
		gl = append(gl, groupLabel(l, by, rep.Groups[i].Key, labels))
		gv = append(gv, float64(rep.Groups[i].Visits))
	}
	out = append(out, template.HTML(chart.Bar(chart.Chart{ID: "chart-groups", Title: i18n.T(l, "reports.chart_groups", i18n.T(l, "reports.by_"+by)),
		XTitle: i18n.T(l, "reports.by_"+by), YTitle: i18n.T(l, "reports.axis_people"), Labels: gl,
		Series: []chart.Series{{Name: i18n.T(l, "reports.col_visits"), Values: gv}}})))
	return out
}

func (s *Server) pageReports(w http.ResponseWriter, r *http.Request) error {
	l := lang(r)
	v, err := s.buildReport(r)
	status, msg := 200, ""
	if err != nil {
		var ferr error
		if msg, status, ferr = formError(r, err); ferr != nil {
			return ferr
		}
		if status == http.StatusNotFound || status == http.StatusForbidden {
			return err
		}
		v.Tables, v.Charts = nil, nil
	}
	q := r.URL.Query()
	s.render(w, r, status, "reports", pageData{Title: i18n.T(l, "reports.title"), Error: msg, Data: map[string]any{
		"V": v, "Kinds": reports.Kinds, "Dims": reports.Dimensions, "Spans": principal(r).SpansHalls(),
		"Q":    map[string]string{"period": q.Get("period"), "date": q.Get("date"), "month": q.Get("month"), "from": q.Get("from"), "to": q.Get("to"), "by": v.By, "scope": q.Get("scope")},
		"XLSX": "/reports.xlsx?" + r.URL.RawQuery, "MaxDays": s.reportMaxDays(),
	}})
	return nil
}

// exportReportXLSX writes the page's tables to a workbook: one sheet per
// table, the same lines and figures (numbers as numbers, rounded as on the
// page), then the correction reasons.
func (s *Server) exportReportXLSX(w http.ResponseWriter, r *http.Request) error {
	v, err := s.buildReport(r)
	if err != nil {
		return err
	}
	l := lang(r)
	f := excelize.NewFile()
	defer f.Close()
	for i, t := range v.Tables {
		sheet := t.Title
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		title := []any{v.Title}
		if err := f.SetSheetRow(sheet, "A1", &title); err != nil {
			return err
		}
		head := make([]any, len(t.Heads))
		for j, h := range t.Heads {
			head[j] = h
		}
		if err := f.SetSheetRow(sheet, "A2", &head); err != nil {
			return err
		}
		lines := append(append([]reportLine{}, t.Lines...), t.Total)
		for j, ln := range lines {
			row := []any{ln.Label}
			for _, c := range ln.Cells {
				switch {
				case !c.OK:
					row = append(row, c.Format())
				case c.Text != "":
					row = append(row, c.Text)
				default:
					row = append(row, c.Rounded())
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, j+3)
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
		_ = f.SetColWidth(sheet, "A", "A", 24)
	}
	sheet := i18n.T(l, "reports.reasons_title")
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	head := []any{i18n.T(l, "reports.reason"), i18n.T(l, "reports.reason_n")}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	for j, x := range v.Reasons {
		row := []any{x.Reason, x.N}
		cell, _ := excelize.CoordinatesToCellName(1, j+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	if err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
		return tx.Audit("reports.export", fmt.Sprintf("hall:%d", v.Hall.ID), strings.TrimSpace(fmt.Sprintf("%s %s..%s by=%s all=%v", v.Period.Kind, v.Period.From, v.Period.To, v.By, v.AllHalls)))
	}); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return apperr.New(apperr.Internal, "err.internal")
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="report-`+v.Hall.Code+`-`+v.Period.From+`-`+v.Period.To+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
