package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/catalog"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
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
	publicLinks = append(publicLinks, homeLink{"/guides", "catalog.nav.guides"}, homeLink{"/kiosk/guides", "catalog.nav.kiosk"})
	staffLinkTable = append(staffLinkTable, struct {
		Link  homeLink
		Roles []auth.Role
	}{homeLink{"/editor/guides", "catalog.nav.editor"}, guideStaff})

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

// ---- Editors' pages ----------------------------------------------------

func (s *Server) pageEditorList(w http.ResponseWriter, r *http.Request) error {
	if code := strings.TrimSpace(r.URL.Query().Get("new")); code != "" {
		if !catalog.ValidCode(code) {
			return apperr.InvalidField("new", "catalog.bad_code_param", code)
		}
		http.Redirect(w, r, "/editor/guides/"+url.PathEscape(code), http.StatusSeeOther)
		return nil
	}
	items, err := s.DB.ListItemStatus(r.Context())
	if err != nil {
		return err
	}
	zs, err := s.zones(r)
	if err != nil {
		return err
	}
	type row struct {
		store.ItemStatus
		ZoneName string
	}
	rows := make([]row, 0, len(items))
	for _, it := range items {
		rows = append(rows, row{it, zoneName(zs, it.Zone)})
	}
	s.render(w, r, 200, "guide_editor_list", pageData{Title: i18n.T(lang(r), "catalog.editor.title"), Data: map[string]any{"Items": rows}})
	return nil
}

// editorItemData prepares the edit page of an item: its versions and the
// JSON to start from (the given text, version ?from=N, the newest version,
// or a blank item for a new code).
func (s *Server) editorItemData(r *http.Request, code, text, reason string) (map[string]any, error) {
	if !catalog.ValidCode(code) {
		return nil, apperr.InvalidField("code", "catalog.bad_code_param", code)
	}
	vs, err := s.DB.GuideVersions(r.Context(), code)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	if text == "" {
		var it catalog.Item
		n := 0
		if len(vs) > 0 {
			n = vs[0].Number
		}
		if f := r.URL.Query().Get("from"); f != "" {
			if n, err = versionParam(r, "from"); err != nil {
				return nil, err
			}
		}
		if n > 0 {
			g, err := s.DB.GuideVersion(r.Context(), code, n)
			if err != nil {
				return nil, err
			}
			it = g.Item
		} else {
			it = catalog.Item{Code: code, PledgedLimit: catalog.Limit{Unit: catalog.WorkingDays}, Fee: catalog.Fee{Free: true}, VisitsOnSite: 1}
		}
		b, err := catalog.Marshal([]catalog.Item{it})
		if err != nil {
			return nil, err
		}
		var f catalogFileDoc
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, err
		}
		b, _ = json.MarshalIndent(f.Items[0], "", "  ")
		text = string(b)
	}
	return map[string]any{"Code": code, "Versions": vs, "JSON": text, "Reason": reason, "CanEdit": principal(r).Role == auth.GuideEditor}, nil
}

func (s *Server) pageEditorItem(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	data, err := s.editorItemData(r, code, "", "")
	if err != nil {
		return err
	}
	s.render(w, r, 200, "guide_editor_item", pageData{Title: code, Data: data})
	return nil
}

func (s *Server) formSaveDraft(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.body_too_large")
	}
	text, reason := r.PostFormValue("item"), r.PostFormValue("reason")
	v, err := s.saveDraft(r, code, []byte(text), reason)
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		data, derr := s.editorItemData(r, code, text, reason)
		if derr != nil {
			return err
		}
		data["Problems"] = apperr.As(err).Details
		s.render(w, r, status, "guide_editor_item", pageData{Title: code, Error: msg, Data: data})
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/editor/guides/%s/versions/%d", url.PathEscape(code), v.Number), http.StatusSeeOther)
	return nil
}

// pageEditorVersion shows one version as it would be printed (the
// preview), its changes against the published version and, for a hall
// manager who did not write it, the publish button.
func (s *Server) pageEditorVersion(w http.ResponseWriter, r *http.Request) error {
	s.renderVersion(w, r, 200, "", "")
	return nil
}

func (s *Server) renderVersion(w http.ResponseWriter, r *http.Request, status int, flash, problem string) {
	code := r.PathValue("code")
	n, err := versionParam(r, "n")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g, err := s.DB.GuideVersion(r.Context(), code, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	zs, err := s.zones(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Guide": s.guideView(r, g, zs), "Version": g.Version}
	if pub, err := s.DB.PublishedGuide(r.Context(), code); err == nil && pub.Version.Number != n {
		data["Base"] = pub.Version.Number
		data["Changes"] = catalog.Diff(pub.Item, g.Item)
	}
	p := principal(r)
	data["CanPublish"] = g.Version.State == catalog.Draft && (p.Role == auth.HallManager || p.Role == auth.Admin) && p.Actor() != g.Version.Author
	data["OwnDraft"] = g.Version.State == catalog.Draft && p.Actor() == g.Version.Author
	s.render(w, r, status, "guide_editor_version", pageData{Title: fmt.Sprintf("%s v%d", code, n), Flash: flash, Error: problem, Data: data})
}

func (s *Server) formPublish(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r, "n")
	if err != nil {
		return err
	}
	if _, err := s.DB.PublishVersion(r.Context(), r.PathValue("code"), n); err != nil {
		e := apperr.As(localizeProblems(lang(r), err))
		if e == nil {
			return err
		}
		s.renderVersion(w, r, statusOf[e.Code], "", message(lang(r), e))
		return nil
	}
	s.renderVersion(w, r, 200, i18n.T(lang(r), "catalog.editor.published", n), "")
	return nil
}
