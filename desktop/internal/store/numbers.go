package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
)

// NextCaseNumber issues the next case number (办件编号) of this station for
// day, offline: "XQ01-20260212-0001". The per-day sequence is incremented
// atomically in the file, so two windows of the same station never get the
// same number and a restart continues where it stopped. A number once issued
// is never issued again, even if the intake it was meant for is abandoned.
//
// The sequence also never falls below the numbers already present among
// the station's cases for that day, so a station reinstalled and restored
// from central does not reissue its own numbers.
func (s *Store) NextCaseNumber(ctx context.Context, day workcal.Date) (string, error) {
	if day.IsZero() {
		return "", bmerr.New(bmerr.Invalid, "number_day", "办件编号缺少日期。", "a case number needs a date.")
	}
	var number string
	err := s.write(ctx, func(tx querier) error {
		id, err := identityTx(ctx, tx)
		if errors.Is(err, sql.ErrNoRows) {
			return bmerr.New(bmerr.FailedPrecondition, "not_enrolled",
				"本机尚未注册为服务站点，不能编号。", "this device is not enrolled as a station yet, so it cannot issue case numbers.")
		}
		if err != nil {
			return err
		}
		floor, err := highestIssued(ctx, tx, id.Station, day)
		if err != nil {
			return err
		}
		var seq int
		err = tx.QueryRowContext(ctx, `INSERT INTO case_seq (day, last) VALUES (?, ?)
			ON CONFLICT (day) DO UPDATE SET last = MAX(case_seq.last, ?) + 1
			RETURNING last`, day.String(), floor+1, floor).Scan(&seq)
		if err != nil {
			return err
		}
		number = caseflow.FormatNumber(id.Station, day, seq)
		return nil
	})
	return number, err
}

// highestIssued is the highest sequence among the cases of station and day
// in the file (0 if none). Numbers are "STATION-YYYYMMDD-NNNN": the prefix
// range is an index range scan over one day's cases.
func highestIssued(ctx context.Context, tx querier, station string, day workcal.Date) (int, error) {
	prefix := caseflow.FormatNumber(station, day, 0)
	prefix = prefix[:len(prefix)-4] // drop the "0000"
	rows, err := tx.QueryContext(ctx, `SELECT number FROM cases WHERE number >= ? AND number < ?`, prefix, prefix+"\x7f")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	high := 0
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
		if _, _, seq, err := caseflow.ParseNumber(n); err == nil && seq > high {
			high = seq
		}
	}
	return high, rows.Err()
}
