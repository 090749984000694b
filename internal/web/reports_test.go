package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/store"
)

// seedReportDay writes known tickets of 2026-02-12 at the clerk's window
// of the demo hall (waits 5, 12.5, 20 and 0 minutes; services 10, 8 and
// 30 minutes; one no-show, one ticket never called) and two ratings.
func seedReportDay(t *testing.T, e *hallEnv) {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	at := func(hm string) int64 {
		if hm == "" {
			return 0
		}
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", "2026-02-12 "+hm, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	rows := [][5]string{
		{"done", "09:00:00", "09:05:00", "09:05:00", "09:15:00"},
		{"done", "09:00:00", "09:12:30", "09:13:00", "09:21:00"},
		{"no_show", "09:10:00", "09:30:00", "", "09:33:00"},
		{"done", "09:20:00", "09:20:00", "09:21:00", "09:51:00"},
		{"waiting", "10:00:00", "", "", ""},
	}
	err := e.DB.Write(context.Background(), func(tx *store.Tx) error {
		for i, r := range rows {
			var w, s any
			if r[2] != "" {
				w, s = e.People.Clerk.Window, e.People.Clerk.Staff
			}
			id, err := tx.InsertID(`INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, channel, state, issued_at, created_at,
				called_at, started_at, finished_at, window_id, staff_id, track_token) VALUES (?, '2026-02-12', ?, 'Z', ?, 'RS-A-004', 'employment', 'kiosk', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.Hall, fmt.Sprintf("Z%03d", i+1), 900+i, r[0], at(r[1]), at(r[1]), at(r[2]), at(r[3]), at(r[4]), w, s, fmt.Sprintf("rep-tok-%d", i))
			if err != nil {
				return err
			}
			if i < 2 {
				if _, err := tx.Exec(`INSERT INTO ratings (hall_id, service_kind, service_id, service_ref, channel, overall, staff_id, window_id, zone, item_code,
					served_at, rated_at, rated_date) VALUES (?, 'ticket', ?, 'Z', 'pad', ?, ?, ?, 'employment', 'RS-A-004', ?, ?, '2026-02-12')`,
					e.Hall, id, 5-3*i, e.People.Clerk.Staff, e.People.Clerk.Window, at("12:00:00"), at("12:00:00")); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	reTable = regexp.MustCompile(`(?s)<table class="report-table" id="report-(\w+)".*?</table>`)
	reRow   = regexp.MustCompile(`(?s)<tr[^>]*><th scope="row">(.*?)</th>(.*?)</tr>`)
	reCell  = regexp.MustCompile(`<td>(.*?)</td>`)
)

// pageTables reads the report tables of a page: section → rows of cells
// (label first).
func pageTables(t *testing.T, body string) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, tm := range reTable.FindAllStringSubmatch(body, -1) {
		for _, rm := range reRow.FindAllStringSubmatch(tm[0], -1) {
			row := []string{html.UnescapeString(rm[1])}
			for _, c := range reCell.FindAllStringSubmatch(rm[2], -1) {
				row = append(row, html.UnescapeString(c[1]))
			}
			out[tm[1]] = append(out[tm[1]], row)
		}
	}
	return out
}

// TestReportPageAndExcelAgree renders the seeded day by window, checks
// figures against the hand-computed values, and reads the Excel export:
// every line and figure is the same as on the page.
func TestReportPageAndExcelAgree(t *testing.T) {
	e := newHall(t)
	seedReportDay(t, e)
	q := fmt.Sprintf("?hall=%d&period=day&date=2026-02-12&by=window", e.Hall)
	page := e.request("GET", "/reports"+q, bearer(e.tokenOf(e.People.Manager)), asBrowser())
	if page.Status != 200 {
		t.Fatalf("page: %d %s", page.Status, page.Body)
	}
	for _, id := range []string{`id="chart-visits"`, `id="chart-wait"`, `id="chart-groups"`, "<svg"} {
		if !strings.Contains(page.Body, id) {
			t.Fatalf("page has no %s", id)
		}
	}
	if strings.Contains(page.Body, "<script src=\"http") {
		t.Fatal("a script from elsewhere")
	}
	tables := pageTables(t, page.Body)
	queue := tables["queue"]
	if len(queue) != 3 {
		t.Fatalf("queue table rows: %v", queue)
	}
	// Window 1 (4 called tickets), no window (the waiting ticket), total.
	total := queue[len(queue)-1]
	want := []string{"Total", "5", "4", "9.4", "5", "20", "20.0", "50.0", "3", "16.0", "30", "30.0", "1", "0"}
	if strings.Join(total, "|") != strings.Join(want, "|") {
		t.Fatalf("total line\n got %v\nwant %v", total, want)
	}
	sat := tables["satisfaction"]
	if got := sat[len(sat)-1]; got[1] != "2" || got[2] != "3.50" || got[3] != "50.0" || got[5] != "1" {
		t.Fatalf("satisfaction total: %v", got)
	}

	x := e.request("GET", "/reports.xlsx"+q, bearer(e.tokenOf(e.People.Manager)))
	if x.Status != 200 {
		t.Fatalf("xlsx: %d %s", x.Status, x.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 4 {
		t.Fatalf("sheets: %v", sheets)
	}
	for i, sec := range []string{"queue", "cases", "satisfaction"} {
		rows, err := f.GetRows(sheets[i])
		if err != nil {
			t.Fatal(err)
		}
		rows = rows[2:] // title, headings
		if len(rows) != len(tables[sec]) {
			t.Fatalf("%s: %d lines in Excel, %d on the page", sec, len(rows), len(tables[sec]))
		}
		for r, prow := range tables[sec] {
			for c, pv := range prow {
				xv := ""
				if c < len(rows[r]) {
					xv = rows[r][c]
				}
				if !sameFigure(pv, xv) {
					t.Errorf("%s line %d column %d: page %q, Excel %q", sec, r, c, pv, xv)
				}
			}
		}
	}
}

// sameFigure compares a page figure with the Excel cell: numbers by value
// (Excel drops trailing zeros), everything else as text.
func sameFigure(page, excel string) bool {
	if page == excel {
		return true
	}
	p, err1 := strconv.ParseFloat(page, 64)
	x, err2 := strconv.ParseFloat(excel, 64)
	return err1 == nil && err2 == nil && p == x
}

// TestReportRefusals: another hall's manager, a manager asking for all
// halls, a reversed or too long range, an unknown hall and a bad grouping
// each get a clear message in the reader's language.
func TestReportRefusals(t *testing.T) {
	e := newHall(t)
	other := e.tokenOf(e.Other.Manager)
	mgr := e.tokenOf(e.People.Manager)
	cases := []struct {
		name, path, token string
		status            int
		text              string
	}{
		{"other hall", fmt.Sprintf("/reports?hall=%d", e.Hall), other, 403, ""},
		{"other hall excel", fmt.Sprintf("/reports.xlsx?hall=%d", e.Hall), other, 403, ""},
		{"all halls", fmt.Sprintf("/reports?hall=%d&scope=all", e.Hall), mgr, 403, "Only administrators and auditors may see all halls"},
		{"reversed", fmt.Sprintf("/reports?hall=%d&period=custom&from=2026-03-01&to=2026-02-01", e.Hall), mgr, 400, "The start date 2026-03-01 is after the end date 2026-02-01"},
		{"too long", fmt.Sprintf("/reports?hall=%d&period=custom&from=2024-01-01&to=2026-02-01", e.Hall), mgr, 400, "more than the limit of 366 days"},
		{"bad month", fmt.Sprintf("/reports?hall=%d&period=month&month=2026-13", e.Hall), mgr, 400, "is not a month"},
		{"bad grouping", fmt.Sprintf("/reports?hall=%d&by=colour", e.Hall), mgr, 400, "“colour” is not a grouping"},
		{"unknown hall", "/reports?hall=99999", e.tokenOf(e.People.Auditor), 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.request("GET", c.path, bearer(c.token), asBrowser())
			if r.Status != c.status || !strings.Contains(r.Body, c.text) {
				t.Fatalf("%d, want %d with %q:\n%.600s", r.Status, c.status, c.text, r.Body)
			}
			if c.status == 400 && strings.Contains(r.Body, `id="report-queue"`) {
				t.Fatal("a refused report still shows figures")
			}
		})
	}
	// Chinese by default.
	r := e.request("GET", fmt.Sprintf("/reports?hall=%d&period=custom&from=2026-03-01&to=2026-02-01", e.Hall), bearer(mgr), asBrowser(), header("Accept-Language", "zh-CN"))
	if !strings.Contains(r.Body, "起始日期 2026-03-01 晚于截止日期 2026-02-01") {
		t.Fatalf("zh message missing: %.400s", r.Body)
	}
	// The auditor sees all halls, grouped by hall.
	r = e.request("GET", fmt.Sprintf("/reports?hall=%d&scope=all&by=hall&period=month&month=2026-02", e.Hall), bearer(e.tokenOf(e.People.Auditor)), asBrowser())
	if r.Status != 200 || !strings.Contains(r.Body, "All halls") {
		t.Fatalf("auditor, all halls: %d %.300s", r.Status, r.Body)
	}
}

// TestReportFollowsTheQueue issues, calls and finishes tickets through
// the queue's own API: today's report counts them at once (the rollup
// marks are written by the queue's transactions, the report flushes them).
func TestReportFollowsTheQueue(t *testing.T) {
	e := newHall(t)
	mgr := e.tokenOf(e.People.Manager)
	total := func() []string {
		r := e.request("GET", fmt.Sprintf("/reports?hall=%d&period=day&by=window", e.Hall), bearer(mgr), asBrowser())
		if r.Status != 200 {
			t.Fatalf("report: %d %.300s", r.Status, r.Body)
		}
		q := pageTables(t, r.Body)["queue"]
		return q[len(q)-1]
	}
	num := func(s string) int {
		n, _ := strconv.Atoi(s)
		return n
	}
	before := total()
	e.issue("", map[string]any{"item": itemA})
	e.issue("", map[string]any{"item": itemA})
	w1 := e.signIn(1)
	_, c, body := e.call(1, w1)
	if c.ID == 0 {
		t.Fatalf("call: %s", body)
	}
	if status, body := e.act(w1, c.ID, "start", nil); status != 200 {
		t.Fatalf("start: %d %s", status, body)
	}
	if status, body := e.act(w1, c.ID, "finish", nil); status != 200 {
		t.Fatalf("finish: %d %s", status, body)
	}
	after := total()
	// Columns: label, visits, called, …, served at index 8.
	if num(after[1])-num(before[1]) != 2 || num(after[2])-num(before[2]) != 1 || num(after[8])-num(before[8]) != 1 {
		t.Fatalf("report did not follow the queue:\nbefore %v\nafter  %v", before, after)
	}
}
