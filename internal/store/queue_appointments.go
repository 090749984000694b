package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
	"mingbai/internal/queue"
)

// Appointment check-in window around the slot time: from 30 minutes
// before to 15 minutes after; later than that the booking is a no-show.
const (
	CheckInEarly = 30 * time.Minute
	CheckInLate  = 15 * time.Minute
	// SlotLength is the length of a bookable slot.
	SlotLength = 30 * time.Minute
	// BookAhead is how many days ahead a slot can be booked.
	BookAhead = 14
)

// Appointment is a booked slot. Phone is personal data.
type Appointment struct {
	ID       int64  `json:"id"`
	HallID   int64  `json:"hall_id"`
	Item     string `json:"item"`
	Day      string `json:"day"`
	Slot     string `json:"slot"`
	SlotAt   int64  `json:"slot_at"`
	Phone    string `json:"-"`
	State    string `json:"state"`
	Code     string `json:"code"`
	TicketID int64  `json:"ticket_id,omitempty"`
}

// Slot is a bookable slot with its free places.
type Slot struct {
	Slot string `json:"slot"`
	Free int    `json:"free"`
}

// slotTimes lists the slot start times of a day from the hall's opening to
// its last ticket.
func slotTimes(day time.Time, open, last string, loc *time.Location) []time.Time {
	o, err1 := time.ParseInLocation("2006-01-02 15:04", day.Format("2006-01-02")+" "+open, loc)
	l, err2 := time.ParseInLocation("2006-01-02 15:04", day.Format("2006-01-02")+" "+last, loc)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []time.Time
	for t := o; t.Before(l); t = t.Add(SlotLength) {
		out = append(out, t)
	}
	return out
}

func parseDay(day string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return d, apperr.InvalidField("day", "err.bad_value", "day", day)
	}
	return d, nil
}

// AppointmentSlots returns the slots of an item on a day with free places.
func (db *DB) AppointmentSlots(ctx context.Context, hallID int64, item, day string) ([]Slot, error) {
	out := []Slot{}
	err := db.Read(ctx, func(tx *Tx) error {
		h, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		d, err := parseDay(day, loc)
		if err != nil {
			return err
		}
		if open, err := opensOn(tx, h, d); err != nil || !open {
			return err // a day the hall is closed has no slots
		}
		st, err := queueSettings(tx, hallID)
		if err != nil {
			return err
		}
		booked := map[string]int{}
		rows, err := tx.Query("SELECT slot, COUNT(*) FROM appointments WHERE hall_id = ? AND item_code = ? AND day = ? AND state IN ('booked', 'checked_in') GROUP BY slot", hallID, item, day)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				rows.Close()
				return err
			}
			booked[s] = n
		}
		rows.Close()
		for _, t := range slotTimes(d, h.Hours.Open, h.Hours.LastTicket, loc) {
			if t.Before(tx.Now) {
				continue
			}
			s := t.Format("15:04")
			out = append(out, Slot{Slot: s, Free: max(st.ApptCapacity-booked[s], 0)})
		}
		return rows.Err()
	})
	return out, err
}

// BookRequest books a slot; the phone is confirmed by an SMS code.
type BookRequest struct {
	HallID                int64
	Item, Zone, Day, Slot string
	Phone, SMSCode        string
	Bookable              bool
}

// BookAppointment books a slot: capacity per slot, one booking per phone,
// item and day, and the no-show rule (NoShowLimit missed appointments in
// NoShowDays bar the phone from booking for NoShowBanDays).
func (db *DB) BookAppointment(ctx context.Context, req BookRequest) (Appointment, error) {
	var a Appointment
	if !req.Bookable {
		return a, apperr.InvalidField("item", "queue.appt_not_bookable", req.Item)
	}
	if !queue.MobileOK(req.Phone) {
		return a, apperr.InvalidField("phone", "queue.bad_phone")
	}
	err := db.Write(ctx, func(tx *Tx) error {
		h, loc, err := hallInTx(tx, req.HallID)
		if err != nil {
			return err
		}
		d, err := parseDay(req.Day, loc)
		if err != nil {
			return err
		}
		today, _ := parseDay(dayOf(tx.Now, loc), loc)
		if d.Before(today) || d.After(today.AddDate(0, 0, BookAhead)) {
			return apperr.InvalidField("day", "queue.appt_bad_day", BookAhead)
		}
		if open, err := opensOn(tx, h, d); err != nil {
			return err
		} else if !open {
			return apperr.InvalidField("day", "queue.appt_closed_day", req.Day)
		}
		var slotAt time.Time
		for _, t := range slotTimes(d, h.Hours.Open, h.Hours.LastTicket, loc) {
			if t.Format("15:04") == req.Slot {
				slotAt = t
			}
		}
		if slotAt.IsZero() || slotAt.Before(tx.Now) {
			return apperr.InvalidField("slot", "queue.appt_bad_slot", req.Slot)
		}
		var one int
		if err := tx.QueryRow(`SELECT 1 FROM window_items wi JOIN windows w ON w.id = wi.window_id WHERE w.hall_id = ? AND wi.item_code = ? LIMIT 1`,
			req.HallID, req.Item).Scan(&one); err != nil {
			return apperr.InvalidField("item", "queue.item_not_offered", req.Item)
		}
		if err := lockHall(tx, req.HallID); err != nil {
			return err
		}
		if err := usePhoneCode(tx, req.HallID, req.Phone, req.SMSCode); err != nil {
			return err
		}
		st, err := queueSettings(tx, req.HallID)
		if err != nil {
			return err
		}
		blind, err := tx.blindPhone(req.Phone)
		if err != nil {
			return err
		}
		var missed int
		var lastMiss *int64
		if err := tx.QueryRow("SELECT COUNT(*), MAX(slot_at) FROM appointments WHERE phone_blind = ? AND state = 'no_show' AND slot_at >= ?",
			blind, tx.Now.AddDate(0, 0, -st.NoShowDays).UnixMilli()).Scan(&missed, &lastMiss); err != nil {
			return err
		}
		if missed >= st.NoShowLimit && lastMiss != nil && time.UnixMilli(*lastMiss).AddDate(0, 0, st.NoShowBanDays).After(tx.Now) {
			until := time.UnixMilli(*lastMiss).AddDate(0, 0, st.NoShowBanDays).In(loc).Format("2006-01-02")
			return apperr.New(apperr.Conflict, "queue.appt_banned", missed, st.NoShowDays, until)
		}
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM appointments WHERE phone_blind = ? AND item_code = ? AND day = ? AND state IN ('booked', 'checked_in')",
			blind, req.Item, req.Day).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "queue.appt_twice")
		}
		if err := tx.QueryRow("SELECT COUNT(*) FROM appointments WHERE hall_id = ? AND item_code = ? AND day = ? AND slot = ? AND state IN ('booked', 'checked_in')",
			req.HallID, req.Item, req.Day, req.Slot).Scan(&n); err != nil {
			return err
		}
		if n >= st.ApptCapacity {
			return apperr.New(apperr.Conflict, "queue.appt_full", req.Slot)
		}
		a = Appointment{HallID: req.HallID, Item: req.Item, Day: req.Day, Slot: req.Slot, SlotAt: slotAt.UnixMilli(), Phone: req.Phone, State: "booked",
			Code: strings.ToUpper(newSecret(6))}
		enc, _, err := tx.sealPhone(a.Phone)
		if err != nil {
			return err
		}
		a.ID, err = tx.InsertID("INSERT INTO appointments (hall_id, item_code, day, slot, slot_at, phone, phone_enc, phone_blind, state, code, created_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
			a.HallID, a.Item, a.Day, a.Slot, a.SlotAt, enc, blind, a.State, a.Code, tx.NowMs())
		if err != nil {
			return err
		}
		if _, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: a.Phone, Kind: "appointment", HallID: a.HallID,
			Params: map[string]string{"day": a.Day, "slot": a.Slot, "item": a.Item, "code": a.Code}}); err != nil {
			return err
		}
		return tx.Audit("appointment.book", fmt.Sprintf("appointment:%d", a.ID), a.Item+" "+a.Day+" "+a.Slot)
	})
	var bad *badCodeError
	if errors.As(err, &bad) {
		db.countCodeAttempt(ctx, bad.id)
		return a, apperr.InvalidField("sms_code", "queue.bad_code")
	}
	return a, wrap("book appointment", err)
}

// CheckInAppointment turns a booking into a priority ticket (green channel
// reason "appointment") when the holder arrives within the check-in
// window.
func (db *DB) CheckInAppointment(ctx context.Context, hallID int64, code, zone string) (Issued, error) {
	var out Issued
	code = strings.ToUpper(strings.TrimSpace(code))
	err := db.Write(ctx, func(tx *Tx) error {
		var a Appointment
		var enc string
		err := tx.QueryRow("SELECT id, item_code, slot_at, phone, phone_enc, state FROM appointments WHERE hall_id = ? AND code = ?", hallID, code).
			Scan(&a.ID, &a.Item, &a.SlotAt, &a.Phone, &enc, &a.State)
		if err != nil {
			return notFound(err, "appointment")
		}
		if a.Phone, err = tx.openSealed(enc, a.Phone); err != nil {
			return err
		}
		if a.State != "booked" {
			return apperr.New(apperr.Conflict, "queue.appt_state", "ticket_state_"+a.State)
		}
		at := time.UnixMilli(a.SlotAt)
		if tx.Now.Before(at.Add(-CheckInEarly)) || tx.Now.After(at.Add(CheckInLate)) {
			return apperr.New(apperr.Conflict, "queue.appt_window", int(CheckInEarly.Minutes()), int(CheckInLate.Minutes()))
		}
		if err := issueInTx(tx, IssueRequest{HallID: hallID, Item: a.Item, Zone: zone, Priority: queue.PriorityAppointment, Channel: ChannelAppointment,
			Phone: a.Phone, AppointmentID: a.ID}, &out); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE appointments SET state = 'checked_in', ticket_id = ? WHERE id = ?", out.Ticket.ID, a.ID); err != nil {
			return err
		}
		return tx.Audit("appointment.check_in", fmt.Sprintf("appointment:%d", a.ID), out.Ticket.Number)
	})
	return out, wrap("check in appointment", err)
}

// AppointmentItem returns the item of a booking code (so the caller can
// look up its zone before checking in).
func (db *DB) AppointmentItem(ctx context.Context, hallID int64, code string) (string, error) {
	var item string
	err := db.Read(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRow("SELECT item_code FROM appointments WHERE hall_id = ? AND code = ?", hallID, strings.ToUpper(strings.TrimSpace(code))).Scan(&item), "appointment")
	})
	return item, err
}

// MarkAppointmentNoShows marks the bookings whose check-in window has passed
// as no-shows; they count towards the booking ban.
func (db *DB) MarkAppointmentNoShows(ctx context.Context) (int64, error) {
	var n int64
	err := db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE appointments SET state = 'no_show' WHERE state = 'booked' AND slot_at < ?", tx.Now.Add(-CheckInLate).UnixMilli())
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if n == 0 {
			return nil
		}
		return tx.Audit("appointment.no_show", "appointments", fmt.Sprint(n))
	})
	return n, err
}
