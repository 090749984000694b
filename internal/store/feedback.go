package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/feedback"
	"mingbai/internal/workday"
)

// Service kinds a rating belongs to.
const (
	ServiceTicket = "ticket"
	ServiceCase   = "case"
)

// FeedbackSettings are a hall's rules for ratings and rectification.
type FeedbackSettings struct {
	HallID int64 `json:"hall_id"`
	// LateDays is how many working days after the service a missing rating
	// may still be added (default 5).
	LateDays int `json:"late_days"`
	// RectDays is the rectification deadline in working days (default 5).
	RectDays int `json:"rect_days"`
	// MinSample is the fewest ratings for a staff member's rate to be shown.
	MinSample int `json:"min_sample"`
	// RecentDays excludes people called back in the last N days from a draw.
	RecentDays int `json:"recent_days"`
	// InviteDays is how many days after completion an unrated case gets an
	// SMS invitation (0: on completion).
	InviteDays int `json:"invite_days"`
	// DivisionCode is the administrative division code (行政区划代码) of the
	// hall, sent with every evaluation.
	DivisionCode string `json:"division_code"`
	// Province selects the code mapping of the provincial export.
	Province string `json:"province"`
}

func defaultFeedbackSettings(hallID int64) FeedbackSettings {
	return FeedbackSettings{HallID: hallID, LateDays: feedback.DefaultLateDays, RectDays: feedback.DefaultRectDays,
		MinSample: feedback.DefaultMinSample, RecentDays: 90}
}

func feedbackSettingsTx(tx *Tx, hallID int64) (FeedbackSettings, error) {
	s := defaultFeedbackSettings(hallID)
	err := tx.QueryRow(`SELECT late_days, rect_days, min_sample, recent_days, invite_days, division_code, province
		FROM feedback_settings WHERE hall_id = ?`, hallID).
		Scan(&s.LateDays, &s.RectDays, &s.MinSample, &s.RecentDays, &s.InviteDays, &s.DivisionCode, &s.Province)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	return s, err
}

// FeedbackSettings returns a hall's feedback rules (defaults when unset).
func (db *DB) FeedbackSettings(ctx context.Context, hallID int64) (FeedbackSettings, error) {
	var s FeedbackSettings
	err := db.Read(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		var err error
		s, err = feedbackSettingsTx(tx, hallID)
		return err
	})
	return s, err
}

// SaveFeedbackSettings changes a hall's feedback rules.
func (db *DB) SaveFeedbackSettings(ctx context.Context, s FeedbackSettings) (FeedbackSettings, error) {
	for _, f := range []struct {
		name      string
		v, lo, hi int
	}{{"late_days", s.LateDays, 0, 30}, {"rect_days", s.RectDays, 1, 30}, {"min_sample", s.MinSample, 1, 1000},
		{"recent_days", s.RecentDays, 0, 365}, {"invite_days", s.InviteDays, 0, 30}} {
		if f.v < f.lo || f.v > f.hi {
			return s, apperr.InvalidField(f.name, "fb.err.range", f.lo, f.hi)
		}
	}
	if len(s.DivisionCode) > 12 || strings.Trim(s.DivisionCode, "0123456789") != "" {
		return s, apperr.InvalidField("division_code", "fb.err.division_code")
	}
	if len(s.Province) > 32 {
		return s, apperr.InvalidField("province", "fb.err.province")
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, s.HallID); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM feedback_settings WHERE hall_id = ?", s.HallID); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO feedback_settings (hall_id, late_days, rect_days, min_sample, recent_days, invite_days, division_code, province)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.HallID, s.LateDays, s.RectDays, s.MinSample, s.RecentDays, s.InviteDays, s.DivisionCode, s.Province); err != nil {
			return err
		}
		return tx.Audit("feedback.settings", fmt.Sprintf("hall:%d", s.HallID),
			fmt.Sprintf("late=%d rect=%d min=%d recent=%d invite=%d division=%s province=%s", s.LateDays, s.RectDays, s.MinSample, s.RecentDays, s.InviteDays, s.DivisionCode, s.Province))
	})
	return s, err
}

// service is what a rating needs to know of the ticket or case it rates.
type service struct {
	Kind, Ref     string
	ID, HallID    int64
	StaffID       int64
	WindowID      int64
	Zone, Item    string
	ServedAt      int64
	Served        bool
	RaterCategory string
	StaffName     string
	StaffPhoto    string
}

func serviceTx(tx *Tx, hallID int64, kind string, id int64) (service, error) {
	sv := service{Kind: kind, ID: id, RaterCategory: "person"}
	switch kind {
	case ServiceTicket:
		var state string
		var started, finished int64
		err := tx.QueryRow(`SELECT hall_id, number, state, started_at, finished_at, COALESCE(staff_id, 0), COALESCE(window_id, 0), zone, item_code
			FROM tickets WHERE id = ? AND hall_id = ?`, id, hallID).
			Scan(&sv.HallID, &sv.Ref, &state, &started, &finished, &sv.StaffID, &sv.WindowID, &sv.Zone, &sv.Item)
		if err != nil {
			return sv, notFound(err, "ticket")
		}
		sv.Served, sv.ServedAt = state == "done" && started > 0, finished
	case ServiceCase:
		var state, applicant string
		err := tx.QueryRow(`SELECT hall_id, number, state, COALESCE(staff_id, 0), zone, item_code, updated_at, applicant_kind
			FROM cases WHERE id = ? AND hall_id = ?`, id, hallID).
			Scan(&sv.HallID, &sv.Ref, &state, &sv.StaffID, &sv.Zone, &sv.Item, &sv.ServedAt, &applicant)
		if err != nil {
			return sv, notFound(err, "case")
		}
		sv.Served = state == "completed" || state == "rejected"
		if applicant != "" && applicant != "person" {
			sv.RaterCategory = "employer"
		}
	default:
		return sv, apperr.InvalidField("service_kind", "fb.err.service_kind")
	}
	if sv.StaffID != 0 {
		_ = tx.QueryRow("SELECT name, photo_url FROM staff WHERE id = ?", sv.StaffID).Scan(&sv.StaffName, &sv.StaffPhoto)
	}
	return sv, nil
}

// RatingInput is a rating as given on a channel.
type RatingInput struct {
	HallID    int64
	Kind      string // ServiceTicket or ServiceCase
	ServiceID int64
	Channel   feedback.Channel
	feedback.Rating
	// WindowID, for the pad, is the window the pad is tied to: a pad rates
	// only services of its own window.
	WindowID int64
	DeviceID int64
	IdemKey  string
}

// Rating is a stored rating. The rater is never stored beyond the service
// reference, which staff views leave out.
type Rating struct {
	ID            int64            `json:"id"`
	HallID        int64            `json:"hall_id"`
	Kind          string           `json:"service_kind"`
	ServiceID     int64            `json:"service_id"`
	ServiceRef    string           `json:"service_ref,omitempty"`
	Channel       feedback.Channel `json:"channel"`
	RaterCategory string           `json:"rater_category"`
	feedback.Rating
	Times        int    `json:"times"`
	StaffID      int64  `json:"staff_id,omitempty"`
	StaffName    string `json:"staff_name,omitempty"`
	WindowID     int64  `json:"window_id,omitempty"`
	Zone         string `json:"zone"`
	Item         string `json:"item"`
	ServedAt     int64  `json:"served_at"`
	RatedAt      int64  `json:"rated_at"`
	RatedDate    string `json:"rated_date"`
	Late         bool   `json:"late"`
	DivisionCode string `json:"division_code"`
	Invalid      bool   `json:"invalid"`
	InvalidNote  string `json:"invalid_reason,omitempty"`
	// RectID is the rectification a bad rating opened (0 when none).
	RectID int64 `json:"rectification_id,omitempty"`
}

// AddRating records a rating in one transaction: the service must belong
// to the hall and have been served, have no rating yet, and still be within
// the late-rating period; a bad overall level opens a rectification with
// its deadline. A retry with the same idempotency key returns the first
// rating.
func (db *DB) AddRating(ctx context.Context, in RatingInput) (Rating, error) {
	var out Rating
	if err := in.Rating.Validate(); err != nil {
		return out, err
	}
	if !in.Channel.Valid() || in.Channel == feedback.ChannelCallback {
		return out, apperr.InvalidField("channel", "fb.err.channel")
	}
	in.Text = strings.TrimSpace(in.Text)
	err := db.Write(ctx, func(tx *Tx) error {
		if in.IdemKey != "" {
			var id int64
			err := tx.QueryRow("SELECT id FROM ratings WHERE hall_id = ? AND idem_key = ?", in.HallID, in.IdemKey).Scan(&id)
			if err == nil {
				var rerr error
				out, rerr = ratingTx(tx, in.HallID, id)
				return rerr
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		sv, err := serviceTx(tx, in.HallID, in.Kind, in.ServiceID)
		if err != nil {
			return err
		}
		if !sv.Served {
			return apperr.New(apperr.Invalid, "fb.err.not_served")
		}
		if in.WindowID != 0 && sv.WindowID != in.WindowID {
			return apperr.New(apperr.Forbidden, "fb.err.other_window")
		}
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM ratings WHERE service_kind = ? AND service_id = ? AND channel <> 'callback'", sv.Kind, sv.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "fb.err.already_rated")
		}
		_, loc, err := hallInTx(tx, in.HallID)
		if err != nil {
			return err
		}
		set, err := feedbackSettingsTx(tx, in.HallID)
		if err != nil {
			return err
		}
		cal, err := loadCalendar(tx)
		if err != nil {
			return err
		}
		served := workday.DateOf(time.UnixMilli(sv.ServedAt).In(loc))
		today := workday.DateOf(tx.Now.In(loc))
		last, err := cal.AddWorkdays(served, set.LateDays)
		if err != nil {
			return err
		}
		if today.After(last) {
			return apperr.New(apperr.Invalid, "fb.err.too_late", set.LateDays)
		}
		id, err := insertRating(tx, sv, in.Channel, in.Rating, set.DivisionCode, today, today.After(served), in.DeviceID, 0, in.IdemKey)
		if err != nil {
			return err
		}
		if in.Overall.Bad() {
			if _, err := openRectification(tx, in.HallID, id, sv.StaffID, today, set.RectDays, cal); err != nil {
				return err
			}
		}
		if err := tx.Audit("rating.create", fmt.Sprintf("rating:%d", id),
			fmt.Sprintf("%s:%s channel=%s overall=%d", sv.Kind, sv.Ref, in.Channel, in.Overall)); err != nil {
			return err
		}
		if err := tx.Publish(in.HallID, "rating.created", map[string]any{"window_id": sv.WindowID, "service": sv.Kind}); err != nil {
			return err
		}
		out, err = ratingTx(tx, in.HallID, id)
		return err
	})
	return out, err
}

func insertRating(tx *Tx, sv service, ch feedback.Channel, r feedback.Rating, division string, day workday.Date, late bool, deviceID, drawID int64, idem string) (int64, error) {
	var idemArg any
	if idem != "" {
		idemArg = idem
	}
	return tx.InsertID(`INSERT INTO ratings (hall_id, service_kind, service_id, service_ref, channel, rater_category, overall, efficiency,
		service_level, attitude, reason, remark, times, staff_id, window_id, zone, item_code, served_at, rated_at, rated_date, late,
		division_code, device_id, draw_id, idem_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sv.HallID, sv.Kind, sv.ID, sv.Ref, string(ch), sv.RaterCategory, int(r.Overall), int(r.Efficiency), int(r.ServiceLevel), int(r.Attitude),
		r.Reason, r.Text, nullInt(sv.StaffID), nullInt(sv.WindowID), sv.Zone, sv.Item, sv.ServedAt, tx.NowMs(), day.String(), b2i(late),
		division, nullInt(deviceID), nullInt(drawID), idemArg)
}

const ratingCols = `r.id, r.hall_id, r.service_kind, r.service_id, r.service_ref, r.channel, r.rater_category, r.overall, r.efficiency,
	r.service_level, r.attitude, r.reason, r.remark, r.times, COALESCE(r.staff_id, 0), COALESCE(s.name, ''), COALESCE(r.window_id, 0),
	r.zone, r.item_code, r.served_at, r.rated_at, r.rated_date, r.late, r.division_code, r.invalid, r.invalid_reason, COALESCE(x.id, 0)`

const ratingFrom = ` FROM ratings r LEFT JOIN staff s ON s.id = r.staff_id LEFT JOIN rectifications x ON x.rating_id = r.id`

func scanRating(row interface{ Scan(...any) error }) (Rating, error) {
	var r Rating
	var ch string
	var o, e, sl, a, late, inv int
	err := row.Scan(&r.ID, &r.HallID, &r.Kind, &r.ServiceID, &r.ServiceRef, &ch, &r.RaterCategory, &o, &e, &sl, &a, &r.Reason, &r.Text,
		&r.Times, &r.StaffID, &r.StaffName, &r.WindowID, &r.Zone, &r.Item, &r.ServedAt, &r.RatedAt, &r.RatedDate, &late, &r.DivisionCode,
		&inv, &r.InvalidNote, &r.RectID)
	r.Channel = feedback.Channel(ch)
	r.Overall, r.Efficiency, r.ServiceLevel, r.Attitude = feedback.Level(o), feedback.Level(e), feedback.Level(sl), feedback.Level(a)
	r.Late, r.Invalid = late != 0, inv != 0
	return r, err
}

func ratingTx(tx *Tx, hallID, id int64) (Rating, error) {
	r, err := scanRating(tx.QueryRow("SELECT "+ratingCols+ratingFrom+" WHERE r.id = ? AND r.hall_id = ?", id, hallID))
	if err != nil {
		return r, notFound(err, "rating")
	}
	return r, nil
}

// GetRating returns one rating of a hall.
func (db *DB) GetRating(ctx context.Context, hallID, id int64) (Rating, error) {
	var r Rating
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		r, err = ratingTx(tx, hallID, id)
		return err
	})
	return r, err
}

// RatingFilter narrows a listing of ratings.
type RatingFilter struct {
	HallID   int64
	StaffID  int64
	From, To string // rated_date, inclusive
	Channel  string
	BadOnly  bool
	Limit    int
}

// ListRatings lists a hall's ratings, newest first.
func (db *DB) ListRatings(ctx context.Context, f RatingFilter) ([]Rating, error) {
	q := "SELECT " + ratingCols + ratingFrom + " WHERE r.hall_id = ?"
	args := []any{f.HallID}
	if f.StaffID != 0 {
		q += " AND r.staff_id = ?"
		args = append(args, f.StaffID)
	}
	if f.From != "" {
		q += " AND r.rated_date >= ?"
		args = append(args, f.From)
	}
	if f.To != "" {
		q += " AND r.rated_date <= ?"
		args = append(args, f.To)
	}
	if f.Channel != "" {
		q += " AND r.channel = ?"
		args = append(args, f.Channel)
	}
	if f.BadOnly {
		q += " AND r.overall <= 2"
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 500
	}
	q += fmt.Sprintf(" ORDER BY r.rated_at DESC, r.id DESC LIMIT %d", f.Limit)
	var out []Rating
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRating(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// PadState is what a rating pad shows: the staff member at its window and,
// when the last service there is finished and not yet rated, that service.
type PadState struct {
	WindowID   int64  `json:"window_id"`
	Window     string `json:"window"`
	StaffName  string `json:"staff_name"`
	StaffPhoto string `json:"staff_photo"`
	StaffPost  string `json:"staff_post"`
	// TicketID is the finished, unrated ticket to rate (0: nothing to rate).
	TicketID int64  `json:"ticket_id,omitempty"`
	Number   string `json:"number,omitempty"`
}

// padWindow is how long after finishing a ticket its pad still asks.
const padWindow = 10 * time.Minute

// PadState returns the state of a pad tied to a window of the hall.
func (db *DB) PadState(ctx context.Context, hallID, windowID int64) (PadState, error) {
	ps := PadState{WindowID: windowID}
	err := db.Read(ctx, func(tx *Tx) error {
		var staffID int64
		err := tx.QueryRow("SELECT number, COALESCE(staff_id, 0) FROM windows WHERE id = ? AND hall_id = ?", windowID, hallID).Scan(&ps.Window, &staffID)
		if err != nil {
			return notFound(err, "window")
		}
		var tid, tstaff int64
		var number string
		err = tx.QueryRow(`SELECT t.id, t.number, COALESCE(t.staff_id, 0) FROM tickets t
			WHERE t.hall_id = ? AND t.window_id = ? AND t.state = 'done' AND t.started_at > 0 AND t.finished_at >= ?
			ORDER BY t.finished_at DESC, t.id DESC LIMIT 1`, hallID, windowID, tx.Now.Add(-padWindow).UnixMilli()).Scan(&tid, &number, &tstaff)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil {
			var n int
			if err := tx.QueryRow("SELECT COUNT(*) FROM ratings WHERE service_kind = 'ticket' AND service_id = ? AND channel <> 'callback'", tid).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				ps.TicketID, ps.Number = tid, number
				if tstaff != 0 {
					staffID = tstaff
				}
			}
		}
		// The staff member signed in at the window, else the one assigned.
		var sess int64
		if err := tx.QueryRow("SELECT COALESCE(staff_id, 0) FROM window_sessions WHERE window_id = ? AND state <> 'closed'", windowID).Scan(&sess); err == nil && sess != 0 && ps.TicketID == 0 {
			staffID = sess
		}
		if staffID != 0 {
			_ = tx.QueryRow("SELECT name, photo_url, post FROM staff WHERE id = ?", staffID).Scan(&ps.StaffName, &ps.StaffPhoto, &ps.StaffPost)
		}
		return nil
	})
	return ps, err
}

// TieDevice ties a device (a rating pad) to a window of its hall.
func (db *DB) TieDevice(ctx context.Context, hallID, deviceID, windowID int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := windowInTx(tx, hallID, windowID); err != nil {
			return err
		}
		res, err := tx.Exec("UPDATE devices SET window_id = ? WHERE id = ? AND hall_id = ?", windowID, deviceID, hallID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("device")
		}
		return tx.Audit("device.tie", fmt.Sprintf("device:%d", deviceID), fmt.Sprintf("window:%d", windowID))
	})
}

// DeviceWindow returns the window a device of the hall is tied to (0: none).
func (db *DB) DeviceWindow(ctx context.Context, hallID, deviceID int64) (int64, error) {
	var w int64
	err := db.Read(ctx, func(tx *Tx) error {
		err := tx.QueryRow("SELECT COALESCE(window_id, 0) FROM devices WHERE id = ? AND hall_id = ?", deviceID, hallID).Scan(&w)
		return notFound(err, "device")
	})
	return w, err
}

// TicketIDByToken returns the hall and id of a ticket from its tracking token.
func (db *DB) TicketIDByToken(ctx context.Context, token string) (hallID, id int64, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRow("SELECT hall_id, id FROM tickets WHERE track_token = ?", token).Scan(&hallID, &id), "ticket")
	})
	return
}

// StaffHall returns the hall of a staff record.
func (db *DB) StaffHall(ctx context.Context, staffID int64) (int64, error) {
	var h int64
	err := db.Read(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRow("SELECT hall_id FROM staff WHERE id = ?", staffID).Scan(&h), "staff")
	})
	return h, err
}

// PadStatus is a rating pad as a manager sees it: online when it was heard
// from within the last PadOffline.
type PadStatus struct {
	DeviceID int64  `json:"device_id"`
	Name     string `json:"name"`
	WindowID int64  `json:"window_id,omitempty"`
	Window   string `json:"window,omitempty"`
	LastSeen int64  `json:"last_seen"`
	Online   bool   `json:"online"`
	Revoked  bool   `json:"revoked"`
}

// PadOffline is how long a pad may be silent before it shows as offline
// (its page checks in every minute while switched on).
const PadOffline = 3 * time.Minute

// ListPads returns the rating pads of a hall with their state.
func (db *DB) ListPads(ctx context.Context, hallID int64) ([]PadStatus, error) {
	var out []PadStatus
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT d.id, d.name, COALESCE(d.window_id, 0), COALESCE(w.number, ''), d.last_seen, d.revoked_at
			FROM devices d LEFT JOIN windows w ON w.id = d.window_id WHERE d.hall_id = ? AND d.kind = 'rating_pad' ORDER BY d.id`, hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		limit := tx.Now.Add(-PadOffline).UnixMilli()
		for rows.Next() {
			var p PadStatus
			var revoked int64
			if err := rows.Scan(&p.DeviceID, &p.Name, &p.WindowID, &p.Window, &p.LastSeen, &revoked); err != nil {
				return err
			}
			p.Revoked = revoked != 0
			p.Online = !p.Revoked && p.LastSeen >= limit
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// TouchDevice records that a device was heard from now (its heartbeat).
func (db *DB) TouchDevice(ctx context.Context, deviceID int64) error {
	_, err := db.w.ExecContext(ctx, db.Rebind("UPDATE devices SET last_seen = ? WHERE id = ?"), db.Now().UnixMilli(), deviceID)
	return mapErr(err)
}
