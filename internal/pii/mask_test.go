package pii

import "testing"

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"王菲", "王*"},
		{"王小菲", "王*菲"},
		{"欧阳小菲", "欧**菲"},
		{"司马相如", "司**如"},
		{"买买提·艾力", "买****力"},
		{"王", "*"},
		{" 王小菲 ", "王*菲"},
		{"", ""},
		{"Li", "L*"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MaskName(tt.in); got != tt.want {
				t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002X", "110105********002X"},
		{"11010519491231002x", "110105********002X"},
		{"440524188001010014", "440524********0014"},
		{"110105 19491231 002X", "110105********002X"},
		{"110105491231002", "110105*****1002"}, // old 15-digit number
		{"1234567890", "**********"},           // nothing would be hidden
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MaskIDNumber(tt.in); got != tt.want {
				t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskMobile(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"+86 138-1234-5678", "138****5678"},
		{"008613812345678", "138****5678"},
		{"1381234567", "138***4567"}, // not valid, still masked
		{"1234567", "*******"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MaskMobile(tt.in); got != tt.want {
				t.Errorf("MaskMobile(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLastFour(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002x", "002X"},
		{"440524188001010014", "0014"},
		{"138-1234-5678", "5678"},
		{"+86 138 1234 5678", "5678"},
		{"１３８１２３４５６７８", "5678"},
		{"123", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := LastFour(tt.in); got != tt.want {
				t.Errorf("LastFour(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
