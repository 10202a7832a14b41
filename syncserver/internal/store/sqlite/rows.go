package sqlite

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A push saves hundreds of changes in one transaction, each a row in
// changes and a row in cases. Written one INSERT per row, the statements'
// own overhead (database/sql, the driver, the VM's set-up) costs about as
// much as SQLite's work on the rows; so SaveApplied, when it can decide a
// save in Go (see SaveApplied's fast path), queues the two rows and returns,
// and they are written rowsPerInsert rows per INSERT:
//   - when rowsPerInsert rows are queued;
//   - before any other statement of the transaction runs, except those in
//     independent, which neither read nor write changes or cases: so
//     whatever the transaction reads afterwards sees the rows;
//   - before the transaction commits.
//
// A failed write leaves the transaction unusable (t.err), and Update rolls
// it back: the rows went nowhere, and neither did anything else.
const rowsPerInsert = 64

// rowSizes are the row counts that get a prepared INSERT: a flush writes
// full INSERTs and then the rest in falling powers of two.
var rowSizes = [...]int{rowsPerInsert, 32, 16, 8, 4, 2, 1}

// A statement that may fail half way through its rows must first copy
// each page it changes to a statement journal, to undo just itself: about
// a sixth of the writer's time, measured. So the INSERTs say OR ROLLBACK
// (a failure ends the whole transaction anyway) and give changes no seq: an
// explicit INTEGER PRIMARY KEY value is checked to be an integer, a check
// that may abort. SQLite numbers the rows max(seq)+1 in order, the seqs
// SaveApplied handed out (tx.seq), and flush checks that it did. An upsert
// aborts whatever its INSERT says, so only cases already stored go through
// qUpsertCases; new ones, which SaveApplied knows are new, are plain rows.
const (
	qInsChanges = `INSERT OR ROLLBACK INTO changes (id, case_id, origin_station, handling_station, station, case_version, applied_at, received_at, body)
		VALUES (?*)`
	qInsCases = `INSERT OR ROLLBACK INTO cases (id, number, origin_station, handling_station, matter, state, version, updated_at, snapshot, doc)
		VALUES (?*)`
	// qUpsertCases keeps qUpsertCase's version guard, though SaveApplied
	// queues only a case newer than the copy it knows: flush checks that
	// every row was written.
	qUpsertCases = `INSERT INTO cases (id, number, origin_station, handling_station, matter, state, version, updated_at, snapshot, doc)
		VALUES (?*)
		ON CONFLICT (id) DO UPDATE SET number = excluded.number, origin_station = excluded.origin_station,
			handling_station = excluded.handling_station, matter = excluded.matter, state = excluded.state,
			version = excluded.version, updated_at = excluded.updated_at, snapshot = excluded.snapshot, doc = excluded.doc
		WHERE excluded.version > cases.version`
	changeColumns = 9
	caseColumns   = 10

	qMaxSeq = `SELECT coalesce(max(seq), 0) FROM changes`
)

// rowsQuery expands the (?*) of tmpl to n rows of cols parameters each.
func rowsQuery(tmpl string, cols, n int) string {
	row := "(?" + strings.Repeat(",?", cols-1) + ")"
	return strings.Replace(tmpl, "(?*)", row+strings.Repeat(","+row, n-1), 1)
}

// rowsQueries are the multi-row statements, prepared at Open.
func rowsQueries() []string { return slices.Collect(maps.Values(multiRow)) }

// multiRow holds each multi-row statement by its template and row count.
var multiRow = func() map[[2]any]string {
	m := make(map[[2]any]string)
	for _, n := range rowSizes {
		m[[2]any{qInsChanges, n}] = rowsQuery(qInsChanges, changeColumns, n)
		m[[2]any{qInsCases, n}] = rowsQuery(qInsCases, caseColumns, n)
		m[[2]any{qUpsertCases, n}] = rowsQuery(qUpsertCases, caseColumns, n)
	}
	return m
}()

// independent are the statements that may run while rows are queued: they
// touch neither changes nor cases (side tables, matter snapshots, audit),
// and none of those tables refers to them.
var independent = map[string]bool{
	qDelCaseBlob: true, qInsCaseBlob: true, qDelCaseDept: true, qInsCaseDept: true,
	qMatterBySHA: true, qInsMatter: true, qMatterDoc: true,
	qLastAudit: true, qInsAudit: true,
	qRejectedID: true, qInsRejection: true,
}

// queued are the rows SaveApplied has queued, as the parameters of
// qInsChanges, qInsCases (new cases) and qUpsertCases (stored ones), row
// after row. A case may be both inserted and updated in one flush, which
// writes the inserts first. The queued changes hold the seqs up to
// tx.nextSeq (each took the next from tx.seq, and nothing else numbers
// changes while rows are queued).
type queued struct {
	changes []any
	inserts []any
	updates []any
}

func (q *queued) len() int { return len(q.changes) / changeColumns }

// queue adds one save's rows, writing a full INSERT's worth at once. isNew
// says the case is not stored yet.
func (t *tx) queue(change, kase []any, isNew bool) error {
	t.rows.changes = append(t.rows.changes, change...)
	if isNew {
		t.rows.inserts = append(t.rows.inserts, kase...)
	} else {
		t.rows.updates = append(t.rows.updates, kase...)
	}
	if t.rows.len() >= rowsPerInsert {
		return t.flush()
	}
	return nil
}

// flush writes the queued rows.
func (t *tx) flush() error {
	if t.err != nil {
		return t.err
	}
	if t.rows.len() == 0 {
		return nil
	}
	firstSeq := t.nextSeq - int64(t.rows.len())
	for _, q := range []struct {
		tmpl string
		cols int
		rows *[]any
	}{
		{qInsChanges, changeColumns, &t.rows.changes},
		{qInsCases, caseColumns, &t.rows.inserts},
		{qUpsertCases, caseColumns, &t.rows.updates},
	} {
		args := *q.rows
		n, done := len(args)/q.cols, 0
		for _, size := range rowSizes {
			for n-done >= size {
				last, err := t.insertRows(q.tmpl, args[done*q.cols:(done+size)*q.cols], size)
				if err != nil {
					return t.fail(err)
				}
				done += size
				if want := firstSeq + int64(done) - 1; q.tmpl == qInsChanges && last != want {
					return t.fail(fmt.Errorf("changes numbered up to %d, want %d", last, want))
				}
			}
		}
		clear(args) // let go of the documents
		*q.rows = args[:0]
	}
	return nil
}

// insertRows runs tmpl for n rows, checks that each was written, and
// returns the last row's rowid.
func (t *tx) insertRows(tmpl string, args []any, n int) (int64, error) {
	st, err := t.prepared(multiRow[[2]any{tmpl, n}])
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(t.ctx, args...)
	if err != nil {
		return 0, err
	}
	if got, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if got != int64(n) {
		// Only the cases' version guard can skip a row, and SaveApplied
		// queued none it would skip.
		return 0, fmt.Errorf("%d of %d rows written", got, n)
	}
	return res.LastInsertId()
}

func (t *tx) fail(err error) error {
	t.err = fmt.Errorf("sqlite: write queued rows: %w", err)
	return t.err
}

// seq returns the seq of the next change SaveApplied queues. The log's
// rowids are max(seq)+1 (see caseDocsProtobuf): the row written next by any
// path gets the next one, and a row written (or deleted) one at a time
// makes the tx look again.
func (t *tx) seq() (int64, error) {
	if t.nextSeq == 0 {
		st, err := t.stmt(qMaxSeq)
		if err != nil {
			return 0, err
		}
		var last int64
		if err := st.QueryRowContext(t.ctx).Scan(&last); err != nil {
			return 0, err
		}
		t.nextSeq = last + 1
	}
	seq := t.nextSeq
	t.nextSeq++
	return seq, nil
}
