package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"mingbai/internal/soak"
)

// soakLoadSummary is the line of `mingbai soak load` in the soak table
// (cmd/mingbai/soak.go registers runSoakLoad under "load").
const soakLoadSummary = "twice a peak hour's load for a simulated hour with 1,000 screens and phones; errors, missed calls, memory, latency per route (docs/reliability.md)"

// runSoakLoad is `mingbai soak load`.
func runSoakLoad(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("soak load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opt soak.LoadOptions
	fs.StringVar(&opt.Scenario, "scenario", "reference", "simulator scenario the load is scaled from (name or file)")
	fs.Float64Var(&opt.Factor, "factor", 2, "multiple of a peak hour of a peak day")
	fs.DurationVar(&opt.SimDuration, "sim", time.Hour, "simulated duration")
	fs.DurationVar(&opt.Wall, "wall", 2*time.Minute, "wall-clock duration the simulated time is compressed into")
	fs.IntVar(&opt.Clients, "clients", 1000, "screens and phones connected to the hall's event stream")
	fs.IntVar(&opt.Windows, "windows", 0, "windows signed in (0: those staffed in the scenario's peak hour)")
	fs.StringVar(&opt.DSN, "pg", "", "PostgreSQL DSN (postgres://…; a fresh schema is made and dropped); empty: SQLite")
	fs.Uint64Var(&opt.Seed, "seed", 1, "random seed of the arrivals")
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := soak.RunLoad(ctx, opt, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "soak load: %v\n", err)
		return 1
	}
	rep.Markdown(stdout)
	if !rep.OK() {
		fmt.Fprintln(stderr, "soak load: FAILED (errors, missed calls, clients not connected, or memory/goroutines not flat)")
		return 1
	}
	fmt.Fprintln(stderr, "soak load: OK")
	return 0
}

func init() {
	soakSubs["load"] = struct {
		summary string
		run     func(args []string, stdout, stderr io.Writer) int
	}{soakLoadSummary, runSoakLoad}
}
