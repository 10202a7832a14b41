package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

// PublishCatalog stores a new catalog version. Versions only go up: stations
// take the highest they have seen as current, so publishing a version at or
// below the current one fails Conflict.
func (s *Store) PublishCatalog(ctx context.Context, c store.Catalog) error {
	if c.Version <= 0 {
		return invalid("catalog_version", "目录版本号必须大于零。", "The catalog version must be positive.")
	}
	if c.PublishedAt.IsZero() {
		c.PublishedAt = s.now()
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM catalogs`).Scan(&current); err != nil {
			return fmt.Errorf("sqlite: publish catalog: %w", err)
		}
		if c.Version <= current {
			return bmerr.Newf(bmerr.Conflict, "catalog_version_not_newer",
				"目录版本 %d 不高于已发布的版本 %d。", "Catalog version %d is not newer than the published version %d.",
				c.Version, current)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalogs (version, published_at, catalog_json, calendar_json) VALUES (?, ?, ?, ?)`,
			c.Version, c.PublishedAt.UnixNano(), string(c.CatalogJSON), string(c.CalendarJSON)); err != nil {
			return fmt.Errorf("sqlite: publish catalog: %w", err)
		}
		return nil
	})
}

// CurrentCatalog returns the newest catalog, or NotFound before the first.
func (s *Store) CurrentCatalog(ctx context.Context) (store.Catalog, error) {
	var c store.Catalog
	var published int64
	var cat, cal string
	err := s.r.QueryRowContext(ctx, `SELECT version, published_at, catalog_json, calendar_json
		FROM catalogs ORDER BY version DESC LIMIT 1`).Scan(&c.Version, &published, &cat, &cal)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Catalog{}, bmerr.New(bmerr.NotFound, "catalog_none", "中心尚未发布事项目录。", "Central has not published a catalog yet.")
	}
	if err != nil {
		return store.Catalog{}, fmt.Errorf("sqlite: current catalog: %w", err)
	}
	c.PublishedAt = timeAt(published)
	c.CatalogJSON, c.CalendarJSON = []byte(cat), []byte(cal)
	return c, nil
}
