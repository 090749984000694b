package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The key-coverage tests read the module's source: every message key a
// person may see must be in the catalogue (T returns a missing key as it
// is, so a typo would show a raw key), and every key in the catalogue must
// be used by something.

// keyUse is one place where a message key is looked up.
type keyUse struct {
	Key, At string
}

// keySources is what the module's source says about message keys.
type keySources struct {
	// Uses are the literal keys in lookup positions: i18n.T, i18n.Has,
	// apperr.New/InvalidField, apperr.NotFoundOf ("obj."+kind), the
	// template function t, constants named Key…, menu entries of the route
	// table, and the jsMessages list of the queue pages. Keys built at run time ("role."+r) are not
	// checked here.
	Uses []keyUse
	// Literals are all string literals of the Go code, templates and
	// scripts: a key listed anywhere (a menu entry, a table) is used.
	Literals map[string]bool
	// Prefixes are literals that start a key built at run time
	// ("role."+r, printf "outcome.%s"): every key they start is used.
	Prefixes map[string]bool
}

var (
	keyShape   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	tmplT      = regexp.MustCompile(`\bt \$?[\w.]*\b[L] "([^"]+)"`)
	tmplPrintf = regexp.MustCompile(`\(printf "([a-z][a-z0-9_.]*)%|\(print "([a-z][a-z0-9_.]*[._])" `)
	jsPrefix   = regexp.MustCompile(`["']([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*[._])["']\s*\+`)
	quoted     = regexp.MustCompile(`["'` + "`" + `]([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)["'` + "`" + `]`)
)

// moduleRoot is the module directory (this package is internal/i18n).
const moduleRoot = "../.."

func readKeySources(t *testing.T) keySources {
	t.Helper()
	ks := keySources{Literals: map[string]bool{}, Prefixes: map[string]bool{}}
	fset := token.NewFileSet()
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(moduleRoot, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(moduleRoot, p)
			switch {
			case strings.HasSuffix(p, "_test.go"):
				return nil
			case strings.HasSuffix(p, ".go"):
				if filepath.Base(filepath.Dir(p)) == "i18n" && strings.HasPrefix(filepath.Base(p), "messages_") {
					return nil // the catalogue itself
				}
				f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
				if err != nil {
					return err
				}
				goKeys(fset, f, &ks)
			case strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".js"):
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				src := string(b)
				for _, m := range tmplT.FindAllStringSubmatchIndex(src, -1) {
					ks.Uses = append(ks.Uses, keyUse{src[m[2]:m[3]], rel + ":" + strconv.Itoa(1+strings.Count(src[:m[0]], "\n"))})
				}
				for _, m := range tmplPrintf.FindAllStringSubmatch(src, -1) {
					ks.Prefixes[m[1]+m[2]] = true
				}
				for _, m := range jsPrefix.FindAllStringSubmatch(src, -1) {
					ks.Prefixes[m[1]] = true // t("console.state_" + s)
				}
				for _, m := range quoted.FindAllStringSubmatch(src, -1) {
					ks.Literals[m[1]] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ks
}

// goKeys records the keys of one Go file.
func goKeys(fset *token.FileSet, f *ast.File, ks *keySources) {
	str := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		return s, err == nil
	}
	use := func(key string, at token.Pos) {
		ks.Uses = append(ks.Uses, keyUse{key, fset.Position(at).String()})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if s, ok := str(n); ok {
				ks.Literals[s] = true
			}
		case *ast.BinaryExpr:
			if s, ok := str(n.X); ok && n.Op == token.ADD && (strings.HasSuffix(s, ".") || strings.HasSuffix(s, "_")) {
				ks.Prefixes[s] = true
			}
		case *ast.ValueSpec:
			// const KeyUnknownField = "catalog.unknown_field": a named key.
			for i, name := range n.Names {
				if strings.HasPrefix(name.Name, "Key") && i < len(n.Values) {
					if s, ok := str(n.Values[i]); ok && keyShape.MatchString(s) {
						use(s, n.Values[i].Pos())
					}
				}
			}
			// var jsMessages = []string{…}: keys handed to a script.
			for i, name := range n.Names {
				if name.Name == "jsMessages" && i < len(n.Values) {
					if cl, ok := n.Values[i].(*ast.CompositeLit); ok {
						for _, e := range cl.Elts {
							if s, ok := str(e); ok {
								use(s, e.Pos())
							}
						}
					}
				}
			}
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "menu" && len(n.Args) == 1 {
				// A route's home-page entry (web/routes.go).
				if s, ok := str(n.Args[0]); ok {
					use(s, n.Args[0].Pos())
				}
				return true
			}
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			arg := -1
			prefix := ""
			switch pkg.Name + "." + sel.Sel.Name {
			case "i18n.T", "apperr.New", "apperr.InvalidField":
				arg = 1
			case "i18n.Has":
				arg = 0
			case "apperr.NotFoundOf":
				arg, prefix = 0, "obj."
			}
			if arg >= 0 && arg < len(n.Args) {
				if s, ok := str(n.Args[arg]); ok {
					use(prefix+s, n.Args[arg].Pos())
				}
			}
		}
		return true
	})
}

// missingKeys returns the uses whose key is not in the catalogue has, or
// has no text in one of the three languages.
func missingKeys(uses []keyUse, has func(string) (M, bool)) []string {
	var out []string
	for _, u := range uses {
		m, ok := has(u.Key)
		switch {
		case !ok:
			out = append(out, u.At+": "+u.Key+" is not in the catalogue")
		case m.Zh == "" || m.En == "":
			// Tw may be empty: it then equals the Simplified text (see M).
			out = append(out, u.At+": "+u.Key+" lacks Chinese or English text")
		}
	}
	return out
}

// unusedKeys returns the catalogue's keys that no source uses.
func unusedKeys(keys []string, ks keySources) []string {
	var out []string
	for _, k := range keys {
		if ks.Literals[k] {
			continue
		}
		used := false
		for p := range ks.Prefixes {
			used = used || strings.HasPrefix(k, p)
		}
		if !used {
			out = append(out, k)
		}
	}
	return out
}

func catalogue(k string) (M, bool) {
	mu.RLock()
	defer mu.RUnlock()
	m, ok := messages[k]
	return m, ok
}

func TestEveryUsedKeyIsInTheCatalogue(t *testing.T) {
	ks := readKeySources(t)
	if len(ks.Uses) < 500 {
		t.Fatalf("only %d key uses found: the source walk is broken", len(ks.Uses))
	}
	for _, m := range missingKeys(ks.Uses, catalogue) {
		t.Error(m)
	}
	for _, u := range ks.Uses {
		for _, l := range Langs {
			if _, ok := catalogue(u.Key); ok && (T(l, u.Key) == "" || T(l, u.Key) == u.Key) {
				t.Errorf("%s: %s has no %s text", u.At, u.Key, l)
			}
		}
	}

	// Removing a key that the code uses is caught.
	t.Run("removed key is caught", func(t *testing.T) {
		for _, removed := range []string{"queue.phone_active", "cases.alerts_title", "queue.eta", "obj.ticket"} {
			without := func(k string) (M, bool) {
				if k == removed {
					return M{}, false
				}
				return catalogue(k)
			}
			found := false
			for _, m := range missingKeys(ks.Uses, without) {
				found = found || strings.HasSuffix(m, " "+removed+" is not in the catalogue")
			}
			if !found {
				t.Errorf("removing %s went unnoticed", removed)
			}
		}
	})
}

func TestEveryCatalogueKeyIsUsed(t *testing.T) {
	ks := readKeySources(t)
	unused := unusedKeys(Keys(), ks)
	sort.Strings(unused)
	for _, k := range unused {
		t.Errorf("message %s is used by nothing (remove it, or use it)", k)
	}
	t.Run("an unused key is caught", func(t *testing.T) {
		if got := unusedKeys([]string{"queue.no_such_message_anywhere", "queue.phone_active"}, ks); len(got) != 1 || got[0] != "queue.no_such_message_anywhere" {
			t.Errorf("unusedKeys = %v", got)
		}
	})
}
