package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/web"
)

// smallDisk mounts a tmpfs of the given size at a fresh directory, or
// skips the test when that is not possible (not root, no mount). CI runs
// as root, so there the test runs.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("disk-full test skipped: needs root to mount a small tmpfs (CI runs it as root)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("disk-full test skipped: cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file until the disk is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	// Leave nothing: byte-sized writes until the last block is used too.
	for {
		if _, err := f.Write([]byte{0}); err != nil {
			break
		}
	}
	return p
}

// TestDiskFullAnswers503AndRecovers runs the server on SQLite in
// a data directory on a small tmpfs. When the disk fills up, ticket issue
// answers 503 with the localised storage-full message and stores nothing
// of the refused request (the tickets in the database are exactly the
// acknowledged ones); reads keep working; when space returns, issue works
// again, twice over. (A read-only remount cannot be tested this way: Linux
// refuses to remount a file system read-only while SQLite holds files open
// for writing; storage_errors_test.go in the store checks the mapping of
// a real read-only refusal.)
func TestDiskFullAnswers503AndRecovers(t *testing.T) {
	dir := smallDisk(t, "64m")
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sealer, err := pii.NewSealer(pii.GenerateKeyring())
	if err != nil {
		t.Fatal(err)
	}
	db.SetPII(sealer)
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	db.SetClock(func() time.Time { return time.Date(2026, 12, 2, 10, 0, 0, 0, loc) }) // a Wednesday morning
	e := newServer(t, db, web.Config{Version: "test"})
	kiosk := res.DeviceTokens["1号自助取号机（大厅入口）"]
	if kiosk == "" {
		t.Fatal("no kiosk token in the demo")
	}
	acked := 0
	issue := func() (int, []byte) {
		status, b := e.do("POST", "/api/v1/tickets", kiosk, map[string]any{"item": itemA, "idempotency_key": fmt.Sprintf("disk-%d-%d", acked, time.Now().UnixNano())})
		if status == 201 {
			acked++
		}
		return status, b
	}
	tickets := func() int {
		t.Helper()
		var n int
		if err := db.Raw().QueryRow("SELECT COUNT(*) FROM tickets").Scan(&n); err != nil {
			t.Fatalf("count tickets: %v", err)
		}
		return n
	}
	if s, b := issue(); s != 201 {
		t.Fatalf("first ticket: %d %s", s, b)
	}
	base := tickets() - acked

	refused := func(what, key string) {
		t.Helper()
		// The WAL may still have room from before: write until refused.
		var status int
		var b []byte
		for i := 0; i < 2000; i++ {
			if status, b = issue(); status != 201 {
				break
			}
		}
		if status != 503 {
			t.Fatalf("%s: issue answered %d %s, want 503", what, status, b)
		}
		var eb web.ErrorBody
		if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Code != "unavailable" || eb.Error.Message == "" || strings.HasPrefix(eb.Error.Message, "err.") {
			t.Fatalf("%s: error body %s", what, b)
		}
		r := e.request("POST", "/api/v1/tickets", bearer(kiosk), jsonBody(map[string]any{"item": itemA}), header("Accept-Language", "zh-CN"))
		if r.Status != 503 || !strings.Contains(r.Body, key) {
			t.Fatalf("%s: zh-CN answer %d %s, want the message %q", what, r.Status, r.Body, key)
		}
		// Reads keep working, and nothing of the refused requests is stored.
		if s, b := e.do("GET", fmt.Sprintf("/api/v1/halls/%d/queue", res.Hall.ID), kiosk, nil); s != 200 {
			t.Fatalf("%s: reading the queue: %d %s", what, s, b)
		}
		if r := e.request("GET", "/guides"); r.Status != 200 {
			t.Fatalf("%s: guides page: %d", what, r.Status)
		}
		if got := tickets() - base; got != acked {
			t.Fatalf("%s: %d tickets stored, %d acknowledged", what, got, acked)
		}
		if s, b := e.do("GET", "/readyz", "", nil); s != 200 {
			t.Fatalf("%s: /readyz %d %s", what, s, b)
		}
	}
	works := func(what string) {
		t.Helper()
		if s, b := issue(); s != 201 {
			t.Fatalf("%s: issue after recovery: %d %s", what, s, b)
		}
		if got := tickets() - base; got != acked {
			t.Fatalf("%s: %d tickets stored, %d acknowledged", what, got, acked)
		}
	}

	// Disk full, then space returns.
	filler := fill(t, dir)
	refused("disk full", "服务器存储空间已满")
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	works("space returned")

	// A second episode: the server keeps going through repeated ones.
	filler = fill(t, dir)
	refused("disk full again", "服务器存储空间已满")
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	works("space returned again")
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain after the disk episodes: %v", err)
	}
}
