package pii

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of NormalizeCreditCode.
var (
	// ErrCreditCodeLength means the code does not have 18 characters.
	ErrCreditCodeLength = errors.New("pii: a unified social credit code has 18 characters")
	// ErrCreditCodeCharacter means a character outside the code's
	// alphabet (digits and capital letters other than I, O, S, V, Z).
	ErrCreditCodeCharacter = errors.New("pii: a unified social credit code uses digits and the letters A–Y except I, O, S, V")
	// ErrCreditCodeChecksum means the check character does not match:
	// usually one character was mistyped.
	ErrCreditCodeChecksum = errors.New("pii: the last character of the unified social credit code does not match the others; a character is likely mistyped")
)

// creditAlphabet is GB 32100-2015's character set; a character's value is
// its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeCreditCode validates a unified social credit code (统一社会信用
// 代码) and returns it in upper case without spaces. It fails with
// ErrCreditCodeLength, ErrCreditCodeCharacter or ErrCreditCodeChecksum.
func NormalizeCreditCode(s string) (string, error) {
	s = strings.ToUpper(strip(s, "-"))
	rs := []rune(s)
	if n := len(rs); n != 18 {
		return "", fmt.Errorf("%w (got %d)", ErrCreditCodeLength, n)
	}
	for i, r := range rs {
		if !strings.ContainsRune(creditAlphabet, r) {
			return "", fmt.Errorf("%w: character %d is %q", ErrCreditCodeCharacter, i+1, r)
		}
	}
	if want, _ := CreditCodeCheckCharacter(s[:17]); s[17] != want {
		return "", ErrCreditCodeChecksum
	}
	return s, nil
}

// ValidCreditCode reports whether s is a valid unified social credit code.
func ValidCreditCode(s string) bool {
	_, err := NormalizeCreditCode(s)
	return err == nil
}

// CreditCodeCheckCharacter returns the check character for the first 17
// characters of a unified social credit code (upper case).
func CreditCodeCheckCharacter(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("%w: need 17 characters, got %d", ErrCreditCodeLength, len(first17))
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("%w: character %d is %q", ErrCreditCodeCharacter, i+1, first17[i])
		}
		sum += v * creditWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditAlphabet[c], nil
}
