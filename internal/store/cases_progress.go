package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
)

// Progress is what the public progress look-up shows: no personal data
// except the masked name.
type Progress struct {
	Number       string         `json:"number"`
	ItemName     string         `json:"item_name"`
	NameMasked   string         `json:"name_masked"`
	State        cases.State    `json:"state"`
	AcceptedDate string         `json:"accepted_date"`
	PledgedDue   string         `json:"pledged_due,omitempty"`
	Stopped      bool           `json:"stopped"`
	ClosedDate   string         `json:"closed_date,omitempty"`
	Steps        []ProgressStep `json:"steps"`
}

// ProgressStep is one dated step of the public history.
type ProgressStep struct {
	Date   string      `json:"date"`
	Action string      `json:"action"`
	State  cases.State `json:"state"`
}

// Progress look-up throttle: after MaxLookupFailures wrong check codes for
// one case number within LookupWindow, the number is locked until the
// window has passed. The failures are stored, so every instance sees them.
const (
	MaxLookupFailures = 5
	LookupWindow      = time.Hour
)

// LookupProgress answers the public progress look-up by case number and
// the last four characters of the applicant's phone or ID number. A wrong
// check code and an unknown case number give the same error; both count as
// a failure of the number typed, and a number with too many failures is
// locked for everyone for an hour.
func (db *DB) LookupProgress(ctx context.Context, number, check, ip string) (Progress, error) {
	key := strings.ToUpper(strings.TrimSpace(number))
	if n, err := cases.ParseNumber(number); err == nil {
		key = n.String()
	}
	if utf8.RuneCountInString(key) > 40 {
		key = string([]rune(key)[:40])
	}
	check = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(check), " ", ""))
	var out Progress
	var failed, locked bool
	err := db.Write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM case_lookup_failures WHERE number = ? AND at > ?", key, tx.NowMs()-LookupWindow.Milliseconds()).Scan(&n); err != nil {
			return err
		}
		if n >= MaxLookupFailures {
			locked = true
			return nil
		}
		var id int64
		var phone4, id4 string
		err := tx.QueryRow("SELECT c.id, c.phone_last4, c.id_last4 FROM cases c WHERE c.number = ?", key).Scan(&id, &phone4, &id4)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		ok := err == nil && len(check) == 4 &&
			(subtle.ConstantTimeCompare([]byte(check), []byte(phone4)) == 1 || id4 != "" && subtle.ConstantTimeCompare([]byte(check), []byte(id4)) == 1)
		if !ok {
			failed = true
			_, err := tx.Exec("INSERT INTO case_lookup_failures (number, ip, at) VALUES (?, ?, ?)", key, ip, tx.NowMs())
			return err
		}
		v, err := loadCaseTx(tx, id)
		if err != nil {
			return err
		}
		out = Progress{Number: v.Number, ItemName: v.ItemName, NameMasked: v.NameMasked, State: v.State, AcceptedDate: v.AcceptedDate,
			PledgedDue: v.PledgedDue, Stopped: v.State == cases.Correction, ClosedDate: v.ClosedDate}
		for _, st := range v.Steps {
			if st.Action == "materials" {
				continue
			}
			out.Steps = append(out.Steps, ProgressStep{Date: st.Date, Action: st.Action, State: st.State})
		}
		return nil
	})
	switch {
	case err != nil:
		return Progress{}, err
	case locked:
		return Progress{}, apperr.New(apperr.RateLimited, "cases.progress_locked")
	case failed:
		return Progress{}, apperr.New(apperr.NotFound, "cases.progress_nomatch")
	}
	return out, nil
}

// PruneLookupFailures deletes failures older than the look-up window.
func (db *DB) PruneLookupFailures(ctx context.Context) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("DELETE FROM case_lookup_failures WHERE at < ?", tx.NowMs()-LookupWindow.Milliseconds())
		return err
	})
}
