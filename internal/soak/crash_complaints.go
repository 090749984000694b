package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// complainer is the hall manager receiving complaints: each with an
// idempotency key, then resolved and closed after the call-back.
type complainer struct {
	l    *load
	j    *journal
	cur  *current
	rng  *rand.Rand
	seq  int
	id   int64  // the open complaint; 0 = none
	st   string // its state
	pend *pending
}

type complaintJSON struct {
	ID    int64  `json:"id"`
	State string `json:"state"`
}

func (c *complainer) loop(ctx context.Context, stop <-chan struct{}) {
	for !stopped(ctx, stop) && c.pend == nil {
		c.step(ctx)
		pause(ctx, stop, time.Duration(20+c.rng.IntN(60))*time.Millisecond)
	}
}

func (c *complainer) path() string {
	return fmt.Sprintf("/api/v1/halls/%d/complaints", c.l.inst.HallID)
}

func (c *complainer) step(ctx context.Context) {
	switch c.st {
	case "open":
		c.move(ctx, map[string]any{"action": "resolve", "note": "已向申请人说明并改进"}, "resolved")
	case "resolved":
		c.move(ctx, map[string]any{"action": "callback", "outcome": "satisfied"}, "closed")
	default:
		c.seq++
		body := map[string]any{"channel": "duty_leader", "type": "suggestion", "summary": "等候区座位不够",
			"detail": fmt.Sprintf("第%d条建议", c.seq), "name": "建议人", "phone": fmt.Sprintf("1350000%04d", c.seq%10000),
			"idempotency_key": fmt.Sprintf("soak-complaint-%d", c.seq)}
		a, ok, pend := c.j.send(ctx, "POST", c.cur.get(), c.path(), c.l.inst.Manager, body)
		switch {
		case ok:
			c.took(a)
		case pend:
			c.pend = &pending{kind: "complaint", body: body}
		default:
			c.j.prob.add("complaint: %d %s", a.Status, a.Body)
		}
	}
}

// move takes a step on the open complaint.
func (c *complainer) move(ctx context.Context, body map[string]any, to string) {
	a, ok, pend := c.j.send(ctx, "POST", c.cur.get(), fmt.Sprintf("%s/%d/steps", c.path(), c.id), c.l.inst.Manager, body)
	switch {
	case ok:
		c.took(a)
	case pend:
		c.pend = &pending{kind: "complaint_step", from: c.st, to: to}
	default:
		c.j.prob.add("complaint %d %v: %d %s", c.id, body["action"], a.Status, a.Body)
		c.id, c.st = 0, ""
	}
}

// took records the complaint an answer returned.
func (c *complainer) took(a answer) {
	var v complaintJSON
	json.Unmarshal(a.Body, &v)
	c.j.mu.Lock()
	c.j.complaints[v.ID] = v.State
	c.j.mu.Unlock()
	c.id, c.st = v.ID, v.State
	if v.State != "open" && v.State != "resolved" {
		c.id, c.st = 0, ""
	}
}

// resolve settles the unanswered request: a create is sent again with its
// key (the answer is the one complaint either way); a step is read back.
func (c *complainer) resolve(ctx context.Context) error {
	p := c.pend
	if p == nil {
		return nil
	}
	base := c.cur.get()
	switch p.kind {
	case "complaint":
		a := call(ctx, "POST", base+c.path(), c.l.inst.Manager, p.body)
		if a.Err != nil || a.Status != 201 {
			return fmt.Errorf("retry of a complaint with its key: %d %v %s", a.Status, a.Err, a.Body)
		}
		c.j.mu.Lock()
		c.j.ack++
		c.j.mu.Unlock()
		c.took(a)
	case "complaint_step":
		a := call(ctx, "GET", fmt.Sprintf("%s%s/%d", base, c.path(), c.id), c.l.inst.Manager, nil)
		var v complaintJSON
		if a.Err != nil || a.Status != 200 || json.Unmarshal(a.Body, &v) != nil {
			return fmt.Errorf("read back complaint %d: %d %v %s", c.id, a.Status, a.Err, a.Body)
		}
		c.j.readBack(fmt.Sprintf("complaint %d", c.id), p, v.State)
		c.took(a)
	}
	c.pend = nil
	return nil
}
