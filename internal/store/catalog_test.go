package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/catalog"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

func as(name, role string) context.Context {
	return store.WithActor(context.Background(), store.Actor{Name: name, Role: role, Source: "test"})
}

// catalogDB returns a database with the demo catalogue imported, on a clock
// the test moves by hand.
func catalogDB(t testing.TB) (*store.DB, *testClock) {
	t.Helper()
	db := storetest.Open(t)
	clk := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db.SetClock(clk.Now)
	res, err := db.ImportCatalog(as("admin", "admin"), catalog.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	if res.Items != 66 || res.Created != 66 {
		t.Fatalf("import: %+v", res)
	}
	return db, clk
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func demoItem(t testing.TB, code string) catalog.Item {
	t.Helper()
	items, err := catalog.DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Code == code {
			return it
		}
	}
	t.Fatalf("no demo item %s", code)
	return catalog.Item{}
}

func TestImportListExport(t *testing.T) {
	db, _ := catalogDB(t)
	items, err := db.ListPublishedItems(ctx, "")
	if err != nil || len(items) != 66 {
		t.Fatalf("published: %d, %v", len(items), err)
	}
	arb, _ := db.ListPublishedItems(ctx, "arbitration")
	for _, it := range arb {
		if it.Zone != "arbitration" {
			t.Errorf("zone filter gave %s in %s", it.Code, it.Zone)
		}
	}
	if len(arb) == 0 || len(arb) == 66 {
		t.Errorf("arbitration items: %d", len(arb))
	}
	out, err := db.ExportCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, catalog.DemoJSON) {
		t.Errorf("export differs from the imported canonical file")
	}
	if _, err := db.PublishedItem(ctx, "RS-Z-999"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown item: %v", err)
	}
	// A second import publishes a new version of every item.
	res, err := db.ImportCatalog(as("admin", "admin"), catalog.DemoJSON)
	if err != nil || res.Created != 0 || res.Items != 66 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	vs, err := db.GuideVersions(ctx, "RS-B-001")
	if err != nil || len(vs) != 2 || vs[0].State != catalog.Published || vs[1].State != catalog.Superseded {
		t.Errorf("versions after re-import: %+v %v", vs, err)
	}
}

func TestImportRejectsBadFileWhole(t *testing.T) {
	db, _ := catalogDB(t)
	before, _ := db.ExportCatalog(ctx)
	var f struct {
		Format string           `json:"format"`
		Items  []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(catalog.DemoJSON, &f); err != nil {
		t.Fatal(err)
	}
	// A good change that must not be applied, and five bad ones.
	f.Items[0]["name"] = "改过的名称"
	delete(f.Items[1], "summary")
	delete(f.Items[2], "target_group")
	f.Items[3]["zone"] = "pension"
	pledged := f.Items[4]["pledged_limit"].(map[string]any)
	f.Items[4]["statutory_limit"] = map[string]any{"value": 1, "unit": "working_days", "note": ""}
	pledged["value"] = 30
	f.Items[4]["handling"] = "pledged"
	f.Items[5]["code"] = f.Items[6]["code"]
	f.Items[7]["pledged_limit"].(map[string]any)["unit"] = "weeks"
	data, _ := json.Marshal(f)

	_, err := db.ImportCatalog(as("admin", "admin"), data)
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid {
		t.Fatalf("bad file accepted: %v", err)
	}
	code := func(i int) string { return f.Items[i]["code"].(string) }
	for _, want := range []struct{ ref, field string }{
		{code(2), "target_group"},
		{code(3), "zone"},
		{code(4), "pledged_limit"},
		{code(6), "code"}, // the second use of the code is the duplicate
		{code(7), "pledged_limit.unit"},
	} {
		found := false
		for _, d := range e.Details {
			if d.Ref == want.ref && d.Field == want.field && d.Message != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem reported for %s %s in %+v", want.ref, want.field, e.Details)
		}
	}
	var ce *store.CatalogError
	if !errorsAs(err, &ce) || len(ce.Problems) != len(e.Details) {
		t.Errorf("problems not carried: %v", err)
	}
	after, _ := db.ExportCatalog(ctx)
	if !bytes.Equal(before, after) {
		t.Error("a rejected import changed the catalogue")
	}
	if vs, _ := db.GuideVersions(ctx, code(0)); len(vs) != 1 {
		t.Errorf("rejected import added versions: %d", len(vs))
	}
	// Malformed JSON is rejected too.
	if _, err := db.ImportCatalog(as("admin", "admin"), []byte(`{"format":`)); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("malformed: %v", err)
	}
}

func TestDraftInvisibleUntilAnotherPersonPublishes(t *testing.T) {
	db, clk := catalogDB(t)
	const code = "RS-B-011"
	orig := demoItem(t, code)
	edited := orig
	edited.Summary = "新的事项简述<script>alert(1)</script>"
	edited.EffectiveDate = "2026-04-01"

	clk.Add(time.Hour)
	v, err := db.SaveDraft(as("editor", "guide_editor"), edited, "调整简述")
	if err != nil {
		t.Fatal(err)
	}
	if v.Number != 2 || v.State != catalog.Draft || v.Author != "editor" {
		t.Fatalf("draft: %+v", v)
	}
	pub, _ := db.PublishedItem(ctx, code)
	if pub.Summary != orig.Summary {
		t.Fatal("a draft is visible to the public")
	}
	if hits, _ := db.SearchItems(ctx, "新的事项简述", "", 0); len(hits) != 0 {
		t.Fatal("a draft is searchable")
	}
	// The author cannot publish their own draft, whatever their role.
	if _, err := db.PublishVersion(as("editor", "admin"), code, v.Number); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("author published own draft: %v", err)
	}
	if pub, _ := db.PublishedItem(ctx, code); pub.Summary != orig.Summary {
		t.Fatal("refused publication changed the guide")
	}
	// Missing reason and an invalid draft are refused with the field named.
	if _, err := db.SaveDraft(as("editor", "guide_editor"), edited, " "); apperr.As(err) == nil || apperr.As(err).Field != "reason" {
		t.Errorf("no reason: %v", err)
	}
	bad := edited
	bad.PledgedLimit.Unit = "weeks"
	if _, err := db.SaveDraft(as("editor", "guide_editor"), bad, "x"); apperr.As(err) == nil || apperr.As(err).Field != "pledged_limit.unit" {
		t.Errorf("bad unit: %v", err)
	}

	clk.Add(time.Hour)
	publishedAt := clk.Now()
	pv, err := db.PublishVersion(as("manager", "hall_manager"), code, v.Number)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Reviewer != "manager" || pv.State != catalog.Published {
		t.Errorf("published: %+v", pv)
	}
	if pub, _ := db.PublishedItem(ctx, code); pub.Summary != edited.Summary {
		t.Fatal("published draft not in force")
	}
	// Publishing twice is a conflict.
	if _, err := db.PublishVersion(as("admin", "admin"), code, v.Number); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second publication: %v", err)
	}
	vs, _ := db.GuideVersions(ctx, code)
	if len(vs) != 2 || vs[0].State != catalog.Published || vs[1].State != catalog.Superseded {
		t.Errorf("versions: %+v", vs)
	}
	// GuideAt: the version in force at a time.
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{publishedAt.Add(-time.Minute), 1},
		{publishedAt, 2},
		{publishedAt.Add(24 * time.Hour), 2},
	} {
		g, err := db.GuideAt(ctx, code, tc.at)
		if err != nil || g.Version.Number != tc.want {
			t.Errorf("GuideAt(%s) = v%d %v, want v%d", tc.at, g.Version.Number, err, tc.want)
		}
	}
	if _, err := db.GuideAt(ctx, code, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("GuideAt before the first publication: %v", err)
	}
	changes, err := db.VersionDiff(ctx, code, 1, 2)
	if err != nil || len(changes) != 2 || changes[0].Path != "summary" || changes[1].Path != "effective_date" {
		t.Errorf("diff: %+v %v", changes, err)
	}
}

func TestNewItemDraftNeverPublished(t *testing.T) {
	db, _ := catalogDB(t)
	it := demoItem(t, "RS-A-001")
	it.Code, it.Name = "RS-A-099", "新增测试事项"
	it.Aliases = nil
	if _, err := db.SaveDraft(as("editor", "guide_editor"), it, "新增事项"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishedItem(ctx, it.Code); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("never-published item is public: %v", err)
	}
	if _, err := db.PublishedGuide(ctx, it.Code); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("never-published guide is public: %v", err)
	}
	if items, _ := db.ListPublishedItems(ctx, ""); len(items) != 66 {
		t.Errorf("published items: %d", len(items))
	}
	if _, err := db.GuideAt(ctx, it.Code, time.Now()); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("GuideAt of a draft-only item: %v", err)
	}
	if exp, _ := db.ExportCatalog(ctx); bytes.Contains(exp, []byte(it.Code)) {
		t.Error("export contains a draft")
	}
}

func TestSearchRanking(t *testing.T) {
	db, _ := catalogDB(t)
	names := func(q, zone string) []string {
		hits, err := db.SearchItems(ctx, q, zone, 0)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.Item.Name)
		}
		return out
	}
	// 社保卡 is an alias of the social-security-card items, which come
	// before items that merely ask for the card as a material.
	got := names("社保卡", "")
	if len(got) < 2 || !strings.Contains(got[0], "社会保障卡") || !strings.Contains(got[1], "社会保障卡") {
		t.Errorf("社保卡 → %v", got)
	}
	// Two-character query: both unemployment items, name matches first.
	got = names("失业", "")
	if !contains(got, "失业登记") || !contains(got, "失业保险金申领") {
		t.Errorf("失业 → %v", got)
	}
	for i, n := range got {
		if !strings.Contains(n, "失业") {
			for _, later := range got[i:] {
				if strings.Contains(later, "失业") {
					t.Errorf("name match %s ranked after %s", later, n)
				}
			}
			break
		}
	}
	// Pinyin initials.
	if got := names("sbk", ""); len(got) == 0 || !strings.Contains(got[0], "社会保障卡") {
		t.Errorf("sbk → %v", got)
	}
	// One character, zone filter, several terms, item code, nothing.
	if got := names("卡", "social_insurance"); len(got) == 0 {
		t.Error("卡 found nothing")
	}
	if got := names("失业 保险", ""); len(got) == 0 || got[0] != "失业保险金申领" {
		t.Errorf("失业 保险 → %v", got)
	}
	if got := names("RS-B-011", ""); len(got) != 1 {
		t.Errorf("code → %v", got)
	}
	if got := names("不存在的事项名称", ""); len(got) != 0 {
		t.Errorf("nonsense → %v", got)
	}
	if got := names(`%_\"`, ""); len(got) != 0 {
		t.Errorf("wildcards → %v", got)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func errorsAs(err error, target **store.CatalogError) bool {
	for err != nil {
		if ce, ok := err.(*store.CatalogError); ok {
			*target = ce
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// synthItems returns n valid items made from the demo catalogue, with codes
// RS-F-000 onwards and names made unique by a district suffix.
func synthItems(t testing.TB, n int) []catalog.Item {
	t.Helper()
	base, err := catalog.DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]catalog.Item, 0, n)
	for k := 0; k < n; k++ {
		it := base[k%len(base)]
		it.Code = fmt.Sprintf("RS-%c-%03d", 'F'+k/1000, k%1000)
		it.Name = fmt.Sprintf("%s（第%d辖区）", it.Name, k/len(base)+1)
		out = append(out, it)
	}
	return out
}

func TestSynthesisedCatalogueIsValid(t *testing.T) {
	items := synthItems(t, 5000)
	if ps := catalog.Validate(items, catalog.StandardZones); len(ps) > 0 {
		t.Fatalf("synthesised items invalid: %v", ps[:min(5, len(ps))])
	}
}

func benchSearch(b *testing.B, n int) {
	db := storetest.Open(b)
	data := catalog.DemoJSON
	if n != 66 {
		var err error
		if data, err = catalog.Marshal(synthItems(b, n)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ImportCatalog(as("admin", "admin"), data); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"社保卡", "失业", "卡", "sbk", "失业保险金申领"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.SearchItems(ctx, q, "", 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSearch66(b *testing.B)   { benchSearch(b, 66) }
func BenchmarkSearch5000(b *testing.B) { benchSearch(b, 5000) }
