package store

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Carrying a group's state to the next group on PostgreSQL.
//
// On SQLite the group writer keeps what a committed group leaves (the
// waiting lists, zone counts, today's counts, the audit tail, the hall's
// lookups) for the next group while nothing else wrote (group.go). On
// PostgreSQL every group read them again: a dozen round trips per group,
// and with thousands waiting the waiting list itself (8 ms in PostgreSQL
// and as much again to decode, half of a call group's time).
//
// Whether anything else wrote is told here by transaction ids. Every
// transaction that changes a row is given an id, in increasing order,
// when it first writes; a group takes its own at its start
// (pg_current_xact_id). A group's state may be carried to the next one
// when, at the start of each:
//   - no other transaction was running (its snapshot's xmin equals its
//     xmax, which equals the group's own id: nothing written before it is
//     still to commit, and nobody took an id in between); and
//   - the next group's id is the previous group's plus one: no other
//     transaction of any instance or of this one (an ungrouped write,
//     a background job, another server) wrote anything in between.
//
// A transaction that writes during a group takes a later id and so fails
// the next group's test. Before its test, a group that carries state takes
// the locks that guard it (the halls' locks, the audit chain's lock when
// the tail is carried), so that no queue write of those halls and no audit
// append can slip in between its test and its use of the state: those wait
// for its commit, and a write before the locks were granted took an id.
// What no lock guards (a hall's windows, its settings and items, changed
// by a manager's ungrouped write) is as current as a group's own read at
// its start would be, as before. Anything the test cannot vouch for drops
// the state: a group redone with savepoints (their subtransactions take
// ids too), a commit that failed, a foreign id.
//
// The test is one statement, sent with BEGIN (group_pipeline.go), which
// takes the locks of what the group carries too; the group reads nothing
// else it carried. Several instances on one database write between each
// other's groups all the time: after failed tests in a row the writer
// waits longer and longer before it tests again, up to pgCarryRetry
// (carryPause), so that they pay the locks of halls a group may not need
// at most once a second.

// pgCarryRetry is the longest the group writer goes without the test
// after groups whose state could not be carried (carryPause).
const pgCarryRetry = time.Second

// carryPause is how long the writer goes without the test after n failed
// tests in a row: none after the first, as after a lone write of this
// instance (a token's last use, a manager's change) the next group can
// carry again, and every group in a pause reads the waiting list afresh
// (a second of that, at 12,000 waiting, was a sixth of a call loop's
// time); then 10 ms, doubling up to pgCarryRetry, for the writes of
// other instances that come between every two groups.
func carryPause(n int) time.Duration {
	if n <= 1 {
		return 0
	}
	return min(10*time.Millisecond<<min(n-2, 10), pgCarryRetry)
}

// maxCarriedHallsPG bounds the halls of a carried state: a group that
// carries takes all their locks, and a group of many halls (a province's
// instance) would hold halls it does not need.
const maxCarriedHallsPG = 8

type pgCarry struct {
	state *groupState
	xid   uint64    // the id of the group that left state
	retry time.Time // no test before then (after failed ones)
	fails int       // failed tests in a row
}

// failed records a failed test at now.
func (c *pgCarry) failed(now time.Time) {
	c.fails++
	c.retry = now.Add(carryPause(c.fails))
}

// resumePG starts a group on PostgreSQL: it begins the transaction on
// conn and, in the same round trip, takes the locks of what the group
// carries with its transaction id (group_pipeline.go). It returns the carried
// state (or an empty one), the group's id, and whether its state may be
// carried on (clean). With an error the transaction may be open and
// aborted: the caller rolls it back.
func (db *DB) resumePG(conn *sql.Conn, now time.Time) (gs groupState, xid uint64, clean bool, err error) {
	g := &db.group
	c := g.pg.state
	g.pg.state = nil
	if now.Before(g.pg.retry) {
		return groupState{}, 0, false, db.beginPG(conn, "", nil, nil)
	}
	var locked []int64
	if c != nil {
		locked = c.hallIDs()
	}
	locks, nLocks := lockCarried(len(locked))
	// One statement takes the locks and then the id. Its snapshot is
	// taken when it starts, before the locks are granted: a writer that
	// held one of them then took its id (it wrote) before the lock passed
	// to this group, after the snapshot, and so either is still running
	// in it (xmin < xmax) or took the id this group's test expects (xmax
	// below this group's id). PostgreSQL evaluates a select list in order
	// (the id is not taken before the locks are held).
	var own, xmin, xmax string
	q := "SELECT " + locks + `pg_current_xact_id()::text, pg_snapshot_xmin(pg_current_snapshot())::text,
		pg_snapshot_xmax(pg_current_snapshot())::text`
	if err := db.beginPG(conn, db.rebound(q), int64sAny(locked), skipThen(nLocks, &own, &xmin, &xmax)); err != nil {
		return groupState{}, 0, false, mapErr(err)
	}
	xid, err1 := strconv.ParseUint(own, 10, 64)
	lo, err2 := strconv.ParseUint(xmin, 10, 64)
	hi, err3 := strconv.ParseUint(xmax, 10, 64)
	clean = err1 == nil && err2 == nil && err3 == nil && lo == hi && hi == xid
	if clean && c != nil && xid == g.pg.xid+1 {
		gs = *c
		gs.halls = nil
		g.pg.fails = 0
	} else if c != nil {
		// Another transaction wrote since: the locks taken are held, the
		// state is read again, and after a few such no test for a while.
		g.pg.failed(now)
	}
	// The locks taken above are held either way.
	for _, h := range locked {
		putKey(&gs.halls, h, true)
	}
	gs.auditLocked = nLocks > 0
	return gs, xid, clean, nil
}

// keepPG records what a committed group leaves for the next one: the
// state when its test was clean, else nothing, and after a failed test no
// test for a while (xid 0: the group ran none).
func (g *groupWriter) keepPG(gs *groupState, xid uint64, clean bool, now time.Time) {
	if xid == 0 {
		// Not tested (within pgCarryRetry of a failed test).
		g.pg.state = nil
		return
	}
	if !clean || len(gs.queues)+len(gs.zones)+len(gs.issued) > maxCarried || len(gs.hallIDs()) > maxCarriedHallsPG {
		g.pg.state = nil
		g.pg.failed(now)
		return
	}
	gs.halls, gs.auditLocked = nil, false
	g.pg.state, g.pg.xid = gs, xid
}

// hallIDs are the halls that s holds anything of, in increasing order
// (the order their locks are taken in).
func (s *groupState) hallIDs() []int64 {
	ids := hallsOf(nil, s.zones, zoneDay.hallOf)
	ids = hallsOf(ids, s.queues, zoneDay.hallOf)
	ids = hallsOf(ids, s.counted, zoneDay.hallOf)
	ids = hallsOf(ids, s.issued, func(k itemDay) int64 { return k.hall })
	ids = hallsOf(ids, s.counters, func(k counterKey) int64 { return k.hall })
	ids = hallsOf(ids, s.ids, func(k idPool) int64 { return k.hall })
	ids = hallsOf(ids, s.wins, itself)
	ids = hallsOf(ids, s.issue, itself)
	ids = hallsOf(ids, s.rules, itself)
	for _, w := range s.windows {
		ids = append(ids, w.hall)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func hallsOf[K comparable, V any](ids []int64, m map[K]V, hall func(K) int64) []int64 {
	for k := range m {
		ids = append(ids, hall(k))
	}
	return ids
}

func (k zoneDay) hallOf() int64 { return k.hall }

func itself(id int64) int64 { return id }

// lockCarried is the head of a select list (with its comma, "" for no
// hall) that takes the audit chain's lock and then the locks of n halls
// (in the order of its arguments), as lockAudit and lockHall take them
// (the chain's first: locks.go), and the number of its columns.
func lockCarried(n int) (string, int) {
	if n == 0 {
		return "", 0
	}
	parts := []string{fmt.Sprintf("pg_advisory_xact_lock(%d)", lockAuditChain)}
	for range n {
		parts = append(parts, fmt.Sprintf("pg_advisory_xact_lock(%d, CAST(? AS INTEGER))", lockQueue))
	}
	return strings.Join(parts, ", ") + ", ", len(parts)
}

// skipThen are the scan targets of a select list that begins with n
// columns to skip (lockCarried's voids) and ends with dest.
func skipThen(n int, dest ...any) []any {
	out := make([]any, 0, n+len(dest))
	for range n {
		out = append(out, new(any))
	}
	return append(out, dest...)
}

func int64sAny(v []int64) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}
