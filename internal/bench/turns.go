package bench

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"time"
)

// A ratio to the raw limit is only as good as the two figures being taken
// under the same conditions. On the shared 2-vCPU development machine the
// raw PostgreSQL limit moved between 3,100 and 5,400 req/s within minutes,
// and a checkpoint or a neighbour's burst lands on whichever run happens
// to be going. So the raw limit is not measured once for the whole bench:
// each run takes turns with its own baseline on the same engine (inTurns),
// and its ratio is to the raw requests of those turns.

// baseline is an engine's raw limit (raw.go), kept up for all the runs it
// is the baseline of.
type baseline struct {
	rs   *RawServer
	sync string // SQLite's synchronous mode; PostgreSQL's synchronous_commit
	c    *http.Client
	conc int
	all  Result // every turn on this engine
}

func startBaseline(ctx context.Context, e Engine, conc int) (*baseline, error) {
	b := &baseline{sync: e.Sync, c: newClient(conc), conc: conc}
	var err error
	if e.DSN != "" {
		b.rs, err = StartRawPG(e.DSN)
	} else {
		b.rs, err = StartRaw(e.Sync)
	}
	if err != nil {
		return nil, err
	}
	if e.DSN != "" {
		if err := b.rs.db.QueryRowContext(ctx, "SHOW synchronous_commit").Scan(&b.sync); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// run is one turn of d.
func (b *baseline) run(ctx context.Context, d time.Duration) Result {
	url := b.rs.URL + "/api/v1/tickets"
	r := ClosedLoop(ctx, b.conc, d, 0, func(ctx context.Context, _ int) error {
		return post(ctx, b.c, url, "", map[string]string{"item": "RS-A-001"}, nil)
	})
	b.all = b.all.merge(r)
	return r
}

func (b *baseline) Close() { b.rs.Close() }

// inTurns runs the baseline and a measured load for d each, in turns, and
// returns the baseline's result over its turns. The turns are symmetric
// in time (raw ½, measured 1, raw 1, …, measured 1, raw ½, in slices of
// about 1.5 s), so that a drift that is linear over the run falls on both
// alike, and a burst is shared out rather than landing on one side.
func inTurns(d time.Duration, raw func(time.Duration) Result, measured func(time.Duration)) Result {
	k := max(1, int((d+750*time.Millisecond)/(1500*time.Millisecond)))
	slice := d / time.Duration(k)
	r := raw(slice / 2)
	for i := range k {
		measured(slice)
		if i < k-1 {
			r = r.merge(raw(slice))
		}
	}
	return r.merge(raw(slice / 2))
}

// merge is the result of two loads run one after the other.
func (r Result) merge(o Result) Result {
	lat := append(slices.Clip(r.Lat), o.Lat...)
	slices.Sort(lat)
	return Result{Ops: r.Ops + o.Ops, Errors: r.Errors + o.Errors, FirstErr: cmp.Or(r.FirstErr, o.FirstErr),
		Elapsed: r.Elapsed + o.Elapsed, Lat: lat}
}

func (c CallResult) merge(o CallResult) CallResult {
	return CallResult{
		Cycles: c.Cycles.merge(o.Cycles), Call: c.Call.merge(o.Call), Start: c.Start.merge(o.Start), Finish: c.Finish.merge(o.Finish),
		Windows: max(c.Windows, o.Windows), RanDry: c.RanDry || o.RanDry, WaitingBefore: c.WaitingBefore,
	}
}

// runner is b.run for inTurns.
func (b *baseline) runner(ctx context.Context) func(time.Duration) Result {
	return func(d time.Duration) Result { return b.run(ctx, d) }
}
