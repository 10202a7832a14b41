package store

// Attachments (scans of ID cards, forms, certificates) are kept in the
// database, in the blobs table, rather than as files beside it:
//
//   - one file to back up, copy to a new computer and, later, encrypt: a
//     stolen disk or a careless backup never holds scans that the database's
//     protection does not cover;
//   - a scan handed to Record commits in the same transaction as the change
//     that references it, so there is never a change pointing at a scan that
//     was not written, nor (after a crash between the two) a scan file that
//     no row knows about;
//   - scans are at most a few megabytes (the limit is MaxBlobSize), well
//     within what SQLite stores efficiently; the data column is last, so
//     reading a blob's upload state never reads the blob.
//
// Blobs are addressed by the SHA-256 of their content, like central's: the
// same scan stored twice is kept once, and its name is its checksum.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
)

// MaxBlobSize is the largest attachment accepted: a multi-page scan at
// readable resolution is well under it.
const MaxBlobSize = 20 << 20

// UploadState is how far central has received a blob.
type UploadState struct {
	Size     int64
	Acked    int64 // the last offset central acknowledged: the upload resumes here
	Complete bool  // central holds the whole blob and verified it
}

// PendingBlob is a blob that must still be uploaded.
type PendingBlob struct {
	SHA256 string
	UploadState
}

func checkBlobSize(n int) error {
	if n == 0 {
		return bmerr.New(bmerr.Invalid, "blob_empty", "附件是空的。", "the attachment is empty.")
	}
	if n > MaxBlobSize {
		return bmerr.Newf(bmerr.ResourceExhausted, "blob_too_large",
			"附件过大（%d 字节），上限为 %d 字节。", "the attachment is too large (%d bytes); the limit is %d bytes.", n, MaxBlobSize)
	}
	return nil
}

func insertBlob(ctx context.Context, tx querier, sha string, data []byte, name, mime string, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO blobs (sha256, size, name, mime, created_at, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sha, len(data), name, mime, now, data)
	return err
}

// PutBlob stores an attachment and returns the reference a change puts in
// its materials. Storing the same content again stores nothing new.
func (s *Store) PutBlob(ctx context.Context, data []byte, name, mime string) (casefile.Attachment, error) {
	if err := checkBlobSize(len(data)); err != nil {
		return casefile.Attachment{}, err
	}
	sum := sha256.Sum256(data)
	a := casefile.Attachment{SHA256: hex.EncodeToString(sum[:]), Name: name, MIME: mime, Size: int64(len(data))}
	err := s.write(ctx, func(tx querier) error {
		return insertBlob(ctx, tx, a.SHA256, data, name, mime, s.now().UnixMilli())
	})
	if err != nil {
		return casefile.Attachment{}, err
	}
	return a, nil
}

func blobNotFound(sha string) error {
	return notFound("blob_unknown", "本机没有附件 %s。", "attachment %s is not stored on this computer.", sha)
}

// ReadBlob reads up to n bytes of blob sha from offset; fewer at its end,
// none at or beyond it.
func (s *Store) ReadBlob(ctx context.Context, sha string, offset int64, n int) ([]byte, error) {
	if offset < 0 || n < 0 {
		return nil, bmerr.New(bmerr.Invalid, "blob_range", "读取附件的位置无效。", "the range to read is not valid.")
	}
	var data []byte
	err := s.read(ctx, func(tx querier) error {
		// substr on a BLOB counts bytes, from 1.
		return tx.QueryRowContext(ctx, `SELECT substr(data, ? + 1, ?) FROM blobs WHERE sha256 = ?`, offset, n, sha).Scan(&data)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, blobNotFound(sha)
	}
	if data == nil && err == nil {
		data = []byte{}
	}
	return data, err
}

// BlobUpload returns how far the upload of blob sha got.
func (s *Store) BlobUpload(ctx context.Context, sha string) (UploadState, error) {
	var u UploadState
	err := s.read(ctx, func(tx querier) error {
		return tx.QueryRowContext(ctx, `SELECT size, acked, complete FROM blobs WHERE sha256 = ?`, sha).Scan(&u.Size, &u.Acked, &u.Complete)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return UploadState{}, blobNotFound(sha)
	}
	return u, err
}

// SetBlobAcked records the offset central last acknowledged for blob sha,
// so that after a crash the upload resumes there rather than at 0. It may go
// back (central lost or refused the data: restart from 0). complete means
// central holds and verified all of it; acked is then the size.
func (s *Store) SetBlobAcked(ctx context.Context, sha string, acked int64, complete bool) error {
	return s.write(ctx, func(tx querier) error {
		var size int64
		err := tx.QueryRowContext(ctx, `SELECT size FROM blobs WHERE sha256 = ?`, sha).Scan(&size)
		if errors.Is(err, sql.ErrNoRows) {
			return blobNotFound(sha)
		}
		if err != nil {
			return err
		}
		if complete {
			acked = size
		}
		if acked < 0 || acked > size {
			return bmerr.Newf(bmerr.Invalid, "blob_acked", "附件上传位置 %d 超出范围（0–%d）。", "upload offset %d is outside 0–%d.", acked, size)
		}
		_, err = tx.ExecContext(ctx, `UPDATE blobs SET acked = ?, complete = ? WHERE sha256 = ?`, acked, complete, sha)
		return err
	})
}

// PendingBlobs lists the blobs that changes in the outbox reference and
// central does not yet hold completely, oldest first: what must be uploaded
// before those changes can be applied.
func (s *Store) PendingBlobs(ctx context.Context) ([]PendingBlob, error) {
	var out []PendingBlob
	err := s.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT b.sha256, b.size, b.acked FROM blobs b
			WHERE b.complete = 0 AND EXISTS (
				SELECT 1 FROM change_blobs cb JOIN outbox o ON o.seq = cb.seq WHERE cb.sha256 = b.sha256)
			ORDER BY b.created_at, b.sha256`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p PendingBlob
			if err := rows.Scan(&p.SHA256, &p.Size, &p.Acked); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// PruneBlobs deletes blobs stored before cutoff that no change references:
// scans taken for an intake that was abandoned. It returns how many went.
func (s *Store) PruneBlobs(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE created_at < ?
			AND NOT EXISTS (SELECT 1 FROM change_blobs cb WHERE cb.sha256 = blobs.sha256)`, cutoff.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
