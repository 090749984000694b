package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"mingbai/internal/apperr"
	"mingbai/internal/hall"
	"mingbai/internal/store/storetest"
)

// TestMappedErrorsKeepTheirCause: a constraint violation becomes a
// conflict for the client and keeps the driver's error for the log.
func TestMappedErrorsKeepTheirCause(t *testing.T) {
	db := storetest.Open(t)
	h := hall.Hall{Code: "dup", Name: "大厅", Timezone: "Asia/Shanghai", Hours: hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30"}}
	if _, err := db.CreateHall(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	_, err := db.CreateHall(context.Background(), h)
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Conflict || e.Key != "err.conflict" {
		t.Fatalf("duplicate hall: %v", err)
	}
	if e.Cause == nil || errors.Unwrap(e) == nil {
		t.Fatalf("conflict without its cause: %#v", e)
	}
	// The cause is the driver's error, reachable through the mapping.
	var se *sqlite.Error
	var pe *pgconn.PgError
	if !errors.As(err, &se) && !errors.As(err, &pe) {
		t.Errorf("cause %T %v is not the driver's error", e.Cause, e.Cause)
	}
}
