package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/hall"
	"mingbai/internal/notify"
	"mingbai/internal/notify/smpptest"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// TestCampaignSurvivesKill9 runs a reminder campaign over 10,000
// contributors through the real server binary against the fake SMS
// centre, kills the server with SIGKILL at random points while it sends,
// restarts it, and finally checks AT THE CENTRE that every contributor got
// exactly one accepted submission; a second run sends nothing.
func TestCampaignSurvivesKill9(t *testing.T) {
	// It once failed about one run in three (a message settled with
	// another's id, or sent twice): gosmpp gave every query_sm sequence
	// number 0, so concurrent status queries took each other's answers
	// (see TestSMPPConcurrentQueriesGetTheirOwnAnswers). Short mode (CI)
	// runs 1,000 contributors; the full run has 10,000.
	contributors := 10000
	if testing.Short() {
		contributors = 1000
	}
	if n, err := strconv.Atoi(os.Getenv("MINGBAI_KILL_CONTRIBUTORS")); err == nil && n > 0 {
		contributors = n
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "mingbai")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ring, err := pii.LoadOrCreateKeyFile(filepath.Join(data, "pii.key"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := pii.NewSealer(ring)
	db.SetPII(sealer)
	h, err := db.CreateHall(ctx, hall.Hall{Code: "kill", Name: "测试大厅", Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}})
	if err != nil {
		t.Fatal(err)
	}
	cs := make([]notify.Contributor, contributors)
	for i := range cs {
		first := fmt.Sprintf("%06d19800101%03d", 110000+i/1000, i%1000)
		c, _ := pii.IDCheckCharacter(first)
		cs[i] = notify.Contributor{Name: "参保人", IDNumber: first + string(c), Phone: fmt.Sprintf("139%08d", i),
			Insurance: []string{"pension"}, Frequency: notify.Monthly, PaidThrough: "2000-01", Payment: notify.SelfPay}
	}
	if _, err := db.ImportContributors(ctx, h.ID, cs, nil); err != nil {
		t.Fatal(err)
	}
	// Only approved templates go through a real provider: one manager
	// registers the reminder template with the centre, another approves.
	for _, kind := range []string{notify.KindRemindFirst, notify.KindRemindSecond} {
		tpl, err := db.SaveSMSTemplate(store.WithActor(ctx, store.Actor{Name: "author"}), "centre", kind, "SMPP-"+kind, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct{ who, action string }{{"author", "submit"}, {"approver", "approve"}} {
			if _, err := db.DecideSMSTemplate(store.WithActor(ctx, store.Actor{Name: step.who}), tpl.ID, step.action, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	if _, err := db.StartCampaign(ctx, h.ID, today); err != nil {
		t.Fatal(err)
	}
	db.Close()

	centre, err := smpptest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer centre.Close()
	centre.OutIDTag = 0x1401
	centre.AutoReceipt = true
	// Kill points: random counts of accepted submissions.
	var mu sync.Mutex
	var marks []int
	for _, f := range []float64{0.15, 0.45, 0.75} {
		marks = append(marks, int(f*float64(contributors))+rand.IntN(contributors/10))
	}
	reached := make(chan int, len(marks)+1)
	centre.Accepted = func(n int) {
		mu.Lock()
		defer mu.Unlock()
		if len(marks) > 0 && n >= marks[0] {
			marks = marks[1:]
			reached <- n
		}
	}

	cfg := map[string]any{
		"providers": map[string]any{"centre": map[string]any{"type": "smpp", "addr": centre.Addr(), "system_id": "mingbai",
			"password_env": "MINGBAI_TEST_SMPP_PASSWORD", "source_addr": "106900001234", "out_id_tag": 0x1401, "submit_timeout_seconds": 2}},
		"lease_seconds": 4, "query_after_seconds": 1,
		"default": "centre",
		"halls": map[string]any{fmt.Sprint(h.ID): map[string]any{"provider": "centre", "window": "00:00-24:00", "daily_limit": 5,
			"reminder": map[string]any{"days_before": 40}}},
	}
	cfgPath := filepath.Join(dir, "sms.json")
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("server log (end):\n%s", b)
		}
	}()
	env := append(os.Environ(), "MINGBAI_TEST_SMPP_PASSWORD=secret")
	args := []string{"--data", data, "--synchronous", "NORMAL", "--sms-config", cfgPath, "--log-level", "warn"}
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
		cmd.Env = env
		cmd.Stderr = logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	kills := 0
	for kills < 3 {
		cmd := start()
		select {
		case n := <-reached:
			cmd.Process.Kill() // SIGKILL: no shutdown, no flush
			cmd.Wait()
			kills++
			t.Logf("killed at %d submissions", n)
		case <-time.After(90 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no progress: centre has %d submissions", centre.Count())
		}
	}
	// The last run finishes the campaign and exits when nothing is left.
	runOnce := func(extra ...string) string {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(rctx, bin, append(append([]string{"notify", "run"}, args...), extra...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			if len(out) > 3000 {
				out = out[len(out)-3000:]
			}
			t.Fatalf("notify run: %v (centre has %d; %s)\n%s", err, centre.Count(), dbState(t, data), out)
		}
		return string(out)
	}
	runOnce()
	subs := centre.Submissions()
	per := map[string]int{}
	for _, s := range subs {
		per[s.To]++
	}
	dups := 0
	for _, n := range per {
		if n > 1 {
			dups++
		}
	}
	if dups > 0 {
		for _, s := range subs {
			if per[s.To] > 1 {
				t.Logf("duplicate: to %s out-id %s msg %s at %s", s.To, s.OutID, s.MsgID, s.At.Format("15:04:05.000"))
			}
		}
	}
	if len(per) != contributors || dups > 0 || len(subs) != contributors {
		t.Fatalf("centre: %d submissions to %d numbers, %d numbers more than once; want %d each once (%s)", len(subs), len(per), dups, contributors, dbState(t, data))
	}
	// Running the campaign again (same day) sends nothing new.
	out := runOnce("--hall", fmt.Sprint(h.ID), "--day", today)
	if !strings.Contains(out, "nothing left") || centre.Count() != contributors {
		t.Fatalf("second run: centre has %d submissions (%s)", centre.Count(), out)
	}
	t.Logf("%d kills; %d binds at the centre", kills, centre.Binds())
}

// dbState summarises the outbox and the campaigns for a failure message.
func dbState(t *testing.T, data string) string {
	db, err := store.Open(context.Background(), store.Config{Dir: data})
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	var b strings.Builder
	db.Read(context.Background(), func(tx *store.Tx) error {
		for _, q := range []string{"SELECT state || ' ' || last_error, count(*) FROM outbox GROUP BY 1", "SELECT 'part ' || state, count(*) FROM outbox_parts GROUP BY 1", "SELECT 'attempt ' || outcome || ' ' || substr(detail, 1, 40), count(*) FROM outbox_attempts WHERE outcome NOT IN ('accepted', 'receipt') GROUP BY 1", "SELECT 'campaign ' || state, count(*) FROM campaigns GROUP BY 1", "SELECT 'recipient ' || state, count(*) FROM campaign_recipients GROUP BY 1"} {
			rows, err := tx.Query(q)
			if err != nil {
				fmt.Fprintf(&b, "%v; ", err)
				continue
			}
			for rows.Next() {
				var k string
				var n int
				rows.Scan(&k, &n)
				fmt.Fprintf(&b, "%s=%d; ", k, n)
			}
			rows.Close()
		}
		return nil
	})
	return b.String()
}
