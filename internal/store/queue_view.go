package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"mingbai/internal/hall"
	"mingbai/internal/queue"
)

// ZoneWaiting is the public count of one zone.
type ZoneWaiting struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Prefix  string `json:"prefix"`
	Waiting int    `json:"waiting"`
}

// WindowBoard is a window as public screens show it. The staff name, post,
// pledge and photo are shown publicly by design (亮明身份).
type WindowBoard struct {
	Number  string `json:"number"`
	Zone    string `json:"zone"`
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Current string `json:"current,omitempty"`
	Staff   string `json:"staff,omitempty"`
	Post    string `json:"post,omitempty"`
	Pledge  string `json:"pledge,omitempty"`
	Photo   string `json:"photo,omitempty"`
}

// HallBoard is the public state of a hall's queue: what screens show on
// (re)connect. It carries numbers and counts, never ids or phones.
type HallBoard struct {
	Hall    string        `json:"hall"`
	Day     string        `json:"day"`
	Calls   []Call        `json:"calls"`
	Zones   []ZoneWaiting `json:"zones"`
	Windows []WindowBoard `json:"windows"`
	// Leader names today's duty leaders; Duty is their published roster
	// (store/duty_roster.go).
	Leader string    `json:"leader"`
	Duty   DutyBoard `json:"duty"`
}

// boardTTL bounds how long a cached hall board is served; events of the
// hall (from this instance or, through LISTEN, from others) end it at once.
const boardTTL = 2 * time.Second

// boardCache keeps each hall's board: thousands of screens (re)connecting
// at once each want it, and building it reads today's tickets.
type boardCache struct {
	mu     sync.Mutex
	all    uint64 // bumped by invalidateAll
	gen    map[int64]uint64
	boards map[int64]cachedBoard
}

type cachedBoard struct {
	b   HallBoard
	gen uint64
	at  time.Time
}

// invalidate ends the cached board of a hall; deliver calls it before the
// hall's events reach any subscriber, so a screen that subscribes after an
// event never gets a board from before it.
func (c *boardCache) invalidate(hallID int64) {
	c.mu.Lock()
	if c.gen == nil {
		c.gen = map[int64]uint64{}
	}
	c.gen[hallID]++
	delete(c.boards, hallID)
	c.mu.Unlock()
}

// invalidateAll ends every cached board.
func (c *boardCache) invalidateAll() {
	c.mu.Lock()
	c.all++
	c.boards = nil
	c.mu.Unlock()
}

// HallBoard returns the public queue state of a hall. The result is shared
// between callers: read it, do not modify it.
func (db *DB) HallBoard(ctx context.Context, hallID int64) (HallBoard, error) {
	now := db.Now()
	c := &db.boards
	c.mu.Lock()
	gen := c.gen[hallID] + c.all<<32
	if cb, ok := c.boards[hallID]; ok && cb.gen == gen && now.Sub(cb.at) < boardTTL && now.Sub(cb.at) >= 0 {
		c.mu.Unlock()
		return cb.b, nil
	}
	c.mu.Unlock()
	b, err := db.hallBoard(ctx, hallID)
	if err != nil {
		return b, err
	}
	c.mu.Lock()
	if c.gen[hallID]+c.all<<32 == gen {
		if c.boards == nil {
			c.boards = map[int64]cachedBoard{}
		}
		c.boards[hallID] = cachedBoard{b: b, gen: gen, at: now}
	}
	c.mu.Unlock()
	return b, nil
}

func (db *DB) hallBoard(ctx context.Context, hallID int64) (HallBoard, error) {
	var b HallBoard
	err := db.Read(ctx, func(tx *Tx) error {
		h, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		b.Hall, b.Day = h.Name, dayOf(tx.Now, loc)
		if b.Calls, err = recentCalls(tx, hallID, b.Day, 8); err != nil {
			return err
		}
		counts, err := zoneCounts(tx, hallID, b.Day)
		if err != nil {
			return err
		}
		rows, err := tx.Query("SELECT code, name, prefix FROM zones WHERE hall_id = ? ORDER BY sort, id", hallID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var z ZoneWaiting
			if err := rows.Scan(&z.Code, &z.Name, &z.Prefix); err != nil {
				rows.Close()
				return err
			}
			z.Waiting = counts[z.Code]
			b.Zones = append(b.Zones, z)
		}
		rows.Close()
		if b.Windows, err = windowBoards(tx, hallID); err != nil {
			return err
		}
		return fillDutyBoard(tx, &b, hallID)
	})
	return b, err
}

func windowBoards(tx *Tx, hallID int64) ([]WindowBoard, error) {
	rows, err := tx.Query(`SELECT w.id, w.number, z.code, COALESCE(s.state, 'closed'), COALESCE(s.reason, ''),
		COALESCE(st.name, ''), COALESCE(st.post, ''), COALESCE(st.pledge, ''), COALESCE(st.photo_url, '')
		FROM windows w JOIN zones z ON z.id = w.zone_id
		LEFT JOIN window_sessions s ON s.window_id = w.id AND s.state <> 'closed'
		LEFT JOIN staff st ON st.id = COALESCE(s.staff_id, w.staff_id)
		WHERE w.hall_id = ? ORDER BY length(w.number), w.number`, hallID)
	if err != nil {
		return nil, err
	}
	var out []WindowBoard
	ids := map[int64]int{}
	for rows.Next() {
		var wb WindowBoard
		var id int64
		if err := rows.Scan(&id, &wb.Number, &wb.Zone, &wb.State, &wb.Reason, &wb.Staff, &wb.Post, &wb.Pledge, &wb.Photo); err != nil {
			rows.Close()
			return nil, err
		}
		ids[id] = len(out)
		out = append(out, wb)
	}
	rows.Close()
	rows, err = tx.Query("SELECT window_id, number FROM tickets WHERE hall_id = ? AND state IN ("+stateList(queue.State.AtWindow)+") AND window_id IS NOT NULL", hallID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		if i, ok := ids[id]; ok {
			out[i].Current = n
		}
	}
	return out, rows.Err()
}

// ItemWaiting is a waiting count of one item.
type ItemWaiting struct {
	Item    string `json:"item"`
	Waiting int    `json:"waiting"`
}

// Console is what the window console shows.
type Console struct {
	Window  hall.Window    `json:"window"`
	Session *WindowSession `json:"session"`
	Current *Ticket        `json:"current"`
	// Waiting counts the callable tickets per item the window serves.
	Waiting      []ItemWaiting `json:"waiting"`
	WaitingTotal int           `json:"waiting_total"`
	Served       int           `json:"served_today"`
	AvgWaitMs    int64         `json:"avg_wait_ms"`
	AvgServiceMs int64         `json:"avg_service_ms"`
	Held         []Ticket      `json:"held"`
	// Queue lists the waiting tickets the window can serve, oldest first
	// (at most ConsoleQueueLen), and NextID the one "call next" would pick.
	Queue  []Ticket `json:"queue"`
	NextID int64    `json:"next_id,omitempty"`
}

// ConsoleQueueLen bounds the waiting tickets listed on the console.
const ConsoleQueueLen = 30

// WindowConsole returns the console state of a window.
func (db *DB) WindowConsole(ctx context.Context, hallID, windowID int64) (Console, error) {
	var c Console
	err := db.Read(ctx, func(tx *Tx) error {
		w, err := windowInTx(tx, hallID, windowID)
		if err != nil {
			return err
		}
		c.Window = w
		_, loc, err := hallInTx(tx, hallID)
		if err != nil {
			return err
		}
		day := dayOf(tx.Now, loc)
		if s, err := activeSession(tx, windowID); err == nil {
			c.Session = &s
		} else if !errors.Is(err, ErrNoRows) {
			return err
		}
		t, err := scanTicket(tx.QueryRow("SELECT "+ticketCols+ticketFrom+"WHERE t.window_id = ? AND t.state IN ("+stateList(queue.State.AtWindow)+") LIMIT 1", windowID))
		if err == nil {
			c.Current = &t
		} else if !errors.Is(err, ErrNoRows) {
			return err
		}
		waiting, wrows, err := loadWaiting(tx, hallID, day)
		if err != nil {
			return err
		}
		qw := queueWindow(w, true)
		per := map[string]int{}
		for i := range waiting {
			if qw.Serves(&waiting[i]) {
				per[waiting[i].Item]++
				c.WaitingTotal++
				if len(c.Queue) < ConsoleQueueLen {
					c.Queue = append(c.Queue, wrows[i])
				}
			}
		}
		st, err := queueSettings(tx, hallID)
		if err != nil {
			return err
		}
		if pol, err := queue.NewPolicy(st.Policy, queue.Options{K: st.GreenK}); err == nil {
			if i, ok := pol.Next(qw, waiting, tx.Now); ok {
				c.NextID = waiting[i].ID
			}
		}
		for _, it := range w.Items {
			if per[it] > 0 {
				c.Waiting = append(c.Waiting, ItemWaiting{Item: it, Waiting: per[it]})
			}
		}
		var avgWait, avgSvc *float64
		if err := tx.QueryRow(`SELECT COUNT(*), AVG(called_at - issued_at), AVG(finished_at - started_at) FROM tickets
			WHERE window_id = ? AND day = ? AND state = 'done'`, windowID, day).Scan(&c.Served, &avgWait, &avgSvc); err != nil {
			return err
		}
		if avgWait != nil {
			c.AvgWaitMs = int64(*avgWait)
		}
		if avgSvc != nil {
			c.AvgServiceMs = int64(*avgSvc)
		}
		rows, err := tx.Query("SELECT "+ticketCols+ticketFrom+`WHERE t.hall_id = ? AND t.day = ? AND t.state = 'held' AND t.id IN
			(SELECT ticket_id FROM ticket_transitions WHERE action = 'hold' AND window_id = ?) ORDER BY t.issued_at`, hallID, day, windowID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTicket(rows)
			if err != nil {
				return err
			}
			c.Held = append(c.Held, t)
		}
		return rows.Err()
	})
	return c, err
}

// ETAAccuracy compares the estimates given at issue with the actual waits
// (issue → first call) of the tickets called since a time.
type ETAAccuracy struct {
	N          int   `json:"n"`
	MeanAbsMs  int64 `json:"mean_abs_error_ms"`
	MeanBiasMs int64 `json:"mean_bias_ms"`
}

// EstimateAccuracy measures the stored estimates against the actual waits.
func (db *DB) EstimateAccuracy(ctx context.Context, hallID int64, since time.Time) (ETAAccuracy, error) {
	var a ETAAccuracy
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT eta_ms, called_at - issued_at FROM tickets WHERE hall_id = ? AND eta_ms >= 0 AND called_at > 0 AND issued_at >= ?", hallID, since.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		var abs, bias int64
		for rows.Next() {
			var eta, wait int64
			if err := rows.Scan(&eta, &wait); err != nil {
				return err
			}
			d := eta - wait
			bias += d
			if d < 0 {
				d = -d
			}
			abs += d
			a.N++
		}
		if a.N > 0 {
			a.MeanAbsMs, a.MeanBiasMs = abs/int64(a.N), bias/int64(a.N)
		}
		return rows.Err()
	})
	return a, err
}

// WindowByNumber returns the id of a hall's window by its number.
func (db *DB) WindowByNumber(ctx context.Context, hallID int64, number string) (int64, error) {
	var id int64
	err := db.Read(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRow("SELECT id FROM windows WHERE hall_id = ? AND number = ?", hallID, number).Scan(&id), "window")
	})
	return id, err
}

// HallDay returns the hall's current day (YYYY-MM-DD in its time zone).
func (db *DB) HallDay(ctx context.Context, hallID int64) (string, error) {
	var day string
	err := db.Read(ctx, func(tx *Tx) error {
		_, loc, err := hallInTx(tx, hallID)
		day = dayOf(tx.Now, loc)
		return err
	})
	return day, err
}
