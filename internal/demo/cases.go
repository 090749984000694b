package demo

import (
	"context"
	"fmt"

	"mingbai/internal/cases"
	"mingbai/internal/hall"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

func init() { addSeeder(stageCases, seedCases) }

// demoID returns a valid resident ID number for a made-up person (region
// 110105, the given birth date and sequence, computed check character).
func demoID(birth string, seq int) string {
	first := fmt.Sprintf("110105%s%03d", birth, seq)
	c, _ := pii.IDCheckCharacter(first)
	return first + string(c)
}

// seedCases accepts a few cases at window 1 so that the ledger, the
// one-time notice and the progress look-up have something to show. It
// needs the personal-data keys; without them it seeds no cases.
func seedCases(ctx context.Context, db *store.DB, h hall.Hall) error {
	if db.PII() == nil {
		return nil
	}
	staff, err := db.ListStaff(ctx, h.ID)
	if err != nil || len(staff) == 0 {
		return err
	}
	st := staff[0] // RS001, window 1 (employment, general, inspection)
	ctx = store.WithActor(ctx, store.Actor{Name: "w01", Role: "window_staff", Source: "seed"})
	person := func(item, name, id, phone string, received ...string) store.CaseInput {
		in := store.CaseInput{HallID: h.ID, StaffID: st.ID, ItemCode: item, ApplicantKind: store.ApplicantPerson,
			Name: name, IDNumber: id, Phone: phone, Delivery: "pickup"}
		for _, r := range received {
			in.Materials = append(in.Materials, store.MaterialStatusInput{Name: r, Status: cases.Received})
		}
		return in
	}
	// An application without its form: not accepted, the window issues
	// the one-time notice listing the application form (the default).
	if _, err := db.CreateCase(ctx, person("RS-A-004", "王小菲", demoID("19850312", 22), "13800001234", "居民身份证", "相关类别证明")); err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	// A pledged case in review.
	b, err := db.CreateCase(ctx, person("RS-A-016", "李建国", demoID("19700601", 15), "13900005678", "居民身份证"))
	if err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	if _, err := db.ChangeCaseState(ctx, b.HallID, b.ID, store.CaseChange{To: cases.InReview}); err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	// An on-the-spot case completed at the window.
	c, err := db.CreateCase(ctx, person("RS-E-001", "赵敏", demoID("19920909", 48), "13700009012", "居民身份证"))
	if err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	if _, err := db.ChangeCaseState(ctx, c.HallID, c.ID, store.CaseChange{To: cases.Completed}); err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	return nil
}
