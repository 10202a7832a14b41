package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
)

const pushSize = 1000 // cases per push

// benchCase returns a new case whose JSON is about 1.5 KB, with one
// attachment, and a change body of about 1 KB. A proxy case is filed at a
// community for a township; any other is its origin's own.
func benchCase(b *testing.B, proxy bool) (*casefile.Case, []byte) {
	handling := ""
	if proxy {
		handling = "T01"
	}
	c := storetest.NewCase("C01", handling, strings.Repeat("ab", 32))
	c.Applicant.Address = "城关镇东街社区幸福路 18 号 3 单元 502 室"
	c.Applicant.IDNumber = "110101199003074518"
	for _, code := range []string{"HOUSEHOLD", "INCOME", "BANK", "PHOTO"} {
		c.Materials = append(c.Materials, casefile.MaterialRecord{Code: code, Received: true, Copies: 2})
	}
	c.Matter.CoDepartments = []string{"finance", "human_resources"}
	if !proxy {
		// What a proxy case spends on its Proxy block.
		c.Notice = &casefile.Notice{Items: []casefile.MissingItem{{Material: "INCOME", Name: "收入证明", Note: "须加盖单位公章"}}}
	}
	ch := storetest.ChangeFor(c)
	ch.Intake = &casefile.Intake{Number: c.Number, Matter: c.Matter.Code, Applicant: c.Applicant, Proxy: c.Proxy,
		Mode: c.Mode, Materials: c.Materials}
	body := storetest.Body(ch)
	doc, _ := json.Marshal(c)
	if len(doc) < 1300 || len(doc) > 1800 || len(body) < 800 || len(body) > 1300 {
		b.Fatalf("case JSON %d bytes, change body %d: not the sizes the benchmark is about", len(doc), len(body))
	}
	return c, body
}

// BenchmarkSaveApplied is central's side of a push of 1000 new cases: one
// Update that asks for the outcomes of the 1000 change ids, loads the 1000
// cases (none exist) and saves each case with its change. Proxy cases cost
// two more index entries each (the handling station's).
func BenchmarkSaveApplied(b *testing.B) {
	b.Run("own", func(b *testing.B) { benchmarkSaveApplied(b, false) })
	b.Run("proxy", func(b *testing.B) { benchmarkSaveApplied(b, true) })
}

func benchmarkSaveApplied(b *testing.B, proxy bool) {
	s := openTemp(b)
	defer s.Close()
	tmpl, body := benchCase(b, proxy)
	ctx := context.Background()

	cases := make([]casefile.Case, pushSize)
	changes := make([]casefile.Change, pushSize)
	changeIDs := make([]uuid.UUID, pushSize)
	caseIDs := make([]uuid.UUID, pushSize)
	for b.Loop() {
		for i := range pushSize {
			cases[i] = *tmpl
			cases[i].ID = uuid.Must(uuid.NewV7())
			changes[i] = casefile.Change{ID: uuid.Must(uuid.NewV7()), CaseID: cases[i].ID}
			changeIDs[i], caseIDs[i] = changes[i].ID, cases[i].ID
		}
		err := s.Update(ctx, func(tx store.Tx) error {
			seen, err := tx.Outcomes(changeIDs)
			if err != nil || len(seen) != 0 {
				b.Fatalf("outcomes: %d, %v", len(seen), err)
			}
			if _, err := tx.LoadCases(caseIDs); err != nil {
				return err
			}
			for i := range pushSize {
				if _, err := tx.SaveApplied(&cases[i], store.Applied{Change: &changes[i], Body: body, Station: "C01",
					ReceivedAt: tmpl.ReceivedAt}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*pushSize)/b.Elapsed().Seconds(), "cases/s")
}

// BenchmarkPlainInsertCeiling writes, per case, the case's JSON and the
// change's body under a UUIDv7 text key as plain INSERTs into one table, 500
// rows per transaction with a prepared statement, on a file with the store's
// pragmas (checkpoints left to SQLite): about the most this machine and
// driver can do. The JSON is what the store kept per case until it stored
// protobuf documents without their matter snapshot (about a third of the
// bytes); the ceiling keeps it so that results compare across versions, as
// loadgen's sqlite_ceiling does.
func BenchmarkPlainInsertCeiling(b *testing.B) {
	tmpl, body := benchCase(b, true)
	docBytes, _ := json.Marshal(tmpl)
	doc := string(docBytes)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "plain.db")+"?_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// The store's pragmas, but SQLite's own checkpoints every 1000 pages, in
	// COMMIT: without the store's checkpointer, the WAL would otherwise
	// never be checkpointed within the benchmark.
	for _, p := range append(sqlite.Pragmas, "wal_autocheckpoint = 1000") {
		if _, err := db.Exec("PRAGMA " + p); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec(`CREATE TABLE plain (id TEXT PRIMARY KEY, doc TEXT NOT NULL, body BLOB NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	ins, err := db.Prepare(`INSERT INTO plain (id, doc, body) VALUES (?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	defer ins.Close()

	for b.Loop() {
		for batch := 0; batch < pushSize; batch += 500 {
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			st := tx.Stmt(ins)
			for range 500 {
				if _, err := st.Exec(uuid.Must(uuid.NewV7()).String(), doc, body); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*pushSize)/b.Elapsed().Seconds(), "cases/s")
}
