package sqlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
)

func count(t *testing.T, path, query string, args ...any) int {
	t.Helper()
	var n int
	if err := rawDB(t, path).QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func sameJSON(t *testing.T, what string, got, want *casefile.Case) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func saveCase(t *testing.T, s *sqlite.Store, c *casefile.Case, doc []byte) {
	t.Helper()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		a := storetest.AppliedFor(storetest.ChangeFor(c), c.OriginStation)
		if doc != nil {
			d, err := store.SplitCase(doc)
			if err != nil {
				return err
			}
			a.Doc = &d
		}
		_, err := tx.SaveApplied(c, a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMatterSnapshotsStoredOnce: cases sharing a snapshot share its row; a
// case keeps the rest of its document, much smaller than the whole.
func TestMatterSnapshotsStoredOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var cases []*casefile.Case
	for i := range 10 {
		c := storetest.NewCase("C01", "")
		if i >= 7 {
			c.Matter.CatalogVersion = 4
		}
		saveCase(t, s, c, nil)
		cases = append(cases, c)
	}
	if n := count(t, path, `SELECT count(*) FROM matter_snapshots`); n != 2 {
		t.Errorf("%d snapshots stored, want 2", n)
	}
	if n := count(t, path, `SELECT count(DISTINCT snapshot) FROM cases`); n != 2 {
		t.Errorf("cases refer to %d snapshots, want 2", n)
	}
	doc, _ := store.EncodeCase(cases[0])
	var rest []byte
	if err := rawDB(t, path).QueryRow(`SELECT doc FROM cases WHERE id = ?`, cases[0].ID.String()).Scan(&rest); err != nil {
		t.Fatal(err)
	}
	d, _ := store.SplitCase(doc)
	if !bytes.Equal(rest, d.Rest) {
		t.Errorf("the stored document is not the case's without its snapshot")
	}
	var snap []byte
	if err := rawDB(t, path).QueryRow(`SELECT m.doc FROM matter_snapshots m JOIN cases c ON c.snapshot = m.id WHERE c.id = ?`,
		cases[0].ID.String()).Scan(&snap); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snap, d.Matter) {
		t.Errorf("the stored snapshot is not the case's")
	}

	// Another store on the file (another process) reads them without its
	// cache, and saves a known snapshot without storing it again.
	other, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	got, err := other.Cases(context.Background(), []uuid.UUID{cases[0].ID, cases[9].ID})
	if err != nil || len(got) != 2 {
		t.Fatalf("Cases = %v, %v", got, err)
	}
	sameJSON(t, "case read by another store", got[0], cases[0])
	sameJSON(t, "case read by another store", got[1], cases[9])
	saveCase(t, other, storetest.NewCase("C02", ""), nil)
	if n := count(t, path, `SELECT count(*) FROM matter_snapshots`); n != 2 {
		t.Errorf("%d snapshots stored, want 2", n)
	}
	// And a new one, which the first store then reads.
	c := storetest.NewCase("C02", "")
	c.Matter.CatalogVersion = 5
	saveCase(t, other, c, nil)
	if got, err := s.Case(context.Background(), c.ID); err != nil || got.Matter.CatalogVersion != 5 {
		t.Errorf("case with another store's new snapshot = %+v, %v", got, err)
	}
}

// TestSameBytesWithDoc: a case saved with Applied.Doc, in EncodeCase's
// order or the standard one, is stored as the store would have stored it.
func TestSameBytesWithDoc(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := storetest.NewCase("C01", "T01", "ab")
	b, c := *a, *a
	b.ID, c.ID = uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	saveCase(t, s, a, nil)
	doc, _ := store.EncodeCase(&b)
	saveCase(t, s, &b, doc)
	std, _ := proto.MarshalOptions{Deterministic: true}.Marshal(wire.CaseToWire(&c))
	saveCase(t, s, &c, std)
	var docs [][]byte
	var snaps []int64
	for _, id := range []uuid.UUID{a.ID, b.ID, c.ID} {
		var doc []byte
		var snap int64
		if err := rawDB(t, path).QueryRow(`SELECT snapshot, doc FROM cases WHERE id = ?`, id.String()).Scan(&snap, &doc); err != nil {
			t.Fatal(err)
		}
		// The documents differ in the id only.
		docs = append(docs, bytes.ReplaceAll(doc, []byte(id.String()), nil))
		snaps = append(snaps, snap)
	}
	if !bytes.Equal(docs[0], docs[1]) || !bytes.Equal(docs[0], docs[2]) || snaps[0] != snaps[1] || snaps[0] != snaps[2] {
		t.Errorf("documents stored differ: %q", docs)
	}
}

// TestStaleSaveLeavesNoSnapshot: a refused save of a stale copy with a new
// snapshot stores neither.
func TestStaleSaveLeavesNoSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := storetest.NewCase("C01", "")
	saveCase(t, s, c, nil)
	saveCase(t, s, storetest.Next(c), nil)
	stale := storetest.Next(c)
	stale.Matter.CatalogVersion = 9
	err = s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.SaveApplied(stale, storetest.AppliedFor(storetest.ChangeFor(stale), "C01"))
		if bmerr.CodeOf(err) != bmerr.Conflict {
			t.Errorf("stale save: %v, want Conflict", err)
		}
		// The same snapshot on a case that is saved is stored after all.
		fresh := storetest.NewCase("C01", "")
		fresh.Matter.CatalogVersion = 9
		_, err = tx.SaveApplied(fresh, storetest.AppliedFor(storetest.ChangeFor(fresh), "C01"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, path, `SELECT count(*) FROM matter_snapshots`); n != 2 {
		t.Errorf("%d snapshots stored, want 2", n)
	}
	if n := count(t, path, `SELECT count(*) FROM matter_snapshots WHERE id NOT IN (SELECT snapshot FROM cases)`); n != 0 {
		t.Errorf("%d snapshots no case refers to", n)
	}
}

// TestMigrateJSONDocs opens a file from before case documents were
// protobuf: its cases, changes and sequence come through.
func TestMigrateJSONDocs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	if err := sqlite.CreateAt(path, 1); err != nil {
		t.Fatal(err)
	}
	own, proxy, other := storetest.NewCase("C01", "", "ab"), storetest.NewCase("C01", "T01"), storetest.NewCase("T01", "")
	other.Matter.CatalogVersion = 7
	own2 := storetest.Next(own)
	db := rawDB(t, path)
	var bodies [][]byte
	for i, c := range []*casefile.Case{own, proxy, other, own2} {
		js, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		handling := c.HandlingStation
		if c.Version == 1 {
			// The old store's upsert.
			_, err = db.Exec(`INSERT INTO cases (id, number, origin_station, handling_station, matter, state, version, updated_at, doc)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID.String(), c.Number, c.OriginStation, handling, c.Matter.Code,
				string(c.Status.State), c.Version, c.UpdatedAt.UnixNano(), string(js))
		} else {
			_, err = db.Exec(`UPDATE cases SET version = ?, doc = ? WHERE id = ?`, c.Version, string(js), c.ID.String())
		}
		if err != nil {
			t.Fatal(err)
		}
		ch := storetest.ChangeFor(c)
		bodies = append(bodies, storetest.Body(ch))
		if _, err := db.Exec(`INSERT INTO changes (id, case_id, origin_station, handling_station, station, case_version, applied_at, received_at, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ch.ID.String(), c.ID.String(), c.OriginStation, handling, c.OriginStation,
			c.Version, int64(i), int64(i), bodies[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO case_blobs (sha256, case_id) VALUES ('ab', ?)`, own.ID.String()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, c := range []*casefile.Case{own2, proxy, other} {
		got, err := s.Case(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "migrated case", got, c)
	}
	if n := count(t, path, `SELECT count(*) FROM matter_snapshots`); n != 2 {
		t.Errorf("%d snapshots after the migration, want 2", n)
	}
	feed, err := s.Feed(ctx, "T01", 0, 10)
	if err != nil || len(feed) != 2 || feed[0].Seq != 2 || feed[1].Seq != 3 || !bytes.Equal(feed[1].Body, bodies[2]) {
		t.Errorf("T01's feed after the migration = %+v, %v", feed, err)
	}
	if hist, err := s.Changes(ctx, own.ID); err != nil || len(hist) != 2 || hist[1].Seq != 4 {
		t.Errorf("history after the migration = %+v, %v", hist, err)
	}
	if ok, err := s.BlobVisible(ctx, "C01", "ab"); err != nil || !ok {
		t.Errorf("BlobVisible after the migration = %v, %v", ok, err)
	}
	next := storetest.Next(own2)
	var seq int64
	err = s.Update(ctx, func(tx store.Tx) error {
		var err error
		seq, err = tx.SaveApplied(next, storetest.AppliedFor(storetest.ChangeFor(next), "C01"))
		return err
	})
	if err != nil || seq != 5 {
		t.Errorf("first save after the migration: seq %d, %v; want 5", seq, err)
	}
	if got, err := s.PartyCases(ctx, "T01", uuid.Nil, 10); err != nil || len(got) != 2 {
		t.Errorf("T01's cases after the migration = %d, %v", len(got), err)
	}
}

// TestCheckpoints: the checkpointer keeps the WAL short while pushes come
// in one after another, and Close leaves none.
func TestCheckpoints(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	const pages = 50
	s, err := sqlite.OpenCheckpointing(path, pages)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var maxWAL int64
	address := strings.Repeat("幸福路", 100)
	for range 100 {
		err := s.Update(ctx, func(tx store.Tx) error {
			for range 100 {
				c := storetest.NewCase("C01", "")
				c.Applicant.Address = address
				if _, err := tx.SaveApplied(c, storetest.AppliedFor(storetest.ChangeFor(c), "C01")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			maxWAL = max(maxWAL, fi.Size())
		}
	}
	if sqlite.CheckpointRuns(s) == 0 {
		t.Error("the checkpointer never ran")
	}
	// About 20 MB were written; without checkpoints the WAL would hold
	// them all. How far it grows before a checkpoint restarts it depends on
	// scheduling (a checkpoint in COMMIT that finds the checkpointer busy
	// leaves the WAL to the next commit), so on a loaded machine only the
	// property itself is checked: the WAL was reused, not left to hold
	// everything written.
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if maxWAL >= fi.Size() {
		t.Errorf("the WAL grew to %d bytes, as large as the database (%d): it was never reused", maxWAL, fi.Size())
	}
	t.Logf("largest WAL %d bytes (%d checkpoint pages × backstop %d = %d), database %d bytes", maxWAL, pages, sqlite.Backstop, sqlite.Backstop*pages*16384, fi.Size())
	if n := count(t, path, `SELECT count(*) FROM cases`); n != 10000 {
		t.Errorf("%d cases stored, want 10000", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("the WAL holds %d bytes after Close", fi.Size())
	}
}
