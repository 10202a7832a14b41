package syncclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/syncapi"
)

// uploadFor uploads every attachment the outbox items refer to that central
// does not hold yet.
func (c *Client) uploadFor(ctx context.Context, items []store.OutboxItem) error {
	seen := map[string]bool{}
	var todo []string
	var bytes int64
	for _, it := range items {
		for _, sha := range it.Attachments {
			if seen[sha] {
				continue
			}
			seen[sha] = true
			st, err := c.st.BlobUpload(ctx, sha)
			if err != nil {
				return err
			}
			if !st.Complete {
				todo = append(todo, sha)
				bytes += st.Size - st.Acked
			}
		}
	}
	if len(todo) == 0 {
		return nil
	}
	c.update(func(s *Status) { s.Phase = "upload"; s.BytesTotal += bytes })
	for _, sha := range todo {
		if err := c.Upload(ctx, sha); err != nil {
			return err
		}
	}
	return nil
}

// Upload sends one attachment in chunks, resuming from the offset central
// last acknowledged: a cut connection never makes it send an acknowledged
// chunk again. Each chunk carries its own SHA-256, and central checks the
// whole blob against its name when the last byte arrives; a chunk damaged in
// transit is sent again, and a blob that fails the final check restarts.
func (c *Client) Upload(ctx context.Context, sha string) error {
	local, err := c.st.BlobUpload(ctx, sha)
	if err != nil {
		return err
	}
	if local.Complete {
		return nil
	}
	stat, err := c.attach.StatAttachment(ctx, connect.NewRequest(&syncv1.StatAttachmentRequest{Sha256: sha}))
	if err != nil {
		return err
	}
	if stat.Msg.Complete {
		return c.st.SetBlobAcked(ctx, sha, local.Size, true)
	}
	off := stat.Msg.Received // central's word on where to resume
	restarts, damaged := 0, 0
	for off < local.Size {
		data, err := c.st.ReadBlob(ctx, sha, off, syncapi.ChunkSize)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		resp, err := c.attach.UploadChunk(ctx, connect.NewRequest(&syncv1.UploadChunkRequest{
			Sha256: sha, Size: local.Size, Offset: off, Data: data, ChunkSha256: hex.EncodeToString(sum[:]),
		}))
		if connect.CodeOf(err) == connect.CodeDataLoss {
			if syncapi.FromConnect(err).Reason == "checksum_mismatch" && damaged < 3 && !isBlobFailure(err) {
				damaged++
				continue // the chunk was damaged on the way: send it again
			}
			if restarts < 1 {
				restarts++
				off = 0 // central discarded the blob: start over
				continue
			}
			return bmerr.Newf(bmerr.Internal, "attachment_corrupt",
				"附件 %s 多次校验失败，本机文件可能已损坏，请重新扫描。", "attachment %s failed verification repeatedly; the local copy may be damaged, scan it again.", sha[:12])
		}
		if err != nil {
			return err
		}
		sent := resp.Msg.Received - off
		off = resp.Msg.Received
		if err := c.st.SetBlobAcked(ctx, sha, off, resp.Msg.Complete); err != nil {
			return err
		}
		c.update(func(s *Status) { s.BytesDone += max(sent, 0) })
		if resp.Msg.Complete {
			return nil
		}
	}
	return nil
}

// isBlobFailure tells the final whole-blob check failing from one damaged chunk.
func isBlobFailure(err error) bool {
	var ce *connect.Error
	return errors.As(err, &ce) && ce.Meta().Get(syncapi.HeaderBlobReset) == "1"
}
