package store

import (
	"context"
	"time"

	"mingbai/internal/apperr"
)

// TicketView is the live state of a ticket for its holder.
type TicketView struct {
	Ticket Ticket
	// Ahead is Wait.Ahead and Eta Wait.Eta(), kept for the pages that read
	// them; Eta is -1 when no open window serves the item.
	Ahead   int
	Eta     time.Duration
	Wait    Wait
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
		v.Ticket, v.Eta, v.Wait = t, -1, Wait{EtaMs: -1}
		v.Calling, err = recentCalls(tx, t.HallID, t.Day, 6)
		return err
	})
	if err == nil && v.Ticket.State == "waiting" {
		// From the hall's cached snapshot and its whole-queue estimates, so
		// the phone page, the kiosk and the screens say the same thing.
		if v.Wait, err = db.waitOf(ctx, &v.Ticket); err == nil {
			v.Ahead, v.Eta = v.Wait.Ahead, v.Wait.Eta()
		}
	}
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
