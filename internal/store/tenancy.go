package store

import (
	"context"
	"sync"
)

// TicketHall returns the hall of a ticket, for the route wrapper's tenancy
// check (web.HallTicket).
func (db *DB) TicketHall(ctx context.Context, id int64) (int64, error) {
	return db.hallOfRow(ctx, "tickets", id, "ticket")
}

// CaseHall returns the hall of a case (web.HallCase).
func (db *DB) CaseHall(ctx context.Context, id int64) (int64, error) {
	return db.hallOfRow(ctx, "cases", id, "case")
}

// WindowHall returns the hall of a window.
func (db *DB) WindowHall(ctx context.Context, windowID int64) (int64, error) {
	return db.hallOfRow(ctx, "windows", windowID, "window")
}

func (db *DB) hallOfRow(ctx context.Context, table string, id int64, what string) (int64, error) {
	if h, ok := db.rowHalls.get(table, id); ok {
		return h, nil
	}
	var h int64
	err := db.ReadOne(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRow("SELECT hall_id FROM "+table+" WHERE id = ?", id).Scan(&h), what)
	})
	if err == nil && db.Dialect == Postgres {
		db.rowHalls.put(table, id, h)
	}
	return h, err
}

// rowHalls remembers the hall of a ticket, window or case by its id, for
// the tenancy check of every request on one (PostgreSQL): a row never
// changes its hall, and PostgreSQL's sequences never give an id twice, so
// what was read once stays true (a row deleted since is not found by the
// operation itself). On the benchmark machine the read was one of a call
// cycle's two round trips per request before its grouped write. SQLite
// reads it without a round trip, and could give the id of a deleted last
// row again: no cache there.
type rowHalls struct {
	mu sync.RWMutex
	m  map[rowRef]int64
}

type rowRef struct {
	table string
	id    int64
}

// maxRowHalls bounds the cache (a few MB); when full it starts afresh.
const maxRowHalls = 200_000

func (c *rowHalls) get(table string, id int64) (int64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, ok := c.m[rowRef{table, id}]
	return h, ok
}

func (c *rowHalls) put(table string, id, hall int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxRowHalls {
		c.m = map[rowRef]int64{}
	}
	c.m[rowRef{table, id}] = hall
}
