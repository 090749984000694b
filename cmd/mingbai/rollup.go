package main

import (
	"fmt"
	"io"
	"time"

	"mingbai/internal/store"
)

// runRollup is `mingbai rollup …`: the daily rollups behind the reports
// (docs/oversight.md, "Reports").
func runRollup(args []string, stdout, stderr io.Writer) int {
	subs := map[string]string{
		"rebuild": "rebuild: recompute every hall-day's rollups from the raw rows (tickets, cases, ratings), with progress and time",
		"check":   "check: compare the stored rollups with a recomputation from the raw rows; exit 1 when any hall-day differs",
		"flush":   "flush: recompute the hall-days marked stale now (the server does it every 30 seconds)",
	}
	if len(args) == 0 || subs[args[0]] == "" {
		subcommands(stderr, "rollup", subs)
		return 2
	}
	c := newDBCommand("rollup "+args[0], stderr)
	ctx, db, code := c.open(args[1:])
	if db == nil {
		return code
	}
	defer db.Close()
	start := time.Now()
	switch args[0] {
	case "rebuild":
		last := time.Time{}
		n, err := db.RebuildRollups(ctx, func(p store.RebuildProgress) {
			if time.Since(last) < time.Second && p.Done < p.Total {
				return
			}
			last = time.Now()
			fmt.Fprintf(stdout, "%6d / %d hall-days (%3.0f%%), hall %d %s, %s\n", p.Done, p.Total, 100*float64(p.Done)/float64(max(p.Total, 1)), p.HallID, p.Day, p.Elapsed.Round(time.Millisecond))
		})
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "rebuilt the rollups of %d hall-days in %s\n", n, time.Since(start).Round(time.Millisecond))
	case "check":
		bad, n, err := db.CheckRollups(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		for _, b := range bad {
			fmt.Fprintf(stdout, "differs: %s\n", b)
		}
		fmt.Fprintf(stdout, "checked %d hall-days in %s: %d differ\n", n, time.Since(start).Round(time.Millisecond), len(bad))
		if len(bad) > 0 {
			return 1
		}
	case "flush":
		n, err := db.FlushRollups(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "recomputed %d hall-days in %s\n", n, time.Since(start).Round(time.Millisecond))
	}
	return 0
}
