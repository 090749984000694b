package notify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitTable(t *testing.T) {
	sig := "【人社服务大厅】"
	for _, tc := range []struct {
		name  string
		text  string
		parts []int // short_message octets per part
		err   bool
	}{
		{"one char", "您", []int{2}, false},
		{"70 units fit one", strings.Repeat("办", 70), []int{140}, false},
		{"71 units need two", strings.Repeat("办", 71), []int{140, 14}, false},
		{"100 chars: 140 and 72", strings.Repeat("明", 100), []int{140, 72}, false},
		{"134 chars: two full parts", strings.Repeat("明", 134), []int{140, 140}, false},
		{"135 chars: three", strings.Repeat("明", 135), []int{140, 140, 8}, false},
		{"signature counts", sig + strings.Repeat("办", 63), []int{6 + 134, 6 + 8}, false},
		{"signature fits at 70", sig + strings.Repeat("办", 62), []int{140}, false},
		// 𠮷 is two units: 69 BMP + 1 astral = 71 units, two parts.
		{"astral at the edge of single", strings.Repeat("办", 69) + "𠮷", []int{140, 14}, false},
		{"35 astral = 70 units, one part", strings.Repeat("𠮷", 35), []int{140}, false},
		// 66 BMP units then an astral pair: the pair must not straddle the
		// 67-unit boundary, so part 1 carries 66 units.
		{"pair moves to the next part", strings.Repeat("办", 66) + "😀" + strings.Repeat("办", 10), []int{6 + 132, 6 + 24}, false},
		{"500 units accepted", strings.Repeat("办", 500), nil, false},
		{"501 units refused", strings.Repeat("办", 501), nil, true},
		{"250 emoji = 500 units accepted", strings.Repeat("😀", 250), nil, false},
		{"251 emoji refused", strings.Repeat("😀", 251), nil, true},
		{"empty refused", "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := Split(tc.text, 0x2a, 0)
			if tc.err {
				if err == nil {
					t.Fatalf("Split accepted %d units", Units(tc.text))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.parts != nil {
				if len(ps) != len(tc.parts) {
					t.Fatalf("%d parts, want %d", len(ps), len(tc.parts))
				}
				for i, p := range ps {
					if got := len(p.ShortMessage()); got != tc.parts[i] {
						t.Errorf("part %d: %d octets, want %d", i+1, got, tc.parts[i])
					}
				}
			}
			var sms [][]byte
			for i, p := range ps {
				if p.Seq != i+1 || p.Total != len(ps) {
					t.Errorf("part %d numbered %d/%d", i+1, p.Seq, p.Total)
				}
				if len(p.ShortMessage()) > 140 {
					t.Errorf("part %d: %d octets > 140", i+1, len(p.ShortMessage()))
				}
				if len(ps) > 1 && (len(p.UDH) != 6 || p.UDH[3] != 0x2a || int(p.UDH[4]) != len(ps) || int(p.UDH[5]) != i+1) {
					t.Errorf("part %d: header % x", i+1, p.UDH)
				}
				// No part may end with a lone high surrogate.
				pl := p.Payload
				if n := len(pl); n >= 2 && pl[n-2] >= 0xD8 && pl[n-2] <= 0xDB {
					t.Errorf("part %d ends with a high surrogate", i+1)
				}
				sms = append([][]byte{p.ShortMessage()}, sms...) // reversed order
			}
			got, err := Reassemble(sms)
			if err != nil || got != tc.text {
				t.Fatalf("Reassemble = %q, %v", got, err)
			}
			if PartsNeeded(tc.text) != len(ps) {
				t.Errorf("PartsNeeded = %d, Split made %d", PartsNeeded(tc.text), len(ps))
			}
		})
	}
	if _, err := Split(strings.Repeat("办", 501), 0, 0); !errors.Is(err, ErrTooLong) {
		t.Errorf("over-long error = %v, want ErrTooLong", err)
	}
	if Units("a𠮷😀办") != 6 {
		t.Errorf("Units = %d, want 6", Units("a𠮷😀办"))
	}
}

// TestNoMessageTextInStore: the store queues kinds with parameters; the
// only message texts are the templates of this package.
func TestNoMessageTextInStore(t *testing.T) {
	files, err := filepath.Glob("../store/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("store sources: %v %v", files, err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "【") || strings.Contains(line, "您") {
				t.Errorf("%s:%d: message text in store code: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

func TestRenderRefusesBadParameters(t *testing.T) {
	if _, err := Render("sms_code", map[string]string{"code": "123456"}); err == nil {
		t.Error("missing parameter accepted")
	}
	if _, err := Render("sms_code", map[string]string{"code": "123456789", "minutes": "10"}); err == nil {
		t.Error("over-long parameter accepted")
	}
	if _, err := Render("sms_code", map[string]string{"code": "1", "minutes": "1", "extra": "x"}); err == nil {
		t.Error("unknown parameter accepted")
	}
	if _, err := Render("nosuch", nil); err == nil {
		t.Error("unknown kind accepted")
	}
	got, err := Render("turn_near", map[string]string{"ticket": "A012"})
	if err != nil || got != Signature+"您的 A012 号即将叫到，请回到大厅等候。" {
		t.Errorf("Render = %q, %v", got, err)
	}
	for _, k := range TemplateKinds() {
		if strings.Contains(Templates[k].Text, "退订") || strings.Contains(Templates[k].Text, "回复") {
			t.Errorf("template %s carries marketing wording", k)
		}
	}
}
