package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/catalog"
	"mingbai/internal/notify"
	"mingbai/internal/pii"
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

// applyMaterialInput sets statuses and adds extras on a checklist.
func applyMaterialInput(list []cases.Material, st []MaterialStatusInput, extras []ExtraMaterialInput) ([]cases.Material, []cases.Material, error) {
	var err error
	for _, m := range st {
		name := strings.TrimSpace(m.Name)
		if !hasMaterial(list, name) {
			return nil, nil, apperr.InvalidField("materials", "cases.material_not_in_guide", name)
		}
		if list, err = cases.SetStatus(list, name, m.Status); err != nil {
			return nil, nil, caseErr(err)
		}
	}
	var added []cases.Material
	for _, x := range extras {
		if err := limitLen("extras", x.Name, 100); err != nil {
			return nil, nil, err
		}
		if err := limitLen("extras", x.Reason, 500); err != nil {
			return nil, nil, err
		}
		if x.Form == "" {
			x.Form = cases.FormOriginal
		}
		if list, err = cases.AddExtra(list, cases.GuideMaterial{Name: x.Name, Form: x.Form, Count: x.Count}, x.Reason); err != nil {
			return nil, nil, caseErr(err)
		}
		if x.Status != "" {
			if list, err = cases.SetStatus(list, strings.TrimSpace(x.Name), x.Status); err != nil {
				return nil, nil, caseErr(err)
			}
		}
		added = append(added, list[len(list)-1])
	}
	return list, added, nil
}

func hasMaterial(list []cases.Material, name string) bool {
	for _, m := range list {
		if m.Name == name {
			return true
		}
	}
	return false
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

// CreateCase accepts a case at a window: against the guide version in
// force now, with the checklist from that guide, the applicant's personal
// data sealed and the deadlines computed on the working-day calendar. An
// extra material (not in the guide) raises an integrity alert in the same
// transaction.
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
	var caseID int64
	err = db.Write(ctx, func(tx *Tx) error {
		hallCode, today, err := hallClock(tx, in.HallID)
		if err != nil {
			return err
		}
		if tx.Dialect() == Postgres {
			if _, err := tx.Exec("SELECT pg_advisory_xact_lock(7262004, ?)", int32(in.HallID)); err != nil {
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
		c := cases.Case{Number: number, ItemCode: it.Code, State: cases.Accepted, AcceptedOn: today, Pledged: pledged, Statutory: statutory, Materials: list}
		if err := c.Validate(); err != nil {
			return caseErr(err)
		}
		cal, err := loadCalendar(tx)
		if err != nil {
			return err
		}
		pd, sd, err := c.Due(cal)
		if err != nil {
			return caseErr(err)
		}
		var staffUser string
		if err := tx.QueryRow("SELECT COALESCE(u.username, '') FROM staff s LEFT JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.hall_id = ?", in.StaffID, in.HallID).Scan(&staffUser); err != nil {
			return apperr.New(apperr.Forbidden, "cases.not_staff")
		}
		if staffUser == "" {
			staffUser = tx.Actor.Name
		}
		var idEnc, idBlind, idMasked, idLast4 string
		if id != "" {
			idEnc, idBlind, idMasked, idLast4 = s.SealString(id.Plain()), s.Blind(id.Plain()), id.String(), id.LastFour()
		}
		caseID, err = tx.InsertID(`INSERT INTO cases (number, hall_id, zone, item_code, item_name, guide_version, guide_effective, ticket_id,
			applicant_kind, applicant_name_enc, applicant_name_masked, id_number_enc, id_number_blind, id_number_masked, id_last4,
			phone_enc, phone_masked, phone_last4, employer_name, credit_code, staff_id, staff_user, accepted_at, accepted_date,
			pledged_n, pledged_unit, pledged_due, statutory_n, statutory_unit, statutory_due, state, delivery, notes, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			number, in.HallID, it.Zone, it.Code, it.Name, guide.Version.Number, it.EffectiveDate, nullInt(in.TicketID),
			in.ApplicantKind, s.SealString(in.Name), pii.MaskName(in.Name), idEnc, idBlind, idMasked, idLast4,
			s.SealString(phone), pii.MaskMobile(phone), pii.LastFour(phone), in.EmployerName, in.CreditCode, in.StaffID, staffUser,
			tx.NowMs(), today.String(), pledged.N, string(pledged.Unit), pd.Date.String(), statutory.N, string(statutory.Unit), sd.Date.String(),
			string(cases.Accepted), in.Delivery, strings.TrimSpace(in.Notes), tx.NowMs())
		if err != nil {
			return err
		}
		if err := saveMaterials(tx, caseID, list); err != nil {
			return err
		}
		if err := addStep(tx, caseID, today, "accept", cases.Accepted, ""); err != nil {
			return err
		}
		if err := raiseExtraAlerts(tx, in.HallID, number, extras); err != nil {
			return err
		}
		if err := tx.Publish(in.HallID, "case.accepted", map[string]any{"id": caseID, "number": number, "item": it.Code}); err != nil {
			return err
		}
		return tx.Audit("case.create", fmt.Sprintf("case:%d", caseID), fmt.Sprintf("%s %s guide v%d", number, it.Code, guide.Version.Number))
	})
	if err != nil {
		return CaseView{}, err
	}
	return db.caseView(ctx, 0, caseID)
}

func saveMaterials(tx *Tx, caseID int64, list []cases.Material) error {
	if _, err := tx.Exec("DELETE FROM case_materials WHERE case_id = ?", caseID); err != nil {
		return err
	}
	for i, m := range list {
		if _, err := tx.Exec("INSERT INTO case_materials (case_id, seq, name, form, count, requirement, note, status, extra, extra_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			caseID, i+1, m.Name, string(m.Form), m.Count, string(m.Requirement), m.Note, string(m.Status), b2i(m.Extra), m.ExtraReason); err != nil {
			return err
		}
	}
	return nil
}

func addStep(tx *Tx, caseID int64, day workday.Date, action string, st cases.State, note string) error {
	_, err := tx.Exec("INSERT INTO case_steps (case_id, at, date, action, state, staff_user, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
		caseID, tx.NowMs(), day.String(), action, string(st), tx.Actor.Name, note)
	return err
}

// raiseExtraAlerts records an integrity alert for each material asked for
// beyond the guide (the guide binds the staff).
func raiseExtraAlerts(tx *Tx, hallID int64, number string, extras []cases.Material) error {
	for _, m := range extras {
		if _, err := tx.Exec("INSERT INTO integrity_alerts (hall_id, kind, ref, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
			hallID, "case.extra_material", "case:"+number, m.Name+"｜"+m.ExtraReason, tx.Actor.Name, tx.NowMs()); err != nil {
			return err
		}
		if err := tx.Audit("integrity.alert", "case:"+number, "extra material: "+m.Name); err != nil {
			return err
		}
	}
	return nil
}

const caseCols = `c.id, c.number, c.hall_id, c.zone, c.item_code, c.item_name, c.guide_version, c.guide_effective, COALESCE(c.ticket_id, 0),
	c.applicant_kind, c.applicant_name_masked, c.id_number_masked, c.phone_masked, c.employer_name, c.credit_code,
	COALESCE(c.staff_id, 0), c.staff_user, COALESCE(s.name, ''), c.accepted_at, c.accepted_date,
	c.pledged_n, c.pledged_unit, c.pledged_due, c.statutory_n, c.statutory_unit, c.statutory_due,
	c.state, c.closed_date, c.reason, c.legal_basis, c.delivery, c.notes,
	c.applicant_name_enc, c.id_number_enc, c.phone_enc`

const caseFrom = ` FROM cases c LEFT JOIN staff s ON s.id = c.staff_id `

func scanCase(row interface{ Scan(...any) error }) (CaseView, error) {
	var v CaseView
	err := row.Scan(&v.ID, &v.Number, &v.HallID, &v.Zone, &v.ItemCode, &v.ItemName, &v.GuideVersion, &v.GuideEffective, &v.TicketID,
		&v.ApplicantKind, &v.NameMasked, &v.IDMasked, &v.PhoneMasked, &v.EmployerName, &v.CreditCode,
		&v.StaffID, &v.StaffUser, &v.StaffName, &v.AcceptedAt, &v.AcceptedDate,
		&v.PledgedN, &v.PledgedUnit, &v.PledgedDue, &v.StatutoryN, &v.StatutoryUnit, &v.StatutoryDue,
		&v.State, &v.ClosedDate, &v.Reason, &v.LegalBasis, &v.Delivery, &v.Notes,
		&v.nameEnc, &v.idEnc, &v.phoneEnc)
	return v, err
}

// loadCaseTx reads a case with its checklist, steps and corrections.
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
		Pledged: cases.Limit{N: v.PledgedN, Unit: workday.Unit(v.PledgedUnit)}, Reason: v.Reason, LegalBasis: v.LegalBasis}
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

// RevealCase returns the applicant's full personal data and writes the
// access to the audit log (case.view_pii) in the same transaction: no
// audit record, no data.
func (db *DB) RevealCase(ctx context.Context, id int64) (PersonalData, error) {
	s, err := db.sealer()
	if err != nil {
		return PersonalData{}, err
	}
	var p PersonalData
	err = db.Write(ctx, func(tx *Tx) error {
		var nameEnc, idEnc, phoneEnc, number string
		if err := tx.QueryRow("SELECT number, applicant_name_enc, id_number_enc, phone_enc FROM cases WHERE id = ?", id).Scan(&number, &nameEnc, &idEnc, &phoneEnc); err != nil {
			return notFound(err, "case")
		}
		var err error
		if p.Name, err = s.OpenString(nameEnc); err != nil {
			return err
		}
		if idEnc != "" {
			if p.IDNumber, err = s.OpenString(idEnc); err != nil {
				return err
			}
		}
		if p.Phone, err = s.OpenString(phoneEnc); err != nil {
			return err
		}
		return tx.Audit("case.view_pii", fmt.Sprintf("case:%d", id), number)
	})
	return p, err
}

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
// the applicant by SMS. On any error nothing changes.
func (db *DB) ChangeCaseState(ctx context.Context, id int64, ch CaseChange) (CaseView, error) {
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
		v, err := loadCaseTx(tx, id)
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
	for i, p := range ps {
		if _, err := tx.Exec("INSERT INTO case_corrections (case_id, seq, stop_date, resume_date) VALUES (?, ?, ?, ?)", id, i+1, p.Stop.String(), p.Resume.String()); err != nil {
			return err
		}
	}
	return nil
}

// notifyChange enqueues the applicant's SMS for a correction (the one-time
// notice) and for completion. Texts are Simplified Chinese: they go to
// mainland mobile numbers.
func notifyChange(tx *Tx, s *pii.Sealer, v CaseView, next cases.Case, corrections int) error {
	var body, kind, key string
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
		body = fmt.Sprintf("【人社服务大厅】您办理的%s（%s）需补正材料：%s。依据办事指南%s第%d版，一次性告知。材料送达次日起继续计算办理时限。",
			v.ItemName, v.Number, strings.Join(names, "、"), v.ItemCode, v.GuideVersion)
		kind, key = "case_notice", fmt.Sprintf("case-notice:%d:%d", v.ID, corrections)
	case cases.Completed:
		body = fmt.Sprintf("【人社服务大厅】您办理的%s（%s）已办结。", v.ItemName, v.Number)
		switch v.Delivery {
		case "pickup":
			body += "请携带身份证件到窗口领取结果。"
		case "mail":
			body += "结果将邮寄送达。"
		}
		kind, key = "case_done", fmt.Sprintf("case-done:%d", v.ID)
	default:
		return nil
	}
	phone, err := s.OpenString(v.phoneEnc)
	if err != nil {
		return err
	}
	_, err = tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Body: body, Kind: kind, DedupeKey: key, HallID: v.HallID})
	return err
}

// MaterialsUpdate changes a case's checklist.
type MaterialsUpdate struct {
	Materials []MaterialStatusInput `json:"materials"`
	Extras    []ExtraMaterialInput  `json:"extras,omitempty"`
}

// UpdateCaseMaterials records materials handed in (or deferred) and extra
// materials asked for; an extra raises an integrity alert.
func (db *DB) UpdateCaseMaterials(ctx context.Context, id int64, u MaterialsUpdate) (CaseView, error) {
	err := db.Write(ctx, func(tx *Tx) error {
		v, err := loadCaseTx(tx, id)
		if err != nil {
			return err
		}
		if v.State.Closed() {
			return apperr.New(apperr.Conflict, "cases.closed")
		}
		c, err := v.domainCase()
		if err != nil {
			return err
		}
		list, extras, err := applyMaterialInput(c.Materials, u.Materials, u.Extras)
		if err != nil {
			return err
		}
		if err := saveMaterials(tx, id, list); err != nil {
			return err
		}
		if err := raiseExtraAlerts(tx, v.HallID, v.Number, extras); err != nil {
			return err
		}
		_, today, err := hallClock(tx, v.HallID)
		if err != nil {
			return err
		}
		if err := addStep(tx, id, today, "materials", v.State, ""); err != nil {
			return err
		}
		return tx.Audit("case.materials", fmt.Sprintf("case:%d", id), v.Number)
	})
	if err != nil {
		return CaseView{}, err
	}
	return db.caseView(ctx, 0, id)
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
	return out, err
}

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

// IntegrityAlert is an integrity risk raised by the system (e.g. a
// material asked for beyond the guide).
type IntegrityAlert struct {
	ID         int64  `json:"id"`
	HallID     int64  `json:"hall_id"`
	Kind       string `json:"kind"`
	Ref        string `json:"ref"`
	Detail     string `json:"detail"`
	Actor      string `json:"actor"`
	At         int64  `json:"at"`
	ResolvedAt int64  `json:"resolved_at,omitempty"`
}

// ListIntegrityAlerts returns a hall's alerts, newest first; open only
// unless all is set.
func (db *DB) ListIntegrityAlerts(ctx context.Context, hallID int64, all bool) ([]IntegrityAlert, error) {
	var out []IntegrityAlert
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT id, hall_id, kind, ref, detail, actor, at, resolved_at FROM integrity_alerts WHERE hall_id = ?"
		if !all {
			q += " AND resolved_at = 0"
		}
		rows, err := tx.Query(q+" ORDER BY id DESC LIMIT 500", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a IntegrityAlert
			if err := rows.Scan(&a.ID, &a.HallID, &a.Kind, &a.Ref, &a.Detail, &a.Actor, &a.At, &a.ResolvedAt); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// ResolveIntegrityAlert marks an alert as dealt with.
func (db *DB) ResolveIntegrityAlert(ctx context.Context, hallID, id int64, note string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE integrity_alerts SET resolved_at = ? WHERE id = ? AND hall_id = ? AND resolved_at = 0", tx.NowMs(), id, hallID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("integrity_alert")
		}
		return tx.Audit("integrity.resolve", fmt.Sprintf("integrity_alert:%d", id), note)
	})
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
		level := "预警"
		if v.Warning == cases.LevelRed || v.StatutoryWarning == cases.LevelRed {
			level = "超期"
		}
		if _, ok := byStaff[v.StaffUser]; !ok {
			order = append(order, v.StaffUser)
		}
		byStaff[v.StaffUser] = append(byStaff[v.StaffUser], fmt.Sprintf("%s %s（%s，承诺%s）", v.Number, v.ItemName, level, v.PledgedDue))
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
			body := "【办件时限提醒】以下办件临近或超过时限：" + strings.Join(byStaff[user], "；")
			if r := []rune(body); len(r) > 1000 {
				body = string(r[:990]) + "……"
			}
			if _, err := tx.Enqueue(notify.Message{Channel: notify.Log, Recipient: user, Body: body, Kind: "case_remind", DedupeKey: key, HallID: hallID}); err != nil {
				return err
			}
			sent++
		}
		if sent > 0 {
			return tx.Audit("case.remind", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("%s: %d reminders", today, sent))
		}
		return nil
	})
	return sent, err
}
