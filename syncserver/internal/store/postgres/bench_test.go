package postgres_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

const pushSize = 1000 // cases per push

// benchCase returns a new case whose JSON is about 1.5 KB, with one
// attachment, and a change body of about 1 KB: the SQLite store's benchmark
// case, so that the figures compare. A proxy case is filed at a community
// for a township; any other is its origin's own.
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

// BenchmarkSaveApplied is central's side of a push of 1000 new cases, as
// the SQLite store's benchmark of the same name: one Update that asks for
// the outcomes of the 1000 change ids, loads the 1000 cases (none exist)
// and saves each case with its change. It runs against BIANMIN_TEST_POSTGRES
// with the server's own settings (synchronous commit and all).
func BenchmarkSaveApplied(b *testing.B) {
	testDSN(b)
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
// change's body under a UUIDv7 key as plain INSERTs into one table, one
// statement per case (as SaveApplied is one round trip per case), 500 rows
// per transaction: about the most this machine, server and driver do one
// statement at a time. It is the SQLite benchmark's ceiling, on PostgreSQL.
func BenchmarkPlainInsertCeiling(b *testing.B) {
	dsn := newSchema(b)
	ctx := context.Background()
	tmpl, body := benchCase(b, true)
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
		for batch := 0; batch < pushSize; batch += 500 {
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
	b.ReportMetric(float64(b.N*pushSize)/b.Elapsed().Seconds(), "cases/s")
}
