package store

import (
	"context"
	"fmt"

	"mingbai/internal/complaints"
	"mingbai/internal/pii"
	"mingbai/internal/workday"
)

const complaintCols = `c.id, c.hall_id, c.number, c.channel, c.type, c.state, c.summary, c.detail_enc, c.name_enc, c.phone_enc, c.hotline_order,
	COALESCE(c.subject_staff_id, 0), COALESCE(s.name, ''), COALESCE(c.subject_window_id, 0), c.item_code, c.receiver, c.owner, c.received_at, c.received_date,
	c.accept_due, c.due, c.extended_days, c.resolution, c.replied_at, c.callback_outcome, c.overdue`

const complaintFrom = ` FROM complaints c LEFT JOIN staff s ON s.id = c.subject_staff_id`

func scanComplaint(row interface{ Scan(...any) error }) (Complaint, error) {
	var c Complaint
	var overdue int
	err := row.Scan(&c.ID, &c.HallID, &c.Number, &c.Channel, &c.Type, &c.State, &c.Summary, &c.sealed[2], &c.sealed[0], &c.sealed[1], &c.HotlineOrder,
		&c.SubjectStaffID, &c.SubjectName, &c.SubjectWindowID, &c.Item, &c.Receiver, &c.Owner, &c.ReceivedAt, &c.ReceivedDate,
		&c.AcceptDue, &c.Due, &c.ExtendedDays, &c.Resolution, &c.RepliedAt, &c.CallbackOutcome, &overdue)
	c.Overdue = overdue != 0
	c.Steps = []ComplaintStep{}
	return c, err
}

func (c Complaint) facts() complaints.Facts {
	return complaints.Facts{Type: c.Type, State: c.State, Owner: c.Owner, Receiver: c.Receiver, SubjectStaffID: c.SubjectStaffID,
		ExtendedDays: c.ExtendedDays, HasPhone: c.sealed[1] != ""}
}

func loadComplaint(tx *Tx, hallID, id int64) (Complaint, error) {
	c, err := scanComplaint(tx.QueryRow("SELECT "+complaintCols+complaintFrom+" WHERE c.id = ? AND c.hall_id = ?", id, hallID))
	if err != nil {
		return c, notFound(err, "complaint")
	}
	return c, nil
}

// open fills in the sealed fields for a permitted reader: the text in
// full, the name and phone masked unless reveal.
func (c *Complaint) open(tx *Tx, reveal bool) error {
	s, err := tx.db.sealer()
	if err != nil {
		return err
	}
	get := func(v string) (string, error) {
		if v == "" {
			return "", nil
		}
		return s.OpenString(v)
	}
	if c.Detail, err = get(c.sealed[2]); err != nil {
		return err
	}
	if c.Name, err = get(c.sealed[0]); err != nil {
		return err
	}
	if c.Phone, err = get(c.sealed[1]); err != nil {
		return err
	}
	if !reveal {
		c.Name, c.Phone = pii.MaskName(c.Name), pii.MaskMobile(c.Phone)
	}
	return nil
}

// status sets the overdue and near flags for today.
func (c *Complaint) status(cal *workday.Calendar, today workday.Date, remind int) error {
	if !c.State.Active() {
		return nil
	}
	due := c.Due
	if c.State == complaints.StatePending {
		due = c.AcceptDue
	}
	d, err := workday.Parse(due)
	if err != nil {
		return nil
	}
	st, err := complaints.DueStatus(cal, today, d, remind)
	if err != nil {
		return err
	}
	c.Overdue = c.Overdue || st.Overdue
	c.Near = st.Near
	return nil
}

func complaintToday(tx *Tx, hallID int64) (*workday.Calendar, workday.Date, DutySettings, error) {
	_, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return nil, workday.Date{}, DutySettings{}, err
	}
	cal, err := loadCalendar(tx)
	if err != nil {
		return nil, workday.Date{}, DutySettings{}, err
	}
	st, err := dutySettingsTx(tx, hallID)
	return cal, workday.DateOf(tx.Now.In(loc)), st, err
}

// Complaint returns one complaint for v: not found for anyone who may not
// see it (the staff member complained about among them). reveal shows the
// complainant's name and phone in full to a permitted reader (audited).
func (db *DB) Complaint(ctx context.Context, hallID, id int64, v complaints.Viewer, reveal bool) (Complaint, error) {
	var c Complaint
	read := db.Read
	if reveal {
		read = db.Write // the reveal is audited
	}
	err := read(ctx, func(tx *Tx) error {
		var err error
		if v, err = complaintViewerStaff(tx, v); err != nil {
			return err
		}
		if c, err = loadComplaint(tx, hallID, id); err != nil {
			return err
		}
		f := c.facts()
		if !complaints.MayView(v, f) {
			return notFound(ErrNoRows, "complaint")
		}
		if reveal && !complaints.MayReveal(v, f) {
			reveal = false
		}
		if err := c.open(tx, reveal); err != nil {
			return err
		}
		if reveal {
			if err := tx.Audit("complaint.reveal", "complaint:"+c.Number, "name, phone"); err != nil {
				return err
			}
		}
		cal, today, st, err := complaintToday(tx, hallID)
		if err != nil {
			return err
		}
		if err := c.status(cal, today, st.RemindDays); err != nil {
			return err
		}
		rows, err := tx.Query("SELECT action, actor, from_owner, to_owner, note, at FROM complaint_steps WHERE complaint_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s ComplaintStep
			if err := rows.Scan(&s.Action, &s.Actor, &s.FromOwner, &s.ToOwner, &s.Note, &s.At); err != nil {
				return err
			}
			c.Steps = append(c.Steps, s)
		}
		return rows.Err()
	})
	return c, wrap("complaint", err)
}

// ComplaintFilter narrows a list of complaints.
type ComplaintFilter struct {
	State   string
	Overdue bool
	// Open: pending or open only.
	Open bool
}

// ListComplaints returns the complaints of a hall that v may see, newest
// first (at most 500), the name and phone masked and without the text.
func (db *DB) ListComplaints(ctx context.Context, hallID int64, v complaints.Viewer, f ComplaintFilter) ([]Complaint, error) {
	out := []Complaint{}
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if v, err = complaintViewerStaff(tx, v); err != nil {
			return err
		}
		cal, today, st, err := complaintToday(tx, hallID)
		if err != nil {
			return err
		}
		q := "SELECT " + complaintCols + complaintFrom + " WHERE c.hall_id = ?"
		args := []any{hallID}
		if f.State != "" {
			q += " AND c.state = ?"
			args = append(args, f.State)
		}
		if f.Open {
			q += " AND c.state IN ('pending', 'open')"
		}
		rows, err := tx.Query(q+" ORDER BY c.received_at DESC, c.id DESC LIMIT 500", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanComplaint(rows)
			if err != nil {
				return err
			}
			if !complaints.MayView(v, c.facts()) {
				continue
			}
			if err := c.open(tx, false); err != nil {
				return err
			}
			c.Detail = ""
			if err := c.status(cal, today, st.RemindDays); err != nil {
				return err
			}
			if f.Overdue && !c.Overdue {
				continue
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, wrap(fmt.Sprintf("list complaints of hall %d", hallID), err)
}
