package store

import (
	"context"
	"fmt"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/pii"
	"mingbai/internal/workday"
)

// FindCasesByIDNumber finds the cases of a person by exact resident ID
// number through the blind index, without decrypting any row. The search
// is audited (case.search_pii).
func (db *DB) FindCasesByIDNumber(ctx context.Context, hallID int64, idNumber string) ([]CaseView, error) {
	s, err := db.sealer()
	if err != nil {
		return nil, err
	}
	id, err := pii.ParseIDNumberAt(idNumber, db.Now())
	if err != nil {
		return nil, caseErr(err)
	}
	var out []CaseView
	err = db.Write(ctx, func(tx *Tx) error {
		q := "SELECT " + caseCols + caseFrom + "WHERE c.id_number_blind = ?"
		args := []any{s.Blind(id.Plain())}
		if hallID != 0 {
			q += " AND c.hall_id = ?"
			args = append(args, hallID)
		}
		rows, err := tx.Query(q+" ORDER BY c.id DESC LIMIT 200", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			v, err := scanCase(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.Audit("case.search_pii", "cases", fmt.Sprintf("by ID number %s: %d found", id.String(), len(out)))
	})
	return out, err
}

// CaseFilter narrows the ledger.
type CaseFilter struct {
	HallID   int64
	Zone     string
	From, To string // accepted dates, inclusive
	ItemCode string
	StaffID  int64
	State    cases.State
	// Open keeps cases not yet closed.
	Open bool
	// Overdue keeps open cases past their pledged or statutory due date.
	Overdue bool
	Limit   int
}

// ListCases returns the ledger rows matching f, newest first, with today's
// warnings. Personal data is masked.
func (db *DB) ListCases(ctx context.Context, f CaseFilter) ([]CaseView, error) {
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 500
	}
	for _, d := range []string{f.From, f.To} {
		if d != "" {
			if _, err := workday.Parse(d); err != nil {
				return nil, apperr.InvalidField("from", "cases.bad_date", d)
			}
		}
	}
	if f.State != "" && !f.State.Valid() {
		return nil, apperr.InvalidField("state", "cases.bad_state", string(f.State))
	}
	var out []CaseView
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT " + caseCols + caseFrom + "WHERE c.hall_id = ?"
		args := []any{f.HallID}
		_, today, err := hallClock(tx, f.HallID)
		if err != nil {
			return err
		}
		add := func(cond string, v any) { q += " AND " + cond; args = append(args, v) }
		if f.Zone != "" {
			add("c.zone = ?", f.Zone)
		}
		if f.From != "" {
			add("c.accepted_date >= ?", f.From)
		}
		if f.To != "" {
			add("c.accepted_date <= ?", f.To)
		}
		if f.ItemCode != "" {
			add("c.item_code = ?", f.ItemCode)
		}
		if f.StaffID != 0 {
			add("c.staff_id = ?", f.StaffID)
		}
		if f.State != "" {
			add("c.state = ?", string(f.State))
		}
		if f.Open || f.Overdue {
			q += " AND c.state IN ('accepted', 'in_review', 'correction')"
		}
		if f.Overdue {
			q += " AND ((c.pledged_due <> '' AND c.pledged_due < ?) OR (c.statutory_due <> '' AND c.statutory_due < ?))"
			args = append(args, today.String(), today.String())
		}
		q += " ORDER BY c.id DESC LIMIT ?"
		args = append(args, f.Limit)
		// The calendar is read first: PostgreSQL runs one query at a time
		// per connection.
		cal, err := loadCalendar(tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanCase(rows)
			if err != nil {
				return err
			}
			v.Stopped = v.State == cases.Correction
			v.decorate(cal, today, YellowDays)
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, wrap("list cases", err)
}
