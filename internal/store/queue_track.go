package store

import (
	"context"
	"time"

	"mingbai/internal/apperr"
)

// TicketView is the live state of a ticket for its holder.
type TicketView struct {
	Ticket Ticket
	Ahead  int
	// Eta is the live estimate, -1 when no open window serves the item.
	Eta     time.Duration
	Calling []Call
}

// Call is one recent call shown on screens.
type Call struct {
	Number string `json:"number"`
	Window string `json:"window"`
	Zone   string `json:"zone"`
	At     int64  `json:"at"`
}

// TicketByToken returns the live view of a ticket from its tracking token.
func (db *DB) TicketByToken(ctx context.Context, token string) (TicketView, error) {
	var v TicketView
	if len(token) < 16 || len(token) > 64 {
		return v, apperr.NotFoundOf("ticket")
	}
	err := db.Read(ctx, func(tx *Tx) error {
		t, err := scanTicket(tx.QueryRow("SELECT "+ticketCols+ticketFrom+"WHERE t.track_token = ?", token))
		if err != nil {
			return notFound(err, "ticket")
		}
		v.Ticket, v.Eta = t, -1
		if t.State == "waiting" {
			st, err := queueSettings(tx, t.HallID)
			if err != nil {
				return err
			}
			qt := toQueue(&t)
			snap, waiting, err := buildSnapshot(tx, t.HallID, t.Day, st, &qt)
			if err != nil {
				return err
			}
			if v.Ahead, err = aheadOf(tx, &t, snap, waiting); err != nil {
				return err
			}
			if eta, ok := estimate(snap, qt); ok {
				v.Eta = eta
			}
		}
		v.Calling, err = recentCalls(tx, t.HallID, t.Day, 6)
		return err
	})
	return v, err
}

func recentCalls(tx *Tx, hallID int64, day string, n int) ([]Call, error) {
	rows, err := tx.Query(`SELECT t.number, COALESCE(w.number, ''), t.zone, t.called_at FROM tickets t LEFT JOIN windows w ON w.id = t.window_id
		WHERE t.hall_id = ? AND t.day = ? AND t.called_at > 0 AND t.window_id IS NOT NULL ORDER BY t.called_at DESC, t.id DESC LIMIT ?`, hallID, day, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Call{}
	for rows.Next() {
		var c Call
		if err := rows.Scan(&c.Number, &c.Window, &c.Zone, &c.At); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
