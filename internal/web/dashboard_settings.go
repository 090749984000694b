package web

import (
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/i18n"
	"mingbai/internal/oversight"
	"mingbai/internal/store"
)

// settingsField is one number of the settings form.
type settingsField struct {
	Name, Label, Value string
	Max                int
	Rule               bool
}

// ruleSwitch is one integrity rule of the settings form.
type ruleSwitch struct {
	Code, Name string
	On         bool
}

func (s *Server) pageOversightSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.DB.OversightSettings(r.Context(), hallID(r))
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = i18n.T(lang(r), "admin.saved")
	}
	return s.renderSettings(w, r, 200, st, nil, flash, "")
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, st oversight.Settings, typed map[string]string, flash, errMsg string) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	l := lang(r)
	var fields []settingsField
	for _, f := range st.Fields() {
		v := strconv.Itoa(*f.V)
		if t, ok := typed[f.Name]; ok {
			v = t
		}
		fields = append(fields, settingsField{Name: f.Name, Label: i18n.T(l, "obj."+f.Name), Value: v, Max: f.Max, Rule: f.Rule})
	}
	var rules []ruleSwitch
	for _, k := range store.AlertKinds() {
		rules = append(rules, ruleSwitch{Code: k.Code, Name: i18n.T(l, "alert.kind."+k.Code), On: st.Rules.RuleOn(k.Code)})
	}
	p := principal(r)
	s.render(w, r, status, "oversight_settings", pageData{Title: i18n.T(l, "ov.settings") + " · " + h.Name, Flash: flash, Error: errMsg,
		Data: map[string]any{"Hall": h, "Fields": fields, "Rules": rules, "CanEdit": p.Role == auth.Admin || p.Role == auth.HallManager}})
	return nil
}

func (s *Server) formOversightSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", err.Error())
	}
	st, err := s.DB.OversightSettings(r.Context(), hallID(r))
	if err != nil {
		return err
	}
	typed := map[string]string{}
	var bad error
	for _, f := range st.Fields() {
		v := strings.TrimSpace(r.PostFormValue(f.Name))
		typed[f.Name] = v
		n, err := strconv.Atoi(v)
		if err != nil && bad == nil {
			bad = apperr.InvalidField(f.Name, "ov.err_number", f.Name)
		}
		*f.V = n
	}
	st.Rules.Off = []string{}
	for _, k := range store.AlertKinds() {
		if r.PostFormValue("on_"+k.Code) == "" {
			st.Rules.Off = append(st.Rules.Off, k.Code)
		}
	}
	if bad == nil {
		_, bad = s.DB.SaveOversightSettings(r.Context(), hallID(r), st)
	}
	if bad != nil {
		msg, status, err := formError(r, bad)
		if err != nil {
			return err
		}
		return s.renderSettings(w, r, status, st, typed, "", msg)
	}
	http.Redirect(w, r, "/halls/"+strconv.FormatInt(hallID(r), 10)+"/oversight-settings?saved=1", http.StatusSeeOther)
	return nil
}
