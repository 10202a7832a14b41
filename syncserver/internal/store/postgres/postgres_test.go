package postgres_test

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/postgres"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// envDSN names the server the tests use; CI sets it when one is reachable.
const envDSN = "BIANMIN_TEST_POSTGRES"

// testDSN returns the server's DSN, or skips the test without one.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		t.Skipf("PostgreSQL store tests skipped: set %s to a database URL to run them, e.g. "+
			"%s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable", envDSN, envDSN)
	}
	return dsn
}

// newSchema creates an empty schema with a unique name, dropped when the
// test ends, and returns a DSN whose search_path is that schema alone: each
// test gets a database of its own on one server.
func newSchema(t testing.TB) string {
	t.Helper()
	dsn := testDSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", envDSN, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	crand.Read(b[:])
	schema := "bianmin_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withParam(t, dsn, "search_path", schema)
}

// withParam adds a run-time parameter to a URL or keyword/value DSN.
func withParam(t testing.TB, dsn, key, value string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("%s: %v", envDSN, err)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}

func open(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openTemp(t testing.TB) *postgres.Store {
	t.Helper()
	return open(t, newSchema(t))
}

func TestConformance(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestOpenMigratesOnce: servers starting at once on a new schema queue for
// the migration lock; each migration is applied and recorded once, and a
// store opened later finds the data there.
func TestOpenMigratesOnce(t *testing.T) {
	dsn := newSchema(t)
	ctx := context.Background()
	const servers = 4
	var wg sync.WaitGroup
	stores := make([]*postgres.Store, servers)
	errs := make([]error, servers)
	for i := range servers {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(ctx, dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	if err := stores[0].CreateUser(ctx, store.User{Username: "admin", Name: "管理员", Role: "admin", PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	again := open(t, dsn)
	defer again.Close()
	if _, err := again.User(ctx, "admin"); err != nil {
		t.Errorf("user after reopening: %v", err)
	}

	conn := rawConn(t, dsn)
	var n, max int
	if err := conn.QueryRow(ctx, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != postgres.Migrations() || max != n {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d", n, max, postgres.Migrations())
	}
}

// TestNewerSchemaRefused: a program must not run on a schema from its future.
func TestNewerSchemaRefused(t *testing.T) {
	dsn := newSchema(t)
	open(t, dsn).Close()
	conn := rawConn(t, dsn)
	if _, err := conn.Exec(context.Background(),
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)`); err != nil {
		t.Fatal(err)
	}
	if s, err := postgres.Open(context.Background(), dsn); err == nil {
		s.Close()
		t.Fatal("Open accepted a database with a newer schema")
	}
}

// TestMissingSchemaRefused: with no schema of the search path in existence
// there is nowhere to create the tables, and no schema to key the locks on.
func TestMissingSchemaRefused(t *testing.T) {
	dsn := withParam(t, testDSN(t), "search_path", "bianmin_test_missing")
	if s, err := postgres.Open(context.Background(), dsn); err == nil {
		s.Close()
		t.Fatal("Open succeeded on a search path naming no schema")
	}
}

// TestTwoStoresFeedOrder has two Stores on one database, as two server
// processes would, push changes at once, each push holding its transaction
// open a little after drawing its seq, while a reader tails one station's
// feed from its cursor as a station pulls. The reader must see every
// change, in seq order, none skipped: seqs commit in order. Every push also
// appends to the audit trail, which must end as one unbroken chain.
func TestTwoStoresFeedOrder(t *testing.T) {
	dsn := newSchema(t)
	var stores [2]*postgres.Store
	for i := range stores {
		stores[i] = open(t, dsn)
		defer stores[i].Close()
	}
	ctx := context.Background()

	const writers, each = 6, 25
	var (
		mu        sync.Mutex
		committed = map[uuid.UUID]int64{} // change id -> seq
	)
	done := make(chan struct{})
	var readerErr error
	var seen []store.FeedEntry
	var reader sync.WaitGroup
	reader.Go(func() {
		after := int64(0)
		tail := func() (int, error) {
			es, err := stores[1].Feed(ctx, "T01", after, 7)
			if err != nil {
				return 0, err
			}
			for _, e := range es {
				if e.Seq <= after {
					return 0, fmt.Errorf("feed went back: seq %d after cursor %d", e.Seq, after)
				}
				after = e.Seq
			}
			seen = append(seen, es...)
			return len(es), nil
		}
		for {
			select {
			case <-done:
				// Catch up with what committed last, then stop.
				for {
					n, err := tail()
					if err != nil || n == 0 {
						readerErr = err
						return
					}
				}
			default:
			}
			if _, err := tail(); err != nil {
				readerErr = err
				return
			}
		}
	})

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		s := stores[w%2]
		wg.Go(func() {
			for i := range each {
				c := storetest.NewCase("C01", "T01")
				ch := storetest.ChangeFor(c)
				var seq int64
				err := s.Update(ctx, func(tx store.Tx) error {
					var err error
					if seq, err = tx.SaveApplied(c, storetest.AppliedFor(ch, "C01")); err != nil {
						return err
					}
					if err := tx.Audit(audit.Entry{Actor: "station:C01", Kind: audit.Changes,
						Subject: fmt.Sprintf("writer %d push %d", w, i)}); err != nil {
						return err
					}
					// Hold the seq a while before committing, so that
					// without the writer lock a later seq would commit first.
					time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				committed[ch.ID] = seq
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("update: %v", err)
	}
	close(done)
	reader.Wait()
	if readerErr != nil {
		t.Fatalf("reader: %v", readerErr)
	}

	if len(seen) != writers*each {
		t.Errorf("the reader saw %d of %d changes: it skipped some", len(seen), writers*each)
	}
	for i, e := range seen {
		seq, ok := committed[e.ChangeID]
		if !ok || seq != e.Seq {
			t.Errorf("feed entry %d: change %s at seq %d, committed at %d (%v)", i, e.ChangeID, e.Seq, seq, ok)
		}
		if i > 0 && e.Seq <= seen[i-1].Seq {
			t.Errorf("feed out of order: %d after %d", e.Seq, seen[i-1].Seq)
		}
	}

	var trail []audit.Entry
	for after := int64(0); ; {
		page, err := stores[0].AuditEntries(ctx, after, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		trail = append(trail, page...)
		after = page[len(page)-1].Seq
	}
	if len(trail) != writers*each {
		t.Fatalf("audit trail has %d entries, want %d", len(trail), writers*each)
	}
	for i, e := range trail {
		if e.Seq != int64(i+1) {
			t.Fatalf("audit entry %d has seq %d", i+1, e.Seq)
		}
	}
	if p := audit.Verify(trail); p != nil {
		t.Errorf("audit.Verify: %v", p)
	}
}

// TestTwoStoresSameCases has two Stores push to the same few cases at once:
// no update may be lost, and each case's history matches its version.
func TestTwoStoresSameCases(t *testing.T) {
	dsn := newSchema(t)
	var stores [2]*postgres.Store
	for i := range stores {
		stores[i] = open(t, dsn)
		defer stores[i].Close()
	}
	ctx := context.Background()
	const cases, workers, each = 3, 4, 15
	var ids []uuid.UUID
	for range cases {
		c := storetest.NewCase("C01", "T01")
		ids = append(ids, c.ID)
		if err := stores[0].Update(ctx, func(tx store.Tx) error {
			_, err := tx.SaveApplied(c, storetest.AppliedFor(storetest.ChangeFor(c), "C01"))
			return err
		}); err != nil {
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

// TestLoadCasesLocks: a case LoadCases returned cannot be written by
// anyone else, writer lock or not, until the Update ends.
func TestLoadCasesLocks(t *testing.T) {
	dsn := newSchema(t)
	s := open(t, dsn)
	defer s.Close()
	ctx := context.Background()
	c := storetest.NewCase("C01", "")
	if err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.SaveApplied(c, storetest.AppliedFor(storetest.ChangeFor(c), "C01"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	conn := rawConn(t, dsn)
	err := s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.LoadCases([]uuid.UUID{c.ID}); err != nil {
			return err
		}
		// A write that does not take the writer lock: it must wait, and
		// with NOWAIT it fails at once instead.
		_, err := conn.Exec(ctx, `SELECT 1 FROM cases WHERE id = $1 FOR UPDATE NOWAIT`, c.ID)
		if err == nil {
			t.Error("a loaded case's row is not locked")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT 1 FROM cases WHERE id = $1 FOR UPDATE NOWAIT`, c.ID); err != nil {
		t.Errorf("the row is still locked after the Update: %v", err)
	}
}

// TestMatterSnapshotsStoredOnce: cases sharing a snapshot share its row, and
// one saved by a push that rolled back or turned out stale is not kept.
func TestMatterSnapshotsStoredOnce(t *testing.T) {
	dsn := newSchema(t)
	s := open(t, dsn)
	defer s.Close()
	ctx := context.Background()
	var cs []*casefile.Case
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := range 20 {
			c := storetest.NewCase("C01", "")
			c.Matter.CatalogVersion = 3 + i%2
			cs = append(cs, c)
			if _, err := tx.SaveApplied(c, storetest.AppliedFor(storetest.ChangeFor(c), "C01")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	stale := storetest.NewCase("C01", "")
	stale.ID = cs[0].ID // version 1 again, with a new snapshot
	stale.Matter.CatalogVersion = 99
	err = s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.SaveApplied(stale, storetest.AppliedFor(storetest.ChangeFor(stale), "C01"))
		if err == nil {
			t.Error("a stale copy was saved")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	conn := rawConn(t, dsn)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM matter_snapshots`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d snapshot rows, want 2", n)
	}
	// A second Store, with nothing cached, reads the same cases.
	other := open(t, dsn)
	defer other.Close()
	got, err := other.Cases(ctx, caseIDs(cs))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cs) {
		t.Fatalf("%d cases read back, want %d", len(got), len(cs))
	}
	for i := range cs {
		if got[i].Matter.CatalogVersion != cs[i].Matter.CatalogVersion {
			t.Errorf("case %d has catalog version %d, want %d", i, got[i].Matter.CatalogVersion, cs[i].Matter.CatalogVersion)
		}
	}
}

func caseIDs(cs []*casefile.Case) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// TestPlans: the pages a station or the scheduler reads are bounded index
// scans, not sorts of every match.
func TestPlans(t *testing.T) {
	dsn := newSchema(t)
	s := open(t, dsn)
	defer s.Close()
	ctx := context.Background()
	err := s.Update(ctx, func(tx store.Tx) error {
		// 80 stations: T01's cases, of its own or by proxy, are a few
		// percent of the whole, as one station's are in a region.
		for i := range 4000 {
			c := storetest.NewCase(fmt.Sprintf("C%02d", i%79), "")
			switch i % 80 {
			case 0:
				c = storetest.NewCase(fmt.Sprintf("C%02d", i%79), "T01")
			case 79:
				c = storetest.NewCase("T01", "")
			}
			if _, err := tx.SaveApplied(c, storetest.AppliedFor(storetest.ChangeFor(c), c.OriginStation)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	conn := rawConn(t, dsn)
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		query string
		args  []any
		index []string
	}{
		{"feed", postgres.QFeed, []any{"T01", int64(0), 100}, []string{"changes_origin", "changes_handling"}},
		{"party cases", postgres.QPartyCases, []any{"T01", uuid.Nil, 100}, []string{"cases_origin", "cases_handling"}},
		{"open cases", postgres.QOpenCases, []any{uuid.Nil, 100}, []string{"cases_open"}},
	} {
		plan := explain(t, conn, tc.query, tc.args...)
		for _, ix := range tc.index {
			if !strings.Contains(plan, ix) {
				t.Errorf("%s does not use %s:\n%s", tc.name, ix, plan)
			}
		}
		if strings.Contains(plan, "Seq Scan") {
			t.Errorf("%s scans a whole table:\n%s", tc.name, plan)
		}
	}
}

func explain(t *testing.T, conn *pgx.Conn, query string, args ...any) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// rawConn connects to the test's schema behind the store's back.
func rawConn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestQueuedSaves: saves a push sends in batches (the change ids asked
// about, the cases loaded) answer as saves sent at once would, in order,
// and a save the database refuses when it is sent fails the whole Update.
func TestQueuedSaves(t *testing.T) {
	dsn := newSchema(t)
	s := open(t, dsn)
	defer s.Close()
	ctx := context.Background()
	old := storetest.NewCase("C01", "T01")
	if err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.SaveApplied(old, storetest.AppliedFor(storetest.ChangeFor(old), "C01"))
		return err
	}); err != nil {
		t.Fatal(err)
	}

	var want []uuid.UUID // change ids in the order saved
	var seqs []int64
	fresh := make([]*casefile.Case, 600) // more than one batch
	for i := range fresh {
		fresh[i] = storetest.NewCase("C01", "T01")
	}
	next := storetest.Next(old)
	err := s.Update(ctx, func(tx store.Tx) error {
		var changeIDs, caseIDs []uuid.UUID
		var changes []*casefile.Change
		for _, c := range append(slices.Clone(fresh), next) {
			ch := storetest.ChangeFor(c)
			changes = append(changes, ch)
			changeIDs, caseIDs = append(changeIDs, ch.ID), append(caseIDs, c.ID)
		}
		if _, err := tx.Outcomes(changeIDs); err != nil {
			return err
		}
		if _, err := tx.LoadCases(caseIDs); err != nil {
			return err
		}
		save := func(c *casefile.Case, ch *casefile.Change) error {
			seq, err := tx.SaveApplied(c, storetest.AppliedFor(ch, "C01"))
			if err == nil {
				want, seqs = append(want, ch.ID), append(seqs, seq)
			}
			return err
		}
		for i, c := range fresh {
			if err := save(c, changes[i]); err != nil {
				return err
			}
		}
		// A stale copy, and the same change id again, are refused at once
		// and leave the push going.
		if _, err := tx.SaveApplied(old, storetest.AppliedFor(storetest.ChangeFor(old), "C01")); bmerr.CodeOf(err) != bmerr.Conflict {
			t.Errorf("stale save: %v, want Conflict", err)
		}
		again := storetest.Next(fresh[0])
		if _, err := tx.SaveApplied(again, storetest.AppliedFor(changes[0], "C01")); bmerr.CodeOf(err) != bmerr.Conflict {
			t.Errorf("same change id again: %v, want Conflict", err)
		}
		if err := save(next, changes[len(changes)-1]); err != nil {
			return err
		}
		// A case saved twice in the push, the second time queued too.
		nn := storetest.Next(next)
		ch := storetest.ChangeFor(nn)
		if _, err := tx.Outcomes([]uuid.UUID{ch.ID}); err != nil {
			return err
		}
		if err := save(nn, ch); err != nil {
			return err
		}
		// What was queued is seen by the transaction's reads.
		got, err := tx.Outcomes(want)
		if err != nil {
			return err
		}
		for i, id := range want {
			if o := got[id]; !o.Applied || o.Seq != seqs[i] {
				t.Errorf("outcome of change %d = %+v, want applied at %d", i, o, seqs[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	es, err := s.Feed(ctx, "T01", 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []uuid.UUID
	var gotSeqs []int64
	for _, e := range es {
		gotIDs, gotSeqs = append(gotIDs, e.ChangeID), append(gotSeqs, e.Seq)
	}
	if !slices.Equal(gotIDs, want) || !slices.Equal(gotSeqs, seqs) {
		t.Errorf("feed has %d entries, not the %d saved at the seqs SaveApplied returned", len(es), len(want))
	}
	if c, err := s.Case(ctx, old.ID); err != nil || c.Version != 3 {
		t.Errorf("case saved twice: %+v, %v; want version 3", c, err)
	}

	// A push that fails takes its queued saves with it, and the next
	// goes on from the last committed seq.
	last, _ := s.LastSeq(ctx)
	lost := storetest.NewCase("C01", "")
	err = s.Update(ctx, func(tx store.Tx) error {
		ch := storetest.ChangeFor(lost)
		if _, err := tx.Outcomes([]uuid.UUID{ch.ID}); err != nil {
			return err
		}
		if _, err := tx.LoadCases([]uuid.UUID{lost.ID}); err != nil {
			return err
		}
		if _, err := tx.SaveApplied(lost, storetest.AppliedFor(ch, "C01")); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("failed push: %v", err)
	}
	if _, err := s.Case(ctx, lost.ID); bmerr.CodeOf(err) != bmerr.NotFound {
		t.Errorf("case of a failed push: %v", err)
	}
	if now, _ := s.LastSeq(ctx); now != last {
		t.Errorf("LastSeq after a failed push = %d, want %d", now, last)
	}

	// A writer that bypasses the writer lock inserts a case the push
	// found missing: the queued save is refused when sent, and the push
	// fails rather than commit without it.
	racer := storetest.NewCase("C01", "")
	conn := rawConn(t, dsn)
	err = s.Update(ctx, func(tx store.Tx) error {
		ch := storetest.ChangeFor(racer)
		if _, err := tx.Outcomes([]uuid.UUID{ch.ID}); err != nil {
			return err
		}
		if _, err := tx.LoadCases([]uuid.UUID{racer.ID}); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, `INSERT INTO cases (id, number, origin_station, handling_station, matter, state, version, updated_at, snapshot, doc)
			VALUES ($1, 'x', 'C01', 'C01', 'm', 'received', 5, 0, 0, '')`, racer.ID); err != nil {
			t.Fatal(err)
		}
		_, err := tx.SaveApplied(racer, storetest.AppliedFor(ch, "C01"))
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "bypassed the writer lock") {
		t.Errorf("push over a case written behind the lock: %v, want the refusal", err)
	}
	if hist, _ := s.Changes(ctx, racer.ID); len(hist) != 0 {
		t.Errorf("the refused change was recorded: %v", hist)
	}
}

var errAbort = errors.New("abort the push")

// TestReadersDoNotWait: however many Updates queue behind one that holds
// the writer lock, reads go on: queued Updates do not hold the
// connections the readers need.
func TestReadersDoNotWait(t *testing.T) {
	dsn := newSchema(t)
	s := open(t, withParam(t, dsn, "pool_max_conns", "3"))
	defer s.Close()
	ctx := context.Background()
	c := storetest.NewCase("C01", "")
	if err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.SaveApplied(c, storetest.AppliedFor(storetest.ChangeFor(c), "C01"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	holding := make(chan struct{})
	var wg sync.WaitGroup
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer func() { unblock(); wg.Wait() }() // also when the test fails
	wg.Go(func() {
		s.Update(ctx, func(store.Tx) error {
			close(holding)
			<-release
			return nil
		})
	})
	<-holding
	for range 6 {
		wg.Go(func() { s.AppendAudit(ctx, audit.Entry{Actor: "admin", Kind: audit.Admin, Subject: "queued"}) })
	}
	time.Sleep(100 * time.Millisecond) // let them queue
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for range 5 {
		if _, err := s.Case(rctx, c.ID); err != nil {
			t.Fatalf("a read while Updates queue: %v", err)
		}
		if _, err := s.Feed(rctx, "C01", 0, 10); err != nil {
			t.Fatalf("a read while Updates queue: %v", err)
		}
	}
	unblock()
	wg.Wait()
	if es, err := s.AuditEntries(ctx, 0, 100); err != nil || len(es) != 6 {
		t.Errorf("audit after the queue: %d entries, %v; want 6", len(es), err)
	}
}
