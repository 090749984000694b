package store

import (
	"context"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/complaints"
	"mingbai/internal/notify"
	"mingbai/internal/workday"
)

// StepComplaint takes a step on a complaint (complaints.Next decides):
// hand-over to another account (recorded: first-receiver responsibility
// moves only here), accept or decline a petition, extend it once, resolve,
// reply in writing (an SMS through the outbox when there is a phone) and
// record the callback's outcome.
func (db *DB) StepComplaint(ctx context.Context, hallID, id int64, v complaints.Viewer, s complaints.Step) (Complaint, error) {
	s.To, s.Note = strings.TrimSpace(s.To), strings.TrimSpace(s.Note)
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if v, err = complaintViewerStaff(tx, v); err != nil {
			return err
		}
		c, err := loadComplaint(tx, hallID, id)
		if err != nil {
			return err
		}
		if s.Action == complaints.ActHandover && s.To != "" {
			var role string
			var hall int64
			if err := tx.QueryRow("SELECT role, COALESCE(hall_id, 0) FROM users WHERE username = ? AND disabled = 0", s.To).Scan(&role, &hall); err != nil {
				return apperr.InvalidField("to", "complaints.err.no_account", s.To)
			}
			if hall != 0 && hall != hallID {
				return apperr.InvalidField("to", "complaints.err.no_account", s.To)
			}
			to, err := complaintViewerStaff(tx, complaints.Viewer{Username: s.To})
			if err != nil {
				return err
			}
			s.ToStaffID = to.StaffID
		}
		next, err := complaints.Next(v, c.facts(), s)
		if err != nil {
			return err
		}
		set, args := "state = ?, updated_at = ?", []any{string(next), tx.NowMs()}
		from, to := "", ""
		switch s.Action {
		case complaints.ActHandover:
			set += ", owner = ?"
			args = append(args, s.To)
			from, to = c.Owner, s.To
		case complaints.ActAccept:
			cal, today, _, err := complaintToday(tx, hallID)
			if err != nil {
				return err
			}
			limits, err := complaintLimits(tx, hallID)
			if err != nil {
				return err
			}
			due, err := complaints.AcceptedDue(cal, today, limits)
			if err != nil {
				return err
			}
			set += ", accepted_date = ?, due = ?"
			args = append(args, today.String(), due.String())
		case complaints.ActExtend:
			cal, err := loadCalendar(tx)
			if err != nil {
				return err
			}
			d, err := workday.Parse(c.Due)
			if err != nil {
				return err
			}
			due, err := cal.Deadline(d, s.Days, workday.CalendarDays)
			if err != nil {
				return err
			}
			set += ", extended_days = ?, due = ?, overdue = 0"
			args = append(args, s.Days, due.String())
		case complaints.ActResolve:
			set += ", resolution = ?, resolved_at = ?"
			args = append(args, s.Note, tx.NowMs())
		case complaints.ActReply:
			set += ", replied_at = ?"
			args = append(args, tx.NowMs())
			if c.sealed[1] != "" {
				phone, err := tx.openSealed(c.sealed[1], "")
				if err != nil {
					return err
				}
				if _, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Kind: "complaint_reply", HallID: hallID,
					Params: map[string]string{"number": c.Number, "text": s.Note}, DedupeKey: fmt.Sprintf("complaint-reply:%d", id)}); err != nil && !apperr.Is(err, apperr.Conflict) {
					return err
				}
			}
		case complaints.ActCallback:
			set += ", callback_outcome = ?, callback_at = ?"
			args = append(args, s.Outcome, tx.NowMs())
		}
		if _, err := tx.Exec("UPDATE complaints SET "+set+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		note := s.Note
		if s.Action == complaints.ActCallback {
			note = strings.TrimSpace(s.Outcome + " " + s.Note)
		}
		if s.Action == complaints.ActExtend {
			note = fmt.Sprintf("+%d: %s", s.Days, s.Note)
		}
		if err := addComplaintStep(tx, id, string(s.Action), from, to, note); err != nil {
			return err
		}
		return tx.Audit("complaint."+string(s.Action), "complaint:"+c.Number, fmt.Sprintf("%s→%s %s", c.State, next, to))
	})
	if err != nil {
		return Complaint{}, wrap("complaint step", err)
	}
	if s.Action == complaints.ActHandover && !v.Oversees {
		// The former owner no longer reads it.
		return Complaint{ID: id, HallID: hallID, Steps: []ComplaintStep{}}, nil
	}
	return db.Complaint(ctx, hallID, id, v, false)
}

// RemindComplaints flags the active complaints of a hall that went past
// their deadline and raises alerts to the duty leader for those near it
// (DutySettings.RemindDays working days) or overdue. It is idempotent.
func (db *DB) RemindComplaints(ctx context.Context, hallID int64) (int, error) {
	n := 0
	err := db.Write(ctx, func(tx *Tx) error {
		cal, today, st, err := complaintToday(tx, hallID)
		if err != nil {
			return err
		}
		rows, err := tx.Query("SELECT "+complaintCols+complaintFrom+" WHERE c.hall_id = ? AND c.state IN ('pending', 'open')", hallID)
		if err != nil {
			return err
		}
		var list []Complaint
		for rows.Next() {
			c, err := scanComplaint(rows)
			if err != nil {
				rows.Close()
				return err
			}
			list = append(list, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range list {
			flagged := c.Overdue
			c.Overdue = false
			if err := c.status(cal, today, st.RemindDays); err != nil {
				return err
			}
			due := c.Due
			if c.State == complaints.StatePending {
				due = c.AcceptDue
			}
			switch {
			case c.Overdue:
				if !flagged {
					if _, err := tx.Exec("UPDATE complaints SET overdue = 1, updated_at = ? WHERE id = ?", tx.NowMs(), c.ID); err != nil {
						return err
					}
					if err := tx.Audit("complaint.overdue", "complaint:"+c.Number, due); err != nil {
						return err
					}
					n++
				}
				if _, err := raiseDutyAlert(tx, hallID, DutyOverdue, fmt.Sprintf("complaint:%d:overdue:%s", c.ID, due), 0, c.Number, due); err != nil {
					return err
				}
			case c.Near:
				id, err := raiseDutyAlert(tx, hallID, DutyComplaint, fmt.Sprintf("complaint:%d:near:%s", c.ID, due), 0, c.Number, due)
				if err != nil {
					return err
				}
				if id != 0 {
					n++
				}
			}
		}
		return nil
	})
	return n, wrap("remind complaints", err)
}
