package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/google/uuid"
)

// Document is a PDF printed for a case and kept with it for reprinting.
type Document struct {
	ID        int64
	CaseID    uuid.UUID
	Kind      string // notice kind, e.g. 受理通知书
	Filename  string
	ChangeID  uuid.UUID // the change it was printed for; uuid.Nil for a reprint of the current state
	CreatedBy string
	CreatedAt time.Time
	Size      int64
	SHA256    string
}

// MaxDocumentSize bounds a stored PDF; a notice is a few hundred kilobytes.
const MaxDocumentSize = 20 << 20

// SaveDocument stores a printed PDF with its case and returns it with its id.
func (s *Store) SaveDocument(ctx context.Context, d Document, data []byte) (Document, error) {
	if len(data) == 0 || len(data) > MaxDocumentSize {
		return Document{}, bmerr.Newf(bmerr.Invalid, "document_size", "文书大小（%d 字节）无效。", "the document size (%d bytes) is not valid.", len(data))
	}
	if d.CaseID == uuid.Nil {
		return Document{}, bmerr.New(bmerr.Invalid, "document_case", "文书没有对应的案件。", "the document names no case.")
	}
	sum := sha256.Sum256(data)
	d.SHA256, d.Size = hex.EncodeToString(sum[:]), int64(len(data))
	if d.CreatedAt.IsZero() {
		d.CreatedAt = s.now()
	}
	changeID := ""
	if d.ChangeID != uuid.Nil {
		changeID = d.ChangeID.String()
	}
	err := s.write(ctx, func(tx querier) error {
		return tx.QueryRowContext(ctx, `INSERT INTO documents (case_id, kind, filename, change_id, created_by, created_at, size, sha256, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, d.CaseID.String(), d.Kind, d.Filename, changeID, d.CreatedBy,
			millis(d.CreatedAt), d.Size, d.SHA256, data).Scan(&d.ID)
	})
	if err != nil {
		return Document{}, err
	}
	return d, nil
}

// Documents lists the documents of a case, oldest first, without their data.
func (s *Store) Documents(ctx context.Context, caseID uuid.UUID) ([]Document, error) {
	var out []Document
	err := s.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, case_id, kind, filename, change_id, created_by, created_at, size, sha256
			FROM documents WHERE case_id = ? ORDER BY id`, caseID.String())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d Document
			var cid, chid string
			var at int64
			if err := rows.Scan(&d.ID, &cid, &d.Kind, &d.Filename, &chid, &d.CreatedBy, &at, &d.Size, &d.SHA256); err != nil {
				return err
			}
			d.CaseID, d.CreatedAt = uuid.MustParse(cid), fromMillis(at)
			d.ChangeID, _ = uuid.Parse(chid)
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// DocumentData returns the PDF of document id.
func (s *Store) DocumentData(ctx context.Context, id int64) ([]byte, error) {
	var data []byte
	err := s.read(ctx, func(tx querier) error {
		return tx.QueryRowContext(ctx, `SELECT data FROM documents WHERE id = ?`, id).Scan(&data)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("document_unknown", "本机没有文书 %d。", "document %d is not on this computer.", id)
	}
	return data, err
}
