package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

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

// A campaign scheduled for a later day does nothing before that day (hall
// time); a stopped one sends nothing more and drops what has not gone.
func TestCampaignScheduledAndStopped(t *testing.T) {
	db := storetest.Open(t)
	hall := demoHall(t, db).ID
	now := time.Date(2026, 3, 25, 2, 0, 0, 0, time.UTC) // 10:00 on 25 March, hall time
	db.SetClock(func() time.Time { return now })
	var cs []notify.Contributor
	for i := 0; i < 5; i++ {
		cs = append(cs, notify.Contributor{Name: "测试", IDNumber: idNumber(t, i), Phone: fmt.Sprintf("1380013%04d", i),
			Insurance: []string{"pension"}, Frequency: notify.Monthly, PaidThrough: "2026-02", Payment: notify.SelfPay})
	}
	if _, err := db.ImportContributors(ctx, hall, cs, nil); err != nil {
		t.Fatal(err)
	}
	preview, err := db.CampaignPreview(ctx, hall, "2026-03-26", notify.DefaultRule)
	if err != nil || preview[notify.KindRemindFirst]+preview[notify.KindRemindSecond] != 5 {
		t.Fatalf("preview %v %v", preview, err)
	}
	id, err := db.StartCampaign(ctx, hall, "2026-03-26")
	if err != nil {
		t.Fatal(err)
	}
	if more, err := db.StepCampaign(ctx, id, notify.DefaultRule, 2); err != nil || more {
		t.Fatalf("a day early: more=%v %v", more, err)
	}
	if c, _ := db.CampaignStatus(ctx, hall, id); c.Total != 0 {
		t.Fatalf("a day early it froze %d recipients", c.Total)
	}
	now = now.Add(24 * time.Hour)
	for i := 0; i < 3; i++ { // snapshot (3 steps of 2) and part of the sending
		if _, err := db.StepCampaign(ctx, id, notify.DefaultRule, 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.StopCampaign(ctx, hall+1000, id); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("stop through another hall: %v", err)
	}
	if err := db.StopCampaign(ctx, hall, id); err != nil {
		t.Fatal(err)
	}
	if more, _ := db.StepCampaign(ctx, id, notify.DefaultRule, 10); more {
		t.Fatal("a stopped campaign kept going")
	}
	var queued, pending int
	db.Read(ctx, func(tx *store.Tx) error {
		tx.QueryRow("SELECT count(*) FROM outbox WHERE kind LIKE 'remind_%' AND state = 'queued'").Scan(&queued)
		return tx.QueryRow("SELECT count(*) FROM campaign_recipients WHERE state = 'pending'").Scan(&pending)
	})
	if queued != 0 || pending != 0 {
		t.Fatalf("after stop: %d queued messages, %d pending recipients", queued, pending)
	}
}
