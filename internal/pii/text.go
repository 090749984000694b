package pii

import "strings"

// fold turns full-width ASCII characters (U+FF01–U+FF5E) and the
// ideographic space into their ASCII forms, as typed on Chinese keyboards.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// strip folds s and removes spaces, tabs and the given separator runes.
func strip(s string, seps string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || strings.ContainsRune(seps, r) {
			return -1
		}
		return r
	}, fold(s))
}
