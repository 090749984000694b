package pii

import (
	"errors"
	"strings"
	"testing"
)

// creditCheck computes the GB 32100-2015 check character independently of
// the package: values from a map, weights 3^i mod 31.
func creditCheck(t *testing.T, first17 string) byte {
	t.Helper()
	values := map[rune]int{}
	for i, r := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		values[r] = i
	}
	sum, w := 0, 1
	for _, r := range first17 {
		v, ok := values[r]
		if !ok {
			t.Fatalf("bad test input %q", first17)
		}
		sum += v * w
		w = w * 3 % 31
	}
	c := (31 - sum%31) % 31
	return "0123456789ABCDEFGHJKLMNPQRTUWXY"[c]
}

func TestCreditCodeWeights(t *testing.T) {
	// The standard's weights are 3^i mod 31; the test helper relies on it.
	w := 1
	for i, want := range creditWeights {
		if w != want {
			t.Errorf("weight %d = %d, want 3^%d mod 31 = %d", i, want, i, w)
		}
		w = w * 3 % 31
	}
}

func TestNormalizeCreditCode(t *testing.T) {
	// Bodies of constructed codes: registration authority and type
	// (91 = enterprise, 12 = public institution, 51 = social organisation,
	// 92 = individual business), region code, 9-character subject code.
	bodies := []string{
		"91110105MA01ABCDE",
		"12110000400000123",
		"51440300MJL123456",
		"92350100MA2Y00001",
		"91310000XY00000PQ",
	}
	var valid []string
	for _, b := range bodies {
		valid = append(valid, b+string(creditCheck(t, b)))
	}
	// A body whose check value is 0 (sum divisible by 31), found by
	// varying the last body character.
	for _, r := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		b := "9111010512345678" + string(r)
		if creditCheck(t, b) == '0' {
			valid = append(valid, b+"0")
			break
		}
	}
	if len(valid) != len(bodies)+1 {
		t.Fatal("found no body with check character 0")
	}
	valid = append(valid, "91350100M000100Y43") // a code published as an example

	for _, code := range valid {
		t.Run(code, func(t *testing.T) {
			got, err := NormalizeCreditCode(code)
			if err != nil {
				t.Fatalf("NormalizeCreditCode(%s): %v", code, err)
			}
			if got != code {
				t.Errorf("NormalizeCreditCode(%s) = %s", code, got)
			}
			c, err := CreditCodeCheckCharacter(code[:17])
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c, code[17]; got != want {
				t.Errorf("CreditCodeCheckCharacter = %c, want %c", got, want)
			}
			// Any change of one body character is caught.
			for i := range 17 {
				for _, r := range "0A" {
					if rune(code[i]) == r {
						continue
					}
					typo := code[:i] + string(r) + code[i+1:]
					if _, err := NormalizeCreditCode(typo); !errors.Is(err, ErrCreditCodeChecksum) {
						t.Errorf("typo %s: error = %v, want ErrCreditCodeChecksum", typo, err)
					}
				}
			}
		})
	}

	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{name: "lower case and spaces", in: " 91350100m000100y43 ", want: "91350100M000100Y43"},
		{name: "full-width", in: "９１３５０１００Ｍ０００１００Ｙ４３", want: "91350100M000100Y43"},
		{name: "17 characters", in: "91350100M000100Y4", err: ErrCreditCodeLength},
		{name: "old 15-digit registration number", in: "110105012345678", err: ErrCreditCodeLength},
		{name: "letter O", in: "91350100MO00100Y43", err: ErrCreditCodeCharacter},
		{name: "letter I", in: "91350100MI00100Y43", err: ErrCreditCodeCharacter},
		{name: "letter Z", in: "91350100MZ00100Y43", err: ErrCreditCodeCharacter},
		{name: "letter S", in: "91350100MS00100Y43", err: ErrCreditCodeCharacter},
		{name: "letter V", in: "91350100MV00100Y43", err: ErrCreditCodeCharacter},
		{name: "wrong check", in: "91350100M000100Y44", err: ErrCreditCodeChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeCreditCode(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("NormalizeCreditCode(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				if ValidCreditCode(tt.in) {
					t.Errorf("ValidCreditCode(%q) = true", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("NormalizeCreditCode(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	if _, err := NormalizeCreditCode("91350100M000100Y44"); !strings.Contains(err.Error(), "last character") {
		t.Errorf("checksum message %q does not mention the last character", err)
	}
	if _, err := CreditCodeCheckCharacter("91350100M000100Y"); !errors.Is(err, ErrCreditCodeLength) {
		t.Errorf("16 characters: error = %v", err)
	}
	if _, err := CreditCodeCheckCharacter("91350100M000100YO"); !errors.Is(err, ErrCreditCodeCharacter) {
		t.Errorf("letter O: error = %v", err)
	}
}
