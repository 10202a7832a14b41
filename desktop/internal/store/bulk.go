package store

import (
	"context"
	"strings"

	"github.com/bianmin/bianmin/shared/casefile"
)

// BulkLoad inserts cases as confirmed by central with no changes pending,
// straight into the tables: the fast path benchmarks (here and in the
// desktop UI's) and the demo seed fill a store with. It is not for
// production data: nothing is checked with Apply, and nothing is queued. It
// writes what ReplaceAll would (list columns, the confirmed document, which
// is also the local projection, and the search index through the triggers)
// without re-projecting each case. Rows go in 100 to a statement: the
// search index flushes its pending terms once per statement, not per row.
func BulkLoad(s *Store, cases []*casefile.Case) error {
	ctx := context.Background()
	const perTx, perStmt = 10_000, 100
	for start := 0; start < len(cases); start += perTx {
		err := s.write(ctx, func(tx querier) error {
			batch := cases[start:min(start+perTx, len(cases))]
			for i := 0; i < len(batch); i += perStmt {
				if err := bulkInsert(ctx, tx, batch[i:min(i+perStmt, len(batch))]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func bulkInsert(ctx context.Context, tx querier, cases []*casefile.Case) error {
	var args []any
	docs := map[string][]byte{}
	for _, c := range cases {
		b, err := encodeCase(c)
		if err != nil {
			return err
		}
		docs[c.ID.String()] = b
		l := colsOf(c)
		args = append(args, c.ID.String(), l.number, l.matterCode, l.matterName, l.applicantName, l.nameMasked,
			l.idMasked, l.state, l.dueOn, l.warning, l.warningRank, l.receivedAt, l.updatedAt, c.Version, c.Version)
	}
	values := strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'synced', ?, ?, ?, ?), `, len(cases)), ", ")
	rows, err := tx.QueryContext(ctx, `INSERT INTO cases (id, number, matter_code, matter_name, applicant_name,
			name_masked, id_masked, state, due_on, warning, warning_rank, sync_state, received_at, updated_at,
			local_version, confirmed_version)
		VALUES `+values+` RETURNING rid, id`, args...)
	if err != nil {
		return err
	}
	args = args[:0]
	for rows.Next() {
		var rid int64
		var id string
		if err := rows.Scan(&rid, &id); err != nil {
			rows.Close()
			return err
		}
		args = append(args, rid, docs[id])
	}
	if err := rows.Close(); err != nil {
		return err
	}
	values = strings.TrimSuffix(strings.Repeat(`(?, ?), `, len(cases)), ", ")
	_, err = tx.ExecContext(ctx, `INSERT INTO case_docs (rid, confirmed_doc) VALUES `+values, args...)
	return err
}
