package oversight

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Rule codes of the integrity rules derived by the scan (the store's alert
// kinds carry the same codes). The out-of-turn call and the material beyond
// the guide are raised by the queue and the case ledger when they happen.
const (
	RuleOutOfTurn      = "queue.out_of_turn"
	RuleExtraMaterial  = "case.extra_material"
	RuleRepeatServe    = "oversight.repeat_serve"
	RuleIncomplete     = "oversight.incomplete_checklist"
	RuleStopsPerCase   = "oversight.clock_stops_case"
	RuleStopsPerStaff  = "oversight.clock_stops_staff"
	RuleOutsideHours   = "oversight.outside_hours"
	RulePadOffline     = "oversight.pad_offline"
	RulePadRevoked     = "oversight.pad_revoked"
	RuleRevealNoCase   = "oversight.reveal_no_case"
	evidenceCasePrefix = "case:"
)

// Finding is an integrity risk a rule found: what the store raises as an
// alert. Evidence names the records it rests on ("audit:12", "ticket:7",
// "case:DEMO-…", "device:3").
type Finding struct {
	Code     string
	Ref      string
	Params   map[string]string
	Evidence []string
	Actor    string
}

// CaseFact is a case as the rules see it.
type CaseFact struct {
	Number     string
	StaffID    int64
	StaffUser  string
	Blind      string // blind index of the applicant's ID number ("" if none)
	AcceptedAt int64  // ms
	State      string
	Deferred   bool     // accepted with missing materials (容缺受理)
	Missing    []string // required materials still missing
	Stops      []int64  // ms of each correction (clock stop) recorded
}

// applicantRef names an applicant in an alert without the blind index
// itself (which would let a reader look the person up).
func applicantRef(blind string) string {
	h := sha256.Sum256([]byte("mingbai/oversight/" + blind))
	return hex.EncodeToString(h[:5])
}

// RepeatServe: one staff member accepted at least RepeatServeCount cases of
// the same applicant (same blind index) within RepeatServeDays before now.
func RepeatServe(cs []CaseFact, r Rules, now time.Time) []Finding {
	if !r.RuleOn(RuleRepeatServe) || r.RepeatServeCount == 0 {
		return nil
	}
	since := now.AddDate(0, 0, -r.RepeatServeDays).UnixMilli()
	type key struct {
		staff int64
		blind string
	}
	groups := map[key][]CaseFact{}
	var keys []key
	for _, c := range cs {
		if c.Blind == "" || c.StaffID == 0 || c.AcceptedAt < since {
			continue
		}
		k := key{c.StaffID, c.Blind}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], c)
	}
	var out []Finding
	for _, k := range keys {
		g := groups[k]
		if len(g) < r.RepeatServeCount {
			continue
		}
		ev := make([]string, len(g))
		for i, c := range g {
			ev[i] = evidenceCasePrefix + c.Number
		}
		out = append(out, Finding{Code: RuleRepeatServe, Ref: fmt.Sprintf("staff:%d/applicant:%s", k.staff, applicantRef(k.blind)),
			Params:   map[string]string{"staff": g[0].StaffUser, "count": strconv.Itoa(len(g)), "days": strconv.Itoa(r.RepeatServeDays)},
			Evidence: ev, Actor: g[0].StaffUser})
	}
	return out
}

// acceptedStates are the states of a case that has been accepted and not
// sent back for correction.
var acceptedStates = map[string]bool{"accepted": true, "in_review": true, "completed": true}

// Incomplete: a case accepted (or further) with a required material still
// missing, not accepted with missing materials (容缺受理) and not in
// correction.
func Incomplete(cs []CaseFact, r Rules) []Finding {
	if !r.RuleOn(RuleIncomplete) {
		return nil
	}
	var out []Finding
	for _, c := range cs {
		if !acceptedStates[c.State] || c.Deferred || len(c.Missing) == 0 {
			continue
		}
		out = append(out, Finding{Code: RuleIncomplete, Ref: evidenceCasePrefix + c.Number,
			Params:   map[string]string{"case": c.Number, "missing": strings.Join(c.Missing, "、")},
			Evidence: []string{evidenceCasePrefix + c.Number}, Actor: c.StaffUser})
	}
	return out
}

// ClockStops: a case whose clock was stopped (补正) at least
// ClockStopsPerCase times; a staff member whose cases' clocks were stopped
// at least ClockStopsPerStaff times within ClockStopDays before now.
func ClockStops(cs []CaseFact, r Rules, now time.Time) []Finding {
	var out []Finding
	if r.RuleOn(RuleStopsPerCase) && r.ClockStopsPerCase > 0 {
		for _, c := range cs {
			if len(c.Stops) >= r.ClockStopsPerCase {
				out = append(out, Finding{Code: RuleStopsPerCase, Ref: evidenceCasePrefix + c.Number,
					Params:   map[string]string{"case": c.Number, "count": strconv.Itoa(len(c.Stops))},
					Evidence: []string{evidenceCasePrefix + c.Number}, Actor: c.StaffUser})
			}
		}
	}
	if r.RuleOn(RuleStopsPerStaff) && r.ClockStopsPerStaff > 0 {
		since := now.AddDate(0, 0, -r.ClockStopDays).UnixMilli()
		count := map[string]int{}
		cases := map[string][]string{}
		var staff []string
		for _, c := range cs {
			n := 0
			for _, at := range c.Stops {
				if at >= since {
					n++
				}
			}
			if n == 0 || c.StaffUser == "" {
				continue
			}
			if _, ok := count[c.StaffUser]; !ok {
				staff = append(staff, c.StaffUser)
			}
			count[c.StaffUser] += n
			cases[c.StaffUser] = append(cases[c.StaffUser], evidenceCasePrefix+c.Number)
		}
		sort.Strings(staff)
		for _, s := range staff {
			if count[s] >= r.ClockStopsPerStaff {
				out = append(out, Finding{Code: RuleStopsPerStaff, Ref: "staff:" + s,
					Params:   map[string]string{"staff": s, "count": strconv.Itoa(count[s]), "days": strconv.Itoa(r.ClockStopDays)},
					Evidence: cases[s], Actor: s})
			}
		}
	}
	return out
}

// TicketFact is an issued ticket as the rules see it.
type TicketFact struct {
	ID      int64
	Number  string
	Issued  time.Time // in the hall's zone
	Channel string
}

// clockOf parses "HH:MM" into minutes of the day.
func clockOf(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// OutsideHours: a ticket issued more than OutsideHoursGraceMin minutes
// before the opening time or after the last-ticket time of its day.
// Appointments' tickets count too: a booking does not open the hall.
func OutsideHours(ts []TicketFact, open, lastTicket string, alwaysOpen bool, r Rules) []Finding {
	if !r.RuleOn(RuleOutsideHours) || alwaysOpen {
		return nil
	}
	o, ok1 := clockOf(open)
	l, ok2 := clockOf(lastTicket)
	if !ok1 || !ok2 {
		return nil
	}
	var out []Finding
	for _, t := range ts {
		m := t.Issued.Hour()*60 + t.Issued.Minute()
		if m >= o-r.OutsideHoursGraceMin && m < l+r.OutsideHoursGraceMin {
			continue
		}
		ref := fmt.Sprintf("ticket:%d", t.ID)
		out = append(out, Finding{Code: RuleOutsideHours, Ref: ref,
			Params:   map[string]string{"ticket": t.Number, "time": t.Issued.Format("2006-01-02 15:04")},
			Evidence: []string{ref}})
	}
	return out
}

// PadFact is a rating pad as the rules see it.
type PadFact struct {
	ID        int64
	Name      string
	LastSeen  int64 // ms, 0 never
	CreatedAt int64
	RevokedAt int64
}

// Pads: during opening hours (now between open and close of a day the hall
// works), a pad not seen for more than PadOfflineMin minutes is offline
// (one alert per pad and day); a pad revoked during today's opening hours
// is disabled.
func Pads(ps []PadFact, now time.Time, open, closing string, workingNow bool, r Rules) []Finding {
	o, ok1 := clockOf(open)
	c, ok2 := clockOf(closing)
	if !ok1 || !ok2 || !workingNow {
		return nil
	}
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	openAt, closeAt := dayStart.Add(time.Duration(o)*time.Minute), dayStart.Add(time.Duration(c)*time.Minute)
	var out []Finding
	day := now.Format("2006-01-02")
	for _, p := range ps {
		dev := fmt.Sprintf("device:%d", p.ID)
		if p.RevokedAt != 0 {
			at := time.UnixMilli(p.RevokedAt).In(now.Location())
			if r.RuleOn(RulePadRevoked) && !at.Before(openAt) && at.Before(closeAt) {
				out = append(out, Finding{Code: RulePadRevoked, Ref: dev,
					Params: map[string]string{"device": p.Name, "time": at.Format("2006-01-02 15:04")}, Evidence: []string{dev}})
			}
			continue
		}
		if !r.RuleOn(RulePadOffline) || r.PadOfflineMin == 0 || now.Before(openAt) || !now.Before(closeAt) {
			continue
		}
		// Offline counts from the later of its last sign of life, its
		// registration and today's opening.
		from := max(p.LastSeen, p.CreatedAt, openAt.UnixMilli())
		mins := (now.UnixMilli() - from) / 60000
		if mins > int64(r.PadOfflineMin) {
			out = append(out, Finding{Code: RulePadOffline, Ref: dev + "/" + day,
				Params: map[string]string{"device": p.Name, "minutes": strconv.FormatInt(mins, 10)}, Evidence: []string{dev}})
		}
	}
	return out
}

// RevealFact is an audited view of a case's full personal data.
type RevealFact struct {
	Seq        int64
	Actor      string
	At         int64 // ms
	CaseNumber string
	State      string
	ClosedAt   time.Time // zero while open
}

// RevealNoCase: a case's full personal data viewed while the case was not
// at hand: more than RevealAfterCloseDays days after it closed.
func RevealNoCase(rs []RevealFact, r Rules) []Finding {
	if !r.RuleOn(RuleRevealNoCase) {
		return nil
	}
	var out []Finding
	for _, v := range rs {
		if v.ClosedAt.IsZero() {
			continue
		}
		limit := v.ClosedAt.AddDate(0, 0, r.RevealAfterCloseDays+1) // the whole last day counts
		if time.UnixMilli(v.At).Before(limit) {
			continue
		}
		out = append(out, Finding{Code: RuleRevealNoCase, Ref: fmt.Sprintf("audit:%d", v.Seq),
			Params:   map[string]string{"case": v.CaseNumber, "viewer": v.Actor},
			Evidence: []string{fmt.Sprintf("audit:%d", v.Seq), evidenceCasePrefix + v.CaseNumber}, Actor: v.Actor})
	}
	return out
}
