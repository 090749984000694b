package demo

import (
	"context"
	"fmt"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/duty"
	"mingbai/internal/store"
)

// KeepRoster puts the demo's duty leader on the published roster of the
// demo hall, as supervisor (监督员) mornings and afternoons, for every
// remaining opening day of this month and the next; run at every demo
// start-up so that a demo left running for months keeps a roster, and the
// hall display shows 今日值班领导 instead of "to be announced". Days and
// halves the roster refuses (a non-opening day, a half already begun, one
// already on the roster by another key) are skipped. It returns how many
// shifts of the coming days it holds (an earlier start-up's included: the
// idempotency keys make a second run change nothing).
func KeepRoster(ctx context.Context, db *store.DB, hallID int64) (int, error) {
	ctx = store.WithActor(ctx, store.Actor{Name: "demo", Role: "system", Source: "seed"})
	leaders, err := db.ListDutyLeaders(ctx, hallID)
	if err != nil || len(leaders) == 0 {
		return 0, err
	}
	h, err := db.Hall(ctx, hallID)
	if err != nil {
		return 0, err
	}
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil {
		return 0, err
	}
	today := db.Now().In(loc)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc)
	end := first.AddDate(0, 2, 0)
	added := 0
	for d := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc); d.Before(end); d = d.AddDate(0, 0, 1) {
		day := d.Format("2006-01-02")
		for _, half := range []duty.Half{duty.AM, duty.PM} {
			_, err := db.CreateShift(ctx, hallID, store.ShiftInput{Day: day, Half: string(half), Post: string(duty.Supervisor),
				LeaderID: leaders[0].ID, IdemKey: fmt.Sprintf("demo-roster:%s:%s", day, half)})
			switch {
			case err == nil:
				added++
			case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Conflict):
				// not an opening day, already begun or already there
			default:
				return added, err
			}
		}
	}
	for _, m := range []time.Time{first, first.AddDate(0, 1, 0)} {
		if _, err := db.PublishMonth(ctx, hallID, m.Format("2006-01")); err != nil && !apperr.Is(err, apperr.Conflict) {
			return added, err
		}
	}
	return added, nil
}
