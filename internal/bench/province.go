package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/sim"
)

// ProvinceConfig is a province-scale run on PostgreSQL (`mingbai bench
// province`, issue 18): many halls like the demo hall in one database,
// the simulator's arrivals played at a speed-up through two `mingbai
// serve` processes, with thousands of hall screens connected to both.
type ProvinceConfig struct {
	PG       string
	Exe      string  // the mingbai binary (serve, bench province-screens)
	Halls    int     // halls of the main run
	Speed    float64 // scenario minutes per wall minute
	StartAt  string  // the scenario's clock at the start ("10:00")
	Duration time.Duration
	Screens  int
	Scenario string
	Seed     uint64
	// Warmup is how many scenario minutes of arrivals before StartAt are
	// issued before the measurement (the queue a running hall has).
	Warmup float64
	// TransferShare of the services end in a transfer to another item of
	// the zone; CaseShare of the finished ones in an accepted case.
	TransferShare, CaseShare float64
	// Headroom are the hall counts of the headroom search (each run for
	// StepDuration; it stops at the first that fails), none: no search.
	Headroom     []int
	StepDuration time.Duration
	Limit        time.Duration // the p99 every operation must stay within
	Instances    int
}

// ProvinceMain is `mingbai bench province`.
func ProvinceMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench province", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg ProvinceConfig
	var steps string
	find := fs.Bool("find-headroom", true, "search the highest number of halls held with p99 ≤ --limit (see --steps)")
	fs.StringVar(&cfg.PG, "pg", os.Getenv("MINGBAI_TEST_PG"), "PostgreSQL DSN (a fresh schema is made and dropped); default $MINGBAI_TEST_PG")
	fs.IntVar(&cfg.Halls, "halls", 200, "halls of the main run")
	fs.Float64Var(&cfg.Speed, "speed", 10, "speed-up of the scenario (10: a scenario minute in 6 s)")
	fs.StringVar(&cfg.StartAt, "start", "10:00", "the scenario's clock at the start")
	fs.DurationVar(&cfg.Duration, "duration", 60*time.Second, "wall time of the measured main run")
	fs.IntVar(&cfg.Screens, "screens", 10000, "hall screens connected over both instances")
	fs.StringVar(&cfg.Scenario, "scenario", "reference", "simulator scenario of every hall")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the day traces")
	fs.Float64Var(&cfg.Warmup, "warmup", 15, "scenario minutes of arrivals before --start issued before the measurement")
	fs.Float64Var(&cfg.TransferShare, "transfer-share", 0.03, "share of services that end in a transfer")
	fs.Float64Var(&cfg.CaseShare, "case-share", 0.5, "share of finished services that accept a case")
	fs.StringVar(&steps, "steps", "10,20,50,100,200,400", "hall counts of the headroom search")
	fs.DurationVar(&cfg.StepDuration, "step-duration", 15*time.Second, "wall time of each headroom step")
	fs.DurationVar(&cfg.Limit, "limit", 100*time.Millisecond, "p99 every operation must stay within")
	fs.IntVar(&cfg.Instances, "instances", 2, "mingbai serve processes")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *find {
		ns, err := floats(steps)
		if err != nil {
			fmt.Fprintln(stderr, "bench province: --steps:", err)
			return 2
		}
		for _, n := range ns {
			cfg.Headroom = append(cfg.Headroom, int(n))
		}
	}
	if cfg.PG == "" {
		fmt.Fprintln(stderr, "bench province: needs PostgreSQL: --pg or $MINGBAI_TEST_PG")
		return 2
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "bench province:", err)
		return 1
	}
	cfg.Exe = exe
	if _, err := Province(context.Background(), cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "bench province:", err)
		return 1
	}
	return 0
}

// ProvinceResult is what a province run measured.
type ProvinceResult struct {
	Main     StepResult
	Headroom []StepResult
	// Held is the largest hall count of the search that held (0: none).
	Held int
}

// StepResult is one measured run of N halls.
type StepResult struct {
	Halls   int
	Elapsed time.Duration
	Ops     map[string]Result
	Empty   int64 // calls that found nothing waiting
	Lag     Result
	// Screens: connected, failed after connecting, events expected (the
	// calls in their halls) and missed.
	Screens, ScreensFailed int
	Expected, Missed       int64
	CPU                    []procFigure
	// LockWaits is the mean number of the servers' backends waiting on a
	// lock, AuditWaits those waiting on the audit chain's advisory lock.
	LockWaits, AuditWaits float64
}

type procFigure struct {
	name string
	cpu  time.Duration
	rss  int64 // bytes; 0: not read
}

// Total is the operations completed.
func (s StepResult) Total() (n, errs int) {
	for _, r := range s.Ops {
		n += r.Ops
		errs += r.Errors
	}
	return n, errs
}

// minForP99 is the fewest requests whose p99 is not simply their
// slowest: below it one descheduled request decides the figure.
const minForP99 = 100

// Worst is the largest p99 of the operations with at least minForP99
// requests, and which ("" when none has that many).
func (s StepResult) Worst() (time.Duration, string) {
	var w time.Duration
	name := ""
	for _, op := range provinceOps {
		if r := s.Ops[op]; r.Ops >= minForP99 && r.P(.99) > w {
			w, name = r.P(.99), op
		}
	}
	return w, name
}

// All is every operation's requests together.
func (s StepResult) All() Result {
	var all Result
	for _, op := range provinceOps {
		all.Lat = append(all.Lat, s.Ops[op].Lat...)
	}
	slices.Sort(all.Lat)
	all.Ops = len(all.Lat)
	return all
}

// Province runs the main run and the headroom search, and prints the
// tables to out (progress to log).
func Province(ctx context.Context, cfg ProvinceConfig, out, log io.Writer) (ProvinceResult, error) {
	var res ProvinceResult
	step := func(format string, args ...any) {
		fmt.Fprintf(log, "· %s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
	}
	if cfg.Instances < 1 {
		cfg.Instances = 2
	}
	if cfg.Limit <= 0 {
		cfg.Limit = 100 * time.Millisecond
	}
	sc, err := sim.LoadScenario(cfg.Scenario)
	if err != nil {
		return res, err
	}
	plan, err := sc.Compile()
	if err != nil {
		return res, err
	}
	start, err := demo.ClockMinutes(cfg.StartAt)
	if err != nil {
		return res, err
	}
	cfg.Warmup = min(cfg.Warmup, start-plan.Open())
	if lim := RaiseFDLimit(uint64(cfg.Screens + 4096)); lim < uint64(cfg.Screens+1024) {
		return res, fmt.Errorf("open-file limit %d is too low for %d screens", lim, cfg.Screens)
	}
	fmt.Fprintf(out, "mingbai bench province: %s, %d CPUs, %s\n", runtime.Version(), runtime.NumCPU(), runtime.GOOS+"/"+runtime.GOARCH)
	fmt.Fprintf(out, "run %s, commit %s, CPU %s, load average at start %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), commit(), cpuModel(), loadAvg())

	step("seeding %d halls in a fresh PostgreSQL schema", cfg.Halls)
	t0 := time.Now()
	p, err := openProvince(ctx, cfg.PG)
	if err != nil {
		return res, err
	}
	p.errLog = log
	defer p.close()
	if err := p.grow(ctx, cfg.Halls); err != nil {
		return res, err
	}
	step("seeded in %s; starting %d servers", time.Since(t0).Round(time.Second), cfg.Instances)
	var servers []*serveProc
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	var urls []string
	for i := 0; i < cfg.Instances; i++ {
		s, err := p.startServe(ctx, cfg.Exe, i+1)
		if err != nil {
			return res, err
		}
		servers = append(servers, s)
		urls = append(urls, s.url)
	}
	d, err := newDriver(cfg, plan, sc, urls)
	if err != nil {
		return res, err
	}
	// Screen i watches hall i mod N through instance (i / N) mod 2.
	var screenURLs []string
	for _, h := range p.halls[:cfg.Halls] {
		for _, u := range urls {
			screenURLs = append(screenURLs, fmt.Sprintf("%s/api/v1/halls/%d/stream", u, h.id))
		}
	}
	var scr *screenProc
	if cfg.Screens > 0 {
		step("connecting %d screens", cfg.Screens)
		t1 := time.Now()
		if scr, err = startScreens(ctx, cfg.Exe, screenURLs, cfg.Screens); err != nil {
			return res, err
		}
		defer scr.stop()
		n, err := scr.WaitReady(5 * time.Minute)
		if err != nil {
			return res, fmt.Errorf("screens: %w", err)
		}
		step("%d screens connected in %s", n, time.Since(t1).Round(100*time.Millisecond))
	}
	// Every measurement plays halls of its own, seeded and warmed up for
	// it: the main run's halls are left behind its trace when it
	// overloads the servers (requests given up on, clerks whose last call
	// may or may not have committed), and a step that went on with them
	// measured that aftermath, not its own load (errors at 10 halls after
	// an overloaded main run of 200).
	var halls []*hallDriver
	run := func(n int, dur time.Duration) (StepResult, error) {
		first := len(halls)
		if err := p.grow(ctx, first+n); err != nil {
			return StepResult{}, err
		}
		step("%d halls: warming up", n)
		for len(halls) < first+n {
			halls = append(halls, d.newHall(p.halls[len(halls)], start))
		}
		if err := warmAll(ctx, halls[first:], cfg.Warmup); err != nil {
			return StepResult{}, err
		}
		step("%d halls for %s", n, dur)
		return measure(ctx, d, p, servers, scr, halls[first:], first, cfg.Halls, dur)
	}
	if res.Main, err = run(cfg.Halls, cfg.Duration); err != nil {
		return res, err
	}
	for _, n := range cfg.Headroom {
		r, err := run(n, cfg.StepDuration)
		if err != nil {
			return res, err
		}
		res.Headroom = append(res.Headroom, r)
		if !r.held(cfg.Limit) {
			break
		}
		res.Held = n
	}
	printProvince(out, cfg, sc, res)
	if errsOf(res.Main) > 0 {
		for _, s := range servers {
			b, _ := os.ReadFile(s.log.Name())
			fmt.Fprintf(log, "--- end of %s\n%s\n", s.log.Name(), tail(string(b), 3000))
		}
	}
	return res, nil
}

// held is no error, and a p99 within limit of all the step's requests
// together and of each operation with enough requests for a p99 of its
// own. A 15-second step at 10 halls makes about 60 requests of each
// kind, whose "p99" is their slowest: on a quiet machine one request in
// a few hundred took 200–350 ms (three steps of three runs failed on a
// different operation each, with every other request of them under
// 70 ms), while 20 halls for 30 s held at every operation.
func (s StepResult) held(limit time.Duration) bool {
	n, errs := s.Total()
	w, _ := s.Worst()
	return n > 0 && errs == 0 && w <= limit && s.All().P(.99) <= limit
}

// warmAll warms the halls up, 32 at a time.
func warmAll(ctx context.Context, halls []*hallDriver, warmup float64) error {
	sem := make(chan struct{}, 32)
	errs := make(chan error, len(halls))
	var wg sync.WaitGroup
	for _, hd := range halls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := hd.warm(ctx, warmup); err != nil {
				errs <- fmt.Errorf("warm-up of hall %d: %w", hd.h.n, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// measure plays the halls for dur with the recorders on, and reads the
// CPU of every process and the screens' counts around it. The halls are
// the first-th and on of the province; the screens watch the first
// screened (the main run's).
func measure(ctx context.Context, d *driver, p *province, servers []*serveProc, scr *screenProc, halls []*hallDriver, first, screened int, dur time.Duration) (StepResult, error) {
	out := StepResult{Halls: len(halls), Ops: map[string]Result{}}
	for _, op := range provinceOps {
		d.rec[op] = &recorder{}
	}
	d.lag = recorder{}
	d.empty.Store(0)
	for _, hd := range halls {
		hd.calls.Store(0)
	}
	// The servers finish what an earlier step left (requests the load gave
	// up on are still queued at the locks) before the count starts.
	// Idle means idle in three samples in a row: between two groups of a
	// backlog the backends are idle for a moment (a step once began while
	// the main run's backlog still ran, and failed at 10 halls for it).
	for t, quiet := time.Now(), 0; time.Since(t) < time.Minute && quiet < 3; {
		if p.busy(ctx) {
			quiet = 0
		} else {
			quiet++
		}
		time.Sleep(500 * time.Millisecond) // polling PostgreSQL's view of the backends: no event to wait on
	}
	time.Sleep(2 * time.Second) // the events of the warm-up reach the screens before the count
	var before []int64
	var err error
	if scr != nil {
		if before, _, err = scr.counts(); err != nil {
			return out, err
		}
	}
	type proc struct {
		name string
		pids func() []int
	}
	procs := []proc{}
	for i, s := range servers {
		procs = append(procs, proc{fmt.Sprintf("mingbai serve %d", i+1), func() []int { return []int{s.pid()} }})
	}
	procs = append(procs, proc{"PostgreSQL backends of the servers", func() []int { return p.backendPIDs(ctx) }},
		proc{"PostgreSQL, all processes (other users too)", postgresPIDs},
		proc{"load driver (this process)", func() []int { return []int{os.Getpid()} }})
	if scr != nil {
		procs = append(procs, proc{"screens (child process)", func() []int { return []int{scr.pid()} }})
	}
	samples := make([]cpuSample, len(procs))
	for i, pr := range procs {
		samples[i] = sampleCPU(pr.pids())
	}
	// How many of the servers' backends wait on a lock, sampled twice a
	// second (the audit chain's advisory lock is one for the database).
	sctx, stopSampling := context.WithCancel(ctx)
	waits := make(chan [2]int, 1)
	go func() {
		var n, sum, audit int
		for sleepUntil(sctx, time.Now().Add(500*time.Millisecond), nil) {
			w, a := p.lockWaits(sctx)
			n, sum, audit = n+1, sum+w, audit+a
		}
		waits <- [2]int{sum * 100 / max(n, 1), audit * 100 / max(n, 1)}
	}()
	d.measuring.Store(true)
	t0 := time.Now()
	stop := t0.Add(dur)
	var wg sync.WaitGroup
	for _, hd := range halls {
		wg.Add(1)
		go func() { defer wg.Done(); hd.play(ctx, stop) }()
	}
	wg.Wait()
	d.measuring.Store(false)
	out.Elapsed = time.Since(t0)
	stopSampling()
	w := <-waits
	out.LockWaits, out.AuditWaits = float64(w[0])/100, float64(w[1])/100
	for i, pr := range procs {
		now := sampleCPU(pr.pids())
		f := procFigure{name: pr.name, cpu: now.since(samples[i])}
		if len(now) == 1 {
			for pid := range now {
				f.rss = procRSS(pid)
			}
		}
		out.CPU = append(out.CPU, f)
	}
	for _, op := range provinceOps {
		out.Ops[op] = d.rec[op].result(out.Elapsed)
	}
	out.Empty = d.empty.Load()
	out.Lag = d.lag.result(out.Elapsed)
	if scr != nil {
		time.Sleep(2 * time.Second) // the last calls' events reach the screens
		after, failed, err := scr.counts()
		if err != nil {
			return out, err
		}
		out.Screens, out.ScreensFailed = len(after), failed
		// Screen i watches hall (i mod 2N) / 2 of the main run's N (with
		// two instances).
		nu := len(servers) * screened
		for i := range after {
			k := (i%nu)/len(servers) - first
			if k < 0 || k >= len(halls) {
				continue // a hall that did not play in this measurement
			}
			want := halls[k].calls.Load()
			got := after[i] - before[i]
			out.Expected += want
			out.Missed += max(0, want-got)
		}
	}
	return out, nil
}

func printProvince(out io.Writer, cfg ProvinceConfig, sc *sim.Scenario, res ProvinceResult) {
	m := res.Main
	n, _ := m.Total()
	perHallHour, peakHour := scenarioRates(sc, cfg.StartAt)
	fmt.Fprintf(out, "### Province scale: %d halls at %g× (the per-second load of %d halls at 1×), scenario %s from %s, %s measured, %d screens over %d instances\n",
		m.Halls, cfg.Speed, int(float64(m.Halls)*cfg.Speed), cfg.Scenario, cfg.StartAt, m.Elapsed.Round(time.Second), cfg.Screens, cfg.Instances)
	fmt.Fprintf(out, "scenario: %.0f tickets per hall and day, %.1f an hour on average, %.1f in the hour from %s; load average at the end %s\n\n",
		sc.Arrivals.PerDay, perHallHour, peakHour, cfg.StartAt, loadAvg())
	issues := m.Ops["issue"].Rate()
	perTicket := 0.0
	if m.Ops["issue"].Ops > 0 {
		perTicket = float64(n) / float64(m.Ops["issue"].Ops)
	}
	scale := float64(m.Halls) * cfg.Speed / 3600
	fmt.Fprintf(out, "expected at this scale: %.1f tickets/s over the day, %.1f in that hour; measured %.1f tickets/s and %.2f operations per ticket, so %.0f operations/s over the day and %.0f in that hour\n\n",
		perHallHour*scale, peakHour*scale, issues, perTicket, perHallHour*scale*perTicket, peakHour*scale*perTicket)
	t := newTable("operation", "requests", "per s", "errors", "p50", "p99", "max")
	for _, op := range provinceOps {
		r := m.Ops[op]
		name := op
		if op == "call" {
			name = fmt.Sprintf("call (%d found nothing waiting)", m.Empty)
		}
		e := fmt.Sprint(r.Errors)
		if r.Errors > 0 {
			e += " (" + strings.Join(strings.Fields(tail(r.FirstErr.Error(), 160)), " ") + ")"
		}
		t.add(name, r.Ops+r.Errors, r.Rate(), e, r.P(.5), r.P(.99), r.Max())
	}
	t.add("all", n+errsOf(m), float64(n)/m.Elapsed.Seconds(), fmt.Sprint(errsOf(m)), "", "", "")
	t.print(out)
	tp := newTable("process", "CPU s", "cores (average)", "RSS")
	for _, f := range m.CPU {
		rss := "–"
		if f.rss > 0 {
			rss = fmt.Sprintf("%.0f MiB", float64(f.rss)/(1<<20))
		}
		tp.add(f.name, fmt.Sprintf("%.1f", f.cpu.Seconds()), fmt.Sprintf("%.2f", f.cpu.Seconds()/m.Elapsed.Seconds()), rss)
	}
	tp.print(out)
	fmt.Fprintf(out, "servers' PostgreSQL backends waiting on a lock (mean of samples every 0.5 s): %.2f, on the audit chain's advisory lock: %.2f\n\n", m.LockWaits, m.AuditWaits)
	ts := newTable("screens connected", "failed after connecting", "ticket.called expected (calls × screens of the hall)", "missed", "kiosk lag p50", "kiosk lag p99")
	ts.add(m.Screens, m.ScreensFailed, m.Expected, m.Missed, m.Lag.P(.5), m.Lag.P(.99))
	ts.print(out)
	if len(res.Headroom) > 0 {
		fmt.Fprintf(out, "### Province headroom: halls at %g× held with no error and p99 ≤ %s of all requests and of every operation with %d or more (%s a step, halls of its own beyond the main run's, whose screens stay connected)\n", cfg.Speed, ms(cfg.Limit), minForP99, cfg.StepDuration)
		th := newTable("halls", "= halls at 1×", "ops/s", "errors", "p99 (all)", fmt.Sprintf("worst p99 (%d+ requests)", minForP99), "slowest", "kiosk lag p99", "serve CPU (cores)", "PostgreSQL backends (cores)", "waiting on the audit lock", "held")
		for _, r := range res.Headroom {
			n, e := r.Total()
			worst := "–"
			if w, op := r.Worst(); op != "" {
				worst = fmt.Sprintf("%s (%s)", ms(w), op)
			}
			var serve, pg float64
			for _, f := range r.CPU {
				if strings.HasPrefix(f.name, "mingbai serve") {
					serve += f.cpu.Seconds() / r.Elapsed.Seconds()
				}
				if strings.HasPrefix(f.name, "PostgreSQL backends") {
					pg = f.cpu.Seconds() / r.Elapsed.Seconds()
				}
			}
			held := "yes"
			if !r.held(cfg.Limit) {
				held = "NO"
			}
			all := r.All()
			th.add(fmt.Sprint(r.Halls), int(float64(r.Halls)*cfg.Speed), float64(n)/r.Elapsed.Seconds(), e, all.P(.99), worst, all.Max(), r.Lag.P(.99),
				fmt.Sprintf("%.2f", serve), fmt.Sprintf("%.2f", pg), fmt.Sprintf("%.1f", r.AuditWaits), held)
		}
		th.print(out)
		fmt.Fprintf(out, "headroom: %d halls at %g× (%d at 1×)\n\n", res.Held, cfg.Speed, int(float64(res.Held)*cfg.Speed))
	}
}

func errsOf(s StepResult) int { _, e := s.Total(); return e }

// scenarioRates are a hall's tickets an hour over the day and in the hour
// that starts at the clock time.
func scenarioRates(sc *sim.Scenario, at string) (mean, hour float64) {
	w := sc.Arrivals.HourlyWeights
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	if sum == 0 {
		return 0, 0
	}
	open, _ := demo.ClockMinutes(sc.Open)
	start, _ := demo.ClockMinutes(at)
	mean = sc.Arrivals.PerDay / float64(len(w))
	if i := int((start - open) / 60); i >= 0 && i < len(w) {
		hour = sc.Arrivals.PerDay * w[i] / sum
	}
	return mean, hour
}
