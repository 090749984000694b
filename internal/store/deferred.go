package store

import (
	"fmt"
	"strconv"
	"strings"
)

// Deferred inserts (PostgreSQL, grouped writes).
//
// Most statements of a queue operation are appends whose outcome the
// operation does not read back: the ticket's transition, the audit record.
// Each one sent on its own costs a round trip to PostgreSQL, and on the
// 2-core benchmark machine the round trips (the server's and PostgreSQL's
// system calls and wake-ups) were most of an issue's cost. insertLater keeps
// such a row in the group's deferred list instead; the next statement
// the transaction runs carries the list in front of it as data-modifying
// common table expressions, so
//
//	WITH d0 AS (INSERT INTO ticket_transitions … SELECT FROM unnest(…)),
//	     d1 AS (INSERT INTO audit_log … SELECT FROM unnest(…))
//	SELECT pg_notify(…)
//
// is one round trip for the rows of a whole group. PostgreSQL runs the expressions
// and the main statement on one snapshot, so a main statement must not read
// a table a deferred statement writes: such a statement, or one that is
// already a WITH query, runs after the list has been sent on its own.
//
// An error of a deferred statement is reported by the statement that
// carried it. The group writer sends the list before an operation's
// savepoint is released (each operation's errors stay its own), or, when
// it runs a group without savepoints, redoes the whole group with them on
// any error (group.go). SQLite has no data-modifying CTEs and no round
// trips: insertLater runs the insert at once there.
type deferred struct {
	// tables and rows are the deferred inserts, by table in order.
	tables []*bulkInsert
	rows   map[*bulkInsert][][]any
	// updates and keyed are the deferred keyed updates, by statement in
	// order (updateLater).
	updates []*bulkUpdate
	keyed   map[*bulkUpdate]*keyedRows
	// steps are deferred calls, starts and finishes of tickets, the last
	// one per ticket (deferred_steps.go).
	steps []ticketStep
}

// bulkUpdate is an update of rows to absolute values that can be
// deferred: sent on its own (plain, one row), or with the deferred rows
// of its statement as one UPDATE … FROM unnest(arrays) (bulk, whose
// arrays are the plain statement's arguments in order, typed as types).
// A row with the key of an earlier one replaces it, as PostgreSQL does
// not say which of two changes of one row in one statement wins.
type bulkUpdate struct {
	table       string
	types       string
	plain, bulk string
}

// keyedRows are the deferred rows of a bulkUpdate, one per key.
type keyedRows struct {
	keys []string
	rows [][]any
}

// bulkInsert is an insert that can be deferred: sent on its own as
// INSERT … VALUES, or with the deferred rows of its table as one
// INSERT … SELECT FROM unnest(arrays), whose text does not depend on the
// number of rows, so PostgreSQL parses and plans it once per connection
// (one statement per row, each a CTE, made a new text for every size of
// group: parsed and planned anew, 2 ms a group).
type bulkInsert struct {
	table string
	types string // one letter per column: b bigint, t text
	plain string
	bulk  string
}

// newBulkInsert describes an insert into table of cols, typed as types.
func newBulkInsert(table, types string, cols ...string) *bulkInsert {
	if len(types) != len(cols) {
		panic("newBulkInsert: a type per column")
	}
	list := strings.Join(cols, ", ")
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	arrays := make([]string, len(cols))
	for i := range cols {
		arrays[i] = "?::text[]"
		if types[i] == 'b' {
			arrays[i] = "?::bigint[]"
		}
	}
	return &bulkInsert{table: table, types: types,
		plain: "INSERT INTO " + table + " (" + list + ") VALUES (" + marks + ")",
		bulk:  "INSERT INTO " + table + " (" + list + ") SELECT * FROM unnest(" + strings.Join(arrays, ", ") + ")"}
}

// insertLater inserts a row of b, now or (PostgreSQL, grouped) with the
// transaction's next statement.
func (t *Tx) insertLater(b *bulkInsert, vals ...any) error {
	if t.later == nil {
		_, err := t.Exec(b.plain, vals...)
		return err
	}
	t.dirty = true
	l := t.later
	if l.rows == nil {
		l.rows = map[*bulkInsert][][]any{}
	}
	if _, ok := l.rows[b]; !ok {
		l.tables = append(l.tables, b)
	}
	l.rows[b] = append(l.rows[b], vals)
	return nil
}

func (l *deferred) empty() bool {
	return len(l.tables) == 0 && len(l.updates) == 0 && len(l.steps) == 0
}

func (l *deferred) reset() {
	l.tables, l.updates, l.steps = l.tables[:0], l.updates[:0], l.steps[:0]
	clear(l.rows)
	clear(l.keyed)
}

// updateLater runs the update b of one row (vals are its plain
// statement's arguments), now or with the transaction's next statement;
// a deferred row with the same key is replaced by it.
func (t *Tx) updateLater(b *bulkUpdate, key string, vals ...any) error {
	if t.later == nil {
		_, err := t.Exec(b.plain, vals...)
		return err
	}
	t.dirty = true
	l := t.later
	if l.keyed == nil {
		l.keyed = map[*bulkUpdate]*keyedRows{}
	}
	k := l.keyed[b]
	if k == nil {
		k = &keyedRows{}
		l.keyed[b] = k
		l.updates = append(l.updates, b)
	}
	for i := range k.keys {
		if k.keys[i] == key {
			k.rows[i] = vals
			return nil
		}
	}
	k.keys, k.rows = append(k.keys, key), append(k.rows, vals)
	return nil
}

// carry returns q and args with the deferred statements in front of them,
// or sends the deferred statements first when q cannot carry them.
func (t *Tx) carry(q string, args []any) (string, []any, error) {
	l := t.later
	if l == nil || l.empty() {
		return q, args, nil
	}
	if !l.canCarry(q, t.onTicket) {
		return q, args, t.flushLater()
	}
	cq, cargs, err := l.combined(q, args)
	if err != nil {
		// The rows stay: the operation's end sends them again and fails.
		return q, args, err
	}
	l.reset()
	return cq, cargs, nil
}

// flushLater sends the deferred statements on their own.
func (t *Tx) flushLater() error {
	l := t.later
	if l == nil || l.empty() {
		return nil
	}
	cq, cargs, err := l.combined("SELECT 1", nil)
	if err != nil {
		return err
	}
	l.reset()
	_, err = t.tx.ExecContext(t.ctx, t.db.rebound(cq), cargs...)
	return mapErr(err)
}

// combined is the WITH statement of the list followed by main.
func (l *deferred) combined(main string, args []any) (string, []any, error) {
	var b strings.Builder
	var all []any
	b.WriteString("WITH ")
	n := 0
	cte := func(q string) {
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString("d")
		b.WriteString(strconv.Itoa(n))
		b.WriteString(" AS (")
		b.WriteString(q)
		b.WriteString(")")
		n++
	}
	for _, bi := range l.tables {
		cols, err := arrayColumns(bi.table, bi.types, l.rows[bi])
		if err != nil {
			return "", nil, err
		}
		cte(bi.bulk)
		all = append(all, cols...)
	}
	if len(l.steps) > 0 {
		cte(ticketStepUpdate)
		all = append(all, l.stepColumns()...)
	}
	for _, bu := range l.updates {
		cols, err := arrayColumns(bu.table, bu.types, l.keyed[bu].rows)
		if err != nil {
			return "", nil, err
		}
		cte(bu.bulk)
		all = append(all, cols...)
	}
	b.WriteString(" ")
	b.WriteString(main)
	return b.String(), append(all, args...), nil
}

// arrayColumns turns rows of table into one array per column, typed as
// types (b bigint, t text).
func arrayColumns(table, types string, rows [][]any) ([]any, error) {
	out := make([]any, len(types))
	for j := range types {
		if types[j] == 'b' {
			col := make([]*int64, len(rows))
			for i, r := range rows {
				switch v := r[j].(type) {
				case nil:
				case int64:
					col[i] = &v
				case int:
					w := int64(v)
					col[i] = &w
				default:
					return nil, fmt.Errorf("deferred write of %s: column %d is %T, not an integer", table, j, v)
				}
			}
			out[j] = col
			continue
		}
		col := make([]*string, len(rows))
		for i, r := range rows {
			switch v := r[j].(type) {
			case nil:
			case string:
				col[i] = &v
			default:
				return nil, fmt.Errorf("deferred write of %s: column %d is %T, not text", table, j, v)
			}
		}
		out[j] = col
	}
	return out, nil
}

// canCarry reports whether main may run on one snapshot with the list: a
// plain statement that names none of the tables it writes, or, for the
// tickets the list steps, one that touches ticket onTicket alone (an
// update of that row by its id, updateTicket) when no step is of it.
func (l *deferred) canCarry(main string, onTicket int64) bool {
	head := strings.TrimSpace(main)
	if len(head) < 6 {
		return false
	}
	switch strings.ToUpper(head[:6]) {
	case "SELECT", "INSERT", "UPDATE", "DELETE":
	default:
		return false
	}
	for _, bi := range l.tables {
		if strings.Contains(main, bi.table) {
			return false
		}
	}
	for _, bu := range l.updates {
		if strings.Contains(main, bu.table) {
			return false
		}
	}
	if len(l.steps) > 0 && strings.Contains(main, "tickets") && (onTicket == 0 || l.stepped(onTicket)) {
		return false
	}
	return true
}

// writes reports whether q changes data (for the group writer's record of
// whether an operation changed anything).
func writes(q string) bool {
	head := strings.TrimSpace(q)
	return len(head) < 6 || !strings.EqualFold(head[:6], "SELECT")
}

// idBlock is how many ids a grouped write takes from a table's sequence
// at once for a hall (unused ones are gaps, as after a rollback).
const idBlock = 32

// idPool names the ids taken for a hall's next rows of a table.
type idPool struct {
	table string
	hall  int64
}

// takeID returns an id for a new row of table (tickets, events) of the
// hall from the group's block (PostgreSQL, grouped, the hall's lock held),
// so that the row's insert can be deferred; false when the insert must
// take its id itself. Ids are taken under the hall's lock, which every
// issue and call of the hall holds until its commit, so a hall's tickets
// and queue events still have increasing ids in the order of their
// commits: the waiting order's tie break, and a screen's Last-Event-ID.
func takeID(tx *Tx, table string, hallID int64) (int64, bool, error) {
	g := tx.grp
	if g == nil || tx.later == nil || !g.halls[hallID] {
		return 0, false, nil
	}
	k := idPool{table, hallID}
	ids := g.ids[k]
	if len(ids) == 0 {
		rows, err := tx.Query("SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)", table, idBlock)
		if err != nil {
			return 0, false, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return 0, false, err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return 0, false, err
		}
		if len(ids) == 0 {
			return 0, false, nil
		}
		if g.ids == nil {
			g.ids = map[idPool][]int64{}
		}
	}
	// The slice is only ever shortened from the front or replaced, so the
	// state a failed operation restores (clone) keeps its ids.
	g.ids[k] = ids[1:]
	return ids[0], true, nil
}
