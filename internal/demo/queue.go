package demo

import (
	"context"
	"fmt"

	"mingbai/internal/hall"
	"mingbai/internal/store"
)

func init() { addSeeder(stageQueue, seedQueue) }

// seedQueue signs the demo staff in at their windows, so that a newcomer's
// first kiosk ticket gets an honest wait estimate and can be called from
// the console at once (a real hall's staff sign in themselves). Windows 9,
// 12 and 21 stay closed, as a hall rarely staffs every window.
func seedQueue(ctx context.Context, db *store.DB, h hall.Hall) error {
	windows, err := db.ListWindows(ctx, h.ID)
	if err != nil {
		return err
	}
	staff, err := db.ListStaff(ctx, h.ID)
	if err != nil {
		return err
	}
	byID := map[int64]hall.Staff{}
	for _, s := range staff {
		byID[s.ID] = s
	}
	closed := map[string]bool{"9": true, "12": true, "21": true}
	for _, w := range windows {
		st, ok := byID[w.StaffID]
		if !ok || closed[w.Number] {
			continue
		}
		var n int
		fmt.Sscan(w.Number, &n)
		who := store.Staffer{Username: fmt.Sprintf("w%02d", n), StaffID: st.ID}
		if _, err := db.SignInWindow(ctx, h.ID, w.ID, who); err != nil {
			return fmt.Errorf("demo window %s sign-in: %w", w.Number, err)
		}
	}
	return nil
}
