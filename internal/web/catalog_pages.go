package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"mingbai/internal/apperr"
	"mingbai/internal/catalog"
	"mingbai/internal/i18n"
)

// Service guides (catalogue): public pages (list, guide, print sheets,
// kiosk) and the editors' pages. Every text of a guide reaches the page
// through html/template, so HTML in a field is shown as text.

// catalogFileDoc documents the catalogue file format in the API description.
type catalogFileDoc struct {
	Format string         `json:"format"`
	Items  []catalog.Item `json:"items"`
}

func init() {
	// Template helpers of the guide pages.
	funcs["lbl"] = func(l i18n.Lang, v interface {
		Zh() string
		En() string
	}) string {
		if l == i18n.En {
			return v.En()
		}
		return v.Zh()
	}
	funcs["limit"] = guideLimit
	funcs["zh"] = func(l i18n.Lang) bool { return l != i18n.En }
	funcs["gv"] = func(l i18n.Lang, g guideView) guideArgs { return guideArgs{l, g} }
}

// guideLimit renders a time limit with its unit spelled out, so that a
// reader never confuses working days with calendar days.
func guideLimit(l i18n.Lang, lim catalog.Limit) string {
	switch {
	case lim.Value == 0:
		return i18n.T(l, "catalog.limit.on_the_spot")
	case lim.Unit == catalog.CalendarDays:
		return i18n.T(l, "catalog.limit.calendar", lim.Value)
	default:
		return i18n.T(l, "catalog.limit.working", lim.Value)
	}
}

// zoneView is a zone with its display name.
type zoneView struct {
	Code, Name string
	Items      []catalog.Item
}

// zoneNames maps the zone codes to names in l: the message catalogue for
// the standard zones, else the first hall's zone name.
func (s *Server) zones(r *http.Request) ([]zoneView, error) {
	l := lang(r)
	codes, err := s.DB.CatalogZones(r.Context())
	if err != nil {
		return nil, err
	}
	dbNames := map[string]string{}
	order := []string{}
	if hs, err := s.DB.ListHalls(r.Context()); err == nil && len(hs) > 0 {
		if zs, err := s.DB.ListZones(r.Context(), hs[0].ID); err == nil {
			for _, z := range zs {
				dbNames[z.Code] = z.Name
				order = append(order, z.Code)
			}
		}
	}
	seen := map[string]bool{}
	var out []zoneView
	add := func(c string) {
		if seen[c] {
			return
		}
		seen[c] = true
		name := dbNames[c]
		if k := "catalog.zone." + c; i18n.Has(k) {
			name = i18n.T(l, k)
		}
		if name == "" {
			name = c
		}
		out = append(out, zoneView{Code: c, Name: name})
	}
	for _, c := range order {
		add(c)
	}
	for _, c := range codes {
		add(c)
	}
	return out, nil
}

func zoneName(zs []zoneView, code string) string {
	for _, z := range zs {
		if z.Code == code {
			return z.Name
		}
	}
	return code
}

// guideArgs is the argument of the "guidebody" template.
type guideArgs struct {
	L i18n.Lang
	G guideView
}

// guideView is what the guide templates show.
type guideView struct {
	Item     catalog.Item
	Version  catalog.Version
	ZoneName string
	URL      string
	QR       template.URL
	Draft    bool
}

// baseURL is the site's public address, for QR codes.
func (s *Server) baseURL(r *http.Request) string {
	if s.Cfg.BaseURL != "" {
		return strings.TrimRight(s.Cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// qrDataURL renders a QR code of u as an inline PNG, so that printed
// sheets and PDFs carry it without another request.
func qrDataURL(u string) template.URL {
	png, err := qrcode.Encode(u, qrcode.Medium, 240)
	if err != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

func (s *Server) guideView(r *http.Request, g catalog.Guide, zs []zoneView) guideView {
	u := s.baseURL(r) + "/guides/" + url.PathEscape(g.Item.Code)
	return guideView{Item: g.Item, Version: g.Version, ZoneName: zoneName(zs, g.Item.Zone), URL: u, QR: qrDataURL(u), Draft: g.Version.State == catalog.Draft}
}

func (s *Server) pageGuides(w http.ResponseWriter, r *http.Request) error {
	q, zone := r.URL.Query().Get("q"), r.URL.Query().Get("zone")
	zs, err := s.zones(r)
	if err != nil {
		return err
	}
	items, err := s.findItems(r, q, zone)
	if err != nil {
		return err
	}
	groups := make([]zoneView, 0, len(zs))
	for _, z := range zs {
		if zone != "" && z.Code != zone {
			continue
		}
		g := zoneView{Code: z.Code, Name: z.Name}
		for _, it := range items {
			if it.Zone == z.Code && q == "" {
				g.Items = append(g.Items, catalog.Item{Code: it.Code, Name: it.Name, NameEn: it.NameEn, Handling: it.Handling, PledgedLimit: it.PledgedLimit})
			}
		}
		groups = append(groups, g)
	}
	var hits []catalog.Item
	if q != "" {
		for _, it := range items {
			hits = append(hits, catalog.Item{Code: it.Code, Name: it.Name, NameEn: it.NameEn, Zone: it.Zone, Handling: it.Handling, PledgedLimit: it.PledgedLimit})
		}
	}
	s.render(w, r, 200, "guides", pageData{Title: i18n.T(lang(r), "catalog.title"), Data: map[string]any{
		"Q": q, "Zone": zone, "Zones": zs, "Groups": groups, "Hits": hits, "Searched": q != "", "Count": len(items),
	}})
	return nil
}

func (s *Server) publishedView(r *http.Request) (guideView, error) {
	g, err := s.DB.PublishedGuide(r.Context(), r.PathValue("code"))
	if err != nil {
		return guideView{}, err
	}
	zs, err := s.zones(r)
	if err != nil {
		return guideView{}, err
	}
	return s.guideView(r, g, zs), nil
}

func (s *Server) pageGuide(w http.ResponseWriter, r *http.Request) error {
	v, err := s.publishedView(r)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "guide", pageData{Title: v.Item.Name, Data: v})
	return nil
}

func (s *Server) pageGuidePrint(w http.ResponseWriter, r *http.Request) error {
	v, err := s.publishedView(r)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "guide_print", pageData{Title: v.Item.Name, Data: []guideView{v}})
	return nil
}

func (s *Server) pageGuidesPrint(w http.ResponseWriter, r *http.Request) error {
	zone := r.URL.Query().Get("zone")
	if zone == "" {
		return apperr.InvalidField("zone", "err.required", "zone")
	}
	if err := s.checkZone(r, zone); err != nil {
		return err
	}
	zs, err := s.zones(r)
	if err != nil {
		return err
	}
	items, err := s.DB.ListPublishedItems(r.Context(), zone)
	if err != nil {
		return err
	}
	var views []guideView
	for _, it := range items {
		g, err := s.DB.PublishedGuide(r.Context(), it.Code)
		if err != nil {
			return err
		}
		views = append(views, s.guideView(r, g, zs))
	}
	s.render(w, r, 200, "guide_print", pageData{Title: zoneName(zs, zone), Data: views})
	return nil
}

func (s *Server) pageKioskGuides(w http.ResponseWriter, r *http.Request) error {
	q, zone, code := r.URL.Query().Get("q"), r.URL.Query().Get("zone"), r.URL.Query().Get("code")
	zs, err := s.zones(r)
	if err != nil {
		return err
	}
	data := map[string]any{"Q": q, "Zone": zone, "Zones": zs}
	switch {
	case code != "":
		g, err := s.DB.PublishedGuide(r.Context(), code)
		if err != nil {
			return err
		}
		data["Guide"] = s.guideView(r, g, zs)
	case q != "" || zone != "":
		items, err := s.findItems(r, q, zone)
		if err != nil {
			return err
		}
		data["Items"] = items
		data["Listed"] = true
	}
	s.render(w, r, 200, "kiosk_guides", pageData{Title: i18n.T(lang(r), "catalog.title"), Data: data})
	return nil
}
