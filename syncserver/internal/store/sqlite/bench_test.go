package sqlite_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
)

// BenchmarkSaveApplied is central's side of a push of 1000 new cases
// (storetest.BenchSaveApplied, shared by every store so that figures
// compare).
func BenchmarkSaveApplied(b *testing.B) {
	storetest.BenchSaveApplied(b, func(t testing.TB) store.Store { return openTemp(t) })
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
	tmpl, body := storetest.BenchCase(b, true)
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
		for batch := 0; batch < storetest.PushSize; batch += 500 {
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
	b.ReportMetric(float64(b.N*storetest.PushSize)/b.Elapsed().Seconds(), "cases/s")
}
