package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
)

// SaveCatalog stores the catalog and calendar files central published as
// version. Both are parsed first; a file that does not parse is refused with
// its parse error and nothing is stored. Only the newest version is kept: a
// version older than the stored one (a late reply to an earlier request) is
// ignored without error, and the same version replaces the stored files.
func (s *Store) SaveCatalog(ctx context.Context, version int, catalogJSON, calendarJSON []byte) error {
	if version <= 0 {
		return bmerr.Newf(bmerr.Invalid, "catalog_version", "事项目录版本号 %d 无效。", "catalog version %d is not valid.", version)
	}
	cat, err := catalog.Parse(catalogJSON)
	if err != nil {
		return err
	}
	cal, err := workcal.Parse(calendarJSON)
	if err != nil {
		return err
	}
	saved := false
	err = s.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO catalog_copy (id, version, catalog_json, calendar_json, saved_at)
			VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, catalog_json = excluded.catalog_json,
				calendar_json = excluded.calendar_json, saved_at = excluded.saved_at
			WHERE excluded.version >= catalog_copy.version`,
			version, catalogJSON, calendarJSON, s.now().UnixMilli())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		saved = n > 0
		return err
	})
	if err != nil || !saved {
		return err
	}
	s.mu.Lock()
	if !s.loaded || version >= s.version {
		s.loaded, s.cat, s.cal, s.version = true, cat, cal, version
	}
	s.mu.Unlock()
	return nil
}

// Catalog returns the stored catalog and calendar, parsed once and cached.
// They are shared by every caller and must not be modified. Before any
// catalog has been saved it returns a bmerr NotFound (reason "no_catalog"):
// whether to fall back to a built-in catalog is the caller's decision.
func (s *Store) Catalog(ctx context.Context) (cat *catalog.Catalog, cal *workcal.Calendar, version int, err error) {
	s.mu.RLock()
	if s.loaded {
		defer s.mu.RUnlock()
		return s.cat, s.cal, s.version, nil
	}
	s.mu.RUnlock()

	var catJSON, calJSON []byte
	err = s.read(ctx, func(tx querier) error {
		return tx.QueryRowContext(ctx, `SELECT version, catalog_json, calendar_json FROM catalog_copy WHERE id = 1`).
			Scan(&version, &catJSON, &calJSON)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, 0, notFound("no_catalog", "本机尚未收到事项目录，请先与中心同步。", "no matter catalog has been received yet; sync with central first.")
	}
	if err != nil {
		return nil, nil, 0, err
	}
	if cat, err = catalog.Parse(catJSON); err != nil {
		return nil, nil, 0, err
	}
	if cal, err = workcal.Parse(calJSON); err != nil {
		return nil, nil, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded || version > s.version {
		s.loaded, s.cat, s.cal, s.version = true, cat, cal, version
	}
	return s.cat, s.cal, s.version, nil
}

var builtinCalendar = sync.OnceValue(workcal.Builtin)

// env is what Apply needs. Without a saved catalog, a receive fails inside
// Apply with its own "no_catalog" error, and the other actions are counted
// with the calendar built into the program.
func (s *Store) env(ctx context.Context) (casefile.Env, error) {
	cat, cal, _, err := s.Catalog(ctx)
	if bmerr.CodeOf(err) == bmerr.NotFound {
		return casefile.Env{Calendar: builtinCalendar()}, nil
	}
	if err != nil {
		return casefile.Env{}, err
	}
	return casefile.Env{Catalog: cat, Calendar: cal}, nil
}
