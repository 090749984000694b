package store

import (
	"maps"

	"mingbai/internal/hall"
)

// groupState is what the operations of one grouped write transaction
// (WriteGrouped) can carry from one to the next instead of reading it
// again: they run one after the other inside the same transaction, so
// nothing else writes in between (on SQLite the single writer; on
// PostgreSQL the hall's lock and the audit lock that the group takes once
// and holds until its commit). Each value is the state after the
// operations that succeeded so far; an operation that fails is rolled back
// to its savepoint and its changes here are restored with it.
type groupState struct {
	// zones holds the per-zone waiting counts of a hall's day.
	zones map[zoneDay]map[string]int
	// queues holds the waiting list of a hall's day (callQueue), kept as
	// the calls and issues of the group change it.
	queues map[zoneDay]*waitingList
	// wins holds a hall's windows with their items: only ungrouped writes
	// change them.
	wins map[int64][]hall.Window
	// auditSeq and auditHash are the audit chain's tail, when known.
	auditSeq  int64
	auditHash string
	auditOK   bool
	// auditLocked: the transaction holds the audit chain's lock (locks.go).
	auditLocked bool
	// halls are the halls whose lock (lockHall) the transaction holds.
	halls map[int64]bool
	// issued counts today's tickets per hall, day and item (queue_issue.go).
	issued map[itemDay]int
	// counted are the hall days whose every item is in issued (one read
	// of all of them near a cap): an item missing there has none.
	counted map[zoneDay]bool
	// issue holds what the issues of a hall read that the group does not
	// change (the hall, its settings, zones, offered items, caps): shared
	// by the clones, as a rolled back operation leaves it true.
	issue map[int64]*issueLookups
	// rules holds a hall and its queue settings (hallRulesOf), shared by
	// the clones as issue is.
	rules map[int64]*hallRules
	// counters are the last numbers taken in this transaction (nextSeq;
	// PostgreSQL).
	counters map[counterKey]int
	// ids are ids taken for a hall's next rows (takeID; PostgreSQL).
	ids map[idPool][]int64
	// windows holds what the group's calls, starts and finishes learnt of
	// a window: its open session and the ticket at it (queue_reads.go).
	windows map[int64]windowNow
}

type itemDay struct {
	hall      int64
	day, item string
}

type zoneDay struct {
	hall int64
	day  string
}

// clone is the state to restore when the next operation fails. The
// waiting lists are not copied (thousands of tickets per operation): the
// restored state has none, and the next call reads them again.
func (g *groupState) clone() groupState {
	c := *g
	c.halls = maps.Clone(g.halls)
	c.issued = maps.Clone(g.issued)
	c.counted = maps.Clone(g.counted)
	c.counters = maps.Clone(g.counters)
	c.ids = maps.Clone(g.ids)
	c.windows = maps.Clone(g.windows)
	c.zones = make(map[zoneDay]map[string]int, len(g.zones))
	for k, v := range g.zones {
		c.zones[k] = maps.Clone(v)
	}
	c.queues = nil
	return c
}

// forgetWaiting drops what the group carries about the waiting tickets
// (after an operation that changed them without saying how).
func (g *groupState) forgetWaiting() {
	g.zones, g.queues, g.windows = nil, nil, nil
}

// putKey sets m[k] to v, making the map first when it has none yet (the
// maps of a groupState start nil and most groups fill few of them).
func putKey[K comparable, V any](m *map[K]V, k K, v V) {
	if *m == nil {
		*m = map[K]V{}
	}
	(*m)[k] = v
}

// Changes to a zone's waiting count that an operation reports to
// waitingCounts.
const (
	waitingSame    = 0  // the waiting tickets did not change (start, finish)
	waitingAdded   = 1  // t joined them (issue)
	waitingRemoved = -1 // t left them (call)
	waitingFresh   = 2  // they changed otherwise: read them again
)

// waitingCounts returns the waiting counts of t's hall and day after an
// operation on t that changed them as change says: read once per group,
// then counted on.
func waitingCounts(tx *Tx, t *Ticket, change int) (map[string]int, error) {
	g := tx.grp
	if g == nil {
		return zoneCounts(tx, t.HallID, t.Day)
	}
	k := zoneDay{t.HallID, t.Day}
	if c, ok := g.zones[k]; ok && change != waitingFresh {
		if c[t.Zone] += change; c[t.Zone] <= 0 {
			delete(c, t.Zone) // as COUNT … GROUP BY says it
		}
		return maps.Clone(c), nil
	}
	c, err := zoneCounts(tx, t.HallID, t.Day) // after the change
	if err != nil {
		return nil, err
	}
	putKey(&g.zones, k, c)
	return maps.Clone(c), nil
}
