package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// rawTickets is shaped like the tickets table (same columns, unique
// constraints and indexes, without the foreign keys to halls and windows).
const rawTickets = `CREATE TABLE tickets (
    id INTEGER PRIMARY KEY, hall_id INTEGER NOT NULL, day TEXT NOT NULL, number TEXT NOT NULL, prefix TEXT NOT NULL,
    seq INTEGER NOT NULL, item_code TEXT NOT NULL, zone TEXT NOT NULL, priority TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, issued_at INTEGER NOT NULL, created_at INTEGER NOT NULL,
    called_at INTEGER NOT NULL DEFAULT 0, started_at INTEGER NOT NULL DEFAULT 0, finished_at INTEGER NOT NULL DEFAULT 0,
    window_id INTEGER, target_window_id INTEGER, staff_id INTEGER, recalls INTEGER NOT NULL DEFAULT 0,
    priority_bypassed INTEGER NOT NULL DEFAULT 0, eta_ms INTEGER NOT NULL DEFAULT 0, track_token TEXT NOT NULL UNIQUE,
    idem_key TEXT, appointment_id INTEGER, near_notified INTEGER NOT NULL DEFAULT 0,
    UNIQUE (hall_id, day, prefix, seq), UNIQUE (hall_id, idem_key));
CREATE INDEX tickets_state ON tickets (hall_id, state, day);
CREATE INDEX tickets_window ON tickets (window_id, state);
CREATE INDEX tickets_report ON tickets (hall_id, day, item_code, state, issued_at, called_at, started_at, finished_at);`

// RawServer is the baseline: a bare net/http handler that decodes the same
// request as a ticket issue and inserts one row into a tickets-shaped
// SQLite table with the store's pragmas (busy_timeout, WAL, the given
// synchronous mode, one writer connection, immediate transactions).
type RawServer struct {
	URL string
	db  *sql.DB
	hs  *http.Server
	dir string
	seq atomic.Int64
}

// StartRaw starts the baseline server.
func StartRaw(sync string) (*RawServer, error) {
	dir, err := os.MkdirTemp("", "mingbai-raw-")
	if err != nil {
		return nil, err
	}
	rs := &RawServer{dir: dir}
	dsn := "file:" + filepath.Join(dir, "raw.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(" + sync + ")&_txlock=immediate"
	if rs.db, err = sql.Open("sqlite", dsn); err != nil {
		rs.Close()
		return nil, err
	}
	rs.db.SetMaxOpenConns(1)
	if _, err := rs.db.Exec(rawTickets); err != nil {
		rs.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		rs.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/tickets", rs.issue)
	rs.hs = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slogDiscard()}
	go rs.hs.Serve(ln)
	rs.URL = "http://" + ln.Addr().String()
	return rs, nil
}

func (rs *RawServer) issue(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Item           string `json:"item"`
		IdempotencyKey string `json:"idempotency_key,omitempty"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil || in.Item == "" {
		http.Error(w, "bad request", 400)
		return
	}
	now := time.Now()
	seq := rs.seq.Add(1)
	number := fmt.Sprintf("A%03d", seq)
	b := make([]byte, 18)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	var idem any
	if in.IdempotencyKey != "" {
		idem = in.IdempotencyKey
	}
	tx, err := rs.db.BeginTx(r.Context(), nil)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(r.Context(), `INSERT INTO tickets (hall_id, day, number, prefix, seq, item_code, zone, priority, channel, phone, state,
		issued_at, created_at, eta_ms, track_token, idem_key) VALUES (1, ?, ?, 'A', ?, ?, 'employment', '', 'kiosk', '', 'waiting', ?, ?, -1, ?, ?) RETURNING id`,
		now.Format("2006-01-02"), number, seq, in.Item, now.UnixMilli(), now.UnixMilli(), token, idem).Scan(&id)
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(201)
	json.NewEncoder(w).Encode(map[string]any{"id": id, "number": number, "item": in.Item, "track_url": "/t/" + token, "issued_at": now.UnixMilli()})
}

// Close stops the baseline server and removes its database.
func (rs *RawServer) Close() {
	if rs.hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		rs.hs.Shutdown(ctx)
		cancel()
	}
	if rs.db != nil {
		rs.db.Close()
	}
	os.RemoveAll(rs.dir)
}
