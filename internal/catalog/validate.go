package catalog

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Size limits that Validate enforces. Lengths count characters (runes), not
// bytes; they are generous for a one-page guide and stop runaway input.
const (
	MaxItems           = 10000           // items in one catalogue file
	MaxNameLen         = 50              // name
	MaxNameEnLen       = 150             // name_en
	MaxAliases         = 12              // aliases per item
	MaxAliasLen        = 20              // one alias
	MaxDepartmentLen   = 60              // department
	MaxSummaryLen      = 500             // summary
	MaxLegalBases      = 15              // legal_basis entries
	MaxLegalTitleLen   = 80              // legal_basis[].title
	MaxArticleLen      = 80              // legal_basis[].article
	MaxTargetGroupLen  = 200             // target_group
	MaxConditions      = 20              // conditions
	MaxConditionLen    = 300             // one condition
	MaxMaterials       = 30              // materials
	MaxMaterialNameLen = 80              // materials[].name
	MaxMaterialCount   = 20              // materials[].count
	MaxNoteLen         = 200             // materials[].note, limit notes, fee texts
	MaxSteps           = 15              // steps
	MaxStepTitleLen    = 20              // steps[].title
	MaxStepDetailLen   = 300             // steps[].detail
	MaxLimitDays       = 366             // value of any time limit
	MaxFee             = Yuan(100000_00) // fee.amount_yuan: 100,000 yuan
	MaxLocationLen     = 100             // location
	MaxHoursLen        = 200             // hours
	MaxVisits          = 5               // visits_on_site
	MaxOnlineHowLen    = 100             // online.how
	MaxPhones          = 5               // consult_phones, complaint_phones
	MaxFAQ             = 20              // faq entries
	MaxQuestionLen     = 100             // faq[].q
	MaxAnswerLen       = 500             // faq[].a
)

var (
	codeRE  = regexp.MustCompile(`^RS-[A-Z]-[0-9]{3}$`)
	phoneRE = regexp.MustCompile(`^(1[0-9]{4}|0[0-9]{2,3}-[0-9]{7,8}|400-[0-9]{3}-[0-9]{4})$`)
)

// ValidCode reports whether code has the form RS-<zone letter>-<NNN>.
func ValidCode(code string) bool { return codeRE.MatchString(code) }

// Validate checks items against the catalogue rules and returns every problem
// found, in item order; it returns nil when there are none. zones lists the
// zone codes of the hall (e.g. StandardZones); an item whose zone is not in
// it is a problem, so an empty list makes every zone unknown.
//
// Checked: required fields; lengths and entry counts (the Max constants);
// text without surrounding spaces or control characters; code format and
// uniqueness; zone; enumeration values (category, handling, material form
// and requirement, delivery, units); non-negative numbers and their ranges;
// instant items pledge 0 and pledged items more; the pledged limit within
// the statutory one (WithinStatutory); an extension only with a statutory
// limit; dates; phone numbers; fee consistency (no amount when free, amount
// and basis when charged); online channel consistency; duplicate aliases,
// materials, delivery options and phones.
func Validate(items []Item, zones []string) Problems {
	var ps Problems
	if len(items) > MaxItems {
		ps = append(ps, newProblem(-1, "", "items", KeyTooManyItems, "max", strconv.Itoa(MaxItems)))
	}
	zoneSet := make(map[string]bool, len(zones))
	for _, z := range zones {
		zoneSet[z] = true
	}
	allowedZones := strings.Join(zones, ", ")
	first := make(map[string]int, len(items))
	for i := range items {
		it := &items[i]
		v := &validator{index: i, code: problemCode(it.Code)}
		v.item(it, zoneSet, allowedZones)
		if it.Code != "" {
			if j, dup := first[it.Code]; dup {
				v.add("code", KeyDuplicateCode, "value", it.Code, "first", strconv.Itoa(j))
			} else {
				first[it.Code] = i
			}
		}
		ps = append(ps, v.ps...)
	}
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// problemCode is the code used to name an item in problems: the code as
// written, shortened if absurdly long, or empty to fall back on the index.
func problemCode(code string) string {
	code = strings.TrimSpace(code)
	if utf8.RuneCountInString(code) > 24 {
		code = string([]rune(code)[:24]) + "…"
	}
	return code
}

type validator struct {
	index int
	code  string
	ps    Problems
}

func (v *validator) add(field, key string, kv ...string) {
	v.ps = append(v.ps, newProblem(v.index, v.code, field, key, kv...))
}

func (v *validator) item(it *Item, zones map[string]bool, allowedZones string) {
	switch {
	case it.Code == "":
		v.add("code", KeyRequired)
	case !ValidCode(it.Code):
		v.add("code", KeyBadCode, "value", it.Code)
	}
	v.line("name", it.Name, MaxNameLen, true)
	v.line("name_en", it.NameEn, MaxNameEnLen, true)
	v.list("aliases", len(it.Aliases), 0, MaxAliases)
	seen := map[string]int{}
	for i, a := range it.Aliases {
		f := index("aliases", i)
		v.line(f, a, MaxAliasLen, true)
		if a != "" && a == it.Name {
			v.add(f, KeyAliasIsName)
		}
		v.dup(seen, f, a, i)
	}
	switch {
	case it.Zone == "":
		v.add("zone", KeyRequired)
	case !zones[it.Zone]:
		v.add("zone", KeyUnknownZone, "value", it.Zone, "allowed", allowedZones)
	}
	v.line("department", it.Department, MaxDepartmentLen, true)
	v.enum("category", string(it.Category), it.Category.Valid(), allowed(categoryLabels))
	v.enum("handling", string(it.Handling), it.Handling.Valid(), allowed(handlingLabels))
	v.para("summary", it.Summary, MaxSummaryLen, false)

	v.list("legal_basis", len(it.LegalBasis), 1, MaxLegalBases)
	for i, lb := range it.LegalBasis {
		f := index("legal_basis", i)
		v.line(f+".title", lb.Title, MaxLegalTitleLen, true)
		v.line(f+".article", lb.Article, MaxArticleLen, false)
	}
	v.para("target_group", it.TargetGroup, MaxTargetGroupLen, true)
	v.list("conditions", len(it.Conditions), 0, MaxConditions)
	for i, c := range it.Conditions {
		v.para(index("conditions", i), c, MaxConditionLen, true)
	}
	v.materials(it.Materials)
	if it.DeferredAcceptance {
		switch {
		case it.Handling == Instant:
			v.add("deferred_acceptance", KeyDeferredInstant)
		case !hasRequired(it.Materials):
			v.add("deferred_acceptance", KeyDeferredNoMaterial)
		}
	}
	v.list("steps", len(it.Steps), 1, MaxSteps)
	for i, s := range it.Steps {
		f := index("steps", i)
		v.line(f+".title", s.Title, MaxStepTitleLen, true)
		v.para(f+".detail", s.Detail, MaxStepDetailLen, false)
	}
	v.limits(it)
	v.fee(it.Fee)
	v.line("location", it.Location, MaxLocationLen, true)
	v.para("hours", it.Hours, MaxHoursLen, true)
	v.number("visits_on_site", it.VisitsOnSite, 0, MaxVisits)
	v.line("online.how", it.Online.How, MaxOnlineHowLen, false)
	switch {
	case it.Online.Available && it.Online.How == "":
		v.add("online.how", KeyOnlineHowMissing)
	case !it.Online.Available && it.Online.How != "":
		v.add("online.how", KeyOnlineHowOffline)
	}
	if it.VisitsOnSite == 0 && !it.Online.Available {
		v.add("visits_on_site", KeyNoVisitsOffline)
	}
	v.phones("consult_phones", it.ConsultPhones)
	v.phones("complaint_phones", it.ComplaintPhones)
	v.list("delivery", len(it.Delivery), 1, len(deliveryLabels))
	seen = map[string]int{}
	for i, d := range it.Delivery {
		f := index("delivery", i)
		v.enum(f, string(d), d.Valid(), allowed(deliveryLabels))
		v.dup(seen, f, string(d), i)
	}
	v.list("faq", len(it.FAQ), 0, MaxFAQ)
	for i, q := range it.FAQ {
		f := index("faq", i)
		v.line(f+".q", q.Q, MaxQuestionLen, true)
		v.para(f+".a", q.A, MaxAnswerLen, true)
	}
	v.date("effective_date", it.EffectiveDate)
}

// hasRequired reports whether any material must be handed in (required or
// deferrable), which 容缺受理 could waive for a while.
func hasRequired(ms []Material) bool {
	for _, m := range ms {
		if m.Requirement == Required || m.Requirement == Deferrable {
			return true
		}
	}
	return false
}

func (v *validator) materials(ms []Material) {
	v.list("materials", len(ms), 0, MaxMaterials)
	seen := map[string]int{}
	for i, m := range ms {
		f := index("materials", i)
		v.line(f+".name", m.Name, MaxMaterialNameLen, true)
		v.dup(seen, f+".name", m.Name, i)
		v.enum(f+".form", string(m.Form), m.Form.Valid(), allowed(formLabels))
		v.number(f+".count", m.Count, 1, MaxMaterialCount)
		v.enum(f+".requirement", string(m.Requirement), m.Requirement.Valid(), allowed(requirementLabels))
		v.line(f+".note", m.Note, MaxNoteLen, false)
	}
}

func (v *validator) limits(it *Item) {
	v.limit("pledged_limit", it.PledgedLimit)
	switch {
	case it.Handling == Instant && it.PledgedLimit.Value != 0:
		v.add("pledged_limit.value", KeyInstantNotZero)
	case it.Handling == Pledged && it.PledgedLimit.Value == 0:
		v.add("pledged_limit.value", KeyPledgedZero)
	}
	if s := it.StatutoryLimit; s != nil {
		v.limit("statutory_limit", *s)
		p := it.PledgedLimit
		if p.Unit.Valid() && s.Unit.Valid() && p.Value >= 0 && s.Value >= 0 && !WithinStatutory(p, *s) {
			v.add("pledged_limit", KeyPledgedExceeds,
				"pledged", p.Zh(), "statutory", s.Zh(), "pledged_en", p.En(), "statutory_en", s.En())
		}
	}
	if e := it.Extension; e != nil {
		v.limit("extension", *e)
		if e.Value == 0 {
			v.add("extension.value", KeyOutOfRange, "min", "1", "max", strconv.Itoa(MaxLimitDays))
		}
		if it.StatutoryLimit == nil {
			v.add("extension", KeyExtensionAlone)
		}
	}
}

func (v *validator) limit(f string, l Limit) {
	v.number(f+".value", l.Value, 0, MaxLimitDays)
	switch {
	case l.Unit == "":
		v.add(f+".unit", KeyRequired)
	case !l.Unit.Valid():
		v.add(f+".unit", KeyBadUnit, "value", string(l.Unit))
	}
	v.line(f+".note", l.Note, MaxNoteLen, false)
}

func (v *validator) fee(fee Fee) {
	v.line("fee.charged_when", fee.ChargedWhen, MaxNoteLen, false)
	v.line("fee.basis", fee.Basis, MaxNoteLen, false)
	if fee.AmountYuan < 0 {
		v.add("fee.amount_yuan", KeyNegative)
	} else if fee.AmountYuan > MaxFee {
		v.add("fee.amount_yuan", KeyOutOfRange, "min", "0", "max", MaxFee.String())
	}
	if fee.Free {
		if fee.AmountYuan != 0 {
			v.add("fee.amount_yuan", KeyFeeWhenFree)
		}
		if fee.ChargedWhen != "" {
			v.add("fee.charged_when", KeyFeeWhenFree)
		}
		return
	}
	if fee.AmountYuan == 0 {
		v.add("fee.amount_yuan", KeyFeeAmountMissing)
	}
	if fee.Basis == "" {
		v.add("fee.basis", KeyFeeBasisMissing)
	}
}

func (v *validator) phones(f string, phones []string) {
	v.list(f, len(phones), 1, MaxPhones)
	seen := map[string]int{}
	for i, p := range phones {
		fi := index(f, i)
		switch {
		case p == "":
			v.add(fi, KeyRequired)
		case !phoneRE.MatchString(p):
			v.add(fi, KeyBadPhone, "value", p)
		}
		v.dup(seen, fi, p, i)
	}
}

func (v *validator) date(f, s string) {
	if s == "" {
		v.add(f, KeyRequired)
		return
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Format(time.DateOnly) != s || t.Year() < 2000 || t.Year() > 2099 {
		v.add(f, KeyBadDate, "value", s)
	}
}

// line checks a single-line text field.
func (v *validator) line(f, s string, max int, required bool) { v.text(f, s, max, required, false) }

// para checks a text field that may contain line breaks.
func (v *validator) para(f, s string, max int, required bool) { v.text(f, s, max, required, true) }

func (v *validator) text(f, s string, max int, required, multiline bool) {
	if s == "" {
		if required {
			v.add(f, KeyRequired)
		}
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		v.add(f, KeyTooLong, "max", strconv.Itoa(max))
	}
	if !cleanText(s, multiline) {
		v.add(f, KeyBadText)
	}
}

// cleanText reports whether s is valid UTF-8 without surrounding white space
// and without control characters (line breaks allowed when multiline).
func cleanText(s string, multiline bool) bool {
	if !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && r == '\n') {
			return false
		}
	}
	return true
}

func (v *validator) enum(f, value string, valid bool, allowed string) {
	switch {
	case value == "":
		v.add(f, KeyRequired)
	case !valid:
		v.add(f, KeyBadEnum, "value", value, "allowed", allowed)
	}
}

func (v *validator) number(f string, n, min, max int) {
	switch {
	case n < 0:
		v.add(f, KeyNegative)
	case n < min || n > max:
		v.add(f, KeyOutOfRange, "min", strconv.Itoa(min), "max", strconv.Itoa(max))
	}
}

func (v *validator) list(f string, n, min, max int) {
	switch {
	case n < min && min == 1:
		v.add(f, KeyRequired)
	case n < min:
		v.add(f, KeyTooFew, "min", strconv.Itoa(min))
	case n > max:
		v.add(f, KeyTooMany, "max", strconv.Itoa(max))
	}
}

// dup reports s at field f when it already occurred in the same list.
func (v *validator) dup(seen map[string]int, f, s string, i int) {
	if s == "" {
		return
	}
	if _, ok := seen[s]; ok {
		v.add(f, KeyDuplicateValue, "value", s)
		return
	}
	seen[s] = i
}

func index(f string, i int) string { return f + "[" + strconv.Itoa(i) + "]" }
