package postgres

import (
	"context"
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/jackc/pgx/v5"
)

// PublishCatalog stores a new catalog version. Versions only go up: stations
// take the highest they have seen as current, so publishing a version at or
// below the current one fails Conflict. Publishers queue on a lock of the
// table (readers do not), so two cannot both find their version the newest.
func (s *Store) PublishCatalog(ctx context.Context, c store.Catalog) error {
	if c.Version <= 0 {
		return invalid("catalog_version", "目录版本号必须大于零。", "The catalog version must be positive.")
	}
	if c.PublishedAt.IsZero() {
		c.PublishedAt = s.now()
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE catalogs IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("postgres: publish catalog: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM catalogs`).Scan(&current); err != nil {
			return fmt.Errorf("postgres: publish catalog: %w", err)
		}
		if c.Version <= current {
			return bmerr.Newf(bmerr.Conflict, "catalog_version_not_newer",
				"目录版本 %d 不高于已发布的版本 %d。", "Catalog version %d is not newer than the published version %d.",
				c.Version, current)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO catalogs (version, published_at, catalog_json, calendar_json) VALUES ($1, $2, $3, $4)`,
			c.Version, c.PublishedAt.UnixNano(), nonNil(c.CatalogJSON), nonNil(c.CalendarJSON)); err != nil {
			return fmt.Errorf("postgres: publish catalog: %w", err)
		}
		return nil
	})
}

// CurrentCatalog returns the newest catalog, or NotFound before the first.
func (s *Store) CurrentCatalog(ctx context.Context) (store.Catalog, error) {
	var c store.Catalog
	var published int64
	err := s.pool.QueryRow(ctx, `SELECT version, published_at, catalog_json, calendar_json
		FROM catalogs ORDER BY version DESC LIMIT 1`).Scan(&c.Version, &published, &c.CatalogJSON, &c.CalendarJSON)
	if errNoRows(err) {
		return store.Catalog{}, bmerr.New(bmerr.NotFound, "catalog_none", "中心尚未发布事项目录。", "Central has not published a catalog yet.")
	}
	if err != nil {
		return store.Catalog{}, fmt.Errorf("postgres: current catalog: %w", err)
	}
	c.PublishedAt = timeAt(published)
	return c, nil
}

// nonNil makes a nil slice an empty one, which pgx sends as ” rather than
// NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
