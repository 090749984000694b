package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"mingbai/internal/demo"
	"mingbai/internal/events"
	"mingbai/internal/pii"
	"mingbai/internal/store"
	"mingbai/internal/web"
)

// Engine is a database configuration under test.
type Engine struct {
	Name string // sqlite-full, sqlite-normal, postgres
	Sync string // FULL or NORMAL (SQLite)
	DSN  string // PostgreSQL server DSN (a fresh schema is made in it)
}

// Hall is a real mingbai server with the demo hall, listening on
// 127.0.0.1, on a fresh database.
type Hall struct {
	DB     *store.DB
	Server *web.Server
	Broker *events.Broker
	URL    string
	HallID int64
	// Kiosk is a kiosk device token (issues tickets).
	Kiosk string
	// Items are the codes of the published items offered in the hall.
	Items []string
	// Windows maps window number ("1"…"22") to its id.
	Windows map[string]int64

	hs      *http.Server
	cancel  context.CancelFunc
	cleanup []func()
}

// StartHall opens a fresh database of the engine, seeds the demo hall and
// serves it on a free port of 127.0.0.1.
func StartHall(ctx context.Context, e Engine) (h *Hall, err error) {
	h = &Hall{Windows: map[string]int64{}}
	defer func() {
		if err != nil {
			h.Close()
		}
	}()
	dir, err := os.MkdirTemp("", "mingbai-bench-")
	if err != nil {
		return nil, err
	}
	h.cleanup = append(h.cleanup, func() { os.RemoveAll(dir) })
	cfg := store.Config{Dir: dir, Synchronous: e.Sync}
	if e.DSN != "" {
		dsn, drop, err := freshSchema(e.DSN)
		if err != nil {
			return h, err
		}
		h.cleanup = append(h.cleanup, drop)
		cfg = store.Config{DSN: dsn, Dir: dir}
	}
	if h.DB, err = store.Open(ctx, cfg); err != nil {
		return h, err
	}
	h.DB.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	// Personal data is sealed as in production (phones, consultation).
	sealer, err := pii.NewSealer(pii.GenerateKeyring())
	if err != nil {
		return h, err
	}
	h.DB.SetPII(sealer)
	if _, err := h.DB.Migrate(ctx); err != nil {
		return h, err
	}
	res, err := demo.Seed(ctx, h.DB)
	if err != nil {
		return h, err
	}
	h.HallID = res.Hall.ID
	for name, tok := range res.DeviceTokens {
		if strings.Contains(name, "取号机") {
			h.Kiosk = tok
			break
		}
	}
	if h.Kiosk == "" {
		return h, fmt.Errorf("demo hall has no kiosk device")
	}
	wins, err := h.DB.ListWindows(ctx, h.HallID)
	if err != nil {
		return h, err
	}
	offered := map[string]bool{}
	for _, w := range wins {
		h.Windows[w.Number] = w.ID
		for _, it := range w.Items {
			offered[it] = true
		}
	}
	items, err := h.DB.ListPublishedItems(ctx, "")
	if err != nil {
		return h, err
	}
	for _, it := range items {
		if offered[it.Code] {
			h.Items = append(h.Items, it.Code)
		}
	}
	if len(h.Items) == 0 {
		return h, fmt.Errorf("demo hall offers no items")
	}
	// As in serve: the broker receives committed events.
	h.Broker = events.NewBroker(256)
	h.DB.OnEvent(h.Broker.Publish)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if h.Server, err = web.New(h.DB, h.Broker, log, web.Config{Version: "bench"}); err != nil {
		return h, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	ready := make(chan struct{})
	go h.DB.Listen(lctx, func() { close(ready) })
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		return h, fmt.Errorf("event listener did not start")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return h, err
	}
	h.hs = &http.Server{Handler: h.Server, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slogDiscard()}
	go h.hs.Serve(ln)
	h.URL = "http://" + ln.Addr().String()
	return h, nil
}

// StaffToken returns an API token of a demo account (e.g. "w01").
func (h *Hall) StaffToken(ctx context.Context, user string) (string, error) {
	secret, _, err := h.DB.CreateToken(ctx, user, "bench")
	return secret, err
}

// Close stops the server and removes the database.
func (h *Hall) Close() {
	if h.Server != nil {
		h.Server.CloseStreams()
	}
	if h.hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = h.hs.Shutdown(ctx)
		cancel()
		h.hs.Close()
	}
	if h.cancel != nil {
		h.cancel()
	}
	if h.DB != nil {
		h.DB.Close()
	}
	for i := len(h.cleanup) - 1; i >= 0; i-- {
		h.cleanup[i]()
	}
}

// freshSchema makes a new schema in the PostgreSQL server and returns a DSN
// that uses it and a function that drops it (as storetest does).
func freshSchema(dsn string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}
	u, err := url.Parse(dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
