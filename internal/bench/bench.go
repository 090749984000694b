// Package bench measures the mingbai server on this machine: ticket issue,
// call and finish over HTTP beside the raw limit of net/http and SQLite,
// latency at fixed arrival rates, server-sent-event fan-out to thousands of
// screens and the monthly report over a million tickets. Every server runs
// on 127.0.0.1 in this process, every load is bounded in count and time.
// `mingbai bench` prints the tables (docs/benchmarks.md, section 5).
package bench

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// Config selects what to measure.
type Config struct {
	Duration    time.Duration // each closed-loop and fixed-rate run
	Concurrency int           // clients of the closed loops
	Windows     int           // windows looping call → start → finish
	Rates       []float64     // fixed arrival rates (issues/s)
	Clients     []int         // fan-out sizes
	PG          string        // PostgreSQL DSN; "" skips PostgreSQL
	Tickets     int           // historical tickets for the report
	Runs        int           // report runs (median)
	Skip        map[string]bool
	// Engines limits the issue and call runs (and their raw limits) to
	// these engines (sqlite-full, sqlite-normal, postgres); nil runs all.
	Engines map[string]bool
	// LongQueue is the waiting queue of the second issue run, ScreenQueue
	// the one the screens connect to in the second fan-out run (zero: the
	// defaults of issue 18, 3,000 and 10,000).
	LongQueue, ScreenQueue int
	// ClientExe runs `mingbai bench fanout-clients` (the fan-out clients
	// in a child process); nil keeps them in this process.
	ClientExe []string
}

// Sections are the parts of a run, in order.
var Sections = []string{"raw", "issue", "call", "rates", "fanout", "report"}

// Main is `mingbai bench`.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "fanout-clients":
			return ClientsMain(args[1:], stdout)
		case "province":
			return ProvinceMain(args[1:], stdout, stderr)
		case "province-screens":
			return ScreensMain(args[1:], os.Stdin, stdout)
		}
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var rates, clients, skip, cpuprofile, engines string
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Second, "length of each closed-loop and fixed-rate run")
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "concurrent clients of the issue runs")
	fs.IntVar(&cfg.Windows, "windows", 22, "windows that loop call → start → finish (1…22)")
	fs.StringVar(&rates, "rates", "20,50,100,200", "fixed arrival rates for the latency table (issues/s)")
	fs.StringVar(&clients, "clients", "1000,10000", "numbers of connected screens for the fan-out")
	fs.StringVar(&cfg.PG, "pg", os.Getenv("MINGBAI_TEST_PG"), "PostgreSQL DSN (a fresh schema is made and dropped); default $MINGBAI_TEST_PG; empty skips PostgreSQL")
	fs.IntVar(&cfg.Tickets, "tickets", 1_000_000, "historical tickets for the monthly report")
	fs.IntVar(&cfg.Runs, "runs", 7, "runs of the report query (the median is shown)")
	fs.IntVar(&cfg.LongQueue, "long-queue", DefaultLongQueue, "tickets waiting during the second issue run")
	fs.IntVar(&cfg.ScreenQueue, "screen-queue", DefaultScreenQueue, "tickets waiting while the screens of the second fan-out run connect")
	fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (servers and clients: one process) to this file")
	fs.StringVar(&engines, "engines", "", "comma-separated engines of the raw, issue and call sections: sqlite-full,sqlite-normal,postgres (default: all; postgres needs --pg)")
	fs.StringVar(&skip, "skip", "", "comma-separated sections to skip: "+strings.Join(Sections, ","))
	all := fs.Bool("all", false, "also run `mingbai bench province` with its defaults after the other sections (needs --pg): one output for docs/benchmarks.md")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if cfg.Rates, err = floats(rates); err != nil {
		fmt.Fprintln(stderr, "bench: --rates:", err)
		return 2
	}
	cs, err := floats(clients)
	if err != nil {
		fmt.Fprintln(stderr, "bench: --clients:", err)
		return 2
	}
	for _, c := range cs {
		cfg.Clients = append(cfg.Clients, int(c))
	}
	cfg.Skip = map[string]bool{}
	for _, s := range strings.Split(skip, ",") {
		if s = strings.TrimSpace(s); s != "" {
			known := false
			for _, k := range Sections {
				known = known || k == s
			}
			if !known {
				fmt.Fprintf(stderr, "bench: unknown section %q (sections: %s)\n", s, strings.Join(Sections, ","))
				return 2
			}
			cfg.Skip[s] = true
		}
	}
	for _, e := range strings.Split(engines, ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if e != "sqlite-full" && e != "sqlite-normal" && e != "postgres" {
			fmt.Fprintf(stderr, "bench: unknown engine %q (engines: sqlite-full,sqlite-normal,postgres)\n", e)
			return 2
		}
		if cfg.Engines == nil {
			cfg.Engines = map[string]bool{}
		}
		cfg.Engines[e] = true
	}
	if cfg.Duration <= 0 || cfg.Duration > 10*time.Minute || cfg.Concurrency < 1 || cfg.Concurrency > 1000 || cfg.Windows < 1 || cfg.Windows > 22 ||
		cfg.Tickets < 1 || cfg.Tickets > 20_000_000 || cfg.Runs < 1 || cfg.Runs > 100 {
		fmt.Fprintln(stderr, "bench: a flag is out of range (duration ≤ 10m, concurrency 1…1000, windows 1…22, tickets ≤ 20,000,000, runs 1…100)")
		return 2
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "bench: --cpuprofile:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "bench: --cpuprofile:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	if exe, err := os.Executable(); err == nil {
		cfg.ClientExe = []string{exe, "bench", "fanout-clients"}
	}
	if *all && cfg.PG == "" {
		fmt.Fprintln(stderr, "bench: --all runs the province section on PostgreSQL: give --pg or $MINGBAI_TEST_PG")
		return 2
	}
	if err := Run(context.Background(), cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if *all {
		fmt.Fprintln(stdout, "### 7. Province scale (mingbai bench province, defaults)")
		return ProvinceMain([]string{"--pg", cfg.PG}, stdout, stderr)
	}
	return 0
}

func floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v <= 0 || v > 100_000 {
			return nil, fmt.Errorf("bad value %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// Run measures the sections of cfg and prints a table for each to out;
// progress goes to log.
func Run(ctx context.Context, cfg Config, out, log io.Writer) error {
	if cfg.LongQueue <= 0 {
		cfg.LongQueue = DefaultLongQueue
	}
	if cfg.ScreenQueue <= 0 {
		cfg.ScreenQueue = DefaultScreenQueue
	}
	fmt.Fprintf(out, "mingbai bench: %s, %d CPUs (GOMAXPROCS %d), %s; duration %s, concurrency %d\n",
		runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS+"/"+runtime.GOARCH, cfg.Duration, cfg.Concurrency)
	fmt.Fprintf(out, "run %s, commit %s, CPU %s, load average at start %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), commit(), cpuModel(), loadAvg())
	step := func(format string, args ...any) { fmt.Fprintf(log, "· "+format+"\n", args...) }
	var engines []Engine
	for _, e := range []Engine{{Name: "sqlite-full", Sync: "FULL"}, {Name: "sqlite-normal", Sync: "NORMAL"}, {Name: "postgres", DSN: cfg.PG}} {
		if (e.Sync != "" || e.DSN != "") && (cfg.Engines == nil || cfg.Engines[e.Name]) {
			engines = append(engines, e)
		}
	}
	var sum summary
	if !cfg.Skip["raw"] || !cfg.Skip["issue"] || !cfg.Skip["call"] {
		tr := newTable("raw limit: net/http + one insert", "engine", "synchronous", "clients", "requests", "errors", "req/s", "p50", "p99")
		ti := newTable("ticket issue over HTTP", "waiting before", "clients", "tickets", "errors", "req/s", "p50", "p99", "raw req/s", "ratio")
		tc := newTable("call → start → finish", "windows", "cycles", "cycles/s", "ops/s", "call p50", "call p99", "start p50", "finish p50", "finish p99", "cycle p99", "raw req/s", "ops ratio")
		for _, e := range engines {
			step("issue and call on %s, in turns with its raw limit", e.Name)
			b, err := startBaseline(ctx, e, cfg.Concurrency)
			if err != nil {
				return fmt.Errorf("raw limit on %s: %w", e.Name, err)
			}
			err = engineRuns(ctx, e, cfg, b, ti, tc, &sum, step)
			if err == nil && cfg.Skip["issue"] && cfg.Skip["call"] {
				b.run(ctx, cfg.Duration) // the raw limit alone
			}
			b.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", e.Name, err)
			}
			r, engine := b.all, "sqlite"
			if e.DSN != "" {
				engine = "postgres"
			}
			sync := b.sync
			if e.DSN != "" {
				sync = "synchronous_commit=" + sync
			}
			tr.add("bare handler, tickets-shaped table", engine, sync, cfg.Concurrency, r.Ops, r.Errors, r.Rate(), r.P(.5), r.P(.99))
		}
		fmt.Fprintln(out, "### 1. Raw limit (all the turns taken on each engine; each run below is compared with its own turns)")
		tr.print(out)
		if !cfg.Skip["issue"] {
			fmt.Fprintf(out, "### 2. Ticket issue end to end, with a short queue and with %d waiting (ratio: to the raw limit of the same engine, measured in turns with the run)\n", cfg.LongQueue)
			ti.print(out)
		}
		if !cfg.Skip["call"] {
			fmt.Fprintln(out, "### 3. Call next, start, finish (each window's staff loops over HTTP; ops ratio: calls+starts+finishes per second to the raw limit of the same engine, measured in turns with the run)")
			tc.print(out)
		}
	}
	if !cfg.Skip["rates"] {
		t := newTable("issues/s (open loop)", "sent", "ok", "errors", "p50", "p90", "p99", "max")
		for _, rate := range cfg.Rates {
			step("fixed rate %g/s", rate)
			r, err := rateRun(ctx, rate, cfg)
			if err != nil {
				return err
			}
			t.add(fmt.Sprintf("%g", rate), r.Ops+r.Errors, r.Ops, errs(r), r.P(.5), r.P(.9), r.P(.99), r.Max())
		}
		fmt.Fprintln(out, "### 4. Ticket issue latency at fixed arrival rates (SQLite FULL, 22 windows open)")
		t.print(out)
	}
	if !cfg.Skip["fanout"] {
		t := newTable("connected screens", "waiting", "connected", "all snapshots after", "call request", "p50", "p99", "max", "missed", "dropped", "heap/screen", "RSS/screen")
		for _, n := range cfg.Clients {
			for _, waiting := range []int{0, cfg.ScreenQueue} {
				if waiting > 0 && n != cfg.Clients[len(cfg.Clients)-1] {
					continue // the long queue with the largest number of screens only
				}
				step("fan-out to %d clients, %d waiting", n, waiting)
				r, err := Fanout(ctx, n, waiting, cfg.ClientExe)
				if err != nil {
					return err
				}
				where := " (client+server)"
				if r.Separate {
					where = ""
				}
				t.add(fmt.Sprint(n), waiting, r.Connected, r.ConnectTime, r.Call, r.Lat.P(.5), r.Lat.P(.99), r.Lat.Max(), r.Missed, r.Dropped,
					fmt.Sprintf("%.1f KiB%s", r.PerConn/1024, where), fmt.Sprintf("%.1f KiB%s", r.PerConnRSS/1024, where))
				// The target is met by the larger of the two measures.
				mem := max(r.PerConn, r.PerConnRSS)
				if n == cfg.Clients[len(cfg.Clients)-1] {
					if waiting == 0 {
						sum.connectEmpty, sum.perScreen, sum.fanP99, sum.screens = r.ConnectTime, mem, r.Lat.P(.99), n
					} else {
						sum.connectLong = r.ConnectTime
						sum.perScreen = max(sum.perScreen, mem)
						sum.fanP99 = max(sum.fanP99, r.Lat.P(.99))
					}
				}
			}
		}
		fmt.Fprintln(out, "### 5. Server-sent-event fan-out: from the call until each screen has ticket.called (memory: the server process's growth per connected screen, Go heap+stacks after GC and VmRSS after returning free pages to the OS)")
		t.print(out)
	}
	if !cfg.Skip["report"] {
		step("monthly report: generating %d tickets", cfg.Tickets)
		r, err := MonthlyReport(ctx, cfg.Tickets, cfg.Runs)
		if err != nil {
			return err
		}
		t := newTable("monthly report (SQLite)", "tickets", "items", "days", "generated in", "runs", "median", "min", "max", "target", "ratio")
		t.add(ReportMonth, r.Tickets, r.Items, r.Days, r.Generate.Round(100*time.Millisecond).String(), len(r.Runs), r.Median(), r.Runs[0], r.Runs[len(r.Runs)-1], "1000 ms",
			ratio(float64(r.Median()), float64(time.Second)))
		fmt.Fprintln(out, "### 6. Monthly report over historical tickets of one hall")
		t.print(out)
	}
	sum.print(out, cfg)
	return nil
}

// The default queue lengths of the long-queue runs (issue 18).
const (
	DefaultLongQueue   = 3000
	DefaultScreenQueue = 10000
)

// summary collects the figures the targets are stated in (issue 18).
type summary struct {
	// ratios by engine name (sqlite-full, postgres…)
	ratios                            map[string]*ratios
	connectEmpty, connectLong, fanP99 time.Duration
	perScreen                         float64
	screens                           int
}

func (s summary) print(out io.Writer, cfg Config) {
	t := newTable("target", "measured", "goal", "met")
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "NO"
	}
	// atLeast adds a ratio row when it was measured.
	atLeast := func(name string, r, goal float64) {
		if r > 0 {
			t.add(name, fmt.Sprintf("%.2f", r), fmt.Sprintf("≥ %.2f", goal), yes(r >= goal))
		}
	}
	if r := s.ratios["sqlite-full"]; r != nil {
		atLeast("issue, short queue / raw limit (SQLite FULL)", r.issueShort, 0.70)
		atLeast(fmt.Sprintf("issue, %d waiting / raw limit", cfg.LongQueue), r.issueLong, 0.60)
		atLeast("call+start+finish ops / raw limit", r.calls, 0.70)
	}
	if r := s.ratios["postgres"]; r != nil {
		atLeast("issue, short queue / raw limit (PostgreSQL)", r.issueShort, 0.50)
		atLeast(fmt.Sprintf("issue, %d waiting / raw limit (PostgreSQL)", cfg.LongQueue), r.issueLong, 0.50)
		atLeast("call+start+finish ops / raw limit (PostgreSQL)", r.calls, 0.50)
	}
	if s.connectEmpty > 0 && s.connectLong > 0 {
		r := float64(s.connectLong) / float64(s.connectEmpty)
		t.add(fmt.Sprintf("connect %d screens: %d waiting / none", s.screens, cfg.ScreenQueue), fmt.Sprintf("%.2f", r), "≤ 1.5", yes(r <= 1.5))
	}
	if s.perScreen > 0 {
		kib := s.perScreen / 1024
		t.add("server memory per connected screen (heap or RSS, the larger)", fmt.Sprintf("%.1f KiB", kib), "≤ 24 KiB", yes(kib <= 24))
	}
	if s.fanP99 > 0 {
		t.add(fmt.Sprintf("call → %d screens, p99", s.screens), s.fanP99.Round(time.Millisecond).String(), "≤ 150 ms", yes(s.fanP99 <= 150*time.Millisecond))
	}
	if len(t.rows) == 0 {
		return
	}
	fmt.Fprintf(out, "### Targets (issue 18; %d clients, runs of %s)\n", cfg.Concurrency, cfg.Duration)
	t.print(out)
}

func errs(r Result) string {
	if r.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%v)", r.Errors, r.FirstErr)
}

// engineRuns measures issue (short and long queue) and the call loop on
// one engine, each in turns with the engine's raw limit b, and adds their
// rows and ratios.
func engineRuns(ctx context.Context, e Engine, cfg Config, b *baseline, ti, tc *table, sum *summary, step func(string, ...any)) error {
	rs := &ratios{}
	if sum.ratios == nil {
		sum.ratios = map[string]*ratios{}
	}
	sum.ratios[e.Name] = rs
	c := newClient(max(cfg.Concurrency, cfg.Windows))
	issueTurns := func(op func(context.Context) error, waiting int) float64 {
		var ir Result
		raw := inTurns(cfg.Duration, b.runner(ctx), func(d time.Duration) {
			ir = ir.merge(ClosedLoop(ctx, cfg.Concurrency, d, 0, func(ctx context.Context, _ int) error { return op(ctx) }))
		})
		ti.add(e.Name, waiting, cfg.Concurrency, ir.Ops, errs(ir), ir.Rate(), ir.P(.5), ir.P(.99), raw.Rate(), ratio(ir.Rate(), raw.Rate()))
		return ir.Rate() / raw.Rate()
	}
	if !cfg.Skip["issue"] || !cfg.Skip["call"] {
		err := withHall(ctx, e, c, cfg.Windows, 0, func(h *Hall, staff []windowStaff, op func(context.Context) error) error {
			if !cfg.Skip["issue"] {
				rs.issueShort = issueTurns(op, 0)
			}
			if cfg.Skip["call"] {
				return nil
			}
			waiting, err := h.Waiting(ctx)
			if err != nil {
				return err
			}
			if waiting < minWaiting {
				top := ClosedLoop(ctx, cfg.Concurrency, 10*time.Minute, minWaiting-waiting, func(ctx context.Context, _ int) error { return op(ctx) })
				if top.Errors > 0 {
					return fmt.Errorf("pre-issue: %w", top.FirstErr)
				}
			}
			var cr CallResult
			raw := inTurns(cfg.Duration, b.runner(ctx), func(d time.Duration) { cr = cr.merge(h.CallLoop(ctx, c, staff, d, 0)) })
			name := e.Name
			if cr.RanDry {
				name += " (queue ran dry)"
			}
			ops := float64(cr.Call.Ops+cr.Start.Ops+cr.Finish.Ops) / cr.Cycles.Elapsed.Seconds()
			tc.add(name, cr.Windows, cr.Cycles.Ops, cr.Cycles.Rate(), ops,
				cr.Call.P(.5), cr.Call.P(.99), cr.Start.P(.5), cr.Finish.P(.5), cr.Finish.P(.99), cr.Cycles.P(.99), raw.Rate(), ratio(ops, raw.Rate()))
			rs.calls = ops / raw.Rate()
			return nil
		})
		if err != nil {
			return err
		}
	}
	if cfg.Skip["issue"] {
		return nil
	}
	step("issue on %s with %d waiting", e.Name, cfg.LongQueue)
	return withHall(ctx, e, c, cfg.Windows, cfg.LongQueue, func(_ *Hall, _ []windowStaff, op func(context.Context) error) error {
		rs.issueLong = issueTurns(op, cfg.LongQueue)
		return nil
	})
}

// withHall runs f on a fresh demo hall on engine e with prefill tickets
// waiting and windows signed in.
func withHall(ctx context.Context, e Engine, c *http.Client, windows, prefill int, f func(*Hall, []windowStaff, func(context.Context) error) error) error {
	h, err := StartHall(ctx, e)
	if err != nil {
		return err
	}
	defer h.Close()
	if err := h.Prefill(ctx, prefill); err != nil {
		return fmt.Errorf("prefill: %w", err)
	}
	staff, err := h.SignIn(ctx, c, windows)
	if err != nil {
		return err
	}
	return f(h, staff, h.issueOp(c, 1))
}

// ratios are an engine's figures to its raw limit, measured in turns with
// each run (zero: not measured).
type ratios struct{ issueShort, issueLong, calls float64 }

// minWaiting is the least number of waiting tickets the call loop starts
// with (topped up after the issue run when needed).
const minWaiting = 300

func rateRun(ctx context.Context, rate float64, cfg Config) (Result, error) {
	h, err := StartHall(ctx, Engine{Name: "sqlite-full", Sync: "FULL"})
	if err != nil {
		return Result{}, err
	}
	defer h.Close()
	c := newClient(256)
	if _, err := h.SignIn(ctx, c, 22); err != nil {
		return Result{}, err
	}
	op := h.issueOp(c, uint64(rate))
	return OpenLoop(ctx, rate, cfg.Duration, 1000, op), nil
}

// commit is the VCS revision the binary was built from ("+dirty" when the
// tree had changes), "unknown" without build information.
func commit() string {
	rev, dirty := "unknown", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
				if len(rev) > 12 {
					rev = rev[:12]
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if rev == "unknown" {
		// Built without VCS stamping (e.g. in a git worktree): ask git about
		// the working directory, when it is a checkout.
		if out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output(); err == nil {
			rev = strings.TrimSpace(string(out))
			// Changes not committed yet (files git does not track, such
			// as the binary itself, are not changes of the code).
			if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
				rev += " with uncommitted changes"
			}
			return rev + " (git in the working directory)"
		}
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if _, v, ok := strings.Cut(l, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// loadAvg is the 1, 5 and 15 minute load average (other processes share
// the machine: figures taken under load are lower than on a quiet one).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
