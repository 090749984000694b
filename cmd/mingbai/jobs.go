package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/notify"
	"mingbai/internal/store"
)

// job is one loop `mingbai serve` runs in the background until shutdown.
type job struct {
	Name string
	Run  func(context.Context)
}

// backgroundJobs lists every loop the server runs besides serving requests
// and listening for events (db.Listen, started first: the screens depend on
// it). A new area adds its loop here, so that a reader sees them all.
func backgroundJobs(db *store.DB, sender *notify.Sender, rule func(int64) notify.Rule, keyFile, baseURL string, traffic *demo.TrafficOptions, log *slog.Logger) []job {
	if rule == nil {
		rule = func(int64) notify.Rule { return notify.DefaultRule }
	}
	jobs := []job{
		// Sends the outbox (SMS …) through the provider, with retries.
		{"outbox", sender.Run},
		// Steps unfinished reminder campaigns (at start, so that a campaign
		// interrupted by a crash resumes at once) and wakes the sender. A
		// run steps every campaign to its end, so one instance a minute is
		// enough; a recipient is a unique row, so the runs at start of two
		// instances remind nobody twice.
		{"reminder campaigns", shared(db, time.Minute, true, log, "reminder campaigns", func(ctx context.Context) error {
			_, err := runCampaigns(ctx, db, rule, sender.Wake)
			return err
		})},
		// Old events are only needed for replay to reconnecting screens.
		{"prune events", shared(db, time.Hour, false, log, "prune events", func(ctx context.Context) error {
			return db.PruneEvents(ctx, 48*time.Hour)
		})},
		// Reminds staff of cases near or past their deadline once a day per
		// hall (RemindDueCases is idempotent per day) and prunes old failed
		// progress look-ups. Every ten minutes, and at start, so that a
		// restart or a new day is picked up soon.
		{"case reminders", shared(db, 10*time.Minute, true, log, "case reminders", func(ctx context.Context) error {
			halls, err := db.ListHalls(ctx)
			if err != nil {
				return err
			}
			for _, h := range halls {
				if _, err := db.RemindDueCases(ctx, h.ID); err != nil && ctx.Err() == nil {
					log.Warn("case reminders", "hall", h.ID, "err", err)
				}
			}
			return db.PruneLookupFailures(ctx)
		})},
		// Alerts to the duty leader: windows paused or unattended while
		// people wait, long queues and waits, bad ratings, the extra-window
		// suggestion (store.ScanDutyAlerts). Every 20 seconds, so that an
		// alert comes within a minute of its threshold.
		{"duty alerts", shared(db, dutyScanPeriod, true, log, "duty alerts", func(ctx context.Context) error {
			return forEachHall(ctx, db, log, "duty alerts", func(id int64) error { _, err := db.ScanDutyAlerts(ctx, id); return err })
		})},
		// Complaint deadlines: reminders before, overdue flags after
		// (store.RemindComplaints, idempotent).
		{"complaint reminders", shared(db, 10*time.Minute, true, log, "complaint reminders", func(ctx context.Context) error {
			return forEachHall(ctx, db, log, "complaint reminders", func(id int64) error { _, err := db.RemindComplaints(ctx, id); return err })
		})},
		// Derives the integrity alerts (廉政风险点) of every hall from the
		// ledger, tickets, devices and audit log (store.ScanIntegrity is
		// idempotent: an unchanged finding changes nothing).
		{"integrity scan", shared(db, 5*time.Minute, true, log, "integrity scan", func(ctx context.Context) error {
			halls, err := db.ListHalls(ctx)
			if err != nil {
				return err
			}
			sys := store.WithActor(ctx, store.Actor{Name: "system", Role: "system", Source: "integrity scan"})
			for _, h := range halls {
				if _, err := db.ScanIntegrity(sys, h.ID); err != nil && ctx.Err() == nil {
					log.Warn("integrity scan", "hall", h.ID, "err", err)
				}
			}
			return nil
		})},
		// Bookings whose check-in window has passed become no-shows.
		{"appointment no-shows", shared(db, time.Minute, false, log, "appointment no-shows", func(ctx context.Context) error {
			_, err := db.MarkAppointmentNoShows(ctx)
			return err
		})},
		// Recomputes the report rollups of the hall-days that writes marked
		// stale (store/rollup.go); reports flush too, so this only keeps the
		// work small. At start, so that marks left by a crash are taken.
		{"rollups", shared(db, 30*time.Second, true, log, "rollups", func(ctx context.Context) error {
			_, err := db.FlushRollups(ctx)
			return err
		})},
	}
	if baseURL != "" {
		// Sends the SMS rating invitation of completed, unrated cases
		// (store.InviteUnrated, once per case); the link needs the public
		// address, so without --base-url there is no such loop.
		base := strings.TrimRight(baseURL, "/")
		jobs = append(jobs, job{"rating invitations", shared(db, 10*time.Minute, true, log, "rating invitations", func(ctx context.Context) error {
			halls, err := db.ListHalls(ctx)
			if err != nil {
				return err
			}
			for _, h := range halls {
				if _, err := db.InviteUnrated(ctx, h.ID, base); err != nil && ctx.Err() == nil {
					log.Warn("rating invitations", "hall", h.ID, "err", err)
				}
			}
			return nil
		})})
	}
	if traffic != nil {
		// The living demo hall: simulated citizens and clerks through the
		// same store operations as people (internal/demo/traffic.go).
		opts := *traffic
		jobs = append(jobs, job{"demo traffic", func(ctx context.Context) {
			if err := demo.RunTraffic(ctx, db, opts); err != nil && ctx.Err() == nil {
				log.Error("demo traffic stopped", "err", err)
			}
		}})
	}
	if keyFile != "" {
		// Reloads the personal-data key ring when its file changes.
		jobs = append(jobs, job{"pii key file", func(ctx context.Context) { watchKeyFile(ctx, keyFile, db, log) }})
	}
	return jobs
}

// forEachHall runs fn for every hall, logging a hall's error and going on.
func forEachHall(ctx context.Context, db *store.DB, log *slog.Logger, name string, fn func(int64) error) error {
	halls, err := db.ListHalls(ctx)
	if err != nil {
		return err
	}
	for _, h := range halls {
		if err := fn(h.ID); err != nil && ctx.Err() == nil {
			log.Warn(name, "hall", h.ID, "err", err)
		}
	}
	return nil
}

// shared is every for a job that walks the whole database (every hall):
// with several instances on one database each period's run is taken by
// one of them (store.ClaimJob), so that N instances do not scan every hall
// N times a period. The run at start is taken regardless: an instance
// that starts does its start-up work at once (the jobs are idempotent).
func shared(db *store.DB, period time.Duration, now bool, log *slog.Logger, name string, fn func(context.Context) error) func(context.Context) {
	start := now // read and written only by the loop's goroutine
	return every(period, now, log, name, func(ctx context.Context) error {
		force := start
		start = false
		taken, err := db.ClaimJob(ctx, name, period, force)
		if err != nil || !taken {
			return err
		}
		return fn(ctx)
	})
}

// every returns a loop that runs fn each period (and once at start when
// now is set) until ctx ends, logging its errors under name.
// dutyScanPeriod is how often the duty alerts are scanned: an alert comes
// at most this long after its threshold (issue 14: within a minute).
const dutyScanPeriod = 20 * time.Second

func every(period time.Duration, now bool, log *slog.Logger, name string, fn func(context.Context) error) func(context.Context) {
	return func(ctx context.Context) {
		t := time.NewTicker(period)
		defer t.Stop()
		run := func() {
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				log.Warn(name, "err", err)
			}
		}
		if now {
			run()
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				run()
			}
		}
	}
}
