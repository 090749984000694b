package web

import "net/http"

type coverRequest struct {
	// Staff is the id of a staff member of the hall; 0 removes the cover.
	Staff int64 `json:"staff"`
}

// apiWindowCover names the cover of a window: besides its assigned staff
// member, only the cover may sign in there (a clerk acts at their own
// window, docs/security.md).
func (s *Server) apiWindowCover(w http.ResponseWriter, r *http.Request) error {
	windowID, err := pathID(r, "window")
	if err != nil {
		return err
	}
	var in coverRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.DB.SetWindowCover(r.Context(), hallID(r), windowID, in.Staff); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
