package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"mingbai/internal/notify"
	"mingbai/internal/store"
)

// smsSetup is what the SMS configuration gives the server.
type smsSetup struct {
	choose func(int64) notify.Provider
	all    map[string]notify.Provider
	rule   func(int64) notify.Rule
	close  func()
	lease  time.Duration
	query  time.Duration
}

// smsProviders starts the providers named in the SMS configuration file
// and installs each hall's sending policy; without a file every hall uses
// the log provider, the default window and the default reminder rule.
func smsProviders(path string, db *store.DB, log *slog.Logger) (smsSetup, error) {
	if path == "" {
		lp := notify.LogProvider{Log: log}
		return smsSetup{choose: func(int64) notify.Provider { return lp }, all: map[string]notify.Provider{"log": lp}, rule: func(int64) notify.Rule { return notify.DefaultRule }, close: func() {}}, nil
	}
	cfg, err := notify.LoadConfig(path)
	if err != nil {
		return smsSetup{}, err
	}
	choose, all, closeAll, err := cfg.Build(db, log)
	if err != nil {
		return smsSetup{}, fmt.Errorf("--sms-config: %w", err)
	}
	db.SetNotifyPolicy(func(hallID int64) store.NotifyPolicy {
		// The window is in hall time: the store fills in the hall's zone.
		h := cfg.Halls[strconv.FormatInt(hallID, 10)]
		w, _ := notify.ParseWindow(h.Window, h.Days, nil)
		return store.NotifyPolicy{Window: w, DailyLimit: h.DailyLimit}
	})
	return smsSetup{choose: choose, all: all, rule: cfg.Rule, close: closeAll, lease: cfg.Lease(), query: cfg.QueryAfter()}, nil
}

// runCampaigns steps every unfinished reminder campaign; after a restart
// the campaigns resume where they stopped. It reports whether any campaign
// had work (one scheduled for a later day has none yet).
func runCampaigns(ctx context.Context, db *store.DB, rule func(int64) notify.Rule, wake chan struct{}) (bool, error) {
	cs, err := db.ActiveCampaigns(ctx)
	if err != nil {
		return false, err
	}
	busy := false
	for _, c := range cs {
		for ctx.Err() == nil {
			more, err := db.StepCampaign(ctx, c.ID, rule(c.HallID), 200)
			if err != nil {
				return busy, fmt.Errorf("campaign %d: %w", c.ID, err)
			}
			select {
			case wake <- struct{}{}:
			default:
			}
			if !more {
				break
			}
			busy = true
		}
	}
	return busy, nil
}

// runNotify is 'mingbai notify': run [--hall H --day D] starts (or
// resumes) the reminder campaign of a hall for a day, then sends until
// nothing is left to send or settle; import --hall H FILE loads the
// contributor registry.
func runNotify(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: mingbai notify run [--hall H --day YYYY-MM-DD] | import --hall H FILE")
		return 2
	}
	fs := flag.NewFlagSet("notify "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f dbFlags
	f.register(fs)
	smsConfig := fs.String("sms-config", "", "SMS providers and per-hall policy (JSON)")
	hallID := fs.Int64("hall", 0, "hall id")
	day := fs.String("day", "", "campaign day, YYYY-MM-DD in hall time")
	if err := parseFlags(fs, args[1:]); err != nil {
		return 2
	}
	ctx := context.Background()
	log := f.logger(stderr)
	db, err := f.open(ctx, log)
	if err != nil {
		return fail(stderr, err)
	}
	defer db.Close()
	sealer, _, err := loadPII(&f)
	if err != nil {
		return fail(stderr, err)
	}
	db.SetPII(sealer)
	switch args[0] {
	case "import":
		if *hallID == 0 || fs.NArg() != 1 {
			fmt.Fprintln(stderr, "usage: mingbai notify import --hall H FILE")
			return 2
		}
		b, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return fail(stderr, err)
		}
		cs, bad, err := notify.ParseRegistry(b, time.Now())
		if err != nil {
			return fail(stderr, err)
		}
		if len(bad) > 0 {
			for _, e := range bad {
				fmt.Fprintf(stderr, "row %d, %s: %s %s\n", e.Row, e.Field, e.Reason, e.Value)
			}
			fmt.Fprintf(stderr, "%d bad rows: nothing imported\n", len(bad))
			return 1
		}
		res, err := db.ImportContributors(ctx, *hallID, cs, nil)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "%d added, %d updated\n", res.Inserted, res.Updated)
		return 0
	case "run":
	default:
		fmt.Fprintf(stderr, "mingbai notify: unknown verb %q\n", args[0])
		return 2
	}
	sms, err := smsProviders(*smsConfig, db, log)
	if err != nil {
		return fail(stderr, err)
	}
	defer sms.close()
	if *hallID != 0 || *day != "" {
		if _, err := db.StartCampaign(ctx, *hallID, *day); err != nil {
			return fail(stderr, err)
		}
	}
	if err := waitProviders(ctx, sms.choose, db); err != nil {
		return fail(stderr, err)
	}
	sender := &notify.Sender{Outbox: db, Provider: sms.choose, Log: log, Lease: sms.lease, QueryAfter: sms.query, Approval: db.ApprovedTemplate}
	wake := make(chan struct{}, 1)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		busy, err := runCampaigns(ctx, db, sms.rule, wake)
		if err != nil {
			return fail(stderr, err)
		}
		sender.Drain(ctx)
		n, err := db.OutboxPending(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		if n == 0 && !busy {
			fmt.Fprintln(stdout, "nothing left to send")
			return 0
		}
		<-t.C // unknown results wait for their status query
	}
}

// waitProviders waits up to a minute for the SMPP binds of the halls that
// have messages, so that a one-shot run does not spend its attempts on a
// bind that is still coming up.
func waitProviders(ctx context.Context, choose func(int64) notify.Provider, db *store.DB) error {
	halls, err := db.ListHalls(ctx)
	if err != nil {
		return err
	}
	ids := []int64{0}
	for _, h := range halls {
		ids = append(ids, h.ID)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, id := range ids {
		if p, ok := choose(id).(*notify.SMPP); ok {
			if err := p.WaitBound(wctx); err != nil {
				return errors.New("SMPP provider " + p.Name() + " did not bind within a minute")
			}
		}
	}
	return nil
}
