// Package hall models the physical service hall: halls, their zones and
// windows, the staff who work there, devices and opening hours. It holds
// types and validation only; storage is in internal/store.
package hall

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
)

// Hall is one service hall; a district may run several and a city many.
type Hall struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	Timezone string `json:"timezone"`
	Hours    Hours  `json:"hours"`
}

// Hours are a hall's opening hours. Times are "HH:MM" in the hall's time
// zone. WorkingDaysOnly means the hall opens on the working days of the
// official calendar (weekends and holidays off, make-up days on).
type Hours struct {
	Open            string `json:"open"`
	Close           string `json:"close"`
	LastTicket      string `json:"last_ticket"`
	WorkingDaysOnly bool   `json:"working_days_only"`
	// AlwaysOpen is for the demo hall, so a newcomer can try it at any hour.
	AlwaysOpen bool `json:"always_open"`
}

// Zone codes of the first hall (PRODUCT.md §1). Halls may add their own.
const (
	ZoneEmployment      = "employment"
	ZoneSocialInsurance = "social_insurance"
	ZoneArbitration     = "arbitration"
	ZoneInspection      = "inspection"
	ZoneGeneral         = "general"
)

// Zone is a functional area of a hall.
type Zone struct {
	ID     int64  `json:"id"`
	HallID int64  `json:"hall_id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Prefix string `json:"prefix"` // ticket number prefix, one capital letter
	Sort   int    `json:"sort"`
}

// Window is a service counter. Items lists the service item codes it
// handles; a general window (综合窗口) handles many kinds.
type Window struct {
	ID      int64    `json:"id"`
	HallID  int64    `json:"hall_id"`
	ZoneID  int64    `json:"zone_id"`
	Zone    string   `json:"zone"`
	Number  string   `json:"number"`
	Name    string   `json:"name"`
	StaffID int64    `json:"staff_id,omitempty"`
	Items   []string `json:"items"`
}

// Staff is a member of staff as shown to the public: identity, post and
// pledge (亮明身份、亮明职务、亮明承诺).
type Staff struct {
	ID       int64  `json:"id"`
	HallID   int64  `json:"hall_id"`
	StaffNo  string `json:"staff_no"`
	Name     string `json:"name"`
	Post     string `json:"post"`
	Pledge   string `json:"pledge"`
	PhotoURL string `json:"photo_url"`
	UserID   int64  `json:"user_id,omitempty"`
}

// Device kinds.
const (
	DeviceKiosk     = "kiosk"
	DeviceDisplay   = "display"
	DeviceRatingPad = "rating_pad"
)

// Device is a kiosk, screen or rating pad with its own revocable token.
type Device struct {
	ID        int64  `json:"id"`
	HallID    int64  `json:"hall_id"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	WindowID  int64  `json:"window_id,omitempty"`
	CreatedAt int64  `json:"created_at"`
	LastSeen  int64  `json:"last_seen,omitempty"`
	Revoked   bool   `json:"revoked"`
}

var (
	codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	// A hall's code starts every case number (RSJ01-20260212-00042, read
	// back by the progress lookup), so it is letters and digits only, at
	// most 16: a hyphen would make the number ambiguous.
	hallCodeRE = regexp.MustCompile(`^[a-z0-9]{1,16}$`)
	hhmmRE     = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
	prefixRE   = regexp.MustCompile(`^[A-Z]$`)
)

func text(field, v string, max int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return apperr.InvalidField(field, "err.required", field)
	}
	if utf8.RuneCountInString(v) > max {
		return apperr.InvalidField(field, "err.too_long", field, max)
	}
	return nil
}

// Validate checks a hall before it is stored.
func (h *Hall) Validate() error {
	if !hallCodeRE.MatchString(h.Code) {
		return apperr.InvalidField("code", "err.hall_code", h.Code)
	}
	if err := text("name", h.Name, 100, true); err != nil {
		return err
	}
	if err := text("address", h.Address, 200, false); err != nil {
		return err
	}
	if h.Timezone == "" {
		h.Timezone = "Asia/Shanghai"
	}
	if _, err := time.LoadLocation(h.Timezone); err != nil {
		return apperr.InvalidField("timezone", "hall.bad_timezone", h.Timezone)
	}
	return h.Hours.Validate()
}

// Validate checks opening hours.
func (o Hours) Validate() error {
	for f, v := range map[string]string{"open": o.Open, "close": o.Close, "last_ticket": o.LastTicket} {
		if !hhmmRE.MatchString(v) {
			return apperr.InvalidField(f, "hall.bad_time", v)
		}
	}
	if !(o.Open < o.LastTicket && o.LastTicket <= o.Close) {
		return apperr.InvalidField("last_ticket", "hall.hours_order")
	}
	return nil
}

// IsWorkingDay answers whether a date is a working day; the hall package
// takes it as a function so that it stays free of the calendar's data.
type IsWorkingDay func(t time.Time) (bool, error)

// AcceptsTickets reports whether a ticket may be issued at now. With
// WorkingDaysOnly set, isWork decides the day (nil means Monday–Friday).
func (o Hours) AcceptsTickets(now time.Time, loc *time.Location, isWork IsWorkingDay) (bool, error) {
	if o.AlwaysOpen {
		return true, nil
	}
	local := now.In(loc)
	if o.WorkingDaysOnly {
		work := local.Weekday() != time.Saturday && local.Weekday() != time.Sunday
		if isWork != nil {
			var err error
			if work, err = isWork(local); err != nil {
				return false, err
			}
		}
		if !work {
			return false, nil
		}
	}
	hm := local.Format("15:04")
	return hm >= o.Open && hm < o.LastTicket, nil
}

// Validate checks a zone.
func (z *Zone) Validate() error {
	if !codeRE.MatchString(z.Code) {
		return apperr.InvalidField("code", "err.bad_value", "code", z.Code)
	}
	if !prefixRE.MatchString(z.Prefix) {
		return apperr.InvalidField("prefix", "hall.bad_prefix")
	}
	return text("name", z.Name, 100, true)
}

// Validate checks a window.
func (w *Window) Validate() error {
	if err := text("number", w.Number, 10, true); err != nil {
		return err
	}
	if err := text("name", w.Name, 100, false); err != nil {
		return err
	}
	if len(w.Items) > 500 {
		return apperr.InvalidField("items", "err.too_long", "items", 500)
	}
	return nil
}

// Validate checks a staff record.
func (s *Staff) Validate() error {
	for _, f := range []struct {
		name, v  string
		max      int
		required bool
	}{{"staff_no", s.StaffNo, 32, true}, {"name", s.Name, 50, true}, {"post", s.Post, 100, true}, {"pledge", s.Pledge, 300, false}, {"photo_url", s.PhotoURL, 500, false}} {
		if err := text(f.name, f.v, f.max, f.required); err != nil {
			return err
		}
	}
	if s.PhotoURL != "" && !strings.HasPrefix(s.PhotoURL, "/") && !strings.HasPrefix(s.PhotoURL, "https://") {
		return apperr.InvalidField("photo_url", "err.bad_value", "photo_url", s.PhotoURL)
	}
	return nil
}

// Validate checks a device.
func (d *Device) Validate() error {
	switch d.Kind {
	case DeviceKiosk, DeviceDisplay, DeviceRatingPad:
	default:
		return apperr.InvalidField("kind", "hall.bad_device_kind", d.Kind)
	}
	return text("name", d.Name, 100, true)
}
