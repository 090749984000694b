package store

import (
	"context"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
)

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

// saveMaterials replaces a case's checklist.
func saveMaterials(tx *Tx, caseID int64, list []cases.Material) error {
	if _, err := tx.Exec("DELETE FROM case_materials WHERE case_id = ?", caseID); err != nil {
		return err
	}
	return insertMaterials(tx, caseID, list)
}

// insertMaterials writes the checklist of a case that has none yet, in
// one statement: a case acceptance holds the audit chain's lock from its
// first write (locks.go), and a statement per material was a round trip
// each under it (the lock all writes of a province wait for).
func insertMaterials(tx *Tx, caseID int64, list []cases.Material) error {
	rows := make([][]any, len(list))
	for i, m := range list {
		rows[i] = []any{caseID, i + 1, m.Name, string(m.Form), m.Count, string(m.Requirement), m.Note, string(m.Status), b2i(m.Extra), m.ExtraReason}
	}
	return insertRows(tx, "INSERT INTO case_materials (case_id, seq, name, form, count, requirement, note, status, extra, extra_reason)", rows)
}

// insertParams bounds the parameters of one insertRows statement, well
// within both engines' limits (SQLite 32,766, PostgreSQL 65,535): 62
// rows of rollup_daily's 33 columns, 204 materials of a case's 10.
const insertParams = 2048

// insertRows inserts rows (each with the columns of head, an INSERT
// without its VALUES) in as few statements as insertParams allows: one
// for a case's checklist, a few for a hall-day's rollups; none is no
// statement.
func insertRows(tx *Tx, head string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, insertParams/len(rows[0]))
	marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
	for len(rows) > 0 {
		part := rows[:min(len(rows), per)]
		rows = rows[len(part):]
		var q strings.Builder
		q.WriteString(head)
		q.WriteString(" VALUES ")
		args := make([]any, 0, len(part)*len(part[0]))
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(marks)
			args = append(args, r...)
		}
		if _, err := tx.Exec(q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// MaterialsUpdate changes a case's checklist.
type MaterialsUpdate struct {
	Materials []MaterialStatusInput `json:"materials"`
	Extras    []ExtraMaterialInput  `json:"extras,omitempty"`
}

// UpdateCaseMaterials records materials handed in (or deferred) and extra
// materials asked for; an extra raises an integrity alert. The case is
// found by hall and id.
func (db *DB) UpdateCaseMaterials(ctx context.Context, hallID, id int64, u MaterialsUpdate) (CaseView, error) {
	err := db.Write(ctx, func(tx *Tx) error {
		v, err := loadCaseInHall(tx, hallID, id)
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
