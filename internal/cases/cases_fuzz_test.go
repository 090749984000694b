package cases

import (
	"strings"
	"testing"
)

// FuzzParseNumber: an accepted case number formats back to the normalised
// input (upper case, trimmed), and parsing that gives the same number.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"CQ-20261202-00001", " cq-20261202-00042 ", "CQ-20260229-00001", "CQ-20261202-00000", "CQ-20261202-100000", "ABCDEFGHIJKLMNOPQ-20261202-00001", "--", "CQ-2026120-00001", "Ｃ-20261202-00001", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		text := n.String()
		if text != strings.ToUpper(strings.TrimSpace(s)) {
			t.Fatalf("%q → %+v → %q", s, n, text)
		}
		again, err := ParseNumber(text)
		if err != nil || again != n {
			t.Fatalf("%q reparsed: %+v, %v", text, again, err)
		}
	})
}
