package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// Audit appends e to the trail: its Seq is the last entry's plus one, and
// it is sealed onto the last entry's hash (e's own Seq, Prev and Hash are
// ignored; a zero At is the transaction's clock). The last entry is read in
// this transaction, which holds the writer lock, so appenders in every
// process sharing the database build one chain, and an Update that fails
// takes its entries with it.
func (t *tx) Audit(e audit.Entry) error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if e.Kind == "" {
		return invalid("audit_kind", "审计记录缺少类别。", "The audit entry has no kind.")
	}
	if err := t.flush(); err != nil {
		return err
	}
	var last int64
	prev := audit.Genesis
	err := t.tx.QueryRow(t.ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errNoRows(err) {
		return fmt.Errorf("postgres: audit: %w", err)
	}
	e.Seq = last + 1
	if e.At.IsZero() {
		e.At = time.Unix(0, t.now)
	}
	e.At = e.At.UTC()
	audit.Seal(&e, prev)
	if _, err := t.tx.Exec(t.ctx, `INSERT INTO audit_log (seq, at, actor, kind, subject, prev, hash, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.Seq, e.At.UnixNano(), e.Actor, e.Kind, e.Subject, e.Prev, e.Hash, e.Detail); err != nil {
		return fmt.Errorf("postgres: audit: %w", err)
	}
	return nil
}

// AppendAudit appends one entry in its own transaction (see tx.Audit).
func (s *Store) AppendAudit(ctx context.Context, e audit.Entry) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.Audit(e) })
}

// AuditEntries returns up to limit entries with Seq > after, in Seq order.
func (s *Store) AuditEntries(ctx context.Context, after int64, limit int) ([]audit.Entry, error) {
	if err := pageLimit(limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, at, actor, kind, subject, prev, hash, detail FROM audit_log
		WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit entries: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Kind, &e.Subject, &e.Prev, &e.Hash, &e.Detail); err != nil {
			return nil, fmt.Errorf("postgres: audit entries: %w", err)
		}
		e.At = timeAt(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: audit entries: %w", err)
	}
	return out, nil
}

// auditedPage is how many changes AuditedChanges reads at a time.
const auditedPage = 1000

// AuditedChanges calls fn with every applied change's id and the SHA-256 of
// its stored body (audit.BodyHash), in log order. It reads a page of
// changes at a time and calls fn once the page's read has ended, so no
// query stays open while fn runs. An error from fn ends the walk and is
// returned as is.
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
			rows, err := s.pool.Query(ctx, `SELECT seq, id, body FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`,
				after, auditedPage)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id uuid.UUID
				var body []byte
				if err := rows.Scan(&after, &id, &body); err != nil {
					return err
				}
				page = append(page, line{id, audit.BodyHash(body)})
			}
			return rows.Err()
		}()
		if err != nil {
			return fmt.Errorf("postgres: audited changes: %w", err)
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
