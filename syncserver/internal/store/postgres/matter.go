package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/jackc/pgx/v5"
)

// Matter snapshots are stored once each (matter_snapshots), named by the
// SHA-256 of their encoding, and a case row refers to its snapshot by id
// (see store.SplitCase). A snapshot row is never changed, and deleted only
// by the transaction that inserted it, so what a Store has once seen
// committed it caches for good: by hash, the row id, and by row id, the
// decoded snapshot. One a transaction inserts reaches the cache only after
// that transaction commits: before, another transaction cannot see the row,
// and after a rollback it does not exist.

// maxCachedMatters bounds the cache. There is one snapshot per matter and
// catalog version in use; a catalog has hundreds of matters.
const maxCachedMatters = 4096

type matterSum = [sha256.Size]byte

type matterCache struct {
	mu   sync.RWMutex
	ids  map[matterSum]int64
	byID map[int64]*store.Matter
}

func (m *matterCache) id(sum matterSum) (int64, bool) {
	m.mu.RLock()
	id, ok := m.ids[sum]
	m.mu.RUnlock()
	return id, ok
}

func (m *matterCache) matter(id int64) *store.Matter {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.byID[id]
}

// add records a committed snapshot: its hash, if known (sum not nil), and
// its decoded form, if known (dec not nil).
func (m *matterCache) add(id int64, sum *matterSum, dec *store.Matter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.ids) >= maxCachedMatters || len(m.byID) >= maxCachedMatters {
		m.ids, m.byID = nil, nil
	}
	if sum != nil {
		if m.ids == nil {
			m.ids = make(map[matterSum]int64)
		}
		m.ids[*sum] = id
	}
	if dec != nil {
		if m.byID == nil {
			m.byID = make(map[int64]*store.Matter)
		}
		m.byID[id] = dec
	}
}

// pendingMatters are the snapshots a transaction inserted, for the cache
// once it commits.
type pendingMatters struct {
	ids  map[matterSum]int64
	byID map[int64]*store.Matter // decoded on demand
}

func (p *pendingMatters) has(id int64) bool {
	for _, pid := range p.ids {
		if pid == id {
			return true
		}
	}
	return false
}

// qMatterID inserts a snapshot unless its hash is stored, and returns its
// id either way, and whether this statement inserted it. (Both halves run
// on the statement's snapshot: the SELECT finds a row committed before, the
// INSERT's RETURNING the new one.)
const qMatterID = `WITH ins AS (
		INSERT INTO matter_snapshots (sha256, doc) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING RETURNING id
	)
	SELECT id, true FROM ins
	UNION ALL
	SELECT id, false FROM matter_snapshots WHERE sha256 = $1`

// matterID returns the row id of the snapshot with encoding enc, inserting
// it if it is new; inserted reports whether it was.
func (t *tx) matterID(enc []byte) (id int64, inserted bool, err error) {
	sum := sha256.Sum256(enc)
	if id, ok := t.s.matters.id(sum); ok {
		return id, false, nil
	}
	if id, ok := t.pending.ids[sum]; ok {
		return id, false, nil
	}
	err = t.tx.QueryRow(t.ctx, qMatterID, sum[:], enc).Scan(&id, &inserted)
	if errNoRows(err) {
		// Another transaction inserted the snapshot after this statement's
		// snapshot was taken and committed while the INSERT waited for it.
		// (Writers hold the writer lock, so this takes a writer that does
		// not.) A new statement sees the row.
		err = t.tx.QueryRow(t.ctx, `SELECT id, false FROM matter_snapshots WHERE sha256 = $1`, sum[:]).Scan(&id, &inserted)
	}
	if err != nil {
		return 0, false, err
	}
	if !inserted {
		// Not this transaction's, so committed.
		t.s.matters.add(id, &sum, nil)
		return id, false, nil
	}
	if t.pending.ids == nil {
		t.pending.ids = make(map[matterSum]int64)
	}
	t.pending.ids[sum] = id
	return id, true, nil
}

// unsave removes a snapshot this transaction has just inserted and no case
// refers to.
func (t *tx) unsave(id int64, enc []byte) error {
	delete(t.pending.ids, sha256.Sum256(enc))
	delete(t.pending.byID, id)
	_, err := t.tx.Exec(t.ctx, `DELETE FROM matter_snapshots WHERE id = $1`, id)
	return err
}

// committed hands the transaction's snapshots to the cache.
func (t *tx) committed() {
	for sum, id := range t.pending.ids {
		t.s.matters.add(id, &sum, t.pending.byID[id])
	}
}

// querier runs queries: the pool, or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// caseDecoder decodes case rows (snapshot id, document). A row whose
// snapshot is known is decoded at once; the others wait, with their
// document, until the rows are closed, and finish then reads the snapshots
// they need in one query on the same connection or transaction.
type caseDecoder struct {
	s     *Store
	t     *tx // the transaction the rows come from, or nil for the pool
	out   []*casefile.Case
	later []laterCase
}

type laterCase struct {
	i    int // in out
	snap int64
	doc  []byte
}

func (d *caseDecoder) matter(id int64) *store.Matter {
	if d.t != nil {
		if m, ok := d.t.pending.byID[id]; ok {
			return m
		}
	}
	return d.s.matters.matter(id)
}

// row takes one row's values; doc must not be modified afterwards.
func (d *caseDecoder) row(snap int64, doc []byte) error {
	if m := d.matter(snap); m != nil {
		c, err := store.DecodeCaseWith(doc, m)
		if err != nil {
			return err
		}
		d.out = append(d.out, c)
		return nil
	}
	d.later = append(d.later, laterCase{i: len(d.out), snap: snap, doc: doc})
	d.out = append(d.out, nil)
	return nil
}

// scan reads every row of rows, (snapshot, doc) each, and closes them.
func (d *caseDecoder) scan(rows pgx.Rows) error {
	defer rows.Close()
	for rows.Next() {
		var snap int64
		var doc []byte
		if err := rows.Scan(&snap, &doc); err != nil {
			return err
		}
		if err := d.row(snap, doc); err != nil {
			return err
		}
	}
	return rows.Err()
}

// finish decodes the rows that waited for their snapshot, reading those
// snapshots with q, and returns every case, in row order.
func (d *caseDecoder) finish(ctx context.Context, q querier) ([]*casefile.Case, error) {
	if len(d.later) == 0 {
		return d.out, nil
	}
	// Snapshots by id, as they stand now: the cache may be emptied by
	// another goroutine at any time.
	loaded := make(map[int64]*store.Matter)
	var ids []int64
	for _, l := range d.later {
		if _, ok := loaded[l.snap]; ok || slices.Contains(ids, l.snap) {
			continue
		}
		if m := d.matter(l.snap); m != nil {
			loaded[l.snap] = m
		} else {
			ids = append(ids, l.snap)
		}
	}
	if len(ids) > 0 {
		rows, err := q.Query(ctx, `SELECT id, doc FROM matter_snapshots WHERE id = ANY ($1)`, ids)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var enc []byte
			if err := rows.Scan(&id, &enc); err != nil {
				rows.Close()
				return nil, err
			}
			m, err := store.DecodeMatter(enc)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("matter snapshot %d: %w", id, err)
			}
			loaded[id] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, id := range ids {
			m, ok := loaded[id]
			if !ok {
				return nil, fmt.Errorf("matter snapshot %d is missing", id)
			}
			if d.t != nil && d.t.pending.has(id) {
				if d.t.pending.byID == nil {
					d.t.pending.byID = make(map[int64]*store.Matter)
				}
				d.t.pending.byID[id] = m
			} else {
				d.s.matters.add(id, nil, m)
			}
		}
	}
	for _, l := range d.later {
		c, err := store.DecodeCaseWith(l.doc, loaded[l.snap])
		if err != nil {
			return nil, err
		}
		d.out[l.i] = c
	}
	return d.out, nil
}
