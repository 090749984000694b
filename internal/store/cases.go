package store

import (
	"context"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/workday"
)

// Applicant kinds.
const (
	ApplicantPerson   = "person"
	ApplicantEmployer = "employer"
)

// Result deliveries (结果送达方式) a case may choose.
var caseDeliveries = map[string]bool{"on_the_spot": true, "pickup": true, "mail": true}

// MaterialStatusInput sets the status of one checklist material by name.
type MaterialStatusInput struct {
	Name   string               `json:"name"`
	Status cases.MaterialStatus `json:"status"`
}

// ExtraMaterialInput asks for a material that the guide does not list. It
// needs a written reason and raises an integrity alert.
type ExtraMaterialInput struct {
	Name   string     `json:"name"`
	Form   cases.Form `json:"form"`
	Count  int        `json:"count"`
	Reason string     `json:"reason"`
	// Status is the material's status (default missing).
	Status cases.MaterialStatus `json:"status,omitempty"`
}

// CaseInput is what the window enters to accept a case.
type CaseInput struct {
	HallID int64 `json:"-"`
	// StaffID is the accepting staff member (the caller).
	StaffID int64 `json:"-"`
	// TicketID links the served ticket the case came from (optional; not
	// a foreign key: tickets belong to the queue area).
	TicketID      int64  `json:"ticket_id,omitempty"`
	ItemCode      string `json:"item_code"`
	ApplicantKind string `json:"applicant_kind"`
	// Name is the applicant's name (person) or the employer's agent (经办人).
	Name         string `json:"name"`
	IDNumber     string `json:"id_number"`
	Phone        string `json:"phone"`
	EmployerName string `json:"employer_name,omitempty"`
	CreditCode   string `json:"credit_code,omitempty"`
	Delivery     string `json:"delivery"`
	Notes        string `json:"notes,omitempty"`
	// Materials are the statuses of the guide's materials; a material not
	// named stays missing.
	Materials []MaterialStatusInput `json:"materials"`
	Extras    []ExtraMaterialInput  `json:"extras,omitempty"`
	// Decision is the window's choice when required materials are
	// missing: notice (default: the one-time notice, the case is not
	// accepted but waits in correction) or accept_missing (容缺受理, only
	// where the item allows it, with SupplyBy). Ignored when nothing the
	// guide requires is missing.
	Decision cases.Decision `json:"decision,omitempty"`
	// SupplyBy is the date (YYYY-MM-DD) the applicant promises to hand the
	// missing materials in by, for accept_missing.
	SupplyBy string `json:"supply_by,omitempty"`
	// IdemKey makes acceptance retryable: a second request of the hall
	// with the same key returns the first case instead of a second one.
	IdemKey string `json:"idempotency_key,omitempty"`
}

// CaseMaterial is one checklist line as shown.
type CaseMaterial struct {
	Name        string               `json:"name"`
	Form        cases.Form           `json:"form"`
	Count       int                  `json:"count"`
	Requirement cases.Requirement    `json:"requirement"`
	Note        string               `json:"note,omitempty"`
	Status      cases.MaterialStatus `json:"status"`
	Extra       bool                 `json:"extra,omitempty"`
	ExtraReason string               `json:"extra_reason,omitempty"`
}

// CaseStep is one entry of a case's history.
type CaseStep struct {
	At     int64       `json:"at"`
	Date   string      `json:"date"`
	Action string      `json:"action"`
	State  cases.State `json:"state"`
	Staff  string      `json:"staff"`
	Note   string      `json:"note,omitempty"`
}

// CaseCorrection is one period with the clock stopped.
type CaseCorrection struct {
	Stop   string `json:"stop"`
	Resume string `json:"resume,omitempty"`
}

// CaseView is a case as staff see it: personal data masked.
type CaseView struct {
	// Replayed says the case was accepted by an earlier request with the
	// same idempotency key.
	Replayed       bool   `json:"replayed,omitempty"`
	ID             int64  `json:"id"`
	Number         string `json:"number"`
	HallID         int64  `json:"hall_id"`
	Zone           string `json:"zone"`
	ItemCode       string `json:"item_code"`
	ItemName       string `json:"item_name"`
	GuideVersion   int    `json:"guide_version"`
	GuideEffective string `json:"guide_effective,omitempty"`
	TicketID       int64  `json:"ticket_id,omitempty"`
	ApplicantKind  string `json:"applicant_kind"`
	NameMasked     string `json:"name_masked"`
	IDMasked       string `json:"id_number_masked,omitempty"`
	PhoneMasked    string `json:"phone_masked"`
	EmployerName   string `json:"employer_name,omitempty"`
	CreditCode     string `json:"credit_code,omitempty"`
	StaffID        int64  `json:"staff_id"`
	StaffUser      string `json:"staff_user"`
	StaffName      string `json:"staff_name"`
	AcceptedAt     int64  `json:"accepted_at"`
	AcceptedDate   string `json:"accepted_date"`
	PledgedN       int    `json:"pledged_days"`
	PledgedUnit    string `json:"pledged_unit"`
	PledgedDue     string `json:"pledged_due,omitempty"`
	StatutoryN     int    `json:"statutory_days,omitempty"`
	StatutoryUnit  string `json:"statutory_unit,omitempty"`
	StatutoryDue   string `json:"statutory_due,omitempty"`
	// Stopped is true while a correction stops the clock.
	Stopped    bool        `json:"stopped"`
	State      cases.State `json:"state"`
	ClosedDate string      `json:"closed_date,omitempty"`
	Reason     string      `json:"reason,omitempty"`
	LegalBasis string      `json:"legal_basis,omitempty"`
	Delivery   string      `json:"delivery"`
	Notes      string      `json:"notes,omitempty"`
	// DeferredAccept marks a case accepted with required materials missing
	// (容缺受理); SupplyBy is the date the applicant promised them by.
	DeferredAccept bool   `json:"deferred_accept,omitempty"`
	SupplyBy       string `json:"supply_by,omitempty"`
	// Warning and StatutoryWarning are none, yellow or red (today).
	Warning          cases.Level `json:"warning"`
	StatutoryWarning cases.Level `json:"statutory_warning"`
	// DaysLeft is the number of working days left to the pledged due date.
	DaysLeft    int              `json:"days_left"`
	Materials   []CaseMaterial   `json:"materials,omitempty"`
	Steps       []CaseStep       `json:"steps,omitempty"`
	Corrections []CaseCorrection `json:"corrections,omitempty"`
	// Next lists the states the case may go to.
	Next []cases.State `json:"next,omitempty"`

	// sealed values, never serialised.
	nameEnc, idEnc, phoneEnc string
}

// Instant reports whether the case's item is done on the spot.
func (v CaseView) Instant() bool { return v.PledgedN == 0 }

// Missing returns the materials still to be handed in: the one-time notice.
func (v CaseView) Missing() []CaseMaterial {
	var out []CaseMaterial
	for _, m := range v.Materials {
		if m.Status != cases.Received && (m.Requirement != cases.Optional || m.Extra) {
			out = append(out, m)
		}
	}
	return out
}

// PersonalData is an applicant's full personal data, for the responsible
// staff and managers; every read is audited (case.view_pii).
type PersonalData struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone"`
}

// hallClock returns the hall's code and today's date in its time zone.
func hallClock(tx *Tx, hallID int64) (code string, today workday.Date, err error) {
	var tz string
	if err := tx.QueryRow("SELECT code, timezone FROM halls WHERE id = ?", hallID).Scan(&code, &tz); err != nil {
		return "", workday.Date{}, notFound(err, "hall")
	}
	loc, lerr := time.LoadLocation(tz)
	if lerr != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return code, workday.DateOf(tx.Now.In(loc)), nil
}

func addStep(tx *Tx, caseID int64, day workday.Date, action string, st cases.State, note string) error {
	_, err := tx.Exec("INSERT INTO case_steps (case_id, at, date, action, state, staff_user, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
		caseID, tx.NowMs(), day.String(), action, string(st), tx.Actor.Name, note)
	return err
}

const caseCols = `c.id, c.number, c.hall_id, c.zone, c.item_code, c.item_name, c.guide_version, c.guide_effective, COALESCE(c.ticket_id, 0),
	c.applicant_kind, c.applicant_name_masked, c.id_number_masked, c.phone_masked, c.employer_name, c.credit_code,
	COALESCE(c.staff_id, 0), c.staff_user, COALESCE(s.name, ''), c.accepted_at, c.accepted_date,
	c.pledged_n, c.pledged_unit, c.pledged_due, c.statutory_n, c.statutory_unit, c.statutory_due,
	c.state, c.closed_date, c.reason, c.legal_basis, c.delivery, c.notes, c.deferred_accept, c.supply_by,
	c.applicant_name_enc, c.id_number_enc, c.phone_enc`

const caseFrom = ` FROM cases c LEFT JOIN staff s ON s.id = c.staff_id `

func scanCase(row interface{ Scan(...any) error }) (CaseView, error) {
	var v CaseView
	var deferred int
	err := row.Scan(&v.ID, &v.Number, &v.HallID, &v.Zone, &v.ItemCode, &v.ItemName, &v.GuideVersion, &v.GuideEffective, &v.TicketID,
		&v.ApplicantKind, &v.NameMasked, &v.IDMasked, &v.PhoneMasked, &v.EmployerName, &v.CreditCode,
		&v.StaffID, &v.StaffUser, &v.StaffName, &v.AcceptedAt, &v.AcceptedDate,
		&v.PledgedN, &v.PledgedUnit, &v.PledgedDue, &v.StatutoryN, &v.StatutoryUnit, &v.StatutoryDue,
		&v.State, &v.ClosedDate, &v.Reason, &v.LegalBasis, &v.Delivery, &v.Notes, &deferred, &v.SupplyBy,
		&v.nameEnc, &v.idEnc, &v.phoneEnc)
	v.DeferredAccept = deferred != 0
	return v, err
}

// loadCaseTx reads a case with its checklist, steps and corrections.
// loadCaseInHall loads a case of the given hall; one of another hall is
// not found.
func loadCaseInHall(tx *Tx, hallID, id int64) (CaseView, error) {
	v, err := loadCaseTx(tx, id)
	if err == nil && v.HallID != hallID {
		return CaseView{}, apperr.NotFoundOf("case")
	}
	return v, err
}

func loadCaseTx(tx *Tx, id int64) (CaseView, error) {
	v, err := scanCase(tx.QueryRow("SELECT "+caseCols+caseFrom+"WHERE c.id = ?", id))
	if err != nil {
		return v, notFound(err, "case")
	}
	rows, err := tx.Query("SELECT name, form, count, requirement, note, status, extra, extra_reason FROM case_materials WHERE case_id = ? ORDER BY seq", id)
	if err != nil {
		return v, err
	}
	for rows.Next() {
		var m CaseMaterial
		var extra int
		if err := rows.Scan(&m.Name, &m.Form, &m.Count, &m.Requirement, &m.Note, &m.Status, &extra, &m.ExtraReason); err != nil {
			rows.Close()
			return v, err
		}
		m.Extra = extra == 1
		v.Materials = append(v.Materials, m)
	}
	rows.Close()
	rows, err = tx.Query("SELECT at, date, action, state, staff_user, note FROM case_steps WHERE case_id = ? ORDER BY id", id)
	if err != nil {
		return v, err
	}
	for rows.Next() {
		var st CaseStep
		if err := rows.Scan(&st.At, &st.Date, &st.Action, &st.State, &st.Staff, &st.Note); err != nil {
			rows.Close()
			return v, err
		}
		v.Steps = append(v.Steps, st)
	}
	rows.Close()
	rows, err = tx.Query("SELECT stop_date, resume_date FROM case_corrections WHERE case_id = ? ORDER BY seq", id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var c CaseCorrection
		if err := rows.Scan(&c.Stop, &c.Resume); err != nil {
			return v, err
		}
		v.Corrections = append(v.Corrections, c)
	}
	return v, rows.Err()
}

// domainCase rebuilds the pure case from a view.
func (v CaseView) domainCase() (cases.Case, error) {
	c := cases.Case{Number: v.Number, ItemCode: v.ItemCode, State: v.State,
		Pledged: cases.Limit{N: v.PledgedN, Unit: workday.Unit(v.PledgedUnit)}, Reason: v.Reason, LegalBasis: v.LegalBasis,
		DeferredAccept: v.DeferredAccept}
	if v.SupplyBy != "" {
		var err error
		if c.SupplyBy, err = workday.Parse(v.SupplyBy); err != nil {
			return c, err
		}
	}
	if v.StatutoryUnit != "" {
		c.Statutory = cases.Limit{N: v.StatutoryN, Unit: workday.Unit(v.StatutoryUnit)}
	}
	var err error
	if c.AcceptedOn, err = workday.Parse(v.AcceptedDate); err != nil {
		return c, err
	}
	if v.ClosedDate != "" {
		if c.ClosedOn, err = workday.Parse(v.ClosedDate); err != nil {
			return c, err
		}
	}
	for _, m := range v.Materials {
		c.Materials = append(c.Materials, cases.Material{GuideMaterial: cases.GuideMaterial{Name: m.Name, Form: m.Form, Count: m.Count, Requirement: m.Requirement, Note: m.Note},
			Status: m.Status, Extra: m.Extra, ExtraReason: m.ExtraReason})
	}
	for _, p := range v.Corrections {
		var cp cases.CorrectionPeriod
		if cp.Stop, err = workday.Parse(p.Stop); err != nil {
			return c, err
		}
		if p.Resume != "" {
			if cp.Resume, err = workday.Parse(p.Resume); err != nil {
				return c, err
			}
		}
		c.Corrections = append(c.Corrections, cp)
	}
	return c, nil
}

// decorate fills the warnings, the stopped flag and the next states.
func (v *CaseView) decorate(cal *workday.Calendar, today workday.Date, yellow int) {
	if len(v.Corrections) > 0 && v.Corrections[len(v.Corrections)-1].Resume == "" && v.State == cases.Correction {
		v.Stopped = true
	}
	v.Warning, v.StatutoryWarning = cases.LevelNone, cases.LevelNone
	if v.State.Closed() {
		return
	}
	v.Next = cases.Next(v.State, v.Instant())
	if v.PledgedDue != "" {
		if d, err := workday.Parse(v.PledgedDue); err == nil {
			if w, err := cases.Warn(cal, cases.Due{Set: true, Date: d}, today, yellow); err == nil {
				v.Warning, v.DaysLeft = w.Level, w.Left
			}
		}
	}
	if v.StatutoryDue != "" {
		if d, err := workday.Parse(v.StatutoryDue); err == nil {
			if w, err := cases.Warn(cal, cases.Due{Set: true, Date: d}, today, yellow); err == nil {
				v.StatutoryWarning = w.Level
			}
		}
	}
}

// YellowDays is the number of working days left at or below which a case
// turns yellow (configurable; default cases.DefaultYellowDays).
var YellowDays = cases.DefaultYellowDays

// Case returns a case of a hall with personal data masked; a case of
// another hall is not found.
func (db *DB) Case(ctx context.Context, hallID, id int64) (CaseView, error) {
	if hallID == 0 {
		return CaseView{}, apperr.NotFoundOf("case")
	}
	return db.caseView(ctx, hallID, id)
}

// caseView reads a case; hallID 0 (only after a write that checked the
// hall) reads it in any hall.
func (db *DB) caseView(ctx context.Context, hallID, id int64) (CaseView, error) {
	var v CaseView
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if v, err = loadCaseTx(tx, id); err != nil {
			return err
		}
		if hallID != 0 && v.HallID != hallID {
			return apperr.NotFoundOf("case")
		}
		_, today, err := hallClock(tx, v.HallID)
		if err != nil {
			return err
		}
		cal, err := loadCalendar(tx)
		if err != nil {
			return err
		}
		v.decorate(cal, today, YellowDays)
		return nil
	})
	return v, err
}
