package server

import (
	"context"
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

// PublishCatalog validates a catalog and a calendar file and publishes them
// as the next version; stations fetch it on their next pull.
func (s *Server) PublishCatalog(ctx context.Context, catalogJSON, calendarJSON []byte) (int, error) {
	cat, err := catalog.Parse(catalogJSON)
	if err != nil {
		return 0, err
	}
	if _, err := workcal.Parse(calendarJSON); err != nil {
		return 0, err
	}
	version := 1
	if cur, err := s.store.CurrentCatalog(ctx); err == nil {
		version = cur.Version + 1
	} else if bmerr.CodeOf(err) != bmerr.NotFound {
		return 0, err
	}
	// The published file carries the version it was published as.
	cat.Version = version
	data, err := cat.JSON()
	if err != nil {
		return 0, err
	}
	if err := s.store.PublishCatalog(ctx, store.Catalog{Version: version, CatalogJSON: data, CalendarJSON: calendarJSON, PublishedAt: s.now()}); err != nil {
		return 0, err
	}
	s.log.Info("catalog published", "version", version, "matters", len(cat.Matters))
	return version, s.auditAdmin(ctx, actorOf(ctx), "catalog", fmt.Sprintf("version %d published: %d matters, calendar %s", version, len(cat.Matters), calDigest(calendarJSON)))
}

// EnsureCatalog publishes the built-in demo catalog and calendar when the
// database has none yet, so a fresh server is usable at once.
func (s *Server) EnsureCatalog(ctx context.Context) error {
	_, err := s.store.CurrentCatalog(ctx)
	if bmerr.CodeOf(err) != bmerr.NotFound {
		return err
	}
	_, err = s.PublishCatalog(ctx, catalog.DemoJSON(), workcal.BuiltinJSON())
	return err
}

func calDigest(calendarJSON []byte) string {
	cal, err := workcal.Parse(calendarJSON)
	if err != nil {
		return "?"
	}
	return cal.Digest()
}

// actorOf names who is acting: the signed-in central user, else the
// command line.
func actorOf(ctx context.Context) string {
	if u := userFrom(ctx); u.Username != "" {
		return u.Username
	}
	return "cli"
}
