// Package oversight holds the rules of the live hall dashboard, the
// integrity-risk rules (廉政风险点) and the public transparency figures:
// thresholds and their validation, the figures computed from rows the store
// reads, and the findings the integrity rules derive from the audit log and
// the ledger. It does no I/O.
package oversight

import (
	"encoding/json"
	"fmt"

	"mingbai/internal/apperr"
)

// Thresholds are a hall's dashboard thresholds: a cell whose figure
// crosses its threshold is highlighted. Zero turns a threshold off.
type Thresholds struct {
	// WaitingPerZone: people waiting in one zone (more is highlighted).
	WaitingPerZone int `json:"waiting_per_zone" range:"0,10000"`
	// LongestWaitMin: the longest current wait, in minutes.
	LongestWaitMin int `json:"longest_wait_min" range:"0,1440"`
	// IdleWindowMin: an open window with nobody at it for this long.
	IdleWindowMin int `json:"idle_window_min" range:"0,1440"`
	// PausedMin: a window paused for this long.
	PausedMin int `json:"paused_min" range:"0,1440"`
	// MeanWaitMin and P90WaitMin: today's mean and 90th-percentile wait.
	MeanWaitMin int `json:"mean_wait_min" range:"0,1440"`
	P90WaitMin  int `json:"p90_wait_min" range:"0,1440"`
	// Within10Pct: the share called within 10 minutes, in percent (less is
	// highlighted).
	Within10Pct int `json:"within10_pct" range:"0,100"`
	// DueSoonDays: a case due within this many calendar days is "near its
	// deadline".
	DueSoonDays int `json:"due_soon_days" range:"0,60"`
	// OpenAlerts: open integrity alerts (more is highlighted).
	OpenAlerts int `json:"open_alerts" range:"0,10000"`
}

// Rules are a hall's integrity-rule switches and thresholds
// (docs/oversight.md gives each rule's exact definition).
type Rules struct {
	// Off lists the rule codes switched off (store.AlertKind codes).
	Off []string `json:"off"`
	// RepeatServeCount cases of one applicant (by blind index) accepted by
	// the same staff member within RepeatServeDays raise an alert.
	RepeatServeCount int `json:"repeat_serve_count" range:"0,1000"`
	RepeatServeDays  int `json:"repeat_serve_days" range:"0,366"`
	// ClockStopsPerCase: corrections (补正, the clock stops) of one case.
	ClockStopsPerCase int `json:"clock_stops_per_case" range:"0,100"`
	// ClockStopsPerStaff: corrections started on one staff member's cases
	// within ClockStopDays.
	ClockStopsPerStaff int `json:"clock_stops_per_staff" range:"0,10000"`
	ClockStopDays      int `json:"clock_stop_days" range:"0,366"`
	// OutsideHoursGraceMin: a ticket issued this many minutes before
	// opening or after the last-ticket time is outside hours.
	OutsideHoursGraceMin int `json:"outside_hours_grace_min" range:"0,600"`
	// PadOfflineMin: a rating pad not seen for this long during opening
	// hours is offline.
	PadOfflineMin int `json:"pad_offline_min" range:"0,1440"`
	// RevealAfterCloseDays: full personal data of a case viewed more than
	// this many days after the case closed is "without a case at hand".
	RevealAfterCloseDays int `json:"reveal_after_close_days" range:"0,366"`
	// ScanDays bounds how far back a scan reads (tickets, cases, audit).
	ScanDays int `json:"scan_days" range:"1,92"`
}

// Settings are a hall's oversight settings.
type Settings struct {
	Thresholds Thresholds `json:"thresholds"`
	Rules      Rules      `json:"rules"`
}

// Defaults are the settings of a hall that has not set its own.
func Defaults() Settings {
	return Settings{
		Thresholds: Thresholds{WaitingPerZone: 30, LongestWaitMin: 30, IdleWindowMin: 15, PausedMin: 20,
			MeanWaitMin: 15, P90WaitMin: 30, Within10Pct: 80, DueSoonDays: 3, OpenAlerts: 0},
		Rules: Rules{Off: []string{}, RepeatServeCount: 3, RepeatServeDays: 30, ClockStopsPerCase: 2,
			ClockStopsPerStaff: 10, ClockStopDays: 30, OutsideHoursGraceMin: 0, PadOfflineMin: 30,
			RevealAfterCloseDays: 3, ScanDays: 31},
	}
}

// Field is one number of the settings: its JSON name, a pointer to it
// and the largest allowed value.
type Field struct {
	Name string
	V    *int
	Max  int
	// Rule says the field belongs to the integrity rules (else to the
	// dashboard thresholds).
	Rule bool
}

// Fields lists every number of the settings, in the order forms show them.
func (s *Settings) Fields() []Field {
	t, r := &s.Thresholds, &s.Rules
	return []Field{
		{"waiting_per_zone", &t.WaitingPerZone, 10000, false}, {"longest_wait_min", &t.LongestWaitMin, 1440, false},
		{"idle_window_min", &t.IdleWindowMin, 1440, false}, {"paused_min", &t.PausedMin, 1440, false},
		{"mean_wait_min", &t.MeanWaitMin, 1440, false}, {"p90_wait_min", &t.P90WaitMin, 1440, false},
		{"within10_pct", &t.Within10Pct, 100, false}, {"due_soon_days", &t.DueSoonDays, 60, false}, {"open_alerts", &t.OpenAlerts, 10000, false},
		{"repeat_serve_count", &r.RepeatServeCount, 1000, true}, {"repeat_serve_days", &r.RepeatServeDays, 366, true},
		{"clock_stops_per_case", &r.ClockStopsPerCase, 100, true}, {"clock_stops_per_staff", &r.ClockStopsPerStaff, 10000, true},
		{"clock_stop_days", &r.ClockStopDays, 366, true}, {"outside_hours_grace_min", &r.OutsideHoursGraceMin, 600, true},
		{"pad_offline_min", &r.PadOfflineMin, 1440, true}, {"reveal_after_close_days", &r.RevealAfterCloseDays, 366, true},
		{"scan_days", &r.ScanDays, 92, true},
	}
}

// Validate refuses a negative or too large number with a message naming
// the field, and a rule code that does not exist.
func (s Settings) Validate(knownRules func(string) bool) error {
	for _, f := range s.Fields() {
		if *f.V < 0 {
			return apperr.InvalidField(f.Name, "ov.err_negative", f.Name, *f.V)
		}
		if *f.V > f.Max {
			return apperr.InvalidField(f.Name, "ov.err_too_large", f.Name, *f.V, f.Max)
		}
	}
	if s.Rules.ScanDays == 0 {
		return apperr.New(apperr.Invalid, "ov.err_scan_days")
	}
	for _, c := range s.Rules.Off {
		if knownRules != nil && !knownRules(c) {
			return apperr.New(apperr.Invalid, "ov.err_unknown_rule", c)
		}
	}
	return nil
}

// RuleOn reports whether a rule is switched on.
func (r Rules) RuleOn(code string) bool {
	for _, c := range r.Off {
		if c == code {
			return false
		}
	}
	return true
}

// Parse reads stored settings over the defaults (a field a newer binary
// added keeps its default).
func Parse(b string) (Settings, error) {
	s := Defaults()
	if b == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(b), &s); err != nil {
		return s, fmt.Errorf("oversight settings: %w", err)
	}
	if s.Rules.Off == nil {
		s.Rules.Off = []string{}
	}
	return s, nil
}
