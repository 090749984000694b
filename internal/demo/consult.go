package demo

import (
	"context"
	"fmt"

	"mingbai/internal/consult"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

func init() { addSeeder(stageConsult, seedConsult) }

// seedConsult gives the demo hall its consultation service: the consultant
// "consult" on the hall's staff, the graduate FAQ, canned replies, staffed
// hours 08:30–17:00 on working days (the demo hall itself is always open,
// the consultation service is not, so that the "outside staffed hours"
// reply can be seen), and a few threads in the console.
func seedConsult(ctx context.Context, db *store.DB, h hall.Hall) error {
	u, err := db.UserByName(ctx, "consult")
	if err != nil {
		return fmt.Errorf("demo consultant: %w", err)
	}
	if _, err := db.SaveStaff(ctx, hall.Staff{HallID: h.ID, StaffNo: "ZX001", Name: "赵晓雪", Post: "高校毕业生就业咨询员", Pledge: "政策讲清楚，答复有依据。", UserID: u.ID}); err != nil {
		return fmt.Errorf("demo consultant staff: %w", err)
	}
	if err := db.SetConsultSettings(ctx, h.ID, "08:30", "17:00", consult.DefaultTargets); err != nil {
		return err
	}
	for _, e := range consult.GraduateFAQ() {
		if _, err := db.SaveFAQ(ctx, h.ID, e); err != nil {
			return fmt.Errorf("demo faq %s: %w", e.Code, err)
		}
	}
	for _, c := range consult.GraduateCanned() {
		if err := db.SaveCanned(ctx, h.ID, c); err != nil {
			return err
		}
	}
	// Demo threads: one answered by the FAQ, one waiting for a person.
	for i, q := range []string{"报到证丢了还要补办吗", "我是2026届毕业生，档案在学校，想转回本区，需要怎么办？", "人工"} {
		key := fmt.Sprintf("oDemoGraduate%02d", 1+i/2)
		if _, err := db.ConsultReceive(ctx, store.ConsultInbound{HallID: h.ID, Channel: consult.WeChat, GraduateKey: key, Kind: "text", Body: q,
			DedupeKey: fmt.Sprintf("demo:%d", i)}); err != nil {
			return fmt.Errorf("demo thread: %w", err)
		}
	}
	return nil
}
