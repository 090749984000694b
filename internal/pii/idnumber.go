package pii

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of ParseIDNumber. They are distinct so that a form can tell the
// citizen what is wrong.
var (
	// ErrIDLength means the number does not have 18 characters.
	ErrIDLength = errors.New("pii: a resident ID number has 18 characters")
	// ErrIDCharacter means a character other than a digit, or other than a
	// digit or X in the last place.
	ErrIDCharacter = errors.New("pii: a resident ID number is 17 digits followed by a digit or X")
	// ErrIDBirthDate means characters 7 to 14 are not a real date in the
	// past.
	ErrIDBirthDate = errors.New("pii: the birth date in the ID number (characters 7–14) is not a real date in the past")
	// ErrIDChecksum means the check character does not match: usually one
	// character was mistyped.
	ErrIDChecksum = errors.New("pii: the last character of the ID number does not match the others; a character is likely mistyped")
)

// idWeights are the GB 11643-1999 weights of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps the weighted sum mod 11 to the check character.
const idCheck = "10X98765432"

// minBirthYear is the earliest birth year accepted; GB 11643's own example
// is born in 1880.
const minBirthYear = 1800

// IDNumber is a valid, normalised 18-character resident ID number (upper
// case X). Obtain one from ParseIDNumber.
//
// Its String method masks it, so that an IDNumber printed into a log or an
// error shows 110105********002X; use Plain for the full number.
type IDNumber string

// Gender is the sex recorded in an ID number.
type Gender string

// Genders.
const (
	Male   Gender = "male"
	Female Gender = "female"
)

// ParseIDNumber validates and normalises a resident ID number, taking
// today's date from the clock to reject a birth date in the future. See
// ParseIDNumberAt.
func ParseIDNumber(s string) (IDNumber, error) { return ParseIDNumberAt(s, time.Now()) }

// ParseIDNumberAt validates and normalises a resident ID number; now gives
// "today" (in now's location) for the birth-date check. Spaces are removed,
// full-width characters folded and a lower-case x is upper-cased. It fails
// with ErrIDLength, ErrIDCharacter, ErrIDBirthDate or ErrIDChecksum, in
// that order of checking.
func ParseIDNumberAt(s string, now time.Time) (IDNumber, error) {
	s = strings.ToUpper(strip(s, ""))
	rs := []rune(s)
	if n := len(rs); n != 18 {
		return "", fmt.Errorf("%w (got %d)", ErrIDLength, n)
	}
	for i, c := range rs {
		if c >= '0' && c <= '9' || i == 17 && c == 'X' {
			continue
		}
		return "", fmt.Errorf("%w: character %d is %q", ErrIDCharacter, i+1, c)
	}
	birth, ok := parseYYYYMMDD(s[6:14])
	if !ok || birth.Year() < minBirthYear {
		return "", fmt.Errorf("%w: %s", ErrIDBirthDate, s[6:14])
	}
	y, m, d := now.Date()
	if birth.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return "", fmt.Errorf("%w: %s is in the future", ErrIDBirthDate, s[6:14])
	}
	if want, _ := IDCheckCharacter(s[:17]); s[17] != want {
		return "", ErrIDChecksum
	}
	return IDNumber(s), nil
}

// ValidIDNumber reports whether s is a valid resident ID number today.
func ValidIDNumber(s string) bool {
	_, err := ParseIDNumber(s)
	return err == nil
}

// IDCheckCharacter returns the check character ('0'–'9' or 'X') for the
// first 17 digits of an ID number.
func IDCheckCharacter(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("%w: need 17 digits, got %d", ErrIDLength, len(first17))
	}
	sum := 0
	for i := range 17 {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: character %d is %q", ErrIDCharacter, i+1, c)
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idCheck[sum%11], nil
}

// Plain returns the full number. Use it only where the full number is
// needed: sealing, blind indexes, the citizen's own view.
func (id IDNumber) Plain() string { return string(id) }

// String returns the masked number, e.g. 110105********002X.
func (id IDNumber) String() string { return MaskIDNumber(string(id)) }

// GoString returns the masked number too, so that %#v does not leak it.
func (id IDNumber) GoString() string { return `pii.IDNumber("` + id.String() + `")` }

// Region returns the 6-digit administrative region code of the place of
// first registration.
func (id IDNumber) Region() string { return string(id)[:6] }

// BirthDate returns the birth date as midnight UTC.
func (id IDNumber) BirthDate() time.Time {
	t, _ := parseYYYYMMDD(string(id)[6:14])
	return t
}

// Gender returns Male when the 17th digit is odd, Female when it is even.
func (id IDNumber) Gender() Gender {
	if (id[16]-'0')%2 == 1 {
		return Male
	}
	return Female
}

// Age returns the age in whole years (周岁) on the date of at (in at's
// location). A person born on 29 February has a birthday on 1 March in
// common years.
func (id IDNumber) Age(at time.Time) int {
	b := id.BirthDate()
	y, m, d := at.Date()
	age := y - b.Year()
	if m < b.Month() || m == b.Month() && d < b.Day() {
		age--
	}
	return age
}

// LastFour returns the last four characters, for look-up by the last four
// digits.
func (id IDNumber) LastFour() string { return string(id)[14:] }

func parseYYYYMMDD(s string) (time.Time, bool) {
	t, err := time.Parse("20060102", s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
