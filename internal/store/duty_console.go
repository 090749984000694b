package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/duty"
)

// DutyLog is one entry of the duty console.
type DutyLog struct {
	ID       int64           `json:"id"`
	ShiftID  int64           `json:"shift_id"`
	Kind     string          `json:"kind"`
	Zone     string          `json:"zone,omitempty"`
	Item     string          `json:"item,omitempty"`
	Topic    string          `json:"topic,omitempty"`
	Outcome  string          `json:"outcome,omitempty"`
	WindowID int64           `json:"window_id,omitempty"`
	Window   string          `json:"window,omitempty"`
	Aspects  map[string]bool `json:"aspects,omitempty"`
	Items    map[string]bool `json:"items,omitempty"`
	Finding  string          `json:"finding,omitempty"`
	Handling string          `json:"handling,omitempty"`
	At       int64           `json:"at"`
	// ByID is the leader who made the entry.
	ByID int64 `json:"by_id"`
}

// DutyLogInput is an entry a leader on shift sends; IdemKey makes a
// retried tap count once.
type DutyLogInput struct {
	Kind     string          `json:"kind"`
	Zone     string          `json:"zone,omitempty"`
	Item     string          `json:"item,omitempty"`
	Topic    string          `json:"topic,omitempty"`
	Outcome  string          `json:"outcome,omitempty"`
	WindowID int64           `json:"window_id,omitempty"`
	Aspects  map[string]bool `json:"aspects,omitempty"`
	Items    map[string]bool `json:"items,omitempty"`
	Finding  string          `json:"finding,omitempty"`
	Handling string          `json:"handling,omitempty"`
	IdemKey  string          `json:"idempotency_key,omitempty"`
}

// Handover is the note the previous leader left when closing a shift.
type Handover struct {
	ShiftID int64  `json:"shift_id"`
	Day     string `json:"day"`
	Post    string `json:"post"`
	From    string `json:"from"`
	At      int64  `json:"at"`
	Note    string `json:"note"`
}

// DutyLive is the live view of the hall on the duty console.
type DutyLive struct {
	Zones            []ZoneWaiting `json:"zones"`
	LongestWaitMs    int64         `json:"longest_wait_ms"`
	WindowsOpen      int           `json:"windows_open"`
	WindowsScheduled int           `json:"windows_scheduled"`
	OpenAlerts       int           `json:"open_alerts"`
}

// DutyConsole is what the duty console shows a leader.
type DutyConsole struct {
	// Shift is the leader's shift now: the one checked in, else the next
	// one today not yet closed (nil: none today).
	Shift     *Shift               `json:"shift"`
	Today     []Shift              `json:"today"`
	Handover  *Handover            `json:"handover"`
	Counts    map[string]int       `json:"counts"`
	Guided    map[string]int       `json:"guided_by_zone"`
	Recent    []DutyLog            `json:"recent"`
	Checklist []duty.ChecklistItem `json:"checklist"`
	Live      DutyLive             `json:"live"`
}

// DutyChecklist returns a hall's spot-check checklist (the default until a
// manager saves one).
func (db *DB) DutyChecklist(ctx context.Context, hallID int64) ([]duty.ChecklistItem, error) {
	var out []duty.ChecklistItem
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = checklistTx(tx, hallID)
		return err
	})
	return out, wrap("duty checklist", err)
}

func checklistTx(tx *Tx, hallID int64) ([]duty.ChecklistItem, error) {
	var raw string
	err := tx.QueryRow("SELECT items FROM duty_checklists WHERE hall_id = ?", hallID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return append([]duty.ChecklistItem{}, duty.DefaultChecklist...), nil
	}
	if err != nil {
		return nil, err
	}
	var out []duty.ChecklistItem
	return out, json.Unmarshal([]byte(raw), &out)
}

// SaveDutyChecklist replaces a hall's checklist.
func (db *DB) SaveDutyChecklist(ctx context.Context, hallID int64, items []duty.ChecklistItem) ([]duty.ChecklistItem, error) {
	items, err := duty.CheckChecklist(items)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	err = db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("DELETE FROM duty_checklists WHERE hall_id = ?", hallID); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO duty_checklists (hall_id, items, updated_at) VALUES (?, ?, ?)", hallID, string(b), tx.NowMs()); err != nil {
			return err
		}
		return tx.Audit("duty.checklist.save", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("items=%d", len(items)))
	})
	return items, wrap("save checklist", err)
}

// leaderShiftsToday are the shifts of today in which the user is leader or
// deputy, by start time.
func leaderShiftsToday(tx *Tx, hallID, user int64) ([]Shift, string, error) {
	_, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return nil, "", err
	}
	today := dayOf(tx.Now, loc)
	out, err := queryShifts(tx, "WHERE s.hall_id = ? AND s.day = ? AND (s.leader_id = ? OR s.deputy_id = ?) ORDER BY s.start_hm", hallID, today, user, user)
	return out, today, err
}

// currentShift is the leader's shift now (see DutyConsole.Shift).
func currentShift(shifts []Shift) *Shift {
	for i := range shifts {
		if duty.OnShift(shifts[i].CheckedInAt, shifts[i].CheckedOutAt) {
			return &shifts[i]
		}
	}
	for i := range shifts {
		if shifts[i].CheckedOutAt == 0 && shifts[i].State == string(duty.Published) {
			return &shifts[i]
		}
	}
	return nil
}

// DutyConsoleOf returns the console of a duty leader (user) in a hall.
func (db *DB) DutyConsoleOf(ctx context.Context, hallID, user int64) (DutyConsole, error) {
	c := DutyConsole{Counts: map[string]int{}, Guided: map[string]int{}, Recent: []DutyLog{}}
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if c.Today, _, err = leaderShiftsToday(tx, hallID, user); err != nil {
			return err
		}
		c.Shift = currentShift(c.Today)
		if c.Handover, err = lastHandover(tx, hallID, c.Shift); err != nil {
			return err
		}
		if c.Shift != nil {
			rows, err := tx.Query("SELECT kind, zone, COUNT(*) FROM duty_logs WHERE shift_id = ? GROUP BY kind, zone", c.Shift.ID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k, z string
				var n int
				if err := rows.Scan(&k, &z, &n); err != nil {
					rows.Close()
					return err
				}
				c.Counts[k] += n
				if k == string(duty.LogGuide) {
					c.Guided[z] += n
				}
			}
			rows.Close()
			if c.Recent, err = dutyLogs(tx, "WHERE l.shift_id = ? ORDER BY l.id DESC LIMIT 20", c.Shift.ID); err != nil {
				return err
			}
		}
		if c.Checklist, err = checklistTx(tx, hallID); err != nil {
			return err
		}
		c.Live, err = dutyLiveTx(tx, hallID)
		return err
	})
	return c, wrap("duty console", err)
}

// lastHandover is the latest handover note of the hall written before the
// shift (of the same post when there is one; else the latest of all).
func lastHandover(tx *Tx, hallID int64, s *Shift) (*Handover, error) {
	q := "SELECT s.id, s.day, s.post, COALESCE(u.display_name, ''), s.checked_out_at, s.handover FROM duty_shifts s LEFT JOIN users u ON u.id = COALESCE(s.checked_in_by, s.leader_id) WHERE s.hall_id = ? AND s.checked_out_at > 0"
	args := []any{hallID}
	if s != nil {
		q += " AND s.id <> ? AND s.post = ?"
		args = append(args, s.ID, s.Post)
	}
	var h Handover
	err := tx.QueryRow(q+" ORDER BY s.checked_out_at DESC LIMIT 1", args...).Scan(&h.ShiftID, &h.Day, &h.Post, &h.From, &h.At, &h.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &h, nil
}

func dutyLiveTx(tx *Tx, hallID int64) (DutyLive, error) {
	l := DutyLive{Zones: []ZoneWaiting{}}
	_, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return l, err
	}
	day := dayOf(tx.Now, loc)
	counts, err := zoneCounts(tx, hallID, day)
	if err != nil {
		return l, err
	}
	rows, err := tx.Query("SELECT code, name, prefix FROM zones WHERE hall_id = ? ORDER BY sort, id", hallID)
	if err != nil {
		return l, err
	}
	for rows.Next() {
		var z ZoneWaiting
		if err := rows.Scan(&z.Code, &z.Name, &z.Prefix); err != nil {
			rows.Close()
			return l, err
		}
		z.Waiting = counts[z.Code]
		l.Zones = append(l.Zones, z)
	}
	rows.Close()
	var oldest sql.NullInt64
	if err := tx.QueryRow("SELECT MIN(issued_at) FROM tickets WHERE hall_id = ? AND day = ? AND state = 'waiting'", hallID, day).Scan(&oldest); err != nil {
		return l, err
	}
	if oldest.Valid && oldest.Int64 > 0 {
		l.LongestWaitMs = max(0, tx.NowMs()-oldest.Int64)
	}
	if err := tx.QueryRow("SELECT COUNT(*) FROM window_sessions WHERE hall_id = ? AND state <> 'closed'", hallID).Scan(&l.WindowsOpen); err != nil {
		return l, err
	}
	if err := tx.QueryRow("SELECT COUNT(*) FROM windows WHERE hall_id = ? AND staff_id IS NOT NULL", hallID).Scan(&l.WindowsScheduled); err != nil {
		return l, err
	}
	// The open alerts to the duty leader, as /halls/{hall}/duty/alerts lists them.
	err = tx.QueryRow("SELECT COUNT(*) FROM duty_alerts WHERE hall_id = ? AND state <> 'closed'", hallID).Scan(&l.OpenAlerts)
	return l, err
}

func dutyLogs(tx *Tx, where string, args ...any) ([]DutyLog, error) {
	rows, err := tx.Query(`SELECT l.id, l.shift_id, l.kind, l.zone, l.item, l.topic, l.outcome, COALESCE(l.window_id, 0), COALESCE(w.number, ''),
		l.checks, l.finding, l.handling, l.at, l.by_id FROM duty_logs l LEFT JOIN windows w ON w.id = l.window_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DutyLog{}
	for rows.Next() {
		var d DutyLog
		var checks string
		if err := rows.Scan(&d.ID, &d.ShiftID, &d.Kind, &d.Zone, &d.Item, &d.Topic, &d.Outcome, &d.WindowID, &d.Window,
			&checks, &d.Finding, &d.Handling, &d.At, &d.ByID); err != nil {
			return nil, err
		}
		if checks != "" {
			var c struct {
				Aspects map[string]bool `json:"aspects"`
				Items   map[string]bool `json:"items"`
			}
			if err := json.Unmarshal([]byte(checks), &c); err != nil {
				return nil, err
			}
			d.Aspects, d.Items = c.Aspects, c.Items
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// AddDutyLog records a console entry in the shift the leader is checked
// in to. A retry with the same idempotency key returns the first entry.
func (db *DB) AddDutyLog(ctx context.Context, hallID, user int64, in DutyLogInput) (DutyLog, error) {
	var out DutyLog
	e := duty.Entry{Kind: duty.LogKind(in.Kind), Zone: in.Zone, Item: strings.TrimSpace(in.Item), Topic: in.Topic, Outcome: duty.Outcome(in.Outcome),
		WindowID: in.WindowID, Items: in.Items, Finding: in.Finding, Handling: duty.Handling(in.Handling)}
	if !e.Kind.Valid() {
		return out, apperr.InvalidField("kind", "duty.err.kind", in.Kind)
	}
	if in.Kind == string(duty.LogCheck) {
		e.Aspects = map[duty.Aspect]bool{}
		for k, v := range in.Aspects {
			e.Aspects[duty.Aspect(k)] = v
		}
	}
	in.IdemKey = strings.TrimSpace(in.IdemKey)
	err := db.Write(ctx, func(tx *Tx) error {
		if in.IdemKey != "" {
			logs, err := dutyLogs(tx, "WHERE l.hall_id = ? AND l.idem_key = ?", hallID, in.IdemKey)
			if err != nil {
				return err
			}
			if len(logs) > 0 {
				out = logs[0]
				return nil
			}
		}
		shifts, _, err := leaderShiftsToday(tx, hallID, user)
		if err != nil {
			return err
		}
		s := currentShift(shifts)
		if s == nil || !duty.OnShift(s.CheckedInAt, s.CheckedOutAt) {
			return apperr.New(apperr.Conflict, "duty.err.not_on_shift")
		}
		var f duty.EntryFacts
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM zones WHERE hall_id = ? AND code = ?", hallID, e.Zone).Scan(&n); err != nil {
			return err
		}
		f.ZoneOK = n > 0
		if e.Item != "" {
			if err := tx.QueryRow("SELECT COUNT(*) FROM catalog_items WHERE code = ?", e.Item).Scan(&n); err != nil {
				return err
			}
			f.ItemOK = n > 0
		}
		if err := tx.QueryRow("SELECT COUNT(*) FROM windows WHERE hall_id = ? AND id = ?", hallID, e.WindowID).Scan(&n); err != nil {
			return err
		}
		f.WindowOK = n > 0
		if f.Checklist, err = checklistTx(tx, hallID); err != nil {
			return err
		}
		if e, err = duty.CheckEntry(e, f); err != nil {
			return err
		}
		checks := ""
		if e.Kind == duty.LogCheck {
			b, err := json.Marshal(map[string]any{"aspects": e.Aspects, "items": e.Items})
			if err != nil {
				return err
			}
			checks = string(b)
		}
		var idem any
		if in.IdemKey != "" {
			idem = in.IdemKey
		}
		id, err := tx.InsertID(`INSERT INTO duty_logs (hall_id, shift_id, kind, by_id, zone, item, topic, outcome, window_id, checks, finding, handling, idem_key, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, hallID, s.ID, e.Kind, user, e.Zone, e.Item, e.Topic, string(e.Outcome), nullInt(e.WindowID),
			checks, e.Finding, string(e.Handling), idem, tx.NowMs())
		if err != nil {
			return err
		}
		if err := tx.Audit("duty.log."+string(e.Kind), fmt.Sprintf("duty_log:%d", id), fmt.Sprintf("shift=%d zone=%s item=%s window=%d", s.ID, e.Zone, e.Item, e.WindowID)); err != nil {
			return err
		}
		logs, err := dutyLogs(tx, "WHERE l.id = ?", id)
		if err != nil {
			return err
		}
		out = logs[0]
		return nil
	})
	return out, wrap("add duty log", err)
}

// CheckInShift starts a leader's shift of today.
func (db *DB) CheckInShift(ctx context.Context, hallID, id, user int64) (Shift, error) {
	var out Shift
	err := db.Write(ctx, func(tx *Tx) error {
		s, err := shiftTx(tx, hallID, id)
		if err != nil {
			return err
		}
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		theirs := s.LeaderID == user || (s.DeputyID != 0 && s.DeputyID == user)
		if err := duty.CheckIn(s.State == string(duty.Published), s.Day == dayOf(tx.Now, loc), theirs, s.CheckedInAt); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE duty_shifts SET checked_in_at = ?, checked_in_by = ? WHERE id = ? AND checked_in_at = 0", tx.NowMs(), user, id); err != nil {
			return err
		}
		if err := tx.Audit("duty.shift.check_in", fmt.Sprintf("shift:%d", id), fmt.Sprintf("by=%d", user)); err != nil {
			return err
		}
		out, err = shiftTx(tx, hallID, id)
		return err
	})
	return out, wrap("check in", err)
}

// CheckOutShift closes a checked-in shift; the handover note is required
// and is what the next leader sees.
func (db *DB) CheckOutShift(ctx context.Context, hallID, id, user int64, note string) (Shift, error) {
	var out Shift
	err := db.Write(ctx, func(tx *Tx) error {
		s, err := shiftTx(tx, hallID, id)
		if err != nil {
			return err
		}
		theirs := s.LeaderID == user || (s.DeputyID != 0 && s.DeputyID == user)
		note, err := duty.CheckOut(theirs, s.CheckedInAt, s.CheckedOutAt, note)
		if err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE duty_shifts SET checked_out_at = ?, handover = ? WHERE id = ? AND checked_out_at = 0", tx.NowMs(), note, id); err != nil {
			return err
		}
		if err := tx.Audit("duty.shift.check_out", fmt.Sprintf("shift:%d", id), fmt.Sprintf("by=%d handover=%d chars", user, len([]rune(note)))); err != nil {
			return err
		}
		out, err = shiftTx(tx, hallID, id)
		return err
	})
	return out, wrap("check out", err)
}
