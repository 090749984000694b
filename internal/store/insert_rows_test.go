package store_test

import (
	"fmt"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestInsertRowsAcrossStatements: rows beyond one statement's parameters
// (2,500 rows of two columns, 1,024 a statement) are all inserted, in
// order, on both engines.
func TestInsertRowsAcrossStatements(t *testing.T) {
	db := storetest.Open(t)
	const n = 2500
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{i, fmt.Sprint("r", i)}
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec("CREATE TEMP TABLE insert_rows_test (a INTEGER NOT NULL, b TEXT NOT NULL)"); err != nil {
			return err
		}
		if err := store.InsertRows(tx, "INSERT INTO insert_rows_test (a, b)", rows); err != nil {
			return err
		}
		var count, sum int
		var last string
		if err := tx.QueryRow("SELECT COUNT(*), SUM(a) FROM insert_rows_test").Scan(&count, &sum); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT b FROM insert_rows_test WHERE a = ?", n-1).Scan(&last); err != nil {
			return err
		}
		if count != n || sum != n*(n-1)/2 || last != fmt.Sprint("r", n-1) {
			t.Errorf("%d rows, sum %d, last %q; want %d, %d, r%d", count, sum, last, n, n*(n-1)/2, n-1)
		}
		_, err := tx.Exec("DROP TABLE insert_rows_test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
