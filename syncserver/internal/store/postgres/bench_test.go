package postgres_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// BenchmarkSaveApplied is central's side of a push of 1000 new cases
// (storetest.BenchSaveApplied, shared by every store so that figures
// compare), against BIANMIN_TEST_POSTGRES with the server's own settings
// (synchronous commit and all).
func BenchmarkSaveApplied(b *testing.B) {
	testDSN(b)
	storetest.BenchSaveApplied(b, func(t testing.TB) store.Store { return openTemp(t) })
}

// BenchmarkPlainInsertCeiling writes, per case, the case's JSON and the
// change's body under a UUIDv7 key as plain INSERTs into one table, one
// statement per case (as SaveApplied is one round trip per case), 500 rows
// per transaction: about the most this machine, server and driver do one
// statement at a time. It is the SQLite benchmark's ceiling, on PostgreSQL.
func BenchmarkPlainInsertCeiling(b *testing.B) {
	dsn := newSchema(b)
	ctx := context.Background()
	tmpl, body := storetest.BenchCase(b, true)
	doc, _ := json.Marshal(tmpl)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE plain (id uuid PRIMARY KEY, doc bytea NOT NULL, body bytea NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for batch := 0; batch < storetest.PushSize; batch += 500 {
			err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				for range 500 {
					if _, err := tx.Exec(ctx, `INSERT INTO plain (id, doc, body) VALUES ($1, $2, $3)`,
						uuid.Must(uuid.NewV7()), doc, body); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*storetest.PushSize)/b.Elapsed().Seconds(), "cases/s")
}
