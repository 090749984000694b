package store

import (
	"errors"
	"fmt"
)

// Advisory locks on PostgreSQL (SQLite has one writer and needs none).
//
// Every write transaction takes the audit chain's lock first, before any
// other lock or row: an ungrouped write before its first statement that
// writes or locks (its reads go before: beforeWrite); a grouped write in
// the statement that begins it when it carries halls (resumePG), else
// with its first hall's lock (lockHall: every grouped operation takes it
// before it writes). Before, a
// group of writes for several halls (a province's instance) held the
// chain's lock and then took a hall's lock or a ticket's row for its next
// operation, while a write on another connection or instance held that
// lock or row and waited for the chain: PostgreSQL broke the deadlock
// after a second by failing one of them (case acceptances failed with 500
// in `mingbai bench province` at 100 halls). Nearly every write appends to
// the chain, so taking its lock first costs little: the writes it
// serialises were serialised from their first record to their commit
// already, and a grouped write took it as it began when it carried halls.
// The price is that a long write (a catalogue import) holds up the others
// for all its length, not only from its first record.
//
// The one exception is a write that appends nothing to the chain and
// takes no lock or row another write takes (writeUnchained: the report
// rollups): it takes no lock at all, and a statement of it that would
// fails (errUnchained).
//
// All instances on one database must take the locks in this order: they
// run the same version (docs/deploy.md).
//
// The classes (the first key):
const (
	lockMigrate    = 7262001 // session lock of a schema migration
	lockAuditChain = 7262002
	lockQueue      = 7262003 // a hall's queue writes (lockHall)
	lockCaseNumber = 7262004 // a hall's case numbers of the day
	lockSMSLimits  = 7262009 // the SMS sending limits (one key: 0)
	lockDutyRoster = 7262014 // a hall's duty roster
	lockComplaints = 7262015 // a hall's complaint numbers of the day
)

// lockAuditSQL takes the audit chain's lock.
var lockAuditSQL = fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", lockAuditChain)

// lockAudit takes the audit chain's lock, once per transaction (a grouped
// write's operations share it; released at commit or rollback, or at the
// rollback of the savepoint of the operation that took it).
func (t *Tx) lockAudit() error {
	if t.db.Dialect != Postgres {
		return nil
	}
	held := t.auditHeld()
	if *held {
		return nil
	}
	if t.unchained {
		return errUnchained
	}
	if _, err := t.Exec(lockAuditSQL); err != nil {
		return err
	}
	*held = true
	return nil
}

// auditHeld is where the transaction notes that it holds the chain's lock
// (a grouped write's operations share the group's note).
func (t *Tx) auditHeld() *bool {
	if t.grp != nil {
		return &t.grp.auditLocked
	}
	return &t.auditLocked
}

// errUnchained is a write without the chain's lock (writeUnchained) about
// to append to the chain or take a lock: it would take them out of order.
var errUnchained = errors.New("store: an unchained write appends to the audit chain or takes a lock")

// beforeWrite takes the audit chain's lock before an ungrouped write's
// first statement that writes (a failure aborts the transaction, and q
// then fails with it).
func (t *Tx) beforeWrite(q string) {
	if t.auditFirst && !t.auditLocked && writes(q) {
		t.lockAudit()
	}
}

// advisoryLock takes lock class's key id, after the audit chain's.
func (t *Tx) advisoryLock(class int, id int64) error {
	if t.db.Dialect != Postgres {
		return nil
	}
	if t.unchained {
		return errUnchained
	}
	if held := t.auditHeld(); !*held {
		// Both in one round trip, the chain's first (PostgreSQL evaluates
		// a select list in order): the round trips under the chain's lock
		// are what every other write waits for.
		if _, err := t.Exec(lockAuditSQL+", pg_advisory_xact_lock(?, CAST(? AS INTEGER))", class, id); err != nil {
			return err
		}
		*held = true
		return nil
	}
	_, err := t.Exec("SELECT pg_advisory_xact_lock(?, CAST(? AS INTEGER))", class, id)
	return err
}
