package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"mingbai/internal/bench"
	"mingbai/internal/sim"
)

// LoadOptions configure `mingbai soak load`.
type LoadOptions struct {
	// Scenario is the simulator scenario the load is scaled from
	// (default "reference", the demo hall).
	Scenario string
	// Factor multiplies a peak hour of a peak day (default 2).
	Factor float64
	// SimDuration is the simulated time (default one hour), run in Wall
	// (default 2 minutes): the hall's clock runs SimDuration/Wall times
	// faster, and so do service times and phones' polling.
	SimDuration, Wall time.Duration
	// Clients is the number of connected screens and phones on the hall's
	// event stream (default 1,000).
	Clients int
	// Windows is the number of windows signed in (default: the staffed
	// windows of the scenario's peak hour).
	Windows int
	// DSN selects PostgreSQL (a fresh schema in that server); empty: SQLite.
	DSN string
	// Seed makes the arrivals repeatable (0: fixed seed 1).
	Seed uint64
}

// LoadRoute is the latency of one route under the load.
type LoadRoute struct {
	Route              string
	N, Errors          int
	P50, P95, P99, Max time.Duration
}

// LoadReport is the outcome of a load soak.
type LoadReport struct {
	Engine                         string
	Tickets, PeakHourTickets       int // issued; a peak hour of a peak day of the scenario
	Clients, Connected             int
	Windows                        int
	SimDuration, Wall              time.Duration
	Requests, Errors               int
	FirstError                     string
	Calls, MissedCalls             int // ticket.called events; (client, call) pairs not seen
	Reconnects                     int64
	HeapStart, HeapEnd             uint64
	GoroutinesStart, GoroutinesEnd int
	Routes                         []LoadRoute
}

// OK reports whether the soak met its bar: no error, no missed call,
// every client connected, heap and goroutines flat (goroutines within 5 %
// + 20, heap within 1.5× + 16 MiB of the start).
func (r LoadReport) OK() bool {
	return r.Errors == 0 && r.MissedCalls == 0 && r.Connected == r.Clients && r.Tickets > 0 &&
		r.GoroutinesEnd <= r.GoroutinesStart+r.GoroutinesStart/20+20 &&
		float64(r.HeapEnd) <= 1.5*float64(r.HeapStart)+16<<20
}

// loadRecorder gathers per-route latencies and errors.
type loadRecorder struct {
	mu    sync.Mutex
	lat   map[string][]time.Duration
	errs  map[string]int
	first string
}

func (r *loadRecorder) add(route string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errs[route]++
		if r.first == "" {
			r.first = route + ": " + err.Error()
		}
		return
	}
	r.lat[route] = append(r.lat[route], d)
}

type loadStatusError struct {
	status int
	body   string
}

func (e *loadStatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

// do sends one request and decodes a 2xx JSON answer into out.
func (l *loadRun) do(ctx context.Context, route, method, path, token string, body, out any) error {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.hall.URL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	t0 := time.Now()
	resp, err := l.client.Do(req)
	if err == nil {
		var b []byte
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case err != nil:
		case resp.StatusCode == 404 && route == "call":
			// Nothing to call: an idle window, not an error.
			return errNothingWaiting
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			err = &loadStatusError{resp.StatusCode, string(b[:min(len(b), 300)])}
		case out != nil:
			err = json.Unmarshal(b, out)
		}
	}
	if ctx.Err() != nil && err != nil {
		return err // the soak is ending: not the server's error
	}
	l.rec.add(route, time.Since(t0), err)
	return err
}

var errNothingWaiting = errors.New("nothing waiting")

type loadRun struct {
	opt    LoadOptions
	hall   *bench.Hall
	client *http.Client
	rec    *loadRecorder
	speed  float64 // simulated seconds per wall second
	mu     sync.Mutex
	tracks []string // tracking tokens of waiting tickets (phones poll them)
}

// peakHour returns the tickets of the peak hour of a peak day (mean plus
// two standard deviations of the daily demand) and the windows staffed in
// that hour.
func peakHour(sc *sim.Scenario) (tickets float64, windows int) {
	w := sc.Arrivals.HourlyWeights
	sum, peak, at := 0.0, 0.0, 0
	for i, x := range w {
		sum += x
		if x > peak {
			peak, at = x, i
		}
	}
	day := sc.Arrivals.PerDay * (1 + 2*sc.Arrivals.DailyCV)
	open, _ := time.Parse("15:04", sc.Open)
	hour := open.Add(time.Duration(at) * time.Hour).Format("15:04")
	for _, win := range sc.Windows {
		if len(win.Shifts) == 0 {
			continue
		}
		for _, s := range win.Shifts {
			from, to, _ := strings.Cut(s, "-")
			if from <= hour && hour < to {
				windows++
				break
			}
		}
	}
	return day * peak / sum, windows
}

// RunLoad runs the load soak: a real server on a fresh database with the
// demo hall; Clients screens and phones connected to the hall's event
// stream; kiosks issuing Factor × a peak hour's tickets as a Poisson
// stream over the simulated duration; window staff calling, starting and
// finishing them with the scenario's service times; phones polling their
// tickets and kiosks reading the board. Then every screen must have seen
// every call.
func RunLoad(ctx context.Context, opt LoadOptions, progress io.Writer) (LoadReport, error) {
	if opt.Scenario == "" {
		opt.Scenario = "reference"
	}
	if opt.Factor <= 0 {
		opt.Factor = 2
	}
	if opt.SimDuration <= 0 {
		opt.SimDuration = time.Hour
	}
	if opt.Wall <= 0 {
		opt.Wall = 2 * time.Minute
	}
	if opt.Clients < 0 {
		opt.Clients = 0
	} else if opt.Clients == 0 {
		opt.Clients = 1000
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	sc, err := sim.LoadScenario(opt.Scenario)
	if err != nil {
		return LoadReport{}, err
	}
	peak, staffed := peakHour(sc)
	if opt.Windows <= 0 {
		opt.Windows = staffed
	}
	engine := bench.Engine{Name: "sqlite", Sync: "FULL"}
	if opt.DSN != "" {
		engine = bench.Engine{Name: "postgres", DSN: opt.DSN}
	}
	bench.RaiseFDLimit(uint64(opt.Clients)*2 + 1024)
	h, err := bench.StartHall(ctx, engine)
	if err != nil {
		return LoadReport{}, err
	}
	defer h.Close()
	l := &loadRun{opt: opt, hall: h, rec: &loadRecorder{lat: map[string][]time.Duration{}, errs: map[string]int{}},
		speed: opt.SimDuration.Seconds() / opt.Wall.Seconds()}
	l.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext, MaxIdleConnsPerHost: 256, DisableCompression: true}}
	// The hall's clock: a Wednesday at 10:00 in the hall, running at the
	// soak's speed (set before any request).
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	base, wall0 := time.Date(2026, 12, 2, 10, 0, 0, 0, loc), time.Now()
	h.DB.SetClock(func() time.Time { return base.Add(time.Duration(float64(time.Since(wall0)) * l.speed)) })

	rep := LoadReport{Engine: engine.Name, PeakHourTickets: int(math.Round(peak)), Clients: opt.Clients, Windows: opt.Windows,
		SimDuration: opt.SimDuration, Wall: opt.Wall}
	fmt.Fprintf(progress, "soak load on %s: %d clients, %d windows, %.0f tickets in %v simulated (%.1f× a peak hour of %d) in %v\n",
		engine.Name, opt.Clients, opt.Windows, opt.Factor*peak*opt.SimDuration.Hours(), opt.SimDuration, opt.Factor, rep.PeakHourTickets, opt.Wall)

	staff, err := l.signIn(ctx)
	if err != nil {
		return rep, err
	}
	streamURL := fmt.Sprintf("%s/api/v1/halls/%d/stream", h.URL, h.HallID)
	screens, connected := connectLoadScreens(ctx, streamURL, opt.Clients, 2*time.Minute)
	defer screens.stop()
	rep.Connected = connected
	var firstCall int64
	_ = h.DB.Raw().QueryRowContext(ctx, h.DB.Rebind("SELECT COALESCE(MAX(id), 0) FROM events")).Scan(&firstCall)
	l.client.CloseIdleConnections()
	rep.HeapStart, rep.GoroutinesStart = heapNow()

	lctx, cancel := context.WithTimeout(ctx, opt.Wall)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); rep.Tickets = l.arrivals(lctx, opt.Factor*peak*opt.SimDuration.Hours()) }()
	for _, s := range staff {
		wg.Add(1)
		go func() { defer wg.Done(); l.window(lctx, s, sc) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); l.phonesAndBoards(lctx) }()
	wg.Wait()

	// Every screen must have every call: wait for the last events to reach
	// them (bounded), then compare with the events table.
	calls := map[int64]bool{}
	rows, err := h.DB.Raw().QueryContext(ctx, h.DB.Rebind("SELECT id FROM events WHERE kind = 'ticket.called' AND id > ?"), firstCall)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			calls[id] = true
		}
	}
	rows.Close()
	rep.Calls = len(calls)
	settle := time.Now().Add(30 * time.Second)
	for {
		missed := 0
		for _, s := range screens.list {
			missed += len(calls) - s.seen(calls)
		}
		rep.MissedCalls = missed
		if missed == 0 || time.Now().After(settle) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, s := range screens.list {
		rep.Reconnects += s.reconn.Load()
	}
	l.client.CloseIdleConnections()
	rep.HeapEnd, rep.GoroutinesEnd = heapNow()
	rep.Routes, rep.Requests, rep.Errors = l.rec.table()
	rep.FirstError = l.rec.first
	return rep, nil
}

func heapNow() (uint64, int) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, runtime.NumGoroutine()
}

type loadStaff struct {
	window int64
	token  string
}

// signIn opens the first Windows windows with their demo clerks.
func (l *loadRun) signIn(ctx context.Context) ([]loadStaff, error) {
	var out []loadStaff
	for i := 1; i <= l.opt.Windows; i++ {
		id, ok := l.hall.Windows[fmt.Sprint(i)]
		if !ok {
			return out, fmt.Errorf("no window %d in the demo hall", i)
		}
		tok, err := l.hall.StaffToken(ctx, fmt.Sprintf("w%02d", i))
		if err != nil {
			return out, err
		}
		if err := l.do(ctx, "window session", "POST", fmt.Sprintf("/api/v1/windows/%d/session", id), tok, map[string]string{"state": "open"}, nil); err != nil {
			return out, fmt.Errorf("sign in at window %d: %w", i, err)
		}
		out = append(out, loadStaff{id, tok})
	}
	return out, nil
}

// sleepSim sleeps for a simulated duration (false when the soak ended).
func (l *loadRun) sleepSim(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(time.Duration(float64(d) / l.speed))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// arrivals issues n tickets (in expectation) as a Poisson stream over the
// simulated duration, each with an idempotency key; an arrival does not
// wait for the one before it (citizens do not queue at the kiosk API).
func (l *loadRun) arrivals(ctx context.Context, n float64) int {
	rng := rand.New(rand.NewPCG(l.opt.Seed, 17))
	mean := time.Duration(float64(l.opt.SimDuration) / n)
	var issued sync.WaitGroup
	var mu sync.Mutex
	count := 0
	defer issued.Wait()
	for i := 0; ; i++ {
		if !l.sleepSim(ctx, time.Duration(rng.ExpFloat64()*float64(mean))) {
			issued.Wait()
			return count
		}
		item := l.hall.Items[rng.IntN(len(l.hall.Items))]
		body := map[string]string{"item": item, "idempotency_key": fmt.Sprintf("soak-load-%d-%d", l.opt.Seed, i)}
		issued.Add(1)
		go func() {
			defer issued.Done()
			var out struct {
				TrackURL string `json:"track_url"`
			}
			// A citizen who pressed the button gets the ticket even when
			// the soak's time is up: the request is not cancelled.
			ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := l.do(ictx, "issue", "POST", "/api/v1/tickets", l.hall.Kiosk, body, &out); err != nil {
				return
			}
			mu.Lock()
			count++
			mu.Unlock()
			if j := strings.LastIndex(out.TrackURL, "/"); j >= 0 {
				l.mu.Lock()
				l.tracks = append(l.tracks, out.TrackURL[j+1:])
				l.mu.Unlock()
			}
		}()
	}
}

// window calls, starts and finishes tickets at one window; service takes
// the scenario's mean service time (exponential), idle windows look again
// after half a simulated minute.
func (l *loadRun) window(ctx context.Context, s loadStaff, sc *sim.Scenario) {
	rng := rand.New(rand.NewPCG(l.opt.Seed, uint64(s.window)))
	service := 6 * time.Minute
	if m := meanService(sc); m > 0 {
		service = m
	}
	for ctx.Err() == nil {
		var t struct {
			ID int64 `json:"id"`
		}
		err := l.do(ctx, "call", "POST", fmt.Sprintf("/api/v1/windows/%d/call", s.window), s.token, nil, &t)
		if err != nil {
			if !l.sleepSim(ctx, 30*time.Second) {
				return
			}
			continue
		}
		if !l.sleepSim(ctx, 20*time.Second) { // the citizen walks to the window
			return
		}
		if l.do(ctx, "start", "POST", fmt.Sprintf("/api/v1/tickets/%d/start", t.ID), s.token, nil, nil) != nil {
			continue
		}
		l.sleepSim(ctx, time.Duration(rng.ExpFloat64()*float64(service)))
		// Finish even when the soak is ending, so no ticket stays serving.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		l.do(fctx, "finish", "POST", fmt.Sprintf("/api/v1/tickets/%d/finish", t.ID), s.token, nil, nil)
		cancel()
	}
}

// meanService is the scenario's mean service time over its items
// (weighted by their share within the zone).
func meanService(sc *sim.Scenario) time.Duration {
	sum, weights := 0.0, 0.0
	for _, z := range sc.Zones {
		for _, it := range z.Items {
			sum += it.Weight * it.MeanMinutes
			weights += it.Weight
		}
	}
	if weights == 0 {
		return 0
	}
	return time.Duration(sum / weights * float64(time.Minute))
}

// phonesAndBoards: every simulated 30 s, each waiting citizen's phone
// polls its ticket (the tracking page does), and each of two kiosks reads
// the board.
func (l *loadRun) phonesAndBoards(ctx context.Context) {
	for l.sleepSim(ctx, 30*time.Second) {
		l.mu.Lock()
		tracks := slices.Clone(l.tracks)
		if len(l.tracks) > 200 {
			l.tracks = l.tracks[len(l.tracks)-200:] // served tickets stop polling
		}
		l.mu.Unlock()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for _, tok := range tracks {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				l.do(ctx, "track", "GET", "/api/v1/track/"+tok, "", nil, nil)
			}()
		}
		for k := 0; k < 2; k++ {
			l.do(ctx, "board", "GET", fmt.Sprintf("/api/v1/halls/%d/queue", l.hall.HallID), l.hall.Kiosk, nil, nil)
		}
		wg.Wait()
	}
}

func (r *loadRecorder) table() ([]LoadRoute, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := map[string]bool{}
	for k := range r.lat {
		names[k] = true
	}
	for k := range r.errs {
		names[k] = true
	}
	var out []LoadRoute
	total, errs := 0, 0
	for k := range names {
		lat := r.lat[k]
		slices.Sort(lat)
		p := func(q float64) time.Duration {
			if len(lat) == 0 {
				return 0
			}
			i := int(math.Ceil(q*float64(len(lat)))) - 1
			return lat[max(0, min(i, len(lat)-1))]
		}
		lr := LoadRoute{Route: k, N: len(lat) + r.errs[k], Errors: r.errs[k], P50: p(0.5), P95: p(0.95), P99: p(0.99), Max: p(1)}
		out = append(out, lr)
		total += lr.N
		errs += lr.Errors
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Route < out[j].Route })
	return out, total, errs
}

// Markdown writes the report as the table of docs/reliability.md.
func (r LoadReport) Markdown(w io.Writer) {
	fmt.Fprintf(w, "engine %s: %d tickets issued (peak hour of a peak day: %d), %d/%d clients connected, %d windows, %v simulated in %v\n",
		r.Engine, r.Tickets, r.PeakHourTickets, r.Connected, r.Clients, r.Windows, r.SimDuration, r.Wall)
	fmt.Fprintf(w, "requests %d, errors %d, calls %d, missed (client × call) %d, reconnects %d\n", r.Requests, r.Errors, r.Calls, r.MissedCalls, r.Reconnects)
	fmt.Fprintf(w, "heap %.1f → %.1f MiB, goroutines %d → %d\n", float64(r.HeapStart)/(1<<20), float64(r.HeapEnd)/(1<<20), r.GoroutinesStart, r.GoroutinesEnd)
	if r.FirstError != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstError)
	}
	fmt.Fprintf(w, "\n| route | requests | errors | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|\n")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	for _, rt := range r.Routes {
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s |\n", rt.Route, rt.N, rt.Errors, ms(rt.P50), ms(rt.P95), ms(rt.P99), ms(rt.Max))
	}
}
