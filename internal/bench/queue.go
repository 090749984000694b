package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// issueOp returns an operation that takes a ticket for a random offered
// item with the hall's kiosk token.
func (h *Hall) issueOp(c *http.Client, seed uint64) func(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	ch := make(chan string, 1024)
	go func() {
		for {
			select {
			case ch <- h.Items[rng.IntN(len(h.Items))]:
			case <-time.After(time.Minute):
				return
			}
		}
	}()
	url := h.URL + "/api/v1/tickets"
	return func(ctx context.Context) error {
		return post(ctx, c, url, h.Kiosk, map[string]string{"item": <-ch}, nil)
	}
}

// windowStaff is a member of staff signed in at a window.
type windowStaff struct {
	number string
	id     int64
	token  string
}

// SignIn signs window staff w01…wNN in at windows 1…n over HTTP.
func (h *Hall) SignIn(ctx context.Context, c *http.Client, n int) ([]windowStaff, error) {
	var out []windowStaff
	for i := 1; i <= n; i++ {
		num := fmt.Sprint(i)
		id, ok := h.Windows[num]
		if !ok {
			return out, fmt.Errorf("no window %s in the demo hall", num)
		}
		tok, err := h.StaffToken(ctx, fmt.Sprintf("w%02d", i))
		if err != nil {
			return out, err
		}
		if err := post(ctx, c, fmt.Sprintf("%s/api/v1/windows/%d/session", h.URL, id), tok, map[string]string{"state": "open"}, nil); err != nil {
			return out, fmt.Errorf("sign in at window %s: %w", num, err)
		}
		out = append(out, windowStaff{num, id, tok})
	}
	return out, nil
}

// CallResult is the outcome of the call → start → finish loop.
type CallResult struct {
	Cycles              Result
	Call, Start, Finish Result
	Windows             int
	RanDry              bool
	WaitingBefore       int
}

// CallLoop has each signed-in window loop call → start → finish until d
// has passed, maxCycles cycles have started (0: no bound) or nothing is
// left to call.
func (h *Hall) CallLoop(ctx context.Context, c *http.Client, staff []windowStaff, d time.Duration, maxCycles int) CallResult {
	var call, start, finish recorder
	dry := make([]bool, len(staff))
	timed := func(rec *recorder, f func() error) error {
		t0 := time.Now()
		err := f()
		rec.add(time.Since(t0), err)
		return err
	}
	cycles := ClosedLoop(ctx, len(staff), d, maxCycles, func(ctx context.Context, w int) error {
		s := staff[w]
		var t struct {
			ID int64 `json:"id"`
		}
		t0 := time.Now()
		err := post(ctx, c, fmt.Sprintf("%s/api/v1/windows/%d/call", h.URL, s.id), s.token, nil, &t)
		if se := (*statusError)(nil); errors.As(err, &se) && se.Status == 404 {
			dry[w] = true
			return errStop
		}
		call.add(time.Since(t0), err)
		if err != nil {
			return err
		}
		if err := timed(&start, func() error {
			return post(ctx, c, fmt.Sprintf("%s/api/v1/tickets/%d/start", h.URL, t.ID), s.token, nil, nil)
		}); err != nil {
			return err
		}
		return timed(&finish, func() error {
			return post(ctx, c, fmt.Sprintf("%s/api/v1/tickets/%d/finish", h.URL, t.ID), s.token, nil, nil)
		})
	})
	out := CallResult{Cycles: cycles, Windows: len(staff)}
	out.Call, out.Start, out.Finish = call.result(cycles.Elapsed), start.result(cycles.Elapsed), finish.result(cycles.Elapsed)
	for _, d := range dry {
		out.RanDry = out.RanDry || d
	}
	return out
}

// Waiting counts the hall's waiting tickets (a store read).
func (h *Hall) Waiting(ctx context.Context) (int, error) {
	b, err := h.DB.HallBoard(ctx, h.HallID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, z := range b.Zones {
		n += z.Waiting
	}
	return n, nil
}
