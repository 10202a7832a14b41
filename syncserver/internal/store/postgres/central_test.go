package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/postgres"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
)

func trail(t *testing.T, s *postgres.Store) []audit.Entry {
	t.Helper()
	es, err := s.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func count(t *testing.T, dsn, query string, args ...any) int {
	t.Helper()
	var n int
	if err := rawConn(t, dsn).QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func saveCase(t *testing.T, s *postgres.Store, c *casefile.Case, doc []byte) {
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

// TestAuditTampering: whatever is done to audit_log behind the store's
// back, audit.Verify over what AuditEntries returns names the first entry
// that no longer fits: the times survive the round trip to the nanosecond.
func TestAuditTampering(t *testing.T) {
	testDSN(t)
	sql := func(qs ...string) func([]audit.Entry) []string {
		return func([]audit.Entry) []string { return qs }
	}
	for _, tc := range []struct {
		name   string
		tamper func(trail []audit.Entry) []string
		seq    int64
		what   string // "": any
	}{
		{"untouched", sql(), 0, ""},
		{"detail edited", sql(`UPDATE audit_log SET detail = 'deleted' WHERE seq = 3`), 3, "edited"},
		{"time edited by a nanosecond", sql(`UPDATE audit_log SET at = at + 1 WHERE seq = 5`), 5, "edited"},
		{"row deleted", sql(`DELETE FROM audit_log WHERE seq = 3`), 4, "deleted"},
		// How Verify names a swap is package audit's business; the store's
		// is that it is found where it happened.
		{"rows swapped", sql(
			`UPDATE audit_log SET seq = -3 WHERE seq = 3`,
			`UPDATE audit_log SET seq = 3 WHERE seq = 4`,
			`UPDATE audit_log SET seq = 4 WHERE seq = -3`,
		), 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := newSchema(t)
			s := open(t, dsn)
			defer s.Close()
			ctx := context.Background()
			for i := range 6 {
				// Entries without a time get the store's clock, nanoseconds and all.
				e := audit.Entry{Actor: "admin", Kind: audit.Admin, Subject: fmt.Sprintf("station T%02d", i+1), Detail: "created"}
				if i%2 == 0 {
					e.At = time.Date(2026, 3, 2, 9, i, 0, 123456789, time.UTC)
				}
				if err := s.AppendAudit(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			if p := audit.Verify(trail(t, s)); p != nil {
				t.Fatalf("before tampering: %v", p)
			}
			conn := rawConn(t, dsn)
			for _, q := range tc.tamper(trail(t, s)) {
				if _, err := conn.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			p := audit.Verify(trail(t, s))
			switch {
			case tc.seq == 0 && p != nil:
				t.Fatalf("Verify = %v, want no problem", p)
			case tc.seq != 0 && (p == nil || p.Seq != tc.seq || tc.what != "" && p.What != tc.what):
				t.Fatalf("Verify after tampering = %v, want entry %d %s", p, tc.seq, tc.what)
			}
		})
	}
}

// TestStaleSaveLeavesNoSnapshot: a refused save of a stale copy with a new
// snapshot stores neither, and the same snapshot saved with a case later in
// the push is stored after all.
func TestStaleSaveLeavesNoSnapshot(t *testing.T) {
	dsn := newSchema(t)
	s := open(t, dsn)
	defer s.Close()
	c := storetest.NewCase("C01", "")
	saveCase(t, s, c, nil)
	saveCase(t, s, storetest.Next(c), nil)
	stale := storetest.Next(c)
	stale.Matter.CatalogVersion = 9
	fresh := storetest.NewCase("C01", "")
	fresh.Matter.CatalogVersion = 9
	err := s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.SaveApplied(stale, storetest.AppliedFor(storetest.ChangeFor(stale), "C01"))
		if bmerr.CodeOf(err) != bmerr.Conflict {
			t.Errorf("stale save: %v, want Conflict", err)
		}
		_, err = tx.SaveApplied(fresh, storetest.AppliedFor(storetest.ChangeFor(fresh), "C01"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, dsn, `SELECT count(*) FROM matter_snapshots`); n != 2 {
		t.Errorf("%d snapshots stored, want 2", n)
	}
	if n := count(t, dsn, `SELECT count(*) FROM matter_snapshots WHERE id NOT IN (SELECT snapshot FROM cases)`); n != 0 {
		t.Errorf("%d snapshots no case refers to", n)
	}
	// A store that has cached nothing reads the fresh case's snapshot.
	other := open(t, dsn)
	defer other.Close()
	if got, err := other.Case(context.Background(), fresh.ID); err != nil || got.Matter.CatalogVersion != 9 {
		t.Errorf("fresh case = %+v, %v", got, err)
	}
}

// TestSameBytesWithDoc: a case saved with Applied.Doc, in EncodeCase's
// order or the standard one, is stored as the store would have stored it.
func TestSameBytesWithDoc(t *testing.T) {
	dsn := newSchema(t)
	s := open(t, dsn)
	defer s.Close()
	a := storetest.NewCase("C01", "T01", "ab")
	b, c := *a, *a
	b.ID, c.ID = uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	saveCase(t, s, a, nil)
	doc, _ := store.EncodeCase(&b)
	saveCase(t, s, &b, doc)
	std, _ := proto.MarshalOptions{Deterministic: true}.Marshal(wire.CaseToWire(&c))
	saveCase(t, s, &c, std)
	conn := rawConn(t, dsn)
	var docs [][]byte
	var snaps []int64
	for _, id := range []uuid.UUID{a.ID, b.ID, c.ID} {
		var doc []byte
		var snap int64
		if err := conn.QueryRow(context.Background(), `SELECT snapshot, doc FROM cases WHERE id = $1`, id).Scan(&snap, &doc); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, bytes.ReplaceAll(doc, []byte(id.String()), nil))
		snaps = append(snaps, snap)
	}
	if !bytes.Equal(docs[0], docs[1]) || !bytes.Equal(docs[0], docs[2]) || snaps[0] != snaps[1] || snaps[0] != snaps[2] {
		t.Errorf("documents stored differ: %q", docs)
	}
}

// TestNewCasesWriteNoDepartments: a push of new cases, none forwarded or
// warned, writes nothing to case_departments.
func TestNewCasesWriteNoDepartments(t *testing.T) {
	dsn := newSchema(t)
	s := open(t, dsn)
	defer s.Close()
	for range 20 {
		c := storetest.NewCase("C01", "T01")
		c.Matter.CoDepartments = []string{"finance"}
		saveCase(t, s, c, nil)
	}
	if n := count(t, dsn, `SELECT count(*) FROM case_departments`); n != 0 {
		t.Errorf("%d rows in case_departments, want none", n)
	}
}
