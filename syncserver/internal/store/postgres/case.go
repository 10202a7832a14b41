package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Update runs fn in one transaction that holds the writer lock (see the
// package doc), committed if fn returns nil and rolled back entirely
// otherwise. fn must not keep the Tx.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	// Within this process, Updates queue here before they take a
	// connection: the writer lock lets one through at a time anyway, and a
	// connection held waiting for it is one the readers cannot have.
	select {
	case s.writer <- struct{}{}:
		defer func() { <-s.writer }()
	case <-ctx.Done():
		return ctx.Err()
	}
	ptx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer ptx.Rollback(context.WithoutCancel(ctx))
	if _, err := ptx.Exec(ctx, qLockWriter); err != nil {
		return fmt.Errorf("postgres: writer lock: %w", err)
	}
	t := &tx{s: s, ctx: ctx, tx: ptx, now: s.now().UnixNano()}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	t.committed()
	return nil
}

// tx is one Update. Its clock is fixed when it starts, so every change of a
// push carries the same applied_at.
//
// A push costs one round trip per statement, and the writer lock is held for
// all of them, so the store sends a push's saves in batches where it can.
// SaveApplied must answer at once (the seq, or Conflict), and it can without
// asking the database when the transaction already knows the answer: the
// change id is in neither log (Outcomes said so, and nothing saved it since)
// and the case's current version is known (LoadCases read and locked it, or
// an earlier save in this transaction wrote it). Then the save is queued,
// and sent with the others before the transaction's next read and before
// it commits. Anything else is saved at once. The database still checks
// every queued save as it would an immediate one, and a queued save it
// refuses (which only a writer that bypasses the writer lock could cause)
// fails the Update.
type tx struct {
	s   *Store
	ctx context.Context
	tx  pgx.Tx
	now int64

	// seq is the last seq drawn, read on the first save (see nextSeq).
	seq    int64
	seqSet bool

	// index holds, per case loaded or saved in this transaction, what the
	// side tables list for it, so saving it again writes only the difference.
	index map[uuid.UUID]caseIndex
	// versions holds, per case loaded or saved in this transaction, its
	// stored version, 0 for a case known not to exist.
	versions map[uuid.UUID]int64
	// unrecorded holds ids that Outcomes found in neither log and that
	// have not been saved since.
	unrecorded map[uuid.UUID]struct{}

	queue   pgx.Batch      // saves not sent yet
	pending pendingMatters // snapshots inserted by this transaction
	buf     []byte         // the document being saved, copied out of the encoder
}

func (t *tx) makeMaps() {
	if t.index == nil {
		t.index = make(map[uuid.UUID]caseIndex)
	}
	if t.versions == nil {
		t.versions = make(map[uuid.UUID]int64)
	}
}

// maxQueued is how many saves are sent at once at most.
const maxQueued = 256

// flush sends the queued saves. Every statement the transaction runs but
// matterID's (on matter_snapshots, which queued saves only read) runs after
// a flush, so that it sees the writes made before it, in order.
func (t *tx) flush() error {
	if t.queue.Len() == 0 {
		return nil
	}
	err := t.tx.SendBatch(t.ctx, &t.queue).Close()
	t.queue = pgx.Batch{}
	if err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	return nil
}

// nextSeq returns the seq the next change recorded gets. Seqs are the
// store's, not a sequence's: the last one in the log plus one, read after
// the writer lock was taken, so that it sees every seq committed before,
// and counted on from there. No change row is deleted once committed, so
// no seq is handed out twice; one the transaction draws and rolls back is
// handed out again, having never been seen.
func (t *tx) nextSeq() (int64, error) {
	if !t.seqSet {
		if err := t.flush(); err != nil {
			return 0, err
		}
		if err := t.tx.QueryRow(t.ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&t.seq); err != nil {
			return 0, fmt.Errorf("postgres: last seq: %w", err)
		}
		t.seqSet = true
	}
	return t.seq + 1, nil
}

// Outcomes returns the recorded outcome of each id seen before.
func (t *tx) Outcomes(ids []uuid.UUID) (map[uuid.UUID]store.Outcome, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]store.Outcome)
	if len(ids) == 0 {
		return out, nil
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(t.ctx, `SELECT id, true, '', '', '', '', case_version, seq FROM changes WHERE id = ANY ($1)
		UNION ALL
		SELECT id, false, code, reason, message_zh, message_en, 0, 0 FROM rejections WHERE id = ANY ($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: outcomes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o store.Outcome
		if err := rows.Scan(&o.ChangeID, &o.Applied, &o.Code, &o.Reason, &o.MessageZh, &o.MessageEn, &o.CaseVersion, &o.Seq); err != nil {
			return nil, fmt.Errorf("postgres: outcomes: %w", err)
		}
		out[o.ChangeID] = o
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: outcomes: %w", err)
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

// LoadCases returns the current copy of each existing case, and locks its
// row until the transaction ends. The writer lock already keeps other
// Updates out; the row locks also hold off anything else that would write
// the cases, and make what the transaction knows of them stay true.
func (t *tx) LoadCases(ids []uuid.UUID) (map[uuid.UUID]*casefile.Case, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*casefile.Case)
	if len(ids) == 0 {
		return out, nil
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	d := caseDecoder{s: t.s, t: t}
	rows, err := t.tx.Query(t.ctx, `SELECT snapshot, doc FROM cases WHERE id = ANY ($1) FOR UPDATE`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: load cases: %w", err)
	}
	if err := d.scan(rows); err != nil {
		return nil, fmt.Errorf("postgres: load cases: %w", err)
	}
	cs, err := d.finish(t.ctx, t.tx)
	if err != nil {
		return nil, fmt.Errorf("postgres: load cases: %w", err)
	}
	t.makeMaps()
	for _, id := range ids {
		// Absent now, absent until this transaction saves it: only
		// writers holding the writer lock insert cases.
		t.versions[id] = 0
	}
	for _, c := range cs {
		out[c.ID] = c
		t.index[c.ID] = indexOf(c)
		t.versions[c.ID] = c.Version
	}
	return out, nil
}

func changeRecorded(id uuid.UUID) error {
	return bmerr.Newf(bmerr.Conflict, "change_recorded", "变更 %s 已经记录过。", "Change %s has been recorded before.", id)
}

func caseStale(c *casefile.Case) error {
	return bmerr.Newf(bmerr.Conflict, "case_version_stale",
		"办件 %s 已被更新（版本不低于 %d），请刷新后重试。",
		"Case %s has been updated (to version %d or later); refresh and try again.", c.ID, c.Version)
}

// qSaveApplied saves a case and its change in one statement, and only if
// the change id is in neither log (recorded) and the case row is older than
// the copy given (up: the version guard keeps a case from moving back even
// if a caller saves a stale copy). Otherwise it writes nothing, and says
// which: recorded, or neither (stale). The side tables get the rows to
// delete and insert, worked out from what they listed before (see
// tx.index), and are written only with the case.
//
// Every part runs on the statement's snapshot, so that each sees what was
// there before, and the parts after up see the case through its RETURNING.
const qSaveApplied = `WITH recorded AS (
		SELECT EXISTS (SELECT FROM changes WHERE id = $1::uuid) OR EXISTS (SELECT FROM rejections WHERE id = $1::uuid) AS yes
	), up AS (
		INSERT INTO cases (id, number, origin_station, handling_station, matter, state, version, updated_at, snapshot, doc)
		SELECT $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::text, $8::bigint, $9::bigint, $10::bigint, $11::bytea
		FROM recorded WHERE NOT yes
		ON CONFLICT (id) DO UPDATE SET number = excluded.number, origin_station = excluded.origin_station,
			handling_station = excluded.handling_station, matter = excluded.matter, state = excluded.state,
			version = excluded.version, updated_at = excluded.updated_at, snapshot = excluded.snapshot, doc = excluded.doc
		WHERE cases.version < excluded.version
		RETURNING id
	), ch AS (
		INSERT INTO changes (seq, id, case_id, origin_station, handling_station, station, case_version, applied_at, received_at, body)
		SELECT $22::bigint, $1::uuid, id, $4::text, $5::text, $12::text, $8::bigint, $13::bigint, $14::bigint, $15::bytea FROM up
		RETURNING seq
	), blobs_out AS (
		DELETE FROM case_blobs WHERE case_id IN (SELECT id FROM up) AND sha256 = ANY ($16::text[])
	), blobs_in AS (
		INSERT INTO case_blobs (sha256, case_id) SELECT b, up.id FROM up, unnest($17::text[]) b
		ON CONFLICT DO NOTHING
	), depts_out AS (
		DELETE FROM case_departments d USING up, unnest($18::text[], $19::text[]) x (department, kind)
		WHERE d.case_id = up.id AND d.department = x.department AND d.kind = x.kind
	), depts_in AS (
		INSERT INTO case_departments (department, case_id, kind)
		SELECT x.department, up.id, x.kind FROM up, unnest($20::text[], $21::text[]) x (department, kind)
		ON CONFLICT DO NOTHING
	)
	SELECT (SELECT yes FROM recorded), (SELECT seq FROM ch)`

// SaveApplied stores c and records a.Change as applied. A failure with a
// bmerr error leaves the transaction as it was; any other error leaves it
// aborted, and the caller must end the Update with it.
func (t *tx) SaveApplied(c *casefile.Case, a store.Applied) (int64, error) {
	if err := t.ctx.Err(); err != nil {
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
	var d store.CaseDoc
	var rest []byte // d.Rest, or a copy of it that outlives the encoder's lock
	var err error
	if a.Doc != nil {
		if d = *a.Doc; d.Version != c.Version || string(d.ID) != c.ID.String() {
			return 0, invalid("applied_doc", "办件 %s 的文档与办件不符。", "The document given for case %s is not the case's.", c.ID)
		}
		rest = d.Rest
	} else {
		// d.Rest is the encoder's buffer: copy it before letting go.
		t.s.encMu.Lock()
		d, err = t.s.enc.Encode(c)
		if err == nil {
			t.buf = append(t.buf[:0], d.Rest...)
			rest = t.buf
		}
		t.s.encMu.Unlock()
		if err != nil {
			return 0, fmt.Errorf("postgres: save case %s: %w", c.ID, err)
		}
	}

	stored, known := t.versions[c.ID]
	if !known && c.Version > 1 {
		// Saving a case this transaction has not loaded: load it for what
		// the side tables list for it. (A case at version 1 is new: the
		// version guard refuses it otherwise.)
		if _, err := t.LoadCases([]uuid.UUID{c.ID}); err != nil {
			return 0, err
		}
		stored, known = t.versions[c.ID], true
	}
	_, unrecorded := t.unrecorded[ch.ID]
	queue := known && unrecorded
	if queue && c.Version <= stored {
		return 0, caseStale(c)
	}

	was, now := t.index[c.ID], indexOf(c)
	var deptsOut, deptsIn deptRows
	deptsOut.add(deptTask, minus(was.tasks, now.tasks))
	deptsOut.add(deptMatter, minus(was.matter, now.matter))
	deptsIn.add(deptTask, minus(now.tasks, was.tasks))
	deptsIn.add(deptMatter, minus(now.matter, was.matter))

	snap, newSnap, err := t.matterID(d.Matter)
	if err != nil {
		return 0, fmt.Errorf("postgres: save case %s: %w", c.ID, err)
	}
	seq, err := t.nextSeq()
	if err != nil {
		return 0, err
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
	args := []any{
		ch.ID, c.ID, c.Number, c.OriginStation, handling, c.Matter.Code, string(c.Status.State),
		c.Version, c.UpdatedAt.UnixNano(), snap, rest,
		a.Station, t.now, received, body,
		minus(was.blobs, now.blobs), minus(now.blobs, was.blobs),
		deptsOut.depts, deptsOut.kinds, deptsIn.depts, deptsIn.kinds,
		seq,
	}

	if queue {
		// The caller may reuse its bytes once SaveApplied returns, and the
		// document may be the encoder's: the queue keeps copies.
		args[10], args[14] = bytes.Clone(rest), bytes.Clone(body)
		changeID := ch.ID
		t.queue.Queue(qSaveApplied, args...).QueryRow(func(row pgx.Row) error {
			var recorded bool
			var got *int64
			if err := row.Scan(&recorded, &got); err != nil {
				return err
			}
			if got == nil || *got != seq {
				return fmt.Errorf("change %s was refused when sent (recorded: %v): a writer bypassed the writer lock", changeID, recorded)
			}
			return nil
		})
		if t.queue.Len() >= maxQueued {
			if err := t.flush(); err != nil {
				return 0, err
			}
		}
	} else {
		if err := t.flush(); err != nil {
			return 0, err
		}
		var recorded bool
		var got *int64
		if err := t.tx.QueryRow(t.ctx, qSaveApplied, args...).Scan(&recorded, &got); err != nil {
			return 0, fmt.Errorf("postgres: save case %s: %w", c.ID, err)
		}
		if got == nil {
			// Nothing written: undo the snapshot's row if it came with this case.
			if newSnap {
				if err := t.unsave(snap, d.Matter); err != nil {
					return 0, fmt.Errorf("postgres: save case %s: %w", c.ID, err)
				}
			}
			if recorded {
				return 0, changeRecorded(ch.ID)
			}
			return 0, caseStale(c)
		}
	}

	t.seq = seq
	delete(t.unrecorded, ch.ID)
	t.makeMaps()
	t.index[c.ID] = now
	t.versions[c.ID] = c.Version
	return seq, nil
}

// SaveRejected records a change refused for good; an id recorded before
// (applied or rejected) fails Conflict.
func (t *tx) SaveRejected(r store.Rejected) error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	received := r.ReceivedAt.UnixNano()
	if r.ReceivedAt.IsZero() {
		received = t.now
	}
	// Neither a duplicate nor an applied id may raise an error: that would
	// abort the transaction, and the rest of the push with it.
	tag, err := t.tx.Exec(t.ctx, `INSERT INTO rejections (id, case_id, station, code, reason, message_zh, message_en, received_at, body)
		SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::text, $8::bigint, $9::bytea
		WHERE NOT EXISTS (SELECT FROM changes WHERE id = $1::uuid)
		ON CONFLICT (id) DO NOTHING`,
		r.ChangeID, r.CaseID, r.Station, r.Code, r.Reason, r.MessageZh, r.MessageEn, received, body)
	if err != nil {
		return fmt.Errorf("postgres: save rejection %s: %w", r.ChangeID, err)
	}
	if tag.RowsAffected() == 0 {
		return changeRecorded(r.ChangeID)
	}
	delete(t.unrecorded, r.ChangeID)
	return nil
}

// BlobsComplete reports which of the given blobs are held complete.
func (t *tx) BlobsComplete(shas []string) (map[string]bool, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(shas))
	for _, sha := range shas {
		out[sha] = false
	}
	if len(shas) == 0 {
		return out, nil
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(t.ctx, `SELECT sha256 FROM blobs WHERE complete AND sha256 = ANY ($1)`, shas)
	if err != nil {
		return nil, fmt.Errorf("postgres: blobs complete: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, fmt.Errorf("postgres: blobs complete: %w", err)
		}
		out[sha] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: blobs complete: %w", err)
	}
	return out, nil
}

// Reads. None takes a lock: each query sees the database as of its start.

const feedColumns = `seq, id, case_id, case_version, applied_at, body`

// qFeed gives a station's changes after a cursor. Each party index gives at
// most limit entries past the cursor in order, so their union holds the
// first limit of the station's, and the two ordered branches merge: a page
// costs O(limit) however long the log or however few of its entries concern
// the station. (A plain "origin = $1 OR handling = $1" makes PostgreSQL
// collect and sort every match past the cursor first.) The second branch
// repeats the partial index's condition, so that it can be used; the
// branches never share a row.
const qFeed = `SELECT ` + feedColumns + ` FROM (
		(SELECT ` + feedColumns + ` FROM changes WHERE origin_station = $1 AND seq > $2 ORDER BY seq LIMIT $3)
		UNION ALL
		(SELECT ` + feedColumns + ` FROM changes
			WHERE handling_station = $1 AND handling_station <> origin_station AND seq > $2 ORDER BY seq LIMIT $3)
	) f ORDER BY seq LIMIT $3`

// Feed returns a station's changes after a cursor, in seq order. Seqs
// commit in order (see the package doc), so a station that pages from the
// last seq it saw never skips one.
func (s *Store) Feed(ctx context.Context, station string, after int64, limit int) ([]store.FeedEntry, error) {
	if limit <= 0 {
		return nil, invalid("feed_limit", "每页条数必须大于零。", "The page size must be positive.")
	}
	return s.feed(ctx, "feed", qFeed, station, after, limit)
}

// Changes returns a case's applied changes in order.
func (s *Store) Changes(ctx context.Context, caseID uuid.UUID) ([]store.FeedEntry, error) {
	return s.feed(ctx, "changes", `SELECT `+feedColumns+` FROM changes WHERE case_id = $1 ORDER BY seq`, caseID)
}

func (s *Store) feed(ctx context.Context, what, query string, args ...any) ([]store.FeedEntry, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer rows.Close()
	var out []store.FeedEntry
	for rows.Next() {
		var e store.FeedEntry
		var applied int64
		if err := rows.Scan(&e.Seq, &e.ChangeID, &e.CaseID, &e.CaseVersion, &applied, &e.Body); err != nil {
			return nil, fmt.Errorf("postgres: %s: %w", what, err)
		}
		e.AppliedAt = timeAt(applied)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return out, nil
}

// LastSeq is the highest seq in the log (0 when empty).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("postgres: last seq: %w", err)
	}
	return seq, nil
}

// Cases returns the current copies of the given cases, in the order asked,
// skipping missing (and repeated) ids.
func (s *Store) Cases(ctx context.Context, ids []uuid.UUID) ([]*casefile.Case, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cs, err := s.casePage(ctx, "cases", `SELECT snapshot, doc FROM cases WHERE id = ANY ($1)`, ids)
	if err != nil {
		return nil, err
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

// qPartyCases pages through a station's cases in id order, bounded the
// same way as qFeed.
const qPartyCases = `SELECT snapshot, doc FROM (
		(SELECT id, snapshot, doc FROM cases WHERE origin_station = $1 AND id > $2 ORDER BY id LIMIT $3)
		UNION ALL
		(SELECT id, snapshot, doc FROM cases
			WHERE handling_station = $1 AND handling_station <> origin_station AND id > $2 ORDER BY id LIMIT $3)
	) p ORDER BY id LIMIT $3`

// PartyCases returns, in id order, up to limit of the station's cases after
// the given id.
func (s *Store) PartyCases(ctx context.Context, station string, after uuid.UUID, limit int) ([]*casefile.Case, error) {
	if err := pageLimit(limit); err != nil {
		return nil, err
	}
	return s.casePage(ctx, "party cases", qPartyCases, station, after, limit)
}

// qOpenCases reads the partial index of open cases, whose condition it
// repeats.
const qOpenCases = `SELECT snapshot, doc FROM cases
	WHERE state <> '` + string(caseflow.Closed) + `' AND id > $1 ORDER BY id LIMIT $2`

// OpenCases pages through the cases not closed, in id order.
func (s *Store) OpenCases(ctx context.Context, after uuid.UUID, limit int) ([]*casefile.Case, error) {
	if err := pageLimit(limit); err != nil {
		return nil, err
	}
	return s.casePage(ctx, "open cases", qOpenCases, after, limit)
}

// eachCasePage is how many cases EachCase reads at a time.
const eachCasePage = 256

// EachCase calls fn for every case, in id order, a page at a time, calling
// fn once the page's read has ended, so that however long fn takes no query
// stays open. Each case is visited once, as it stood when its page was
// read. An error from fn ends the walk and is returned as is.
func (s *Store) EachCase(ctx context.Context, fn func(*casefile.Case) error) error {
	after := uuid.Nil
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		cs, err := s.casePage(ctx, "each case", `SELECT snapshot, doc FROM cases WHERE id > $1 ORDER BY id LIMIT $2`,
			after, eachCasePage)
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

// casePage runs query, which selects (snapshot, doc) of cases, and decodes
// the cases in row order.
func (s *Store) casePage(ctx context.Context, what, query string, args ...any) ([]*casefile.Case, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	d := caseDecoder{s: s}
	if err := d.scan(rows); err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	out, err := d.finish(ctx, s.pool)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return out, nil
}

// PartyVersions returns (id, version) of each of a station's cases, in id
// order.
func (s *Store) PartyVersions(ctx context.Context, station string) ([]store.CaseVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, version FROM cases WHERE origin_station = $1
		UNION ALL SELECT id, version FROM cases WHERE handling_station = $1 AND handling_station <> origin_station
		ORDER BY id`, station)
	if err != nil {
		return nil, fmt.Errorf("postgres: party versions: %w", err)
	}
	defer rows.Close()
	var out []store.CaseVersion
	for rows.Next() {
		var v store.CaseVersion
		if err := rows.Scan(&v.ID, &v.Version); err != nil {
			return nil, fmt.Errorf("postgres: party versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: party versions: %w", err)
	}
	return out, nil
}

// errNoRows reports a QueryRow that found nothing.
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
