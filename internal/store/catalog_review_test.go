package store_test

import (
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/store"
)

// TestReturnDraftWithComment: a reviewer returns a draft with a comment
// (required, never by its author); the returned draft keeps its comment in
// the history, can be neither published nor returned again, and the
// corrected draft, a new version, is published.
func TestReturnDraftWithComment(t *testing.T) {
	db, clk := catalogDB(t)
	const code = "RS-B-011"
	it := demoItem(t, code)
	it.Summary = "第一稿"
	clk.Add(time.Hour)
	v, err := db.SaveDraft(as("editor", "guide_editor"), it, "调整简述")
	if err != nil {
		t.Fatal(err)
	}
	manager := as("manager", "hall_manager")
	if _, err := db.ReturnVersion(manager, code, v.Number, "  "); apperr.As(err) == nil || apperr.As(err).Field != "comment" {
		t.Fatalf("empty comment: %v", err)
	}
	if _, err := db.ReturnVersion(as("editor", "hall_manager"), code, v.Number, "自己退回"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("author returned own draft: %v", err)
	}
	r, err := db.ReturnVersion(manager, code, v.Number, "简述太短，请写明适用对象。")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Returned() || r.ReturnedBy != "manager" || r.ReturnComment != "简述太短，请写明适用对象。" {
		t.Fatalf("returned: %+v", r)
	}
	if _, err := db.PublishVersion(manager, code, v.Number); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("published a returned draft: %v", err)
	}
	if _, err := db.ReturnVersion(manager, code, v.Number, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("returned twice: %v", err)
	}
	it.Summary = "第二稿：持有本市社会保障卡的参保人员"
	v2, err := db.SaveDraft(as("editor", "guide_editor"), it, "按意见修改")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishVersion(manager, code, v2.Number); err != nil {
		t.Fatal(err)
	}
	vs, err := db.GuideVersions(ctx, code)
	if err != nil || len(vs) != 3 {
		t.Fatalf("history: %v %+v", err, vs)
	}
	if vs[0].Number != v2.Number || vs[0].State != "published" || vs[1].ReturnComment != "简述太短，请写明适用对象。" || vs[1].ReturnedAt == nil || vs[1].State != "draft" {
		t.Fatalf("history: %+v", vs[:2])
	}
	recs, _ := db.ListAudit(ctx, store.AuditFilter{Action: "guide.return"})
	if len(recs) != 1 {
		t.Fatalf("guide.return audit records: %d", len(recs))
	}
}
