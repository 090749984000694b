package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/feedback"
)

// Rate groupings.
var rateGroups = map[string]string{
	"hall":   "''",
	"zone":   "r.zone",
	"window": "COALESCE(w.number, '')",
	"staff":  "COALESCE(s.staff_no, '')",
	"item":   "r.item_code",
}

// RateRow is the satisfaction of one group with its Wilson interval.
type RateRow struct {
	Key   string `json:"key"`
	Label string `json:"label,omitempty"`
	feedback.Interval
	// Enough is false for a staff member with fewer ratings than the
	// hall's minimum: the rate is shown as "样本不足" and not ranked.
	Enough bool `json:"enough"`
	// Levels counts the ratings per level (index 1–5).
	Levels [6]int `json:"levels"`
}

// RateQuery selects the ratings a report covers.
type RateQuery struct {
	HallID   int64
	By       string // hall, zone, window, staff, item
	From, To string
	// Channel limits to one channel ("" = pad, QR and SMS; callbacks are
	// reported per draw, with their own weights).
	Channel string
}

// Rates returns the satisfaction rate (基本满意 or better) per group, with
// Wilson 95 % intervals; ratings marked invalid after an appeal are left
// out. Groups of staff below the minimum sample come last, unranked.
func (db *DB) Rates(ctx context.Context, q RateQuery) ([]RateRow, error) {
	expr, ok := rateGroups[q.By]
	if !ok {
		return nil, apperr.InvalidField("by", "fb.err.group")
	}
	sql := "SELECT " + expr + `, COALESCE(s.name, ''), r.overall FROM ratings r
		LEFT JOIN staff s ON s.id = r.staff_id LEFT JOIN windows w ON w.id = r.window_id
		WHERE r.hall_id = ? AND r.invalid = 0`
	args := []any{q.HallID}
	if q.Channel != "" {
		sql += " AND r.channel = ?"
		args = append(args, q.Channel)
	} else {
		sql += " AND r.channel <> 'callback'"
	}
	if q.From != "" {
		sql += " AND r.rated_date >= ?"
		args = append(args, q.From)
	}
	if q.To != "" {
		sql += " AND r.rated_date <= ?"
		args = append(args, q.To)
	}
	var out []RateRow
	err := db.Read(ctx, func(tx *Tx) error {
		set, err := feedbackSettingsTx(tx, q.HallID)
		if err != nil {
			return err
		}
		rows, err := tx.Query(sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		by := map[string]*RateRow{}
		for rows.Next() {
			var key, name string
			var o int
			if err := rows.Scan(&key, &name, &o); err != nil {
				return err
			}
			rr := by[key]
			if rr == nil {
				rr = &RateRow{Key: key}
				if q.By == "staff" {
					rr.Label = name
				}
				by[key] = rr
			}
			if o >= 1 && o <= 5 {
				rr.Levels[o]++
			}
			rr.N++
			if feedback.Level(o).Satisfied() {
				rr.Satisfied++
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, rr := range by {
			levels := rr.Levels
			*rr = RateRow{Key: rr.Key, Label: rr.Label, Interval: feedback.Wilson(rr.Satisfied, rr.N), Levels: levels, Enough: true}
			if q.By == "staff" {
				rr.Enough = feedback.Enough(rr.N, set.MinSample)
			}
			out = append(out, *rr)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Enough != out[j].Enough {
			return out[i].Enough
		}
		if q.By == "staff" && out[i].Enough && out[i].Rate != out[j].Rate {
			return out[i].Rate > out[j].Rate
		}
		return out[i].Key < out[j].Key
	})
	return out, err
}

// PublicSatisfaction is the figure shown on hall screens and public pages:
// the hall and each zone over the last 30 days, never a person.
type PublicSatisfaction struct {
	Days  int       `json:"days"`
	Hall  RateRow   `json:"hall"`
	Zones []RateRow `json:"zones"`
}

// PublicSatisfaction computes the public figure of a hall.
func (db *DB) PublicSatisfaction(ctx context.Context, hallID int64) (PublicSatisfaction, error) {
	ps := PublicSatisfaction{Days: 30}
	h, err := db.Hall(ctx, hallID)
	if err != nil {
		return ps, err
	}
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	from := db.Now().In(loc).AddDate(0, 0, -ps.Days).Format("2006-01-02")
	all, err := db.Rates(ctx, RateQuery{HallID: hallID, By: "hall", From: from})
	if err != nil {
		return ps, err
	}
	if len(all) > 0 {
		ps.Hall = all[0]
	}
	ps.Zones, err = db.Rates(ctx, RateQuery{HallID: hallID, By: "zone", From: from})
	return ps, err
}

// ProvinceCode is one entry of a province's mapping table.
type ProvinceCode struct {
	Province string `json:"province"`
	Kind     string `json:"kind"`  // level or channel
	Value    string `json:"value"` // 1–5, or a channel name
	Code     string `json:"code"`
}

// ProvinceCodes lists a province's mapping table.
func (db *DB) ProvinceCodes(ctx context.Context, province string) ([]ProvinceCode, error) {
	var out []ProvinceCode
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT province, kind, value, code FROM feedback_province_codes WHERE province = ? ORDER BY kind, value", province)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c ProvinceCode
			if err := rows.Scan(&c.Province, &c.Kind, &c.Value, &c.Code); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// SetProvinceCodes replaces a province's mapping table. It must map all
// five levels and every channel to distinct, non-empty codes.
func (db *DB) SetProvinceCodes(ctx context.Context, province string, codes []ProvinceCode) error {
	province = strings.TrimSpace(province)
	if province == "" || len(province) > 32 {
		return apperr.InvalidField("province", "fb.err.province")
	}
	need := map[string]bool{}
	for _, l := range feedback.Levels {
		need["level/"+fmt.Sprint(int(l))] = true
	}
	for _, c := range feedback.Channels {
		need["channel/"+string(c)] = true
	}
	seen := map[string]bool{}
	used := map[string]bool{}
	for _, c := range codes {
		k := c.Kind + "/" + c.Value
		if !need[k] {
			return apperr.InvalidField("codes", "fb.err.code_value", k)
		}
		c.Code = strings.TrimSpace(c.Code)
		if c.Code == "" || len(c.Code) > 16 || used[c.Kind+"="+c.Code] || seen[k] {
			return apperr.InvalidField("codes", "fb.err.code_bad", k)
		}
		seen[k], used[c.Kind+"="+c.Code] = true, true
	}
	for k := range need {
		if !seen[k] {
			return apperr.InvalidField("codes", "fb.err.code_missing", k)
		}
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("DELETE FROM feedback_province_codes WHERE province = ?", province); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.Exec("INSERT INTO feedback_province_codes (province, kind, value, code) VALUES (?, ?, ?, ?)",
				province, c.Kind, c.Value, strings.TrimSpace(c.Code)); err != nil {
				return err
			}
		}
		return tx.Audit("feedback.province_codes", "province:"+province, fmt.Sprintf("%d codes", len(codes)))
	})
}

// EvaluationRecord is one evaluation in the fields of the national data
// standard, with the level and channel in the province's numbering.
type EvaluationRecord struct {
	ServiceID     string `json:"service_id"`
	ServiceKind   string `json:"service_kind"`
	Channel       string `json:"channel"`
	RaterCategory string `json:"rater_category"`
	Time          string `json:"time"`
	Count         int    `json:"count"`
	Level         string `json:"level"`
	Text          string `json:"text"`
	DivisionCode  string `json:"division_code"`
	Invalid       bool   `json:"invalid"`
}

// ProvincialExport returns a hall's evaluations of a period coded for its
// province. A mapping that lacks a level or channel is an error, never a
// guess.
func (db *DB) ProvincialExport(ctx context.Context, hallID int64, from, to string) ([]EvaluationRecord, string, error) {
	set, err := db.FeedbackSettings(ctx, hallID)
	if err != nil {
		return nil, "", err
	}
	if set.Province == "" {
		return nil, "", apperr.New(apperr.Invalid, "fb.err.no_province")
	}
	codes, err := db.ProvinceCodes(ctx, set.Province)
	if err != nil {
		return nil, "", err
	}
	m := map[string]string{}
	for _, c := range codes {
		m[c.Kind+"/"+c.Value] = c.Code
	}
	h, err := db.Hall(ctx, hallID)
	if err != nil {
		return nil, "", err
	}
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	rs, err := db.ListRatings(ctx, RatingFilter{HallID: hallID, From: from, To: to, Limit: 5000})
	if err != nil {
		return nil, "", err
	}
	out := make([]EvaluationRecord, 0, len(rs))
	for _, r := range rs {
		lc, ok1 := m["level/"+fmt.Sprint(int(r.Overall))]
		cc, ok2 := m["channel/"+string(r.Channel)]
		if !ok1 || !ok2 {
			return nil, "", apperr.New(apperr.Invalid, "fb.err.code_missing", set.Province)
		}
		div := r.DivisionCode
		if div == "" {
			div = set.DivisionCode
		}
		out = append(out, EvaluationRecord{ServiceID: r.ServiceRef, ServiceKind: r.Kind, Channel: cc, RaterCategory: r.RaterCategory,
			Time: time.UnixMilli(r.RatedAt).In(loc).Format("2006-01-02 15:04:05"), Count: r.Times, Level: lc, Text: r.Text,
			DivisionCode: div, Invalid: r.Invalid})
	}
	return out, set.Province, nil
}
