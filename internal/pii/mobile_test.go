package pii

import (
	"errors"
	"testing"
)

func TestNormalizeMobile(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means invalid
	}{
		{"13812345678", "13812345678"},
		{"19912345678", "19912345678"},
		{"138 1234 5678", "13812345678"},
		{"138-1234-5678", "13812345678"},
		{"+86 138 1234 5678", "13812345678"},
		{"+86-138-1234-5678", "13812345678"},
		{"+8613812345678", "13812345678"},
		{"008613812345678", "13812345678"},
		{"8613812345678", "13812345678"},
		{"１３８１２３４５６７８", "13812345678"},
		{"\t13812345678\n", "13812345678"},

		{"12812345678", ""},     // second digit 2
		{"10012345678", ""},     // second digit 0
		{"23812345678", ""},     // does not start with 1
		{"1381234567", ""},      // 10 digits
		{"138123456789", ""},    // 12 digits
		{"1381234567a", ""},     // letter
		{"+85213812345678", ""}, // Hong Kong code
		{"+861381234567", ""},   // +86 with 10 digits
		{"010-12345678", ""},    // landline
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeMobile(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrMobile) {
					t.Errorf("NormalizeMobile(%q) = %q, %v; want ErrMobile", tt.in, got, err)
				}
				if ValidMobile(tt.in) {
					t.Errorf("ValidMobile(%q) = true", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeMobile(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeMobile(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !ValidMobile(tt.in) {
				t.Errorf("ValidMobile(%q) = false", tt.in)
			}
		})
	}
}
