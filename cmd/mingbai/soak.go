package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"mingbai/internal/soak"
)

// soakSubs are the soaks of `mingbai soak`; each file of a soak adds its
// own (soak_crash here, soakload*.go the load soak) in an init function.
var soakSubs = map[string]struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}{}

func runSoak(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || soakSubs[args[0]].run == nil {
		fmt.Fprintf(stderr, "Usage: mingbai soak SOAK [flags]\n\n")
		names := make([]string, 0, len(soakSubs))
		for n := range soakSubs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(stderr, "  %-14s %s\n", n, soakSubs[n].summary)
		}
		return 2
	}
	return soakSubs[args[0]].run(args[1:], stdout, stderr)
}

func init() {
	soakSubs["crash"] = struct {
		summary string
		run     func(args []string, stdout, stderr io.Writer) int
	}{"kill -9 the server under a mixed load, restart, repeat; then check every acknowledged write (docs/reliability.md)", runSoakCrash}
}

func runSoakCrash(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("soak crash", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg soak.CrashConfig
	fs.IntVar(&cfg.Cycles, "cycles", 50, "kill -9 cycles")
	fs.IntVar(&cfg.Windows, "windows", 6, "windows worked by clerks (1…22)")
	fs.IntVar(&cfg.Issuers, "kiosks", 2, "kiosks issuing tickets")
	fs.IntVar(&cfg.MinAcks, "min-acks", 10, "writes acknowledged in a cycle before its kill (at most 20 s more)")
	fs.DurationVar(&cfg.MinRun, "min-run", 300*time.Millisecond, "shortest time under load before a kill")
	fs.DurationVar(&cfg.MaxRun, "max-run", 2*time.Second, "longest time under load before a kill")
	fs.StringVar(&cfg.DSN, "pg", "", "PostgreSQL DSN (postgres://…; a fresh schema is made and dropped); empty: SQLite")
	fs.StringVar(&cfg.Sync, "synchronous", "FULL", "SQLite synchronous mode of the server")
	fs.StringVar(&cfg.Dir, "dir", "", "working directory (kept; default a temporary one, removed)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed (0: from the clock)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the working directory and the PostgreSQL schema afterwards")
	bin := fs.String("bin", "", "the mingbai binary to soak (default: this one)")
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	if cfg.Bin = *bin; cfg.Bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return fail(stderr, err)
		}
		cfg.Bin = exe
	}
	cfg.Log = stderr
	res, err := soak.Crash(cliContext(), cfg)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, soak.TableHeader)
	fmt.Fprintln(stdout, res.Row())
	return report(stdout, res.Problems, res.OK())
}
