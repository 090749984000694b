package demo

import (
	"context"
	"fmt"

	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// MoreHallCode is the code of the n-th extra demo hall (n ≥ 2).
func MoreHallCode(n int) string { return fmt.Sprintf("demo%04d", n) }

// MoreHallUser is the user name of the clerk of window w (1…22) of the
// n-th extra demo hall.
func MoreHallUser(n, w int) string { return fmt.Sprintf("h%04d-w%02d", n, w) }

// SeedMore adds the n-th extra hall (n ≥ 2) like the demo hall to a
// database Seed has seeded: the same zones, 22 windows with their staff
// (the clerks sign in as MoreHallUser) and devices, sharing the demo
// catalogue. The hall-wide accounts, cases and consultation stay with
// the first hall. The province benchmark seeds hundreds of halls so.
func SeedMore(ctx context.Context, db *store.DB, n int) (Result, error) {
	if n < 2 {
		return Result{}, fmt.Errorf("demo: extra halls are numbered from 2, got %d", n)
	}
	ctx = store.WithActor(ctx, store.Actor{Name: "demo", Role: "system", Source: "seed"})
	h, err := db.CreateHall(ctx, hall.Hall{
		Code: MoreHallCode(n), Name: fmt.Sprintf("示范区人力资源和社会保障局第%d服务大厅", n), Address: fmt.Sprintf("示范区人民路 %d 号", 88+n),
		Timezone: "Asia/Shanghai",
		Hours:    hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30", WorkingDaysOnly: true, AlwaysOpen: true},
	})
	if err != nil {
		return Result{}, fmt.Errorf("demo hall %d: %w", n, err)
	}
	hash, err := PasswordHash()
	if err != nil {
		return Result{}, err
	}
	tokens, err := seedFloor(ctx, db, h, hash, func(w int) string { return MoreHallUser(n, w) })
	return Result{Hall: h, DeviceTokens: tokens}, err
}
