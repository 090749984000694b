package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"mingbai/internal/store/storetest"
)

// The benchmarks below run the operations of `mingbai bench` under
// `go test -bench`; they do not run in a normal `go test`.

var ctx = context.Background()

func engine() Engine {
	if dsn := storetest.PGDSN(); dsn != "" {
		return Engine{Name: "postgres", DSN: dsn}
	}
	return Engine{Name: "sqlite-full", Sync: "FULL"}
}

func startHall(b *testing.B, windows int) (*Hall, []windowStaff) {
	b.Helper()
	h, err := StartHall(ctx, engine())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	staff, err := h.SignIn(ctx, newClient(4), windows)
	if err != nil {
		b.Fatal(err)
	}
	return h, staff
}

// BenchmarkRawInsert is the raw limit: bare net/http + one SQLite insert.
func BenchmarkRawInsert(b *testing.B) {
	rs, err := StartRaw("FULL")
	if err != nil {
		b.Fatal(err)
	}
	defer rs.Close()
	c := newClient(16)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := post(ctx, c, rs.URL+"/api/v1/tickets", "", map[string]string{"item": "RS-A-001"}, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkIssue is a ticket issue end to end over HTTP with 22 windows open.
func BenchmarkIssue(b *testing.B) {
	h, _ := startHall(b, 22)
	c := newClient(16)
	op := h.issueOp(c, 1)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCallStartFinish is one window's call → start → finish cycle.
func BenchmarkCallStartFinish(b *testing.B) {
	h, staff := startHall(b, 1)
	c := newClient(4)
	op := h.issueOp(c, 1)
	// Window 1 serves about half of the items; issue enough for b.N calls.
	var issued atomic.Int64
	for issued.Load() < int64(3*b.N+10) {
		if err := op(ctx); err != nil {
			b.Fatal(err)
		}
		issued.Add(1)
	}
	b.ResetTimer()
	r := h.CallLoop(ctx, c, staff[:1], time.Hour, b.N)
	if r.Cycles.Errors > 0 {
		b.Fatal(r.Cycles.FirstErr)
	}
}

// BenchmarkMonthlyReport times the monthly report over 100,000 tickets
// (`mingbai bench` uses 1,000,000).
func BenchmarkMonthlyReport(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := MonthlyReport(ctx, 100_000, 3); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueueLength is the cost of an issue and of a call → start →
// finish cycle as the waiting queue grows (prefilled).
func BenchmarkQueueLength(b *testing.B) {
	for _, n := range []int{0, 1000, 3000} {
		b.Run(fmt.Sprintf("issue/waiting=%d", n), func(b *testing.B) {
			h, _ := startHall(b, 22)
			if err := h.Prefill(ctx, n); err != nil {
				b.Fatal(err)
			}
			c := newClient(16)
			op := h.issueOp(c, 1)
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run(fmt.Sprintf("cycle/waiting=%d", n), func(b *testing.B) {
			h, staff := startHall(b, 1)
			if err := h.Prefill(ctx, n+3*b.N+10); err != nil {
				b.Fatal(err)
			}
			c := newClient(4)
			b.ResetTimer()
			r := h.CallLoop(ctx, c, staff[:1], time.Hour, b.N)
			if r.Cycles.Errors > 0 {
				b.Fatal(r.Cycles.FirstErr)
			}
		})
	}
}
