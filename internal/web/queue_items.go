package web

import (
	"context"
	"sync"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/catalog"
)

// itemCache keeps published items for a few seconds so that the ticket
// path (thousands of issues an hour at a busy kiosk) does not read the
// catalogue on every request. A newly published or withdrawn item takes
// effect within itemCacheTTL.
type itemCache struct {
	mu    sync.Mutex
	items map[string]cachedItem
}

type cachedItem struct {
	item catalog.Item
	err  error
	at   time.Time
}

const itemCacheTTL = 10 * time.Second

var publishedItems = &itemCache{items: map[string]cachedItem{}}

// publishedItem returns db.PublishedItem(code) through the cache.
func (s *Server) publishedItem(ctx context.Context, code string) (catalog.Item, error) {
	c := publishedItems
	c.mu.Lock()
	ci, ok := c.items[code]
	c.mu.Unlock()
	if ok && time.Since(ci.at) < itemCacheTTL {
		return ci.item, ci.err
	}
	it, err := s.DB.PublishedItem(ctx, code)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return it, err // a failure is not remembered
	}
	c.mu.Lock()
	if len(c.items) > 5000 {
		c.items = map[string]cachedItem{}
	}
	c.items[code] = cachedItem{it, err, time.Now()}
	c.mu.Unlock()
	return it, err
}
