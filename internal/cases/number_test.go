package cases

import (
	"errors"
	"testing"

	"mingbai/internal/workday"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		hall string
		date string
		seq  int
		want string
		err  bool
	}{
		{"RSJ01", "2026-02-12", 42, "RSJ01-20260212-00042", false},
		{"rsj01", "2026-02-12", 1, "RSJ01-20260212-00001", false},
		{"A", "2026-12-31", 99999, "A-20261231-99999", false},
		{"ABCDEFGHIJKLMNOP", "2026-01-01", 7, "ABCDEFGHIJKLMNOP-20260101-00007", false},
		{"", "2026-02-12", 1, "", true},
		{"ABCDEFGHIJKLMNOPQ", "2026-02-12", 1, "", true},
		{"RSJ-01", "2026-02-12", 1, "", true},
		{"人社局", "2026-02-12", 1, "", true},
		{"RSJ01", "2026-02-12", 0, "", true},
		{"RSJ01", "2026-02-12", 100000, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.want+tt.hall, func(t *testing.T) {
			got, err := FormatNumber(tt.hall, workday.MustParse(tt.date), tt.seq)
			if tt.err {
				if !errors.Is(err, ErrNumber) {
					t.Errorf("FormatNumber error = %v, want ErrNumber", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("FormatNumber = %q, want %q", got, tt.want)
			}
			n, err := ParseNumber(got)
			if err != nil {
				t.Fatal(err)
			}
			if n.String() != got {
				t.Errorf("round trip: %q → %+v → %q", got, n, n.String())
			}
		})
	}
	if _, err := FormatNumber("RSJ01", workday.Date{}, 1); !errors.Is(err, ErrNumber) {
		t.Errorf("FormatNumber(zero date) error = %v, want ErrNumber", err)
	}
	if got := (Number{}).String(); got != "" {
		t.Errorf("Number{}.String() = %q, want empty", got)
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want Number
		err  bool
	}{
		{in: "RSJ01-20260212-00042", want: Number{Hall: "RSJ01", Date: workday.MustParse("2026-02-12"), Seq: 42}},
		{in: " rsj01-20260212-00042 ", want: Number{Hall: "RSJ01", Date: workday.MustParse("2026-02-12"), Seq: 42}},
		{in: "RSJ01-20260230-00042", err: true},
		{in: "RSJ01-2026021-00042", err: true},
		{in: "RSJ01-2026021A-00042", err: true},
		{in: "RSJ01-20260212-0042", err: true},
		{in: "RSJ01-20260212-000042", err: true},
		{in: "RSJ01-20260212-00000", err: true},
		{in: "RSJ01-20260212-+0042", err: true},
		{in: "RSJ01-20260212", err: true},
		{in: "RS-J01-20260212-00042", err: true},
		{in: "-20260212-00042", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNumber(tt.in)
			if tt.err {
				if !errors.Is(err, ErrNumber) {
					t.Errorf("ParseNumber(%q) error = %v, want ErrNumber", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseNumber(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}
