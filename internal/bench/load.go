package bench

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Result is the outcome of one bounded load.
type Result struct {
	Ops      int
	Errors   int
	FirstErr error
	Elapsed  time.Duration
	// Lat are the latencies of the successful operations, sorted.
	Lat []time.Duration
}

// Rate is successful operations per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// P returns the q-quantile (0…1) of the latencies (nearest rank).
func (r Result) P(q float64) time.Duration {
	if len(r.Lat) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(r.Lat)))) - 1
	i = max(0, min(i, len(r.Lat)-1))
	return r.Lat[i]
}

// Max is the largest latency.
func (r Result) Max() time.Duration {
	if len(r.Lat) == 0 {
		return 0
	}
	return r.Lat[len(r.Lat)-1]
}

type recorder struct {
	mu    sync.Mutex
	lat   []time.Duration
	errs  int
	first error
}

func (r *recorder) add(d time.Duration, err error) {
	r.mu.Lock()
	if err != nil {
		r.errs++
		if r.first == nil {
			r.first = err
		}
	} else {
		r.lat = append(r.lat, d)
	}
	r.mu.Unlock()
}

func (r *recorder) result(elapsed time.Duration) Result {
	slices.Sort(r.lat)
	return Result{Ops: len(r.lat), Errors: r.errs, FirstErr: r.first, Elapsed: elapsed, Lat: r.lat}
}

// errStop ends a worker of a closed loop without counting an error (for
// example: nothing left to call).
type stopError struct{}

func (stopError) Error() string { return "stop" }

var errStop error = stopError{}

// ClosedLoop runs op from conc workers, each starting its next operation
// when the last one returned, until d has passed or maxOps operations have
// started (0: no bound). Bounded in count and time.
func ClosedLoop(ctx context.Context, conc int, d time.Duration, maxOps int, op func(ctx context.Context, worker int) error) Result {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	var rec recorder
	var started atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if maxOps > 0 && started.Add(1) > int64(maxOps) {
					return
				}
				t0 := time.Now()
				err := op(ctx, w)
				if err == errStop {
					return
				}
				rec.add(time.Since(t0), err)
			}
		}(w)
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

// OpenLoop starts op at a fixed rate for d, whatever the answers, and
// measures each latency from the moment the operation was due (so a
// stalled server is not hidden by fewer requests). At most maxInFlight
// operations run at once; beyond that an arrival counts as an error.
func OpenLoop(ctx context.Context, rate float64, d time.Duration, maxInFlight int, op func(ctx context.Context) error) Result {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	var rec recorder
	n := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w) // pacing the arrivals, not waiting for a result
		}
		select {
		case sem <- struct{}{}:
		default:
			rec.add(0, errOverload)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := op(ctx)
			rec.add(time.Since(due), err)
			<-sem
		}()
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

type overloadError struct{}

func (overloadError) Error() string { return "too many requests in flight" }

var errOverload error = overloadError{}
