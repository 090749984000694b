package soak

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FailoverConfig is the database failover drill: one server on a
// multi-host DSN (target_session_attrs=read-write) in front of a primary
// and a synchronous standby; Kill (a shell command) takes the primary
// away under load. scripts/drill-failover.sh builds the cluster with
// pg_auto_failover and runs this.
type FailoverConfig struct {
	Bin, Dir, DSN string
	Kill          string        // shell command that kills the primary
	Before        time.Duration // load before the kill
	After         time.Duration // the longest wait for writes to come back
	Settle        time.Duration // load once writes are back
	Log           func(format string, args ...any)
}

// FailoverResult adds the outage to the crash soak's figures.
type FailoverResult struct {
	CrashResult
	// Outage is the time from the kill to the first acknowledgement of
	// a write sent after it.
	Outage time.Duration
}

// Failover runs the drill.
func Failover(ctx context.Context, cfg FailoverConfig) (res FailoverResult, err error) {
	if cfg.Before <= 0 {
		cfg.Before = 5 * time.Second
	}
	if cfg.After <= 0 {
		cfg.After = 2 * time.Minute
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 5 * time.Second
	}
	logf := cfg.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	inst, err := Prepare(ctx, cfg.Bin, cfg.Dir, cfg.DSN, "")
	if err != nil {
		return res, err
	}
	defer inst.Cleanup()
	res.Engine = "postgres failover"
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
	screen := NewScreen(inst.HallID, inst.EventBase, cur.get)
	sctx, stopScreen := context.WithCancel(ctx)
	defer stopScreen()
	go screen.Run(sctx)
	j := newJournal()
	j.outage = true
	workers := l.workers(CrashConfig{Issuers: 2}, j, cur, rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4)))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				w.loop(ctx, stop)
				if stopped(ctx, stop) {
					return
				}
				// An unanswered or failed request: read back what it did
				// as soon as the database answers again.
				for w.resolve(ctx) != nil && !stopped(ctx, stop) {
					pause(ctx, stop, 200*time.Millisecond)
				}
			}
		}()
	}
	pause(ctx, nil, cfg.Before)
	logf("killing the primary: %s (%d acknowledged so far)", cfg.Kill, j.acks())
	killed := time.Now()
	out, err := exec.CommandContext(ctx, "sh", "-c", cfg.Kill).Output()
	if err != nil {
		close(stop)
		wg.Wait()
		return res, fmt.Errorf("kill: %v: %s", err, out)
	}
	// The command may print the moment of the kill (unix seconds) as its
	// last line: finding the processes can take longer than killing them.
	if f := strings.Fields(string(out)); len(f) > 0 {
		if sec, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil && sec > 1e9 {
			killed = time.Unix(0, int64(sec*1e9))
		}
	}
	res.Outage = -1
	for deadline := time.Now().Add(cfg.After); time.Now().Before(deadline) && ctx.Err() == nil; {
		pause(ctx, nil, 100*time.Millisecond)
		j.mu.Lock()
		for _, a := range j.acked {
			if a.sent.After(killed) && (res.Outage < 0 || a.answered.Sub(killed) < res.Outage) {
				res.Outage = a.answered.Sub(killed)
			}
		}
		j.mu.Unlock()
		if res.Outage >= 0 {
			break
		}
	}
	if res.Outage < 0 {
		close(stop)
		wg.Wait()
		return res, fmt.Errorf("no write acknowledged %v after the kill: %s", cfg.After, inst.LogTail(3000))
	}
	logf("writes back %v after the kill", res.Outage.Round(time.Millisecond))
	pause(ctx, nil, cfg.Settle)
	close(stop)
	wg.Wait()
	for _, w := range workers {
		for t0 := time.Now(); ; {
			err := w.resolve(ctx)
			if err == nil {
				break
			}
			if time.Since(t0) > cfg.After {
				return res, err
			}
			pause(ctx, nil, 200*time.Millisecond)
		}
	}
	newest, err := inst.newestPublicEvent(ctx)
	if err != nil {
		return res, err
	}
	screen.WaitFor(newest, 30*time.Second)
	stopScreen()
	if err := srv.Stop(); err != nil {
		logf("graceful stop: %v", err)
	}
	res.Cycles = 1
	res.RecoveryMax, res.RecoveryMedian = res.Outage, res.Outage
	if err := inst.verify(ctx, j, &res.CrashResult, screen); err != nil {
		return res, err
	}
	return res, nil
}
