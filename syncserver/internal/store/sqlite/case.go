package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// Statements a push runs once per change. They are prepared once on the
// write connection and bound to each transaction with Tx.StmtContext.
const (
	qRejectedID = `SELECT EXISTS (SELECT 1 FROM rejections WHERE id = ?)`
	qAppliedID  = `SELECT EXISTS (SELECT 1 FROM changes WHERE id = ?)`
	qInsChange  = `INSERT INTO changes (id, case_id, origin_station, handling_station, station, case_version, applied_at, received_at, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qDelChange = `DELETE FROM changes WHERE seq = ?`
	// The version guard keeps a case from moving back even if a caller saves
	// a stale copy; the Update's write lock already prevents that for callers
	// that use LoadCases.
	qUpsertCase = `INSERT INTO cases (id, number, origin_station, handling_station, matter, state, version, updated_at, snapshot, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET number = excluded.number, origin_station = excluded.origin_station,
			handling_station = excluded.handling_station, matter = excluded.matter, state = excluded.state,
			version = excluded.version, updated_at = excluded.updated_at, snapshot = excluded.snapshot, doc = excluded.doc
		WHERE excluded.version > cases.version`
	// The side tables' statements take the key first, then the rest of the
	// row (see resync).
	qDelCaseBlob  = `DELETE FROM case_blobs WHERE sha256 = ? AND case_id = ?`
	qInsCaseBlob  = `INSERT OR IGNORE INTO case_blobs (sha256, case_id) VALUES (?, ?)`
	qDelCaseDept  = `DELETE FROM case_departments WHERE department = ? AND case_id = ? AND kind = ?`
	qInsCaseDept  = `INSERT OR IGNORE INTO case_departments (department, case_id, kind) VALUES (?, ?, ?)`
	qInsRejection = `INSERT INTO rejections (id, case_id, station, code, reason, message_zh, message_en, received_at, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

	// IN-list queries; (?*) becomes a list of parameters (see inQuery).
	// Each is prepared for every size in inSizes.
	qOutcomes = `SELECT id, 1, '', '', '', '', case_version, seq FROM changes WHERE id IN (?*)
		UNION ALL
		SELECT id, 0, code, reason, message_zh, message_en, 0, 0 FROM rejections WHERE id IN (?*)`
	qCaseDocs      = `SELECT snapshot, doc FROM cases WHERE id IN (?*)`
	qBlobsComplete = `SELECT sha256 FROM blobs WHERE complete = 1 AND sha256 IN (?*)`
)

// writeQueries are prepared on the write connection at Open.
func writeQueries() []string {
	qs := []string{qRejectedID, qAppliedID, qInsChange, qDelChange, qUpsertCase,
		qDelCaseBlob, qInsCaseBlob, qDelCaseDept, qInsCaseDept, qInsRejection,
		qMatterBySHA, qInsMatter, qMatterDoc, qDelMatter, qLastAudit, qInsAudit, qUpsertRectification, qMaxSeq}
	qs = append(qs, rowsQueries()...)
	for _, tmpl := range []string{qOutcomes, qCaseDocs, qBlobsComplete} {
		for _, n := range inSizes {
			qs = append(qs, inQuery(tmpl, n))
		}
	}
	return qs
}

// Update runs fn in one immediate transaction, committed if fn returns nil
// and rolled back entirely otherwise. fn must not keep the Tx.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	conn, sqltx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer sqltx.Rollback()
	// Statements run without ctx's cancellation: the driver watches a
	// cancellable context with a goroutine per statement, and a push runs
	// thousands of short ones. database/sql still rolls the transaction back
	// when ctx ends, and each Tx method checks ctx first.
	t := &tx{s: s, parent: ctx, ctx: context.WithoutCancel(ctx), tx: sqltx, now: s.now().UnixNano()}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	t.committed()
	s.ckpt.wrote(conn)
	return nil
}

// tx is one Update. Its clock is fixed when it starts, so every change of a
// push carries the same applied_at.
type tx struct {
	s      *Store
	parent context.Context // the Update's
	ctx    context.Context // parent without cancellation, for statements
	tx     *sql.Tx
	now    int64

	stmts map[string]*sql.Stmt // write statements bound to this transaction

	// unrecorded holds ids that Outcomes found in neither log in this
	// transaction and that have not been saved since: saving one needs no
	// look-up in the other log (the UNIQUE constraint still guards its own).
	unrecorded map[uuid.UUID]struct{}
	// index holds what this transaction knows of each case it has loaded
	// (found or not) or saved: its stored version, and what the side tables
	// list for it, so saving it again writes only the difference.
	index map[uuid.UUID]caseIndex

	pending pendingMatters // snapshots inserted by this transaction

	// rows are the change and case rows SaveApplied has queued (rows.go);
	// nextSeq is the seq the next queued change gets, 0 until looked up;
	// err is a failed write of queued rows, which ends the transaction.
	rows    queued
	nextSeq int64
	err     error

	args    []any // for IN lists
	keyArgs []any // for resync
}

// caseIndex is a stored case's version (0: not stored) and what the side
// tables list for it, as its document says: case_blobs its attachments,
// case_departments the departments that must see it (see
// 0003_central.sql). Each list is sorted.
type caseIndex struct {
	version int64
	blobs   []string
	tasks   []string // 'task' rows
	matter  []string // 'matter' rows
}

func indexOf(c *casefile.Case) caseIndex {
	return caseIndex{version: c.Version, blobs: attachments(c), tasks: taskDepartments(c), matter: supervisors(c)}
}

// stmt returns query's statement bound to this transaction: the one
// prepared at Open on the write connection, or, for a query not in that set,
// one prepared for this transaction alone. (Preparing on the write pool here
// would wait forever for the connection this transaction holds.)
//
// Unless query is independent of them, the rows SaveApplied queued are
// written first.
func (t *tx) stmt(query string) (*sql.Stmt, error) {
	if !independent[query] {
		if err := t.flush(); err != nil {
			return nil, err
		}
	} else if t.err != nil {
		return nil, t.err
	}
	return t.prepared(query)
}

// prepared is stmt without writing the queued rows.
func (t *tx) prepared(query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if shared := t.s.wq.cached(query); shared != nil {
		st = t.tx.StmtContext(t.ctx, shared)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, query); err != nil {
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
	}
	if t.stmts == nil {
		t.stmts = make(map[string]*sql.Stmt, 16)
	}
	t.stmts[query] = st
	return st, nil
}

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

func (t *tx) exists(query string, args ...any) (bool, error) {
	st, err := t.stmt(query)
	if err != nil {
		return false, err
	}
	var ok bool
	err = st.QueryRowContext(t.ctx, args...).Scan(&ok)
	return ok, err
}

// queryIn runs an IN-list query over keys in chunks of inChunk, calling row
// for each result row.
func (t *tx) queryIn(tmpl string, keys []string, row func(*sql.Rows) error) error {
	return queryIn(t.ctx, tmpl, keys, &t.args, func(query string) (*sql.Stmt, error) { return t.stmt(query) }, row)
}

func queryIn(ctx context.Context, tmpl string, keys []string, args *[]any,
	prepare func(string) (*sql.Stmt, error), row func(*sql.Rows) error) error {
	for chunk := range slices.Chunk(keys, inChunk) {
		n := inSize(len(chunk))
		st, err := prepare(inQuery(tmpl, n))
		if err != nil {
			return err
		}
		*args = inArgs(*args, tmpl, chunk, n)
		rows, err := st.QueryContext(ctx, *args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := row(rows); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func idStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// Outcomes returns the recorded outcome of each id seen before.
func (t *tx) Outcomes(ids []uuid.UUID) (map[uuid.UUID]store.Outcome, error) {
	if err := t.parent.Err(); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]store.Outcome)
	if len(ids) == 0 {
		return out, nil
	}
	var raw sql.RawBytes
	err := t.queryIn(qOutcomes, idStrings(ids), func(rows *sql.Rows) error {
		var o store.Outcome
		if err := rows.Scan(&raw, &o.Applied, &o.Code, &o.Reason, &o.MessageZh, &o.MessageEn, &o.CaseVersion, &o.Seq); err != nil {
			return err
		}
		id, err := uuid.ParseBytes(raw)
		if err != nil {
			return err
		}
		o.ChangeID = id
		out[id] = o
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: outcomes: %w", err)
	}
	if t.unrecorded == nil {
		t.unrecorded = make(map[uuid.UUID]struct{}, len(ids))
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			t.unrecorded[id] = struct{}{}
		}
	}
	return out, nil
}

// LoadCases returns the current copy of each existing case. The whole
// Update holds SQLite's write lock, so no other writer can change them.
func (t *tx) LoadCases(ids []uuid.UUID) (map[uuid.UUID]*casefile.Case, error) {
	if err := t.parent.Err(); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*casefile.Case)
	if len(ids) == 0 {
		return out, nil
	}
	d := caseDecoder{s: t.s, t: t}
	var snap int64
	var doc sql.RawBytes
	err := t.queryIn(qCaseDocs, idStrings(ids), func(rows *sql.Rows) error {
		if err := rows.Scan(&snap, &doc); err != nil {
			return err
		}
		return d.row(snap, doc)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: load cases: %w", err)
	}
	cs, err := d.finish(t.ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load cases: %w", err)
	}
	if t.index == nil {
		t.index = make(map[uuid.UUID]caseIndex, len(ids))
	}
	for _, id := range ids {
		t.index[id] = caseIndex{} // not stored, unless found
	}
	for _, c := range cs {
		out[c.ID] = c
		t.index[c.ID] = indexOf(c)
	}
	return out, nil
}

// attachments lists the distinct attachments of c's materials, sorted.
func attachments(c *casefile.Case) []string {
	var out []string
	for _, m := range c.Materials {
		for _, a := range m.Attachments {
			if a.SHA256 != "" {
				out = append(out, a.SHA256)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func changeRecorded(id uuid.UUID) error {
	return bmerr.Newf(bmerr.Conflict, "change_recorded", "变更 %s 已经记录过。", "Change %s has been recorded before.", id)
}

// SaveApplied stores c and records a.Change as applied. A failure with a
// bmerr error leaves the transaction as it was; any other error leaves it
// undefined, and the caller must end the Update with it.
func (t *tx) SaveApplied(c *casefile.Case, a store.Applied) (int64, error) {
	if err := t.parent.Err(); err != nil {
		return 0, err
	}
	ch := a.Change
	if c == nil || ch == nil {
		return 0, invalid("applied_incomplete", "缺少办件或变更。", "The case or the change is missing.")
	}
	if ch.CaseID != c.ID {
		return 0, invalid("change_case_mismatch", "变更 %s 不属于办件 %s。", "Change %s does not belong to case %s.", ch.ID, c.ID)
	}
	if c.Version < 1 {
		return 0, invalid("case_version", "办件版本必须大于零。", "The case version must be positive.")
	}
	changeID, caseID := ch.ID.String(), c.ID.String()
	var d store.CaseDoc
	var err error
	if a.Doc != nil {
		if d = *a.Doc; d.Version != c.Version || string(d.ID) != caseID {
			return 0, invalid("applied_doc", "办件 %s 的文档与办件不符。", "The document given for case %s is not the case's.", c.ID)
		}
	} else {
		// d.Rest is the encoder's buffer: hold it until the case is saved.
		t.s.encMu.Lock()
		defer t.s.encMu.Unlock()
		if d, err = t.s.enc.Encode(c); err != nil {
			return 0, fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
		}
	}
	body := a.Body
	if body == nil {
		body = []byte{}
	}
	received := a.ReceivedAt.UnixNano()
	if a.ReceivedAt.IsZero() {
		received = t.now
	}
	handling := c.HandlingStation
	if handling == "" {
		handling = c.OriginStation
	}

	// The fast path: this transaction knows the stored version of the case
	// and that the change is recorded in neither log, so nothing the
	// database would check can fail, and the rows are queued (rows.go).
	if ix, known := t.index[c.ID]; known {
		if _, fresh := t.unrecorded[ch.ID]; fresh {
			stored := ix.version
			if c.Version <= stored {
				return 0, staleCase(c)
			}
			seq, err := t.seq()
			if err != nil {
				return 0, fmt.Errorf("sqlite: save change %s: %w", ch.ID, err)
			}
			snap, _, err := t.matterID(d.Matter)
			if err != nil {
				return 0, fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
			}
			rest := d.Rest
			if a.Doc == nil {
				rest = slices.Clone(rest) // the encoder's buffer
			}
			delete(t.unrecorded, ch.ID)
			if err := t.queue(
				[]any{changeID, caseID, c.OriginStation, handling, a.Station, c.Version, t.now, received, body},
				[]any{caseID, c.Number, c.OriginStation, handling, c.Matter.Code, string(c.Status.State), c.Version, c.UpdatedAt.UnixNano(), snap, rest},
				stored == 0,
			); err != nil {
				return 0, err
			}
			if err := t.saveIndex(c, caseID); err != nil {
				return 0, t.fail(fmt.Errorf("save case %s: %w", c.ID, err))
			}
			return seq, nil
		}
	}

	if _, ok := t.unrecorded[ch.ID]; ok {
		delete(t.unrecorded, ch.ID)
	} else if rejected, err := t.exists(qRejectedID, changeID); err != nil {
		return 0, fmt.Errorf("sqlite: save change %s: %w", ch.ID, err)
	} else if rejected {
		return 0, changeRecorded(ch.ID)
	}
	if _, known := t.index[c.ID]; !known && c.Version > 1 {
		// Saving a case this transaction has not loaded: load it for what
		// the side tables list for it. (A case at version 1 is new: the
		// version guard refuses it otherwise.)
		if _, err := t.LoadCases([]uuid.UUID{c.ID}); err != nil {
			return 0, err
		}
	}
	res, err := t.exec(qInsChange, changeID, caseID, c.OriginStation, handling, a.Station,
		c.Version, t.now, received, body)
	t.nextSeq = 0 // look again (see seq)
	if isDuplicate(err) {
		return 0, changeRecorded(ch.ID)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: save change %s: %w", ch.ID, err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("sqlite: save change %s: %w", ch.ID, err)
	}

	snap, newSnap, err := t.matterID(d.Matter)
	if err != nil {
		return 0, fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
	}
	res, err = t.exec(qUpsertCase, caseID, c.Number, c.OriginStation, handling, c.Matter.Code,
		string(c.Status.State), c.Version, c.UpdatedAt.UnixNano(), snap, d.Rest)
	if err != nil {
		return 0, fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
	} else if n == 0 {
		// The stored copy is as new or newer: undo the change's row (and
		// the snapshot's, if it came with this case).
		if _, err := t.exec(qDelChange, seq); err != nil {
			return 0, fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
		}
		if newSnap {
			if err := t.unsave(snap, d.Matter); err != nil {
				return 0, fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
			}
		}
		return 0, staleCase(c)
	}

	if err := t.saveIndex(c, caseID); err != nil {
		return 0, fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
	}
	return seq, nil
}

func staleCase(c *casefile.Case) error {
	return bmerr.Newf(bmerr.Conflict, "case_version_stale",
		"办件 %s 已被更新（版本不低于 %d），请刷新后重试。",
		"Case %s has been updated (to version %d or later); refresh and try again.", c.ID, c.Version)
}

// saveIndex brings the side tables in line with c, given what they listed
// before (t.index, filled by LoadCases and by earlier saves). Most saves
// change none of the departments, and write nothing to case_departments.
func (t *tx) saveIndex(c *casefile.Case, caseID string) error {
	was := t.index[c.ID]
	now := indexOf(c)
	if err := t.resync(was.blobs, now.blobs, qDelCaseBlob, qInsCaseBlob, caseID); err != nil {
		return err
	}
	if err := t.resync(was.tasks, now.tasks, qDelCaseDept, qInsCaseDept, caseID, deptTask); err != nil {
		return err
	}
	if err := t.resync(was.matter, now.matter, qDelCaseDept, qInsCaseDept, caseID, deptMatter); err != nil {
		return err
	}
	if t.index == nil {
		t.index = make(map[uuid.UUID]caseIndex)
	}
	t.index[c.ID] = now
	return nil
}

// resync deletes the rows of the keys in was but not in now and inserts
// those in now but not in was (both sorted), with del and ins, whose
// parameters are the key and then rest.
func (t *tx) resync(was, now []string, del, ins string, rest ...any) error {
	if slices.Equal(was, now) {
		return nil
	}
	for _, k := range was {
		if _, keep := slices.BinarySearch(now, k); !keep {
			if _, err := t.exec(del, t.withKey(k, rest)...); err != nil {
				return err
			}
		}
	}
	for _, k := range now {
		if _, had := slices.BinarySearch(was, k); !had {
			if _, err := t.exec(ins, t.withKey(k, rest)...); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *tx) withKey(k string, rest []any) []any {
	t.keyArgs = append(append(t.keyArgs[:0], k), rest...)
	return t.keyArgs
}

// SaveRejected records a change refused for good; an id recorded before
// (applied or rejected) fails Conflict.
func (t *tx) SaveRejected(r store.Rejected) error {
	if err := t.parent.Err(); err != nil {
		return err
	}
	id := r.ChangeID.String()
	if _, ok := t.unrecorded[r.ChangeID]; ok {
		delete(t.unrecorded, r.ChangeID)
	} else if applied, err := t.exists(qAppliedID, id); err != nil {
		return fmt.Errorf("sqlite: save rejection %s: %w", r.ChangeID, err)
	} else if applied {
		return changeRecorded(r.ChangeID)
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	received := r.ReceivedAt.UnixNano()
	if r.ReceivedAt.IsZero() {
		received = t.now
	}
	_, err := t.exec(qInsRejection, id, r.CaseID.String(), r.Station, r.Code, r.Reason, r.MessageZh, r.MessageEn, received, body)
	if isDuplicate(err) {
		return changeRecorded(r.ChangeID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: save rejection %s: %w", r.ChangeID, err)
	}
	return nil
}

// BlobsComplete reports which of the given blobs are held complete.
func (t *tx) BlobsComplete(shas []string) (map[string]bool, error) {
	if err := t.parent.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(shas))
	for _, sha := range shas {
		out[sha] = false
	}
	if len(shas) == 0 {
		return out, nil
	}
	var sha string
	err := t.queryIn(qBlobsComplete, shas, func(rows *sql.Rows) error {
		if err := rows.Scan(&sha); err != nil {
			return err
		}
		out[sha] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: blobs complete: %w", err)
	}
	return out, nil
}

// Reads.

const feedColumns = `seq, id, case_id, case_version, applied_at, body`

// Feed returns a station's changes after a cursor. Each party index gives at
// most limit entries past the cursor in order, so their union holds the
// first limit of the station's: a page costs O(limit) however long the log
// or however few of its entries concern the station. (A plain
// "origin = ? OR handling = ?" lets SQLite collect and sort every match
// past the cursor first.)
const qFeed = `SELECT ` + feedColumns + ` FROM changes WHERE seq IN (
		SELECT seq FROM (SELECT seq FROM changes WHERE origin_station = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3)
		UNION
		SELECT seq FROM (SELECT seq FROM changes
			WHERE handling_station = ?1 AND handling_station <> origin_station AND seq > ?2 ORDER BY seq LIMIT ?3)
	) ORDER BY seq LIMIT ?3`

func (s *Store) Feed(ctx context.Context, station string, after int64, limit int) ([]store.FeedEntry, error) {
	if limit <= 0 {
		return nil, invalid("feed_limit", "每页条数必须大于零。", "The page size must be positive.")
	}
	return s.feed(ctx, "feed", qFeed, station, after, limit)
}

// Changes returns a case's applied changes in order.
func (s *Store) Changes(ctx context.Context, caseID uuid.UUID) ([]store.FeedEntry, error) {
	return s.feed(ctx, "changes", `SELECT `+feedColumns+` FROM changes WHERE case_id = ? ORDER BY seq`, caseID.String())
}

func (s *Store) feed(ctx context.Context, what, query string, args ...any) ([]store.FeedEntry, error) {
	st, err := s.rq.get(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	var out []store.FeedEntry
	var id, caseID sql.RawBytes
	for rows.Next() {
		var e store.FeedEntry
		var applied int64
		if err := rows.Scan(&e.Seq, &id, &caseID, &e.CaseVersion, &applied, &e.Body); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		if e.ChangeID, err = uuid.ParseBytes(id); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		if e.CaseID, err = uuid.ParseBytes(caseID); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		e.AppliedAt = timeAt(applied)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return out, nil
}

// LastSeq is the highest seq in the log (0 when empty).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("sqlite: last seq: %w", err)
	}
	return seq, nil
}

// Cases returns the current copies of the given cases, in the order asked,
// skipping missing (and repeated) ids.
func (s *Store) Cases(ctx context.Context, ids []uuid.UUID) ([]*casefile.Case, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	d := caseDecoder{s: s}
	var args []any
	var snap int64
	var doc sql.RawBytes
	err := queryIn(ctx, qCaseDocs, idStrings(ids), &args,
		func(q string) (*sql.Stmt, error) { return s.rq.get(ctx, q) },
		func(rows *sql.Rows) error {
			if err := rows.Scan(&snap, &doc); err != nil {
				return err
			}
			return d.row(snap, doc)
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: cases: %w", err)
	}
	cs, err := d.finish(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: cases: %w", err)
	}
	byID := make(map[uuid.UUID]*casefile.Case, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	out := make([]*casefile.Case, 0, len(byID))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
			delete(byID, id)
		}
	}
	return out, nil
}

// Case returns one case, or NotFound.
func (s *Store) Case(ctx context.Context, id uuid.UUID) (*casefile.Case, error) {
	cs, err := s.Cases(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, bmerr.Newf(bmerr.NotFound, "case_unknown", "没有找到办件 %s。", "Case %s was not found.", id)
	}
	return cs[0], nil
}

// PartyCases pages through a station's cases in id order, bounded the same
// way as Feed.
const qPartyCases = `SELECT snapshot, doc FROM cases WHERE id IN (
		SELECT id FROM (SELECT id FROM cases WHERE origin_station = ?1 AND id > ?2 ORDER BY id LIMIT ?3)
		UNION
		SELECT id FROM (SELECT id FROM cases
			WHERE handling_station = ?1 AND handling_station <> origin_station AND id > ?2 ORDER BY id LIMIT ?3)
	) ORDER BY id LIMIT ?3`

func (s *Store) PartyCases(ctx context.Context, station string, after uuid.UUID, limit int) ([]*casefile.Case, error) {
	if limit <= 0 {
		return nil, invalid("page_limit", "每页条数必须大于零。", "The page size must be positive.")
	}
	return s.casePage(ctx, "party cases", qPartyCases, station, after.String(), limit)
}

// qOpenCases reads the partial index of open cases, whose condition it
// repeats.
const qOpenCases = `SELECT snapshot, doc FROM cases
	WHERE state <> '` + string(caseflow.Closed) + `' AND id > ?1 ORDER BY id LIMIT ?2`

// OpenCases pages through the cases not closed, in id order.
func (s *Store) OpenCases(ctx context.Context, after uuid.UUID, limit int) ([]*casefile.Case, error) {
	if limit <= 0 {
		return nil, invalid("page_limit", "每页条数必须大于零。", "The page size must be positive.")
	}
	return s.casePage(ctx, "open cases", qOpenCases, after.String(), limit)
}

// eachCasePage is how many cases EachCase reads at a time.
const eachCasePage = 256

// EachCase calls fn for every case, in id order, reading a page of cases at
// a time and calling fn once the page's read has ended, so that however
// long fn takes no read transaction stays open (one would keep the
// checkpointer from reusing the WAL). Each case is visited once, as it
// stood when its page was read. An error from fn ends the walk and is
// returned as is.
func (s *Store) EachCase(ctx context.Context, fn func(*casefile.Case) error) error {
	after := uuid.Nil
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		cs, err := s.casePage(ctx, "each case", `SELECT snapshot, doc FROM cases WHERE id > ?1 ORDER BY id LIMIT ?2`,
			after.String(), eachCasePage)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(cs) < eachCasePage {
			return nil
		}
		after = cs[len(cs)-1].ID
	}
}

// casePage runs query, which selects (snapshot, doc) of cases, on the read
// pool and decodes the cases in row order.
func (s *Store) casePage(ctx context.Context, what, query string, args ...any) ([]*casefile.Case, error) {
	st, err := s.rq.get(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	d := caseDecoder{s: s}
	var snap int64
	var doc sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&snap, &doc); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		if err := d.row(snap, doc); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	out, err := d.finish(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return out, nil
}

// PartyVersions returns (id, version) of each of a station's cases, in id
// order. UNION merges the two party indexes and drops the case seen twice
// (origin and handling are the same station for a case that is not a proxy).
func (s *Store) PartyVersions(ctx context.Context, station string) ([]store.CaseVersion, error) {
	st, err := s.rq.get(ctx, `SELECT id, version FROM cases WHERE origin_station = ?1
		UNION SELECT id, version FROM cases WHERE handling_station = ?1 AND handling_station <> origin_station
		ORDER BY id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, station)
	if err != nil {
		return nil, fmt.Errorf("sqlite: party versions: %w", err)
	}
	defer rows.Close()
	var out []store.CaseVersion
	var id sql.RawBytes
	for rows.Next() {
		var v store.CaseVersion
		if err := rows.Scan(&id, &v.Version); err != nil {
			return nil, fmt.Errorf("sqlite: party versions: %w", err)
		}
		if v.ID, err = uuid.ParseBytes(id); err != nil {
			return nil, fmt.Errorf("sqlite: party versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: party versions: %w", err)
	}
	return out, nil
}
