package store_test

import (
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/store"
)

// TestCaseWritesTakeTheHall: state changes, materials and the reveal of
// personal data find the case by hall and id, so a caller that passes
// another hall (a handler bug) finds nothing and changes nothing
// (tenancy, second line of defence).
func TestCaseWritesTakeTheHall(t *testing.T) {
	e := newCaseEnv(t)
	v := e.create(e.person("RS-B-012", "居民身份证", "本人人事档案", "社会保障卡"))
	other := v.HallID + 1000
	_, err := e.db.ChangeCaseState(staffCtx, other, v.ID, store.CaseChange{To: cases.InReview})
	wantKey(t, err, apperr.NotFound, "err.not_found")
	_, err = e.db.UpdateCaseMaterials(staffCtx, other, v.ID, store.MaterialsUpdate{Materials: []store.MaterialStatusInput{{Name: "居民身份证", Status: cases.Missing}}})
	wantKey(t, err, apperr.NotFound, "err.not_found")
	if _, err = e.db.RevealCase(staffCtx, other, v.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("reveal in another hall: %v", err)
	}
	got, err := e.db.Case(ctx, v.HallID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != v.State || len(got.Materials) != len(v.Materials) || got.Materials[0].Status != v.Materials[0].Status {
		t.Fatalf("case changed through another hall: %+v", got)
	}
	if _, err := e.db.ChangeCaseState(staffCtx, v.HallID, v.ID, store.CaseChange{To: cases.InReview}); err != nil {
		t.Fatalf("own hall: %v", err)
	}
}
