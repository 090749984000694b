package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/catalog"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// The guide editor of the standardisation office: a form with a field per
// guide element (itemform.go turns it into a catalog.Item), validation next
// to each field, a live preview of the printed sheet, the JSON view as an
// advanced option, and the review: publish, or return to the author with a
// comment. Every save is a new version; the history keeps returned drafts
// and their comments.

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

// editorState is what the edit page of an item shows.
type editorState struct {
	Code     string
	Versions []catalog.Version
	// Returned is the newest version when it is a returned draft: the
	// author sees the reviewer's comment above the form.
	Returned *catalog.Version
	Item     catalog.Item
	JSON     string
	Reason   string
	CanEdit  bool
	// Errs maps a form field name to its problems (inline messages);
	// Other holds the problems that belong to no single field.
	Errs  map[string][]string
	Other []apperr.Detail
	// JSONProblems are the problems of a rejected JSON save.
	JSONProblems []apperr.Detail
	JSONOpen     bool
	Zones        []zoneView
	Opts         editorOptions
	Preview      template.HTML
}

// editorOptions are the choices of the form's select boxes, in the
// catalogue's order.
type editorOptions struct {
	Categories   []catalog.Category
	Handlings    []catalog.Handling
	Forms        []catalog.MaterialForm
	Requirements []catalog.Requirement
	Units        []catalog.Unit
	Deliveries   []catalog.Delivery
}

var theEditorOptions = editorOptions{
	Categories:   catalog.Categories(),
	Handlings:    []catalog.Handling{catalog.Instant, catalog.Pledged},
	Forms:        []catalog.MaterialForm{catalog.FormOriginal, catalog.FormCopy, catalog.FormOriginalAndCopy, catalog.FormElectronic},
	Requirements: []catalog.Requirement{catalog.Required, catalog.Optional, catalog.Deferrable},
	Units:        []catalog.Unit{catalog.WorkingDays, catalog.CalendarDays},
	Deliveries:   []catalog.Delivery{catalog.DeliveryOnTheSpot, catalog.DeliveryPickup, catalog.DeliveryMail, catalog.DeliveryOnline},
}

// editorData prepares the edit page of an item. it is the content to show
// in the form: nil starts from version ?from=N, the newest version, or a
// blank item for a new code.
func (s *Server) editorData(r *http.Request, code string, it *catalog.Item) (*editorState, error) {
	if !catalog.ValidCode(code) {
		return nil, apperr.InvalidField("code", "catalog.bad_code_param", code)
	}
	vs, err := s.DB.GuideVersions(r.Context(), code)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	st := &editorState{Code: code, Versions: vs, CanEdit: principal(r).Role == auth.GuideEditor, Errs: map[string][]string{}, Opts: theEditorOptions}
	if len(vs) > 0 && vs[0].Returned() {
		st.Returned = &vs[0]
	}
	if it == nil {
		n := 0
		if len(vs) > 0 {
			n = vs[0].Number
		}
		if f := r.URL.Query().Get("from"); f != "" {
			if n, err = versionParam(r, "from"); err != nil {
				return nil, err
			}
		}
		var start catalog.Item
		if n > 0 {
			g, err := s.DB.GuideVersion(r.Context(), code, n)
			if err != nil {
				return nil, err
			}
			start = g.Item
		} else {
			start = catalog.Item{Code: code, PledgedLimit: catalog.Limit{Unit: catalog.WorkingDays}, Fee: catalog.Fee{Free: true}, VisitsOnSite: 1,
				Materials: []catalog.Material{{Form: catalog.FormOriginal, Count: 1, Requirement: catalog.Required}},
				Steps:     []catalog.Step{{CountsTowardLimit: true}}}
		}
		it = &start
	}
	st.Item = *it
	if st.Zones, err = s.zones(r); err != nil {
		return nil, err
	}
	if st.JSON, err = editorJSON(*it); err != nil {
		return nil, err
	}
	st.Preview = s.previewHTML(r, code, *it, st.Zones)
	return st, nil
}

// editorJSON renders an item as the JSON view shows it: the item of a
// catalogue file, indented.
func editorJSON(it catalog.Item) (string, error) {
	b, err := catalog.Marshal([]catalog.Item{it})
	if err != nil {
		return "", err
	}
	var f catalogFileDoc
	if err := json.Unmarshal(b, &f); err != nil {
		return "", err
	}
	b, err = json.MarshalIndent(f.Items[0], "", "  ")
	return string(b), err
}

// previewHTML renders the printed sheet of it as a draft.
func (s *Server) previewHTML(r *http.Request, code string, it catalog.Item, zs []zoneView) template.HTML {
	g := catalog.Guide{Version: catalog.Version{ItemCode: code, State: catalog.Draft}, Item: it}
	var buf bytes.Buffer
	t := s.pages.byName["guide_editor_item"]
	if err := t.ExecuteTemplate(&buf, "guidebody", guideArgs{lang(r), s.guideView(r, g, zs)}); err != nil {
		s.Log.Error("preview", "err", err)
		return ""
	}
	return template.HTML(buf.String()) // rendered by html/template: escaped
}

func (s *Server) pageEditorItem(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	st, err := s.editorData(r, code, nil)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "guide_editor_item", pageData{Title: code, Data: st})
	return nil
}

// formSaveDraft saves a draft from the form (mode=form, the default) or
// from the JSON view (mode=json). On problems the page comes back with the
// entered content and the messages next to their fields.
func (s *Server) formSaveDraft(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.body_too_large")
	}
	reason := r.PostFormValue("reason")
	l := lang(r)
	var v catalog.Version
	var err error
	var it catalog.Item
	jsonMode := r.PostFormValue("mode") == "json"
	if jsonMode {
		text := r.PostFormValue("item")
		v, err = s.saveDraft(r, code, []byte(text), reason)
		if err != nil {
			msg, status, ferr := formError(r, err)
			if ferr != nil {
				return ferr
			}
			e := apperr.As(err)
			st, derr := s.editorData(r, code, nil)
			if derr != nil {
				return err
			}
			st.JSON, st.JSONProblems, st.JSONOpen, st.Reason = text, e.Details, true, reason
			if len(e.Details) == 0 {
				st.JSONProblems = []apperr.Detail{{Field: e.Field, Message: msg}}
			}
			s.render(w, r, status, "guide_editor_item", pageData{Title: code, Error: msg, Data: st})
			return nil
		}
	} else {
		var ps catalog.Problems
		it, ps = itemFromForm(r.PostForm, code)
		if len(ps) == 0 {
			v, err = s.DB.SaveDraft(r.Context(), it, reason)
			err = localizeProblems(l, err)
		} else {
			err = localizeProblems(l, store.NewCatalogError(ps))
		}
		if err != nil {
			msg, status, ferr := formError(r, err)
			if ferr != nil {
				return ferr
			}
			st, derr := s.editorData(r, code, &it)
			if derr != nil {
				return err
			}
			st.Reason = reason
			st.placeProblems(l, apperr.As(err))
			s.render(w, r, status, "guide_editor_item", pageData{Title: code, Error: msg, Data: st})
			return nil
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/editor/guides/%s/versions/%d?saved=1", url.PathEscape(code), v.Number), http.StatusSeeOther)
	return nil
}

// placeProblems puts each problem of e next to its form field, or in the
// list above the form when it belongs to none.
func (st *editorState) placeProblems(l i18n.Lang, e *apperr.Error) {
	if len(e.Details) == 0 {
		if e.Field != "" {
			st.Errs[formField(e.Field)] = append(st.Errs[formField(e.Field)], message(l, e))
		}
		return
	}
	for _, d := range e.Details {
		if f := formField(d.Field); f != "" && formFields[fieldBase(f)] {
			st.Errs[f] = append(st.Errs[f], d.Message)
		} else {
			st.Other = append(st.Other, d)
		}
	}
}

// previewJSON is the answer of the live preview: the sheet and the
// problems of the form as it stands, by form field.
type previewJSON struct {
	HTML     string           `json:"html"`
	Problems []previewProblem `json:"problems"`
}

type previewProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiEditorPreview validates the posted form without saving and renders
// the printed sheet: the editor's live preview and inline validation.
func (s *Server) apiEditorPreview(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if !catalog.ValidCode(code) {
		return apperr.InvalidField("code", "catalog.bad_code_param", code)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.body_too_large")
	}
	it, ps := itemFromForm(r.PostForm, code)
	if len(ps) == 0 {
		zones, err := s.DB.CatalogZones(r.Context())
		if err != nil {
			return err
		}
		ps = catalog.Validate([]catalog.Item{it}, zones)
	}
	zs, err := s.zones(r)
	if err != nil {
		return err
	}
	out := previewJSON{HTML: string(s.previewHTML(r, code, it, zs)), Problems: []previewProblem{}}
	for _, p := range ps {
		out.Problems = append(out.Problems, previewProblem{Field: formField(p.Field), Message: problemText(lang(r), p)})
	}
	writeJSON(w, 200, out)
	return nil
}

// pageEditorVersion shows one version as it would be printed (the
// preview), its changes against the published version and, for a hall
// manager who did not write it, the review: publish or return.
func (s *Server) pageEditorVersion(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = i18n.T(lang(r), "catalog.editor.saved")
	}
	s.renderVersion(w, r, 200, flash, "")
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
	reviewable := g.Version.State == catalog.Draft && !g.Version.Returned() && (p.Role == auth.HallManager || p.Role == auth.Admin) && p.Actor() != g.Version.Author
	data["CanPublish"] = reviewable
	data["CanReturn"] = reviewable
	data["OwnDraft"] = g.Version.State == catalog.Draft && p.Actor() == g.Version.Author
	data["CanEdit"] = p.Role == auth.GuideEditor
	s.render(w, r, status, "guide_editor_version", pageData{Title: fmt.Sprintf("%s v%d", code, n), Flash: flash, Error: problem, Data: data})
}

func (s *Server) formPublish(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r, "n")
	if err != nil {
		return err
	}
	if _, err := s.DB.PublishVersion(r.Context(), r.PathValue("code"), n); err != nil {
		msg, status, ferr := formError(r, localizeProblems(lang(r), err))
		if ferr != nil {
			return ferr
		}
		s.renderVersion(w, r, status, "", msg)
		return nil
	}
	s.renderVersion(w, r, 200, i18n.T(lang(r), "catalog.editor.published", n), "")
	return nil
}

// formReturn sends a draft back to its author with the reviewer's comment.
func (s *Server) formReturn(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r, "n")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.body_too_large")
	}
	if _, err := s.DB.ReturnVersion(r.Context(), r.PathValue("code"), n, r.PostFormValue("comment")); err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		s.renderVersion(w, r, status, "", msg)
		return nil
	}
	s.renderVersion(w, r, 200, i18n.T(lang(r), "catalog.editor.returned_flash", n), "")
	return nil
}

func (s *Server) apiReturnVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r, "n")
	if err != nil {
		return err
	}
	var req returnRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	v, err := s.DB.ReturnVersion(r.Context(), r.PathValue("code"), n, req.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, 200, v)
	return nil
}

// returnRequest is the body of a return of a draft to its author.
type returnRequest struct {
	Comment string `json:"comment"`
}

var indexRE = regexp.MustCompile(`\[[0-9]+\]`)

// fieldBase is a field name with its list indexes removed:
// materials[2].name → materials[].name.
func fieldBase(f string) string { return indexRE.ReplaceAllString(f, "[]") }

// rowArgs is the argument of a repeated row of the editor's form (a
// material, a step, a legal basis, a question): its field names and
// problems. Index -1 is the template row that the script copies.
type rowArgs struct {
	L      i18n.Lang
	D      *editorState
	Prefix string
	I      int
	M      any
}

// N names a field of the row, e.g. materials[2].name.
func (a rowArgs) N(field string) string {
	i := a.I
	if i < 0 {
		i = 0 // renumbered by the script when the row is added
	}
	return fmt.Sprintf("%s[%d].%s", a.Prefix, i, field)
}

// E returns the problems of a field of the row.
func (a rowArgs) E(field string) []string {
	if a.I < 0 {
		return nil
	}
	return a.D.Errs[a.N(field)]
}

// unitArgs is the argument of a unit select box.
type unitArgs struct {
	L    i18n.Lang
	D    *editorState
	Name string
	Unit catalog.Unit
}

func init() {
	funcs["ferr"] = func(errs map[string][]string, name string) []string { return errs[name] }
	funcs["row"] = func(l i18n.Lang, d *editorState, prefix string, i int, m any) rowArgs {
		return rowArgs{L: l, D: d, Prefix: prefix, I: i, M: m}
	}
	funcs["unit"] = func(l i18n.Lang, d *editorState, name string, u catalog.Unit) unitArgs {
		return unitArgs{L: l, D: d, Name: name, Unit: u}
	}
	funcs["limitunit"] = func(lim *catalog.Limit) catalog.Unit {
		if lim == nil || lim.Unit == "" {
			return catalog.WorkingDays
		}
		return lim.Unit
	}
	funcs["hasdelivery"] = func(it catalog.Item, d catalog.Delivery) bool {
		for _, x := range it.Delivery {
			if x == d {
				return true
			}
		}
		return false
	}
}

var segRE = regexp.MustCompile(`^([a-z_]+)(?:\[([0-9]+)\])?$`)

// fieldName renders the path of a guide field for a reader, e.g.
// materials[2].name → 申请材料 · 第3项 · 名称; unknown parts stay as they
// are.
func fieldName(l i18n.Lang, path string) string {
	var parts []string
	for _, seg := range strings.Split(path, ".") {
		m := segRE.FindStringSubmatch(seg)
		if m == nil {
			parts = append(parts, seg)
			continue
		}
		if k := "catalog.fld." + m[1]; i18n.Has(k) {
			parts = append(parts, i18n.T(l, k))
		} else {
			parts = append(parts, m[1])
		}
		if m[2] != "" {
			n, _ := strconv.Atoi(m[2])
			parts = append(parts, i18n.T(l, "catalog.fld.nth", n+1))
		}
	}
	return strings.Join(parts, " · ")
}

func init() { funcs["fieldname"] = fieldName }
