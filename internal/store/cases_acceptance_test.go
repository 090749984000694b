package store_test

import (
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/store"
)

// TestCaseAcceptanceDecision: a case with a required material missing is
// never 已受理 unless the item allows 容缺受理 and the clerk chose it (with
// the promised date); the default is the one-time notice, and refused input
// writes nothing.
func TestCaseAcceptanceDecision(t *testing.T) {
	e := newCaseEnv(t)
	// RS-B-012 allows 容缺受理 in the demo catalogue; 本人人事档案 is missing.
	partial := e.person("RS-B-012", "居民身份证", "社会保障卡")

	v := e.create(partial)
	if v.State != cases.Correction || v.DeferredAccept || !v.Stopped || len(v.Steps) != 1 || v.Steps[0].Action != "notice" {
		t.Fatalf("default with a material missing: %s deferred=%v steps %+v", v.State, v.DeferredAccept, v.Steps)
	}
	if m := v.Missing(); len(m) != 1 || m[0].Name != "本人人事档案" {
		t.Fatalf("one-time notice lists %+v", m)
	}

	// 容缺受理 needs the promised date; an item without the flag refuses it.
	in := partial
	in.Decision = cases.DecideAcceptMissing
	_, err := e.db.CreateCase(staffCtx, in)
	wantKey(t, err, apperr.Invalid, "cases.supply_by")
	in.SupplyBy = "2026-02-11"
	_, err = e.db.CreateCase(staffCtx, in)
	wantKey(t, err, apperr.Invalid, "cases.supply_by")
	other := e.person("RS-A-004", "居民身份证")
	other.Decision, other.SupplyBy = cases.DecideAcceptMissing, "2026-02-20"
	_, err = e.db.CreateCase(staffCtx, other)
	wantKey(t, err, apperr.Invalid, "cases.no_deferred_acceptance")
	if n := e.countCases(); n != 1 {
		t.Fatalf("%d cases after refused input, want 1", n)
	}

	// Accepted with the material to follow: it may be reviewed, not
	// completed before the material arrives.
	in.SupplyBy = "2026-02-20"
	a := e.create(in)
	if a.State != cases.Accepted || !a.DeferredAccept || a.SupplyBy != "2026-02-20" || a.Steps[0].Action != "accept_missing" || a.PledgedDue == "" {
		t.Fatalf("容缺受理: %+v", a)
	}
	for _, m := range a.Materials {
		if want := map[string]cases.MaterialStatus{"本人人事档案": cases.Deferred}[m.Name]; want != "" && m.Status != want {
			t.Errorf("%s is %s", m.Name, m.Status)
		}
	}
	if a, err = e.db.ChangeCaseState(staffCtx, a.HallID, a.ID, store.CaseChange{To: cases.InReview}); err != nil {
		t.Fatalf("review of a 容缺受理 case: %v", err)
	}
	_, err = e.db.ChangeCaseState(staffCtx, a.HallID, a.ID, store.CaseChange{To: cases.Completed})
	wantKey(t, err, apperr.Invalid, "cases.materials_missing")
	if a, err = e.db.ChangeCaseState(staffCtx, a.HallID, a.ID, store.CaseChange{To: cases.Completed, Received: []string{"本人人事档案"}}); err != nil || a.State != cases.Completed {
		t.Fatalf("completion after the material arrived: %v %s", err, a.State)
	}

	// Everything received: accepted whatever the decision.
	full := e.person("RS-B-012", "居民身份证", "本人人事档案", "社会保障卡")
	if f := e.create(full); f.State != cases.Accepted || f.DeferredAccept {
		t.Fatalf("complete materials: %s", f.State)
	}
}
