package sqlite_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
)

func trail(t *testing.T, s *sqlite.Store) []audit.Entry {
	t.Helper()
	es, err := s.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestAuditTampering: whatever is done to audit_log behind the store's
// back, audit.Verify over what AuditEntries returns names the first entry
// that no longer fits. `syncserver audit verify` relies on it.
func TestAuditTampering(t *testing.T) {
	sql := func(qs ...string) func([]audit.Entry) []string {
		return func([]audit.Entry) []string { return qs }
	}
	// reseal rewrites entries in place, each with a valid hash of its own.
	reseal := func(es ...audit.Entry) []string {
		var qs []string
		for _, e := range es {
			qs = append(qs, fmt.Sprintf(`UPDATE audit_log SET at = %d, subject = '%s', detail = '%s', prev = '%s', hash = '%s' WHERE seq = %d`,
				e.At.UnixNano(), e.Subject, e.Detail, e.Prev, e.Hash, e.Seq))
		}
		return qs
	}
	for _, tc := range []struct {
		name   string
		tamper func(trail []audit.Entry) []string
		seq    int64
		what   string
	}{
		{"detail edited", sql(`UPDATE audit_log SET detail = 'deleted' WHERE seq = 3`), 3, "edited"},
		{"time edited", sql(`UPDATE audit_log SET at = at + 1 WHERE seq = 5`), 5, "edited"},
		{"row deleted", sql(`DELETE FROM audit_log WHERE seq = 3`), 4, "deleted"},
		{"first row deleted", sql(`DELETE FROM audit_log WHERE seq = 1`), 2, "deleted"},
		{"rows swapped", sql(
			`UPDATE audit_log SET seq = -3 WHERE seq = 3`,
			`UPDATE audit_log SET seq = 3 WHERE seq = 4`,
			`UPDATE audit_log SET seq = 4 WHERE seq = -3`,
		), 3, "reordered"},
		{"edited and resealed", func(es []audit.Entry) []string {
			// The next entry still names the old hash.
			e := es[2]
			e.Detail = "deleted"
			audit.Seal(&e, e.Prev)
			return reseal(e)
		}, 4, "deleted"},
		{"swapped and resealed", func(es []audit.Entry) []string {
			// Entries 3 and 4 swapped, renumbered and each sealed onto its
			// new predecessor: entry 5 still names the old entry 4.
			e3, e4 := es[2], es[3]
			e4.Seq, e3.Seq = 3, 4
			audit.Seal(&e4, es[1].Hash)
			audit.Seal(&e3, e4.Hash)
			return reseal(e4, e3)
		}, 5, "deleted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "central.db")
			s, err := sqlite.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			for i := range 6 {
				if err := s.AppendAudit(ctx, audit.Entry{At: time.Date(2026, 3, 2, 9, i, 0, 0, time.UTC), Actor: "admin",
					Kind: audit.Admin, Subject: fmt.Sprintf("station T%02d", i+1), Detail: "created"}); err != nil {
					t.Fatal(err)
				}
			}
			es := trail(t, s)
			if p := audit.Verify(es); p != nil {
				t.Fatalf("before tampering: %v", p)
			}
			db := rawDB(t, path)
			for _, q := range tc.tamper(es) {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			p := audit.Verify(trail(t, s))
			if p == nil || p.Seq != tc.seq || p.What != tc.what {
				t.Fatalf("Verify after tampering = %v, want entry %d %s", p, tc.seq, tc.what)
			}
		})
	}
}

// TestAuditTwoProcesses: two Stores on one file, as two server processes,
// append at once, on their own and inside pushes; the trail is one chain.
func TestAuditTwoProcesses(t *testing.T) {
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
	const workers, each = 6, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		s := stores[w%2]
		wg.Go(func() {
			for i := range each {
				e := audit.Entry{Actor: fmt.Sprintf("worker%d", w), Kind: audit.Admin, Subject: fmt.Sprintf("%d/%d", w, i)}
				var err error
				if i%2 == 0 {
					err = s.AppendAudit(ctx, e)
				} else {
					err = s.Update(ctx, func(tx store.Tx) error {
						c := storetest.NewCase("C01", "")
						if _, err := tx.SaveApplied(c, storetest.AppliedFor(storetest.ChangeFor(c), "C01")); err != nil {
							return err
						}
						return tx.Audit(e)
					})
				}
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
		t.Fatalf("append: %v", err)
	}
	for _, s := range stores {
		es := trail(t, s)
		if len(es) != workers*each {
			t.Fatalf("%d entries, want %d", len(es), workers*each)
		}
		if p := audit.Verify(es); p != nil {
			t.Fatalf("Verify: %v", p)
		}
	}
}

// rawCase writes c, with its snapshot, into a file at schema version 3 as
// the store of that version would have.
func rawCase(t *testing.T, path string, c *casefile.Case) {
	t.Helper()
	doc, err := store.EncodeCase(c)
	if err != nil {
		t.Fatal(err)
	}
	d, err := store.SplitCase(doc)
	if err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	sum := sha256.Sum256(d.Matter)
	if _, err := db.Exec(`INSERT OR IGNORE INTO matter_snapshots (sha256, doc) VALUES (?, ?)`, sum[:], d.Matter); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO cases (id, number, origin_station, handling_station, matter, state, version, updated_at, snapshot, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM matter_snapshots WHERE sha256 = ?), ?)`,
		c.ID.String(), c.Number, c.OriginStation, c.OriginStation, c.Matter.Code, string(c.Status.State), c.Version,
		c.UpdatedAt.UnixNano(), sum[:], d.Rest); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateCaseDepartments opens a file from before case_departments: the
// departments find the cases already stored.
func TestMigrateCaseDepartments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	if err := sqlite.CreateAt(path, 3); err != nil {
		t.Fatal(err)
	}
	yellow := []casefile.Warning{{Level: casefile.Yellow, Raised: workcal.MustDate("2026-03-10")}}
	task := storetest.WorkflowCase() // rs's task
	parallel := storetest.WorkflowCase()
	parallel.Status.State = caseflow.ParallelReview
	parallel.Pipeline = &casefile.Pipeline{Stage: 1, Branches: []casefile.BranchState{{Department: "mz"}, {Department: "cl", Done: true}}}
	warned := storetest.NewCase("T01", "") // civil_affairs's
	warned.Warnings = yellow
	closed := storetest.NewCase("T01", "")
	closed.Warnings = yellow
	closed.Status = caseflow.Status{State: caseflow.Closed, Result: caseflow.Granted}
	quiet := storetest.NewCase("T01", "")
	for _, c := range []*casefile.Case{task, parallel, warned, closed, quiet} {
		rawCase(t, path, c)
	}

	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for dept, want := range map[string][]uuid.UUID{
		"rs":            {task.ID},
		"mz":            {parallel.ID},
		"cl":            nil,
		"civil_affairs": {warned.ID},
	} {
		got, err := s.DepartmentCases(ctx, dept, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []uuid.UUID
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("DepartmentCases(%s) after the migration = %v, want %v", dept, ids, want)
		}
	}
	if n := count(t, path, `SELECT count(*) FROM case_departments`); n != 3 {
		t.Errorf("%d rows in case_departments, want 3", n)
	}
	// And the store goes on from there: rs finishes.
	next := storetest.Next(task)
	next.Pipeline = &casefile.Pipeline{Stage: 1}
	saveCase(t, s, next, nil)
	if got, err := s.DepartmentCases(ctx, "rs", 10); err != nil || len(got) != 0 {
		t.Errorf("DepartmentCases(rs) after rs finished = %d cases, %v", len(got), err)
	}
}

// TestNewCasesWriteNoDepartments: a push of new cases, none forwarded or
// warned, writes nothing to case_departments: it costs a push nothing.
func TestNewCasesWriteNoDepartments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 20 {
		c := storetest.NewCase("C01", "T01")
		c.Matter.CoDepartments = []string{"finance"}
		saveCase(t, s, c, nil)
	}
	if n := count(t, path, `SELECT count(*) FROM case_departments`); n != 0 {
		t.Errorf("%d rows in case_departments, want none", n)
	}
}

// TestCentralQueryPlans: the queries central runs over every case are
// index range scans, not searches of the cases table.
func TestCentralQueryPlans(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	for _, tc := range []struct {
		name, query string
		args        []any
		want        []string
	}{
		{"OpenCases", sqlite.QOpenCases, []any{uuid.Nil.String(), 10}, []string{"USING INDEX cases_open (id>?)"}},
		{"DepartmentCases", sqlite.QDepartmentCases, []any{"rs", 10},
			[]string{"SEARCH case_departments USING PRIMARY KEY (department=?)", "SEARCH cases USING INDEX sqlite_autoindex_cases_1 (id=?)"}},
	} {
		plan, err := sqlite.QueryPlan(s, tc.query, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(plan, "\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: the plan does not %q:\n%s", tc.name, w, all)
			}
		}
		if strings.Contains(all, "SCAN cases") {
			t.Errorf("%s scans the cases table:\n%s", tc.name, all)
		}
	}
}
