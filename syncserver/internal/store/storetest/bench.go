package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// PushSize is the number of cases of BenchSaveApplied's push.
const PushSize = 1000

// BenchCase returns a new case whose JSON is about 1.5 KB, with one
// attachment, and a change body of about 1 KB. A proxy case is filed at a
// community for a township; any other is its origin's own.
func BenchCase(b testing.TB, proxy bool) (*casefile.Case, []byte) {
	handling := ""
	if proxy {
		handling = "T01"
	}
	c := NewCase("C01", handling, strings.Repeat("ab", 32))
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
	ch := ChangeFor(c)
	ch.Intake = &casefile.Intake{Number: c.Number, Matter: c.Matter.Code, Applicant: c.Applicant, Proxy: c.Proxy,
		Mode: c.Mode, Materials: c.Materials}
	body := Body(ch)
	doc, _ := json.Marshal(c)
	if len(doc) < 1300 || len(doc) > 1800 || len(body) < 800 || len(body) > 1300 {
		b.Fatalf("case JSON %d bytes, change body %d: not the sizes the benchmark is about", len(doc), len(body))
	}
	return c, body
}

// BenchSaveApplied is central's side of a push of PushSize new cases, on
// a store from open (closed when done): one Update that asks for the
// outcomes of the change ids, loads the cases (none exist) and saves each
// case with its change; sub-benchmarks "own" and "proxy" (a proxy case
// costs two more index entries, the handling station's). Every store's
// benchmark runs this one, so that their figures compare.
func BenchSaveApplied(b *testing.B, open func(testing.TB) store.Store) {
	b.Run("own", func(b *testing.B) { benchSaveApplied(b, open, false) })
	b.Run("proxy", func(b *testing.B) { benchSaveApplied(b, open, true) })
}

func benchSaveApplied(b *testing.B, open func(testing.TB) store.Store, proxy bool) {
	s := open(b)
	defer s.Close()
	tmpl, body := BenchCase(b, proxy)
	ctx := context.Background()

	cases := make([]casefile.Case, PushSize)
	changes := make([]casefile.Change, PushSize)
	changeIDs := make([]uuid.UUID, PushSize)
	caseIDs := make([]uuid.UUID, PushSize)
	for b.Loop() {
		for i := range PushSize {
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
			for i := range PushSize {
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
	b.ReportMetric(float64(b.N*PushSize)/b.Elapsed().Seconds(), "cases/s")
}
