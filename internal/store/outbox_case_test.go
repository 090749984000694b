package store_test

import (
	"testing"

	"mingbai/internal/cases"
	"mingbai/internal/store"
)

// TestOutboxFoundByCaseNumber: the outbox page finds the messages about a
// case by its number although bodies are sealed; another case's messages,
// an unknown number and another hall find none of them.
func TestOutboxFoundByCaseNumber(t *testing.T) {
	e := newCaseEnv(t)
	done := func(v store.CaseView) {
		t.Helper()
		for _, to := range []cases.State{cases.InReview, cases.Completed} {
			if _, err := e.db.ChangeCaseState(staffCtx, v.HallID, v.ID, store.CaseChange{To: to}); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := e.create(e.person("RS-B-012", "居民身份证", "本人人事档案", "社会保障卡"))
	b := e.create(e.person("RS-B-012", "居民身份证", "本人人事档案", "社会保障卡"))
	done(a)
	done(b)
	found, err := e.db.SearchOutbox(ctx, e.hall.ID, store.OutboxFilter{Case: a.Number}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatalf("no message found for case %s", a.Number)
	}
	for _, m := range found {
		if m.DedupeKey != "case-done:"+itoa(a.ID) {
			t.Fatalf("case %s finds another message: %+v", a.Number, m)
		}
	}
	for name, f := range map[string]struct {
		hall int64
		num  string
	}{"unknown number": {e.hall.ID, "NO-SUCH-CASE"}, "other hall": {e.hall.ID + 1000, a.Number}} {
		got, err := e.db.SearchOutbox(ctx, f.hall, store.OutboxFilter{Case: f.num}, 100)
		if err != nil || len(got) != 0 {
			t.Fatalf("%s: %d messages, %v", name, len(got), err)
		}
	}
}
