package catalog

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite demo/catalog.json in canonical form")

func mustDemo(t testing.TB) []Item {
	t.Helper()
	items, err := DemoItems()
	if err != nil {
		t.Fatalf("DemoItems: %v", err)
	}
	return items
}

func demoByName(t testing.TB, items []Item, name string) Item {
	t.Helper()
	for _, it := range items {
		if it.Name == name {
			return it
		}
	}
	t.Fatalf("demo catalogue has no item %q", name)
	return Item{}
}

func TestDemoRoundTrip(t *testing.T) {
	items, err := ParseFile(DemoJSON)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	out, err := Marshal(items)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if *update {
		if err := os.WriteFile("demo/catalog.json", out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(out, DemoJSON) {
		a, b := string(DemoJSON), string(out)
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		lo := max(0, i-80)
		t.Fatalf("Marshal(ParseFile(demo)) differs from demo/catalog.json at byte %d (run go test -run TestDemoRoundTrip -update):\nfile: %q\nout:  %q",
			i, a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
	}
}

func TestDemoValidates(t *testing.T) {
	items := mustDemo(t)
	if ps := Validate(items, StandardZones); ps != nil {
		t.Fatalf("Validate: %v", ps)
	}
	if got, want := len(items), 66; got != want {
		t.Fatalf("demo has %d items, want %d", got, want)
	}
	perZone := map[string]int{}
	codes := map[string]bool{}
	letter := map[string]string{"employment": "A", "social_insurance": "B", "arbitration": "C", "inspection": "D", "general": "E"}
	for _, it := range items {
		perZone[it.Zone]++
		if codes[it.Code] {
			t.Errorf("duplicate code %s", it.Code)
		}
		codes[it.Code] = true
		if got, want := it.Code[3:4], letter[it.Zone]; got != want {
			t.Errorf("%s: zone %s has letter %s", it.Code, it.Zone, want)
		}
	}
	for _, z := range StandardZones {
		if perZone[z] == 0 {
			t.Errorf("zone %s has no items", z)
		}
	}
	want := map[string]int{"employment": 18, "social_insurance": 26, "arbitration": 7, "inspection": 7, "general": 8}
	for z, n := range want {
		if perZone[z] != n {
			t.Errorf("zone %s has %d items, want %d", z, perZone[z], n)
		}
	}
}

// TestDemoContent pins the facts of DOMAIN-RULES.md that the demo guides
// must state.
func TestDemoContent(t *testing.T) {
	items := mustDemo(t)
	for _, name := range []string{
		"就业登记", "失业登记", "就业困难人员认定", "离校未就业高校毕业生实名登记", "创业担保贷款申请",
		"人事档案接收与转递", "用人单位参保登记", "灵活就业人员参保登记", "养老保险关系转移接续",
		"基本养老金申领", "失业保险金申领", "社会保障卡申领", "社会保障卡补换", "社会保障卡挂失",
		"个人权益记录查询打印", "工伤认定申请", "劳动人事争议仲裁申请", "劳动争议调解申请",
		"劳动保障监察投诉", "劳务派遣行政许可", "特殊工时制度审批",
	} {
		demoByName(t, items, name)
	}

	type limits struct {
		handling             Handling
		pledged              Limit
		statutory, extension *Limit
	}
	lim := func(v int, u Unit) *Limit { return &Limit{Value: v, Unit: u} }
	for name, want := range map[string]limits{
		"离校未就业高校毕业生实名登记": {Instant, Limit{0, WorkingDays, ""}, nil, nil},
		"个人权益记录查询打印":     {Instant, Limit{0, WorkingDays, ""}, nil, nil},
		"养老保险关系转移接续":     {Pledged, Limit{45, WorkingDays, ""}, lim(45, WorkingDays), nil},
		"失业保险金申领":        {Instant, Limit{0, WorkingDays, ""}, lim(10, CalendarDays), nil},
		"社会保障卡补换":        {Pledged, Limit{15, WorkingDays, ""}, nil, nil},
		"工伤认定申请":         {Pledged, Limit{20, WorkingDays, ""}, lim(60, CalendarDays), nil},
		"劳动人事争议仲裁申请":     {Pledged, Limit{45, CalendarDays, ""}, lim(45, CalendarDays), lim(15, CalendarDays)},
		"劳动保障监察投诉":       {Pledged, Limit{45, WorkingDays, ""}, lim(60, WorkingDays), lim(30, WorkingDays)},
	} {
		it := demoByName(t, items, name)
		if it.Handling != want.handling || it.PledgedLimit.Value != want.pledged.Value || it.PledgedLimit.Unit != want.pledged.Unit {
			t.Errorf("%s: handling %s pledged %+v, want %s %+v", name, it.Handling, it.PledgedLimit, want.handling, want.pledged)
		}
		for _, c := range []struct {
			what      string
			got, want *Limit
		}{{"statutory", it.StatutoryLimit, want.statutory}, {"extension", it.Extension, want.extension}} {
			switch {
			case c.want == nil && c.got != nil:
				t.Errorf("%s: %s limit %+v, want none", name, c.what, *c.got)
			case c.want != nil && (c.got == nil || c.got.Value != c.want.Value || c.got.Unit != c.want.Unit):
				t.Errorf("%s: %s limit %v, want %+v", name, c.what, c.got, *c.want)
			}
		}
	}

	// Work injury: 15 days when the facts are clear.
	if n := demoByName(t, items, "工伤认定申请").StatutoryLimit.Note; !strings.Contains(n, "15日") {
		t.Errorf("工伤认定申请: statutory note %q does not mention 15日", n)
	}
	// Arbitration: accept or refuse within 5 days, a step outside the limit.
	arb := demoByName(t, items, "劳动人事争议仲裁申请")
	if !stepOutsideLimit(arb, "5日内") {
		t.Errorf("劳动人事争议仲裁申请: no uncounted acceptance step within 5 days: %+v", arb.Steps)
	}
	insp := demoByName(t, items, "劳动保障监察投诉")
	if !stepOutsideLimit(insp, "5个工作日内") {
		t.Errorf("劳动保障监察投诉: no uncounted acceptance step within 5 working days: %+v", insp.Steps)
	}
	// Pension transfer: three stages of 15 working days.
	if tr := demoByName(t, items, "养老保险关系转移接续"); len(tr.Steps) != 3 || strings.Count(stepsText(tr), "15个工作日") != 3 {
		t.Errorf("养老保险关系转移接续: want three 15-working-day stages, got %+v", tr.Steps)
	}
	// Card replacement: 20 yuan for a lost card only.
	fee := demoByName(t, items, "社会保障卡补换").Fee
	if fee.Free || fee.AmountYuan != 20*100 || !strings.Contains(fee.ChargedWhen, "遗失") || fee.Basis == "" {
		t.Errorf("社会保障卡补换: fee %+v, want 20 yuan charged for a lost card only", fee)
	}
	// Everything else is free.
	for _, it := range items {
		if it.Name != "社会保障卡补换" && !it.Fee.Free {
			t.Errorf("%s %s: charges a fee", it.Code, it.Name)
		}
	}
	// Aliases the brief and DOMAIN-RULES.md name.
	for name, alias := range map[string]string{
		"基本养老金申领": "退休", "失业保险金申领": "失业金",
	} {
		if it := demoByName(t, items, name); !containsString(it.Aliases, alias) {
			t.Errorf("%s: aliases %v lack %s", name, it.Aliases, alias)
		}
	}
	if it := demoByName(t, items, "基本养老金申领"); !containsString(it.Aliases, "养老金") {
		t.Errorf("基本养老金申领: aliases %v lack 养老金", it.Aliases)
	}
	// Aliases are short forms that are not already part of the name; 养老金
	// is kept on 基本养老金申领 because citizens ask for it by that word.
	for _, it := range items {
		for _, a := range it.Aliases {
			if strings.Contains(it.Name, a) && !(it.Name == "基本养老金申领" && a == "养老金") {
				t.Errorf("%s %s: alias %s is part of the name", it.Code, it.Name, a)
			}
		}
	}
	for _, it := range items {
		if strings.Contains(it.Name, "社会保障卡") && !containsString(it.Aliases, "社保卡") {
			t.Errorf("%s %s: a card item without the alias 社保卡", it.Code, it.Name)
		}
	}
}

// TestDemoPhones checks that the numbers are consistent: 12333 everywhere,
// one local consultation number per department, one complaint line.
func TestDemoPhones(t *testing.T) {
	items := mustDemo(t)
	local := map[string]string{}
	complaint := strings.Join(items[0].ComplaintPhones, ",")
	for _, it := range items {
		if len(it.ConsultPhones) != 2 || it.ConsultPhones[0] != "12333" || !strings.HasPrefix(it.ConsultPhones[1], "0531-8") {
			t.Errorf("%s: consult phones %v, want 12333 and a 0531-8 number", it.Code, it.ConsultPhones)
			continue
		}
		if got := strings.Join(it.ComplaintPhones, ","); got != complaint {
			t.Errorf("%s: complaint phones %s, want %s", it.Code, got, complaint)
		}
		if it.Department == "济南市劳动能力鉴定委员会" { // accepted here for the city committee
			continue
		}
		if prev, ok := local[it.Department]; ok && prev != it.ConsultPhones[1] {
			t.Errorf("%s: %s answers on %s here and %s elsewhere", it.Code, it.Department, it.ConsultPhones[1], prev)
		}
		local[it.Department] = it.ConsultPhones[1]
	}
}

func TestDemoItemsFresh(t *testing.T) {
	a := mustDemo(t)
	a[0].Name = "changed"
	if b := mustDemo(t); b[0].Name == "changed" {
		t.Fatal("DemoItems returns shared data")
	}
}

func stepOutsideLimit(it Item, phrase string) bool {
	for _, s := range it.Steps {
		if !s.CountsTowardLimit && strings.Contains(s.Detail, phrase) {
			return true
		}
	}
	return false
}

func stepsText(it Item) string {
	var b strings.Builder
	for _, s := range it.Steps {
		b.WriteString(s.Title + s.Detail)
	}
	return b.String()
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
