package pii

import "strings"

// MaskName masks a person's name for public display: one character is
// shown as *, two keep the first (王菲 → 王*), three or more keep the first
// and the last (王小菲 → 王*菲, 欧阳小菲 → 欧**菲).
func MaskName(name string) string {
	rs := []rune(strings.TrimSpace(name))
	switch len(rs) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(rs[0]) + "*"
	}
	return string(rs[0]) + strings.Repeat("*", len(rs)-2) + string(rs[len(rs)-1])
}

// MaskIDNumber masks an ID number: the first 6 characters (region) and the
// last 4 stay, the rest become * (110105********002X). Text that would
// keep fewer than 5 characters hidden (less than an old 15-digit number
// hides: a mobile number typed into the ID field, say) is masked entirely.
// It does not validate.
func MaskIDNumber(s string) string {
	rs := []rune(strings.ToUpper(strip(s, "-")))
	return keepEnds(rs, 6, 4, 5)
}

// MaskMobile masks a mobile number: the first 3 and last 4 digits stay
// (138****5678). A country code is dropped first. It does not validate.
func MaskMobile(s string) string {
	if n, err := NormalizeMobile(s); err == nil {
		s = n
	} else {
		s = strip(s, "-")
	}
	return keepEnds([]rune(s), 3, 4, 3)
}

// LastFour returns the last four characters of an ID number or mobile
// number, after removing spaces and dashes and upper-casing x, for look-up
// by the last four digits. Shorter text gives "".
func LastFour(s string) string {
	rs := []rune(strings.ToUpper(strip(s, "-")))
	if len(rs) < 4 {
		return ""
	}
	return string(rs[len(rs)-4:])
}

// keepEnds keeps the first head and last tail runes and stars the middle;
// when fewer than minHidden runes would be hidden, it stars everything.
func keepEnds(rs []rune, head, tail, minHidden int) string {
	if len(rs) < head+tail+minHidden {
		return strings.Repeat("*", len(rs))
	}
	return string(rs[:head]) + strings.Repeat("*", len(rs)-head-tail) + string(rs[len(rs)-tail:])
}
