package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/storetest"
	"github.com/google/uuid"
)

// TestQueuedRowsFailTogether: when writing queued rows fails (here a change
// id the transaction's bookkeeping did not know was taken, which only a bug
// could cause), the save that triggered it fails, every later statement of
// the transaction fails with it, and the Update commits nothing: no case is
// half saved and no change survives without its case.
func TestQueuedRowsFailTogether(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	cases := make([]*casefile.Case, rowsPerInsert)
	changes := make([]*casefile.Change, rowsPerInsert)
	ids, caseIDs := make([]uuid.UUID, rowsPerInsert), make([]uuid.UUID, rowsPerInsert)
	for i := range cases {
		cases[i] = storetest.NewCase("C01", "")
		changes[i] = storetest.ChangeFor(cases[i])
		ids[i], caseIDs[i] = changes[i].ID, cases[i].ID
	}
	var saveErr, laterErr error
	err = s.Update(ctx, func(stx store.Tx) error {
		if _, err := stx.Outcomes(ids); err != nil {
			return err
		}
		if _, err := stx.LoadCases(caseIDs); err != nil {
			return err
		}
		// The last change's id taken behind the bookkeeping's back.
		t := stx.(*tx)
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO changes (id, case_id, origin_station, handling_station, station, case_version, applied_at, received_at, body)
			VALUES (?, ?, 'C01', 'C01', 'C01', 1, 0, 0, x'')`, ids[rowsPerInsert-1].String(), uuid.NewString()); err != nil {
			return err
		}
		for i := range cases {
			if _, saveErr = stx.SaveApplied(cases[i], storetest.AppliedFor(changes[i], "C01")); saveErr != nil {
				break
			}
		}
		_, laterErr = stx.LoadCases(caseIDs[:1])
		return nil // as a caller that ignored the errors would
	})
	if saveErr == nil || bmerr.As(saveErr) != nil {
		t.Errorf("the save that wrote the rows: %v, want a store error", saveErr)
	}
	if laterErr == nil {
		t.Error("a statement after the failed write succeeded")
	}
	if err == nil {
		t.Fatal("Update committed after its rows failed to be written")
	}
	if last, err := s.LastSeq(ctx); err != nil || last != 0 {
		t.Errorf("LastSeq = %d, %v; want an empty log", last, err)
	}
	if cs, err := s.Cases(ctx, caseIDs); err != nil || len(cs) != 0 {
		t.Errorf("%d cases stored (%v), want none", len(cs), err)
	}
}
