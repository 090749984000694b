package web

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"mingbai/internal/catalog"
)

// itemform.go reads the guide editor's form into a catalog.Item. Field
// names are the paths catalog.Validate reports problems on
// (materials[2].name, pledged_limit.unit …), so that each problem lands
// next to its input. Lists typed as text (aliases, phones) take one entry
// per line or separated by "、", "," or "，"; conditions one per line.
// Values the form cannot hold (a count that is not a number) are problems
// of their field; everything else is left to catalog.Validate. Rows are
// read as they are, empty ones included, so that a problem's index is the
// row's place in the form; the form's remove buttons drop rows.

// formFields are the form's field names with list indexes removed.
var formFields = map[string]bool{}

func init() {
	for _, f := range []string{
		"code", "name", "name_en", "aliases", "zone", "department", "category", "handling", "summary",
		"target_group", "conditions", "deferred_acceptance",
		"materials[].name", "materials[].form", "materials[].count", "materials[].requirement", "materials[].note",
		"steps[].title", "steps[].detail", "steps[].counts_toward_limit",
		"pledged_limit.value", "pledged_limit.unit", "pledged_limit.note",
		"statutory_limit.on", "statutory_limit.value", "statutory_limit.unit", "statutory_limit.note",
		"extension.on", "extension.value", "extension.unit", "extension.note",
		"fee.free", "fee.amount_yuan", "fee.charged_when", "fee.basis",
		"legal_basis[].title", "legal_basis[].article",
		"location", "hours", "visits_on_site", "online.available", "online.how", "appointment",
		"consult_phones", "complaint_phones", "delivery", "faq[].q", "faq[].a", "effective_date",
		"materials", "steps", "legal_basis", "faq", "reason",
	} {
		formFields[f] = true
	}
}

var listTextRE = regexp.MustCompile(`^(aliases|conditions|consult_phones|complaint_phones|delivery)\[[0-9]+\]`)

// formField maps the path of a problem to the name of the form field that
// shows it: an entry of a list typed as text goes to the text, a limit as
// a whole to its value.
func formField(path string) string {
	if m := listTextRE.FindStringSubmatch(path); m != nil {
		return m[1]
	}
	switch path {
	case "pledged_limit", "statutory_limit", "extension":
		return path + ".value"
	case "fee":
		return "fee.free"
	}
	return path
}

// splitList splits a list typed as text.
func splitList(s string, lines bool) []string {
	sep := func(r rune) bool { return r == '\n' || r == '\r' }
	if !lines {
		sep = func(r rune) bool {
			return r == '\n' || r == '\r' || r == '、' || r == ',' || r == '，' || r == ';' || r == '；'
		}
	}
	var out []string
	for _, p := range strings.FieldsFunc(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// rowCount returns how many rows of a repeated group the form holds:
// prefix[0].…, prefix[1].…, without gaps, bounded by max+1 so that an
// over-long list is reported by Validate rather than read forever.
func rowCount(v url.Values, prefix string, fields []string, max int) int {
	n := 0
	for n <= max {
		found := false
		for _, f := range fields {
			if _, ok := v[prefix+"["+strconv.Itoa(n)+"]."+f]; ok {
				found = true
				break
			}
		}
		if !found {
			break
		}
		n++
	}
	return n
}

// itemFromForm reads the form into an item with the code of the address.
func itemFromForm(v url.Values, code string) (catalog.Item, catalog.Problems) {
	var ps catalog.Problems
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	on := func(name string) bool { return v.Get(name) != "" }
	num := func(name string) int {
		s := get(name)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			ps = append(ps, catalog.TypeProblem(code, name, "integer"))
		}
		return n
	}
	limit := func(prefix string) catalog.Limit {
		return catalog.Limit{Value: num(prefix + ".value"), Unit: catalog.Unit(get(prefix + ".unit")), Note: get(prefix + ".note")}
	}
	it := catalog.Item{
		Code:               code,
		Name:               get("name"),
		NameEn:             get("name_en"),
		Aliases:            splitList(v.Get("aliases"), false),
		Zone:               get("zone"),
		Department:         get("department"),
		Category:           catalog.Category(get("category")),
		Handling:           catalog.Handling(get("handling")),
		Summary:            get("summary"),
		TargetGroup:        get("target_group"),
		Conditions:         splitList(v.Get("conditions"), true),
		DeferredAcceptance: on("deferred_acceptance"),
		PledgedLimit:       limit("pledged_limit"),
		Location:           get("location"),
		Hours:              get("hours"),
		VisitsOnSite:       num("visits_on_site"),
		Online:             catalog.Online{Available: on("online.available"), How: get("online.how")},
		Appointment:        on("appointment"),
		ConsultPhones:      splitList(v.Get("consult_phones"), false),
		ComplaintPhones:    splitList(v.Get("complaint_phones"), false),
		EffectiveDate:      get("effective_date"),
	}
	if on("statutory_limit.on") {
		l := limit("statutory_limit")
		it.StatutoryLimit = &l
	}
	if on("extension.on") {
		l := limit("extension")
		it.Extension = &l
	}
	it.Fee = catalog.Fee{Free: on("fee.free"), ChargedWhen: get("fee.charged_when"), Basis: get("fee.basis")}
	if a := get("fee.amount_yuan"); a != "" {
		y, err := catalog.ParseYuan(a)
		if err != nil {
			ps = append(ps, catalog.TypeProblem(code, "fee.amount_yuan", "amount in yuan"))
		}
		it.Fee.AmountYuan = y
	}
	for _, d := range v["delivery"] {
		it.Delivery = append(it.Delivery, catalog.Delivery(strings.TrimSpace(d)))
	}
	row := func(prefix string, i int, f string) string {
		return prefix + "[" + strconv.Itoa(i) + "]." + f
	}
	for i, n := 0, rowCount(v, "materials", []string{"name", "note"}, catalog.MaxMaterials); i < n; i++ {
		m := catalog.Material{Name: get(row("materials", i, "name")), Form: catalog.MaterialForm(get(row("materials", i, "form"))),
			Count: num(row("materials", i, "count")), Requirement: catalog.Requirement(get(row("materials", i, "requirement"))), Note: get(row("materials", i, "note"))}
		it.Materials = append(it.Materials, m)
	}
	for i, n := 0, rowCount(v, "steps", []string{"title", "detail"}, catalog.MaxSteps); i < n; i++ {
		s := catalog.Step{Title: get(row("steps", i, "title")), Detail: get(row("steps", i, "detail")), CountsTowardLimit: on(row("steps", i, "counts_toward_limit"))}
		it.Steps = append(it.Steps, s)
	}
	for i, n := 0, rowCount(v, "legal_basis", []string{"title", "article"}, catalog.MaxLegalBases); i < n; i++ {
		lb := catalog.LegalBasis{Title: get(row("legal_basis", i, "title")), Article: get(row("legal_basis", i, "article"))}
		it.LegalBasis = append(it.LegalBasis, lb)
	}
	for i, n := 0, rowCount(v, "faq", []string{"q", "a"}, catalog.MaxFAQ); i < n; i++ {
		q := catalog.FAQ{Q: get(row("faq", i, "q")), A: get(row("faq", i, "a"))}
		it.FAQ = append(it.FAQ, q)
	}
	return it, ps
}
