package store

import "maps"

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
	// auditSeq and auditHash are the audit chain's tail, when known.
	auditSeq  int64
	auditHash string
	auditOK   bool
	// halls are the halls whose lock (lockHall) the transaction holds.
	halls map[int64]bool
	// issued counts today's tickets per hall, day and item (queue_issue.go).
	issued map[itemDay]int
	// issue holds what the issues of a hall read that the group does not
	// change (the hall, its settings, zones, offered items, caps): shared
	// by the clones, as a rolled back operation leaves it true.
	issue map[int64]*issueLookups
}

type itemDay struct {
	hall      int64
	day, item string
}

type zoneDay struct {
	hall int64
	day  string
}

func (g *groupState) clone() groupState {
	c := *g
	c.halls = maps.Clone(g.halls)
	c.issued = maps.Clone(g.issued)
	c.zones = make(map[zoneDay]map[string]int, len(g.zones))
	for k, v := range g.zones {
		c.zones[k] = maps.Clone(v)
	}
	return c
}

// issuedCounts returns the waiting counts of t's hall and day after the
// issue of t: read once per group, then counted on.
func issuedCounts(tx *Tx, t *Ticket) (map[string]int, error) {
	g := tx.grp
	if g == nil {
		return zoneCounts(tx, t.HallID, t.Day)
	}
	k := zoneDay{t.HallID, t.Day}
	if c, ok := g.zones[k]; ok {
		c[t.Zone]++
		return maps.Clone(c), nil
	}
	c, err := zoneCounts(tx, t.HallID, t.Day) // includes t
	if err != nil {
		return nil, err
	}
	if g.zones == nil {
		g.zones = map[zoneDay]map[string]int{}
	}
	g.zones[k] = c
	return maps.Clone(c), nil
}
