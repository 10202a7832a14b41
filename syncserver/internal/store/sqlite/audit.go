package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

const (
	qLastAudit = `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`
	qInsAudit  = `INSERT INTO audit_log (seq, at, actor, kind, subject, prev, hash, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

// Audit appends e to the trail: its Seq is the last entry's plus one, and
// it is sealed onto the last entry's hash (e's own Seq, Prev and Hash are
// ignored; a zero At is the transaction's clock). The last entry is read
// in this transaction, which holds the write lock, so appenders in every
// process sharing the file build one chain, and an Update that fails takes
// its entries with it.
func (t *tx) Audit(e audit.Entry) error {
	if err := t.parent.Err(); err != nil {
		return err
	}
	if e.Kind == "" {
		return invalid("audit_kind", "审计记录缺少类别。", "The audit entry has no kind.")
	}
	st, err := t.stmt(qLastAudit)
	if err != nil {
		return err
	}
	var last int64
	prev := audit.Genesis
	switch err := st.QueryRowContext(t.ctx).Scan(&last, &prev); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("sqlite: audit: %w", err)
	}
	e.Seq = last + 1
	if e.At.IsZero() {
		e.At = time.Unix(0, t.now)
	}
	e.At = e.At.UTC()
	audit.Seal(&e, prev)
	if _, err := t.exec(qInsAudit, e.Seq, e.At.UnixNano(), e.Actor, e.Kind, e.Subject, e.Prev, e.Hash, e.Detail); err != nil {
		return fmt.Errorf("sqlite: audit: %w", err)
	}
	return nil
}

// AppendAudit appends one entry in its own transaction (see tx.Audit).
func (s *Store) AppendAudit(ctx context.Context, e audit.Entry) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.Audit(e) })
}

// AuditEntries returns up to limit entries with Seq > after, in Seq order.
func (s *Store) AuditEntries(ctx context.Context, after int64, limit int) ([]audit.Entry, error) {
	if limit <= 0 {
		return nil, invalid("page_limit", "每页条数必须大于零。", "The page size must be positive.")
	}
	st, err := s.rq.get(ctx, `SELECT seq, at, actor, kind, subject, prev, hash, detail FROM audit_log
		WHERE seq > ? ORDER BY seq LIMIT ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit entries: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Kind, &e.Subject, &e.Prev, &e.Hash, &e.Detail); err != nil {
			return nil, fmt.Errorf("sqlite: audit entries: %w", err)
		}
		e.At = timeAt(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit entries: %w", err)
	}
	return out, nil
}

// auditedPage is how many changes AuditedChanges reads at a time.
const auditedPage = 1000

// AuditedChanges calls fn with every applied change's id and the SHA-256 of
// its stored body (audit.BodyHash), in log order. It reads a page of
// changes at a time and calls fn once the page's read has ended, so no read
// transaction stays open while fn runs. An error from fn ends the walk and
// is returned as is.
func (s *Store) AuditedChanges(ctx context.Context, fn func(changeID uuid.UUID, bodySHA256 string) error) error {
	type line struct {
		id  uuid.UUID
		sum string
	}
	page := make([]line, 0, auditedPage)
	after := int64(0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page = page[:0]
		err := func() error {
			st, err := s.rq.get(ctx, `SELECT seq, id, body FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`)
			if err != nil {
				return err
			}
			rows, err := st.QueryContext(ctx, after, auditedPage)
			if err != nil {
				return err
			}
			defer rows.Close()
			var id, body sql.RawBytes
			for rows.Next() {
				if err := rows.Scan(&after, &id, &body); err != nil {
					return err
				}
				changeID, err := uuid.ParseBytes(id)
				if err != nil {
					return err
				}
				page = append(page, line{changeID, audit.BodyHash(body)})
			}
			return rows.Err()
		}()
		if err != nil {
			return fmt.Errorf("sqlite: audited changes: %w", err)
		}
		for _, l := range page {
			if err := fn(l.id, l.sum); err != nil {
				return err
			}
		}
		if len(page) < auditedPage {
			return nil
		}
	}
}
