package cases

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// guide is the material list of a made-up guide, e.g. 失业保险金申领.
var guide = []GuideMaterial{
	{Name: "居民身份证", Form: FormOriginal, Count: 1, Requirement: Required},
	{Name: "解除劳动合同证明", Form: FormOriginalAndCopy, Count: 1, Requirement: Required},
	{Name: "银行卡", Form: FormCopy, Count: 1, Requirement: Deferrable, Note: "可容缺，承诺5个工作日内补交"},
	{Name: "委托书", Form: FormOriginal, Count: 1, Requirement: Optional, Note: "委托办理的提供"},
	{Name: "一寸照片", Form: FormElectronic, Count: 0, Requirement: Required},
}

func mustChecklist(t *testing.T) []Material {
	t.Helper()
	list, err := Checklist(guide)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// withStatuses sets the statuses of the named materials.
func withStatuses(t *testing.T, list []Material, statuses map[string]MaterialStatus) []Material {
	t.Helper()
	for name, s := range statuses {
		var err error
		if list, err = SetStatus(list, name, s); err != nil {
			t.Fatal(err)
		}
	}
	return list
}

func TestChecklist(t *testing.T) {
	list := mustChecklist(t)
	if got, want := len(list), len(guide); got != want {
		t.Fatalf("len = %d, want %d", got, want)
	}
	for i, m := range list {
		if m.Status != Missing {
			t.Errorf("%s: Status = %s, want missing", m.Name, m.Status)
		}
		if m.Extra {
			t.Errorf("%s: Extra on a guide material", m.Name)
		}
		if m.Name != guide[i].Name || m.Form != guide[i].Form || m.Requirement != guide[i].Requirement || m.Note != guide[i].Note {
			t.Errorf("material %d = %+v, want it to match %+v", i, m.GuideMaterial, guide[i])
		}
	}
	if got, want := list[4].Count, 1; got != want {
		t.Errorf("count 0 read as %d, want %d", got, want)
	}
	if err := ValidateMaterials(list); err != nil {
		t.Errorf("ValidateMaterials(checklist): %v", err)
	}
	empty, err := Checklist(nil)
	if err != nil || len(empty) != 0 {
		t.Errorf("Checklist(nil) = %v, %v", empty, err)
	}
}

func TestChecklistErrors(t *testing.T) {
	ok := GuideMaterial{Name: "居民身份证", Form: FormOriginal, Count: 1, Requirement: Required}
	tests := []struct {
		name  string
		guide []GuideMaterial
	}{
		{"empty name", []GuideMaterial{{Name: " ", Form: FormCopy, Requirement: Required}}},
		{"duplicate", []GuideMaterial{ok, ok}},
		{"duplicate after trimming", []GuideMaterial{ok, {Name: " 居民身份证 ", Form: FormCopy, Requirement: Optional}}},
		{"unknown form", []GuideMaterial{{Name: "户口簿", Form: "scan", Requirement: Required}}},
		{"unknown requirement", []GuideMaterial{{Name: "户口簿", Form: FormCopy, Requirement: "sometimes"}}},
		{"negative count", []GuideMaterial{{Name: "户口簿", Form: FormCopy, Count: -1, Requirement: Required}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Checklist(tt.guide); !errors.Is(err, ErrMaterial) {
				t.Errorf("Checklist error = %v, want ErrMaterial", err)
			}
		})
	}
}

func TestSetStatus(t *testing.T) {
	list := mustChecklist(t)
	tests := []struct {
		name     string
		material string
		status   MaterialStatus
		err      error
	}{
		{"receive required", "居民身份证", Received, nil},
		{"defer deferrable", "银行卡", Deferred, nil},
		{"receive deferrable", "银行卡", Received, nil},
		{"back to missing", "居民身份证", Missing, nil},
		{"receive optional", "委托书", Received, nil},
		{"name with spaces", " 居民身份证 ", Received, nil},
		{"defer required", "居民身份证", Deferred, ErrNotDeferrable},
		{"defer optional", "委托书", Deferred, ErrNotDeferrable},
		{"unknown material", "户口簿", Received, ErrNoSuchMaterial},
		{"unknown status", "居民身份证", "lost", ErrMaterial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetStatus(list, tt.material, tt.status)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Errorf("SetStatus error = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(got, func(m Material) bool { return m.Name == strings.TrimSpace(tt.material) })
			if got, want := got[i].Status, tt.status; got != want {
				t.Errorf("Status = %s, want %s", got, want)
			}
			if list[i].Status != Missing {
				t.Error("SetStatus modified its input")
			}
		})
	}
}

func TestAddExtra(t *testing.T) {
	list := mustChecklist(t)
	extra := GuideMaterial{Name: "户口簿", Form: FormCopy, Count: 1, Requirement: Required}

	if _, err := AddExtra(list, extra, "  "); !errors.Is(err, ErrExtraReason) {
		t.Errorf("AddExtra without reason error = %v, want ErrExtraReason", err)
	}
	if _, err := AddExtra(list, GuideMaterial{Name: "居民身份证", Form: FormCopy}, "复核"); !errors.Is(err, ErrMaterial) {
		t.Errorf("AddExtra of a guide material error = %v, want ErrMaterial", err)
	}
	if _, err := AddExtra(list, GuideMaterial{Name: "户口簿", Form: "paper"}, "复核"); !errors.Is(err, ErrMaterial) {
		t.Errorf("AddExtra with bad form error = %v, want ErrMaterial", err)
	}

	got, err := AddExtra(list, extra, " 申请人身份证件信息与系统不一致，需核对户籍 ")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(got), len(list)+1; got != want {
		t.Fatalf("len = %d, want %d", got, want)
	}
	m := got[len(got)-1]
	if !m.Extra || m.ExtraReason != "申请人身份证件信息与系统不一致，需核对户籍" || m.Requirement != Optional || m.Status != Missing {
		t.Errorf("extra material = %+v", m)
	}
	if got, want := Names(Extras(got)), []string{"户口簿"}; !slices.Equal(got, want) {
		t.Errorf("Extras = %v, want %v", got, want)
	}
	if len(Extras(list)) != 0 {
		t.Error("AddExtra modified its input")
	}
	// An extra material never blocks.
	all := withStatuses(t, got, map[string]MaterialStatus{"居民身份证": Received, "解除劳动合同证明": Received, "银行卡": Received, "一寸照片": Received})
	if b := CompletionBlockers(all); len(b) != 0 {
		t.Errorf("CompletionBlockers = %v, want none (the extra material does not block)", Names(b))
	}
	if err := ValidateMaterials(all); err != nil {
		t.Errorf("ValidateMaterials: %v", err)
	}
	// It can be received, not deferred.
	if _, err := SetStatus(got, "户口簿", Deferred); !errors.Is(err, ErrNotDeferrable) {
		t.Errorf("deferring an extra material error = %v, want ErrNotDeferrable", err)
	}
}

func TestBlockers(t *testing.T) {
	tests := []struct {
		name       string
		statuses   map[string]MaterialStatus
		review     []string
		completion []string
	}{
		{
			name:       "nothing received",
			statuses:   nil,
			review:     []string{"居民身份证", "解除劳动合同证明", "银行卡", "一寸照片"},
			completion: []string{"居民身份证", "解除劳动合同证明", "银行卡", "一寸照片"},
		},
		{
			name:       "all required received, deferrable deferred",
			statuses:   map[string]MaterialStatus{"居民身份证": Received, "解除劳动合同证明": Received, "一寸照片": Received, "银行卡": Deferred},
			review:     nil,
			completion: []string{"银行卡"},
		},
		{
			name:       "deferrable missing blocks review",
			statuses:   map[string]MaterialStatus{"居民身份证": Received, "解除劳动合同证明": Received, "一寸照片": Received},
			review:     []string{"银行卡"},
			completion: []string{"银行卡"},
		},
		{
			name:       "everything but the optional one",
			statuses:   map[string]MaterialStatus{"居民身份证": Received, "解除劳动合同证明": Received, "一寸照片": Received, "银行卡": Received},
			review:     nil,
			completion: nil,
		},
		{
			name:       "one required missing",
			statuses:   map[string]MaterialStatus{"居民身份证": Received, "一寸照片": Received, "银行卡": Received},
			review:     []string{"解除劳动合同证明"},
			completion: []string{"解除劳动合同证明"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := withStatuses(t, mustChecklist(t), tt.statuses)
			if got := Names(ReviewBlockers(list)); !slices.Equal(got, tt.review) && !(len(got) == 0 && len(tt.review) == 0) {
				t.Errorf("ReviewBlockers = %v, want %v", got, tt.review)
			}
			if got := Names(CompletionBlockers(list)); !slices.Equal(got, tt.completion) && !(len(got) == 0 && len(tt.completion) == 0) {
				t.Errorf("CompletionBlockers = %v, want %v", got, tt.completion)
			}
		})
	}
}

func TestValidateMaterials(t *testing.T) {
	base := mustChecklist(t)
	tests := []struct {
		name   string
		modify func([]Material) []Material
		err    error
	}{
		{"duplicate", func(l []Material) []Material { return append(l, l[0]) }, ErrMaterial},
		{"unknown status", func(l []Material) []Material { l[0].Status = "lost"; return l }, ErrMaterial},
		{"empty status", func(l []Material) []Material { l[0].Status = ""; return l }, ErrMaterial},
		{"deferred required", func(l []Material) []Material { l[0].Status = Deferred; return l }, ErrNotDeferrable},
		{"extra without reason", func(l []Material) []Material {
			return append(l, Material{GuideMaterial: GuideMaterial{Name: "户口簿", Form: FormCopy, Count: 1, Requirement: Optional}, Status: Missing, Extra: true})
		}, ErrExtraReason},
		{"name with space", func(l []Material) []Material { l[0].Name = " 居民身份证"; return l }, ErrMaterial},
		{"bad form", func(l []Material) []Material { l[0].Form = ""; return l }, ErrMaterial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := tt.modify(cloneMaterials(base))
			if err := ValidateMaterials(list); !errors.Is(err, tt.err) {
				t.Errorf("ValidateMaterials error = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestMaterialsErrorMessage(t *testing.T) {
	err := &MaterialsError{To: Completed, Names: []string{"银行卡", "一寸照片"}}
	if got, want := err.Error(), "cases: cannot go to completed: materials not received: 银行卡、一寸照片"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrMaterialsIncomplete) {
		t.Error("errors.Is(MaterialsError, ErrMaterialsIncomplete) = false")
	}
}

func TestEnumValidity(t *testing.T) {
	for _, f := range []Form{FormOriginal, FormCopy, FormOriginalAndCopy, FormElectronic} {
		if !f.Valid() {
			t.Errorf("%q.Valid() = false", f)
		}
	}
	for _, r := range []Requirement{Required, Optional, Deferrable} {
		if !r.Valid() {
			t.Errorf("%q.Valid() = false", r)
		}
	}
	for _, s := range []MaterialStatus{Received, Missing, Deferred} {
		if !s.Valid() {
			t.Errorf("%q.Valid() = false", s)
		}
	}
	if Form("scan").Valid() || Requirement("").Valid() || MaterialStatus("lost").Valid() {
		t.Error("an undefined value is valid")
	}
}
