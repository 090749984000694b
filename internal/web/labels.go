package web

import (
	"fmt"
	"regexp"
	"strings"

	"mingbai/internal/i18n"
)

// No raw codes on pages or in exports: every code shown to a person
// (zones, roles, audit actions, object kinds, channels, states) goes
// through the message catalogue here. An unknown code (a zone a hall
// created itself, an action added later) falls back to a readable form
// rather than to a message key.

// zoneLabel names a zone: the catalogue's name of a standard zone, else
// the name the hall gave it (names), else the code.
func zoneLabel(l i18n.Lang, code string, names ...map[string]string) string {
	if code == "" {
		return "—"
	}
	if k := "catalog.zone." + code; i18n.Has(k) {
		return i18n.T(l, k)
	}
	for _, m := range names {
		if n := m[code]; n != "" {
			return n
		}
	}
	return code
}

// roleLabel names a role; an empty one (a system action) is "system".
func roleLabel(l i18n.Lang, role string) string {
	switch {
	case role == "":
		return i18n.T(l, "role.system")
	case i18n.Has("role." + role):
		return i18n.T(l, "role."+role)
	}
	return role
}

// actionLabel names an audit action, e.g. auth.login → 登录.
func actionLabel(l i18n.Lang, action string) string {
	if k := "audit.action." + action; i18n.Has(k) {
		return i18n.T(l, k)
	}
	return action
}

var objectRE = regexp.MustCompile(`^([a-z_]+):(.+)$`)

// objectLabel names the object of an audit record, e.g. ticket:12 →
// 号票 #12, item:RS-B-012 → 事项 RS-B-012.
func objectLabel(l i18n.Lang, obj string) string {
	m := objectRE.FindStringSubmatch(obj)
	if m == nil {
		if k := "audit.obj." + obj; i18n.Has(k) {
			return i18n.T(l, k)
		}
		return obj
	}
	kind := m[1]
	name := kind
	if k := "audit.obj." + kind; i18n.Has(k) {
		name = i18n.T(l, k)
	} else if k := "obj." + kind; i18n.Has(k) {
		name = i18n.T(l, k)
	}
	id := m[2]
	if strings.Trim(id, "0123456789") == "" {
		id = "#" + id
	}
	return name + " " + id
}

// detailRule renders the details of one audit action written in a known
// shape; the stored text is kept as it is (it is part of the hash chain),
// only its presentation changes.
type detailRule struct {
	re  *regexp.Regexp
	key string
	// roles and zones list the groups that are role or zone codes
	// (translated before formatting).
	roles, zones []int
}

var detailRules = map[string][]detailRule{
	"guide.draft":         {{re: regexp.MustCompile(`^v(\d+): (.*)$`), key: "audit.d.version_reason"}},
	"guide.return":        {{re: regexp.MustCompile(`^v(\d+): (.*)$`), key: "audit.d.version_comment"}},
	"guide.publish":       {{re: regexp.MustCompile(`^v(\d+) \(was v(\d+)\)$`), key: "audit.d.publish"}, {re: regexp.MustCompile(`^v(\d+): own draft$`), key: "audit.d.own_draft"}},
	"catalog.import":      {{re: regexp.MustCompile(`^(\d+) items, (\d+) new$`), key: "audit.d.import"}},
	"user.create":         {{re: regexp.MustCompile(`^role=(\w+)$`), key: "audit.d.role", roles: []int{1}}, {re: regexp.MustCompile(`^role=(\w+) hall=(\d+)$`), key: "audit.d.role_hall", roles: []int{1}}},
	"window.create":       {{re: regexp.MustCompile(`^number=(\S+) zone=([a-z_]+) items=(\d+)$`), key: "audit.d.window", zones: []int{2}}},
	"window.update":       {{re: regexp.MustCompile(`^number=(\S+) zone=([a-z_]+) items=(\d+)$`), key: "audit.d.window", zones: []int{2}}},
	"zone.create":         {{re: regexp.MustCompile(`^([a-z_]+)$`), key: "audit.d.zone", zones: []int{1}}},
	"user.role":           {{re: regexp.MustCompile(`^(\w*) -> (\w+)$`), key: "audit.d.role_change", roles: []int{1, 2}}},
	"user.disable":        {{re: regexp.MustCompile(`^disabled=true$`), key: "audit.d.disabled"}, {re: regexp.MustCompile(`^disabled=false$`), key: "audit.d.enabled"}},
	"token.create":        {{re: regexp.MustCompile(`^user=(.+)$`), key: "audit.d.for_user"}},
	"case.create":         {{re: regexp.MustCompile(`^(\S+) (\S+) guide v(\d+)$`), key: "audit.d.case_create"}},
	"case.search_pii":     {{re: regexp.MustCompile(`^by ID number (\S+): (\d+) found$`), key: "audit.d.search_pii"}},
	"ticket.call":         {{re: regexp.MustCompile(`^(\S+) window (\S+)$`), key: "audit.d.ticket_window"}},
	"queue.out_of_turn":   {{re: regexp.MustCompile(`^(\S+) window (\S+): (.*)$`), key: "audit.d.out_of_turn"}},
	"ticket.cancel":       {{re: regexp.MustCompile(`^(\S+) by holder$`), key: "audit.d.by_holder"}},
	"case.remind":         {{re: regexp.MustCompile(`^(\S+): (\d+) reminders$`), key: "audit.d.reminders"}},
	"appointment.no_show": {{re: regexp.MustCompile(`^(\d+)$`), key: "audit.d.appointments"}},
	"integrity.alert":     {{re: regexp.MustCompile(`^extra material: (.+)$`), key: "audit.d.extra_material"}},
	"window.sign_in":      {{re: regexp.MustCompile(`^again$`), key: "audit.d.again"}},
}

var caseChangeRE = regexp.MustCompile(`^(\S+) ([a-z_]+) → ([a-z_]+)$`)

// auditDetail renders the detail of an audit record in l.
func auditDetail(l i18n.Lang, action, detail string) string {
	if detail == "" {
		return ""
	}
	for _, r := range detailRules[action] {
		m := r.re.FindStringSubmatch(detail)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i := range args {
			args[i] = m[i+1]
		}
		for _, g := range r.roles {
			args[g-1] = roleLabel(l, m[g])
		}
		for _, g := range r.zones {
			args[g-1] = zoneLabel(l, m[g])
		}
		return i18n.T(l, r.key, args...)
	}
	if strings.HasPrefix(action, "case.") {
		if m := caseChangeRE.FindStringSubmatch(detail); m != nil {
			return i18n.T(l, "audit.d.case_change", m[1], stateLabel(l, m[2]), stateLabel(l, m[3]))
		}
	}
	return detail
}

// stateLabel names a case state.
func stateLabel(l i18n.Lang, st string) string {
	if k := "case_state." + st; i18n.Has(k) {
		return i18n.T(l, k)
	}
	return st
}

func init() {
	funcs["zone"] = func(l i18n.Lang, code string) string { return zoneLabel(l, code) }
	funcs["role"] = func(l i18n.Lang, r any) string { return roleLabel(l, toString(r)) }
	funcs["action"] = actionLabel
	funcs["object"] = objectLabel
	funcs["detail"] = auditDetail
}

func toString(v any) string { return fmt.Sprint(v) }
