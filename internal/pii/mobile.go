package pii

import (
	"errors"
	"strings"
)

// ErrMobile is returned for a number that is not a mainland China mobile
// number.
var ErrMobile = errors.New("pii: not a mainland China mobile number (11 digits starting with 13 to 19)")

// NormalizeMobile returns the 11-digit mobile number in s. It removes
// spaces and dashes, folds full-width digits, and drops a leading +86, 0086
// or 86 country code.
func NormalizeMobile(s string) (string, error) {
	s = strip(s, "-")
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case strings.HasPrefix(s, "0086"):
		s = s[4:]
	case len(s) == 13 && strings.HasPrefix(s, "86"):
		s = s[2:]
	}
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return "", ErrMobile
	}
	for i := 2; i < 11; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", ErrMobile
		}
	}
	return s, nil
}

// ValidMobile reports whether s is a mainland China mobile number.
func ValidMobile(s string) bool {
	_, err := NormalizeMobile(s)
	return err == nil
}
