package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"sync"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

// Matter snapshots are stored once each (matter_snapshots), and a case row
// refers to its snapshot by row id (see store.SplitCase). A snapshot row is
// never changed or deleted, so what a Store has once seen committed it may
// cache for good; one inserted by a transaction that has not committed
// stays in that transaction until it does (a rolled-back row id is handed
// out again, to another snapshot).
const (
	qMatterBySHA = `SELECT id FROM matter_snapshots WHERE sha256 = ?`
	qInsMatter   = `INSERT INTO matter_snapshots (sha256, doc) VALUES (?, ?)`
	qMatterDoc   = `SELECT doc FROM matter_snapshots WHERE id = ?`
	qDelMatter   = `DELETE FROM matter_snapshots WHERE id = ?`
)

// maxCachedMatters bounds the cache. There is one snapshot per matter and
// catalog version in use; a catalog has hundreds of matters.
const maxCachedMatters = 4096

// matterCache holds committed snapshots: by encoding, their row id, and by
// row id, the decoded snapshot.
type matterCache struct {
	mu   sync.RWMutex
	ids  map[string]int64
	byID map[int64]*store.Matter
}

func (m *matterCache) id(enc []byte) (int64, bool) {
	m.mu.RLock()
	id, ok := m.ids[string(enc)]
	m.mu.RUnlock()
	return id, ok
}

func (m *matterCache) matter(id int64) *store.Matter {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.byID[id]
}

// add records committed snapshots; enc may be "" when only the decoded
// form is known, and dec nil when only the encoding is.
func (m *matterCache) add(id int64, enc string, dec *store.Matter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.ids) >= maxCachedMatters || len(m.byID) >= maxCachedMatters {
		m.ids, m.byID = nil, nil
	}
	if enc != "" {
		if m.ids == nil {
			m.ids = make(map[string]int64)
		}
		m.ids[enc] = id
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
	ids  map[string]int64
	byID map[int64]*store.Matter // decoded on demand
}

// matterID returns the row id of the snapshot with encoding enc, inserting
// it if it is new; inserted reports whether it was.
func (t *tx) matterID(enc []byte) (int64, bool, error) {
	if id, ok := t.s.matters.id(enc); ok {
		return id, false, nil
	}
	if id, ok := t.pending.ids[string(enc)]; ok {
		return id, false, nil
	}
	return t.saveMatter(enc)
}

func (t *tx) saveMatter(enc []byte) (int64, bool, error) {
	sum := sha256.Sum256(enc)
	st, err := t.stmt(qMatterBySHA)
	if err != nil {
		return 0, false, err
	}
	var id int64
	switch err := st.QueryRowContext(t.ctx, sum[:]).Scan(&id); {
	case err == nil:
		// Not inserted by this transaction, so committed.
		t.s.matters.add(id, string(enc), nil)
		return id, false, nil
	case err != sql.ErrNoRows:
		return 0, false, err
	}
	res, err := t.exec(qInsMatter, sum[:], enc)
	if err != nil {
		return 0, false, err
	}
	if id, err = res.LastInsertId(); err != nil {
		return 0, false, err
	}
	if t.pending.ids == nil {
		t.pending.ids = make(map[string]int64)
	}
	t.pending.ids[string(enc)] = id
	return id, true, nil
}

// has reports whether snapshot id was inserted by the transaction.
func (p *pendingMatters) has(id int64) bool {
	for _, pid := range p.ids {
		if pid == id {
			return true
		}
	}
	return false
}

// unsave removes a snapshot this transaction has just inserted and no case
// refers to.
func (t *tx) unsave(id int64, enc []byte) error {
	delete(t.pending.ids, string(enc))
	delete(t.pending.byID, id)
	_, err := t.exec(qDelMatter, id)
	return err
}

// committed hands the transaction's snapshots to the cache.
func (t *tx) committed() {
	for enc, id := range t.pending.ids {
		t.s.matters.add(id, enc, t.pending.byID[id])
	}
}

// loadMatter reads and decodes snapshot id with query (run on the
// connection that read the case that refers to it).
func loadMatter(ctx context.Context, st *sql.Stmt, id int64) (*store.Matter, error) {
	var enc []byte
	if err := st.QueryRowContext(ctx, id).Scan(&enc); err != nil {
		return nil, fmt.Errorf("matter snapshot %d: %w", id, err)
	}
	return store.DecodeMatter(enc)
}

// caseDecoder decodes case rows (snapshot id, document). A row whose
// snapshot is cached is decoded at once; the others wait, with a copy of
// their document, until the rows are closed, and finish then reads the
// snapshots they need (a query inside a scan would take a second
// connection from the pool).
type caseDecoder struct {
	s     *Store
	t     *tx // the transaction the rows come from, or nil for the read pool
	out   []*casefile.Case
	later []laterCase
	buf   []byte
}

type laterCase struct {
	i        int // in out
	snap     int64
	from, to int // in buf
}

func (d *caseDecoder) matter(id int64) *store.Matter {
	if d.t != nil {
		if m, ok := d.t.pending.byID[id]; ok {
			return m
		}
	}
	return d.s.matters.matter(id)
}

func (d *caseDecoder) row(snap int64, doc []byte) error {
	if m := d.matter(snap); m != nil {
		c, err := store.DecodeCaseWith(doc, m)
		if err != nil {
			return err
		}
		d.out = append(d.out, c)
		return nil
	}
	from := len(d.buf)
	d.buf = append(d.buf, doc...)
	d.later = append(d.later, laterCase{i: len(d.out), snap: snap, from: from, to: len(d.buf)})
	d.out = append(d.out, nil)
	return nil
}

// finish decodes the rows that waited for their snapshot and returns every
// case, in row order.
func (d *caseDecoder) finish(ctx context.Context) ([]*casefile.Case, error) {
	if len(d.later) == 0 {
		return d.out, nil
	}
	var st *sql.Stmt
	var err error
	if d.t != nil {
		st, err = d.t.stmt(qMatterDoc)
	} else {
		st, err = d.s.rq.get(ctx, qMatterDoc)
	}
	if err != nil {
		return nil, err
	}
	for _, l := range d.later {
		m := d.matter(l.snap)
		if m == nil {
			if m, err = loadMatter(ctx, st, l.snap); err != nil {
				return nil, err
			}
			if d.t != nil && d.t.pending.has(l.snap) {
				if d.t.pending.byID == nil {
					d.t.pending.byID = make(map[int64]*store.Matter)
				}
				d.t.pending.byID[l.snap] = m
			} else {
				d.s.matters.add(l.snap, "", m)
			}
		}
		c, err := store.DecodeCaseWith(d.buf[l.from:l.to], m)
		if err != nil {
			return nil, err
		}
		d.out[l.i] = c
	}
	return d.out, nil
}
