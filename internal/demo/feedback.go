package demo

import (
	"context"
	"fmt"

	"mingbai/internal/feedback"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

func init() { addSeeder(stageFeedback, seedFeedback) }

// stageFeedback runs after the windows and devices exist.
const stageFeedback = 40

// DemoProvince is the province code table the demo hall exports with.
const DemoProvince = "demo-sd"

// seedFeedback ties the demo rating pad to window 1, gives the hall its
// division code, and installs two province code tables that number levels
// and channels differently (as real provinces do), so the export shows
// that codes come from the table, not from the program.
func seedFeedback(ctx context.Context, db *store.DB, h hall.Hall) error {
	devs, err := db.ListDevices(ctx, h.ID)
	if err != nil {
		return err
	}
	wins, err := db.ListWindows(ctx, h.ID)
	if err != nil {
		return err
	}
	var w1 int64
	for _, w := range wins {
		if w.Number == "1" {
			w1 = w.ID
		}
	}
	for _, d := range devs {
		if d.Kind == hall.DeviceRatingPad && d.WindowID == 0 && w1 != 0 {
			if err := db.TieDevice(ctx, h.ID, d.ID, w1); err != nil {
				return fmt.Errorf("demo rating pad: %w", err)
			}
			break
		}
	}
	tables := map[string]struct {
		levels   map[feedback.Level]string
		channels map[feedback.Channel]string
	}{
		// 1 = 非常满意, SMS = 6.
		DemoProvince: {map[feedback.Level]string{5: "1", 4: "2", 3: "3", 2: "4", 1: "5"},
			map[feedback.Channel]string{feedback.ChannelPad: "1", feedback.ChannelQR: "3", feedback.ChannelSMS: "6", feedback.ChannelCallback: "7"}},
		// 1 = 非常不满意, phone = 6.
		"demo-sc": {map[feedback.Level]string{5: "5", 4: "4", 3: "3", 2: "2", 1: "1"},
			map[feedback.Channel]string{feedback.ChannelPad: "2", feedback.ChannelQR: "4", feedback.ChannelSMS: "5", feedback.ChannelCallback: "6"}},
	}
	for prov, tb := range tables {
		var codes []store.ProvinceCode
		for l, c := range tb.levels {
			codes = append(codes, store.ProvinceCode{Kind: "level", Value: fmt.Sprint(int(l)), Code: c})
		}
		for ch, c := range tb.channels {
			codes = append(codes, store.ProvinceCode{Kind: "channel", Value: string(ch), Code: c})
		}
		if err := db.SetProvinceCodes(ctx, prov, codes); err != nil {
			return fmt.Errorf("demo province codes: %w", err)
		}
	}
	set, err := db.FeedbackSettings(ctx, h.ID)
	if err != nil {
		return err
	}
	set.DivisionCode, set.Province = "370102", DemoProvince
	_, err = db.SaveFeedbackSettings(ctx, set)
	return err
}
