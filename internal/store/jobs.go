package store

import (
	"context"
	"fmt"
	"os"
	"time"
)

// The periodic jobs of `mingbai serve` (duty alerts, reminders, scans,
// rollups …) each walk every hall. Several instances on one PostgreSQL
// would each run every one of them, every period: two instances doubled
// the scans, and a province's instances would multiply them. Each period's
// run is instead taken by one instance through a row of job_runs: the
// first instance whose ticker fires once the job is due moves the row's
// due time on and runs it; the others find it not due and skip that tick.
//
// A row, not a lock held for as long as an instance lives: an instance that
// dies in the middle of a run leaves nothing to release, and its job is
// taken by another instance when it is next due, one period later at most.
// The jobs are idempotent (each says so where it is listed), so the one
// case where two instances run the same period (both starting, below) does
// no harm.

// JobSlack is the part of its period by which a job falls due early: the
// instance that took it finds it due again at its own next tick however
// its ticker drifts, so a lone instance runs a job every period, not every
// other one.
const JobSlack = 10 // percent of the period

// ClaimJob reports whether this instance is to run the job named name now,
// and if so marks it taken until a period from now (less JobSlack). With
// force the run is taken even when the job is not due: an instance that
// starts runs its start-up jobs at once (a restart picks up a new day or
// marks left by a crash without waiting a period). The instance is named
// in the row only to tell an operator who ran what.
func (db *DB) ClaimJob(ctx context.Context, name string, period time.Duration, force bool) (bool, error) {
	if name == "" || period <= 0 {
		return false, fmt.Errorf("job %q: a job needs a name and a period, got %v", name, period)
	}
	now := db.Now()
	due := now.Add(period - period*JobSlack/100).UnixMilli()
	taken := false
	// Unchained: the row is bookkeeping of this table alone (no hall's
	// record, nothing a report or the audit trail is made of), so it must
	// not queue behind the audit chain's lock that every write waits for.
	err := db.writeUnchained(ctx, func(tx *Tx) error {
		q := `INSERT INTO job_runs (name, due_at, instance, taken_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at, instance = excluded.instance, taken_at = excluded.taken_at`
		args := []any{name, due, db.instance, now.UnixMilli()}
		if !force {
			q += " WHERE job_runs.due_at <= ?"
			args = append(args, now.UnixMilli())
		}
		res, err := tx.Exec(q, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		taken = n == 1
		return err
	})
	return taken && err == nil, err
}

// JobRun is one job's row: when it is next due and who took it last.
type JobRun struct {
	Name     string
	Due      time.Time
	Instance string
	Taken    time.Time
}

// JobRuns lists the jobs' rows by name (the operator's view; tests).
func (db *DB) JobRuns(ctx context.Context) ([]JobRun, error) {
	var out []JobRun
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT name, due_at, instance, taken_at FROM job_runs ORDER BY name")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j JobRun
			var due, taken int64
			if err := rows.Scan(&j.Name, &due, &j.Instance, &taken); err != nil {
				return err
			}
			j.Due, j.Taken = time.UnixMilli(due), time.UnixMilli(taken)
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// instanceName names this process in job_runs: host and process id, which
// is what an operator looks for in the logs of the instances.
func instanceName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}
