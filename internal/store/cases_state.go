package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/i18n"
	"mingbai/internal/notify"
	"mingbai/internal/pii"
)

// CaseChange is a requested change of state.
type CaseChange struct {
	To         cases.State `json:"to"`
	Reason     string      `json:"reason,omitempty"`
	LegalBasis string      `json:"legal_basis,omitempty"`
	Note       string      `json:"note,omitempty"`
	// Received names materials handed in with this change (e.g. the
	// corrected materials when leaving correction).
	Received []string `json:"received,omitempty"`
}

// actionOf names the step recorded for a change.
func actionOf(from, to cases.State) string {
	switch {
	case from == cases.Correction && to == cases.InReview:
		return "materials_received"
	case to == cases.InReview:
		return "review"
	case to == cases.Correction:
		return "correction"
	case to == cases.Completed:
		return "complete"
	case to == cases.Rejected:
		return "reject"
	case to == cases.Withdrawn:
		return "withdraw"
	}
	return string(to)
}

// ChangeCaseState moves a case to another state on today's date, after the
// rules of package cases (transition table, materials, rejection basis).
// A correction stops the clock and sends the one-time notice by SMS; the
// clock restarts the day after the materials arrive; completion notifies
// the applicant by SMS. On any error nothing changes. The case is found by
// hall and id: a case of another hall is not found (tenancy, second line).
func (db *DB) ChangeCaseState(ctx context.Context, hallID, id int64, ch CaseChange) (CaseView, error) {
	s, err := db.sealer()
	if err != nil {
		return CaseView{}, err
	}
	for _, f := range []struct{ name, v string }{{"reason", ch.Reason}, {"legal_basis", ch.LegalBasis}, {"note", ch.Note}} {
		if err := limitLen(f.name, f.v, 500); err != nil {
			return CaseView{}, err
		}
	}
	if !ch.To.Valid() {
		return CaseView{}, apperr.InvalidField("to", "cases.bad_state", string(ch.To))
	}
	err = db.Write(ctx, func(tx *Tx) error {
		v, err := loadCaseInHall(tx, hallID, id)
		if err != nil {
			return err
		}
		_, today, err := hallClock(tx, v.HallID)
		if err != nil {
			return err
		}
		c, err := v.domainCase()
		if err != nil {
			return err
		}
		for _, name := range ch.Received {
			if c.Materials, err = cases.SetStatus(c.Materials, strings.TrimSpace(name), cases.Received); err != nil {
				if errors.Is(err, cases.ErrNoSuchMaterial) {
					return apperr.InvalidField("received", "cases.material_not_in_guide", name)
				}
				return caseErr(err)
			}
		}
		from := c.State
		next, err := c.Apply(cases.Change{To: ch.To, On: today, Reason: ch.Reason, LegalBasis: ch.LegalBasis})
		if err != nil {
			return caseErr(err)
		}
		cal, err := loadCalendar(tx)
		if err != nil {
			return err
		}
		pd, sd, err := next.Due(cal)
		if err != nil {
			return caseErr(err)
		}
		if _, err := tx.Exec("UPDATE cases SET state = ?, closed_date = ?, reason = ?, legal_basis = ?, pledged_due = ?, statutory_due = ?, updated_at = ? WHERE id = ? AND state = ?",
			string(next.State), next.ClosedOn.String(), next.Reason, next.LegalBasis, pd.Date.String(), sd.Date.String(), tx.NowMs(), id, string(from)); err != nil {
			return err
		}
		if len(ch.Received) > 0 {
			if err := saveMaterials(tx, id, next.Materials); err != nil {
				return err
			}
		}
		if err := saveCorrections(tx, id, next.Corrections); err != nil {
			return err
		}
		if next.State == cases.Correction && from != cases.Correction {
			if err := recordCorrectionReasons(tx, id, len(next.Corrections), today.String(), next.Materials); err != nil {
				return err
			}
		}
		note := strings.TrimSpace(ch.Note)
		if next.State == cases.Rejected {
			note = strings.TrimSpace(next.Reason + "（" + next.LegalBasis + "）" + " " + note)
		}
		if err := addStep(tx, id, today, actionOf(from, next.State), next.State, note); err != nil {
			return err
		}
		if err := notifyChange(tx, s, v, next, len(next.Corrections)); err != nil {
			return err
		}
		if err := tx.Publish(v.HallID, "case.changed", map[string]any{"id": id, "number": v.Number, "state": next.State}); err != nil {
			return err
		}
		return tx.Audit("case."+actionOf(from, next.State), fmt.Sprintf("case:%d", id), fmt.Sprintf("%s %s → %s", v.Number, from, next.State))
	})
	if err != nil {
		return CaseView{}, err
	}
	return db.caseView(ctx, 0, id)
}

func saveCorrections(tx *Tx, id int64, ps []cases.CorrectionPeriod) error {
	if _, err := tx.Exec("DELETE FROM case_corrections WHERE case_id = ?", id); err != nil {
		return err
	}
	return insertCorrections(tx, id, ps)
}

// insertCorrections writes the correction periods of a case that has
// none yet, in one statement (insertMaterials says why).
func insertCorrections(tx *Tx, id int64, ps []cases.CorrectionPeriod) error {
	rows := make([][]any, len(ps))
	for i, p := range ps {
		rows[i] = []any{id, i + 1, p.Stop.String(), p.Resume.String()}
	}
	return insertRows(tx, "INSERT INTO case_corrections (case_id, seq, stop_date, resume_date)", rows)
}

// notifyChange enqueues the applicant's SMS for a correction (the one-time
// notice) and for completion. Texts are Simplified Chinese: they go to
// mainland mobile numbers.
func notifyChange(tx *Tx, s *pii.Sealer, v CaseView, next cases.Case, corrections int) error {
	var params map[string]string
	var kind, key string
	switch next.State {
	case cases.Correction:
		var names []string
		for _, m := range cases.CompletionBlockers(next.Materials) {
			names = append(names, m.Name)
		}
		for _, m := range next.Materials {
			if m.Extra && m.Status != cases.Received {
				names = append(names, m.Name)
			}
		}
		params = map[string]string{"item": v.ItemName, "number": v.Number, "missing": strings.Join(names, "、"),
			"guide": v.ItemCode, "version": fmt.Sprint(v.GuideVersion)}
		kind, key = "case_notice", fmt.Sprintf("case-notice:%d:%d", v.ID, corrections)
	case cases.Completed:
		// SMS go out in the hall's language: the carrier approved the
		// templates in Simplified Chinese, so their parameters are too.
		how := ""
		switch v.Delivery {
		case "pickup":
			how = i18n.T(i18n.ZhCN, "cases.sms_pickup")
		case "mail":
			how = i18n.T(i18n.ZhCN, "cases.sms_mail")
		}
		params = map[string]string{"item": v.ItemName, "number": v.Number, "how": how}
		kind, key = "case_done", fmt.Sprintf("case-done:%d", v.ID)
	default:
		return nil
	}
	phone, err := s.OpenString(v.phoneEnc)
	if err != nil {
		return err
	}
	_, err = tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Params: params, Kind: kind, DedupeKey: key, HallID: v.HallID})
	return err
}

// recomputeOpenDues recomputes the stored due dates of every open case
// after the calendar changed.
func recomputeOpenDues(tx *Tx) error {
	cal, err := loadCalendar(tx)
	if err != nil {
		return err
	}
	rows, err := tx.Query("SELECT id FROM cases WHERE state IN ('accepted', 'in_review', 'correction')")
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		v, err := loadCaseTx(tx, id)
		if err != nil {
			return err
		}
		c, err := v.domainCase()
		if err != nil {
			return err
		}
		pd, sd, err := c.Due(cal)
		if err != nil {
			return caseErr(err)
		}
		if _, err := tx.Exec("UPDATE cases SET pledged_due = ?, statutory_due = ? WHERE id = ?", pd.Date.String(), sd.Date.String(), id); err != nil {
			return err
		}
	}
	return nil
}

// RemindDueCases sends each staff member with yellow or red cases of the
// hall one reminder a day (channel log, addressed to the account: staff
// records hold no phone numbers). It is idempotent per hall, staff member
// and day (outbox dedupe key) and returns the number of new reminders.
func (db *DB) RemindDueCases(ctx context.Context, hallID int64) (int, error) {
	list, err := db.ListCases(ctx, CaseFilter{HallID: hallID, Open: true, Limit: 10000})
	if err != nil {
		return 0, err
	}
	byStaff := map[string][]string{}
	var order []string
	for _, v := range list {
		if v.Warning == cases.LevelNone && v.StatutoryWarning == cases.LevelNone {
			continue
		}
		level := i18n.T(i18n.ZhCN, "cases.remind_warning")
		if v.Warning == cases.LevelRed || v.StatutoryWarning == cases.LevelRed {
			level = i18n.T(i18n.ZhCN, "cases.remind_overdue")
		}
		if _, ok := byStaff[v.StaffUser]; !ok {
			order = append(order, v.StaffUser)
		}
		byStaff[v.StaffUser] = append(byStaff[v.StaffUser], i18n.T(i18n.ZhCN, "cases.remind_line", v.Number, v.ItemName, level, v.PledgedDue))
	}
	sent := 0
	err = db.Write(ctx, func(tx *Tx) error {
		_, today, err := hallClock(tx, hallID)
		if err != nil {
			return err
		}
		for _, user := range order {
			key := fmt.Sprintf("case-remind:%d:%s:%s", hallID, today, user)
			var x int64
			if err := tx.QueryRow("SELECT id FROM outbox WHERE dedupe_key = ?", key).Scan(&x); err == nil {
				continue
			}
			list := strings.Join(byStaff[user], i18n.T(i18n.ZhCN, "cases.remind_sep"))
			if r := []rune(list); len(r) > 900 {
				list = string(r[:890]) + "……"
			}
			if _, err := tx.Enqueue(notify.Message{Channel: notify.Log, Recipient: user, Params: map[string]string{"cases": list}, Kind: "case_remind", DedupeKey: key, HallID: hallID}); err != nil {
				return err
			}
			sent++
		}
		if sent > 0 {
			return tx.Audit("case.remind", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("%s: %d reminders", today, sent))
		}
		return nil
	})
	return sent, wrap("remind due cases", err)
}
