package web

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"strings"
)

// handleAvatar draws a generated avatar for a staff member: the surname on
// a coloured disc. Real halls upload photos; the demo needs faces that are
// nobody's.
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) error {
	no := strings.TrimSuffix(r.PathValue("file"), ".svg")
	st, err := s.DB.StaffByNumber(r.Context(), no)
	if err != nil {
		return err
	}
	return writeAvatar(w, st.StaffNo, st.Name)
}

// writeAvatar draws the avatar of a person: seed picks the colour, the
// first character of name is drawn on it.
func writeAvatar(w http.ResponseWriter, seed, name string) error {
	h := fnv.New32a()
	h.Write([]byte(seed))
	hue := h.Sum32() % 360
	initial := string([]rune(name)[:1])
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, err := fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120">`+
		`<rect width="120" height="120" fill="hsl(%d,45%%,88%%)"/><circle cx="60" cy="46" r="24" fill="hsl(%d,40%%,45%%)"/>`+
		`<path d="M16 120c4-28 22-40 44-40s40 12 44 40z" fill="hsl(%d,40%%,45%%)"/>`+
		`<text x="60" y="56" font-size="26" text-anchor="middle" fill="#fff" font-family="Noto Sans CJK SC, sans-serif">%s</text></svg>`,
		hue, hue, hue, html.EscapeString(initial))
	return err
}
