package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
)

// instance is one mingbai server process: its own database handle,
// broker, event listener and HTTP server.
func instance(t *testing.T, cfg store.Config, sealer *pii.Sealer) *hallEnv {
	t.Helper()
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetPII(sealer) // the instances of a city share one key ring
	return newServer(t, db, web.Config{Version: "test"})
}

// TestTwoInstancesShareAHall: with PostgreSQL, a ticket issued through
// instance A shows on a screen connected to instance B within a second,
// and numbers stay unique across both.
func TestTwoInstancesShareAHall(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("MINGBAI_TEST_PG not set")
	}
	cfg := storetest.Config(t)
	sealer, err := pii.NewSealer(pii.GenerateKeyring())
	if err != nil {
		t.Fatal(err)
	}
	a := instance(t, cfg, sealer)
	if _, err := a.DB.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := demo.Seed(context.Background(), a.DB)
	if err != nil {
		t.Fatal(err)
	}
	a.Hall = res.Hall.ID
	b := instance(t, cfg, sealer)
	b.Hall = a.Hall

	sctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := openStream(sctx, t, fmt.Sprintf("%s/api/v1/halls/%d/stream", b.HTTP.URL, b.Hall))
	dl, cancelDL := context.WithTimeout(sctx, 10*time.Second)
	waitFor(dl, t, ch, func(ev sseEvent) bool { return ev.Kind == "snapshot" })
	cancelDL()

	tok := a.token("admin")
	tk := a.issue(tok, map[string]any{"item": itemA})
	// One second from the moment the issue returned.
	dl, cancelDL = context.WithTimeout(sctx, time.Second)
	defer cancelDL()
	ev := waitFor(dl, t, ch, func(ev sseEvent) bool { return ev.Kind == "ticket.issued" })
	if !strings.Contains(ev.Data, tk.Number) {
		t.Errorf("B saw %s, want %s", ev.Data, tk.Number)
	}
	// Numbers interleave across instances without duplicates.
	tokB := b.token("admin")
	seen := map[string]bool{tk.Number: true}
	for i := 0; i < 10; i++ {
		for _, env := range []*hallEnv{a, b} {
			tt := tok
			if env == b {
				tt = tokB
			}
			n := env.issue(tt, map[string]any{"item": itemA}).Number
			if seen[n] {
				t.Fatalf("duplicate %s", n)
			}
			seen[n] = true
		}
	}
	if !seen["A021"] || len(seen) != 21 {
		t.Errorf("numbers %v", seen)
	}
}
