package consult

import (
	"testing"
)

// FuzzKeywords: the FAQ editor's keyword list survives a round trip
// through its text format, and normalising is idempotent.
func FuzzKeywords(f *testing.F) {
	for _, s := range []string{"落户\n=档案", "  ＡＢＣ  \n\n=", "==x", "毕业生？\n就业。", "\xff\n\x00", "＝", "＝＝落户", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ks := ParseKeywords(s)
		for _, k := range ks {
			if k.Text == "" || Normalize(k.Text) != k.Text {
				t.Fatalf("keyword %q of %q is not normalised (%q)", k.Text, s, Normalize(k.Text))
			}
		}
		back := ParseKeywords(FormatKeywords(ks))
		if len(back) != len(ks) {
			t.Fatalf("%q: %v → %q → %v", s, ks, FormatKeywords(ks), back)
		}
		for i := range ks {
			if back[i] != ks[i] {
				t.Fatalf("%q: keyword %d %+v came back as %+v", s, i, ks[i], back[i])
			}
		}
	})
}
