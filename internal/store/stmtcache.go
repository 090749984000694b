package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// Prepared statements. Every Tx.Exec/Query/QueryRow used to prepare its
// SQL anew: on SQLite, parsing and planning were 42 % of a ticket issue's
// transaction CPU. The cache keeps one *sql.Stmt per SQL text and pool;
// database/sql prepares it once per connection (the SQLite writer has
// one) and Tx.StmtContext reuses it inside transactions. SQLite
// re-prepares a statement by itself after a schema change. On PostgreSQL,
// pgx already caches prepared statements per connection, so only the
// rebinding of placeholders is cached there.
//
// A statement cannot be prepared on the pool from inside a transaction:
// the SQLite writer's only connection is the transaction's, and waiting
// for another would deadlock. So a miss runs unprepared and is queued;
// the queue is prepared before the next transaction begins, when the
// caller holds no connection.

// maxStmts bounds the cache: SQL built from optional filters has a few
// shapes each; anything beyond runs unprepared.
const maxStmts = 1024

type stmtCache struct {
	mu      sync.RWMutex
	m       map[*sql.DB]map[string]*sql.Stmt // nil value: do not prepare
	pending map[*sql.DB][]string
	npend   atomic.Int32
	rebind  map[string]string
}

// prepared returns the cached statement of q on pool, or nil (and queues
// q for preparation) when it is not cached yet.
func (db *DB) prepared(pool *sql.DB, q string) *sql.Stmt {
	if db.Dialect != SQLite || pool == nil {
		return nil
	}
	c := &db.stmts
	c.mu.RLock()
	st, ok := c.m[pool][q]
	c.mu.RUnlock()
	if ok {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[pool][q]; ok {
		return c.m[pool][q]
	}
	if c.m == nil {
		c.m, c.pending = map[*sql.DB]map[string]*sql.Stmt{}, map[*sql.DB][]string{}
	}
	if c.m[pool] == nil {
		c.m[pool] = map[string]*sql.Stmt{}
	}
	if len(c.m[pool])+len(c.pending[pool]) >= maxStmts {
		return nil
	}
	for _, p := range c.pending[pool] {
		if p == q {
			return nil
		}
	}
	c.pending[pool] = append(c.pending[pool], q)
	c.npend.Add(1)
	return nil
}

// prepare prepares the statements queued for pool. The caller must hold
// no connection of pool.
func (db *DB) prepare(ctx context.Context, pool *sql.DB) {
	c := &db.stmts
	if c.npend.Load() == 0 {
		return
	}
	c.mu.Lock()
	qs := c.pending[pool]
	delete(c.pending, pool)
	c.npend.Add(-int32(len(qs)))
	c.mu.Unlock()
	for _, q := range qs {
		st, err := pool.PrepareContext(context.WithoutCancel(ctx), q)
		if err != nil {
			st = nil // e.g. a table a later migration adds: stay unprepared
		}
		c.mu.Lock()
		if c.m != nil && c.m[pool] != nil {
			c.m[pool][q] = st
		} else if st != nil {
			st.Close()
		}
		c.mu.Unlock()
	}
}

// rebound is Rebind with the result cached (PostgreSQL placeholders).
func (db *DB) rebound(q string) string {
	if db.Dialect != Postgres {
		return q
	}
	c := &db.stmts
	c.mu.RLock()
	r, ok := c.rebind[q]
	c.mu.RUnlock()
	if ok {
		return r
	}
	r = db.Rebind(q)
	c.mu.Lock()
	if c.rebind == nil {
		c.rebind = map[string]string{}
	}
	if len(c.rebind) < maxStmts {
		c.rebind[q] = r
	}
	c.mu.Unlock()
	return r
}

// closeStmts closes the cached statements (before the pools close).
func (db *DB) closeStmts() {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.m {
		for _, st := range m {
			if st != nil {
				st.Close()
			}
		}
	}
	c.m, c.pending = nil, nil
	c.npend.Store(0)
}

// stmt returns q prepared for t, or nil to run it unprepared.
func (t *Tx) stmt(q string) *sql.Stmt {
	if st := t.db.prepared(t.pool, q); st != nil {
		if tx, ok := t.tx.(*sql.Tx); ok {
			return tx.StmtContext(t.ctx, st)
		}
		return st
	}
	return nil
}
