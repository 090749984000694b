package catalog

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

// ChangeKind says how a field differs between two versions of a guide.
type ChangeKind string

// The kinds of change.
const (
	// Changed: the field exists in both versions with different values.
	Changed ChangeKind = "changed"
	// Added: the list entry or optional part exists only in the new version.
	Added ChangeKind = "added"
	// Removed: the list entry or optional part exists only in the old version.
	Removed ChangeKind = "removed"
)

// Change is one difference between two versions of an item.
type Change struct {
	// Path is the field path in JSON names, e.g. name, pledged_limit.value,
	// materials[2].form. List indexes are those of the new version, except
	// for removed entries, which carry their old index.
	Path string `json:"path"`
	// Kind says whether the value changed or an entry was added or removed.
	Kind ChangeKind `json:"kind"`
	// Old is the old value as text; empty when added. Whole entries and
	// optional parts are shown as compact JSON.
	Old string `json:"old"`
	// New is the new value as text; empty when removed.
	New string `json:"new"`
}

// Diff compares two versions of an item field by field, in the order of the
// Item type, for the version diff view. Lists are aligned on their entries'
// identity (the text itself, a material's name, a step's title, a question,
// a law's title) by longest common subsequence, so that inserting an entry
// shows as one addition rather than a change of every entry after it; an
// entry whose identity changed in place shows as changes of its fields.
// Equal items give no changes.
func Diff(a, b Item) []Change {
	var d differ
	d.value("", reflect.ValueOf(a), reflect.ValueOf(b))
	return d.changes
}

type differ struct{ changes []Change }

func (d *differ) add(path string, kind ChangeKind, old, new string) {
	d.changes = append(d.changes, Change{Path: path, Kind: kind, Old: old, New: new})
}

func (d *differ) value(path string, a, b reflect.Value) {
	t := a.Type()
	switch t.Kind() {
	case reflect.Pointer:
		switch {
		case a.IsNil() && b.IsNil():
		case a.IsNil():
			d.add(path, Added, "", render(b.Elem()))
		case b.IsNil():
			d.add(path, Removed, render(a.Elem()), "")
		default:
			d.value(path, a.Elem(), b.Elem())
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if path != "" {
				name = path + "." + name
			}
			d.value(name, a.Field(i), b.Field(i))
		}
	case reflect.Slice:
		d.slice(path, a, b)
	default:
		if sa, sb := render(a), render(b); sa != sb {
			d.add(path, Changed, sa, sb)
		}
	}
}

// slice aligns two lists by the identity of their entries and reports the
// differences.
func (d *differ) slice(path string, a, b reflect.Value) {
	n, m := a.Len(), b.Len()
	ka, kb := make([]string, n), make([]string, m)
	for i := range ka {
		ka[i] = identity(a.Index(i))
	}
	for j := range kb {
		kb[j] = identity(b.Index(j))
	}
	// lcs[i][j] is the length of the longest common subsequence of
	// ka[i:] and kb[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if ka[i] == kb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var gapA, gapB []int
	flush := func() {
		k := min(len(gapA), len(gapB))
		for x := 0; x < k; x++ {
			d.value(index(path, gapB[x]), a.Index(gapA[x]), b.Index(gapB[x]))
		}
		for _, i := range gapA[k:] {
			d.add(index(path, i), Removed, render(a.Index(i)), "")
		}
		for _, j := range gapB[k:] {
			d.add(index(path, j), Added, "", render(b.Index(j)))
		}
		gapA, gapB = gapA[:0], gapB[:0]
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && ka[i] == kb[j]:
			flush()
			d.value(index(path, j), a.Index(i), b.Index(j))
			i++
			j++
		case j >= m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			gapA = append(gapA, i)
			i++
		default:
			gapB = append(gapB, j)
			j++
		}
	}
	flush()
}

// identity is what aligns list entries: a string itself, or a struct's
// first field (Material.Name, Step.Title, FAQ.Q, LegalBasis.Title).
func identity(v reflect.Value) string {
	if v.Kind() == reflect.Struct && v.NumField() > 0 {
		return render(v.Field(0))
	}
	return render(v)
}

// render shows a value as text: strings as they are, numbers and booleans in
// Go syntax, amounts in yuan, anything else as compact JSON.
func render(v reflect.Value) string {
	if v.Type() == yuanType {
		return Yuan(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v.Interface()); err != nil {
		return "?"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
