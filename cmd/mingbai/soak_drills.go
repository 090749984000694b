package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"mingbai/internal/soak"
)

func init() {
	add := func(name, summary string, run func([]string, io.Writer, io.Writer) int) {
		soakSubs[name] = struct {
			summary string
			run     func(args []string, stdout, stderr io.Writer) int
		}{summary, run}
	}
	add("instance-loss", "two servers on PostgreSQL, kill -9 one under load; screens move to the other and miss no call", runSoakInstanceLoss)
	add("backup", "online backup under load (SQLite backup or pg_dump), restore into a fresh place, check it", runSoakBackup)
	add("failover", "load through a multi-host DSN while --kill takes the primary away (scripts/drill-failover.sh)", runSoakFailover)
}

// drillFlags are the flags every drill has.
type drillFlags struct {
	*flag.FlagSet
	pg, dir, bin string
}

func newDrillFlags(name string, stderr io.Writer) *drillFlags {
	f := &drillFlags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.SetOutput(stderr)
	f.StringVar(&f.pg, "pg", "", "PostgreSQL DSN (postgres://…; a fresh schema is made and dropped)")
	f.StringVar(&f.dir, "dir", "", "working directory (kept; default a temporary one, removed)")
	f.StringVar(&f.bin, "bin", "", "the mingbai binary to run (default: this one)")
	return f
}

func (f *drillFlags) parse(args []string, stderr io.Writer) bool {
	if err := parseFlags(f.FlagSet, args); err != nil {
		return false
	}
	if f.bin == "" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(stderr, "mingbai:", err)
			return false
		}
		f.bin = exe
	}
	return true
}

func logTo(w io.Writer) func(string, ...any) {
	return func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
}

func runSoakInstanceLoss(args []string, stdout, stderr io.Writer) int {
	f := newDrillFlags("soak instance-loss", stderr)
	screens := f.Int("screens", 3, "screens on the instance that dies")
	before := f.Duration("before", 2*time.Second, "load before the kill")
	if !f.parse(args, stderr) {
		return 2
	}
	res, err := soak.InstanceLoss(cliContext(), soak.InstanceLossConfig{Bin: f.bin, Dir: f.dir, DSN: f.pg, Screens: *screens, Before: *before, Log: logTo(stderr)})
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, soak.TableHeader)
	fmt.Fprintln(stdout, res.Row())
	fmt.Fprintf(stdout, "screens of the dead instance resumed on the other %v after the kill\n", res.Resume.Round(time.Millisecond))
	return report(stdout, res.Problems, res.OK())
}

func runSoakBackup(args []string, stdout, stderr io.Writer) int {
	f := newDrillFlags("soak backup", stderr)
	if !f.parse(args, stderr) {
		return 2
	}
	res, err := soak.BackupDrill(cliContext(), f.bin, f.dir, f.pg)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, res.Row())
	return report(stdout, res.Problems, len(res.Problems) == 0 && res.Missing == 0)
}

func runSoakFailover(args []string, stdout, stderr io.Writer) int {
	f := newDrillFlags("soak failover", stderr)
	kill := f.String("kill", "", "shell command that takes the primary away")
	before := f.Duration("before", 5*time.Second, "load before the kill")
	after := f.Duration("wait", 2*time.Minute, "the longest wait for writes to come back")
	if !f.parse(args, stderr) {
		return 2
	}
	if f.pg == "" || *kill == "" {
		fmt.Fprintln(stderr, "mingbai soak failover: --pg (a multi-host DSN) and --kill are required")
		return 2
	}
	res, err := soak.Failover(cliContext(), soak.FailoverConfig{Bin: f.bin, Dir: f.dir, DSN: f.pg, Kill: *kill, Before: *before, After: *after, Log: logTo(stderr)})
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, soak.TableHeader)
	fmt.Fprintln(stdout, res.Row())
	fmt.Fprintf(stdout, "writes acknowledged again %v after the primary was killed; %d answers 5xx meanwhile\n", res.Outage.Round(time.Millisecond), res.Status5xx)
	return report(stdout, res.Problems, res.Intact())
}

func report(stdout io.Writer, problems []string, ok bool) int {
	for _, p := range problems {
		fmt.Fprintln(stdout, "PROBLEM:", p)
	}
	if !ok {
		return 1
	}
	return 0
}
