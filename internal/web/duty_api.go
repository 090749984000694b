package web

import (
	"net/http"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/duty"
	"mingbai/internal/store"
)

// dutyManager reports whether the caller manages the roster (a hall
// manager or an administrator); managers approve swaps.
func dutyManager(r *http.Request) bool {
	p := principal(r)
	return p.Role == auth.HallManager || p.Role == auth.Admin
}

func (s *Server) apiDutyLeaders(w http.ResponseWriter, r *http.Request) error {
	out, err := s.DB.ListDutyLeaders(r.Context(), hallID(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

// dutyMonth is the ?month= of a roster request, this month by default.
func (s *Server) dutyMonth(r *http.Request) (string, error) {
	if m := r.URL.Query().Get("month"); m != "" {
		return m, duty.ValidMonth(m)
	}
	now, err := s.dutyNow(r)
	return now.Format("2006-01"), err
}

// dutyNow is the time now in the hall's zone.
func (s *Server) dutyNow(r *http.Request) (time.Time, error) {
	n, err := s.DB.HallNow(r.Context(), hallID(r))
	if err != nil {
		return time.Time{}, err
	}
	return n.Now.In(time.FixedZone("", n.Offset)), nil
}

func (s *Server) apiDutyRoster(w http.ResponseWriter, r *http.Request) error {
	month, err := s.dutyMonth(r)
	if err != nil {
		return err
	}
	out, err := s.DB.ListRoster(r.Context(), hallID(r), month, true)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiDutyCreateShift(w http.ResponseWriter, r *http.Request) error {
	var in store.ShiftInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.DB.CreateShift(r.Context(), hallID(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, out)
	return nil
}

func (s *Server) apiDutyUpdateShift(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "shift")
	if err != nil {
		return err
	}
	var in store.ShiftInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.DB.UpdateShift(r.Context(), hallID(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiDutyDeleteShift(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "shift")
	if err != nil {
		return err
	}
	if err := s.DB.DeleteShift(r.Context(), hallID(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type publishedJSON struct {
	Month     string `json:"month"`
	Published int    `json:"published"`
}

func (s *Server) apiDutyPublish(w http.ResponseWriter, r *http.Request) error {
	month := r.PathValue("month")
	n, err := s.DB.PublishMonth(r.Context(), hallID(r), month)
	if err != nil {
		return err
	}
	writeJSON(w, 200, publishedJSON{Month: month, Published: n})
	return nil
}

func (s *Server) apiDutyWeek(w http.ResponseWriter, r *http.Request) error {
	out, err := s.DB.DutyWeek(r.Context(), hallID(r), r.URL.Query().Get("day"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiDutySwaps(w http.ResponseWriter, r *http.Request) error {
	var leader int64
	if principal(r).Role == auth.DutyLeader {
		leader = principal(r).UserID
	}
	out, err := s.DB.ListSwaps(r.Context(), hallID(r), leader)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiDutyRequestSwap(w http.ResponseWriter, r *http.Request) error {
	var in store.SwapInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.DB.RequestSwap(r.Context(), hallID(r), principal(r).UserID, in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, out)
	return nil
}

type swapActRequest struct {
	Note string `json:"note,omitempty"`
}

func (s *Server) apiDutySwapAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "swap")
	if err != nil {
		return err
	}
	a, err := duty.ParseSwapAction(r.PathValue("action"))
	if err != nil {
		return err
	}
	var in swapActRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	out, err := s.DB.ActOnSwap(r.Context(), hallID(r), id, a, principal(r).UserID, dutyManager(r), in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiDutyConsole(w http.ResponseWriter, r *http.Request) error {
	out, err := s.DB.DutyConsoleOf(r.Context(), hallID(r), principal(r).UserID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiDutyCheckIn(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "shift")
	if err != nil {
		return err
	}
	out, err := s.DB.CheckInShift(r.Context(), hallID(r), id, principal(r).UserID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

type checkOutRequest struct {
	Handover string `json:"handover"`
}

func (s *Server) apiDutyCheckOut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "shift")
	if err != nil {
		return err
	}
	var in checkOutRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.DB.CheckOutShift(r.Context(), hallID(r), id, principal(r).UserID, in.Handover)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiDutyLog(w http.ResponseWriter, r *http.Request) error {
	var in store.DutyLogInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.DB.AddDutyLog(r.Context(), hallID(r), principal(r).UserID, in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, out)
	return nil
}

type checklistJSON struct {
	Items []duty.ChecklistItem `json:"items"`
}

func (s *Server) apiDutyChecklist(w http.ResponseWriter, r *http.Request) error {
	if r.Method == http.MethodPut {
		var in checklistJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		if _, err := s.DB.SaveDutyChecklist(r.Context(), hallID(r), in.Items); err != nil {
			return err
		}
	}
	items, err := s.DB.DutyChecklist(r.Context(), hallID(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, checklistJSON{Items: items})
	return nil
}
