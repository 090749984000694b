package catalog

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// PinyinInitials returns the first letters of the pinyin of the Chinese
// characters in s, e.g. 社保卡 → "sbk", 失业保险金申领 → "sybxjsl". ASCII
// letters and digits are kept (letters lower-cased); everything else —
// punctuation, spaces, characters without pinyin — is dropped.
//
// Each character takes the first reading of go-pinyin's dictionary, except
// for a few words of the hall's vocabulary whose heteronyms read otherwise
// (调解 tj, 给付 jf, 银行 yh, 长清 cq …; see pinyinPhrases).
func PinyinInitials(s string) string {
	return string(appendInitials(nil, s))
}

// pinyinPhrases gives the initials of two-character words whose heteronym
// characters do not take the dictionary's first reading.
var pinyinPhrases = map[[2]rune]string{
	{'调', '解'}: "tj", {'调', '整'}: "tz", {'协', '调'}: "xt", {'调', '节'}: "tj",
	{'给', '付'}: "jf", {'给', '予'}: "jy", {'供', '给'}: "gj", {'补', '给'}: "bj",
	{'银', '行'}: "yh", {'行', '业'}: "hy", {'重', '新'}: "cx", {'重', '复'}: "cf",
	{'长', '清'}: "cq", {'延', '长'}: "yc", {'长', '期'}: "cq", {'会', '计'}: "kj",
	{'便', '宜'}: "py",
}

// initialsTable maps the CJK Unified Ideographs block (U+4E00–U+9FFF) to the
// first letter of each character's first dictionary reading, 0 when none.
var (
	initialsOnce  sync.Once
	initialsTable []byte
)

const cjkFirst, cjkLast = 0x4E00, 0x9FFF

func loadInitials() {
	initialsTable = make([]byte, cjkLast-cjkFirst+1)
	for r, readings := range pinyin.PinyinDict {
		if r < cjkFirst || r > cjkLast || readings == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(readings)
		initialsTable[r-cjkFirst] = baseLetter(first)
	}
	for p := range pinyinPhrases {
		initialsTable[p[0]-cjkFirst] |= phraseStart
	}
}

// phraseStart marks, in initialsTable, characters that begin an entry of
// pinyinPhrases, so that most characters skip the map lookup.
const phraseStart = 0x80

// baseLetter maps the first rune of a tone-marked pinyin syllable to its
// plain lower-case letter, 0 when it is not one.
func baseLetter(r rune) byte {
	switch {
	case r >= 'a' && r <= 'z':
		return byte(r)
	case strings.ContainsRune("āáǎà", r):
		return 'a'
	case strings.ContainsRune("ēéěèêếề", r):
		return 'e'
	case strings.ContainsRune("ōóǒò", r):
		return 'o'
	case strings.ContainsRune("ḿ", r):
		return 'm'
	case strings.ContainsRune("ńňǹ", r):
		return 'n'
	}
	return 0
}

// initialOf returns the pinyin initial of r, the lower-cased r for ASCII
// letters and digits, or 0.
func initialOf(r rune) byte {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return byte(r)
	case r >= 'A' && r <= 'Z':
		return byte(r) + 'a' - 'A'
	case r >= cjkFirst && r <= cjkLast:
		initialsOnce.Do(loadInitials)
		return initialsTable[r-cjkFirst] &^ phraseStart
	}
	if r >= 0xFF10 && r <= 0xFF5A { // full-width digits and letters
		return initialOf(r - 0xFF10 + '0')
	}
	return 0
}

// appendInitials appends the pinyin initials of s to dst (see
// PinyinInitials).
func appendInitials(dst []byte, s string) []byte {
	var prev rune = -1
	for _, r := range s {
		if prev >= 0 {
			if startsPhrase(prev) {
				if p, ok := pinyinPhrases[[2]rune{prev, r}]; ok {
					dst = append(dst, p...)
					prev = -1
					continue
				}
			}
			if c := initialOf(prev); c != 0 {
				dst = append(dst, c)
			}
		}
		prev = r
	}
	if prev >= 0 {
		if c := initialOf(prev); c != 0 {
			dst = append(dst, c)
		}
	}
	return dst
}

// startsPhrase reports whether r begins an entry of pinyinPhrases.
func startsPhrase(r rune) bool {
	if r < cjkFirst || r > cjkLast {
		return false
	}
	initialsOnce.Do(loadInitials)
	return initialsTable[r-cjkFirst]&phraseStart != 0
}

// NormalizeQuery prepares a search query: full-width ASCII characters and the
// ideographic space become their ASCII forms, ASCII letters are lower-cased,
// leading and trailing space is removed and inner runs of space become one
// space. Rank normalises its query itself; a store's prefilter should match
// each space-separated term of NormalizeQuery(q) against SearchText.
func NormalizeQuery(q string) string {
	var b strings.Builder
	b.Grow(len(q))
	space := false
	for _, r := range q {
		switch {
		case r == 0x3000 || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == 0xA0:
			space = true
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			r = r - 0xFF01 + '!'
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isNormalized reports whether NormalizeQuery(q) == q, cheaply.
func isNormalized(q string) bool {
	if q == "" {
		return true
	}
	if q[0] == ' ' || q[len(q)-1] == ' ' {
		return false
	}
	prevSpace := false
	for _, r := range q {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case r >= 'A' && r <= 'Z', r == '\t', r == '\n', r == '\r', r == 0xA0, r == 0x3000,
			r >= 0xFF01 && r <= 0xFF5E:
			return false
		}
		prevSpace = false
	}
	return true
}

// SearchText returns the text a search for item looks through, for a store's
// prefilter index: code, name, English name, aliases, the pinyin initials of
// name and aliases, material names and the FAQ, one per line, with ASCII
// lower-cased.
//
// Contract with Rank: whenever Rank(item, q) accepts, every term of
// NormalizeQuery(q) is a substring of SearchText(item); a prefilter that
// keeps only such items loses nothing.
func SearchText(item Item) string {
	var b strings.Builder
	line := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
	line(item.Code)
	line(item.Name)
	line(item.NameEn)
	for _, a := range item.Aliases {
		line(a)
	}
	line(PinyinInitials(item.Name))
	for _, a := range item.Aliases {
		line(PinyinInitials(a))
	}
	for _, m := range item.Materials {
		line(m.Name)
	}
	for _, f := range item.FAQ {
		line(f.Q)
		line(f.A)
	}
	return b.String()
}

// Score tiers of Rank, highest first. Within a tier a closer match scores
// higher by up to 999.
const (
	ScoreCode       = 9000 // query is the item code
	ScoreNameExact  = 8000 // query is the name
	ScoreNamePrefix = 7000 // name starts with the query
	ScoreNameSubstr = 6000 // name contains the query
	ScoreAlias      = 5000 // an alias equals, starts with or contains the query
	ScorePinyin     = 4000 // pinyin initials of the name or an alias contain the query
	ScoreEnglish    = 3000 // the English name contains the query
	ScoreText       = 2000 // a material name or the FAQ contains the query
)

// Rank scores how well item matches a search query, matching substrings (not
// words), so one- and two-character Chinese queries work: 失业 finds 失业登记
// and 失业保险金申领. The tiers, best first: code, name exact, name prefix,
// name substring, alias, pinyin initials (queries of two or more ASCII
// letters, e.g. sbk for 社保卡), English name, material names and FAQ. Within
// a tier, matches that leave less of the field unmatched and start earlier
// score higher. A query of several space-separated terms matches when every
// term does, and scores as its weakest term. ok is false when nothing
// matches or the query is empty.
//
// Rank allocates nothing when the query is already normalised (callers
// ranking many items should pass NormalizeQuery(q) once); it is meant to run
// over the candidates of an indexed prefilter (see SearchText).
func Rank(item Item, query string) (score int, ok bool) {
	q := query
	if !isNormalized(q) {
		q = NormalizeQuery(q)
	}
	if q == "" {
		return 0, false
	}
	if !strings.Contains(q, " ") {
		return rankTerm(&item, q)
	}
	score = ScoreCode + 1000
	for term := range strings.SplitSeq(q, " ") {
		s, ok := rankTerm(&item, term)
		if !ok {
			return 0, false
		}
		score = min(score, s)
	}
	return score, true
}

// rankTerm ranks one normalised term.
func rankTerm(it *Item, q string) (int, bool) {
	ascii := isASCII(q)
	if ascii && strings.EqualFold(it.Code, q) {
		return ScoreCode, true
	}
	qn := utf8.RuneCountInString(q)
	if i := indexFold(it.Name, q); i >= 0 {
		rest := utf8.RuneCountInString(it.Name) - qn
		switch {
		case rest == 0:
			return ScoreNameExact, true
		case i == 0:
			return ScoreNamePrefix + closeness(rest, 0), true
		default:
			return ScoreNameSubstr + closeness(rest, utf8.RuneCountInString(it.Name[:i])), true
		}
	}
	best := -1
	for _, a := range it.Aliases {
		if i := indexFold(a, q); i >= 0 {
			rest := utf8.RuneCountInString(a) - qn
			s := closeness(rest, utf8.RuneCountInString(a[:i]))
			if rest == 0 {
				s = 999
			} else if i == 0 {
				s += 400
			}
			best = max(best, min(s, 999))
		}
	}
	if best >= 0 {
		return ScoreAlias + best, true
	}
	if ascii && len(q) >= 2 && isLetters(q) {
		if s, ok := pinyinScore(it, q); ok {
			return ScorePinyin + s, true
		}
	}
	if ascii {
		if i := indexFold(it.NameEn, q); i >= 0 {
			return ScoreEnglish + closeness(len(it.NameEn)-len(q), i), true
		}
	}
	for _, m := range it.Materials {
		if indexFold(m.Name, q) >= 0 {
			return ScoreText + 500, true
		}
	}
	for _, f := range it.FAQ {
		if indexFold(f.Q, q) >= 0 {
			return ScoreText + 300, true
		}
	}
	for _, f := range it.FAQ {
		if indexFold(f.A, q) >= 0 {
			return ScoreText + 100, true
		}
	}
	return 0, false
}

// pinyinScore matches q against the pinyin initials of the name (prefix
// best) and then of the aliases; the score is within 0..999.
func pinyinScore(it *Item, q string) (int, bool) {
	var buf [128]byte
	ini := appendInitials(buf[:0], it.Name)
	if i := indexBytes(ini, q); i >= 0 {
		if i == 0 {
			return 600 + closeness(len(ini)-len(q), 0)/3, true
		}
		return 300 + closeness(len(ini)-len(q), i)/4, true
	}
	best := -1
	for _, a := range it.Aliases {
		ini = appendInitials(buf[:0], a)
		if i := indexBytes(ini, q); i >= 0 {
			best = max(best, closeness(len(ini)-len(q), i)/4)
		}
	}
	return best, best >= 0
}

// closeness turns the unmatched length of a field and the match position
// into a bonus of 0..999: less left over and an earlier start are better.
func closeness(rest, pos int) int {
	return max(0, 999-10*min(rest, 60)-2*min(pos, 60))
}

// indexBytes is strings.Index on a byte slice without converting it.
func indexBytes(b []byte, q string) int {
	n := len(q)
	for i := 0; i+n <= len(b); i++ {
		if string(b[i:i+n]) == q {
			return i
		}
	}
	return -1
}

// indexFold returns the byte index of q in s, or -1. q is normalised;
// when it has ASCII letters, ASCII letters in s match either case.
func indexFold(s, q string) int {
	if !hasUpperASCII(s) || !hasLetter(q) {
		return strings.Index(s, q)
	}
	n := len(q)
	for i := 0; i+n <= len(s); i++ {
		if equalFoldASCII(s[i:i+n], q) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func hasUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
