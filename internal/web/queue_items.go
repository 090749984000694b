package web

import (
	"context"

	"mingbai/internal/catalog"
)

// publishedItem returns the published item a ticket is for. It reads the
// catalogue each time (one row): a withdrawn item stops taking tickets at
// once.
func (s *Server) publishedItem(ctx context.Context, code string) (catalog.Item, error) {
	return s.DB.PublishedItem(ctx, code)
}
