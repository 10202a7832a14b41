package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
)

func openTemp(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestTwoProcesses has two Stores on one file, as two server processes
// would, push to the same cases at once. BEGIN IMMEDIATE makes them queue
// for the write lock; none may fail with "database is locked" and no update
// may be lost.
func TestTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	var stores [2]*sqlite.Store
	for i := range stores {
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	ctx := context.Background()

	const cases, workers, each = 3, 4, 25
	var ids []uuid.UUID
	for range cases {
		c := storetest.NewCase("C01", "T01")
		ids = append(ids, c.ID)
		err := stores[0].Update(ctx, func(tx store.Tx) error {
			_, err := tx.SaveApplied(c, storetest.AppliedFor(storetest.ChangeFor(c), "C01"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for i := range 2 * workers {
		s := stores[i%2]
		wg.Go(func() {
			for j := range each {
				id := ids[(i+j)%cases]
				err := s.Update(ctx, func(tx store.Tx) error {
					cs, err := tx.LoadCases([]uuid.UUID{id})
					if err != nil {
						return err
					}
					next := storetest.Next(cs[id])
					_, err = tx.SaveApplied(next, storetest.AppliedFor(storetest.ChangeFor(next), "C01"))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				// Reads on both sides see the other's writes.
				if _, err := s.Feed(ctx, "T01", 0, 10); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("update: %v", err)
	}

	total := int64(0)
	for _, id := range ids {
		c, err := stores[1].Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		total += c.Version
		hist, err := stores[0].Changes(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(hist)) != c.Version {
			t.Errorf("case %s at version %d with %d changes", id, c.Version, len(hist))
		}
	}
	if want := int64(cases + 2*workers*each); total != want {
		t.Errorf("versions add up to %d, want %d: updates were lost", total, want)
	}
}

// TestReopen opens an existing file again: nothing is migrated twice and
// the data is there.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	ctx := context.Background()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStation(ctx, store.Station{Code: "T01", Name: "城关镇", Level: catalog.Township}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = sqlite.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if _, err := s.Station(ctx, "T01"); err != nil {
		t.Errorf("station after reopening: %v", err)
	}
	db := rawDB(t, path)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != sqlite.Migrations() {
		t.Errorf("schema_migrations has %d rows (%v), want %d", n, err, sqlite.Migrations())
	}
	var pageSize int
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil || pageSize != 16384 {
		t.Errorf("page_size = %d (%v), want 16384", pageSize, err)
	}
}

// TestNewerSchemaRefused: a program must not run on a schema from its future.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database with a newer schema")
	}
}

// TestStaleCaseRefused: saving a copy of a case no newer than the stored one
// fails Conflict and records nothing, even without LoadCases.
func TestStaleCaseRefused(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	c := storetest.NewCase("C01", "")
	next := storetest.Next(c)
	for _, v := range []*casefile.Case{c, next} {
		if err := s.Update(ctx, func(tx store.Tx) error {
			_, err := tx.SaveApplied(v, storetest.AppliedFor(storetest.ChangeFor(v), "C01"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	last, _ := s.LastSeq(ctx)
	stale := storetest.Next(c) // version 2 again
	stale.Applicant.Name = "王五"
	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.SaveApplied(stale, storetest.AppliedFor(storetest.ChangeFor(stale), "C01"))
		if bmerr.CodeOf(err) != bmerr.Conflict {
			t.Errorf("stale save: %v, want Conflict", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Case(ctx, c.ID)
	if err != nil || got.Applicant.Name != c.Applicant.Name || got.Version != 2 {
		t.Errorf("case after a stale save = %+v, %v", got, err)
	}
	if hist, _ := s.Changes(ctx, c.ID); len(hist) != 2 {
		t.Errorf("%d changes recorded, want 2", len(hist))
	}
	if now, _ := s.LastSeq(ctx); now != last {
		t.Errorf("LastSeq moved from %d to %d", last, now)
	}
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
