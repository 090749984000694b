package store_test

import (
	"errors"
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// Draft → submitted → approved by someone else; editing makes a new draft
// while the last approved code keeps sending; a rejected draft can be
// submitted again.
func TestTemplateApprovalKeepsLastApprovedCode(t *testing.T) {
	db := storetest.Open(t)
	ann := store.WithActor(ctx, store.Actor{Name: "ann"})
	bob := store.WithActor(ctx, store.Actor{Name: "bob"})
	if _, err := db.SaveSMSTemplate(ann, "centre", "no_such_kind", "X1", ""); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown kind: %v", err)
	}
	if _, err := db.SaveSMSTemplate(ann, "centre", "case_remind", "X1", ""); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("staff reminder is not an SMS template: %v", err)
	}
	tpl, err := db.SaveSMSTemplate(ann, "centre", "case_done", "SMS_1", "first")
	if err != nil || tpl.State != store.TemplateDraft || tpl.Author != "ann" {
		t.Fatalf("save: %+v %v", tpl, err)
	}
	steps := []struct {
		who    string
		action string
		want   error
		state  string
	}{
		{"bob", "approve", store.ErrTemplateState, store.TemplateDraft},
		{"ann", "submit", nil, store.TemplateSubmitted},
		{"ann", "approve", store.ErrTemplateOwnApprove, store.TemplateSubmitted},
		{"bob", "approve", nil, store.TemplateApproved},
	}
	for _, s := range steps {
		got, err := db.DecideSMSTemplate(store.WithActor(ctx, store.Actor{Name: s.who}), tpl.ID, s.action, "")
		if !errors.Is(err, s.want) && !(s.want == nil && err == nil) {
			t.Fatalf("%s %s: %v, want %v", s.who, s.action, err, s.want)
		}
		if err == nil && got.State != s.state {
			t.Fatalf("%s %s: state %s", s.who, s.action, got.State)
		}
	}
	if code, err := db.ApprovedTemplate(ctx, "centre", "case_done"); err != nil || code != "SMS_1" {
		t.Fatalf("approved: %q %v", code, err)
	}
	if _, err := db.ApprovedTemplate(ctx, "other", "case_done"); !errors.Is(err, notify.ErrNotApproved) {
		t.Fatalf("another provider: %v", err)
	}
	// A new version under review: the approved code keeps sending.
	if _, err := db.SaveSMSTemplate(bob, "centre", "case_done", "SMS_2", "second"); err != nil {
		t.Fatal(err)
	}
	if code, _ := db.ApprovedTemplate(ctx, "centre", "case_done"); code != "SMS_1" {
		t.Fatalf("while the new version is a draft: %q", code)
	}
	if _, err := db.DecideSMSTemplate(bob, tpl.ID, "submit", ""); err != nil {
		t.Fatal(err)
	}
	if got, err := db.DecideSMSTemplate(ann, tpl.ID, "reject", "wrong code"); err != nil || got.State != store.TemplateRejected || got.Note != "wrong code" {
		t.Fatalf("reject: %+v %v", got, err)
	}
	if _, err := db.DecideSMSTemplate(bob, tpl.ID, "submit", ""); err != nil {
		t.Fatalf("resubmit after rejection: %v", err)
	}
	if _, err := db.DecideSMSTemplate(ann, tpl.ID, "approve", ""); err != nil {
		t.Fatal(err)
	}
	if code, _ := db.ApprovedTemplate(ctx, "centre", "case_done"); code != "SMS_2" {
		t.Fatalf("after the new approval: %q", code)
	}
	var audits int
	db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM audit_log WHERE action LIKE 'notify.template.%'").Scan(&audits)
	})
	if audits != 8 {
		t.Fatalf("%d audit records, want 8", audits)
	}
}

// A push nonce is taken once; the second use is a replay.
func TestPushNonceRefusesReplay(t *testing.T) {
	db := storetest.Open(t)
	if err := db.RecordPushNonce(ctx, "cloud", "n1"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordPushNonce(ctx, "cloud", "n1"); !errors.Is(err, store.ErrPushReplay) {
		t.Fatalf("replay: %v", err)
	}
	if err := db.RecordPushNonce(ctx, "other", "n1"); err != nil {
		t.Fatalf("same nonce, other provider: %v", err)
	}
}
