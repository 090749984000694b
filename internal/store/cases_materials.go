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
