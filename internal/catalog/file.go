package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Format is the value of the "format" field of a catalogue file.
const Format = "mingbai-catalog/1"

// file is the shape of a catalogue file.
type file struct {
	Format string `json:"format"`
	Items  []Item `json:"items"`
}

// ParseFile reads a catalogue file strictly. It reports, all at once, JSON
// syntax errors (which stop parsing), a missing or wrong format, unknown
// fields and duplicate keys at any depth, values of the wrong JSON type and
// amounts that are not yuan with at most two decimals. Each problem names
// the item's code when the item has one.
//
// ParseFile does not check the content: use Validate, or Load for both. The
// items are returned on a best-effort basis even when there are problems
// (nil only after a syntax error); the error is nil or a Problems.
func ParseFile(data []byte) ([]Item, error) {
	items, ps := parseFile(data)
	return items, ps.Err()
}

// Load parses a catalogue file with ParseFile and validates its items with
// Validate, returning all problems of both in item order. A validation
// problem on a field whose JSON value was already reported is left out, and
// so are those of an item that is not a JSON object.
func Load(data []byte, zones []string) ([]Item, error) {
	items, ps := parseFile(data)
	if items == nil && len(ps) > 0 {
		return nil, ps
	}
	type at struct {
		index int
		field string
	}
	reported := make(map[at]bool, len(ps))
	for _, p := range ps {
		reported[at{p.Index, p.Field}] = true
	}
	for _, p := range Validate(items, zones) {
		// An item that is not an object at all (reported at field "") has
		// nothing worth validating.
		if !reported[at{p.Index, p.Field}] && !reported[at{p.Index, ""}] {
			ps = append(ps, p)
		}
	}
	ps.sortByIndex()
	return items, ps.Err()
}

func parseFile(data []byte) ([]Item, Problems) {
	var ps Problems
	fileProblem := func(field, key string, kv ...string) {
		ps = append(ps, newProblem(-1, "", field, key, kv...))
	}
	syntax := func(err error) ([]Item, Problems) {
		detail := err.Error()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			detail += " (offset " + strconv.FormatInt(se.Offset, 10) + ")"
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			detail = "unexpected end of input"
		}
		return nil, append(ps, newProblem(-1, "", "", KeyBadJSON, "detail", detail))
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if tok != json.Delim('{') {
		return nil, append(ps, newProblem(-1, "", "", KeyBadType, wantArgs("object")...))
	}
	var raws []json.RawMessage
	seen := map[string]bool{}
	format, haveItems := "", false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key := tok.(string)
		if seen[key] {
			fileProblem(key, KeyDuplicateKey, "value", key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntax(err)
		}
		switch key {
		case "format":
			if err := json.Unmarshal(raw, &format); err != nil {
				fileProblem("format", KeyBadType, wantArgs("string")...)
				format = Format // reported; do not report it again as wrong
			}
		case "items":
			haveItems = true
			if string(raw) == "null" {
				continue
			}
			if err := json.Unmarshal(raw, &raws); err != nil {
				fileProblem("items", KeyBadType, wantArgs("array")...)
			}
		default:
			fileProblem(key, KeyUnknownField, "value", key)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		fileProblem("", KeyTrailingData)
	}
	switch {
	case !seen["format"]:
		fileProblem("format", KeyRequired)
	case format != Format:
		fileProblem("format", KeyBadFormat, "want", Format, "value", format)
	}
	if !haveItems {
		fileProblem("items", KeyRequired)
	}
	if len(raws) > MaxItems {
		fileProblem("items", KeyTooManyItems, "max", strconv.Itoa(MaxItems))
		raws = raws[:MaxItems]
	}

	items := make([]Item, len(raws))
	for i, raw := range raws {
		var probe struct {
			Code json.RawMessage `json:"code"`
		}
		var code string
		if json.Unmarshal(raw, &probe) == nil {
			_ = json.Unmarshal(probe.Code, &code)
		}
		w := &walker{dec: json.NewDecoder(bytes.NewReader(raw)), index: i, code: problemCode(code)}
		w.dec.UseNumber()
		if err := w.value(itemType, ""); err != nil {
			return syntax(err) // cannot happen: raw was decoded once already
		}
		if len(w.ps) == 0 {
			if err := json.Unmarshal(raw, &items[i]); err != nil {
				w.ps = append(w.ps, newProblem(i, w.code, "", KeyInvalidValue, "detail", err.Error()))
			}
		} else {
			lenientDecode(raw, &items[i])
		}
		ps = append(ps, w.ps...)
	}
	return items, ps
}

// lenientDecode decodes as much of raw into it as fits, for validating an
// item whose shape problems have already been reported: members are decoded
// one by one, so that a value of the wrong type leaves only its own field at
// the zero value. Keys match exactly, as in the walker.
func lenientDecode(raw json.RawMessage, it *Item) {
	lenient(raw, reflect.ValueOf(it).Elem())
}

func lenient(raw json.RawMessage, v reflect.Value) {
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		if string(raw) == "null" {
			return
		}
		e := reflect.New(t.Elem())
		lenient(raw, e.Elem())
		v.Set(e)
	case t.Kind() == reflect.Struct && t != yuanType:
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			return
		}
		fields := jsonFields(t)
		for name, m := range members {
			if i, ok := fields[name]; ok {
				lenient(m, v.Field(i))
			}
		}
	case t.Kind() == reflect.Slice:
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil || elems == nil {
			return
		}
		s := reflect.MakeSlice(t, len(elems), len(elems))
		for i, e := range elems {
			lenient(e, s.Index(i))
		}
		v.Set(s)
	default:
		_ = json.Unmarshal(raw, v.Addr().Interface())
	}
}

var (
	itemType   = reflect.TypeFor[Item]()
	yuanType   = reflect.TypeFor[Yuan]()
	fieldCache sync.Map // reflect.Type → map[string]int
)

// jsonFields maps the JSON names of a struct's fields to their indexes.
func jsonFields(t reflect.Type) map[string]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = i
	}
	fieldCache.Store(t, m)
	return m
}

// walker checks the shape of one item's JSON against the Go types, token by
// token, so that it can report every unknown field, duplicate key and
// wrongly typed value rather than only the first.
type walker struct {
	dec   *json.Decoder
	index int
	code  string
	ps    Problems
}

func (w *walker) add(field, key string, kv ...string) {
	w.ps = append(w.ps, newProblem(w.index, w.code, field, key, kv...))
}

// value reads one JSON value that should fit type t. It returns only
// decoder errors.
func (w *walker) value(t reflect.Type, path string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null: fine where Go has nil
		if k := t.Kind(); k != reflect.Pointer && k != reflect.Slice {
			w.add(path, KeyBadType, wantArgs(kindName(t))...)
		}
		return nil
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch {
		case tok == '{' && t.Kind() == reflect.Struct && t != yuanType:
			return w.object(t, path)
		case tok == '[' && t.Kind() == reflect.Slice:
			for i := 0; w.dec.More(); i++ {
				if err := w.value(t.Elem(), index(path, i)); err != nil {
					return err
				}
			}
			_, err := w.dec.Token() // ]
			return err
		}
		w.add(path, KeyBadType, wantArgs(kindName(t))...)
		return w.skipRest()
	case string:
		if t.Kind() != reflect.String {
			w.add(path, KeyBadType, wantArgs(kindName(t))...)
		}
	case bool:
		if t.Kind() != reflect.Bool {
			w.add(path, KeyBadType, wantArgs(kindName(t))...)
		}
	case json.Number:
		switch {
		case t == yuanType:
			if _, err := ParseYuan(tok.String()); err != nil {
				w.add(path, KeyBadType, wantArgs(kindName(t))...)
			}
		case t.Kind() == reflect.Int:
			if _, err := strconv.ParseInt(tok.String(), 10, 32); err != nil {
				w.add(path, KeyBadType, wantArgs(kindName(t))...)
			}
		default:
			w.add(path, KeyBadType, wantArgs(kindName(t))...)
		}
	}
	return nil
}

// object reads the members of an object whose opening brace was consumed.
func (w *walker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := make(map[string]bool, len(fields))
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		if seen[key] {
			w.add(sub, KeyDuplicateKey, "value", key)
		}
		seen[key] = true
		fi, known := fields[key]
		if !known {
			w.add(sub, KeyUnknownField, "value", key)
			var skip json.RawMessage
			if err := w.dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		if err := w.value(t.Field(fi).Type, sub); err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // }
	return err
}

// skipRest consumes the rest of an array or object whose opening delimiter
// was consumed.
func (w *walker) skipRest() error {
	for depth := 1; depth > 0; {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

var kindZh = map[string]string{
	"string": "字符串", "integer": "整数", "boolean": "布尔值（true/false）",
	"object": "对象", "array": "数组", "amount in yuan": "金额（元，最多两位小数）",
}

func kindName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == yuanType:
		return "amount in yuan"
	case t.Kind() == reflect.String:
		return "string"
	case t.Kind() == reflect.Int:
		return "integer"
	case t.Kind() == reflect.Bool:
		return "boolean"
	case t.Kind() == reflect.Slice:
		return "array"
	default:
		return "object"
	}
}

func wantArgs(kind string) []string { return []string{"want", kind, "want_zh", kindZh[kind]} }

// Marshal writes items in the catalogue file format: two-space indentation,
// items sorted by code (stably, so items without a code keep their order),
// every field present, empty lists as [] and no HTML escaping. A canonical
// file read with ParseFile and written with Marshal is unchanged byte for
// byte. Marshal does not validate.
func Marshal(items []Item) ([]byte, error) {
	out := make([]Item, len(items))
	for i := range items {
		out[i] = normalized(items[i])
	}
	slices.SortStableFunc(out, func(a, b Item) int { return strings.Compare(a.Code, b.Code) })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(file{Format: Format, Items: out}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// normalized returns a copy of it whose nil lists are empty, so that they
// are written as [] rather than null.
func normalized(it Item) Item {
	it.Aliases = nonNil(it.Aliases)
	it.LegalBasis = nonNil(it.LegalBasis)
	it.Conditions = nonNil(it.Conditions)
	it.Materials = nonNil(it.Materials)
	it.Steps = nonNil(it.Steps)
	it.ConsultPhones = nonNil(it.ConsultPhones)
	it.ComplaintPhones = nonNil(it.ComplaintPhones)
	it.Delivery = nonNil(it.Delivery)
	it.FAQ = nonNil(it.FAQ)
	return it
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
