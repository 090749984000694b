package store

// MigrationSQL returns the text of one migration of db's dialect, for tests
// that replay a migration on rows written the old way.
func MigrationSQL(db *DB, name string) (string, error) {
	b, err := migrationFS.ReadFile("migrations/" + string(db.Dialect) + "/" + name)
	return string(b), err
}

// WaitingReads returns how many times a whole waiting list was read from
// the database (readWaiting), for the tests of the group writer's carry.
func WaitingReads(db *DB) int64 { return db.waitingReads.Load() }
