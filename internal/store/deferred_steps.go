package store

import "mingbai/internal/apperr"

// Deferred steps of tickets (PostgreSQL, grouped writes).
//
// A call, a start and a finish decide under the hall's lock from what the
// group knows of the ticket (the waiting list, windowNow) and write only
// what they decided: its state, times, window, staff and recalls. Each
// sent on its own was a round trip on the group writer's path, and with
// the group's test, its NOTIFY and its commit they were most of a call
// group's round trips. stepLater keeps the row instead, and the group's
// steps go with its next statement that does not touch them (deferred.go)
// as one UPDATE … FROM unnest(arrays).

// ticketStep is what a step leaves of a ticket's row, and the state it
// was in before (from).
type ticketStep struct {
	id                             int64
	from, state                    string
	called, started, finished      int64
	window, staff, target, recalls int64
}

// ticketStepUpdate writes the deferred steps of a group, one row each. A
// ticket not in the state its step comes from (a change by a writer that
// bypassed the hall's lock) fails the statement, and so the group, which
// is then redone from fresh reads (group.go), rather than overwrite that
// change: mingbai_step_stale raises the error (migration 00025).
const ticketStepUpdate = `UPDATE tickets AS t SET state = u.state, called_at = u.called_at, started_at = u.started_at,
	finished_at = u.finished_at, window_id = NULLIF(u.window_id, 0), staff_id = NULLIF(u.staff_id, 0),
	target_window_id = NULLIF(u.target_window_id, 0), recalls = u.recalls
	FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
	AS u(id, from_state, state, called_at, started_at, finished_at, window_id, staff_id, target_window_id, recalls)
	WHERE t.id = u.id AND CASE WHEN t.state = u.from_state THEN true ELSE mingbai_step_stale(t.id, u.from_state, t.state) END`

// stepLater writes what a step leaves of tk's row, from state from: now,
// or (PostgreSQL, grouped) with the transaction's next statement that
// does not touch the ticket. A later step of a ticket replaces an earlier
// one and keeps its from state, as PostgreSQL does not say which of two
// changes of one row in one statement wins (and a call, start and finish
// of one ticket often share a group). At once, a ticket no longer in
// state from is a conflict and changes nothing.
func (t *Tx) stepLater(tk *Ticket, from string) error {
	if t.later == nil {
		res, err := t.Exec(`UPDATE tickets SET state = ?, called_at = ?, started_at = ?, finished_at = ?, window_id = ?,
			staff_id = ?, target_window_id = ?, recalls = ? WHERE id = ? AND state = ?`, tk.State, tk.CalledAt, tk.StartedAt,
			tk.FinishedAt, nullInt(tk.WindowID), nullInt(tk.StaffID), nullInt(tk.TargetWindowID), tk.Recalls, tk.ID, from)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.New(apperr.Conflict, "err.conflict", tk.Number)
		}
		return nil
	}
	if t.later.inserts("tickets", tk.ID) {
		// An UPDATE does not see a row that its own statement inserts:
		// the ticket's insert (issued and called in one group) goes first.
		if err := t.flushLater(); err != nil {
			return err
		}
	}
	t.dirty = true
	step := ticketStep{tk.ID, from, tk.State, tk.CalledAt, tk.StartedAt, tk.FinishedAt,
		tk.WindowID, tk.StaffID, tk.TargetWindowID, int64(tk.Recalls)}
	l := t.later
	for i := range l.steps {
		if l.steps[i].id == tk.ID {
			step.from = l.steps[i].from
			l.steps[i] = step
			return nil
		}
	}
	l.steps = append(l.steps, step)
	return nil
}

// inserts reports whether a deferred insert into table is of the row
// with this id (its first column).
func (l *deferred) inserts(table string, id int64) bool {
	for _, bi := range l.tables {
		if bi.table != table {
			continue
		}
		for _, r := range l.rows[bi] {
			if v, ok := r[0].(int64); ok && v == id {
				return true
			}
		}
	}
	return false
}

// stepped reports whether a step of ticket id is deferred.
func (l *deferred) stepped(id int64) bool {
	for i := range l.steps {
		if l.steps[i].id == id {
			return true
		}
	}
	return false
}

// stepColumns are the deferred steps as the arrays of ticketStepUpdate.
func (l *deferred) stepColumns() []any {
	n := len(l.steps)
	ids, called, started, finished := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	window, staff, target, recalls := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	from, states := make([]string, n), make([]string, n)
	for i, s := range l.steps {
		ids[i], from[i], states[i] = s.id, s.from, s.state
		called[i], started[i], finished[i] = s.called, s.started, s.finished
		window[i], staff[i], target[i], recalls[i] = s.window, s.staff, s.target, s.recalls
	}
	return []any{ids, from, states, called, started, finished, window, staff, target, recalls}
}
