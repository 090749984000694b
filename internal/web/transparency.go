package web

import (
	"math"
	"net/http"
	"strconv"

	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// transparencyJSON is the public figures of a hall: no personal data and
// no per-staff figures.
type transparencyJSON struct {
	Figures      store.PublicFigures      `json:"figures"`
	Satisfaction store.PublicSatisfaction `json:"satisfaction"`
	// Guides links the list of published guides; Duty the hall's duty
	// roster (the public week page of the duty area); Complain the public
	// complaint form of the hall.
	Guides   string `json:"guides"`
	Duty     string `json:"duty"`
	Complain string `json:"complain"`
}

func (s *Server) transparency(r *http.Request) (transparencyJSON, error) {
	id := hallID(r)
	var t transparencyJSON
	var err error
	if t.Figures, err = s.DB.HallPublicFigures(r.Context(), id); err != nil {
		return t, err
	}
	if t.Satisfaction, err = s.DB.PublicSatisfaction(r.Context(), id); err != nil {
		return t, err
	}
	if t.Satisfaction.Zones == nil {
		t.Satisfaction.Zones = []store.RateRow{}
	}
	t.Guides = "/guides"
	t.Duty = "/halls/" + strconv.FormatInt(id, 10) + "/duty/week"
	t.Complain = "/complain?hall=" + strconv.FormatInt(id, 10)
	return t, nil
}

func (s *Server) apiTransparency(w http.ResponseWriter, r *http.Request) error {
	t, err := s.transparency(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, t)
	return nil
}

func (s *Server) pageTransparency(w http.ResponseWriter, r *http.Request) error {
	t, err := s.transparency(r)
	if err != nil {
		return err
	}
	items, err := s.findItems(r, "", "")
	if err != nil {
		return err
	}
	zones, err := s.zones(r)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, z := range zones {
		names[z.Code] = z.Name
	}
	type guideGroup struct {
		Zone  string
		Items []itemJSON
	}
	var groups []guideGroup
	idx := map[string]int{}
	for _, it := range items {
		i, ok := idx[it.Zone]
		if !ok {
			i = len(groups)
			idx[it.Zone] = i
			name := names[it.Zone]
			if name == "" {
				name = zoneLabel(lang(r), it.Zone)
			}
			groups = append(groups, guideGroup{Zone: name})
		}
		groups[i].Items = append(groups[i].Items, it)
	}
	s.render(w, r, 200, "transparency", pageData{Title: i18n.T(lang(r), "ov.transparency") + " · " + t.Figures.Hall,
		Data: map[string]any{"T": t, "Guides": groups, "Count": len(items), "HallID": hallID(r),
			"SatPct": math.Round(t.Satisfaction.Hall.Rate*1000) / 10}})
	return nil
}
