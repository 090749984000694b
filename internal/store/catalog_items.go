package store

import (
	"context"
	"encoding/json"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/catalog"
)

// These three methods are the contract the queue and case areas build on:
// published content only, never drafts.

// PublishedItem returns the published guide content of an item; not found
// for unknown and never-published items.
func (db *DB) PublishedItem(ctx context.Context, code string) (catalog.Item, error) {
	var it catalog.Item
	cache := db.itemCache()
	if ver, ok := db.hot.item(code); ok {
		cache.mu.RLock()
		e, ok := cache.items[code]
		cache.mu.RUnlock()
		if ok && e.version == ver {
			return e.item, nil
		}
	}
	gen, hot := db.hot.on()
	// ReadOne: the content is read by the version read first, so the two
	// statements need no common snapshot.
	err := db.ReadOne(ctx, func(tx *Tx) error {
		// The published version is a cheap indexed read; the guide's JSON
		// (kilobytes, decoded on every ticket issue) is read and decoded
		// only when the cache (catalog.go) holds another version, so a
		// publish at any instance is seen at once.
		var ver int
		if err := tx.QueryRow("SELECT published_version FROM catalog_items WHERE code = ? AND published_version > 0", code).Scan(&ver); err != nil {
			return notFound(err, "item")
		}
		if hot {
			db.hot.putItem(gen, code, ver)
		}
		cache.mu.RLock()
		e, ok := cache.items[code]
		cache.mu.RUnlock()
		if ok && e.version == ver {
			it = e.item
			return nil
		}
		var content string
		if err := tx.QueryRow("SELECT content FROM catalog_items WHERE code = ? AND published_version = ?", code, ver).Scan(&content); err != nil {
			return notFound(err, "item")
		}
		var err error
		it, err = cache.item(code, ver, []byte(content))
		return err
	})
	return it, err
}

// ListPublishedItems returns published items, of one zone when zone is set,
// ordered by code.
func (db *DB) ListPublishedItems(ctx context.Context, zone string) ([]catalog.Item, error) {
	var out []catalog.Item
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT content FROM catalog_items WHERE published_version > 0"
		var args []any
		if zone != "" {
			q += " AND zone = ?"
			args = append(args, zone)
		}
		rows, err := tx.Query(q+" ORDER BY code", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var content string
			if err := rows.Scan(&content); err != nil {
				return err
			}
			var it catalog.Item
			if err := json.Unmarshal([]byte(content), &it); err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	return out, err
}

// GuideAt returns the version of an item's guide that was in force at t:
// the one published at or before t and not yet superseded at t. Drafts
// never were in force. Not found when the item had no published guide at t.
func (db *DB) GuideAt(ctx context.Context, code string, at time.Time) (catalog.Guide, error) {
	var g catalog.Guide
	err := db.Read(ctx, func(tx *Tx) error {
		ms := at.UnixMilli()
		var n int
		err := tx.QueryRow(`SELECT number FROM guide_versions
			WHERE item_code = ? AND state IN ('published', 'superseded') AND published_at <= ?
			  AND (superseded_at = 0 OR superseded_at > ?)
			ORDER BY published_at DESC, number DESC LIMIT 1`, code, ms, ms).Scan(&n)
		if err != nil {
			return notFound(err, "item")
		}
		g, err = guideVersion(tx, code, n)
		return err
	})
	if err != nil && apperr.Is(err, apperr.NotFound) {
		return g, apperr.NotFoundOf("item")
	}
	return g, err
}
