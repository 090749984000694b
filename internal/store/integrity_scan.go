package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mingbai/internal/oversight"
	"mingbai/internal/workday"
)

// ScanResult counts what one integrity scan of a hall did.
type ScanResult struct {
	New      int `json:"new"`
	Recurred int `json:"recurred"`
	Reopened int `json:"reopened"`
}

// ScanIntegrity derives the integrity alerts of a hall from the ledger,
// the tickets, the devices and the audit log of the last ScanDays days
// (internal/oversight/rules.go), and raises them in one transaction. A
// finding already raised with the same evidence changes nothing, so the
// scan may run as often as wanted; one with new evidence recurs, and a
// closed one reopens. Every new or recurring alert is audited
// (integrity.raise; a reopening as integrity.reopen).
func (db *DB) ScanIntegrity(ctx context.Context, hallID int64) (ScanResult, error) {
	var res ScanResult
	err := db.Write(ctx, func(tx *Tx) error {
		res = ScanResult{}
		st, err := oversightSettings(tx, hallID)
		if err != nil {
			return err
		}
		h, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		r := st.Rules
		now := tx.Now.In(loc)
		since := now.AddDate(0, 0, -r.ScanDays)
		cs, err := scanCases(tx, hallID, since, loc)
		if err != nil {
			return err
		}
		var fs []oversight.Finding
		fs = append(fs, oversight.RepeatServe(cs, r, now)...)
		fs = append(fs, oversight.Incomplete(cs, r)...)
		fs = append(fs, oversight.ClockStops(cs, r, now)...)
		ts, err := scanTickets(tx, hallID, since, loc)
		if err != nil {
			return err
		}
		fs = append(fs, oversight.OutsideHours(ts, h.Hours.Open, h.Hours.LastTicket, h.Hours.AlwaysOpen, r)...)
		pads, err := scanPads(tx, hallID)
		if err != nil {
			return err
		}
		working := true
		if h.Hours.AlwaysOpen {
			working = false // a hall open around the clock has no hours to be offline in
		} else if h.Hours.WorkingDaysOnly {
			cal, err := loadCalendar(tx)
			if err != nil {
				return err
			}
			if working, err = cal.IsWorkday(workday.DateOf(now)); err != nil {
				working = now.Weekday() != time.Saturday && now.Weekday() != time.Sunday
			}
		}
		fs = append(fs, oversight.Pads(pads, now, h.Hours.Open, h.Hours.Close, working, r)...)
		rv, err := scanReveals(tx, hallID, since, loc)
		if err != nil {
			return err
		}
		fs = append(fs, oversight.RevealNoCase(rv, r)...)
		for _, f := range fs {
			k := alertKinds[f.Code]
			var did RaiseResult
			if err := tx.RaiseAlert(Alert{HallID: hallID, Kind: k, Ref: f.Ref, Params: f.Params, Evidence: f.Evidence, Actor: f.Actor, Result: &did}); err != nil {
				return err
			}
			switch did {
			case AlertNew:
				res.New++
				if err := tx.Audit("integrity.raise", f.Ref, f.Code); err != nil {
					return err
				}
			case AlertRecurred:
				res.Recurred++
				if err := tx.Audit("integrity.raise", f.Ref, f.Code+" again"); err != nil {
					return err
				}
			case AlertReopened:
				res.Reopened++
			}
		}
		return nil
	})
	return res, err
}

// localDay parses a "2006-01-02" date as the start of that day in loc.
func localDay(s string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	return t, err == nil
}

func scanCases(tx *Tx, hallID int64, since time.Time, loc *time.Location) ([]oversight.CaseFact, error) {
	rows, err := tx.Query(`SELECT id, number, COALESCE(staff_id, 0), staff_user, id_number_blind, accepted_at, state, deferred_accept
		FROM cases WHERE hall_id = ? AND accepted_at >= ? ORDER BY id`, hallID, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("integrity scan: cases: %w", err)
	}
	var out []oversight.CaseFact
	idx := map[int64]int{}
	for rows.Next() {
		var c oversight.CaseFact
		var id int64
		var deferred int
		if err := rows.Scan(&id, &c.Number, &c.StaffID, &c.StaffUser, &c.Blind, &c.AcceptedAt, &c.State, &deferred); err != nil {
			rows.Close()
			return nil, err
		}
		c.Deferred = deferred != 0
		idx[id] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// Missing required materials and corrections of those cases.
	rows, err = tx.Query(`SELECT m.case_id, m.name FROM case_materials m JOIN cases c ON c.id = m.case_id
		WHERE c.hall_id = ? AND c.accepted_at >= ? AND m.status = 'missing' AND m.extra = 0 AND m.requirement <> 'optional' ORDER BY m.case_id, m.seq`,
		hallID, since.UnixMilli())
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := idx[id]; ok {
			out[i].Missing = append(out[i].Missing, name)
		}
	}
	rows.Close()
	rows, err = tx.Query(`SELECT k.case_id, k.stop_date FROM case_corrections k JOIN cases c ON c.id = k.case_id
		WHERE c.hall_id = ? AND c.accepted_at >= ? ORDER BY k.case_id, k.seq`, hallID, since.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var stop string
		if err := rows.Scan(&id, &stop); err != nil {
			return nil, err
		}
		if d, ok := localDay(stop, loc); ok {
			if i, ok := idx[id]; ok {
				out[i].Stops = append(out[i].Stops, d.UnixMilli())
			}
		}
	}
	return out, rows.Err()
}

func scanTickets(tx *Tx, hallID int64, since time.Time, loc *time.Location) ([]oversight.TicketFact, error) {
	rows, err := tx.Query("SELECT id, number, issued_at, channel FROM tickets WHERE hall_id = ? AND issued_at >= ? ORDER BY id", hallID, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("integrity scan: tickets: %w", err)
	}
	defer rows.Close()
	var out []oversight.TicketFact
	for rows.Next() {
		var t oversight.TicketFact
		var at int64
		if err := rows.Scan(&t.ID, &t.Number, &at, &t.Channel); err != nil {
			return nil, err
		}
		t.Issued = time.UnixMilli(at).In(loc)
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanPads(tx *Tx, hallID int64) ([]oversight.PadFact, error) {
	rows, err := tx.Query("SELECT id, name, last_seen, created_at, revoked_at FROM devices WHERE hall_id = ? AND kind = 'rating_pad' ORDER BY id", hallID)
	if err != nil {
		return nil, fmt.Errorf("integrity scan: pads: %w", err)
	}
	defer rows.Close()
	var out []oversight.PadFact
	for rows.Next() {
		var p oversight.PadFact
		if err := rows.Scan(&p.ID, &p.Name, &p.LastSeen, &p.CreatedAt, &p.RevokedAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// scanReveals reads the audited views of full personal data of the hall's
// cases (case.view_pii, object "case:<id>") since a time.
func scanReveals(tx *Tx, hallID int64, since time.Time, loc *time.Location) ([]oversight.RevealFact, error) {
	rows, err := tx.Query(`SELECT seq, actor, at, object FROM audit_log WHERE action = 'case.view_pii' AND outcome = 'ok' AND at >= ? ORDER BY seq LIMIT 20000`, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("integrity scan: audit: %w", err)
	}
	var out []oversight.RevealFact
	var ids []int64
	for rows.Next() {
		var v oversight.RevealFact
		var obj string
		if err := rows.Scan(&v.Seq, &v.Actor, &v.At, &obj); err != nil {
			rows.Close()
			return nil, err
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(obj, "case:"), 10, 64)
		if err != nil {
			continue
		}
		ids = append(ids, id)
		out = append(out, v)
	}
	rows.Close()
	kept := out[:0]
	for i, v := range out {
		var closed string
		var hall int64
		if err := tx.QueryRow("SELECT hall_id, number, state, closed_date FROM cases WHERE id = ?", ids[i]).Scan(&hall, &v.CaseNumber, &v.State, &closed); err != nil || hall != hallID {
			continue
		}
		if d, ok := localDay(closed, loc); ok {
			v.ClosedAt = d
		}
		kept = append(kept, v)
	}
	return kept, nil
}
