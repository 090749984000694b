package store

import "context"

// TicketHall returns the hall of a ticket, for the route wrapper's tenancy
// check (web.HallTicket).
func (db *DB) TicketHall(ctx context.Context, id int64) (int64, error) {
	return db.hallOfRow(ctx, "SELECT hall_id FROM tickets WHERE id = ?", id, "ticket")
}

// CaseHall returns the hall of a case (web.HallCase).
func (db *DB) CaseHall(ctx context.Context, id int64) (int64, error) {
	return db.hallOfRow(ctx, "SELECT hall_id FROM cases WHERE id = ?", id, "case")
}

func (db *DB) hallOfRow(ctx context.Context, q string, id int64, what string) (int64, error) {
	var h int64
	err := db.ReadOne(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRow(q, id).Scan(&h), what)
	})
	return h, err
}
