package web

import (
	"net/http"
	"reflect"
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

// cleanString checks one value of the named field.
func cleanString(field, v string) error {
	f := strings.ToLower(field)
	// Tab, CR and newline are refused in one-line fields (names, codes,
	// numbers …) and allowed in the free text of the others.
	multi := multiLineFields[f] || !oneLineFields[f]
	max := maxLine
	if multi {
		max = maxMultiLine
	}
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

// cleanValue walks a decoded JSON body and checks every string in it.
func cleanValue(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return cleanValue(v.Elem(), field)
	case reflect.String:
		return cleanString(field, v.String())
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
			if err := cleanValue(v.Field(i), name); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes (json.RawMessage) are checked where decoded
		}
		for i := range v.Len() {
			if err := cleanValue(v.Index(i), field); err != nil {
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
	return nil
}
