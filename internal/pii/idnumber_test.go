package pii

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// today is the fixed "now" of the tests.
var today = time.Date(2026, time.November, 26, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// withCheck appends the GB 11643 check character to 17 digits, computed
// here independently of IDCheckCharacter.
func withCheck(t *testing.T, first17 string) string {
	t.Helper()
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

func TestParseIDNumber(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want IDNumber
		err  error
	}{
		{name: "GB 11643 example with X", in: "11010519491231002X", want: "11010519491231002X"},
		{name: "GB 11643 example born 1880", in: "440524188001010014", want: "440524188001010014"},
		{name: "lower-case x", in: "11010519491231002x", want: "11010519491231002X"},
		{name: "spaces", in: " 110105 19491231 002X ", want: "11010519491231002X"},
		{name: "full-width", in: "１１０１０５１９４９１２３１００２ｘ", want: "11010519491231002X"},
		{name: "born today", in: withCheck(t, "11010520261126001"), want: IDNumber(withCheck(t, "11010520261126001"))},
		{name: "leap day", in: withCheck(t, "11010520000229001"), want: IDNumber(withCheck(t, "11010520000229001"))},

		{name: "17 characters", in: "11010519491231002", err: ErrIDLength},
		{name: "old 15-digit number", in: "110105491231002", err: ErrIDLength},
		{name: "19 characters", in: "11010519491231002X1", err: ErrIDLength},
		{name: "empty", in: "", err: ErrIDLength},
		{name: "letter O for zero", in: "11010519491231O02X", err: ErrIDCharacter},
		{name: "X not last", in: "1101051949123100XX", err: ErrIDCharacter},
		{name: "other letter last", in: "11010519491231002Y", err: ErrIDCharacter},
		{name: "Chinese character", in: "11010519491231002号", err: ErrIDCharacter},
		{name: "no such day", in: withCheck(t, "11010519490231002"), err: ErrIDBirthDate},
		{name: "month 13", in: withCheck(t, "11010519491331002"), err: ErrIDBirthDate},
		{name: "born tomorrow", in: withCheck(t, "11010520261127001"), err: ErrIDBirthDate},
		{name: "born in 2030", in: withCheck(t, "11010520300101001"), err: ErrIDBirthDate},
		{name: "born in 1700", in: withCheck(t, "11010517000101001"), err: ErrIDBirthDate},
		{name: "wrong check character", in: "110105194912310021", err: ErrIDChecksum},
		{name: "one digit mistyped", in: "11010519491231003X", err: ErrIDChecksum},
		{name: "two digits swapped", in: "11010519491213002X", err: ErrIDChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIDNumberAt(tt.in, today)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("ParseIDNumberAt(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseIDNumberAt(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseIDNumberAt(%q) = %s, want %s", tt.in, got.Plain(), tt.want.Plain())
			}
		})
	}
}

func TestIDErrorsAreDistinct(t *testing.T) {
	errs := []error{ErrIDLength, ErrIDCharacter, ErrIDBirthDate, ErrIDChecksum}
	for i, a := range errs {
		for j, b := range errs {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v is %v", a, b)
			}
		}
	}
	_, err := ParseIDNumberAt("110105194912310021", today)
	if msg := err.Error(); !strings.Contains(msg, "last character") || !strings.Contains(msg, "mistyped") {
		t.Errorf("checksum message %q does not say the last character is wrong / likely a typo", msg)
	}
	_, err = ParseIDNumberAt("11010519491231002", today)
	if got, want := err.Error(), "(got 17)"; !strings.Contains(got, want) {
		t.Errorf("length message %q does not contain %q", got, want)
	}
}

func TestValidIDNumberUsesTheClock(t *testing.T) {
	if !ValidIDNumber("11010519491231002X") {
		t.Error("ValidIDNumber(GB example) = false")
	}
	if ValidIDNumber("110105194912310021") {
		t.Error("ValidIDNumber(bad checksum) = true")
	}
	if _, err := ParseIDNumber("11010519491231002x"); err != nil {
		t.Errorf("ParseIDNumber: %v", err)
	}
}

func TestIDCheckCharacter(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'},
		{"44052418800101001", '4'},
		{"11010520000229001", withCheck(t, "11010520000229001")[17]},
	}
	for _, tt := range tests {
		got, err := IDCheckCharacter(tt.first17)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("IDCheckCharacter(%s) = %c, want %c", tt.first17, got, tt.want)
		}
	}
	if _, err := IDCheckCharacter("1101051949123100"); !errors.Is(err, ErrIDLength) {
		t.Errorf("16 digits: error = %v, want ErrIDLength", err)
	}
	if _, err := IDCheckCharacter("1101051949123100A"); !errors.Is(err, ErrIDCharacter) {
		t.Errorf("letter: error = %v, want ErrIDCharacter", err)
	}
	// Every check character value occurs, including X and 0.
	seen := map[byte]bool{}
	for i := range 1000 {
		c, err := IDCheckCharacter(fmt.Sprintf("11010519900101%03d", i))
		if err != nil {
			t.Fatal(err)
		}
		seen[c] = true
	}
	if got, want := len(seen), 11; got != want {
		t.Errorf("saw %d distinct check characters, want %d", got, want)
	}
}

func TestIDNumberHelpers(t *testing.T) {
	tests := []struct {
		in       string
		region   string
		birth    string
		gender   Gender
		ageAt    string
		age      int
		lastFour string
		masked   string
	}{
		{"11010519491231002X", "110105", "1949-12-31", Female, "2026-11-26", 76, "002X", "110105********002X"},
		{"11010519491231002X", "110105", "1949-12-31", Female, "2026-12-30", 76, "002X", "110105********002X"},
		{"11010519491231002X", "110105", "1949-12-31", Female, "2026-12-31", 77, "002X", "110105********002X"},
		{"440524188001010014", "440524", "1880-01-01", Male, "2026-11-26", 146, "0014", "440524********0014"},
		{withCheck(t, "11010520000229001"), "110105", "2000-02-29", Male, "2025-02-28", 24, "001" + withCheck(t, "11010520000229001")[17:], ""},
		{withCheck(t, "11010520000229001"), "110105", "2000-02-29", Male, "2025-03-01", 25, "", ""},
		{withCheck(t, "11010520000229001"), "110105", "2000-02-29", Male, "2024-02-29", 24, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in+"@"+tt.ageAt, func(t *testing.T) {
			id, err := ParseIDNumberAt(tt.in, today)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := id.Region(), tt.region; got != want {
				t.Errorf("Region() = %s, want %s", got, want)
			}
			if got, want := id.BirthDate().Format(time.DateOnly), tt.birth; got != want {
				t.Errorf("BirthDate() = %s, want %s", got, want)
			}
			if got, want := id.Gender(), tt.gender; got != want {
				t.Errorf("Gender() = %s, want %s", got, want)
			}
			at, _ := time.ParseInLocation(time.DateOnly, tt.ageAt, today.Location())
			if got, want := id.Age(at.Add(23*time.Hour)), tt.age; got != want {
				t.Errorf("Age(%s) = %d, want %d", tt.ageAt, got, want)
			}
			if tt.lastFour != "" {
				if got, want := id.LastFour(), tt.lastFour; got != want {
					t.Errorf("LastFour() = %s, want %s", got, want)
				}
			}
			if tt.masked != "" {
				if got, want := id.String(), tt.masked; got != want {
					t.Errorf("String() = %s, want %s", got, want)
				}
			}
		})
	}
}

func TestIDNumberDoesNotLeakWhenPrinted(t *testing.T) {
	id, err := ParseIDNumberAt("11010519491231002X", today)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%s", "%+v", "%#v"} {
		out := fmt.Sprintf(verb, id)
		if strings.Contains(out, "19491231") {
			t.Errorf("Sprintf(%q) = %q leaks the birth date", verb, out)
		}
	}
	out := fmt.Sprintf("%v", struct{ ID IDNumber }{id})
	if strings.Contains(out, "19491231") {
		t.Errorf("in a struct: %q leaks the birth date", out)
	}
	if got, want := id.Plain(), "11010519491231002X"; got != want {
		t.Errorf("Plain() = %s, want %s", got, want)
	}
}
