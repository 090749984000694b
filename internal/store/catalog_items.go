package store

import (
	"context"
	"sync"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/catalog"
)

// TEMPORARY: these three methods serve the demo catalogue from the embedded
// file until the catalogue store (migration 00002) replaces them with the
// versioned tables. Their signatures are the contract the queue and case
// areas build on.

// demoItems parses the embedded catalogue once: parsing and validating it
// on every ticket issue took 60 % of the CPU (docs/benchmarks.md).
var demoItems = sync.OnceValues(catalog.DemoItems)

// PublishedItem returns the published guide content of an item.
func (db *DB) PublishedItem(ctx context.Context, code string) (catalog.Item, error) {
	items, err := demoItems()
	if err != nil {
		return catalog.Item{}, err
	}
	for _, it := range items {
		if it.Code == code {
			return it, nil
		}
	}
	return catalog.Item{}, apperr.NotFoundOf("item")
}

// ListPublishedItems returns published items, of one zone when zone is set,
// ordered by code.
func (db *DB) ListPublishedItems(ctx context.Context, zone string) ([]catalog.Item, error) {
	items, err := catalog.DemoItems()
	if err != nil {
		return nil, err
	}
	var out []catalog.Item
	for _, it := range items {
		if zone == "" || it.Zone == zone {
			out = append(out, it)
		}
	}
	return out, nil
}

// GuideAt returns the version of an item's guide that was in force at t.
func (db *DB) GuideAt(ctx context.Context, code string, at time.Time) (catalog.Guide, error) {
	it, err := db.PublishedItem(ctx, code)
	if err != nil {
		return catalog.Guide{}, err
	}
	return catalog.Guide{Version: catalog.Version{ItemCode: code, Number: 1, State: catalog.Published}, Item: it}, nil
}
