package web

import (
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"mingbai/internal/apperr"
)

// Clean input (docs/security.md): every string of every request body or
// form is refused when it holds control characters (NUL, ESC …) or
// bidirectional overrides (U+202A–U+202E, U+2066–U+2069), and when it is
// longer than its kind allows. Tab, CR and newline are allowed only in
// multi-line fields, named here by their JSON or form name.
const (
	maxLine      = 1000  // runes in a one-line field
	maxMultiLine = 20000 // runes in a multi-line field
)

var multiLineFields = map[string]bool{
	"notes": true, "note": true, "reason": true, "pledge": true, "body": true, "text": true, "comment": true,
	"message": true, "answer": true, "content": true, "detail": true, "description": true, "question": true,
	"faq": true, "steps": true, "basis": true, "address": true, "legal_basis": true,
}

var oneLineFields = map[string]bool{
	"name": true, "code": true, "username": true, "display_name": true, "number": true, "prefix": true, "staff_no": true,
	"post": true, "phone": true, "title": true, "password": true, "hall": true, "zone": true, "role": true, "timezone": true,
	"id_number": true, "employer_name": true, "credit_code": true, "item_code": true, "photo_url": true, "kind": true, "state": true,
}

// badRune reports a character no field may hold; multi allows tab, CR, LF.
func badRune(r rune, multi bool) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return !multi
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// isMultiLine reports whether a field may hold tab, CR and newline: the
// named free-text fields, and fields named in neither list.
func isMultiLine(field string) bool {
	f := strings.ToLower(field)
	return multiLineFields[f] || !oneLineFields[f]
}

// maxLenOf is the most runes a field may hold: its `maxlen` tag, else the
// bound of its kind (one-line or multi-line). The OpenAPI description
// declares the same number as maxLength.
func maxLenOf(field string, tag reflect.StructTag) int {
	if n, err := strconv.Atoi(tag.Get("maxlen")); err == nil && n > 0 {
		return n
	}
	if isMultiLine(field) {
		return maxMultiLine
	}
	return maxLine
}

// cleanString checks one value of the named field.
func cleanString(field, v string) error { return cleanStringMax(field, v, maxLenOf(field, "")) }

func cleanStringMax(field, v string, max int) error {
	// Tab, CR and newline are refused in one-line fields (names, codes,
	// numbers …) and allowed in the free text of the others.
	multi := isMultiLine(field)
	if utf8.RuneCountInString(v) > max {
		return apperr.InvalidField(field, "err.text_too_long", field, max)
	}
	for _, r := range v {
		if badRune(r, multi) {
			return apperr.InvalidField(field, "err.control_chars", field)
		}
	}
	return nil
}

// cleanValue walks a decoded JSON body and checks every string and number
// in it.
func cleanValue(v reflect.Value, field string) error { return cleanTagged(v, field, "") }

func cleanTagged(v reflect.Value, field string, tag reflect.StructTag) error {
	if v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface && ownJSON(v.Type()) {
		return nil // decoded by its own method, which checks its value
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return cleanTagged(v.Elem(), field, tag)
	case reflect.String:
		return cleanStringMax(field, v.String(), maxLenOf(field, tag))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return checkRange(field, float64(v.Int()), rangeOf(field, v.Kind(), tag))
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return checkRange(field, float64(v.Uint()), rangeOf(field, v.Kind(), tag))
	case reflect.Float32, reflect.Float64:
		return checkRange(field, v.Float(), rangeOf(field, v.Kind(), tag))
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous {
				name = field
			}
			if err := cleanTagged(v.Field(i), name, f.Tag); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes (json.RawMessage) are checked where decoded
		}
		for i := range v.Len() {
			if err := cleanTagged(v.Index(i), field, tag); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			if k.Kind() == reflect.String {
				if err := cleanString(field, k.String()); err != nil {
					return err
				}
			}
			if err := cleanValue(it.Value(), field); err != nil {
				return err
			}
		}
	}
	return nil
}

// cleanForm checks every value of a submitted form (pages).
func cleanForm(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if r.Method == http.MethodGet || !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "err.json", "form")
	}
	for name, vs := range r.PostForm {
		if err := cleanString(name, name); err != nil {
			return err
		}
		for _, v := range vs {
			if err := cleanString(name, v); err != nil {
				return err
			}
		}
	}
	return checkNumbers(r.PostForm)
}

// queryRanges are the ranges of numeric query parameters besides those
// of fieldRanges (listing pages).
var queryRanges = map[string]numRange{
	"limit":  {0, 10000},
	"before": {0, maxSafeInt},
}

// checkNumbers refuses a form field or query parameter of a documented
// numeric name (fieldRanges, queryRanges) whose value is not a number in
// its range; an empty value is left to the handler (a default).
func checkNumbers(vals url.Values) error {
	for name, vs := range vals {
		rg, ok := fieldRanges[strings.ToLower(name)]
		if !ok {
			if rg, ok = queryRanges[name]; !ok {
				continue
			}
		}
		for _, v := range vs {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return apperr.InvalidField(name, "err.bad_value", name, shortValue(v))
			}
			if err := checkRange(name, f, rg); err != nil {
				return err
			}
		}
	}
	return nil
}

// numRange is the range of a number field: both ends included.
type numRange struct{ Min, Max float64 }

// maxSafeInt is the largest integer a JSON client (JavaScript) holds exactly.
const maxSafeInt = 1<<53 - 1

// Default ranges of numbers without a tag or an entry in fieldRanges:
// identifiers and counts are never negative; a count of a hall's day fits
// in 2^31.
var (
	defaultIntRange   = numRange{0, math.MaxInt32}
	defaultInt64Range = numRange{0, maxSafeInt}
	defaultFloatRange = numRange{0, 1e9}
)

// fieldRanges are the documented ranges of the numbers of request bodies,
// by JSON field name (docs/security.md). A `range:"min,max"` struct tag
// overrides an entry. The OpenAPI description declares the same bounds as
// minimum and maximum.
var fieldRanges = map[string]numRange{
	// Queue rules (PUT /api/v1/halls/{hall}/queue-settings).
	"green_k":         {0, 20},
	"max_recalls":     {0, 10},
	"near_ahead":      {0, 50},
	"default_cap":     {1, 100000},
	"appt_capacity":   {0, 1000},
	"noshow_limit":    {1, 100},
	"noshow_days":     {1, 3650},
	"noshow_ban_days": {0, 365},
	"daily_cap":       {0, 100000},
	// Feedback rules.
	"late_days":   {0, 60},
	"rect_days":   {1, 60},
	"min_sample":  {1, 10000},
	"recent_days": {0, 3650},
	"invite_days": {0, 60},
	// Ratings and call-back answers: 1 (worst) to 5; 0 where optional.
	"overall": {0, 5}, "attitude": {0, 5}, "efficiency": {0, 5}, "ability": {0, 5}, "service_level": {0, 5},
	// Calendar, catalogue, zones.
	"year":           {2000, 2100},
	"count":          {0, 100},
	"sort":           {0, 10000},
	"amount_yuan":    {0, 1e9},
	"visits_on_site": {0, 10},
	"value":          {0, 3650},
	// Callback draws and the sample-size calculator.
	"n":            {1, 100000},
	"min":          {0, 100000},
	"population":   {0, 1e8},
	"margin":       {0, 1},
	"confidence":   {0, 1},
	"responserate": {0, 1},
	"p":            {0, 1},
	// Consultation targets (staffed minutes) and a graduate's rating.
	"first_response": {1, 10080}, "first_response_minutes": {1, 10080},
	"resolution": {1, 43200}, "resolution_minutes": {1, 43200},
	"level": {0, 5},
	// Staffing advisor.
	"target_percent": {0, 100},
	"target_minutes": {0, 600},
}

// rangeOf is the range of a number field.
func rangeOf(field string, k reflect.Kind, tag reflect.StructTag) numRange {
	if t := tag.Get("range"); t != "" {
		lo, hi, ok := strings.Cut(t, ",")
		a, err1 := strconv.ParseFloat(lo, 64)
		b, err2 := strconv.ParseFloat(hi, 64)
		if ok && err1 == nil && err2 == nil {
			return numRange{a, b}
		}
		panic("bad range tag " + t)
	}
	if r, ok := fieldRanges[strings.ToLower(field)]; ok {
		return r
	}
	switch k {
	case reflect.Float32, reflect.Float64:
		return defaultFloatRange
	case reflect.Int64, reflect.Uint64:
		return defaultInt64Range
	}
	return defaultIntRange
}

// isFloat tells the kinds whose range may have fractions.
func isFloat(k reflect.Kind) bool { return k == reflect.Float32 || k == reflect.Float64 }

// checkRange refuses a number outside its field's range.
func checkRange(field string, v float64, r numRange) error {
	if v < r.Min || v > r.Max || math.IsNaN(v) {
		return apperr.InvalidField(field, "err.out_of_range", field, fmtNum(r.Min), fmtNum(r.Max))
	}
	return nil
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

var (
	jsonMarshaler = reflect.TypeFor[interface{ MarshalJSON() ([]byte, error) }]()
	textMarshaler = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
)

// ownJSON tells a type with its own JSON or text form (money, dates).
func ownJSON(t reflect.Type) bool {
	return t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler)
}

// refuseBody refuses a JSON request body on an operation that declares
// none; an empty body, {} and null are accepted (clients send them by
// habit).
func refuseBody(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil // an upload (multipart, CSV …) is the handler's to read
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64))
	if err != nil {
		return apperr.New(apperr.Invalid, "err.no_body")
	}
	switch strings.TrimSpace(string(b)) {
	case "", "{}", "null":
		return nil
	}
	return apperr.New(apperr.Invalid, "err.no_body")
}

// cleanURL refuses path values and query parameters that hold control
// characters or text-direction overrides, or are over-long (PostgreSQL,
// for one, refuses a NUL in any text: it must never reach the store).
func cleanURL(r *http.Request, pattern string) error {
	for _, m := range pathParamRE.FindAllStringSubmatch(pattern, -1) {
		if err := cleanStringMax(m[1], r.PathValue(m[1]), maxLine); err != nil {
			return err
		}
	}
	for name, vs := range r.URL.Query() {
		if err := cleanStringMax(name, name, maxLine); err != nil {
			return err
		}
		for _, v := range vs {
			if err := cleanStringMax(name, v, maxLine); err != nil {
				return err
			}
		}
	}
	return checkNumbers(r.URL.Query())
}
