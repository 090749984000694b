package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"mingbai/internal/catalog"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// hotPair opens a second instance b on a's PostgreSQL database and starts
// a's event listener, so that a's hot cache is on; stop ends the listener
// (and the cache) and waits for it.
func hotPair(t *testing.T, a *store.DB) (b *store.DB, stop func()) {
	t.Helper()
	b, err := store.Open(ctx, store.Config{DSN: a.DSN()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ready := make(chan struct{})
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); a.Listen(lctx, func() { close(ready) }) }()
	<-ready
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return b, stop
}

// eventually polls cond for up to 10 s: the NOTIFY reaches an instance's
// listener shortly after another instance's commit, not at it.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
	}
}

// TestHotCacheSeesOtherInstancesChanges runs two instances on one
// PostgreSQL database. Instance A serves a kiosk's token and a published
// guide from memory once its listener is up; instance B revokes the kiosk
// and publishes a new version of the guide. A must refuse the token and
// serve the new version as soon as B's commit is notified, and, with its
// listener gone, must read the database on every request.
func TestHotCacheSeesOtherInstancesChanges(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("the hot cache is used on PostgreSQL only: set MINGBAI_TEST_PG")
	}
	a := storetest.Open(t)
	if _, err := a.ImportCatalog(as("admin", "admin"), catalog.DemoJSON); err != nil {
		t.Fatal(err)
	}
	h := demoHall(t, a)
	b, stop := hotPair(t, a)

	secret, d, err := a.CreateDevice(ctx, hall.Device{HallID: h.ID, Kind: hall.DeviceKiosk, Name: "1号取号机"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first read fills the cache, the others use it
		if p, err := a.PrincipalForDevice(ctx, secret); err != nil || p.DeviceID != d.ID {
			t.Fatalf("kiosk principal %+v %v", p, err)
		}
	}
	if err := b.RevokeDevice(ctx, h.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "instance A still accepts a kiosk that instance B revoked", func() bool {
		_, err := a.PrincipalForDevice(ctx, secret)
		return err != nil
	})

	const code = "RS-B-011"
	orig, err := a.PublishedItem(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := a.PublishedItem(ctx, code); again.Summary != orig.Summary {
		t.Fatal("published item changed without a publication")
	}
	edited := orig
	edited.Summary = "另一实例发布的新简述"
	v, err := b.SaveDraft(as("editor", "guide_editor"), edited, "调整简述")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PublishVersion(as("manager", "hall_manager"), code, v.Number); err != nil {
		t.Fatal(err)
	}
	eventually(t, "instance A still serves the guide version that instance B replaced", func() bool {
		it, err := a.PublishedItem(ctx, code)
		return err == nil && it.Summary == edited.Summary
	})

	// Without its listener A cannot hear of changes: it reads every time.
	stop()
	secret2, d2, err := a.CreateDevice(ctx, hall.Device{HallID: h.ID, Kind: hall.DeviceKiosk, Name: "2号取号机"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.PrincipalForDevice(ctx, secret2); err != nil {
		t.Fatal(err)
	}
	if err := b.RevokeDevice(ctx, h.ID, d2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PrincipalForDevice(ctx, secret2); err == nil {
		t.Fatal("without a listener, instance A served a revoked kiosk from memory")
	}
}
