package catalog

import (
	"slices"
	"testing"
)

func TestDiffEqual(t *testing.T) {
	a := validItem(t, "劳动人事争议仲裁申请")
	if ch := Diff(a, clone(t, a)); len(ch) != 0 {
		t.Fatalf("equal items differ: %v", ch)
	}
}

func TestDiff(t *testing.T) {
	a := validItem(t, "社会保障卡补换")
	b := clone(t, a)
	b.Name = "社会保障卡补领换领"
	b.PledgedLimit.Value = 10
	b.Fee.AmountYuan = 1550
	b.Appointment = !a.Appointment
	b.StatutoryLimit = &Limit{Value: 20, Unit: WorkingDays}
	b.Aliases = append([]string{"补卡"}, b.Aliases...)           // inserted at the front
	b.Materials[1].Requirement = Required                      // identity kept
	b.Materials = slices.Delete(b.Materials, 2, 3)             // photo removed
	b.Steps[0].Title = "提出申请"                                  // identity changed in place
	b.FAQ = append(b.FAQ, FAQ{Q: "可以邮寄吗？", A: "可以。"})          // appended
	b.Delivery = []Delivery{DeliveryPickup, DeliveryOnTheSpot} // mail dropped

	got := Diff(a, b)
	wantChanges := []Change{
		{Path: "name", Kind: Changed, Old: "社会保障卡补换", New: "社会保障卡补领换领"},
		{Path: "aliases[0]", Kind: Added, New: "补卡"},
		{Path: "materials[1].requirement", Kind: Changed, Old: "optional", New: "required"},
		{Path: "materials[2]", Kind: Removed, Old: `{"name":"本人近期免冠彩色照片","form":"electronic","count":1,"requirement":"required","note":"大厅免费现场采集"}`},
		{Path: "steps[0].title", Kind: Changed, Old: "申请", New: "提出申请"},
		{Path: "statutory_limit", Kind: Added, New: `{"value":20,"unit":"working_days","note":""}`},
		{Path: "pledged_limit.value", Kind: Changed, Old: "15", New: "10"},
		{Path: "fee.amount_yuan", Kind: Changed, Old: "20", New: "15.5"},
		{Path: "appointment", Kind: Changed, Old: "true", New: "false"},
		{Path: "delivery[1]", Kind: Removed, Old: "mail"},
		{Path: "faq[2]", Kind: Added, New: `{"q":"可以邮寄吗？","a":"可以。"}`},
	}
	if !slices.Equal(got, wantChanges) {
		t.Errorf("Diff:\n got %v\nwant %v", got, wantChanges)
	}
	// Reversed, additions become removals.
	back := Diff(b, a)
	if len(back) != len(wantChanges) {
		t.Fatalf("reverse diff has %d changes, want %d: %v", len(back), len(wantChanges), back)
	}
	kinds := map[ChangeKind]int{}
	for _, c := range back {
		kinds[c.Kind]++
	}
	if kinds[Added] != 2 || kinds[Removed] != 3 {
		t.Errorf("reverse diff kinds %v", kinds)
	}
}

func TestDiffListChangedInPlace(t *testing.T) {
	a := validItem(t, "就业登记")
	b := clone(t, a)
	b.Conditions[0] = "劳动者已实现就业"
	got := Diff(a, b)
	if len(got) != 1 || got[0].Path != "conditions[0]" || got[0].Kind != Changed || got[0].New != "劳动者已实现就业" {
		t.Fatalf("got %v", got)
	}
}
