package cases

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"mingbai/internal/workday"
)

// MaxSeq is the largest daily sequence number of a case number.
const MaxSeq = 99999

// maxHallCode is the longest hall code accepted.
const maxHallCode = 16

// ErrNumber is returned for a case number, or parts of one, that are not
// well formed.
var ErrNumber = errors.New("cases: invalid case number")

// Number is a parsed case number HALL-YYYYMMDD-NNNNN.
type Number struct {
	// Hall is the hall code: 1 to 16 capital letters and digits.
	Hall string
	// Date is the day of acceptance.
	Date workday.Date
	// Seq is the sequence number of the case within the hall and day, 1 to
	// 99999.
	Seq int
}

// String formats the number, e.g. RSJ01-20260212-00042. It returns "" for
// a Number that is not valid.
func (n Number) String() string {
	s, err := FormatNumber(n.Hall, n.Date, n.Seq)
	if err != nil {
		return ""
	}
	return s
}

// FormatNumber formats a case number. The hall code is upper-cased; it
// fails with ErrNumber for a hall code that is empty, too long or not
// letters and digits, an invalid date, or a sequence outside 1 to 99999.
func FormatNumber(hall string, date workday.Date, seq int) (string, error) {
	hall = strings.ToUpper(hall)
	if err := checkHall(hall); err != nil {
		return "", err
	}
	if !date.IsValid() {
		return "", fmt.Errorf("%w: invalid date", ErrNumber)
	}
	if seq < 1 || seq > MaxSeq {
		return "", fmt.Errorf("%w: sequence %d outside 1–%d", ErrNumber, seq, MaxSeq)
	}
	return fmt.Sprintf("%s-%04d%02d%02d-%05d", hall, date.Year, int(date.Month), date.Day, seq), nil
}

// ParseNumber parses a case number. Surrounding space is removed and
// lower-case letters are accepted (a citizen typing it into the progress
// look-up).
func ParseNumber(s string) (Number, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return Number{}, fmt.Errorf("%w: %q is not HALL-YYYYMMDD-NNNNN", ErrNumber, s)
	}
	hall, ymd, seqText := parts[0], parts[1], parts[2]
	if err := checkHall(hall); err != nil {
		return Number{}, err
	}
	if len(ymd) != 8 || !digits(ymd) {
		return Number{}, fmt.Errorf("%w: date %q is not YYYYMMDD", ErrNumber, ymd)
	}
	date, err := workday.Parse(ymd[:4] + "-" + ymd[4:6] + "-" + ymd[6:])
	if err != nil {
		return Number{}, fmt.Errorf("%w: date %q: %w", ErrNumber, ymd, err)
	}
	if len(seqText) != 5 || !digits(seqText) {
		return Number{}, fmt.Errorf("%w: sequence %q is not 5 digits", ErrNumber, seqText)
	}
	seq, _ := strconv.Atoi(seqText)
	if seq < 1 {
		return Number{}, fmt.Errorf("%w: sequence 00000", ErrNumber)
	}
	return Number{Hall: hall, Date: date, Seq: seq}, nil
}

func checkHall(hall string) error {
	if hall == "" || len(hall) > maxHallCode {
		return fmt.Errorf("%w: hall code %q must be 1–%d letters or digits", ErrNumber, hall, maxHallCode)
	}
	for _, r := range hall {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("%w: hall code %q must be letters or digits", ErrNumber, hall)
		}
	}
	return nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
