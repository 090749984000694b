package audit

import (
	"strings"
	"testing"
)

func chain(n int) []Record {
	var out []Record
	prevSeq, prev := int64(0), Genesis
	for i := 0; i < n; i++ {
		r := Chain(Record{At: int64(1000 + i), Actor: "admin", Role: "admin", Action: "hall.update", Object: "hall:1", Outcome: OK}, prevSeq, prev)
		out = append(out, r)
		prevSeq, prev = r.Seq, r.Hash
	}
	return out
}

func verify(rs []Record) error {
	v := NewVerifier()
	for _, r := range rs {
		if err := v.Next(r); err != nil {
			return err
		}
	}
	return nil
}

func TestVerify(t *testing.T) {
	if err := verify(chain(5)); err != nil {
		t.Fatalf("intact chain: %v", err)
	}
	for _, tc := range []struct {
		name    string
		tamper  func([]Record) []Record
		wantRec string
	}{
		{"edit", func(rs []Record) []Record { rs[2].Actor = "mallory"; return rs }, "record 3"},
		{"edit and rehash", func(rs []Record) []Record { rs[2].Actor = "mallory"; rs[2].Hash = ComputeHash(rs[2]); return rs }, "record 4"},
		{"delete", func(rs []Record) []Record { return append(rs[:1], rs[2:]...) }, "record 3"},
		{"reorder", func(rs []Record) []Record { rs[1], rs[2] = rs[2], rs[1]; return rs }, "record 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := verify(tc.tamper(chain(5)))
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantRec+":") {
				t.Errorf("got %v, want error naming %s", err, tc.wantRec)
			}
		})
	}
}
