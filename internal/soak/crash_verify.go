package soak

import (
	"context"
	"fmt"
	"strings"

	"mingbai/internal/store"
)

// publicKinds are the kinds of event the public hall stream passes on.
var publicKinds = "'" + strings.Join([]string{store.EventTicketIssued, store.EventTicketCalled, store.EventTicketRecalled, store.EventTicketUpdated, store.EventWindowState}, "','") + "'"

// verify checks the database against the journal, the audit chain and the
// event log against what the screen received.
func (in *Instance) verify(ctx context.Context, j *journal, res *CrashResult, screens ...*Screen) error {
	db, err := in.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	type row struct {
		day, prefix, number, state string
		seq                        int
	}
	tickets := map[int64]row{}
	var caseStates, complaintStates map[int64]string
	var events []int64
	var eventGap bool
	err = db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query("SELECT id, day, prefix, seq, number, state FROM tickets WHERE hall_id = ?", in.HallID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var r row
			if err := rows.Scan(&id, &r.day, &r.prefix, &r.seq, &r.number, &r.state); err != nil {
				rows.Close()
				return err
			}
			tickets[id] = r
		}
		rows.Close()
		if caseStates, err = states(tx, "cases", in.HallID); err != nil {
			return err
		}
		if complaintStates, err = states(tx, "complaints", in.HallID); err != nil {
			return err
		}
		if rows, err = tx.Query("SELECT id FROM events WHERE hall_id = ? AND id > ? AND kind IN ("+publicKinds+") ORDER BY id", in.HallID, in.EventBase); err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			events = append(events, id)
		}
		rows.Close()
		if db.Dialect == store.SQLite {
			// One writer, no sequence cache: the ids of the whole log
			// run without a hole.
			var n, lo, hi int64
			if err := tx.QueryRow("SELECT count(*), COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM events").Scan(&n, &lo, &hi); err != nil {
				return err
			}
			eventGap = n > 0 && hi-lo+1 != n
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	res.Acknowledged, res.Unacknowledged, res.Status5xx = j.ack, j.unack, j.s5xx
	res.UnackCommitted = j.committed
	res.Tickets, res.Cases = len(tickets), len(caseStates)
	// Every acknowledged ticket is there, in the state last acknowledged.
	for id, jt := range j.tickets {
		r, ok := tickets[id]
		switch {
		case !ok:
			res.Lost++
			j.prob.add("ticket %d (%s) acknowledged, not in the database", id, jt.Number)
		case r.state != jt.State:
			res.Lost++
			j.prob.add("ticket %d (%s) acknowledged %s, database has %s", id, jt.Number, jt.State, r.state)
		}
	}
	// Numbers: none twice, none skipped.
	type key struct{ day, prefix string }
	seqs := map[key]map[int]int{}
	unknown := 0
	for id, r := range tickets {
		k := key{r.day, r.prefix}
		if seqs[k] == nil {
			seqs[k] = map[int]int{}
		}
		seqs[k][r.seq]++
		if jt := j.tickets[id]; jt == nil || !jt.IssueAcked {
			unknown++ // committed, never acknowledged
		}
	}
	for k, m := range seqs {
		max := 0
		for s, n := range m {
			if n > 1 {
				res.Duplicates += n - 1
				j.prob.add("number %s%d issued %d times on %s", k.prefix, s, n, k.day)
			}
			if s > max {
				max = s
			}
		}
		for s := 1; s <= max; s++ {
			if m[s] == 0 {
				res.Skipped++
				j.prob.add("number %s%d skipped on %s", k.prefix, s, k.day)
			}
		}
	}
	res.UnackCommitted += unknown
	if unknown > j.unkeyed {
		res.Phantoms = unknown - j.unkeyed
		j.prob.add("%d tickets nobody was told about, only %d issues went unanswered", unknown, j.unkeyed)
	}
	for id, st := range j.cases {
		if got, ok := caseStates[id]; !ok || got != st {
			res.Lost++
			j.prob.add("case %d acknowledged %s, database has %q", id, st, got)
		}
	}
	// Complaints: each acknowledged one in its state; none the soak was not
	// told about (every unanswered create was settled with its key, so a
	// second complaint for one key would be a duplicate).
	for id, st := range j.complaints {
		if got, ok := complaintStates[id]; !ok || got != st {
			res.Lost++
			j.prob.add("complaint %d acknowledged %s, database has %q", id, st, got)
		}
	}
	for id := range complaintStates {
		if _, ok := j.complaints[id]; !ok {
			res.Duplicates++
			j.prob.add("complaint %d in the database, never acknowledged (every create was settled with its key)", id)
		}
	}
	res.Complaints = len(complaintStates)
	// The screens saw every public event and every acknowledged call.
	res.Events = len(events)
	for i, screen := range screens {
		missed, missedCalls := 0, 0
		for _, id := range events {
			if !screen.Got(id) {
				missed++
			}
		}
		for dn := range j.calls {
			if !screen.Called(dn[strings.IndexByte(dn, '/')+1:]) {
				missedCalls++
			}
		}
		if missed > 0 || missedCalls > 0 {
			j.prob.add("screen %d missed %d of %d events and %d of %d acknowledged calls", i+1, missed, len(events), missedCalls, len(j.calls))
		}
		if _, _, resyncs := screen.Stats(); resyncs > 0 {
			j.prob.add("screen %d got %d resync notices (gaps the server could not replay)", i+1, resyncs)
		}
		res.Missed += missed
		res.MissedCalls += missedCalls
	}
	if eventGap {
		j.prob.add("the SQLite event log has a hole in its ids")
	}
	out, err := in.Command(ctx, "audit", "verify")
	if err != nil {
		j.prob.add("audit verify: %v: %s", err, strings.TrimSpace(out))
	} else {
		fmt.Sscanf(out[strings.Index(out, ":")+1:], "%d", &res.AuditRecords)
	}
	res.Problems = append(res.Problems, j.prob.list...)
	return nil
}

// states reads the state of every row of a table of the hall.
func states(tx *store.Tx, table string, hallID int64) (map[int64]string, error) {
	rows, err := tx.Query("SELECT id, state FROM "+table+" WHERE hall_id = ?", hallID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, rows.Err()
}

// newestPublicEvent is the id of the hall's newest public event.
func (in *Instance) newestPublicEvent(ctx context.Context) (int64, error) {
	db, err := in.open(ctx)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var id int64
	err = db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT COALESCE(MAX(id), 0) FROM events WHERE hall_id = ? AND kind IN ("+publicKinds+")", in.HallID).Scan(&id)
	})
	return id, err
}
