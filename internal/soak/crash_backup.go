package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"mingbai/internal/complaints"
	"mingbai/internal/store"
)

// BackupResult is what a backup drill found in the restored copy.
type BackupResult struct {
	Engine string
	// Before counts the tickets and cases acknowledged before the backup
	// began: every one must be in the copy. Restored counts what the copy
	// holds; it may hold more (written while the backup ran).
	TicketsBefore, CasesBefore, TicketsRestored, CasesRestored int
	// Missing are acknowledged rows of Before absent from the copy.
	Missing int
	// Revealed counts cases whose ID number the restored copy opened with
	// the key and found equal to what was sent.
	Revealed int
	// Complaints were received with an idempotency key before the backup
	// (the key sent twice); ComplaintsOpened of them the copy opened with
	// the key — name, phone and text equal to what was sent.
	Complaints, ComplaintsOpened int
	AuditRecords                 int
	Took                         time.Duration // the backup itself, under load
	Problems                     []string
}

// Row is the result as a line of docs/reliability.md.
func (r BackupResult) Row() string {
	return fmt.Sprintf("| %s | backup under load (%s) | tickets %d before / %d restored, cases %d / %d | missing %d | personal data opened %d, complaints %d of %d | audit %d ok |",
		r.Engine, r.Took.Round(time.Millisecond), r.TicketsBefore, r.TicketsRestored, r.CasesBefore, r.CasesRestored, r.Missing, r.Revealed,
		r.ComplaintsOpened, r.Complaints, r.AuditRecords)
}

// BackupDrill takes an online backup while the hall works (SQLite: mingbai
// backup; PostgreSQL: pg_dump of the schema), restores it into a fresh
// data directory or database, and checks it: every ticket and case
// acknowledged before the backup began is there, personal data opens with
// the key, the audit chain verifies.
func BackupDrill(ctx context.Context, bin, dir, dsn string) (res BackupResult, err error) {
	inst, err := Prepare(ctx, bin, dir, dsn, "")
	if err != nil {
		return res, err
	}
	defer inst.Cleanup()
	res.Engine = inst.Engine
	srv, err := inst.Start(ctx)
	if err != nil {
		return res, err
	}
	defer srv.Kill()
	cur := &current{}
	cur.set(srv.URL)
	l, err := inst.setupLoad(ctx, srv.URL, 6)
	if err != nil {
		return res, err
	}
	// Before the load: on PostgreSQL two complaints received at the same
	// moment can collide on their number (409), and the load has its own
	// complainer.
	sent, err := inst.complain(ctx, srv.URL, 3)
	if err != nil {
		return res, err
	}
	res.Complaints = len(sent)
	j := newJournal()
	workers := l.workers(CrashConfig{Issuers: 2}, j, cur, rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9)))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.loop(ctx, stop) }()
	}
	stopped := false
	halt := func() {
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer halt()
	// Work until there is something to lose: a few cases accepted (or
	// 30 s on a very slow machine).
	for t0 := time.Now(); time.Since(t0) < 30*time.Second && ctx.Err() == nil; {
		pause(ctx, nil, 200*time.Millisecond)
		j.mu.Lock()
		n := len(j.ids)
		j.mu.Unlock()
		if n >= 3 && time.Since(t0) > time.Second {
			break
		}
	}
	// What the clients were told before the backup began.
	j.mu.Lock()
	before := map[int64]bool{}
	for id, t := range j.tickets {
		if t.IssueAcked {
			before[id] = true
		}
	}
	casesBefore := map[int64]string{}
	for id := range j.cases {
		casesBefore[id] = j.ids[id]
	}
	j.mu.Unlock()
	backup := filepath.Join(inst.Dir, "backup")
	t0 := time.Now()
	if inst.DSN == "" {
		if out, err := inst.Command(ctx, "backup", "--to", backup); err != nil {
			return res, fmt.Errorf("mingbai backup: %v: %s", err, out)
		}
	} else if out, err := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--schema="+inst.schema(), "--file="+backup, libpq(inst.baseDSN)).CombinedOutput(); err != nil {
		return res, fmt.Errorf("pg_dump: %v: %s", err, out)
	}
	res.Took = time.Since(t0)
	pause(ctx, nil, 500*time.Millisecond) // the hall goes on working
	halt()
	srv.Stop()

	// Restore into a fresh place: a new data directory with the key file
	// (kept apart from the backup, as docs/deploy.md says), or a new
	// database.
	rest := &Instance{Bin: inst.Bin, Sync: "FULL", Engine: inst.Engine, Dir: filepath.Join(inst.Dir, "restored")}
	rest.Data = filepath.Join(rest.Dir, "data")
	if err := os.MkdirAll(rest.Data, 0o700); err != nil {
		return res, err
	}
	key, err := os.ReadFile(filepath.Join(inst.Data, "pii.key"))
	if err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(rest.Data, "pii.key"), key, 0o600); err != nil {
		return res, err
	}
	if inst.DSN == "" {
		if err := os.Rename(backup, filepath.Join(rest.Data, "mingbai.db")); err != nil {
			return res, err
		}
	} else {
		dbName, drop, err := freshDatabase(ctx, inst.baseDSN)
		if err != nil {
			return res, err
		}
		defer drop()
		target := withDatabase(inst.baseDSN, dbName)
		if out, err := exec.CommandContext(ctx, "pg_restore", "--no-owner", "--exit-on-error", "--dbname="+libpq(target), backup).CombinedOutput(); err != nil {
			return res, fmt.Errorf("pg_restore: %v: %s", err, out)
		}
		u, _ := url.Parse(target)
		q := u.Query()
		q.Set("search_path", inst.schema())
		u.RawQuery = q.Encode()
		rest.DSN = u.String()
	}
	db, err := rest.open(ctx)
	if err != nil {
		return res, err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return res, fmt.Errorf("restored schema: %w", err)
	}
	tickets, cases := map[int64]bool{}, map[int64]bool{}
	err = db.Read(ctx, func(tx *store.Tx) error {
		for q, m := range map[string]map[int64]bool{"SELECT id FROM tickets WHERE hall_id = ?": tickets, "SELECT id FROM cases WHERE hall_id = ?": cases} {
			rows, err := tx.Query(q, inst.HallID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				m[id] = true
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.TicketsBefore, res.CasesBefore, res.TicketsRestored, res.CasesRestored = len(before), len(casesBefore), len(tickets), len(cases)
	for id := range before {
		if !tickets[id] {
			res.Missing++
		}
	}
	actx := store.WithActor(ctx, store.Actor{Name: "drill", Role: "admin", Source: "cli"})
	for id, idNumber := range casesBefore {
		if !cases[id] {
			res.Missing++
			continue
		}
		p, err := db.RevealCase(actx, inst.HallID, id)
		if err != nil || p.IDNumber != idNumber {
			res.Problems = append(res.Problems, fmt.Sprintf("case %d: personal data %q, %v; sent %q", id, p.IDNumber, err, idNumber))
			continue
		}
		res.Revealed++
	}
	leader := complaints.Viewer{Username: "drill", Oversees: true, Acts: true}
	for id, want := range sent {
		c, err := db.Complaint(actx, inst.HallID, id, leader, true)
		if err != nil || c.Name != want.Name || c.Phone != want.Phone || c.Detail != want.Detail {
			res.Problems = append(res.Problems, fmt.Sprintf("complaint %d in the copy: %q %q %q, %v; sent %+v", id, c.Name, c.Phone, c.Detail, err, want))
			continue
		}
		res.ComplaintsOpened++
	}
	res.Problems = append(res.Problems, j.prob.list...)
	if res.Missing > 0 {
		res.Problems = append(res.Problems, fmt.Sprintf("%d acknowledged rows missing from the copy", res.Missing))
	}
	out, err := rest.Command(ctx, "audit", "verify")
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("audit verify of the copy: %v: %s", err, strings.TrimSpace(out)))
	} else {
		fmt.Sscanf(out[strings.Index(out, ":")+1:], "%d", &res.AuditRecords)
	}
	return res, nil
}

// sentComplaint is what a complaint was received with.
type sentComplaint struct{ Name, Phone, Detail string }

// complain has the hall manager receive n complaints, each with an
// idempotency key sent twice (the second answer must be the same
// complaint), with the complainant's name, phone and text, which are
// sealed.
func (in *Instance) complain(ctx context.Context, base string, n int) (map[int64]sentComplaint, error) {
	out := map[int64]sentComplaint{}
	for i := 1; i <= n; i++ {
		want := sentComplaint{Name: fmt.Sprintf("投诉人%d", i), Phone: fmt.Sprintf("1370000%04d", i), Detail: fmt.Sprintf("窗口%d等候过久，第%d次", i, i)}
		body := map[string]any{"channel": "duty_leader", "type": "suggestion", "summary": "等候时间", "detail": want.Detail,
			"name": want.Name, "phone": want.Phone, "idempotency_key": fmt.Sprintf("drill-complaint-%d", i)}
		var first int64
		for try := 0; try < 2; try++ {
			a := call(ctx, "POST", fmt.Sprintf("%s/api/v1/halls/%d/complaints", base, in.HallID), in.Manager, body)
			var c struct {
				ID int64 `json:"id"`
			}
			if a.Err != nil || a.Status != 201 || json.Unmarshal(a.Body, &c) != nil || c.ID == 0 {
				return nil, fmt.Errorf("complaint: %d %v %s", a.Status, a.Err, a.Body)
			}
			if try == 1 && c.ID != first {
				return nil, fmt.Errorf("complaint retried with its key: %d, first %d", c.ID, first)
			}
			first = c.ID
		}
		out[first] = want
	}
	return out, nil
}

// schema is the PostgreSQL schema of the installation.
func (in *Instance) schema() string {
	u, err := url.Parse(in.DSN)
	if err != nil {
		return ""
	}
	return u.Query().Get("search_path")
}

// libpq drops the parameters pgx understands and libpq's tools do not.
func libpq(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String()
}

func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}
