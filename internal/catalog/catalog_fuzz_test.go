package catalog

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// FuzzCatalogImport: any file either fails with Problems or loads; a file
// that loads is valid once written canonically (Marshal), reads back to
// the same items, and Marshal of that is byte for byte the same (valid ⇒
// normalised form valid, and the canonical form is a fixed point).
func FuzzCatalogImport(f *testing.F) {
	demo, err := os.ReadFile("demo/catalog.json")
	if err != nil {
		f.Fatal(err)
	}
	var whole file
	if err := json.Unmarshal(demo, &whole); err != nil {
		f.Fatal(err)
	}
	// Seeds: one real item, the first items, and small broken files.
	for _, n := range []int{1, 3} {
		b, err := Marshal(whole.Items[:n])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{``, `{}`, `null`, `{"format":"mingbai-catalog/1","items":[]}`, `{"format":"mingbai-catalog/1","items":[null, 1, "x", {}]}`,
		`{"format":"mingbai-catalog/1","items":[{"code":"RS-A-001","code":"RS-A-002"}]}`, `{"format":"mingbai-catalog/1","items":[{"fee":{"amount_yuan":1e9}}]}`,
		`{"format":"mingbai-catalog/1","items":[{"fee":{"amount_yuan":-0.001}}]}`, `{"format":"x"` + "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		items, err := Load(data, StandardZones)
		if err != nil {
			if _, ok := err.(Problems); !ok {
				t.Fatalf("Load failed with %T %v, want Problems", err, err)
			}
			if _, perr := ParseFile(data); perr == nil && len(Validate(items, StandardZones)) == 0 && items != nil {
				t.Fatalf("Load refused a file that parses and validates: %v", err)
			}
			return
		}
		canon, err := Marshal(items)
		if err != nil {
			t.Fatalf("Marshal of loaded items: %v", err)
		}
		again, err := Load(canon, StandardZones)
		if err != nil {
			t.Fatalf("the canonical form of a valid file does not load: %v\n%s", err, canon)
		}
		canon2, err := Marshal(again)
		if err != nil || !bytes.Equal(canon, canon2) {
			t.Fatalf("canonical form is not a fixed point (%v):\n%s\n----\n%s", err, canon, canon2)
		}
	})
}

// FuzzParseYuan: an accepted amount prints as a number that parses back to
// the same amount, also through JSON.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"20", "20.5", "20.50", "-3.5", "0", "-0", "000001.00", "999999999999.99", "1e3", ".5", "5.", "", "-", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		y, err := ParseYuan(s)
		if err != nil {
			return
		}
		back, err := ParseYuan(y.String())
		if err != nil || back != y {
			t.Fatalf("%q → %d → %q → %d, %v", s, y, y.String(), back, err)
		}
		b, err := json.Marshal(y)
		if err != nil {
			t.Fatal(err)
		}
		var j Yuan
		if err := json.Unmarshal(b, &j); err != nil || j != y {
			t.Fatalf("JSON round trip of %q: %s → %d, %v", s, b, j, err)
		}
	})
}

// FuzzSearchQuery: normalising a query is idempotent and searching with
// it never panics.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"失业保险金", "  社保  ", "ＳＢ", "sb", "RS-B-012", "", "\xff", "%_'\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n := NormalizeQuery(q)
		if NormalizeQuery(n) != n {
			t.Fatalf("NormalizeQuery not idempotent: %q → %q → %q", q, n, NormalizeQuery(n))
		}
	})
}
