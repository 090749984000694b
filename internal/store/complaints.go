package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/complaints"
	"mingbai/internal/pii"
	"mingbai/internal/workday"
)

// Complaints and suggestions (投诉建议). Rules in internal/complaints; the
// complainant's name, phone and the text are sealed at rest; the staff
// member complained about never reads the row (complaints.MayView applies
// to every read and step here).

// ComplaintInput is a complaint as received.
type ComplaintInput struct {
	HallID int64
	complaints.Intake
	SubjectStaffID  int64
	SubjectWindowID int64
	Item            string
	// Receiver is the account that received it ("" for the public web
	// form and the kiosk: the duty desk owns it until a leader takes it).
	Receiver string
	IdemKey  string
}

// Complaint is a complaint as a permitted reader sees it: the name and
// phone masked unless revealed.
type Complaint struct {
	ID              int64              `json:"id"`
	HallID          int64              `json:"hall_id"`
	Number          string             `json:"number"`
	Channel         complaints.Channel `json:"channel"`
	Type            complaints.Type    `json:"type"`
	State           complaints.State   `json:"state"`
	Summary         string             `json:"summary"`
	Detail          string             `json:"detail"`
	Name            string             `json:"name"`
	Phone           string             `json:"phone"`
	HotlineOrder    string             `json:"hotline_order,omitempty"`
	SubjectStaffID  int64              `json:"subject_staff_id,omitempty"`
	SubjectName     string             `json:"subject_name,omitempty"`
	SubjectWindowID int64              `json:"subject_window_id,omitempty"`
	Item            string             `json:"item,omitempty"`
	Receiver        string             `json:"receiver"`
	Owner           string             `json:"owner"`
	ReceivedAt      int64              `json:"received_at"`
	ReceivedDate    string             `json:"received_date"`
	AcceptDue       string             `json:"accept_due,omitempty"`
	Due             string             `json:"due,omitempty"`
	ExtendedDays    int                `json:"extended_days,omitempty"`
	Resolution      string             `json:"resolution,omitempty"`
	RepliedAt       int64              `json:"replied_at,omitempty"`
	CallbackOutcome string             `json:"callback_outcome,omitempty"`
	Overdue         bool               `json:"overdue"`
	Near            bool               `json:"near"`
	Steps           []ComplaintStep    `json:"steps"`
	// sealed are the stored name, phone and detail.
	sealed [3]string
}

// ComplaintStep is one recorded step.
type ComplaintStep struct {
	Action    string `json:"action"`
	Actor     string `json:"actor"`
	FromOwner string `json:"from_owner,omitempty"`
	ToOwner   string `json:"to_owner,omitempty"`
	Note      string `json:"note,omitempty"`
	At        int64  `json:"at"`
}

// complaintViewerStaff fills in the viewer's staff record from their account, so
// that a manager or leader who is complained about is recognised too.
func complaintViewerStaff(tx *Tx, v complaints.Viewer) (complaints.Viewer, error) {
	if v.StaffID != 0 || v.Username == "" {
		return v, nil
	}
	err := tx.QueryRow("SELECT s.id FROM staff s JOIN users u ON u.id = s.user_id WHERE u.username = ? ORDER BY s.id LIMIT 1", v.Username).Scan(&v.StaffID)
	if errors.Is(err, sql.ErrNoRows) {
		return v, nil
	}
	return v, err
}

// ComplaintLimits returns a hall's deadline table (defaults filled in).
func (db *DB) ComplaintLimits(ctx context.Context, hallID int64) (map[complaints.Type]complaints.Limit, error) {
	var out map[complaints.Type]complaints.Limit
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = complaintLimits(tx, hallID)
		return err
	})
	return out, wrap("complaint limits", err)
}

func complaintLimits(tx *Tx, hallID int64) (map[complaints.Type]complaints.Limit, error) {
	out := complaints.DefaultLimits()
	rows, err := tx.Query("SELECT type, days, unit FROM complaint_deadlines WHERE hall_id = ?", hallID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t, u string
		var d int
		if err := rows.Scan(&t, &d, &u); err != nil {
			return nil, err
		}
		out[complaints.Type(t)] = complaints.Limit{Days: d, Unit: workday.Unit(u)}
	}
	return out, rows.Err()
}

// SaveComplaintLimits replaces the deadlines of the given types. Open
// complaints keep the deadline they were opened with.
func (db *DB) SaveComplaintLimits(ctx context.Context, hallID int64, limits map[complaints.Type]complaints.Limit) error {
	if len(limits) == 0 {
		return apperr.InvalidField("limits", "err.required", "limits")
	}
	for t, l := range limits {
		if err := complaints.CheckLimit(t, l); err != nil {
			return err
		}
	}
	return wrap("save complaint limits", db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		for _, t := range complaints.Types() {
			l, ok := limits[t]
			if !ok {
				continue
			}
			if _, err := tx.Exec(`INSERT INTO complaint_deadlines (hall_id, type, days, unit) VALUES (?, ?, ?, ?)
				ON CONFLICT (hall_id, type) DO UPDATE SET days = excluded.days, unit = excluded.unit`, hallID, string(t), l.Days, string(l.Unit)); err != nil {
				return err
			}
			if err := tx.Audit("complaint.limit", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("%s=%d %s", t, l.Days, l.Unit)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// CreateComplaint records a complaint received through a channel. The
// receiver owns it (首问负责) until a recorded hand-over; one resolved on
// the spot is resolved at once, any other is opened with the deadline of
// its type (a petition waits for the acceptance decision). A retry with
// the same idempotency key returns the first complaint.
func (db *DB) CreateComplaint(ctx context.Context, in ComplaintInput, v complaints.Viewer) (Complaint, error) {
	var out Complaint
	in.Summary, in.Name, in.Phone = strings.TrimSpace(in.Summary), strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone)
	if err := complaints.CheckIntake(in.Intake); err != nil {
		return out, err
	}
	if in.Phone != "" && !pii.ValidMobile(in.Phone) {
		return out, apperr.InvalidField("phone", "queue.bad_phone")
	}
	if len(in.IdemKey) > 100 {
		return out, apperr.InvalidField("idempotency_key", "err.too_long", "idempotency_key", 100)
	}
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		_, loc, err := hallInTx(tx, in.HallID)
		if err != nil {
			return err
		}
		if in.IdemKey != "" {
			err := tx.QueryRow("SELECT id FROM complaints WHERE hall_id = ? AND idem_key = ?", in.HallID, in.IdemKey).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := complaintRefs(tx, in); err != nil {
			return err
		}
		if in.Receiver != "" {
			rv, err := complaintViewerStaff(tx, complaints.Viewer{Username: in.Receiver, StaffID: v.StaffID})
			if err != nil {
				return err
			}
			if err := complaints.CheckReceiver(rv.StaffID, in.SubjectStaffID); err != nil {
				return err
			}
		}
		cal, err := loadCalendar(tx)
		if err != nil {
			return err
		}
		limits, err := complaintLimits(tx, in.HallID)
		if err != nil {
			return err
		}
		today := workday.DateOf(tx.Now.In(loc))
		dates, err := complaints.Deadlines(cal, today, in.Type, limits)
		if err != nil {
			return err
		}
		state := complaints.StateOpen
		if in.Type == complaints.TypePetition {
			state = complaints.StatePending
		}
		resolvedAt := int64(0)
		if in.OnTheSpot {
			state, resolvedAt = complaints.StateResolved, tx.NowMs()
		}
		s, err := db.sealer()
		if err != nil {
			return err
		}
		seal := func(v string) string {
			if v == "" {
				return ""
			}
			return s.SealString(v)
		}
		phoneEnc, phoneBlind, err := tx.sealPhone(in.Phone)
		if err != nil {
			return err
		}
		// The number counts the hall's complaints of the day: on PostgreSQL
		// two transactions would count the same and collide on the
		// number, so the hall's complaint numbering is locked first (on
		// SQLite the single writer already serialises them).
		if err := tx.advisoryLock(lockComplaints, in.HallID); err != nil {
			return err
		}
		var n int
		day := today.String()
		if err := tx.QueryRow("SELECT COUNT(*) FROM complaints WHERE hall_id = ? AND received_date = ?", in.HallID, day).Scan(&n); err != nil {
			return err
		}
		number := fmt.Sprintf("TS%s%04d", strings.ReplaceAll(day, "-", ""), n+1)
		dateStr := func(d workday.Date) string {
			if d.IsZero() {
				return ""
			}
			return d.String()
		}
		id, err = tx.InsertID(`INSERT INTO complaints (hall_id, number, channel, type, state, summary, detail_enc, name_enc, phone_enc, phone_blind, hotline_order,
			subject_staff_id, subject_window_id, item_code, receiver, owner, received_at, received_date, accept_due, due, resolution, resolved_at, updated_at, idem_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.HallID, number, string(in.Channel), string(in.Type), string(state), in.Summary, seal(in.Detail), seal(in.Name), phoneEnc, phoneBlind, strings.TrimSpace(in.HotlineOrder),
			nullInt(in.SubjectStaffID), nullInt(in.SubjectWindowID), in.Item, in.Receiver, in.Receiver, tx.NowMs(), day, dateStr(dates.AcceptDue), dateStr(dates.Due),
			in.Resolution, resolvedAt, tx.NowMs(), nullString(in.IdemKey))
		if err != nil {
			return err
		}
		if err := addComplaintStep(tx, id, "receive", "", in.Receiver, string(in.Channel)); err != nil {
			return err
		}
		if in.OnTheSpot {
			if err := addComplaintStep(tx, id, string(complaints.ActResolve), "", "", in.Resolution); err != nil {
				return err
			}
		}
		return tx.Audit("complaint.create", "complaint:"+number, fmt.Sprintf("%s %s state=%s", in.Channel, in.Type, state))
	})
	if err != nil {
		return out, wrap("create complaint", err)
	}
	if in.Receiver == "" {
		// The public sees only the number and the deadline.
		err = db.Read(ctx, func(tx *Tx) error {
			c, err := loadComplaint(tx, in.HallID, id)
			out = Complaint{ID: c.ID, HallID: c.HallID, Number: c.Number, Channel: c.Channel, Type: c.Type, State: c.State,
				ReceivedDate: c.ReceivedDate, AcceptDue: c.AcceptDue, Due: c.Due, Steps: []ComplaintStep{}}
			return err
		})
		return out, err
	}
	return db.Complaint(ctx, in.HallID, id, v, false)
}

// complaintRefs checks that the staff member, window and item named
// belong to the hall.
func complaintRefs(tx *Tx, in ComplaintInput) error {
	if in.SubjectStaffID != 0 {
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM staff WHERE id = ? AND hall_id = ?", in.SubjectStaffID, in.HallID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.InvalidField("subject_staff", "err.foreign_id", "subject_staff")
		}
	}
	if in.SubjectWindowID != 0 {
		if _, err := windowInTx(tx, in.HallID, in.SubjectWindowID); err != nil {
			return apperr.InvalidField("subject_window", "err.foreign_id", "subject_window")
		}
	}
	if len(in.Item) > 40 {
		return apperr.InvalidField("item", "err.too_long", "item", 40)
	}
	return nil
}

func addComplaintStep(tx *Tx, id int64, action, from, to, note string) error {
	_, err := tx.Exec("INSERT INTO complaint_steps (complaint_id, action, actor, from_owner, to_owner, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, action, tx.Actor.Name, from, to, note, tx.NowMs())
	return err
}
