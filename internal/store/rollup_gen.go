package store

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// CityOptions shapes a generated city for the reports benchmark.
type CityOptions struct {
	Halls   int    // halls (default 10)
	Days    int    // working days, Monday–Friday, from First (default 250)
	PerDay  int    // tickets per hall and day (default 700)
	First   string // first date (default 2025-01-01)
	Seed    uint64
	Windows int // windows per hall (default 10), two items each
}

func (o *CityOptions) defaults() {
	if o.Halls <= 0 {
		o.Halls = 10
	}
	if o.Days <= 0 {
		o.Days = 250
	}
	if o.PerDay <= 0 {
		o.PerDay = 700
	}
	if o.First == "" {
		o.First = "2025-01-01"
	}
	if o.Windows <= 0 {
		o.Windows = 10
	}
}

// CityDays returns the working days a generated city covers.
func CityDays(o CityOptions) []string {
	o.defaults()
	d, _ := time.Parse(time.DateOnly, o.First)
	var out []string
	for len(out) < o.Days {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			out = append(out, d.Format(time.DateOnly))
		}
		d = d.AddDate(0, 0, 1)
	}
	return out
}

// GenerateCity writes a city's history straight into the tables: halls
// with zones, windows and staff, and for every hall and working day PerDay
// tickets (lognormal waits around 9 minutes, services of 4–20 minutes per
// item, 4 % no-shows, 2 % cancellations, 1 % transfers), a rating for one
// served ticket in five, and ten cases (one in ten sent back for
// correction, most completed within the pledged five working days). It is
// for benchmarks: the rows are plausible, not a simulation of the queue.
// The rollups are left stale for RebuildRollups. progress is called after
// every hall-day.
func (db *DB) GenerateCity(ctx context.Context, o CityOptions, progress func(done, total int)) ([]int64, error) {
	o.defaults()
	days := CityDays(o)
	loc := time.FixedZone("CST", 8*3600)
	rng := rand.New(rand.NewPCG(o.Seed, 16))
	zones := []string{"employment", "social_insurance", "arbitration", "inspection", "general"}
	type win struct {
		id, staff int64
		zone      string
		items     []string
	}
	var halls []int64
	wins := map[int64][]win{}
	err := db.Write(ctx, func(tx *Tx) error {
		for h := 0; h < o.Halls; h++ {
			id, err := tx.InsertID("INSERT INTO halls (code, name, timezone, hours, created_at) VALUES (?, ?, 'Asia/Shanghai', '{}', ?)",
				fmt.Sprintf("city%02d-%d", h+1, o.Seed), fmt.Sprintf("第%d人社服务大厅", h+1), tx.NowMs())
			if err != nil {
				return err
			}
			halls = append(halls, id)
			zid := map[string]int64{}
			for i, z := range zones {
				if zid[z], err = tx.InsertID("INSERT INTO zones (hall_id, code, name, prefix, sort) VALUES (?, ?, ?, ?, ?)", id, z, z, string(rune('A'+i)), i); err != nil {
					return err
				}
			}
			for w := 0; w < o.Windows; w++ {
				z := zones[w%len(zones)]
				sid, err := tx.InsertID("INSERT INTO staff (hall_id, staff_no, name, post) VALUES (?, ?, ?, '窗口')", id, fmt.Sprintf("S%03d", w+1), fmt.Sprintf("工作人员%d", w+1))
				if err != nil {
					return err
				}
				wid, err := tx.InsertID("INSERT INTO windows (hall_id, zone_id, number, staff_id) VALUES (?, ?, ?, ?)", id, zid[z], fmt.Sprint(w+1), sid)
				if err != nil {
					return err
				}
				items := []string{fmt.Sprintf("G-%s-%d", z[:2], w%3), fmt.Sprintf("G-%s-%d", z[:2], (w+1)%3)}
				wins[id] = append(wins[id], win{wid, sid, z, items})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	lognormal := func(mean, cv float64) float64 {
		s2 := math.Log(1 + cv*cv)
		return mean * math.Exp(math.Sqrt(s2)*rng.NormFloat64()-s2/2)
	}
	const ticketCols = 17
	tq := func(n int) string {
		ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", ticketCols), ", ") + ")"
		return "INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, channel, state, issued_at, created_at, called_at, started_at, finished_at, window_id, staff_id, track_token) VALUES " +
			strings.TrimSuffix(strings.Repeat(ph+", ", n), ", ")
	}
	const batch = 100
	full := tq(batch)
	total, done := len(halls)*len(days), 0
	serial := 0
	for _, hid := range halls {
		ws := wins[hid]
		for _, day := range days {
			d, _ := time.ParseInLocation(time.DateOnly, day, loc)
			open := d.Add(8*time.Hour + 30*time.Minute)
			err := db.Write(ctx, func(tx *Tx) error {
				args := make([]any, 0, batch*ticketCols)
				flush := func() error {
					if len(args) == 0 {
						return nil
					}
					q := full
					if len(args) < batch*ticketCols {
						q = tq(len(args) / ticketCols)
					}
					_, err := tx.Exec(q, args...)
					args = args[:0]
					return err
				}
				for k := 0; k < o.PerDay; k++ {
					serial++
					w := ws[rng.IntN(len(ws))]
					item := w.items[rng.IntN(len(w.items))]
					issued := open.Add(time.Duration(rng.Float64() * float64(8*time.Hour))).UnixMilli()
					wait := int64(lognormal(9, 0.9) * 60000)
					svc := int64(lognormal(4+float64(len(item)%5)*4, 0.5) * 60000)
					state, called, started, finished := "done", issued+wait, issued+wait+20000, issued+wait+20000+svc
					var wid, sid any = w.id, w.staff
					switch r := rng.Float64(); {
					case r < 0.04:
						state, started, finished = "no_show", 0, called+180000
					case r < 0.06:
						state, called, started, wid, sid = "cancelled", 0, 0, nil, nil
					}
					args = append(args, hid, day, fmt.Sprintf("%s%03d", w.zone[:1], k+1), strings.ToUpper(w.zone[:1]), k+1, item, w.zone, "kiosk", state,
						issued, issued, called, started, finished, wid, sid, fmt.Sprintf("gen-%d-%d", o.Seed, serial))
					if len(args) == batch*ticketCols {
						if err := flush(); err != nil {
							return err
						}
					}
				}
				if err := flush(); err != nil {
					return err
				}
				// The counters count the generated tickets too: an issue
				// takes their sum as a bound on the day's count of an item
				// (issuedTodayOf).
				if _, err := tx.Exec(`INSERT INTO queue_counters (hall_id, day, prefix, last_seq)
					SELECT hall_id, day, prefix, COUNT(*) FROM tickets WHERE hall_id = ? AND day = ? GROUP BY hall_id, day, prefix
					ON CONFLICT (hall_id, day, prefix) DO UPDATE SET last_seq = queue_counters.last_seq + excluded.last_seq`, hid, day); err != nil {
					return err
				}
				// Ratings and transfers of some of the day's tickets.
				if _, err := tx.Exec(`INSERT INTO ratings (hall_id, service_kind, service_id, service_ref, channel, overall, staff_id, window_id, zone, item_code, served_at, rated_at, rated_date)
					SELECT hall_id, 'ticket', id, number, 'pad', 3 + (id % 3), staff_id, window_id, zone, item_code, finished_at, finished_at, day
					FROM tickets WHERE hall_id = ? AND day = ? AND state = 'done' AND id % 5 = 0`, hid, day); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO ticket_transitions (ticket_id, action, from_state, to_state, at, actor, staff_id, window_id)
					SELECT id, 'transfer', 'called', 'transferred', called_at, 'gen', staff_id, window_id
					FROM tickets WHERE hall_id = ? AND day = ? AND state = 'done' AND id % 100 = 7`, hid, day); err != nil {
					return err
				}
				for c := 0; c < 10; c++ {
					w := ws[rng.IntN(len(ws))]
					due := d.AddDate(0, 0, 7).Format(time.DateOnly)
					state, closed := "completed", d.AddDate(0, 0, rng.IntN(9)).Format(time.DateOnly)
					if rng.IntN(10) == 0 {
						state, closed, due = "correction", "", ""
					}
					id, err := tx.InsertID(`INSERT INTO cases (number, hall_id, zone, item_code, item_name, guide_version, applicant_kind, applicant_name_enc, applicant_name_masked,
						staff_id, staff_user, accepted_at, accepted_date, pledged_n, pledged_unit, pledged_due, state, closed_date, delivery, updated_at)
						VALUES (?, ?, ?, ?, '', 1, 'person', '', '', ?, 'gen', ?, ?, 5, 'working_days', ?, ?, ?, 'pickup', ?)`,
						fmt.Sprintf("GEN-%d-%d-%s-%d", o.Seed, hid, day, c), hid, w.zone, w.items[0], w.staff, open.UnixMilli(), day, due, state, closed, open.UnixMilli())
					if err != nil {
						return err
					}
					if state == "correction" {
						if _, err := tx.Exec("INSERT INTO case_steps (case_id, at, date, action, state, staff_user) VALUES (?, ?, ?, 'correction', 'correction', 'gen')", id, open.UnixMilli(), day); err != nil {
							return err
						}
						if _, err := tx.Exec("INSERT INTO case_correction_reasons (case_id, seq, day, material) VALUES (?, 1, ?, '居民身份证')", id, day); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				return halls, err
			}
			done++
			if progress != nil {
				progress(done, total)
			}
		}
	}
	return halls, nil
}
