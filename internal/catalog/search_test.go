package catalog

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mozillazg/go-pinyin"
)

func TestPinyinInitials(t *testing.T) {
	for in, want := range map[string]string{
		"社保卡":         "sbk",
		"失业保险金申领":     "sybxjsl",
		"劳动争议调解申请":    "ldzytjsq",
		"行政给付":        "xzjf",
		"长清区":         "cqq",
		"《就业创业证》申领":   "jycyzsl",
		"RS-B-012 社保": "rsb012sb",
		"ＡＢｃ１":        "abc1",
		"":            "",
	} {
		if got := PinyinInitials(in); got != want {
			t.Errorf("PinyinInitials(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestInitialsTableMatchesGoPinyin checks that the table Rank uses gives, for
// every character of the CJK block, what go-pinyin's FirstLetter style gives.
func TestInitialsTableMatchesGoPinyin(t *testing.T) {
	a := pinyin.NewArgs()
	a.Style = pinyin.FirstLetter
	for r := rune(cjkFirst); r <= cjkLast; r++ {
		var want byte
		if py := pinyin.SinglePinyin(r, a); len(py) > 0 {
			want = py[0][0]
		}
		if got := initialOf(r); got != want {
			t.Fatalf("initialOf(%c) = %q, go-pinyin %q", r, got, want)
		}
	}
}

// TestPinyinPhrases checks that every override is one of the readings
// go-pinyin knows for each character.
func TestPinyinPhrases(t *testing.T) {
	a := pinyin.NewArgs()
	a.Style, a.Heteronym = pinyin.FirstLetter, true
	for p, ini := range pinyinPhrases {
		for i, r := range p {
			if !slices.Contains(pinyin.SinglePinyin(r, a), ini[i:i+1]) {
				t.Errorf("%c%c: %q is not a reading of %c (%v)", p[0], p[1], ini[i], r, pinyin.SinglePinyin(r, a))
			}
		}
	}
}

func TestNormalizeQuery(t *testing.T) {
	for in, want := range map[string]string{
		"  社保卡 ":     "社保卡",
		"SBK":        "sbk",
		"ＳＢＫ":        "sbk",
		"社保卡　　补办":    "社保卡 补办",
		"RS-B-021\t": "rs-b-021",
		"失业":         "失业",
	} {
		if got := NormalizeQuery(in); got != want {
			t.Errorf("NormalizeQuery(%q) = %q, want %q", in, got, want)
		}
		if isNormalized(in) != (in == NormalizeQuery(in)) {
			t.Errorf("isNormalized(%q) disagrees with NormalizeQuery", in)
		}
	}
}

type hit struct {
	name  string
	score int
}

// search ranks all demo items for q, best first, ties by code.
func search(items []Item, q string) []hit {
	var hits []hit
	var codes []string
	for _, it := range items {
		if s, ok := Rank(it, q); ok {
			hits = append(hits, hit{it.Name, s})
			codes = append(codes, it.Code)
		}
	}
	idx := make([]int, len(hits))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if hits[a].score != hits[b].score {
			return hits[b].score - hits[a].score
		}
		return strings.Compare(codes[a], codes[b])
	})
	out := make([]hit, len(hits))
	for i, j := range idx {
		out[i] = hits[j]
	}
	return out
}

func names(hits []hit) []string {
	var n []string
	for _, h := range hits {
		n = append(n, h.name)
	}
	return n
}

func TestRankCardItemsFirst(t *testing.T) {
	items := mustDemo(t)
	var cards []string
	for _, it := range items {
		if strings.Contains(it.Name, "社会保障卡") {
			cards = append(cards, it.Name)
		}
	}
	if len(cards) < 5 {
		t.Fatalf("only %d card items in the demo", len(cards))
	}
	for _, q := range []string{"社保卡", "sbk", "SBK", "ｓｂｋ"} {
		hits := search(items, q)
		if len(hits) < len(cards) {
			t.Fatalf("%s: %d hits, want at least %d: %v", q, len(hits), len(cards), names(hits))
		}
		top := names(hits[:len(cards)])
		for _, c := range cards {
			if !slices.Contains(top, c) {
				t.Errorf("%s: card item %s not among the first %d: %v", q, c, len(cards), names(hits))
			}
		}
	}
	// The more specific alias wins: 社保卡挂失 puts the loss report first.
	if hits := search(items, "社保卡挂失"); len(hits) == 0 || hits[0].name != "社会保障卡挂失" {
		t.Errorf("社保卡挂失: %v", names(hits))
	}
}

func TestRankShortQueries(t *testing.T) {
	items := mustDemo(t)
	for q, wantAll := range map[string][]string{
		"失业": {"失业登记", "失业保险金申领", "失业保险关系转移"},
		"退休": {"基本养老金申领"},
		"仲裁": {"劳动人事争议仲裁申请"},
		"档案": {"人事档案接收与转递", "流动人员人事档案查阅"},
		"卡":  {"社会保障卡申领", "社会保障卡补换"},
	} {
		got := names(search(items, q))
		for _, w := range wantAll {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %s not found in %v", q, w, got)
			}
		}
	}
	// Names starting with the query come before names merely containing it.
	hits := search(items, "失业")
	if hits[0].name != "失业登记" && hits[0].name != "失业保险金申领" && hits[0].name != "失业保险关系转移" {
		t.Errorf("失业: first hit %s", hits[0].name)
	}
	if hits := search(items, "退休"); hits[0].name != "基本养老金申领" {
		t.Errorf("退休: first hit %v", names(hits))
	}
	// Tier order is name prefix > name substring > alias, so the
	// certificate whose name starts with 养老金 precedes the claim whose
	// name contains it (and whose alias is exactly 养老金).
	if hits := search(items, "养老金"); len(hits) < 2 || hits[0].name != "养老金领取证明开具" || hits[1].name != "基本养老金申领" {
		t.Errorf("养老金: %v", names(hits))
	}
	if hits := search(items, "失业金"); hits[0].name != "失业保险金申领" {
		t.Errorf("失业金: first hit %v", names(hits))
	}
}

func TestRankTiers(t *testing.T) {
	it := validItem(t, "失业保险金申领")
	for _, tt := range []struct {
		q        string
		lo, hi   int
		wantMiss bool
	}{
		{"RS-B-017", ScoreCode, ScoreCode, false},
		{"rs-b-017", ScoreCode, ScoreCode, false},
		{"失业保险金申领", ScoreNameExact, ScoreNameExact, false},
		{"失业", ScoreNamePrefix, ScoreNamePrefix + 999, false},
		{"申领", ScoreNameSubstr, ScoreNameSubstr + 999, false},
		{"失业金", ScoreAlias, ScoreAlias + 999, false},
		{"sybx", ScorePinyin, ScorePinyin + 999, false},
		{"lsyj", ScorePinyin, ScorePinyin + 999, false}, // alias 领失业金
		{"unemployment", ScoreEnglish, ScoreEnglish + 999, false},
		{"居民身份证", ScoreText, ScoreText + 999, false},    // a material
		{"辞职", ScoreText, ScoreText + 999, false},       // the FAQ
		{"失业 社会保障卡", ScoreText, ScoreText + 999, false}, // weakest term
		{"失业 仲裁", 0, 0, true},
		{"工伤", 0, 0, true},
		{"", 0, 0, true},
		{"   ", 0, 0, true},
		{"s", 0, 0, true}, // one letter is not a pinyin query
	} {
		s, ok := Rank(it, tt.q)
		if tt.wantMiss {
			if ok {
				t.Errorf("Rank(%q) = %d, want no match", tt.q, s)
			}
			continue
		}
		if !ok || s < tt.lo || s > tt.hi {
			t.Errorf("Rank(%q) = %d, %v; want %d..%d", tt.q, s, ok, tt.lo, tt.hi)
		}
	}
	// Closer name matches score higher within a tier.
	a, _ := Rank(Item{Name: "失业登记"}, "失业")
	b, _ := Rank(Item{Name: "失业保险关系转移"}, "失业")
	if a <= b {
		t.Errorf("shorter name should win: %d vs %d", a, b)
	}
}

// TestSearchTextContract checks the promise a store's prefilter relies on:
// when Rank accepts, every normalised term is in SearchText.
func TestSearchTextContract(t *testing.T) {
	items := mustDemo(t)
	queries := []string{"社保卡", "sbk", "SBK", "失业", "退休", "Pension", "rs-b-021", "卡", "证", "身份证", "jy", "tj", "ldzy", "仲裁 申请", "APP", "app"}
	for _, it := range items {
		// Every alias, every two-character piece of the name and its initials.
		qs := append(slices.Clone(queries), it.Aliases...)
		r := []rune(it.Name)
		for i := 0; i+2 <= len(r); i++ {
			qs = append(qs, string(r[i:i+2]))
		}
		qs = append(qs, PinyinInitials(it.Name))
		text := SearchText(it)
		for _, q := range qs {
			if _, ok := Rank(it, q); !ok {
				continue
			}
			for term := range strings.SplitSeq(NormalizeQuery(q), " ") {
				if !strings.Contains(text, term) {
					t.Errorf("%s: Rank accepts %q but SearchText lacks %q", it.Code, q, term)
				}
			}
		}
	}
}

func TestRankNoAllocs(t *testing.T) {
	it := validItem(t, "社会保障卡补换")
	for _, q := range []string{"社保卡", "sbk", "不存在的事项"} {
		if n := testing.AllocsPerRun(100, func() { Rank(it, q) }); n != 0 {
			t.Errorf("Rank(%q) allocates %v times", q, n)
		}
	}
}

// syntheticItems makes n items from the demo catalogue with distinct codes
// and names, for benchmarks.
func syntheticItems(t testing.TB, n int) []Item {
	demo := mustDemo(t)
	out := make([]Item, n)
	for i := range out {
		it := demo[i%len(demo)]
		it.Code = fmt.Sprintf("RS-%c-%03d", 'A'+i/1000%26, i%1000)
		if i >= len(demo) {
			it.Name = fmt.Sprintf("%s（第%d类）", it.Name, i/len(demo))
		}
		out[i] = it
	}
	return out
}

// BenchmarkRank5000 ranks 5,000 synthetic items per operation, i.e. one
// full scan without a prefilter.
func BenchmarkRank5000(b *testing.B) {
	items := syntheticItems(b, 5000)
	for _, q := range []string{"社保卡", "失业", "卡", "sbk", "RS-B-021", "不存在的事项"} {
		b.Run(q, func(b *testing.B) {
			q := NormalizeQuery(q) // once per search, as a caller would
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for i := range items {
					if _, ok := Rank(items[i], q); ok {
						n++
					}
				}
				if n == 0 && q != "不存在的事项" {
					b.Fatalf("%s: no hits", q)
				}
			}
		})
	}
}

func BenchmarkSearchText(b *testing.B) {
	items := syntheticItems(b, 66)
	b.ReportAllocs()
	for b.Loop() {
		for i := range items {
			_ = SearchText(items[i])
		}
	}
}
