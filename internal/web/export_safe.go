package web

import (
	"strconv"
	"strings"
)

// spreadsheetSafe neutralises a CSV cell that a spreadsheet would run as a
// formula (CSV injection): a cell starting with =, +, -, @, tab or CR gets
// a leading apostrophe, which spreadsheets show as text. Plain numbers
// ("-2", "+86") stay as they are: they cannot hold a formula. XLSX cells
// are written as typed strings and are never formulas.
func spreadsheetSafe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

// spreadsheetSafeRow applies spreadsheetSafe to every cell of a row.
func spreadsheetSafeRow(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = spreadsheetSafe(c)
	}
	return out
}
