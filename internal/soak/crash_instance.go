package soak

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// InstanceLossConfig is the instance-loss drill: two servers on one
// PostgreSQL database, screens on both, clerks and kiosks on the first;
// the first is killed with SIGKILL under load and everyone moves to the
// second (what a load balancer does when a health check fails).
type InstanceLossConfig struct {
	Bin, Dir, DSN string
	Screens       int           // screens connected to the instance that dies
	Before, After time.Duration // load before the kill, and on the survivor
	Seed          uint64
	Log           func(format string, args ...any)
}

// InstanceLossResult adds to the crash soak's figures how long the
// screens of the dead instance took to be served by the survivor.
type InstanceLossResult struct {
	CrashResult
	// Resume is the time from the kill until every screen of the dead
	// instance had received an event from the survivor.
	Resume time.Duration
}

// InstanceLoss runs the drill.
func InstanceLoss(ctx context.Context, cfg InstanceLossConfig) (res InstanceLossResult, err error) {
	if cfg.DSN == "" {
		return res, fmt.Errorf("instance loss needs PostgreSQL (two servers on one database)")
	}
	if cfg.Screens <= 0 {
		cfg.Screens = 3
	}
	if cfg.Before <= 0 {
		cfg.Before = 2 * time.Second
	}
	if cfg.After <= 0 {
		cfg.After = time.Second
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
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
	res.Engine = "postgres, 2 instances"
	a, err := inst.Start(ctx)
	if err != nil {
		return res, err
	}
	defer a.Kill()
	b, err := inst.Start(ctx)
	if err != nil {
		return res, err
	}
	defer b.Kill()
	cur := &current{}
	cur.set(a.URL)
	l, err := inst.setupLoad(ctx, b.URL, 6)
	if err != nil {
		return res, err
	}
	// Screens of the instance that dies follow the balancer (cur); one
	// screen stays on the survivor throughout and sees the first
	// instance's writes through LISTEN/NOTIFY.
	sctx, stopScreens := context.WithCancel(ctx)
	defer stopScreens()
	var screens []*Screen
	for i := 0; i < cfg.Screens; i++ {
		screens = append(screens, NewScreen(inst.HallID, inst.EventBase, cur.get))
	}
	screens = append(screens, NewScreen(inst.HallID, inst.EventBase, func() string { return b.URL }))
	for _, s := range screens {
		go s.Run(sctx)
	}
	j := newJournal()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1055))
	workers := l.workers(CrashConfig{Issuers: 2}, j, cur, rng)
	work := func(d time.Duration, kill *Server) {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); w.loop(ctx, stop) }()
		}
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
		if kill != nil {
			// Not before 20 writes were acknowledged (at most 30 s more),
			// so that a slow machine still has something to lose.
			for t0 := time.Now(); j.acks() < 20 && time.Since(t0) < 30*time.Second && ctx.Err() == nil; {
				pause(ctx, nil, 20*time.Millisecond)
			}
			kill.Kill() // SIGKILL with requests in flight
		}
		close(stop)
		wg.Wait()
	}
	work(cfg.Before, a)
	killed := time.Now()
	cur.set(b.URL) // the balancer's health check fails over
	logf("instance 1 killed: %d acknowledged, %d unanswered", j.acks(), j.unacked())
	if _, err := inst.AwaitBackends(ctx, a, 30*time.Second); err != nil {
		return res, err
	}
	for _, w := range workers {
		if err := w.resolve(ctx); err != nil {
			return res, err
		}
	}
	work(cfg.After, nil)
	for _, w := range workers {
		if err := w.resolve(ctx); err != nil {
			return res, err
		}
	}
	newest, err := inst.newestPublicEvent(ctx)
	if err != nil {
		return res, err
	}
	for _, s := range screens {
		s.WaitFor(newest, 15*time.Second)
	}
	res.Resume = latestResume(screens[:cfg.Screens], killed)
	stopScreens()
	if err := b.Stop(); err != nil {
		logf("graceful stop: %v", err)
	}
	res.Cycles = 1
	if err := inst.verify(ctx, j, &res.CrashResult, screens...); err != nil {
		return res, err
	}
	return res, nil
}

// latestResume is the longest time after t0 a screen took to receive its
// first event on a new stream.
func latestResume(screens []*Screen, t0 time.Time) time.Duration {
	var worst time.Duration
	for _, s := range screens {
		at := s.resumedAt()
		if at.IsZero() {
			return -1
		}
		if d := at.Sub(t0); d > worst {
			worst = d
		}
	}
	return worst
}
