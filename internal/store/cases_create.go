package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/catalog"
	"mingbai/internal/pii"
	"mingbai/internal/workday"
)

func guideLimits(it catalog.Item) (pledged, statutory cases.Limit) {
	unit := workday.Unit(it.PledgedLimit.Unit)
	if unit == "" {
		unit = workday.WorkingDays
	}
	pledged = cases.Limit{N: it.PledgedLimit.Value, Unit: unit}
	if it.StatutoryLimit != nil {
		statutory = cases.Limit{N: it.StatutoryLimit.Value, Unit: workday.Unit(it.StatutoryLimit.Unit)}
	}
	return pledged, statutory
}

func guideMaterials(it catalog.Item) []cases.GuideMaterial {
	out := make([]cases.GuideMaterial, len(it.Materials))
	for i, m := range it.Materials {
		out[i] = cases.GuideMaterial{Name: m.Name, Form: cases.Form(m.Form), Count: m.Count, Requirement: cases.Requirement(m.Requirement), Note: m.Note}
	}
	return out
}

func limitLen(field, v string, max int) error {
	if utf8.RuneCountInString(v) > max {
		return apperr.InvalidField(field, "err.too_long", field, max)
	}
	return nil
}

// validateApplicant normalises and checks the applicant's data.
func validateApplicant(in *CaseInput, now time.Time) (id pii.IDNumber, phone string, err error) {
	in.Name = strings.TrimSpace(in.Name)
	in.EmployerName = strings.TrimSpace(in.EmployerName)
	switch in.ApplicantKind {
	case ApplicantPerson, ApplicantEmployer:
	default:
		return "", "", apperr.InvalidField("applicant_kind", "cases.bad_applicant_kind")
	}
	if in.Name == "" {
		return "", "", apperr.InvalidField("name", "cases.name_required")
	}
	if err := limitLen("name", in.Name, 50); err != nil {
		return "", "", err
	}
	if in.ApplicantKind == ApplicantPerson || strings.TrimSpace(in.IDNumber) != "" {
		if strings.TrimSpace(in.IDNumber) == "" {
			return "", "", apperr.InvalidField("id_number", "cases.id_required")
		}
		if id, err = pii.ParseIDNumberAt(in.IDNumber, now); err != nil {
			return "", "", caseErr(err)
		}
	}
	if phone, err = pii.NormalizeMobile(in.Phone); err != nil {
		return "", "", caseErr(err)
	}
	if in.ApplicantKind == ApplicantEmployer {
		if in.EmployerName == "" {
			return "", "", apperr.InvalidField("employer_name", "cases.employer_required")
		}
		if err := limitLen("employer_name", in.EmployerName, 100); err != nil {
			return "", "", err
		}
		if in.CreditCode, err = pii.NormalizeCreditCode(in.CreditCode); err != nil {
			return "", "", caseErr(err)
		}
	} else {
		in.EmployerName, in.CreditCode = "", ""
	}
	if in.Delivery == "" {
		in.Delivery = "pickup"
	}
	if !caseDeliveries[in.Delivery] {
		return "", "", apperr.InvalidField("delivery", "cases.bad_delivery", in.Delivery)
	}
	if err := limitLen("notes", in.Notes, 1000); err != nil {
		return "", "", err
	}
	return id, phone, nil
}

// CreateCase enters a case at a window: against the guide version in
// force now, with the checklist from that guide, the applicant's personal
// data sealed and the deadlines computed on the working-day calendar. With
// every required material received it is accepted (已受理). With some
// missing, in.Decision applies (cases.Case.Open): by default the case
// opens in correction (the one-time notice, not accepted, the clock
// stopped), or under 容缺受理 it is accepted with the missing materials
// deferred to in.SupplyBy, where the item allows it. An extra material
// (not in the guide) raises an integrity alert in the same transaction.
func (db *DB) CreateCase(ctx context.Context, in CaseInput) (CaseView, error) {
	s, err := db.sealer()
	if err != nil {
		return CaseView{}, err
	}
	now := db.Now()
	id, phone, err := validateApplicant(&in, now)
	if err != nil {
		return CaseView{}, err
	}
	in.ItemCode = strings.TrimSpace(in.ItemCode)
	if in.ItemCode == "" {
		return CaseView{}, apperr.InvalidField("item_code", "cases.item_required")
	}
	guide, err := db.GuideAt(ctx, in.ItemCode, now)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return CaseView{}, apperr.InvalidField("item_code", "cases.unknown_item", in.ItemCode)
		}
		return CaseView{}, err
	}
	it := guide.Item
	list, err := cases.Checklist(guideMaterials(it))
	if err != nil {
		return CaseView{}, caseErr(err)
	}
	list, extras, err := applyMaterialInput(list, in.Materials, in.Extras)
	if err != nil {
		return CaseView{}, err
	}
	pledged, statutory := guideLimits(it)
	if len(in.IdemKey) > 200 {
		return CaseView{}, apperr.InvalidField("idempotency_key", "err.too_long", "idempotency_key", 200)
	}
	var supplyBy workday.Date
	if in.SupplyBy = strings.TrimSpace(in.SupplyBy); in.SupplyBy != "" {
		if supplyBy, err = workday.Parse(in.SupplyBy); err != nil {
			return CaseView{}, apperr.InvalidField("supply_by", "cases.supply_by", cases.MaxSupplyDays)
		}
	}
	var caseID int64
	replayed := false
	err = db.Write(ctx, func(tx *Tx) error {
		hallCode, today, err := hallClock(tx, in.HallID)
		if err != nil {
			return err
		}
		// What the numbering does not depend on is read before its lock
		// (and the audit chain's, which comes first: locks.go).
		cal, err := loadCalendar(tx)
		if err != nil {
			return err
		}
		var staffUser string
		if err := tx.QueryRow("SELECT COALESCE(u.username, '') FROM staff s LEFT JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.hall_id = ?", in.StaffID, in.HallID).Scan(&staffUser); err != nil {
			return apperr.New(apperr.Forbidden, "cases.not_staff")
		}
		if staffUser == "" {
			staffUser = tx.Actor.Name
		}
		if err := tx.advisoryLock(lockCaseNumber, in.HallID); err != nil {
			return err
		}
		if in.IdemKey != "" {
			err := tx.QueryRow("SELECT id FROM cases WHERE hall_id = ? AND idem_key = ?", in.HallID, in.IdemKey).Scan(&caseID)
			if err == nil {
				replayed = true
				return nil
			}
			if !errors.Is(err, ErrNoRows) {
				return err
			}
		}
		var seq int
		if err := tx.QueryRow("SELECT COUNT(*) FROM cases WHERE hall_id = ? AND accepted_date = ?", in.HallID, today.String()).Scan(&seq); err != nil {
			return err
		}
		number, err := cases.FormatNumber(hallCode, today, seq+1)
		if err != nil {
			return caseErr(err)
		}
		c := cases.Case{Number: number, ItemCode: it.Code, AcceptedOn: today, Pledged: pledged, Statutory: statutory, Materials: list}
		// A case with required materials missing is accepted only under
		// 容缺受理 where the item allows it; by default it opens in
		// correction with the one-time notice (package cases, Open).
		if c, err = c.Open(in.Decision, it.DeferredAcceptance, supplyBy); err != nil {
			return caseErr(err)
		}
		if err := c.Validate(); err != nil {
			return caseErr(err)
		}
		pd, sd, err := c.Due(cal)
		if err != nil {
			return caseErr(err)
		}
		var idEnc, idBlind, idMasked, idLast4 string
		if id != "" {
			idEnc, idBlind, idMasked, idLast4 = s.SealString(id.Plain()), s.Blind(id.Plain()), id.String(), id.LastFour()
		}
		phoneEnc := s.SealString(phone)
		caseID, err = tx.InsertID(`INSERT INTO cases (number, hall_id, zone, item_code, item_name, guide_version, guide_effective, ticket_id,
			applicant_kind, applicant_name_enc, applicant_name_masked, id_number_enc, id_number_blind, id_number_masked, id_last4,
			phone_enc, phone_masked, phone_last4, employer_name, credit_code, staff_id, staff_user, accepted_at, accepted_date,
			pledged_n, pledged_unit, pledged_due, statutory_n, statutory_unit, statutory_due, state, delivery, notes, updated_at,
			deferred_accept, supply_by, idem_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			number, in.HallID, it.Zone, it.Code, it.Name, guide.Version.Number, it.EffectiveDate, nullInt(in.TicketID),
			in.ApplicantKind, s.SealString(in.Name), pii.MaskName(in.Name), idEnc, idBlind, idMasked, idLast4,
			phoneEnc, pii.MaskMobile(phone), pii.LastFour(phone), in.EmployerName, in.CreditCode, in.StaffID, staffUser,
			tx.NowMs(), today.String(), pledged.N, string(pledged.Unit), pd.Date.String(), statutory.N, string(statutory.Unit), sd.Date.String(),
			string(c.State), in.Delivery, strings.TrimSpace(in.Notes), tx.NowMs(), b2i(c.DeferredAccept), supplyText(c), nullString(in.IdemKey))
		if err != nil {
			return err
		}
		// The case is new: nothing to replace.
		if err := insertMaterials(tx, caseID, c.Materials); err != nil {
			return err
		}
		if err := insertCorrections(tx, caseID, c.Corrections); err != nil {
			return err
		}
		step, action := "accept", "case.create"
		switch {
		case c.State == cases.Correction:
			step, action = "notice", "case.notice"
		case c.DeferredAccept:
			step = "accept_missing"
		}
		if err := addStep(tx, caseID, today, step, c.State, ""); err != nil {
			return err
		}
		if c.State == cases.Correction {
			// The one-time notice also goes by SMS, as when a case is sent
			// to correction later.
			v := CaseView{ID: caseID, Number: number, ItemCode: it.Code, ItemName: it.Name, GuideVersion: guide.Version.Number, phoneEnc: phoneEnc}
			if err := notifyChange(tx, s, v, c, len(c.Corrections)); err != nil {
				return err
			}
		}
		if err := raiseExtraAlerts(tx, in.HallID, number, extras); err != nil {
			return err
		}
		if err := tx.Publish(in.HallID, "case.accepted", map[string]any{"id": caseID, "number": number, "item": it.Code}); err != nil {
			return err
		}
		return tx.Audit(action, fmt.Sprintf("case:%d", caseID), fmt.Sprintf("%s %s guide v%d", number, it.Code, guide.Version.Number))
	})
	if err != nil {
		return CaseView{}, err
	}
	v, err := db.caseView(ctx, 0, caseID)
	v.Replayed = replayed
	return v, err
}

// supplyText is the stored promised date of a 容缺受理 case, or "".
func supplyText(c cases.Case) string {
	if !c.DeferredAccept {
		return ""
	}
	return c.SupplyBy.String()
}
