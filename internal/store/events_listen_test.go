package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestListenerCatchesUpAfterReconnect cuts the event listener's
// connection (as a database restart or failover does), commits events
// while it is away, and expects them delivered once it listens again:
// screens connected to this instance must not miss a call.
func TestListenerCatchesUpAfterReconnect(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("PostgreSQL LISTEN: set MINGBAI_TEST_PG")
	}
	db := storetest.Open(t)
	got := make(chan store.Event, 10)
	db.OnEvent(func(e store.Event) { got <- e })
	ready := make(chan struct{})
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go db.Listen(lctx, func() { close(ready) })
	<-ready
	publish := func(n string) {
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.Publish(1, "ticket.called", map[string]string{"number": n}) }); err != nil {
			t.Fatal(err)
		}
	}
	publish("A001")
	if e := <-got; string(e.Payload) != `{"number":"A001"}` {
		t.Fatalf("first event %s", e.Payload)
	}
	admin, err := sql.Open("pgx", storetest.PGDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := store.ListenerName(db.NotifyChannel())
	var pid int
	if err := admin.QueryRow("SELECT pid FROM pg_stat_activity WHERE application_name = $1", name).Scan(&pid); err != nil {
		t.Fatalf("listener backend: %v", err)
	}
	if _, err := admin.Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	// Committed while nobody listens: no NOTIFY can reach the listener.
	publish("A002")
	publish("A003")
	var numbers []string
	deadline := time.After(15 * time.Second)
	for len(numbers) < 2 {
		select {
		case e := <-got:
			numbers = append(numbers, string(e.Payload))
		case <-deadline:
			t.Fatalf("after the reconnect delivered %v, want A002 and A003", numbers)
		}
	}
	if numbers[0] != `{"number":"A002"}` || numbers[1] != `{"number":"A003"}` {
		t.Fatalf("delivered %v", numbers)
	}
	var again int
	if err := admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND pid <> $2", name, pid).Scan(&again); err != nil || again != 1 {
		t.Fatalf("listening again: %d backends, %v", again, err)
	}
}
