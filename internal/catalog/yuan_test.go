package catalog

import (
	"encoding/json"
	"testing"
)

func TestYuan(t *testing.T) {
	for _, tt := range []struct {
		in   string
		fen  int64
		text string
	}{
		{"20", 2000, "20"}, {"20.5", 2050, "20.5"}, {"20.50", 2050, "20.5"}, {"0.05", 5, "0.05"},
		{"0", 0, "0"}, {"-3.5", -350, "-3.5"}, {"100000", 10000000, "100000"},
	} {
		y, err := ParseYuan(tt.in)
		if err != nil || y.Fen() != tt.fen || y.String() != tt.text {
			t.Errorf("ParseYuan(%q) = %d (%q), %v; want %d (%q)", tt.in, y.Fen(), y.String(), err, tt.fen, tt.text)
		}
	}
	for _, in := range []string{"", "1.234", "1e3", "abc", ".5", "5.", "--1", "1,5", "9999999999999"} {
		if _, err := ParseYuan(in); err == nil {
			t.Errorf("ParseYuan(%q) accepted", in)
		}
	}
	var f Fee
	if err := json.Unmarshal([]byte(`{"amount_yuan": 20.5}`), &f); err != nil || f.AmountYuan != 2050 {
		t.Errorf("unmarshal: %v %v", f.AmountYuan, err)
	}
	if b, _ := json.Marshal(Fee{AmountYuan: 2000}); string(b) != `{"free":false,"amount_yuan":20,"charged_when":"","basis":""}` {
		t.Errorf("marshal: %s", b)
	}
}
