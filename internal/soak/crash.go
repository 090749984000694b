// Package soak proves that the server keeps what it acknowledged: `mingbai
// soak crash` starts the real server binary as a child process on
// 127.0.0.1 (SQLite file or PostgreSQL), puts a mixed hall load on it
// through the HTTP API, kills it with SIGKILL at random moments, restarts
// it and at the end checks the database against every answer the clients
// received (docs/reliability.md). It is a test harness, not a domain
// package: it talks HTTP and opens the store to check.
package soak

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"
)

// CrashConfig is one crash soak.
type CrashConfig struct {
	Bin     string // the mingbai binary to run
	Dir     string // working directory (data dir, logs); made when empty
	DSN     string // PostgreSQL server DSN (a fresh schema is made and dropped); "" = SQLite
	Sync    string // SQLite synchronous mode (default FULL)
	Cycles  int    // kill -9 cycles
	Windows int    // windows worked by clerks (1…22)
	Issuers int    // kiosks issuing tickets
	// MinRun and MaxRun bound the random time the server runs under load
	// before it is killed.
	MinRun, MaxRun time.Duration
	// MinAcks is the least number of writes acknowledged in a cycle before
	// the kill (default 10; waited for at most 20 s), so that a slow
	// machine still exercises something every cycle.
	MinAcks int
	Seed    uint64
	// Keep keeps the PostgreSQL schema (and Dir) for a look afterwards.
	Keep bool
	Log  io.Writer // progress lines (nil: none)
}

// CrashResult is what a soak found. Lost, Duplicates, Skipped, Phantoms,
// Missed and Problems must all be zero / empty.
type CrashResult struct {
	Engine string
	Cycles int
	// Acknowledged counts the write requests answered 2xx.
	Acknowledged int
	// Lost counts acknowledged operations missing from the database or
	// found in another state than the one acknowledged.
	Lost int
	// Duplicates are ticket numbers issued twice on a day; Skipped are
	// numbers missing from a day's sequence.
	Duplicates, Skipped int
	// Unacknowledged counts requests that got no answer (the server died
	// under them); UnackCommitted how many of those were found committed
	// (retried with their idempotency key, or read back); Phantoms are
	// tickets in the database nobody can account for (more than the
	// unanswered issue requests without a key).
	Unacknowledged, UnackCommitted, Phantoms int
	// Status5xx counts answers 500…599.
	Status5xx int
	// Recovery is the time from starting a killed server's successor to
	// its first successful answer: the slowest and the median.
	RecoveryMax, RecoveryMedian time.Duration
	// Events is the number of public events of the hall; Missed those a
	// screen following the stream across every restart (Last-Event-ID)
	// never received, MissedCalls acknowledged calls whose announcement it
	// never received.
	Events, Missed, MissedCalls int
	AuditRecords                int
	// Tickets, Cases and Complaints are the rows the soak made.
	Tickets, Cases, Complaints int
	Problems                   []string
}

// OK reports whether nothing was lost or broken and no request got a 5xx.
func (r CrashResult) OK() bool { return r.Intact() && r.Status5xx == 0 }

// Intact reports whether nothing was lost or broken (5xx answers aside:
// while the database fails over writes are refused).
func (r CrashResult) Intact() bool {
	return r.Lost == 0 && r.Duplicates == 0 && r.Skipped == 0 && r.Phantoms == 0 && r.Missed == 0 &&
		r.MissedCalls == 0 && len(r.Problems) == 0
}

// TableHeader is the header of the rows Row prints (docs/reliability.md).
const TableHeader = "| engine | cycles | tickets / cases / complaints | acknowledged | lost | duplicates | skipped | unacknowledged (committed) | 5xx | events (missed) | recovery max / median | audit |\n|---|---|---|---|---|---|---|---|---|---|---|---|"

// Row is the result as a table row.
func (r CrashResult) Row() string {
	return fmt.Sprintf("| %s | %d | %d / %d / %d | %d | %d | %d | %d | %d (%d) | %d | %d (%d) | %s / %s | %d ok |", r.Engine, r.Cycles, r.Tickets, r.Cases, r.Complaints, r.Acknowledged, r.Lost,
		r.Duplicates, r.Skipped, r.Unacknowledged, r.UnackCommitted, r.Status5xx, r.Events, r.Missed,
		r.RecoveryMax.Round(time.Millisecond), r.RecoveryMedian.Round(time.Millisecond), r.AuditRecords)
}

func (c *CrashConfig) defaults() {
	if c.Cycles <= 0 {
		c.Cycles = 5
	}
	if c.Windows <= 0 || c.Windows > 22 {
		c.Windows = 6
	}
	if c.Issuers <= 0 {
		c.Issuers = 2
	}
	if c.MinRun <= 0 {
		c.MinRun = 300 * time.Millisecond
	}
	if c.MaxRun < c.MinRun {
		c.MaxRun = 4 * c.MinRun
	}
	if c.MinAcks <= 0 {
		c.MinAcks = 10
	}
	if c.Sync == "" {
		c.Sync = "FULL"
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
}

// Crash runs a crash soak.
func Crash(ctx context.Context, cfg CrashConfig) (res CrashResult, err error) {
	cfg.defaults()
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	inst, err := Prepare(ctx, cfg.Bin, cfg.Dir, cfg.DSN, cfg.Sync)
	if err != nil {
		return res, err
	}
	if cfg.Keep {
		inst.dropSchema, inst.removeDir = nil, false
		logf("keeping %s (database %s)", inst.Dir, inst.DSN)
	}
	defer inst.Cleanup()
	res.Engine = inst.Engine
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x50a6))
	j := newJournal()
	srv, err := inst.Start(ctx)
	if err != nil {
		return res, err
	}
	defer func() { srv.Kill() }()
	cur := &current{}
	cur.set(srv.URL)
	h, err := inst.setupLoad(ctx, srv.URL, cfg.Windows)
	if err != nil {
		return res, err
	}
	screen := NewScreen(inst.HallID, inst.EventBase, cur.get)
	sctx, stopScreen := context.WithCancel(ctx)
	defer stopScreen()
	go screen.Run(sctx)

	workers := h.workers(cfg, j, cur, rng)
	var recoveries []time.Duration
	for cycle := 1; cycle <= cfg.Cycles+1; cycle++ {
		last := cycle == cfg.Cycles+1
		if cycle > 1 {
			killed := srv
			srv, err = inst.Start(ctx)
			if err != nil {
				return res, fmt.Errorf("cycle %d: restart: %w", cycle, err)
			}
			recoveries = append(recoveries, srv.Recovery)
			cur.set(srv.URL)
			if n, err := inst.AwaitBackends(ctx, killed, 30*time.Second); err != nil {
				return res, fmt.Errorf("cycle %d: %w", cycle, err)
			} else if n > 0 {
				logf("cycle %d: %d backends of the killed server were still working after the restart", cycle, n)
			}
		}
		// Settle what the last kill left open, then work.
		for _, w := range workers {
			if err := w.resolve(ctx); err != nil {
				return res, fmt.Errorf("cycle %d: %w", cycle, err)
			}
		}
		if last {
			break
		}
		run := cfg.MinRun + time.Duration(rng.Int64N(int64(cfg.MaxRun-cfg.MinRun)+1))
		stop := make(chan struct{})
		var wg sync.WaitGroup
		before := j.acks()
		for _, w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); w.loop(ctx, stop) }()
		}
		select {
		case <-time.After(run):
		case <-ctx.Done():
		}
		for t0 := time.Now(); j.acks()-before < cfg.MinAcks && time.Since(t0) < 20*time.Second && ctx.Err() == nil; {
			pause(ctx, nil, time.Duration(10+rng.IntN(40))*time.Millisecond)
		}
		srv.Kill() // SIGKILL while requests are in flight
		close(stop)
		wg.Wait()
		logf("cycle %d: killed after %v; %d acknowledged so far, %d unanswered", cycle, run.Round(time.Millisecond), j.acks(), j.unacked())
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
	// The screen must have caught up with everything before the checks.
	newest, err := inst.newestPublicEvent(ctx)
	if err != nil {
		return res, err
	}
	screen.WaitFor(newest, 15*time.Second)
	stopScreen()
	if err := srv.Stop(); err != nil {
		logf("graceful stop: %v", err)
	}
	res.Cycles = cfg.Cycles
	sort.Slice(recoveries, func(a, b int) bool { return recoveries[a] < recoveries[b] })
	if n := len(recoveries); n > 0 {
		res.RecoveryMax, res.RecoveryMedian = recoveries[n-1], recoveries[n/2]
	}
	if err := inst.verify(ctx, j, &res, screen); err != nil {
		return res, err
	}
	return res, nil
}

// current is the address of the live server, read by workers and screens.
type current struct {
	mu  sync.Mutex
	url string
}

func (c *current) set(u string) { c.mu.Lock(); c.url = u; c.mu.Unlock() }
func (c *current) get() string  { c.mu.Lock(); defer c.mu.Unlock(); return c.url }

// problems collects findings, keeping the first few of each kind readable.
type problems struct {
	mu   sync.Mutex
	list []string
}

func (p *problems) add(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.list) < 50 {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	}
}

func (p *problems) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.list, "; ")
}
