package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"mingbai/internal/catalog"
	"mingbai/internal/store"
)

type itemRow struct {
	Code, Name, Zone string
	Score            int
}

func (e *hallEnv) items(query string) []itemRow {
	e.t.Helper()
	status, body := e.do("GET", "/api/v1/items"+query, "", nil)
	if status != 200 {
		e.t.Fatalf("GET /api/v1/items%s: %d %s", query, status, body)
	}
	var rows []itemRow
	if err := json.Unmarshal(body, &rows); err != nil {
		e.t.Fatal(err)
	}
	return rows
}

func TestItemsAPI(t *testing.T) {
	e := newHall(t)
	all := e.items("")
	if len(all) != 66 {
		t.Fatalf("demo hall lists %d items, want 66", len(all))
	}
	for _, it := range all {
		if it.Code == "" || it.Name == "" || it.Zone == "" {
			t.Errorf("incomplete item %+v", it)
		}
	}
	if rows := e.items("?zone=arbitration"); len(rows) == 0 || len(rows) == 66 || rows[0].Zone != "arbitration" {
		t.Errorf("zone filter: %v", rows)
	}
	if status, _ := e.do("GET", "/api/v1/items?zone=pension", "", nil); status != 400 {
		t.Errorf("unknown zone: %d", status)
	}
	// 社保卡: the social-security-card items first.
	rows := e.items("?q=" + urlq("社保卡"))
	if len(rows) < 2 || !strings.Contains(rows[0].Name, "社会保障卡") || !strings.Contains(rows[1].Name, "社会保障卡") {
		t.Errorf("社保卡 → %v", rows)
	}
	names := map[string]bool{}
	for _, r := range e.items("?q=" + urlq("失业")) {
		names[r.Name] = true
	}
	if !names["失业登记"] || !names["失业保险金申领"] {
		t.Errorf("失业 → %v", names)
	}
	if rows := e.items("?q=sbk"); len(rows) == 0 || !strings.Contains(rows[0].Name, "社会保障卡") {
		t.Errorf("sbk → %v", rows)
	}
	// Every window serves published items only.
	status, body := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/windows", e.Hall), "", nil)
	var windows []struct{ Items []string }
	if status != 200 || json.Unmarshal(body, &windows) != nil || len(windows) != 22 {
		t.Fatalf("windows: %d %s", status, body)
	}
	published := map[string]bool{}
	for _, it := range all {
		published[it.Code] = true
	}
	for i, w := range windows {
		if len(w.Items) == 0 {
			t.Errorf("window %d serves nothing", i+1)
		}
		for _, c := range w.Items {
			if !published[c] {
				t.Errorf("window %d serves %s, which is not published", i+1, c)
			}
		}
	}
	// The published guide; 404 for unknown codes.
	status, body = e.do("GET", "/api/v1/items/RS-B-017", "", nil)
	if status != 200 || !strings.Contains(string(body), "失业保险金申领") || !strings.Contains(string(body), `"number":1`) {
		t.Errorf("guide: %d %s", status, body)
	}
	for _, p := range []string{"/api/v1/items/RS-Z-999", "/api/v1/items/nonsense", "/guides/RS-Z-999"} {
		if status, _ := e.do("GET", p, "", nil); status != 404 {
			t.Errorf("%s: %d, want 404", p, status)
		}
	}
	// Staff only: versions.
	if status, _ := e.do("GET", "/api/v1/items/RS-B-017/versions", "", nil); status != 401 {
		t.Errorf("anonymous versions: %d", status)
	}
	if status, body := e.do("GET", "/api/v1/items/RS-B-017/versions", e.token("auditor"), nil); status != 200 || !strings.Contains(string(body), `"published"`) {
		t.Errorf("auditor versions: %d %s", status, body)
	}
	// Export as auditor: the demo file.
	status, body = e.do("GET", "/api/v1/catalog/export", e.token("auditor"), nil)
	if status != 200 || !bytes.Equal(body, catalog.DemoJSON) {
		t.Errorf("export: %d, %d bytes", status, len(body))
	}
}

func urlq(s string) string { return url.QueryEscape(s) }

func TestDraftPublishFlowOverHTTP(t *testing.T) {
	e := newHall(t)
	editor, manager, admin := e.token("editor"), e.token("manager"), e.token("admin")
	status, body := e.do("GET", "/api/v1/items/RS-B-024", "", nil)
	if status != 200 {
		t.Fatal(status)
	}
	var g catalog.Guide
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	it := g.Item
	it.Summary = "补换社会保障卡<b>新说明</b>"
	raw, _ := json.Marshal(it)

	// Field-by-field problems, in the caller's language.
	bad := it
	bad.PledgedLimit.Unit = "weeks"
	bad.Zone = "pension"
	badRaw, _ := json.Marshal(bad)
	status, body = e.do("POST", "/api/v1/items/RS-B-024/drafts", editor, map[string]any{"item": json.RawMessage(badRaw), "reason": "x"})
	if status != 400 || !strings.Contains(string(body), `"field":"pledged_limit.unit"`) || !strings.Contains(string(body), `"field":"zone"`) || !strings.Contains(string(body), "unknown zone pension") {
		t.Errorf("bad draft: %d %s", status, body)
	}
	status, body = e.do("POST", "/api/v1/items/RS-B-024/drafts", editor, `{"item":{"code":"RS-B-024","shoe":1},"reason":"x"}`)
	if status != 400 || !strings.Contains(string(body), `"field":"shoe"`) {
		t.Errorf("unknown field: %d %s", status, body)
	}
	status, body = e.do("POST", "/api/v1/items/RS-B-023/drafts", editor, map[string]any{"item": json.RawMessage(raw), "reason": "x"})
	if status != 400 || !strings.Contains(string(body), `"field":"code"`) {
		t.Errorf("code mismatch: %d %s", status, body)
	}
	if status, _ := e.do("POST", "/api/v1/items/RS-B-024/drafts", manager, map[string]any{"item": json.RawMessage(raw), "reason": "x"}); status != 403 {
		t.Errorf("manager writes draft: %d", status)
	}

	status, body = e.do("POST", "/api/v1/items/RS-B-024/drafts", editor, map[string]any{"item": json.RawMessage(raw), "reason": "补充说明"})
	if status != 201 || !strings.Contains(string(body), `"number":2`) {
		t.Fatalf("draft: %d %s", status, body)
	}
	// Invisible to the public.
	if _, body := e.do("GET", "/api/v1/items/RS-B-024", "", nil); strings.Contains(string(body), "新说明") {
		t.Fatal("draft visible in the API")
	}
	if _, body := e.do("GET", "/guides/RS-B-024", "", nil); strings.Contains(string(body), "新说明") {
		t.Fatal("draft visible on the guide page")
	}
	if status, body := e.do("GET", "/api/v1/items/RS-B-024/versions/2", editor, nil); status != 200 || !strings.Contains(string(body), `"draft"`) {
		t.Errorf("editor reads draft: %d %s", status, body)
	}
	if status, _ := e.do("GET", "/api/v1/items/RS-B-024/versions/2", "", nil); status != 401 {
		t.Errorf("anonymous reads draft: %d", status)
	}
	// The editor cannot publish (role), nor can anyone publish their own
	// draft; the manager can.
	if status, _ := e.do("POST", "/api/v1/items/RS-B-024/versions/2/publish", editor, "{}"); status != 403 {
		t.Errorf("editor publishes: %d", status)
	}
	status, body = e.do("GET", "/api/v1/items/RS-B-024/diff?from=1&to=2", manager, nil)
	if status != 200 || !strings.Contains(string(body), `"path":"summary"`) {
		t.Errorf("diff: %d %s", status, body)
	}
	status, body = e.do("POST", "/api/v1/items/RS-B-024/versions/2/publish", manager, "{}")
	if status != 200 || !strings.Contains(string(body), `"reviewer":"manager"`) {
		t.Fatalf("publish: %d %s", status, body)
	}
	if _, body := e.do("GET", "/api/v1/items/RS-B-024", "", nil); !strings.Contains(string(body), "新说明") {
		t.Fatal("published draft not visible")
	}
	// HTML in a text field is shown as text on the page.
	_, body = e.do("GET", "/guides/RS-B-024", "", nil)
	if strings.Contains(string(body), "<b>新说明</b>") || !strings.Contains(string(body), "&lt;b&gt;新说明&lt;/b&gt;") {
		t.Error("HTML in a guide field was not escaped")
	}
	// A second publication is a conflict; 404 for a missing version.
	if status, _ := e.do("POST", "/api/v1/items/RS-B-024/versions/2/publish", admin, "{}"); status != 409 {
		t.Errorf("republish: %d", status)
	}
	if status, _ := e.do("POST", "/api/v1/items/RS-B-024/versions/9/publish", admin, "{}"); status != 404 {
		t.Errorf("missing version: %d", status)
	}
}

func TestAuthorCannotPublishOverHTTP(t *testing.T) {
	e := newHall(t)
	// A draft written by the account that now holds the manager role (for
	// example an editor later promoted) cannot be published by it.
	it := demoItemFor(t, "RS-A-001")
	it.Summary = "主任自己写的草稿"
	ctx := store.WithActor(context.Background(), store.Actor{Name: "manager", Role: "guide_editor", Source: "test"})
	v, err := e.DB.SaveDraft(ctx, it, "自拟")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/items/RS-A-001/versions/%d/publish", v.Number)
	status, body := e.do("POST", path, e.token("manager"), "{}")
	if status != 403 || !strings.Contains(string(body), "own draft") {
		t.Fatalf("author publishes: %d %s", status, body)
	}
	if _, body := e.do("GET", "/api/v1/items/RS-A-001", "", nil); strings.Contains(string(body), "主任自己写的草稿") {
		t.Fatal("refused draft became public")
	}
	if status, body := e.do("POST", path, e.token("admin"), "{}"); status != 200 {
		t.Fatalf("another person publishes: %d %s", status, body)
	}
}

func demoItemFor(t *testing.T, code string) catalog.Item {
	items, err := catalog.DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Code == code {
			return it
		}
	}
	t.Fatalf("no %s", code)
	return catalog.Item{}
}

func TestImportOverHTTP(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	before, _ := e.DB.ExportCatalog(context.Background())
	bad := bytes.Replace(catalog.DemoJSON, []byte(`"zone": "arbitration"`), []byte(`"zone": "pension"`), 1)
	bad = bytes.Replace(bad, []byte(`"unit": "calendar_days"`), []byte(`"unit": "weeks"`), 1)
	status, body := e.do("POST", "/api/v1/catalog/import", admin, string(bad))
	if status != 400 || !strings.Contains(string(body), `"field":"zone"`) || !strings.Contains(string(body), "weeks") || !strings.Contains(string(body), `"ref":"RS-`) {
		t.Errorf("bad import: %d %s", status, body)
	}
	after, _ := e.DB.ExportCatalog(context.Background())
	if !bytes.Equal(before, after) {
		t.Error("rejected import changed the catalogue")
	}
	if status, _ := e.do("POST", "/api/v1/catalog/import", e.token("manager"), string(catalog.DemoJSON)); status != 403 {
		t.Errorf("manager import: %d", status)
	}
	status, body = e.do("POST", "/api/v1/catalog/import", admin, string(catalog.DemoJSON))
	if status != 200 || !strings.Contains(string(body), `"items":66`) {
		t.Errorf("import: %d %s", status, body)
	}
}

func TestGuidePages(t *testing.T) {
	e := newHall(t)
	for _, tc := range []struct{ path, want string }{
		{"/guides", "失业保险金申领"},
		{"/guides?q=" + urlq("社保卡"), "社会保障卡补换"},
		{"/guides/RS-B-017?lang=zh-CN", "10日（自然日）"},
		{"/guides/RS-B-017", "data:image/png;base64,"},
		{"/guides/RS-B-017/print", "@page"},
		{"/guides/print?zone=arbitration&lang=zh-CN", "办事明白纸"},
		{"/kiosk/guides", "data-idle-seconds=\"60\""},
		{"/kiosk/guides?q=" + urlq("失业"), "失业登记"},
		{"/kiosk/guides?code=RS-B-017", "失业保险金申领"},
		{"/", "/guides"},
	} {
		status, body := e.do("GET", tc.path, "", nil)
		if status != 200 || !strings.Contains(string(body), tc.want) {
			if tc.want == "@page" && status == 200 && strings.Contains(string(body), "guide_print.css") {
				continue
			}
			t.Errorf("GET %s: %d, no %q", tc.path, status, tc.want)
		}
	}
	status, body := e.do("GET", "/guides/print?zone=arbitration", "", nil)
	if n := strings.Count(string(body), `class="sheet"`); status != 200 || n < 2 {
		t.Errorf("zone print: %d sheets", n)
	}
	ed := e.token("editor")
	if status, body := e.do("GET", "/editor/guides", ed, nil); status != 200 || !strings.Contains(string(body), "RS-B-017") {
		t.Errorf("editor list: %d", status)
	}
	if status, body := e.do("GET", "/editor/guides/RS-B-017", ed, nil); status != 200 || !strings.Contains(string(body), "<textarea") {
		t.Errorf("editor item: %d %s", status, body)
	}
}

// TestPrintedSheetPDF renders the tear-off sheet of 失业保险金申领 to PDF in
// headless Chromium and checks that the PDF holds its materials and its
// time limit, on one A4 page.
func TestPrintedSheetPDF(t *testing.T) {
	e := newHall(t)
	ctx := browser(t)
	printToPDF := func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptr(true), PrintBackground: ptr(true)})
		return res.Data, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/guides/RS-B-017/print?lang=zh-CN"), chromedp.WaitVisible(`.sheet`)); err != nil {
		t.Fatal(err)
	}
	pdf, err := chromedp.Run(ctx, printToPDF)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatal("not a PDF")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext not installed")
		}
		t.Skip("pdftotext not installed")
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Layout may put spaces or line breaks between characters.
	text := regexp.MustCompile(`\s+`).ReplaceAllString(string(out), "")
	it := demoItemFor(t, "RS-B-017")
	for _, m := range it.Materials {
		if !strings.Contains(text, m.Name) {
			t.Errorf("PDF lacks material %s", m.Name)
		}
	}
	for _, want := range []string{"失业保险金申领", "10日（自然日）", "当场办结", it.EffectiveDate} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", out)
	}
	// The sheet fits one A4 page.
	if info, err := exec.Command("pdfinfo", file).Output(); err == nil {
		if m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info); m == nil || string(m[1]) != "1" {
			t.Errorf("sheet is not one page:\n%s", info)
		}
	}
	if os.Getenv("MINGBAI_KEEP_PDF") != "" {
		_ = os.WriteFile(os.Getenv("MINGBAI_KEEP_PDF"), pdf, 0o600)
	}
}

func ptr[T any](v T) *T { return &v }
