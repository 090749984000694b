package pii

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzNow is a fixed "today" so that a corpus entry means the same on
// every run.
var fuzzNow = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// FuzzParseIDNumber: any text either fails with one of the documented
// errors or gives a normalised 18-character number that parses to itself,
// whose check character agrees, whose birth date is real and not in the
// future, and whose mask hides the 8 birth-date characters.
func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "110105 19491231 002X", "１１０１０５１９４９１２３１００２Ｘ",
		"440524188001010014", "110105491231002", "11010520991231002X", "110105194902300021", "", "X", "11010519491231002Ⅹ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIDNumberAt(s, fuzzNow)
		if err != nil {
			if id != "" {
				t.Fatalf("error %v with a result %q", err, id.Plain())
			}
			return
		}
		p := id.Plain()
		if len(p) != 18 {
			t.Fatalf("%q → %q: not 18 characters", s, p)
		}
		again, err := ParseIDNumberAt(p, fuzzNow)
		if err != nil || again != id {
			t.Fatalf("normalised %q does not parse to itself: %q, %v", p, again.Plain(), err)
		}
		if c, err := IDCheckCharacter(p[:17]); err != nil || c != p[17] {
			t.Fatalf("%q: check character %q, %v", p, c, err)
		}
		if b := id.BirthDate(); b.IsZero() || b.After(fuzzNow) || b.Year() < minBirthYear {
			t.Fatalf("%q: birth date %v", p, b)
		}
		if id.Gender() != Male && id.Gender() != Female {
			t.Fatalf("%q: gender %q", p, id.Gender())
		}
		m := id.String()
		if m != p[:6]+"********"+p[14:] || strings.Contains(m, p[6:14]) && p[6:14] != "********" {
			t.Fatalf("%q masked as %q", p, m)
		}
		if id.LastFour() != LastFour(s) {
			t.Fatalf("%q: LastFour %q, of the input %q", p, id.LastFour(), LastFour(s))
		}
	})
}

// FuzzNormalizeMobile: a valid number is 11 ASCII digits starting 13–19,
// normalising is idempotent, and its mask hides digits 4 to 7.
func FuzzNormalizeMobile(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "008613812345678", "8613812345678", "１３８１２３４５６７８", "1381234567", "12812345678", "+86", "", "86"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeMobile(s)
		if err != nil {
			return
		}
		if len(n) != 11 || n[0] != '1' || n[1] < '3' || n[1] > '9' || strings.Trim(n, "0123456789") != "" {
			t.Fatalf("%q → %q: not a mobile number", s, n)
		}
		if again, err := NormalizeMobile(n); err != nil || again != n {
			t.Fatalf("normalising %q again: %q, %v", n, again, err)
		}
		if m := MaskMobile(s); m != n[:3]+"****"+n[7:] {
			t.Fatalf("%q masked as %q", s, m)
		}
	})
}

// FuzzNormalizeCreditCode: a valid code is 18 characters of the GB 32100
// alphabet with a matching check character, and normalising is idempotent.
func FuzzNormalizeCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91350100m000100y43", "9135-0100-M000-100Y-43", "91350100M000100Y44", "91350100I000100Y43", "", "ＡＢ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeCreditCode(s)
		if err != nil {
			if n != "" {
				t.Fatalf("error %v with a result %q", err, n)
			}
			return
		}
		if len(n) != 18 || strings.Trim(n, creditAlphabet) != "" {
			t.Fatalf("%q → %q: not a credit code", s, n)
		}
		if c, err := CreditCodeCheckCharacter(n[:17]); err != nil || c != n[17] {
			t.Fatalf("%q: check character %q, %v", n, c, err)
		}
		if again, err := NormalizeCreditCode(n); err != nil || again != n {
			t.Fatalf("normalising %q again: %q, %v", n, again, err)
		}
	})
}

// FuzzMasks: on any text the masks keep the rune count of the cleaned
// text, show only characters of the input in their places, and hide at
// least 5 characters of an ID number and 3 of a mobile number (or all).
func FuzzMasks(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "13812345678", "+86 138-1234-5678", "王小菲", "欧阳小菲", "王", "", "1234567890X", "abc\x00def", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(what, clean, masked string, minHidden int) {
			c, m := []rune(clean), []rune(masked)
			if len(c) != len(m) {
				t.Fatalf("%s(%q) = %q: %d runes for %d", what, s, masked, len(m), len(c))
			}
			hidden := 0
			for i := range m {
				if m[i] == '*' {
					hidden++
				} else if m[i] != c[i] {
					t.Fatalf("%s(%q) = %q: rune %d is not the input's", what, s, masked, i)
				}
			}
			if hidden < minHidden && hidden < len(c) {
				t.Fatalf("%s(%q) = %q hides only %d characters", what, s, masked, hidden)
			}
		}
		check("MaskIDNumber", strings.ToUpper(strip(s, "-")), MaskIDNumber(s), 5)
		mob := strip(s, "-")
		if n, err := NormalizeMobile(s); err == nil {
			mob = n
		}
		check("MaskMobile", mob, MaskMobile(s), 3)
		name := strings.TrimSpace(s)
		if utf8.RuneCountInString(name) > 1 {
			check("MaskName", name, MaskName(s), utf8.RuneCountInString(name)-2)
		}
		if lf := LastFour(s); lf != "" && !strings.HasSuffix(strings.ToUpper(strip(s, "-")), lf) {
			t.Fatalf("LastFour(%q) = %q", s, lf)
		}
	})
}

// FuzzSealer: sealing round-trips any value; opening arbitrary bytes
// never panics and a failed open returns no data; flipping any one byte of
// a real ciphertext is detected.
func FuzzSealer(f *testing.F) {
	ring, err := ParseKeyring("root:" + strings.Repeat("ab", 32))
	if err != nil {
		f.Fatal(err)
	}
	s, err := NewSealer(ring)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("11010519491231002X"), []byte{}, uint(0))
	f.Add([]byte(""), []byte{1, 1, 0, 0}, uint(3))
	f.Add([]byte("王小菲"), s.Seal([]byte("x")), uint(20))
	f.Fuzz(func(t *testing.T, plain, junk []byte, flip uint) {
		c := s.Seal(plain)
		got, err := s.Open(c)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip of %q: %q, %v", plain, got, err)
		}
		if str, err := s.OpenString(s.SealString(string(plain))); err != nil || str != string(plain) {
			t.Fatalf("string round trip of %q: %q, %v", plain, str, err)
		}
		if out, err := s.Open(junk); err != nil && out != nil {
			t.Fatalf("failed open of %x returned data %q", junk, out)
		}
		_, _ = s.OpenString(string(junk))
		bad := bytes.Clone(c)
		bad[flip%uint(len(bad))] ^= 0x01
		if _, err := s.Open(bad); err == nil {
			t.Fatalf("flipped byte %d of a ciphertext went unnoticed", flip%uint(len(bad)))
		}
	})
}

// FuzzParseKeyring: any key text either fails with ErrKeyring or gives a
// ring a Sealer can use.
func FuzzParseKeyring(f *testing.F) {
	for _, s := range []string{"root:" + strings.Repeat("ab", 32), strings.Repeat("ab", 32), "1:" + strings.Repeat("cd", 32) + ";lookup:" + strings.Repeat("ef", 32),
		"# comment\nroot: zz", "256:aa", "root:aa;root:aa", "", ";;;", "0:" + strings.Repeat("ab", 32)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		k, err := ParseKeyring(text)
		if err != nil {
			return
		}
		s, err := NewSealer(k)
		if err != nil {
			return // e.g. a lookup key without an encryption key
		}
		if got, err := s.OpenString(s.SealString("13812345678")); err != nil || got != "13812345678" {
			t.Fatalf("ring from %q does not round-trip: %q, %v", text, got, err)
		}
	})
}
