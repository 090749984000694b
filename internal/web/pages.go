package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/i18n"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one parsed template set per page: the shared layout and
// partials plus the page's own file. A page that defines "page" renders
// itself whole (full-screen displays, kiosk, print views); the others fill
// the "content" block of the layout.
type pages struct {
	byName map[string]*template.Template
}

// assetVersion maps a static file to the hash of its content, so that URLs
// change when the file does and browsers may cache them for a year.
var assetVersion = map[string]string{}

func init() {
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := staticFS.ReadFile(p)
		sum := sha256.Sum256(b)
		assetVersion[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:])[:10]
		return nil
	})
}

func asset(name string) string {
	if v, ok := assetVersion[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServer(http.FS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}

var funcs = template.FuncMap{
	"t":     func(l i18n.Lang, key string, args ...any) string { return i18n.T(l, key, args...) },
	"asset": asset,
	"role":  func(l i18n.Lang, r any) string { return i18n.T(l, "role."+fmt.Sprint(r)) },
	"has": func(p auth.Principal, roles ...string) bool {
		for _, r := range roles {
			if string(p.Role) == r {
				return true
			}
		}
		return false
	},
	"json": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
	"add":  func(a, b int) int { return a + b },
	"join": strings.Join,
}

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}

func loadPages() (*pages, error) {
	ps := &pages{byName: map[string]*template.Template{}}
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".html") || strings.HasPrefix(name, "layout") {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout*.html", path.Join("templates", name))
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		ps.byName[strings.TrimSuffix(name, ".html")] = t
	}
	return ps, nil
}

// pageData is what every template receives.
type pageData struct {
	L       i18n.Lang
	Langs   []i18n.Lang
	P       auth.Principal
	Title   string
	Path    string
	Query   string
	Version string
	Demo    bool
	Flash   string
	Error   string
	Data    any
	// PageToken is the proof of this page view for SMS codes (sms_proof.go).
	PageToken string
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	t := s.pages.byName[name]
	if t == nil {
		s.Log.Error("no such page", "page", name)
		http.Error(w, "internal error", 500)
		return
	}
	d.L, d.Langs, d.P, d.Path, d.Version, d.Demo = lang(r), i18n.Langs, principal(r), r.URL.Path, s.Cfg.Version, s.Cfg.Demo
	if name == "queue_remote" || name == "queue_appointments" || name == "consult_start" || name == "complaints_public" {
		d.PageToken = s.pageToken(r)
	}
	q := r.URL.Query()
	q.Del("lang")
	d.Query = q.Encode()
	root := "layout"
	if t.Lookup("page") != nil {
		root = "page"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, root, d); err != nil {
		s.Log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", 500)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// PageNames lists the parsed pages (for the start-up check test).
func (s *Server) PageNames() []string {
	var out []string
	for n := range s.pages.byName {
		out = append(out, n)
	}
	return out
}
