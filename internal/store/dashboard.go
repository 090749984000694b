package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"mingbai/internal/oversight"
)

// Dashboard is the live state of a hall for its manager and duty leader
// (docs/oversight.md defines every figure). Hot flags say a figure
// crosses the hall's threshold (oversight.Thresholds).
type Dashboard struct {
	HallID   int64  `json:"hall_id"`
	HallCode string `json:"hall_code"`
	Hall     string `json:"hall"`
	Day      string `json:"day"`
	// Now is the server's time (ms) the figures were computed at; the page
	// counts waits and idle times on from it.
	Now        int64                `json:"now"`
	Zones      []DashZone           `json:"zones"`
	Windows    []DashWindow         `json:"windows"`
	Summary    DashSummary          `json:"summary"`
	Hours      []oversight.HourWait `json:"hours"`
	Cases      []DashCase           `json:"cases"`
	Alerts     []IntegrityAlert     `json:"alerts"`
	Thresholds oversight.Thresholds `json:"thresholds"`
}

// DashZone is one zone: people waiting, the longest current wait, and the
// waiting per item.
type DashZone struct {
	Code    string     `json:"code"`
	Name    string     `json:"name"`
	Waiting int        `json:"waiting"`
	Hot     bool       `json:"hot"`
	Longest float64    `json:"longest_min"`
	LongHot bool       `json:"longest_hot"`
	Items   []DashItem `json:"items"`
}

// DashItem is the waiting count of one item in a zone.
type DashItem struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Waiting int    `json:"waiting"`
}

// DashWindow is a window's state: closed, idle (open, nobody at it),
// calling, serving or paused (with its reason); Since is when it entered
// that state (ms), Staff who is signed in.
type DashWindow struct {
	Number    string `json:"number"`
	Zone      string `json:"zone"`
	State     string `json:"state"`
	Reason    string `json:"reason"`
	Current   string `json:"current"`
	Staff     string `json:"staff"`
	Since     int64  `json:"since"`
	Scheduled bool   `json:"scheduled"`
	Hot       bool   `json:"hot"`
}

// DashSummary are the hall's figures of today.
type DashSummary struct {
	Issued    int `json:"issued"`
	Served    int `json:"served"`
	Waiting   int `json:"waiting"`
	Open      int `json:"windows_open"`
	Scheduled int `json:"windows_scheduled"`
	AtPost    int `json:"staff_at_post"`
	oversight.WaitStats
	Longest     float64 `json:"longest_min"`
	MeanHot     bool    `json:"mean_hot"`
	P90Hot      bool    `json:"p90_hot"`
	WithinHot   bool    `json:"within10_hot"`
	LongestHot  bool    `json:"longest_hot"`
	Overdue     int     `json:"cases_overdue"`
	DueSoon     int     `json:"cases_due_soon"`
	OpenAlerts  int     `json:"open_alerts"`
	AlertsHot   bool    `json:"alerts_hot"`
	UsualWeeks  int     `json:"usual_weeks"`
	UsualCalled int     `json:"usual_called"`
}

// DashCase is an open case near or past its pledged deadline.
type DashCase struct {
	ID      int64  `json:"id"`
	Number  string `json:"number"`
	Item    string `json:"item"`
	Due     string `json:"due"`
	Staff   string `json:"staff"`
	Overdue bool   `json:"overdue"`
}

// usualWeeks is how many past same weekdays the hourly comparison reads.
const usualWeeks = 4

// dashCaseList bounds the cases listed (the counts are complete).
const dashCaseList = 20

// HallDashboard computes a hall's dashboard in one read transaction. Its
// cost is bounded by today's tickets, the tickets of four past days, the
// windows and the open cases of the hall.
func (db *DB) HallDashboard(ctx context.Context, hallID int64) (Dashboard, error) {
	var d Dashboard
	err := db.Read(ctx, func(tx *Tx) error {
		h, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		st, err := oversightSettings(tx, hallID)
		if err != nil {
			return err
		}
		th := st.Thresholds
		now := tx.Now.In(loc)
		d = Dashboard{HallID: h.ID, HallCode: h.Code, Hall: h.Name, Day: dayOf(now, loc), Now: now.UnixMilli(), Thresholds: th}
		if err := dashZones(tx, &d, th); err != nil {
			return err
		}
		if err := dashWindows(tx, &d, th); err != nil {
			return err
		}
		if err := dashToday(tx, &d, loc, now); err != nil {
			return err
		}
		if err := dashCases(tx, &d, now, th); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT count(*) FROM integrity_alerts WHERE hall_id = ? AND resolved_at = 0", hallID).Scan(&d.Summary.OpenAlerts); err != nil {
			return err
		}
		rows, err := tx.Query("SELECT "+alertCols+" FROM integrity_alerts WHERE hall_id = ? AND resolved_at = 0 ORDER BY last_at DESC, id DESC LIMIT 5", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		d.Alerts = []IntegrityAlert{}
		for rows.Next() {
			a, err := scanAlert(rows)
			if err != nil {
				return err
			}
			d.Alerts = append(d.Alerts, a)
		}
		s := &d.Summary
		s.MeanHot, s.P90Hot = oversight.Over(s.MeanMin, th.MeanWaitMin), oversight.Over(s.P90Min, th.P90WaitMin)
		s.WithinHot = oversight.Under(s.Within10, th.Within10Pct, s.Called)
		s.LongestHot = oversight.Over(s.Longest, th.LongestWaitMin)
		s.AlertsHot = s.OpenAlerts > th.OpenAlerts
		return rows.Err()
	})
	return d, err
}

func minutes(ms int64) float64 { return float64(ms/6000) / 10 }

func dashZones(tx *Tx, d *Dashboard, th oversight.Thresholds) error {
	rows, err := tx.Query("SELECT code, name FROM zones WHERE hall_id = ? ORDER BY sort, id", d.HallID)
	if err != nil {
		return err
	}
	idx := map[string]int{}
	d.Zones = []DashZone{}
	for rows.Next() {
		var z DashZone
		if err := rows.Scan(&z.Code, &z.Name); err != nil {
			rows.Close()
			return err
		}
		z.Items = []DashItem{}
		idx[z.Code] = len(d.Zones)
		d.Zones = append(d.Zones, z)
	}
	rows.Close()
	rows, err = tx.Query(`SELECT t.zone, t.item_code, COALESCE(c.name, t.item_code), COUNT(*), MIN(t.issued_at)
		FROM tickets t LEFT JOIN catalog_items c ON c.code = t.item_code WHERE t.hall_id = ? AND t.day = ? AND t.state = 'waiting'
		GROUP BY t.zone, t.item_code, c.name ORDER BY t.zone, t.item_code`, d.HallID, d.Day)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var zone, item, name string
		var n int
		var first int64
		if err := rows.Scan(&zone, &item, &name, &n, &first); err != nil {
			return err
		}
		i, ok := idx[zone]
		if !ok {
			continue
		}
		z := &d.Zones[i]
		z.Waiting += n
		z.Items = append(z.Items, DashItem{Code: item, Name: name, Waiting: n})
		if w := minutes(d.Now - first); w > z.Longest {
			z.Longest = w
		}
	}
	for i := range d.Zones {
		z := &d.Zones[i]
		z.Hot, z.LongHot = oversight.Over(float64(z.Waiting), th.WaitingPerZone), oversight.Over(z.Longest, th.LongestWaitMin)
		d.Summary.Waiting += z.Waiting
		d.Summary.Longest = max(d.Summary.Longest, z.Longest)
	}
	return rows.Err()
}

func dashWindows(tx *Tx, d *Dashboard, th oversight.Thresholds) error {
	rows, err := tx.Query(`SELECT w.id, w.number, z.code, w.staff_id IS NOT NULL, COALESCE(s.state, 'closed'), COALESCE(s.reason, ''),
		COALESCE(s.updated_at, 0), COALESCE(s.opened_at, 0), COALESCE(st.name, s.username, ''), COALESCE(s.staff_id, 0)
		FROM windows w JOIN zones z ON z.id = w.zone_id
		LEFT JOIN window_sessions s ON s.window_id = w.id AND s.state <> 'closed'
		LEFT JOIN staff st ON st.id = s.staff_id
		WHERE w.hall_id = ? ORDER BY length(w.number), w.number`, d.HallID)
	if err != nil {
		return err
	}
	ids := map[int64]int{}
	atPost := map[string]bool{}
	d.Windows = []DashWindow{}
	for rows.Next() {
		var w DashWindow
		var id, updated, opened, staffID int64
		if err := rows.Scan(&id, &w.Number, &w.Zone, &w.Scheduled, &w.State, &w.Reason, &updated, &opened, &w.Staff, &staffID); err != nil {
			rows.Close()
			return err
		}
		if w.State == WindowOpen {
			w.State, w.Since = "idle", max(updated, opened)
		} else if w.State == WindowPaused {
			w.Since = updated
		}
		if w.State != WindowClosed {
			d.Summary.Open++
			key := w.Staff
			if staffID != 0 {
				key = fmt.Sprint(staffID)
			}
			atPost[key] = true
		}
		if w.Scheduled {
			d.Summary.Scheduled++
		}
		ids[id] = len(d.Windows)
		d.Windows = append(d.Windows, w)
	}
	rows.Close()
	d.Summary.AtPost = len(atPost)
	// The ticket at each window, and for idle windows the end of the last
	// ticket served there today.
	rows, err = tx.Query(`SELECT window_id, number, state, called_at, started_at, finished_at FROM tickets
		WHERE hall_id = ? AND day = ? AND window_id IS NOT NULL AND (state IN ('called', 'serving') OR finished_at > 0)`, d.HallID, d.Day)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, called, started, finished int64
		var n, state string
		if err := rows.Scan(&id, &n, &state, &called, &started, &finished); err != nil {
			return err
		}
		i, ok := ids[id]
		if !ok {
			continue
		}
		w := &d.Windows[i]
		switch {
		case state == "called" && (w.State == "idle" || w.State == "calling"):
			w.State, w.Current, w.Since = "calling", n, called
		case state == "serving" && w.State != WindowClosed && w.State != WindowPaused:
			w.State, w.Current, w.Since = "serving", n, max(started, called)
		case w.State == "idle" && finished > w.Since:
			w.Since = finished
		}
	}
	for i := range d.Windows {
		w := &d.Windows[i]
		idle := minutes(d.Now - w.Since)
		w.Hot = (w.State == "idle" && oversight.Over(idle, th.IdleWindowMin)) || (w.State == WindowPaused && oversight.Over(idle, th.PausedMin))
	}
	return rows.Err()
}

// dashToday reads today's issued, served and called tickets and the
// called tickets of the same weekday of the past usualWeeks weeks.
func dashToday(tx *Tx, d *Dashboard, loc *time.Location, now time.Time) error {
	if err := tx.QueryRow("SELECT count(*), COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0) FROM tickets WHERE hall_id = ? AND day = ?",
		d.HallID, d.Day).Scan(&d.Summary.Issued, &d.Summary.Served); err != nil {
		return err
	}
	today, waits, err := calledOn(tx, d.HallID, []string{d.Day}, loc)
	if err != nil {
		return err
	}
	d.Summary.WaitStats = oversight.Waits(waits)
	var days []string
	for i := 1; i <= usualWeeks; i++ {
		days = append(days, dayOf(now.AddDate(0, 0, -7*i), loc))
	}
	usual, _, err := calledOn(tx, d.HallID, days, loc)
	if err != nil {
		return err
	}
	d.Summary.UsualWeeks, d.Summary.UsualCalled = usualWeeks, len(usual)
	d.Hours = oversight.ByHour(today, usual)
	return nil
}

// calledOn returns the called tickets of the given days: hour of issue and
// wait to the first call.
func calledOn(tx *Tx, hallID int64, days []string, loc *time.Location) ([]oversight.Called, []int64, error) {
	var out []oversight.Called
	var waits []int64
	for _, day := range days {
		rows, err := tx.Query("SELECT issued_at, called_at FROM tickets WHERE hall_id = ? AND day = ? AND called_at > 0", hallID, day)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var issued, called int64
			if err := rows.Scan(&issued, &called); err != nil {
				rows.Close()
				return nil, nil, err
			}
			w := max(called-issued, 0)
			out = append(out, oversight.Called{Hour: time.UnixMilli(issued).In(loc).Hour(), WaitMs: w})
			waits = append(waits, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return out, waits, nil
}

// dashCases counts the open cases past their pledged deadline and due
// within DueSoonDays days, listing the most urgent.
func dashCases(tx *Tx, d *Dashboard, now time.Time, th oversight.Thresholds) error {
	today := now.Format("2006-01-02")
	soon := now.AddDate(0, 0, th.DueSoonDays).Format("2006-01-02")
	rows, err := tx.Query(`SELECT id, number, item_name, pledged_due, staff_user FROM cases
		WHERE hall_id = ? AND state NOT IN ('completed', 'rejected', 'withdrawn', 'correction') AND pledged_due <> '' AND pledged_due <= ?
		ORDER BY pledged_due, id`, d.HallID, soon)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Cases = []DashCase{}
	for rows.Next() {
		var c DashCase
		if err := rows.Scan(&c.ID, &c.Number, &c.Item, &c.Due, &c.Staff); err != nil {
			return err
		}
		c.Overdue = c.Due < today
		if c.Overdue {
			d.Summary.Overdue++
		} else {
			d.Summary.DueSoon++
		}
		if len(d.Cases) < dashCaseList {
			d.Cases = append(d.Cases, c)
		}
	}
	sort.SliceStable(d.Cases, func(i, j int) bool { return d.Cases[i].Overdue && !d.Cases[j].Overdue })
	return rows.Err()
}
