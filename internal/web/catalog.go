package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/catalog"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// Service guides (catalogue): the JSON API. Pages are in catalog_pages.go.

var (
	// guideStaff may read every version of every guide, drafts included.
	guideStaff = roles(auth.GuideEditor, auth.HallManager, auth.Admin, auth.Auditor)
	// guideEditors write drafts.
	guideEditors = roles(auth.GuideEditor)
)

// maxCatalogFile bounds an imported catalogue file (a province's 5,000
// items take about 25 MB).
const maxCatalogFile = 64 << 20

// itemJSON is a published item in the item list.
type itemJSON struct {
	Code           string           `json:"code"`
	Name           string           `json:"name"`
	NameEn         string           `json:"name_en"`
	Aliases        []string         `json:"aliases"`
	Zone           string           `json:"zone"`
	Category       catalog.Category `json:"category"`
	Handling       catalog.Handling `json:"handling"`
	StatutoryLimit *catalog.Limit   `json:"statutory_limit"`
	PledgedLimit   catalog.Limit    `json:"pledged_limit"`
	VisitsOnSite   int              `json:"visits_on_site"`
	Online         bool             `json:"online"`
	Free           bool             `json:"free"`
	EffectiveDate  string           `json:"effective_date"`
	// Score is the search rank (only with q).
	Score int `json:"score,omitempty"`
}

func toItemJSON(it catalog.Item, score int) itemJSON {
	return itemJSON{
		Code: it.Code, Name: it.Name, NameEn: it.NameEn, Aliases: nonNilStrings(it.Aliases), Zone: it.Zone,
		Category: it.Category, Handling: it.Handling, StatutoryLimit: it.StatutoryLimit, PledgedLimit: it.PledgedLimit,
		VisitsOnSite: it.VisitsOnSite, Online: it.Online.Available, Free: it.Fee.Free, EffectiveDate: it.EffectiveDate, Score: score,
	}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// draftRequest is the body of a new draft: the item's guide content in the
// catalogue file's item format, and why it changes.
type draftRequest struct {
	Item   json.RawMessage `json:"item"`
	Reason string          `json:"reason"`
}

type versionJSON = catalog.Version

type diffJSON struct {
	From    int              `json:"from"`
	To      int              `json:"to"`
	Changes []catalog.Change `json:"changes"`
}

// findItems lists the published items, searched by q and filtered by zone.
func (s *Server) findItems(r *http.Request, q, zone string) ([]itemJSON, error) {
	if err := s.checkZone(r, zone); err != nil {
		return nil, err
	}
	out := []itemJSON{}
	if strings.TrimSpace(q) != "" {
		hits, err := s.DB.SearchItems(r.Context(), q, zone, 200)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			out = append(out, toItemJSON(h.Item, h.Score))
		}
		return out, nil
	}
	items, err := s.DB.ListPublishedItems(r.Context(), zone)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		out = append(out, toItemJSON(it, 0))
	}
	return out, nil
}

func (s *Server) checkZone(r *http.Request, zone string) error {
	if zone == "" {
		return nil
	}
	zones, err := s.DB.CatalogZones(r.Context())
	if err != nil {
		return err
	}
	for _, z := range zones {
		if z == zone {
			return nil
		}
	}
	return apperr.InvalidField("zone", "catalog.bad_zone", zone)
}

func (s *Server) apiListItems(w http.ResponseWriter, r *http.Request) error {
	items, err := s.findItems(r, r.URL.Query().Get("q"), r.URL.Query().Get("zone"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, items)
	return nil
}

func (s *Server) apiGetItem(w http.ResponseWriter, r *http.Request) error {
	g, err := s.DB.PublishedGuide(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, g)
	return nil
}

func (s *Server) apiListVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.DB.GuideVersions(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, vs)
	return nil
}

func versionParam(r *http.Request, name string) (int, error) {
	v := r.PathValue(name)
	if v == "" {
		v = r.URL.Query().Get(name)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 1_000_000 {
		return 0, apperr.InvalidField(name, "catalog.bad_version", v)
	}
	return n, nil
}

func (s *Server) apiGetVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r, "n")
	if err != nil {
		return err
	}
	g, err := s.DB.GuideVersion(r.Context(), r.PathValue("code"), n)
	if err != nil {
		return err
	}
	writeJSON(w, 200, g)
	return nil
}

func (s *Server) apiDiffVersions(w http.ResponseWriter, r *http.Request) error {
	from, err := versionParam(r, "from")
	if err != nil {
		return err
	}
	to, err := versionParam(r, "to")
	if err != nil {
		return err
	}
	changes, err := s.DB.VersionDiff(r.Context(), r.PathValue("code"), from, to)
	if err != nil {
		return err
	}
	if changes == nil {
		changes = []catalog.Change{}
	}
	writeJSON(w, 200, diffJSON{From: from, To: to, Changes: changes})
	return nil
}

// parseItem reads one item in the catalogue file's item format strictly:
// unknown fields and values of the wrong type are problems with their field
// path, like in an imported file.
func parseItem(raw []byte) (catalog.Item, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return catalog.Item{}, apperr.InvalidField("item", "err.required", "item")
	}
	data := append(append([]byte(`{"format":"`+catalog.Format+`","items":[`), raw...), "]}"...)
	items, err := catalog.ParseFile(data)
	var ps catalog.Problems
	if errors.As(err, &ps) {
		return catalog.Item{}, store.NewCatalogError(ps)
	}
	if err != nil {
		return catalog.Item{}, err
	}
	if len(items) != 1 {
		return catalog.Item{}, apperr.InvalidField("item", "err.required", "item")
	}
	return items[0], nil
}

// saveDraft checks and stores a draft for the item code of the address.
func (s *Server) saveDraft(r *http.Request, code string, raw []byte, reason string) (catalog.Version, error) {
	it, err := parseItem(raw)
	if err != nil {
		return catalog.Version{}, localizeProblems(lang(r), err)
	}
	if it.Code != code {
		return catalog.Version{}, apperr.InvalidField("code", "catalog.code_mismatch", it.Code, code)
	}
	v, err := s.DB.SaveDraft(r.Context(), it, reason)
	return v, localizeProblems(lang(r), err)
}

func (s *Server) apiSaveDraft(w http.ResponseWriter, r *http.Request) error {
	var req draftRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	v, err := s.saveDraft(r, r.PathValue("code"), req.Item, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, 201, v)
	return nil
}

func (s *Server) apiPublishVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r, "n")
	if err != nil {
		return err
	}
	v, err := s.DB.PublishVersion(r.Context(), r.PathValue("code"), n)
	if err != nil {
		return localizeProblems(lang(r), err)
	}
	writeJSON(w, 200, v)
	return nil
}

func (s *Server) apiImportCatalog(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCatalogFile))
	if err != nil {
		return jsonError(err)
	}
	res, err := s.DB.ImportCatalog(r.Context(), data)
	if err != nil {
		return localizeProblems(lang(r), err)
	}
	writeJSON(w, 200, res)
	return nil
}

func (s *Server) apiExportCatalog(w http.ResponseWriter, r *http.Request) error {
	data, err := s.DB.ExportCatalog(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="catalog.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(data)
	return err
}

// localizeProblems rephrases the details of a catalogue error in the
// caller's language; other errors pass unchanged.
func localizeProblems(l i18n.Lang, err error) error {
	var ce *store.CatalogError
	if !errors.As(err, &ce) {
		return err
	}
	e := *ce.Err
	e.Details = make([]apperr.Detail, len(ce.Problems))
	for i, p := range ce.Problems {
		e.Details[i] = ce.Err.Details[i]
		// A problem may quote the bad value: a short prefix only.
		e.Details[i].Message = shortText(problemText(l, p), 200)
		e.Details[i].Ref = shortValue(e.Details[i].Ref)
	}
	return &e
}

// problemText phrases a catalogue problem in l.
func problemText(l i18n.Lang, p catalog.Problem) string {
	switch l {
	case i18n.En:
		return p.En
	case i18n.ZhCN:
		return p.Zh
	}
	s := i18n.T(l, p.Key)
	if s == p.Key {
		return p.Zh
	}
	for k, v := range p.Args {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}
