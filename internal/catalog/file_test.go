package catalog

import (
	"errors"
	"strings"
	"testing"
)

// itemJSON is the canonical JSON of one valid demo item.
func itemJSON(t *testing.T, name string) string {
	t.Helper()
	b, err := Marshal([]Item{validItem(t, name)})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	return s[strings.Index(s, "[")+1 : strings.LastIndex(s, "]")]
}

func parseProblems(t *testing.T, data string) ([]Item, Problems) {
	t.Helper()
	items, err := ParseFile([]byte(data))
	if err == nil {
		return items, nil
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("ParseFile error %T is not Problems: %v", err, err)
	}
	return items, ps
}

func TestParseFileFileLevel(t *testing.T) {
	tests := []struct {
		name, data string
		field, key string
	}{
		{"syntax", `{"format": "mingbai-catalog/1", "items": [`, "", KeyBadJSON},
		{"empty", ``, "", KeyBadJSON},
		{"not an object", `[]`, "", KeyBadType},
		{"missing format", `{"items": []}`, "format", KeyRequired},
		{"wrong format", `{"format": "mingbai-catalog/2", "items": []}`, "format", KeyBadFormat},
		{"format not a string", `{"format": 1, "items": []}`, "format", KeyBadType},
		{"missing items", `{"format": "mingbai-catalog/1"}`, "items", KeyRequired},
		{"items not a list", `{"format": "mingbai-catalog/1", "items": {}}`, "items", KeyBadType},
		{"unknown field", `{"format": "mingbai-catalog/1", "items": [], "version": 2}`, "version", KeyUnknownField},
		{"duplicate key", `{"format": "mingbai-catalog/1", "items": [], "items": []}`, "items", KeyDuplicateKey},
		{"trailing data", `{"format": "mingbai-catalog/1", "items": []} {}`, "", KeyTrailingData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := parseProblems(t, tt.data)
			if len(ps) != 1 || !hasProblem(ps, -1, "", tt.field, tt.key) {
				t.Fatalf("want only file problem %q %s, got %v", tt.field, tt.key, ps)
			}
		})
	}
}

func TestParseFileEmpty(t *testing.T) {
	items, err := ParseFile([]byte(`{"format": "mingbai-catalog/1", "items": []}`))
	if err != nil || len(items) != 0 {
		t.Fatalf("got %v, %v", items, err)
	}
	out, err := Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "{\n  \"format\": \"mingbai-catalog/1\",\n  \"items\": []\n}\n"; got != want {
		t.Fatalf("Marshal(nil) = %q, want %q", got, want)
	}
}

// TestParseFileShape reports every shape problem of an item at once, with the
// item's code and the field path.
func TestParseFileShape(t *testing.T) {
	good := itemJSON(t, "就业登记")
	bad := good
	for _, r := range [][2]string{
		{`"count": 1,`, `"count": "1", "fom": "copy",`},                                                     // materials[0]
		{`"appointment": true,`, `"appointment": "yes",`},                                                   // bool
		{`"amount_yuan": 0,`, `"amount_yuan": 0.125,`},                                                      // three decimals
		{`"aliases": [`, `"alias": 1, "aliases": [`},                                                        // unknown top-level field
		{`"visits_on_site": 1,`, `"visits_on_site": 1.5,`},                                                  // not an integer
		{`"summary": "`, `"faq": [], "summary": "`},                                                         // duplicate key
		{`"legal_basis": [`, `"legal_basis": [{"title": "《劳动法》", "art": "1"}, `},                            // nested unknown
		{`"steps": [`, `"steps": [null, `},                                                                  // null entry
		{`"pledged_limit": {`, `"pledged_limit": {"value": 0, "unit": "working_days", "note": ""}, "x": {`}, // unknown object
	} {
		if !strings.Contains(bad, r[0]) {
			t.Fatalf("fixture lacks %s", r[0])
		}
		bad = strings.Replace(bad, r[0], r[1], 1)
	}
	data := `{"format": "mingbai-catalog/1", "items": [` + good + `,` + bad + `]}`
	items, ps := parseProblems(t, data)
	if len(items) != 2 {
		t.Fatalf("got %d items, want 2", len(items))
	}
	for _, w := range []want{
		{"materials[0].count", KeyBadType},
		{"materials[0].fom", KeyUnknownField},
		{"appointment", KeyBadType},
		{"fee.amount_yuan", KeyBadType},
		{"alias", KeyUnknownField},
		{"visits_on_site", KeyBadType},
		{"faq", KeyDuplicateKey},
		{"legal_basis[0].art", KeyUnknownField},
		{"steps[0]", KeyBadType},
		{"x", KeyUnknownField},
	} {
		if !hasProblem(ps, 1, "RS-A-001", w.field, w.key) {
			t.Errorf("missing problem RS-A-001 %s %s", w.field, w.key)
		}
	}
	if len(ps) != 10 {
		t.Errorf("got %d problems, want 10:\n%v", len(ps), ps)
	}
	// The well-formed fields still decode, for validation.
	if items[1].Name != "就业登记" || len(items[1].Materials) != 3 || items[1].Materials[0].Name != "居民身份证" {
		t.Errorf("best-effort decode lost fields: %+v", items[1])
	}
}

// TestLoadNoEcho checks that a value reported as mistyped is not reported
// again by validation (a string count is not also "count out of range").
func TestLoadNoEcho(t *testing.T) {
	bad := strings.Replace(itemJSON(t, "就业登记"), `"count": 1,`, `"count": "1",`, 1)
	_, err := Load([]byte(`{"format": "mingbai-catalog/1", "items": [`+bad+`, null]}`), StandardZones)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %v", err)
	}
	if len(ps) != 2 || !hasProblem(ps, 0, "RS-A-001", "materials[0].count", KeyBadType) || !hasProblem(ps, 1, "", "", KeyBadType) {
		t.Fatalf("want one type problem per item, got:\n%v", ps)
	}
}

func TestMarshalSortsAndFillsLists(t *testing.T) {
	a, b := validItem(t, "失业登记"), validItem(t, "就业登记")
	b.FAQ, b.Aliases = nil, nil
	out, err := Marshal([]Item{a, b})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Index(s, "RS-A-001") > strings.Index(s, "RS-A-002") {
		t.Error("items not sorted by code")
	}
	if strings.Contains(s, `"aliases": null`) || strings.Contains(s, `"faq": null`) || !strings.Contains(s, `"aliases": [],`) {
		t.Error("nil lists not written as []")
	}
	if !strings.Contains(s, `"statutory_limit": null,`) {
		t.Error("absent statutory limit not written as null")
	}
	if strings.Contains(s, `\u003c`) || strings.Contains(s, `\u0026`) {
		t.Error("HTML escaping in output")
	}
	items, err := ParseFile(out)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Marshal(items)
	if string(again) != s {
		t.Error("Marshal output does not round-trip")
	}
}
