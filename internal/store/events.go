package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mingbai/internal/events"
)

// Event is re-exported for callers of the store.
type Event = events.Event

// notifyChannel is the NOTIFY channel of this database's schema.
// Notifications are database-wide, so a channel per schema keeps two
// installations (or parallel test runs) sharing one PostgreSQL database
// from receiving each other's event ids.
func (db *DB) notifyChannel() string {
	db.chanOnce.Do(func() {
		schema := "public"
		_ = db.w.QueryRow("SELECT current_schema()").Scan(&schema)
		var b strings.Builder
		for _, r := range strings.ToLower(schema) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
				b.WriteRune(r)
			}
		}
		db.channel = "mingbai_events_" + b.String()
	})
	return db.channel
}

// Publish records an event in the transaction. Subscribers receive it only
// after the commit: on SQLite from this process, on PostgreSQL through
// NOTIFY (delivered at commit, to every instance including this one), so
// no screen ever shows something that was rolled back. The NOTIFY payload
// is only the ids of the transaction's events, comma-separated, in one
// NOTIFY just before the commit (notifyIDs); listeners load the rows.
func (t *Tx) Publish(hallID int64, kind string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	at := t.NowMs()
	id, taken, err := takeID(t, "events", hallID)
	if err != nil {
		return err
	}
	if taken {
		err = t.insertLater(eventInsert, id, hallID, kind, string(b), at)
	} else {
		id, err = t.InsertID("INSERT INTO events (hall_id, kind, payload, at) VALUES (?, ?, ?, ?)", hallID, kind, string(b), at)
	}
	if err != nil {
		return err
	}
	if t.db.Dialect == Postgres {
		t.notify = append(t.notify, id)
		return nil
	}
	t.events = append(t.events, Event{ID: id, HallID: hallID, Kind: kind, Payload: b, At: at})
	return nil
}

// eventInsert is a grouped write's deferred event (deferred.go).
var eventInsert = newBulkInsert("events", "bbttb", "id", "hall_id", "kind", "payload", "at")

// notifyMax bounds the ids of one NOTIFY payload (PostgreSQL's limit is
// 8,000 bytes; an id takes at most 20).
const notifyMax = 256

// notifyIDs sends the NOTIFY of the events ids in tx, just before its
// commit (PostgreSQL delivers it at the commit, or never). The first one
// carries the statements tx deferred (deferred.go); any left are sent.
func (db *DB) notifyIDs(tx *Tx, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), notifyMax)
		if _, err := tx.Exec("SELECT pg_notify(?, ?)", db.notifyChannel(), joinIDs(ids[:n])); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return tx.flushLater()
}

// joinIDs is a NOTIFY payload: event ids, comma-separated.
func joinIDs(ids []int64) string {
	b := make([]byte, 0, 12*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

// notifiedIDs parses a NOTIFY payload: event ids, comma-separated.
func notifiedIDs(payload string) []int64 {
	var out []int64
	for _, f := range strings.Split(payload, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// OnEvent registers fn to receive committed events.
func (db *DB) OnEvent(fn func(Event)) {
	db.mu.Lock()
	db.onCommit = append(db.onCommit, fn)
	db.mu.Unlock()
}

func (db *DB) deliver(es []Event) {
	if len(es) == 0 {
		return
	}
	db.mu.RLock()
	fns := db.onCommit
	db.mu.RUnlock()
	for _, e := range es {
		db.boards.invalidate(e.HallID)
	}
	for _, e := range es {
		for _, fn := range fns {
			fn(e)
		}
	}
}

// EventsSince returns a hall's events after id, oldest first, for a client
// resuming with Last-Event-ID.
func (db *DB) EventsSince(ctx context.Context, hallID, afterID int64, limit int) ([]Event, error) {
	var out []Event
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, hall_id, kind, payload, at FROM events WHERE hall_id = ? AND id > ? ORDER BY id LIMIT ?", hallID, afterID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e Event
			var p string
			if err := rows.Scan(&e.ID, &e.HallID, &e.Kind, &p, &e.At); err != nil {
				return err
			}
			e.Payload = json.RawMessage(p)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// PruneEvents deletes screen events older than keep; they are not audit
// records, only a resume buffer.
func (db *DB) PruneEvents(ctx context.Context, keep time.Duration) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("DELETE FROM events WHERE at < ?", tx.Now.Add(-keep).UnixMilli())
		return err
	})
}

// Listen delivers events committed by any instance (PostgreSQL LISTEN). It
// returns when ctx ends, reconnecting after errors. On SQLite it returns at
// once: one process owns the file and delivers in-process.
//
// While the listener is away (the database restarted or failed over to a
// standby) no NOTIFY reaches it; after it listens again it delivers what
// was committed meanwhile from the events table, so that screens still
// connected to this instance miss no call (they skip what they already
// have by id).
func (db *DB) Listen(ctx context.Context, ready func()) {
	if db.Dialect != Postgres {
		if ready != nil {
			ready()
		}
		return
	}
	first := true
	// last is the newest event delivered, or the newest at the first
	// LISTEN; -1 until that first LISTEN has read it.
	last := int64(-1)
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, &last, func() {
			if first && ready != nil {
				ready()
			}
			first = false
		})
		if ctx.Err() != nil {
			return
		}
		db.Log.Warn("event listener reconnecting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// ListenerName is the application_name of the event listener's
// connection for a NOTIFY channel.
func ListenerName(channel string) string {
	n := "mingbai listen " + channel
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// NotifyChannel is the NOTIFY channel of the database (PostgreSQL).
func (db *DB) NotifyChannel() string { return db.notifyChannel() }

// listenCatchUp bounds the events one reconnection delivers from the table.
const listenCatchUp = 10000

func (db *DB) listenOnce(ctx context.Context, last *int64, ready func()) error {
	cfg, err := pgx.ParseConfig(db.dsn)
	if err != nil {
		return err
	}
	// Named so that an operator (or a test) can tell the listener from
	// the pool in pg_stat_activity.
	cfg.RuntimeParams["application_name"] = ListenerName(db.notifyChannel())
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN "`+db.notifyChannel()+`"`); err != nil {
		return err
	}
	if *last < 0 {
		var newest int64
		err := conn.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM events").Scan(&newest)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			// Not migrated yet (a server that migrates after it started
			// listening): every event to come is newer than none.
			err, newest = nil, 0
		}
		if err != nil {
			return err
		}
		*last = newest
	} else {
		// Listening again: what committed while nobody listened.
		rows, err := conn.Query(ctx, "SELECT id, hall_id, kind, payload, at FROM events WHERE id > $1 ORDER BY id LIMIT $2", *last, listenCatchUp)
		if err != nil {
			return err
		}
		var missed []Event
		for rows.Next() {
			var e Event
			var p string
			if err := rows.Scan(&e.ID, &e.HallID, &e.Kind, &p, &e.At); err != nil {
				rows.Close()
				return err
			}
			e.Payload = json.RawMessage(p)
			missed = append(missed, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(missed) > 0 {
			db.Log.Info("event listener caught up", "events", len(missed))
			db.deliver(missed)
			*last = missed[len(missed)-1].ID
		}
	}
	// From here every change is notified: the hot cache may be used.
	db.hot.setLive(true)
	defer db.hot.setLive(false)
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if what, ok := hotChange(n.Payload); ok {
			db.hot.drop(what)
			continue
		}
		ids := notifiedIDs(n.Payload)
		if len(ids) == 0 {
			continue
		}
		es, err := loadEvents(ctx, conn, ids)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			db.Log.Warn("event listener: load events", "ids", n.Payload, "err", err)
			continue
		}
		db.deliver(es)
		for _, e := range es {
			*last = max(*last, e.ID)
		}
	}
}

// loadEvents reads the events of one notification, oldest first.
func loadEvents(ctx context.Context, conn *pgx.Conn, ids []int64) ([]Event, error) {
	rows, err := conn.Query(ctx, "SELECT id, hall_id, kind, payload, at FROM events WHERE id = ANY($1) ORDER BY id", ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var p string
		if err := rows.Scan(&e.ID, &e.HallID, &e.Kind, &p, &e.At); err != nil {
			return nil, err
		}
		e.Payload = json.RawMessage(p)
		out = append(out, e)
	}
	return out, rows.Err()
}

// EventRange returns the ids of the oldest and newest retained events of
// any hall (0, 0 when there is none): a stream resumed from before the
// oldest has a gap that pruning (PruneEvents) made; one resumed from after
// the newest saw ids that no longer exist (SQLite reuses the ids of an
// emptied table).
func (db *DB) EventRange(ctx context.Context) (oldest, newest int64, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM events").Scan(&oldest, &newest)
	})
	return oldest, newest, err
}
