package demo

import (
	"context"
	"fmt"

	"mingbai/internal/catalog"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

func init() { addSeeder(stageCatalog, seedCatalog) }

// seedCatalog imports the 66-item demo catalogue (catalog.DemoJSON), each
// item as published version 1. The windows were given the same items by
// zone in Seed, so window item lists and the catalogue agree.
func seedCatalog(ctx context.Context, db *store.DB, h hall.Hall) error {
	if _, err := db.ImportCatalog(ctx, catalog.DemoJSON); err != nil {
		return fmt.Errorf("demo catalogue: %w", err)
	}
	return nil
}
