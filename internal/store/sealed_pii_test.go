package store_test

import (
	"strings"
	"testing"

	"mingbai/internal/hall"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestEverySealedColumnIsListed: every column of the schema named *_enc
// holds sealed personal data and is in the list that key usage and
// re-sealing walk (otherwise retiring an old key would strand it), and
// every listed column exists — on the engine the test runs on.
func TestEverySealedColumnIsListed(t *testing.T) {
	db := storetest.Open(t)
	q := "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'"
	if db.Dialect == store.Postgres {
		q = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
	}
	schema := map[string]bool{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				return err
			}
			schema[table+"."+col] = true
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for table, cols := range store.SealedColumns() {
		for _, c := range cols {
			listed[table+"."+c] = true
			if !schema[table+"."+c] {
				t.Errorf("listed sealed column %s.%s is not in the schema", table, c)
			}
		}
	}
	for tc := range schema {
		if strings.HasSuffix(tc, "_enc") && !listed[tc] {
			t.Errorf("sealed column %s is not in sealedColumns (internal/store/sealed_pii.go): key usage and re-sealing miss it", tc)
		}
	}
}

// TestResealReachesTicketPhones: a ticket's sealed phone (a table the
// walkers once missed) counts in the key usage, is re-sealed after a
// rotation and still opens once the old key is retired.
func TestResealReachesTicketPhones(t *testing.T) {
	e := newPostsEnv(t, "2026-12-02 10:00")
	iss, err := e.db.IssueTicket(ctx, store.IssueRequest{HallID: e.hall, Item: "RS-A-004", Zone: hall.ZoneEmployment,
		Channel: store.ChannelStaff, Phone: "13912345678"})
	if err != nil {
		t.Fatal(err)
	}
	old := e.ring.Current()
	before, err := e.db.PIIKeyUsage(ctx)
	if err != nil || before[old] == 0 {
		t.Fatalf("usage before: %v %v", before, err)
	}
	ring2, err := e.ring.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := pii.NewSealer(ring2)
	e.db.SetPII(s2)
	n, err := e.db.ResealPII(ctx, s2, 1)
	if err != nil || n != before[old] {
		t.Fatalf("re-sealed %d of %d values: %v", n, before[old], err)
	}
	after, _ := e.db.PIIKeyUsage(ctx)
	if after[old] != 0 || after[ring2.Current()] != before[old] {
		t.Fatalf("usage after: %v (before %v)", after, before)
	}
	ring3, _ := ring2.WithoutKey(old)
	s3, _ := pii.NewSealer(ring3)
	e.db.SetPII(s3)
	got, err := e.db.Ticket(ctx, e.hall, iss.Ticket.ID)
	if err != nil || got.Phone != "13912345678" {
		t.Fatalf("ticket phone under the new key only: %q %v", got.Phone, err)
	}
	if again, err := e.db.ResealPII(ctx, s3, 1); err != nil || again != 0 {
		t.Fatalf("second re-seal: %d %v", again, err)
	}
}
