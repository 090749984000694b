package catalog

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
)

var (
	demoOnce   sync.Once
	demoCached []Item
)

// validItem returns a deep copy of a demo item that passes Validate.
func validItem(t testing.TB, name string) Item {
	t.Helper()
	demoOnce.Do(func() { demoCached = mustDemo(t) })
	return clone(t, demoByName(t, demoCached, name))
}

func clone(t testing.TB, it Item) Item {
	t.Helper()
	b, err := json.Marshal(it)
	if err != nil {
		t.Fatal(err)
	}
	var c Item
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

type want struct{ field, key string }

func hasProblem(ps Problems, index int, item, field, key string) bool {
	for _, p := range ps {
		if p.Index == index && p.Item == item && p.Field == field && p.Key == key {
			return true
		}
	}
	return false
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name   string
		base   string
		mutate func(*Item)
		want   []want
	}{
		{"missing name", "就业登记", func(it *Item) { it.Name = "" }, []want{{"name", KeyRequired}}},
		{"missing code", "就业登记", func(it *Item) { it.Code = "" }, []want{{"code", KeyRequired}}},
		{"bad code", "就业登记", func(it *Item) { it.Code = "RS-a-1" }, []want{{"code", KeyBadCode}}},
		{"unknown zone", "就业登记", func(it *Item) { it.Zone = "lobby" }, []want{{"zone", KeyUnknownZone}}},
		{"bad category", "就业登记", func(it *Item) { it.Category = "行政确认" }, []want{{"category", KeyBadEnum}}},
		{"bad handling", "就业登记", func(it *Item) { it.Handling = "fast" }, []want{{"handling", KeyBadEnum}}},
		{"bad material form", "就业登记", func(it *Item) { it.Materials[1].Form = "scan" }, []want{{"materials[1].form", KeyBadEnum}}},
		{"bad requirement", "就业登记", func(it *Item) { it.Materials[2].Requirement = "must" }, []want{{"materials[2].requirement", KeyBadEnum}}},
		{"negative count", "就业登记", func(it *Item) { it.Materials[0].Count = -1 }, []want{{"materials[0].count", KeyNegative}}},
		{"zero count", "就业登记", func(it *Item) { it.Materials[0].Count = 0 }, []want{{"materials[0].count", KeyOutOfRange}}},
		{"duplicate material", "就业登记", func(it *Item) { it.Materials[1].Name = it.Materials[0].Name }, []want{{"materials[1].name", KeyDuplicateValue}}},
		{"bad unit", "就业困难人员认定", func(it *Item) { it.PledgedLimit.Unit = "weeks" }, []want{{"pledged_limit.unit", KeyBadUnit}}},
		{"missing unit", "就业困难人员认定", func(it *Item) { it.PledgedLimit.Unit = "" }, []want{{"pledged_limit.unit", KeyRequired}}},
		{"negative limit", "就业困难人员认定", func(it *Item) { it.PledgedLimit.Value = -3 }, []want{{"pledged_limit.value", KeyNegative}}},
		{"pledged over statutory", "养老保险关系转移接续", func(it *Item) { it.PledgedLimit.Value = 46 }, []want{{"pledged_limit", KeyPledgedExceeds}}},
		{"pledged working days over calendar statutory", "工伤认定申请", func(it *Item) { it.PledgedLimit.Value = 40 }, []want{{"pledged_limit", KeyPledgedExceeds}}},
		{"instant with a limit", "就业登记", func(it *Item) { it.PledgedLimit.Value = 3 }, []want{{"pledged_limit.value", KeyInstantNotZero}}},
		{"pledged with zero", "就业困难人员认定", func(it *Item) { it.PledgedLimit.Value = 0 }, []want{{"pledged_limit.value", KeyPledgedZero}}},
		{"extension without statutory", "劳动人事争议仲裁申请", func(it *Item) { it.StatutoryLimit = nil }, []want{{"extension", KeyExtensionAlone}}},
		{"zero extension", "劳动人事争议仲裁申请", func(it *Item) { it.Extension.Value = 0 }, []want{{"extension.value", KeyOutOfRange}}},
		{"fee amount when free", "就业登记", func(it *Item) { it.Fee.AmountYuan = 500 }, []want{{"fee.amount_yuan", KeyFeeWhenFree}}},
		{"charged case when free", "就业登记", func(it *Item) { it.Fee.ChargedWhen = "遗失" }, []want{{"fee.charged_when", KeyFeeWhenFree}}},
		{"charged without amount and basis", "就业登记", func(it *Item) { it.Fee.Free = false },
			[]want{{"fee.amount_yuan", KeyFeeAmountMissing}, {"fee.basis", KeyFeeBasisMissing}}},
		{"negative fee", "社会保障卡补换", func(it *Item) { it.Fee.AmountYuan = -100 }, []want{{"fee.amount_yuan", KeyNegative}}},
		{"bad date", "就业登记", func(it *Item) { it.EffectiveDate = "2026-02-30" }, []want{{"effective_date", KeyBadDate}}},
		{"date format", "就业登记", func(it *Item) { it.EffectiveDate = "2026/01/01" }, []want{{"effective_date", KeyBadDate}}},
		{"missing date", "就业登记", func(it *Item) { it.EffectiveDate = "" }, []want{{"effective_date", KeyRequired}}},
		{"too long name", "就业登记", func(it *Item) { it.Name = strings.Repeat("长", MaxNameLen+1) }, []want{{"name", KeyTooLong}}},
		{"untrimmed alias", "就业登记", func(it *Item) { it.Aliases[0] = " 就业备案" }, []want{{"aliases[0]", KeyBadText}}},
		{"control character", "就业登记", func(it *Item) { it.Name = "就业\n登记" }, []want{{"name", KeyBadText}}},
		{"alias is name", "就业登记", func(it *Item) { it.Aliases = append(it.Aliases, it.Name) }, []want{{"aliases[3]", KeyAliasIsName}}},
		{"duplicate alias", "就业登记", func(it *Item) { it.Aliases = append(it.Aliases, it.Aliases[0]) }, []want{{"aliases[3]", KeyDuplicateValue}}},
		{"too many aliases", "就业登记", func(it *Item) {
			for i := 0; len(it.Aliases) <= MaxAliases; i++ {
				it.Aliases = append(it.Aliases, "别名"+string(rune('甲'+i)))
			}
		}, []want{{"aliases", KeyTooMany}}},
		{"no steps", "就业登记", func(it *Item) { it.Steps = nil }, []want{{"steps", KeyRequired}}},
		{"no legal basis", "就业登记", func(it *Item) { it.LegalBasis = nil }, []want{{"legal_basis", KeyRequired}}},
		{"bad phone", "就业登记", func(it *Item) { it.ConsultPhones[1] = "87212301" }, []want{{"consult_phones[1]", KeyBadPhone}}},
		{"no complaint phone", "就业登记", func(it *Item) { it.ComplaintPhones = nil }, []want{{"complaint_phones", KeyRequired}}},
		{"bad delivery", "就业登记", func(it *Item) { it.Delivery = []Delivery{"fax"} }, []want{{"delivery[0]", KeyBadEnum}}},
		{"duplicate delivery", "就业登记", func(it *Item) { it.Delivery = []Delivery{"mail", "mail"} }, []want{{"delivery[1]", KeyDuplicateValue}}},
		{"negative visits", "就业登记", func(it *Item) { it.VisitsOnSite = -1 }, []want{{"visits_on_site", KeyNegative}}},
		{"too many visits", "就业登记", func(it *Item) { it.VisitsOnSite = MaxVisits + 1 }, []want{{"visits_on_site", KeyOutOfRange}}},
		{"no visits but offline", "就业登记", func(it *Item) { it.VisitsOnSite, it.Online = 0, Online{} }, []want{{"visits_on_site", KeyNoVisitsOffline}}},
		{"online without channel", "就业登记", func(it *Item) { it.Online.How = "" }, []want{{"online.how", KeyOnlineHowMissing}}},
		{"channel while offline", "就业登记", func(it *Item) { it.Online.Available = false }, []want{{"online.how", KeyOnlineHowOffline}}},
		{"missing FAQ answer", "就业登记", func(it *Item) { it.FAQ[1].A = "" }, []want{{"faq[1].a", KeyRequired}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := validItem(t, tt.base)
			tt.mutate(&it)
			ps := Validate([]Item{it}, StandardZones)
			for _, w := range tt.want {
				code := it.Code
				if !hasProblem(ps, 0, code, w.field, w.key) {
					t.Errorf("want problem %s %s %s, got %v", code, w.field, w.key, ps)
				}
			}
			if len(ps) != len(tt.want) {
				t.Errorf("got %d problems, want %d: %v", len(ps), len(tt.want), ps)
			}
			for _, p := range ps {
				if p.En == "" || p.Zh == "" || strings.Contains(p.En+p.Zh, "{") {
					t.Errorf("problem %+v has an unrendered message", p)
				}
			}
		})
	}
}

func TestValidateDuplicateCode(t *testing.T) {
	a, b := validItem(t, "就业登记"), validItem(t, "失业登记")
	b.Code = a.Code
	ps := Validate([]Item{a, b}, StandardZones)
	if len(ps) != 1 || !hasProblem(ps, 1, a.Code, "code", KeyDuplicateCode) || ps[0].Args["first"] != "0" {
		t.Fatalf("got %v", ps)
	}
}

func TestValidateNil(t *testing.T) {
	if ps := Validate(nil, StandardZones); ps != nil {
		t.Fatalf("Validate(nil) = %v", ps)
	}
	if err := Problems(nil).Err(); err != nil {
		t.Fatalf("nil Problems as error = %v", err)
	}
}

func TestValidateZeroItem(t *testing.T) {
	ps := Validate([]Item{{}}, StandardZones)
	for _, f := range []string{"code", "name", "name_en", "zone", "department", "category", "handling",
		"legal_basis", "target_group", "steps", "pledged_limit.unit", "location", "hours",
		"consult_phones", "complaint_phones", "delivery", "effective_date"} {
		if !hasProblem(ps, 0, "", f, KeyRequired) {
			t.Errorf("no required problem for %s", f)
		}
	}
	if !strings.Contains(ps.Error(), "items[0] name: is required") {
		t.Errorf("Error() does not name the item by index:\n%s", ps.Error())
	}
}

// TestLoadBrokenVariants breaks one demo item per rule in a single file and
// expects every problem at once, each naming the item's code and the field.
func TestLoadBrokenVariants(t *testing.T) {
	var doc struct {
		Format string           `json:"format"`
		Items  []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(DemoJSON, &doc); err != nil {
		t.Fatal(err)
	}
	it := doc.Items
	delete(it[0], "name")                                                                     // RS-A-001: missing field
	it[1]["zone"] = "lobby"                                                                   // RS-A-002: unknown zone
	it[3]["statutory_limit"] = map[string]any{"value": 5, "unit": "working_days", "note": ""} // RS-A-004: pledged 10 > 5
	it[4]["code"] = "RS-A-006"                                                                // duplicates RS-A-006 at index 5
	it[6]["pledged_limit"].(map[string]any)["unit"] = "weeks"                                 // RS-A-007: bad unit
	it[7]["materials"].([]any)[1].(map[string]any)["fom"] = "copy"                            // RS-A-008: unknown field
	it[8]["handling"] = "quick"                                                               // RS-A-009: bad enum
	delete(it[9], "code")                                                                     // no code: named by index
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}

	items, err := Load(data, StandardZones)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load error %v is not Problems", err)
	}
	if len(items) != 66 {
		t.Errorf("Load returned %d items, want all 66 on a best-effort basis", len(items))
	}
	for _, w := range []struct {
		index       int
		code, field string
		key         string
	}{
		{0, "RS-A-001", "name", KeyRequired},
		{1, "RS-A-002", "zone", KeyUnknownZone},
		{3, "RS-A-004", "pledged_limit", KeyPledgedExceeds},
		{5, "RS-A-006", "code", KeyDuplicateCode},
		{6, "RS-A-007", "pledged_limit.unit", KeyBadUnit},
		{7, "RS-A-008", "materials[1].fom", KeyUnknownField},
		{8, "RS-A-009", "handling", KeyBadEnum},
		{9, "", "code", KeyRequired},
	} {
		if !hasProblem(ps, w.index, w.code, w.field, w.key) {
			t.Errorf("missing problem items[%d] %s %s %s", w.index, w.code, w.field, w.key)
		}
	}
	if len(ps) != 8 {
		t.Errorf("got %d problems, want 8:\n%v", len(ps), ps)
	}
	msg := ps.Error()
	for _, s := range []string{"8 catalogue problems:", "RS-A-001 name: is required", "RS-A-002 zone: unknown zone lobby",
		"RS-A-008 materials[1].fom: unknown field fom", "items[9] code: is required", "RS-A-004 pledged_limit: pledged limit 10 working days exceeds the statutory limit 5 working days"} {
		if !strings.Contains(msg, s) {
			t.Errorf("Error() lacks %q:\n%s", s, msg)
		}
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Index < ps[i-1].Index {
			t.Errorf("problems not in item order: %v", ps)
		}
	}
	zh := ""
	for _, p := range ps {
		zh += p.Zh
	}
	if !strings.Contains(zh, "承诺时限10个工作日超过法定时限5个工作日") {
		t.Errorf("Chinese text lacks the limits: %s", zh)
	}
}

// TestValidateDeferredAcceptance: 容缺受理 only for pledged items with a
// material that must be handed in.
func TestValidateDeferredAcceptance(t *testing.T) {
	items, err := ParseFile(DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]Item{}
	for _, it := range items {
		byCode[it.Code] = it
	}
	ok := byCode["RS-B-012"]
	if !ok.DeferredAcceptance {
		t.Fatal("RS-B-012 should allow 容缺受理 in the demo catalogue")
	}
	instant := byCode["RS-B-017"]
	instant.DeferredAcceptance = true
	none := byCode["RS-E-007"]
	none.DeferredAcceptance, none.Handling, none.PledgedLimit.Value = true, Pledged, 1
	ps := Validate([]Item{ok, instant, none}, StandardZones)
	var keys []string
	for _, p := range ps {
		if p.Field == "deferred_acceptance" {
			keys = append(keys, p.Item+" "+p.Key)
		}
	}
	want := []string{"RS-B-017 " + KeyDeferredInstant, "RS-E-007 " + KeyDeferredNoMaterial}
	if len(keys) != 2 || keys[0] != want[0] || keys[1] != want[1] {
		t.Fatalf("problems %v, want %v", keys, want)
	}
}
