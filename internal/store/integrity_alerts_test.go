package store_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// alertHall creates a hall for the alerts to belong to.
func alertHall(t *testing.T, db *store.DB) int64 {
	t.Helper()
	h, err := db.CreateHall(context.Background(), hall.Hall{Code: "h", Name: "大厅", Timezone: "Asia/Shanghai",
		Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}})
	if err != nil {
		t.Fatal(err)
	}
	return h.ID
}

// alertWriter matches a statement that writes integrity_alerts.
var alertWriter = regexp.MustCompile(`(?is)\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+integrity_alerts\b`)

// alertWriters returns "file: statement" for every write of
// integrity_alerts in the Go source under root outside
// store/integrity_alerts.go, and the number of INSERTs in that file.
func alertWriters(t *testing.T, root string) (others []string, inserts int) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		owner := filepath.Base(p) == "integrity_alerts.go" && filepath.Base(filepath.Dir(p)) == "store"
		for _, m := range alertWriter.FindAllString(string(b), -1) {
			if owner {
				if strings.HasPrefix(strings.ToUpper(m), "INSERT") {
					inserts++
				}
				continue
			}
			others = append(others, p+": "+m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return others, inserts
}

// TestOneWriterOfIntegrityAlerts: Tx.RaiseAlert is the only INSERT into
// integrity_alerts, and no file but store/integrity_alerts.go writes the
// table at all.
func TestOneWriterOfIntegrityAlerts(t *testing.T) {
	others, inserts := alertWriters(t, "../..") // internal/ and cmd/ of the module
	if len(others) > 0 {
		t.Errorf("integrity_alerts written outside store/integrity_alerts.go (use tx.RaiseAlert):\n%s", strings.Join(others, "\n"))
	}
	if inserts != 1 {
		t.Errorf("%d INSERTs into integrity_alerts in integrity_alerts.go, want 1 (RaiseAlert)", inserts)
	}
	b, err := os.ReadFile("integrity_alerts.go")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	// RaiseAlert is raiseAlert saying what it did.
	fn := src[strings.Index(src, "func (tx *Tx) raiseAlert("):]
	fn = fn[:strings.Index(fn, "\n}\n")]
	if !strings.Contains(fn, "INSERT INTO integrity_alerts") {
		t.Error("the INSERT is not in RaiseAlert")
	}
	// The check catches a raw writer in another file.
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	raw := "package store\nconst q = `insert into\n integrity_alerts (hall_id) VALUES (1)`\n"
	if err := os.WriteFile(filepath.Join(dir, "queue_rogue.go"), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	if others, _ := alertWriters(t, dir); len(others) != 1 {
		t.Errorf("a raw INSERT in another file was not caught: %v", others)
	}
}

func TestRaiseAlert(t *testing.T) {
	db := storetest.Open(t)
	ctx := store.WithActor(context.Background(), store.Actor{Name: "w07", Role: "window_staff"})
	h := alertHall(t, db)
	raise := func(a store.Alert) error {
		return db.Write(ctx, func(tx *store.Tx) error { return tx.RaiseAlert(a) })
	}
	if err := raise(store.Alert{HallID: h, Kind: store.AlertExtraMaterial, Ref: "case:X",
		Params: map[string]string{"material": "户口本", "reason": "核对户籍"}}); err != nil {
		t.Fatal(err)
	}
	if err := raise(store.Alert{HallID: h, Kind: store.AlertOutOfTurn, Ref: "ticket:3", Actor: "w01",
		Params: map[string]string{"ticket": "A003", "window": "2", "reason": "行动不便"}}); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]store.Alert{
		"unknown kind":      {HallID: h, Kind: store.AlertKind{Code: "x.y"}, Params: map[string]string{}},
		"missing parameter": {HallID: h, Kind: store.AlertOutOfTurn, Params: map[string]string{"ticket": "A1", "window": "2", "note": "x"}},
		"extra parameter":   {HallID: h, Kind: store.AlertExtraMaterial, Params: map[string]string{"material": "a", "reason": "b", "c": "d"}},
	} {
		if err := raise(a); err == nil {
			t.Errorf("%s: raised", name)
		}
	}
	list, err := db.ListIntegrityAlerts(ctx, h, true)
	if err != nil || len(list) != 2 {
		t.Fatalf("alerts %+v %v", list, err)
	}
	oot, extra := list[0], list[1] // newest first
	if oot.Kind != "queue.out_of_turn" || oot.Actor != "w01" || oot.Params["reason"] != "行动不便" ||
		len(oot.Args()) != 3 || oot.Args()[0] != "A003" || oot.Args()[1] != "2" {
		t.Errorf("out of turn: %+v %v", oot, oot.Args())
	}
	if extra.Actor != "w07" || extra.Params["material"] != "户口本" || extra.Detail != "material=户口本 reason=核对户籍" {
		t.Errorf("extra material: %+v", extra)
	}
}

// TestAlertMigrationKeepsOldRows replays migration 00007 on rows written
// the old way (free text in detail, no params).
func TestAlertMigrationKeepsOldRows(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	h := alertHall(t, db)
	sql, err := store.MigrationSQL(db, "00007_shape.sql")
	if err != nil {
		t.Fatal(err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec("ALTER TABLE integrity_alerts DROP COLUMN params"); err != nil {
			return err
		}
		for _, r := range [][3]string{
			{"case.extra_material", "case:DEMO-1", "户口本｜核对户籍地址"},
			{"queue.out_of_turn", "ticket:9", "B012 called at window 17 out of turn; reason: 老人; 行动不便"},
		} {
			if _, err := tx.Exec("INSERT INTO integrity_alerts (hall_id, kind, ref, detail, actor, at) VALUES (?, ?, ?, ?, 'w01', 1)", h, r[0], r[1], r[2]); err != nil {
				return err
			}
		}
		_, err := tx.Exec(sql)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.ListIntegrityAlerts(ctx, h, true)
	if err != nil || len(list) != 2 {
		t.Fatalf("alerts %+v %v", list, err)
	}
	oot, extra := list[0], list[1]
	if got := oot.Params; got["ticket"] != "B012" || got["window"] != "17" || got["reason"] != "老人; 行动不便" || len(got) != 3 {
		t.Errorf("out of turn params %v", got)
	}
	if got := extra.Params; got["material"] != "户口本" || got["reason"] != "核对户籍地址" || len(got) != 2 {
		t.Errorf("extra material params %v", got)
	}
}
