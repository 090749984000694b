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

// LookupWindow is how long old look-up failures are kept.
const LookupWindow = time.Hour

// LookupProgress answers the public progress look-up by case number and
// the check code (the last four characters of the applicant's phone or ID
// number). A wrong check code and an unknown case number give the same
// answer. Failures back off per (case number, client address) and per
// address (ProgressThrottle): a stranger's guesses never block the
// applicant at another address.
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
	caseKey := key + "|" + ip
	err := db.Write(ctx, func(tx *Tx) error {
		w1, err := tx.blockedFor("progress", caseKey)
		if err != nil {
			return err
		}
		w2, err := tx.blockedFor("progress_addr", ip)
		if err != nil {
			return err
		}
		if w1 > 0 || w2 > 0 {
			locked = true
			return nil
		}
		var id int64
		var phone4, id4 string
		err = tx.QueryRow("SELECT c.id, c.phone_last4, c.id_last4 FROM cases c WHERE c.number = ?", key).Scan(&id, &phone4, &id4)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		ok := err == nil && len(check) == 4 &&
			(subtle.ConstantTimeCompare([]byte(check), []byte(phone4)) == 1 || id4 != "" && subtle.ConstantTimeCompare([]byte(check), []byte(id4)) == 1)
		if !ok {
			failed = true
			return nil
		}
		if err := tx.throttleClear("progress", caseKey); err != nil {
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
	if failed || locked {
		// Counted in a transaction of its own: blocked attempts count too,
		// so a guesser's wait keeps growing.
		if ferr := db.Write(ctx, func(tx *Tx) error {
			if err := tx.throttleFail("progress", caseKey, ProgressThrottle); err != nil {
				return err
			}
			return tx.throttleFail("progress_addr", ip, ProgressAddressThrottle)
		}); ferr != nil && err == nil {
			err = ferr
		}
	}
	switch {
	case err != nil:
		return Progress{}, err
	case locked:
		return Progress{}, apperr.New(apperr.RateLimited, "cases.progress_throttled")
	case failed:
		return Progress{}, apperr.New(apperr.NotFound, "cases.progress_nomatch")
	}
	return out, nil
}

// PruneLookupFailures deletes failures older than the look-up window and
// idle throttle keys.
func (db *DB) PruneLookupFailures(ctx context.Context) error {
	if err := db.PruneThrottles(ctx); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("DELETE FROM case_lookup_failures WHERE at < ?", tx.NowMs()-LookupWindow.Milliseconds())
		return err
	})
}
