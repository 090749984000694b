package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/hall"
	"mingbai/internal/notify"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

var ctx = context.Background()

func demoHall(t *testing.T, db *store.DB) hall.Hall {
	t.Helper()
	h, err := db.CreateHall(ctx, hall.Hall{Code: "test", Name: "测试大厅", Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSchemaCheck(t *testing.T) {
	cfg := storetest.Config(t)
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.CheckSchema(ctx)
	if e := apperr.As(err); e == nil || e.Key != "err.schema_mismatch" {
		t.Fatalf("empty database: CheckSchema = %v, want schema mismatch naming mingbai migrate", err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil || len(applied) == 0 {
		t.Fatalf("Migrate = %v, %v", applied, err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
	if again, err := db.Migrate(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v, %v", again, err)
	}
	latest, _ := db.LatestVersion()
	if _, err := db.Raw().Exec(db.Rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)"), latest+1); err != nil {
		t.Fatal(err)
	}
	if e := apperr.As(db.CheckSchema(ctx)); e == nil || e.Key != "err.schema_newer" {
		t.Fatalf("newer schema accepted: %v", e)
	}
}

func TestLoginLockoutAndSessions(t *testing.T) {
	db := storetest.Open(t)
	if _, err := db.CreateUser(ctx, "wang", "王工", auth.WindowStaff, "Window-2026-ok"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, "wang", "", auth.Admin, "Window-2026-ok"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("duplicate user: %v", err)
	}
	if _, err := db.CreateUser(ctx, "li", "", auth.Admin, "weak"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("weak password: %v", err)
	}
	secret, u, err := db.Login(ctx, "wang", "Window-2026-ok")
	if err != nil || u.Role != auth.WindowStaff {
		t.Fatalf("login: %v %v", u, err)
	}
	p, err := db.PrincipalForSession(ctx, secret)
	if err != nil || p.Username != "wang" {
		t.Fatalf("session: %v %v", p, err)
	}
	// Five wrong passwords from one address (a stranger) …
	stranger := store.WithActor(ctx, store.Actor{Source: "203.0.113.7"})
	owner := store.WithActor(ctx, store.Actor{Source: "198.51.100.2"})
	for i := 0; i < 5; i++ {
		if _, _, err := db.Login(stranger, "wang", "wrong-password-1"); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("bad password %d: %v", i, err)
		}
	}
	// … back that address off, answering exactly like a wrong password,
	_, _, throttled := db.Login(stranger, "wang", "Window-2026-ok")
	_, _, unknown := db.Login(stranger, "nobody-here", "Window-2026-ok")
	_, _, wrong := db.Login(owner, "wang", "wrong-password-2")
	for _, err := range []error{throttled, unknown} {
		if e, w := apperr.As(err), apperr.As(wrong); e == nil || w == nil || e.Code != w.Code || e.Key != w.Key || len(e.Args) != len(w.Args) {
			t.Fatalf("throttled/unknown answer %v differs from a wrong password %v", err, wrong)
		}
	}
	// … but never lock the owner out at another address.
	if _, _, err := db.Login(owner, "wang", "Window-2026-ok"); err != nil {
		t.Fatalf("owner locked out by a stranger: %v", err)
	}
	// The accounts list shows the account paused while an address is blocked.
	if _, err := db.CreateUser(ctx, "zhao", "", auth.WindowStaff, "Window-2026-ok"); err != nil {
		t.Fatal(err)
	}
	users, err := db.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if blocked := u.LockedUntil > time.Now().UnixMilli(); blocked != (u.Username == "wang") {
			t.Fatalf("%s: locked until %d", u.Username, u.LockedUntil)
		}
	}
	db.SetClock(func() time.Time { return time.Now().Add(store.LoginThrottle.Max + time.Minute) })
	if _, _, err := db.Login(stranger, "wang", "Window-2026-ok"); err != nil {
		t.Fatalf("back-off did not expire: %v", err)
	}
	recs, _ := db.ListAudit(ctx, store.AuditFilter{Action: "auth.login"})
	var denied int
	for _, r := range recs {
		if r.Outcome == "denied" {
			denied++
		}
	}
	if denied != 8 {
		t.Errorf("denied login records = %d, want 8", denied)
	}
	if err := db.Logout(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PrincipalForSession(ctx, secret); err == nil {
		t.Fatal("session survived logout")
	}
}

func TestTokens(t *testing.T) {
	db := storetest.Open(t)
	db.CreateUser(ctx, "admin", "", auth.Admin, "Hall-Key-2026-x")
	secret, tok, err := db.CreateToken(ctx, "admin", "ci")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := db.PrincipalForToken(ctx, secret); err != nil || p.Role != auth.Admin {
		t.Fatalf("token: %v %v", p, err)
	}
	list, _ := db.ListTokens(ctx, "")
	if len(list) != 1 || list[0].Name != "ci" {
		t.Fatalf("list = %+v", list)
	}
	if err := db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PrincipalForToken(ctx, secret); err == nil {
		t.Fatal("revoked token still works")
	}
	if err := db.RevokeToken(ctx, tok.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestHallWindowsStaffDevices(t *testing.T) {
	db := storetest.Open(t)
	h := demoHall(t, db)
	if _, err := db.CreateZone(ctx, hall.Zone{HallID: h.ID, Code: "employment", Name: "就业", Prefix: "A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateZone(ctx, hall.Zone{HallID: h.ID, Code: "social", Name: "社保", Prefix: "A"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("duplicate prefix: %v", err)
	}
	s, err := db.SaveStaff(ctx, hall.Staff{HallID: h.ID, StaffNo: "001", Name: "李明", Post: "就业窗口", Pledge: "热情服务"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := db.SaveWindow(ctx, hall.Window{HallID: h.ID, Zone: "employment", Number: "1", StaffID: s.ID, Items: []string{"RS-A-002", "RS-A-001", "RS-A-001"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveWindow(ctx, hall.Window{HallID: h.ID, Zone: "nope", Number: "2"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown zone: %v", err)
	}
	ws, _ := db.ListWindows(ctx, h.ID)
	if len(ws) != 1 || strings.Join(ws[0].Items, ",") != "RS-A-001,RS-A-002" || ws[0].StaffID != s.ID {
		t.Fatalf("windows = %+v", ws)
	}
	w.Items = []string{"RS-A-003"}
	if _, err := db.SaveWindow(ctx, w); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Window(ctx, h.ID, w.ID); strings.Join(got.Items, ",") != "RS-A-003" {
		t.Fatalf("items after update = %v", got.Items)
	}
	secret, d, err := db.CreateDevice(ctx, hall.Device{HallID: h.ID, Kind: hall.DeviceKiosk, Name: "1号取号机"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := db.PrincipalForDevice(ctx, secret); err != nil || p.Role != auth.Device || p.HallID != h.ID {
		t.Fatalf("device principal %+v %v", p, err)
	}
	db.RevokeDevice(ctx, h.ID, d.ID)
	if _, err := db.PrincipalForDevice(ctx, secret); err == nil {
		t.Fatal("revoked device still authenticates")
	}
}

func TestFailedTransactionLeavesNothing(t *testing.T) {
	db := storetest.Open(t)
	h := demoHall(t, db)
	before, _ := db.ListAudit(ctx, store.AuditFilter{})
	boom := errors.New("boom")
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec("INSERT INTO zones (hall_id, code, name, prefix) VALUES (?, 'x', 'x', 'X')", h.ID); err != nil {
			return err
		}
		if err := tx.Audit("zone.create", "zone:x", ""); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	zs, _ := db.ListZones(ctx, h.ID)
	after, _ := db.ListAudit(ctx, store.AuditFilter{})
	if len(zs) != 0 || len(after) != len(before) {
		t.Fatalf("rolled-back write left %d zones and %d new audit records", len(zs), len(after)-len(before))
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	db := storetest.Open(t)
	for i := 0; i < 5; i++ {
		demoHallCode(t, db, i)
	}
	n, err := db.VerifyAudit(ctx)
	if err != nil || n != 5 {
		t.Fatalf("intact: %d %v", n, err)
	}
	if _, err := db.Raw().Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"); err == nil {
		t.Fatal("the append-only trigger let an update through")
	}
	if _, err := db.Raw().Exec("DELETE FROM audit_log WHERE seq = 3"); err == nil {
		t.Fatal("the append-only trigger let a delete through")
	}
	dropTriggers(t, db)
	if _, err := db.Raw().Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyAudit(ctx); err == nil || !strings.HasPrefix(err.Error(), "record 3:") {
		t.Fatalf("edited record: %v", err)
	}
}

func dropTriggers(t *testing.T, db *store.DB) {
	t.Helper()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	if db.Dialect == store.Postgres {
		stmts = []string{"DROP TRIGGER audit_log_no_change ON audit_log"}
	}
	for _, s := range stmts {
		if _, err := db.Raw().Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func demoHallCode(t *testing.T, db *store.DB, i int) {
	t.Helper()
	_, err := db.CreateHall(ctx, hall.Hall{Code: "h" + string(rune('a'+i)), Name: "大厅", Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuditChainUnderConcurrentWriters(t *testing.T) {
	db := storetest.Open(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if err := db.Write(ctx, func(tx *store.Tx) error { return tx.Audit("test.write", "x", "") }); err != nil {
					t.Error(err)
				}
			}
		}(i)
	}
	wg.Wait()
	if n, err := db.VerifyAudit(ctx); err != nil || n != 80 {
		t.Fatalf("after concurrent appends: %d %v", n, err)
	}
}

type failingProvider struct{ fail map[string]bool }

func (p failingProvider) Name() string { return "test" }
func (p failingProvider) Splits() bool { return false }
func (p failingProvider) Submit(ctx context.Context, s notify.Submission, part notify.Part) (string, error) {
	if p.fail[s.To] {
		return "", fmt.Errorf("gateway down: %w", notify.ErrNotSent)
	}
	return "ref-" + s.OutID, nil
}
func (p failingProvider) Query(ctx context.Context, s notify.Submission, part notify.Part, msgID string) (notify.QueryResult, error) {
	return notify.QueryResult{}, errors.New("no query")
}

func TestOutboxSendRetryAndDedupe(t *testing.T) {
	db := storetest.Open(t)
	// Inside the default sending window (10:00 in Shanghai).
	start := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return start })
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, m := range []notify.Message{
			{Channel: notify.SMS, Recipient: "13800138000", Body: "您好", DedupeKey: "k1"},
			{Channel: notify.SMS, Recipient: "13800138000", Body: "重复", DedupeKey: "k1"},
			{Channel: notify.SMS, Recipient: "13900139000", Body: "会失败"},
		} {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: "12345", Body: "x"})
		return err
	}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("bad recipient: %v", err)
	}
	prov := failingProvider{fail: map[string]bool{"13900139000": true}}
	s := &notify.Sender{Outbox: db, Provider: func(int64) notify.Provider { return prov }, Log: db.Log, MaxAttempts: 2}
	s.Now = db.Now
	s.Drain(ctx)
	counts, _ := db.OutboxCounts(ctx)
	if counts["accepted"] != 1 || counts["queued"] != 1 {
		t.Fatalf("counts = %v", counts)
	}
	// Jump past the back-off: the second failure makes the message failed.
	db.SetClock(func() time.Time { return start.Add(2 * time.Hour) })
	s.Now = db.Now
	s.Drain(ctx)
	counts, _ = db.OutboxCounts(ctx)
	if counts["failed"] != 1 || counts["accepted"] != 1 {
		t.Fatalf("after max attempts counts = %v", counts)
	}
}

func TestEventsPublishedAfterCommitOnly(t *testing.T) {
	db := storetest.Open(t)
	got := make(chan store.Event, 10)
	db.OnEvent(func(e store.Event) { got <- e })
	ready := make(chan struct{})
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go db.Listen(lctx, func() { close(ready) })
	<-ready
	db.Write(ctx, func(tx *store.Tx) error {
		tx.Publish(1, "rolled.back", map[string]int{"n": 1})
		return errors.New("abort")
	})
	if err := db.Write(ctx, func(tx *store.Tx) error { return tx.Publish(1, "ticket.issued", map[string]string{"number": "A001"}) }); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got:
		if e.Kind != "ticket.issued" {
			t.Fatalf("first delivered event is %q", e.Kind)
		}
		since, _ := db.EventsSince(ctx, 1, 0, 10)
		if len(since) != 1 || since[0].ID != e.ID {
			t.Fatalf("EventsSince = %+v", since)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("event not delivered")
	}
}

func TestBackupRestore(t *testing.T) {
	if storetest.PGDSN() != "" {
		t.Skip("SQLite online backup; PostgreSQL uses pg_dump")
	}
	db := storetest.Open(t)
	demoHall(t, db)
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dest); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	dir := t.TempDir()
	if err := os.Rename(dest, filepath.Join(dir, "mingbai.db")); err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(ctx, store.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	hs, err := restored.ListHalls(ctx)
	if err != nil || len(hs) != 1 || hs[0].Name != "测试大厅" {
		t.Fatalf("restored halls = %+v, %v", hs, err)
	}
	if _, err := restored.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWriteGroupedIsolatesFailuresAndCommitsTheRest(t *testing.T) {
	db := storetest.Open(t)
	h := demoHall(t, db)
	got := make(chan store.Event, 100)
	db.OnEvent(func(e store.Event) { got <- e })
	ready := make(chan struct{})
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go db.Listen(lctx, func() { close(ready) })
	<-ready
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = db.WriteGrouped(ctx, func(tx *store.Tx) error {
				code := fmt.Sprintf("z%02d", i)
				if _, err := tx.Exec("INSERT INTO zones (hall_id, code, name, prefix) VALUES (?, ?, 'z', ?)", h.ID, code, code); err != nil {
					return err
				}
				if err := tx.Audit("zone.create", code, ""); err != nil {
					return err
				}
				if err := tx.Publish(h.ID, "zone.created", code); err != nil {
					return err
				}
				if i%4 == 0 {
					return errors.New("refused")
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if (err != nil) != (i%4 == 0) {
			t.Errorf("operation %d: %v", i, err)
		}
		if err != nil {
			failed++
		}
	}
	zs, _ := db.ListZones(ctx, h.ID)
	if len(zs) != 40-failed {
		t.Fatalf("%d zones committed, want %d", len(zs), 40-failed)
	}
	for _, z := range zs {
		var i int
		fmt.Sscanf(z.Code, "z%d", &i)
		if i%4 == 0 {
			t.Errorf("a failed operation's zone %s was committed", z.Code)
		}
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != int64(1+40-failed) {
		t.Fatalf("audit after grouped writes: %d records, %v", n, err)
	}
	for i := 0; i < 40-failed; i++ {
		select {
		case e := <-got:
			if e.Kind != "zone.created" {
				t.Fatalf("event %q", e.Kind)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d events delivered", i, 40-failed)
		}
	}
	select {
	case e := <-got:
		t.Fatalf("event of a rolled-back operation delivered: %s", e.Payload)
	default:
	}
}
