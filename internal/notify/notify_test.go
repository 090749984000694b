package notify

import (
	"testing"
	"time"
)

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	prevMax := time.Duration(0)
	for attempts := 1; attempts <= 15; attempts++ {
		d := Backoff(attempts)
		base := 5 * time.Second << (attempts - 1)
		if base > time.Hour || base <= 0 {
			base = time.Hour
		}
		if lo, hi := time.Duration(float64(base)*0.8), time.Duration(float64(base)*1.2); d < lo || d > hi {
			t.Errorf("Backoff(%d) = %v, want within ±20%% of %v", attempts, d, base)
		}
		if hi := time.Duration(float64(base) * 1.2); hi < prevMax {
			t.Errorf("Backoff(%d) upper bound shrank", attempts)
		}
		prevMax = time.Duration(float64(base) * 1.2)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		m  Message
		ok bool
	}{
		{Message{Channel: SMS, Recipient: "13800138000", Body: "您好"}, true},
		{Message{Channel: SMS, Recipient: "23800138000", Body: "您好"}, false},
		{Message{Channel: SMS, Recipient: "13800138000", Body: "  "}, false},
		{Message{Channel: "fax", Recipient: "x", Body: "x"}, false},
		{Message{Channel: Log, Recipient: "staff:1", Body: "x"}, true},
	} {
		if err := tc.m.Validate(); (err == nil) != tc.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tc.m, err, tc.ok)
		}
	}
	if got := MaskRecipient("13800138000"); got != "138****8000" {
		t.Errorf("MaskRecipient = %q", got)
	}
}
