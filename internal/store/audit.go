package store

import (
	"context"
	"database/sql"
	"errors"

	"mingbai/internal/audit"
)

// auditInsert appends a record (deferred in grouped writes: deferred.go).
var auditInsert = newBulkInsert("audit_log", "bbttttttttt", "seq", "at", "actor", "role", "action", "object", "outcome", "source", "detail", "prev_hash", "hash")

// Audit appends a record for the transaction's actor. It must be called
// inside the transaction that makes the change, so the record exists if and
// only if the change does.
func (t *Tx) Audit(action, object, detail string) error {
	return t.AuditOutcome(action, object, audit.OK, detail)
}

// AuditOutcome appends a record with an explicit outcome (denied, failed).
func (t *Tx) AuditOutcome(action, object, outcome, detail string) error {
	// Serialise appends across connections and instances so the chain
	// never forks (locks.go). An operation of a grouped write after one
	// that appended holds it already.
	if err := t.lockAudit(); err != nil {
		return err
	}
	var prevSeq int64
	prevHash := audit.Genesis
	if g := t.grp; g != nil && g.auditOK {
		// The previous operation of this grouped write appended the tail
		// (on PostgreSQL under the lock this transaction holds).
		prevSeq, prevHash = g.auditSeq, g.auditHash
	} else {
		err := t.QueryRow("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&prevSeq, &prevHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	r := audit.Chain(audit.Record{
		At: t.NowMs(), Actor: t.Actor.Name, Role: t.Actor.Role, Source: t.Actor.Source,
		Action: action, Object: object, Outcome: outcome, Detail: detail,
	}, prevSeq, prevHash)
	err := t.insertLater(auditInsert, r.Seq, r.At, r.Actor, r.Role, r.Action, r.Object, r.Outcome, r.Source, r.Detail, r.PrevHash, r.Hash)
	if err == nil && t.grp != nil {
		t.grp.auditSeq, t.grp.auditHash, t.grp.auditOK = r.Seq, r.Hash, true
	}
	return err
}

// AuditDenied records a refused attempt (failed login, forbidden write) in
// its own transaction: the attempt changed nothing, but it is evidence.
func (db *DB) AuditDenied(ctx context.Context, action, object, detail string) error {
	return db.Write(ctx, func(tx *Tx) error { return tx.AuditOutcome(action, object, audit.Denied, detail) })
}

// AuditFilter narrows an audit listing.
type AuditFilter struct {
	Action string // prefix
	Actor  string
	From   int64
	To     int64
	Before int64 // seq, for paging backwards
	Limit  int
}

// ListAudit returns records newest first.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter) ([]audit.Record, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q := "SELECT seq, at, actor, role, action, object, outcome, source, detail, prev_hash, hash FROM audit_log WHERE 1=1"
	var args []any
	if f.Action != "" {
		q += " AND action LIKE ?"
		args = append(args, f.Action+"%")
	}
	if f.Actor != "" {
		q += " AND actor = ?"
		args = append(args, f.Actor)
	}
	if f.From != 0 {
		q += " AND at >= ?"
		args = append(args, f.From)
	}
	if f.To != 0 {
		q += " AND at < ?"
		args = append(args, f.To)
	}
	if f.Before != 0 {
		q += " AND seq < ?"
		args = append(args, f.Before)
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, f.Limit)
	var out []audit.Record
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r audit.Record
			if err := rows.Scan(&r.Seq, &r.At, &r.Actor, &r.Role, &r.Action, &r.Object, &r.Outcome, &r.Source, &r.Detail, &r.PrevHash, &r.Hash); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// VerifyAudit walks the whole chain in order and returns the number of
// records checked, or an error naming the first bad record.
func (db *DB) VerifyAudit(ctx context.Context) (int64, error) {
	v := audit.NewVerifier()
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT seq, at, actor, role, action, object, outcome, source, detail, prev_hash, hash FROM audit_log ORDER BY seq")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r audit.Record
			if err := rows.Scan(&r.Seq, &r.At, &r.Actor, &r.Role, &r.Action, &r.Object, &r.Outcome, &r.Source, &r.Detail, &r.PrevHash, &r.Hash); err != nil {
				return err
			}
			if err := v.Next(r); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return v.Count(), err
}
