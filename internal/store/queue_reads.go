package store

import (
	"time"

	"mingbai/internal/hall"
	"mingbai/internal/queue"
)

// The reads of a call, start and finish folded into as few statements as
// the answers allow. On PostgreSQL every statement of a grouped write is a
// round trip on the group's critical path (group.go); a call took eight
// (the window's session, its busy ticket, the hall, its settings, the
// ticket, the update, the expiry of a turn-near notice, the ticket again)
// and a start or finish five. Now each takes two, the session with the
// busy ticket (or the ticket with its window's session) and the update
// that returns the ticket it leaves, and a start after a call in the same
// or a carried group only the update (windowNow).

// sessionCols are a window session's columns, scanned into a
// sessionDest, each NULL when the window has no open session (a LEFT JOIN
// found none).
const sessionCols = `COALESCE(s.id, 0), COALESCE(s.hall_id, 0), COALESCE(s.window_id, 0), COALESCE(s.staff_id, 0), COALESCE(s.username, ''),
	COALESCE(s.state, ''), COALESCE(s.reason, ''), COALESCE(s.opened_at, 0), COALESCE(s.updated_at, 0), COALESCE(s.simulated, 0)`

// sessionDest are the scan targets of a window session's columns
// (sessionCols, activeSession); session turns them into the session (nil
// when there was none).
type sessionDest struct {
	s   WindowSession
	sim int
}

func (d *sessionDest) targets() []any {
	s := &d.s
	return []any{&s.ID, &s.HallID, &s.WindowID, &s.StaffID, &s.Username, &s.State, &s.Reason, &s.OpenedAt, &s.UpdatedAt, &d.sim}
}

func (d *sessionDest) session() *WindowSession {
	if d.s.ID == 0 {
		return nil
	}
	s := d.s
	s.Simulated = d.sim != 0
	return &s
}

// sessionAndBusy returns a window's open session (nil when nobody is
// signed in) and the number of a ticket at the window ("" when none), in
// one statement.
func sessionAndBusy(tx *Tx, windowID int64) (*WindowSession, string, error) {
	var d sessionDest
	var busy string
	err := tx.QueryRow(`SELECT `+sessionCols+`,
		COALESCE((SELECT number FROM tickets WHERE window_id = ? AND state IN (`+stateList(queue.State.AtWindow)+`) LIMIT 1), '')
		FROM (SELECT 1 AS one) o LEFT JOIN window_sessions s ON s.window_id = ? AND s.state <> 'closed'`, windowID, windowID).
		Scan(append(d.targets(), &busy)...)
	if err != nil {
		return nil, "", err
	}
	return d.session(), busy, nil
}

// ticketWithSession returns a ticket and the open session of the window it
// is at (nil when it is at none or nobody is signed in there).
func ticketWithSession(tx *Tx, id int64) (Ticket, *WindowSession, error) {
	var d sessionDest
	var t Ticket
	row := tx.QueryRow("SELECT "+ticketCols+", "+sessionCols+ticketFrom+
		"LEFT JOIN window_sessions s ON s.window_id = t.window_id AND s.state <> 'closed' WHERE t.id = ?", id)
	err := row.Scan(append(ticketTargets(&t), d.targets()...)...)
	if err != nil {
		return t, nil, notFound(err, "ticket")
	}
	return t, d.session(), nil
}

// ticketReturning are a ticket's columns in an UPDATE's RETURNING clause:
// ticketCols without the window's number, which the caller knows.
const ticketReturning = ` RETURNING id, hall_id, day, number, prefix, seq, item_code, zone, priority, channel, phone, state,
	issued_at, created_at, called_at, started_at, finished_at, COALESCE(window_id, 0), '',
	COALESCE(target_window_id, 0), COALESCE(staff_id, 0), recalls, priority_bypassed, eta_ms, track_token`

// updateTicket runs an UPDATE of ticket id (q ends in its WHERE clause,
// which names that id and no other row) and returns the ticket it leaves,
// with windowNumber as the number of the window it is then at (ignored
// when it is at none). ErrNoRows when the WHERE clause matched nothing.
func updateTicket(tx *Tx, id int64, windowNumber, q string, args ...any) (Ticket, error) {
	var t Ticket
	tx.onTicket = id
	err := tx.QueryRow(q+ticketReturning, args...).Scan(ticketTargets(&t)...)
	tx.onTicket = 0
	if err != nil {
		return t, err
	}
	if t.WindowID != 0 {
		t.WindowNumber = windowNumber
	}
	return t, nil
}

// windowNow is what a group knows of a window (groupState.windows): its
// open session (nil: nobody signed in) and the ticket at it. A call
// learns both (sessionAndBusy) and leaves its ticket there; a start finds
// the ticket there without reading it. Sessions change only by ungrouped
// writes, which end the carried state (group.go, group_carry_pg.go); any
// action but a call or a start on a window's ticket forgets the window,
// so that the next call reads it again.
type windowNow struct {
	hall int64
	sess *WindowSession
	busy string  // the number of the ticket at the window ("" none)
	t    *Ticket // that ticket as its last update returned it (nil: only its number is known)
	// sole: t is the only ticket at the window (a call found none there
	// before it), so that its finish leaves the window free.
	sole bool
}

func (g *groupState) window(id int64) (windowNow, bool) {
	if g == nil {
		return windowNow{}, false
	}
	w, ok := g.windows[id]
	return w, ok
}

func (g *groupState) noteWindow(id int64, w windowNow) {
	if g != nil {
		putKey(&g.windows, id, w)
	}
}

func (g *groupState) forgetWindow(id int64) {
	if g != nil {
		delete(g.windows, id)
	}
}

// ticketAtWindow returns the ticket with this id where the group left it
// at a window, with that window's session and whether it is the only
// ticket there (windowNow.sole).
func (g *groupState) ticketAtWindow(id int64) (t Ticket, sess *WindowSession, sole, ok bool) {
	if g == nil {
		return Ticket{}, nil, false, false
	}
	for _, w := range g.windows {
		if w.t != nil && w.t.ID == id {
			return *w.t, w.sess, w.sole, true
		}
	}
	return Ticket{}, nil, false, false
}

// hallRules are a hall and its queue settings, which no grouped operation
// changes: read once per group (groupState.rules) by its calls and issues.
type hallRules struct {
	hall hall.Hall
	loc  *time.Location
	st   QueueSettings
}

func hallRulesOf(tx *Tx, hallID int64) (*hallRules, error) {
	g := tx.grp
	if g != nil && g.rules[hallID] != nil {
		return g.rules[hallID], nil
	}
	h, loc, err := hallInTx(tx, hallID)
	if err != nil {
		return nil, err
	}
	st, err := queueSettings(tx, hallID)
	if err != nil {
		return nil, err
	}
	r := &hallRules{hall: h, loc: loc, st: st}
	if g != nil {
		putKey(&g.rules, hallID, r)
	}
	return r, nil
}
