package postgres

import (
	"context"
	"fmt"
	"io"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/jackc/pgx/v5"
)

func validSHA(sha string) error {
	ok := len(sha) == 64
	for i := 0; ok && i < len(sha); i++ {
		c := sha[i]
		ok = '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
	}
	if !ok {
		return invalid("blob_sha256", "附件标识“%s”不是小写十六进制的 SHA-256。",
			"The attachment id %q is not a lower-case hex SHA-256.", sha)
	}
	return nil
}

func blobNotFound(sha string) error {
	return bmerr.Newf(bmerr.NotFound, "blob_unknown", "中心没有附件 %s。", "Central holds no attachment %s.", sha)
}

const qBlob = `SELECT size, received, complete FROM blobs WHERE sha256 = $1`

func blob(ctx context.Context, q querier, query, sha string) (store.Blob, error) {
	b := store.Blob{SHA256: sha}
	err := q.QueryRow(ctx, query, sha).Scan(&b.Size, &b.Received, &b.Complete)
	if errNoRows(err) {
		return store.Blob{}, blobNotFound(sha)
	}
	if err != nil {
		return store.Blob{}, fmt.Errorf("postgres: blob: %w", err)
	}
	return b, nil
}

// BlobStat returns how much of a blob central holds, or NotFound if it has
// never been offered a byte of it.
func (s *Store) BlobStat(ctx context.Context, sha string) (store.Blob, error) {
	if err := validSHA(sha); err != nil {
		return store.Blob{}, err
	}
	return blob(ctx, s.pool, qBlob, sha)
}

// PutChunk stores data at offset of blob sha. The chunk and the new count of
// bytes received are written in one transaction, which locks the blob's row
// first, so uploads of the same blob from several stations (or servers)
// take turns. When the last byte arrives verify reads the whole blob,
// streamed chunk by chunk from the database, inside the same transaction:
// no other upload can see the blob half-verified. If verify fails, the bytes
// are deleted and Received goes back to 0; that is committed, and verify's
// error is returned with the reset Blob.
func (s *Store) PutChunk(ctx context.Context, sha string, size, offset int64, data []byte, verify func(store.Reader) error) (store.Blob, error) {
	if err := validSHA(sha); err != nil {
		return store.Blob{}, err
	}
	if size < 0 || offset < 0 || offset+int64(len(data)) > size {
		return store.Blob{}, invalid("chunk_range", "附件分块超出了声明的大小（偏移 %d，长度 %d，总大小 %d）。",
			"The chunk lies outside the declared size (offset %d, length %d, size %d).", offset, len(data), size)
	}
	var b store.Blob
	var verr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		var err error
		b, err = blob(ctx, tx, qBlob+` FOR UPDATE`, sha)
		if bmerr.CodeOf(err) == bmerr.NotFound {
			// A concurrent first chunk may insert the row too: whichever
			// commits first wins, and the other goes on with its row.
			if _, err := tx.Exec(ctx, `INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3)
				ON CONFLICT (sha256) DO NOTHING`, sha, size, s.now().UnixNano()); err != nil {
				return fmt.Errorf("postgres: put chunk: %w", err)
			}
			b, err = blob(ctx, tx, qBlob+` FOR UPDATE`, sha)
		}
		switch {
		case err != nil:
			return err
		case b.Size != size && b.Received == 0 && !b.Complete:
			// Nothing held yet: the newest declaration wins.
			b.Size = size
			if _, err := tx.Exec(ctx, `UPDATE blobs SET size = $1 WHERE sha256 = $2`, size, sha); err != nil {
				return fmt.Errorf("postgres: put chunk: %w", err)
			}
		case b.Size != size:
			return invalid("blob_size", "附件 %s 的大小应为 %d 字节，而不是 %d。",
				"Attachment %s is %d bytes long, not %d.", sha, b.Size, size)
		}
		if b.Complete || offset < b.Received {
			return nil // held already: acknowledged
		}
		if offset > b.Received {
			return invalid("chunk_gap", "附件分块不连续：中心已收到 %d 字节，分块从 %d 开始。",
				"The chunk leaves a gap: central holds %d bytes and the chunk starts at %d.", b.Received, offset)
		}
		if len(data) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO blob_chunks (sha256, pos, data) VALUES ($1, $2, $3)`,
				sha, offset, data); err != nil {
				return fmt.Errorf("postgres: put chunk: %w", err)
			}
			b.Received += int64(len(data))
		}
		if b.Received == b.Size && verify != nil {
			if verr, err = verifyBlob(ctx, tx, sha, verify); err != nil {
				return err
			}
			if verr != nil {
				if _, err := tx.Exec(ctx, `DELETE FROM blob_chunks WHERE sha256 = $1`, sha); err != nil {
					return fmt.Errorf("postgres: put chunk: %w", err)
				}
				b.Received = 0
			}
		}
		b.Complete = b.Received == b.Size && verr == nil
		if _, err := tx.Exec(ctx, `UPDATE blobs SET received = $1, complete = $2 WHERE sha256 = $3`,
			b.Received, b.Complete, sha); err != nil {
			return fmt.Errorf("postgres: put chunk: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.Blob{}, err
	}
	return b, verr
}

// verifyBlob calls verify with a reader over the blob's chunks in order,
// only the chunk being read in memory, and returns verify's error. err is a
// failure to read the chunks: it leaves the transaction aborted.
func verifyBlob(ctx context.Context, tx pgx.Tx, sha string, verify func(store.Reader) error) (verr, err error) {
	rows, err := tx.Query(ctx, `SELECT data FROM blob_chunks WHERE sha256 = $1 ORDER BY pos`, sha)
	if err != nil {
		return nil, fmt.Errorf("postgres: read blob: %w", err)
	}
	r := &chunkReader{rows: rows}
	verr = verify(r)
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read blob: %w", err)
	}
	return verr, nil
}

type chunkReader struct {
	rows pgx.Rows
	cur  []byte
	rest []byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.rest) == 0 {
		if !r.rows.Next() {
			if err := r.rows.Err(); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
		if err := r.rows.Scan(&r.cur); err != nil {
			return 0, err
		}
		r.rest = r.cur
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

// ReadBlob reads up to limit bytes of a complete blob from offset, from the
// chunks that cover that range only.
func (s *Store) ReadBlob(ctx context.Context, sha string, offset int64, limit int) ([]byte, error) {
	if err := validSHA(sha); err != nil {
		return nil, err
	}
	b, err := blob(ctx, s.pool, qBlob, sha)
	if err != nil {
		return nil, err
	}
	if !b.Complete {
		return nil, bmerr.Newf(bmerr.FailedPrecondition, "blob_incomplete", "附件 %s 尚未完整上传。",
			"Attachment %s has not been uploaded completely.", sha)
	}
	if offset < 0 || offset > b.Size || limit < 0 {
		return nil, invalid("blob_range", "读取范围无效（偏移 %d，附件大小 %d）。",
			"The range to read is not valid (offset %d, size %d).", offset, b.Size)
	}
	n := min(int64(limit), b.Size-offset)
	out := make([]byte, n)
	if n == 0 {
		return out, nil
	}
	end := offset + n
	// A complete blob never changes again, so the chunks need no snapshot
	// shared with the look-up above.
	rows, err := s.pool.Query(ctx, `SELECT pos, data FROM blob_chunks
		WHERE sha256 = $1 AND pos < $3
		AND pos >= (SELECT max(pos) FROM blob_chunks WHERE sha256 = $1 AND pos <= $2)
		ORDER BY pos`, sha, offset, end)
	if err != nil {
		return nil, fmt.Errorf("postgres: read blob: %w", err)
	}
	defer rows.Close()
	got := int64(0)
	for rows.Next() {
		var pos int64
		var data []byte
		if err := rows.Scan(&pos, &data); err != nil {
			return nil, fmt.Errorf("postgres: read blob: %w", err)
		}
		// Copy the part of [pos, pos+len) that falls in [offset, end).
		from := max(offset, pos)
		to := min(end, pos+int64(len(data)))
		if from < to {
			got += int64(copy(out[from-offset:to-offset], data[from-pos:to-pos]))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read blob: %w", err)
	}
	if got != n {
		return nil, fmt.Errorf("postgres: read blob %s: %d of %d bytes found", sha, got, n)
	}
	return out, nil
}

// BlobVisible reports whether a case the station is party to refers to sha.
func (s *Store) BlobVisible(ctx context.Context, station, sha string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM case_blobs b JOIN cases c ON c.id = b.case_id
		WHERE b.sha256 = $1 AND (c.origin_station = $2 OR c.handling_station = $2))`, sha, station).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("postgres: blob visible: %w", err)
	}
	return ok, nil
}
