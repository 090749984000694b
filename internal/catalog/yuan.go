package catalog

import (
	"errors"
	"strconv"
	"strings"
)

// Yuan is an amount of money held exactly as a whole number of fen (分,
// 1/100 yuan). In JSON it is a plain number of yuan with at most two
// decimals, written in the shortest form: 20, 20.5, 0.05.
type Yuan int64

// Fen returns the amount in fen.
func (y Yuan) Fen() int64 { return int64(y) }

// String formats the amount in yuan, shortest form, e.g. "20" or "12.5".
func (y Yuan) String() string {
	neg := y < 0
	v := int64(y)
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v/100, 10)
	if frac := v % 100; frac != 0 {
		f := strconv.FormatInt(frac+100, 10)[1:] // two digits
		s += "." + strings.TrimRight(f, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// MarshalJSON writes the amount as a JSON number of yuan.
func (y Yuan) MarshalJSON() ([]byte, error) { return []byte(y.String()), nil }

// UnmarshalJSON reads a JSON number of yuan with at most two decimals.
func (y *Yuan) UnmarshalJSON(b []byte) error {
	v, err := ParseYuan(string(b))
	if err != nil {
		return err
	}
	*y = v
	return nil
}

var errYuan = errors.New("amount must be a number of yuan with at most two decimals")

// ParseYuan parses a decimal number of yuan with at most two decimals and no
// exponent, e.g. "20", "20.50", "-3.5".
func ParseYuan(s string) (Yuan, error) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || !allDigits(whole) ||
		(hasFrac && (frac == "" || len(frac) > 2 || !allDigits(frac))) {
		return 0, errYuan
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if hasFrac {
		f, _ = strconv.ParseInt((frac + "0")[:2], 10, 64)
	}
	v := w*100 + f
	if neg {
		v = -v
	}
	return Yuan(v), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
