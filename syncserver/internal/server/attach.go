package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

type attachmentService struct{ *Server }

func checkSHA(s string) error {
	if len(s) != 64 || strings.Trim(s, "0123456789abcdef") != "" {
		return bmerr.Newf(bmerr.Invalid, "sha256", "附件校验值 %q 无效（应为 64 位小写十六进制）。", "attachment hash %q is not 64 lower-case hex digits.", s)
	}
	return nil
}

func (s *attachmentService) StatAttachment(ctx context.Context, req *connect.Request[syncv1.StatAttachmentRequest]) (*connect.Response[syncv1.StatAttachmentResponse], error) {
	if err := checkSHA(req.Msg.Sha256); err != nil {
		return nil, err
	}
	b, err := s.store.BlobStat(ctx, req.Msg.Sha256)
	if bmerr.CodeOf(err) == bmerr.NotFound {
		return connect.NewResponse(&syncv1.StatAttachmentResponse{}), nil
	} else if err != nil {
		return nil, err
	}
	return connect.NewResponse(&syncv1.StatAttachmentResponse{Received: b.Received, Size: b.Size, Complete: b.Complete}), nil
}

// dataLoss is a transfer damaged on the way: Connect's DATA_LOSS, which the
// domain codes have no name for.
// reset says central discarded the whole blob, so the upload restarts at 0.
func dataLoss(zh, en string, reset bool) error {
	e := connect.NewError(connect.CodeDataLoss, bmerr.New(bmerr.Invalid, "data_loss", zh, en))
	e.Meta().Set(syncapi.HeaderReason, "checksum_mismatch")
	if reset {
		e.Meta().Set(syncapi.HeaderBlobReset, "1")
	}
	return e
}

func (s *attachmentService) UploadChunk(ctx context.Context, req *connect.Request[syncv1.UploadChunkRequest]) (*connect.Response[syncv1.UploadChunkResponse], error) {
	m := req.Msg
	if err := checkSHA(m.Sha256); err != nil {
		return nil, err
	}
	if m.Size <= 0 || m.Size > syncapi.MaxAttachmentSize {
		return nil, bmerr.Newf(bmerr.ResourceExhausted, "attachment_size", "附件大小必须在 1 字节到 %d MB 之间。", "an attachment must be between 1 byte and %d MB.", syncapi.MaxAttachmentSize>>20)
	}
	if len(m.Data) == 0 || len(m.Data) > syncapi.MaxChunkSize {
		return nil, bmerr.Newf(bmerr.ResourceExhausted, "chunk_size", "附件分块必须在 1 字节到 %d KB 之间。", "a chunk must be between 1 byte and %d KB.", syncapi.MaxChunkSize>>10)
	}
	if m.Offset < 0 || m.Offset+int64(len(m.Data)) > m.Size {
		return nil, bmerr.New(bmerr.Invalid, "chunk_range", "附件分块超出文件范围。", "the chunk lies outside the attachment.")
	}
	sum := sha256.Sum256(m.Data)
	if hex.EncodeToString(sum[:]) != m.ChunkSha256 {
		return nil, dataLoss("附件分块在传输中损坏，已拒收，将重新发送。", "the chunk was damaged in transit and was refused; it will be sent again.", false)
	}
	var verifyErr error
	b, err := s.store.PutChunk(ctx, m.Sha256, m.Size, m.Offset, m.Data, func(r store.Reader) error {
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			return err
		}
		if hex.EncodeToString(h.Sum(nil)) != m.Sha256 {
			verifyErr = dataLoss("附件完整性校验失败，已丢弃，将从头重新上传。", "the assembled attachment does not match its SHA-256; it was discarded and will be uploaded again.", true)
			return bmerr.New(bmerr.Invalid, "blob_checksum", "附件完整性校验失败。", "attachment checksum mismatch.")
		}
		return nil
	})
	if verifyErr != nil {
		return nil, verifyErr
	}
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&syncv1.UploadChunkResponse{Received: b.Received, Complete: b.Complete}), nil
}

func (s *attachmentService) DownloadChunk(ctx context.Context, req *connect.Request[syncv1.DownloadChunkRequest]) (*connect.Response[syncv1.DownloadChunkResponse], error) {
	who := callerFrom(ctx)
	m := req.Msg
	if err := checkSHA(m.Sha256); err != nil {
		return nil, err
	}
	if m.Offset < 0 || m.Limit < 0 {
		return nil, bmerr.New(bmerr.Invalid, "chunk_range", "读取范围无效。", "the range is not valid.")
	}
	ok, err := s.store.BlobVisible(ctx, who.station.Code, m.Sha256)
	if err != nil {
		return nil, err
	}
	notFound := bmerr.New(bmerr.NotFound, "attachment_unknown", "没有找到该附件，或本站无权查看。", "no such attachment, or this station may not see it.")
	if !ok {
		return nil, notFound
	}
	b, err := s.store.BlobStat(ctx, m.Sha256)
	if err != nil || !b.Complete {
		return nil, notFound
	}
	limit := int(m.Limit)
	if limit == 0 || limit > syncapi.MaxChunkSize {
		limit = syncapi.ChunkSize
	}
	data, err := s.store.ReadBlob(ctx, m.Sha256, m.Offset, limit)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&syncv1.DownloadChunkResponse{Data: data, Size: b.Size, Eof: m.Offset+int64(len(data)) >= b.Size}), nil
}

type catalogService struct{ *Server }

func (s *catalogService) GetCatalog(ctx context.Context, req *connect.Request[syncv1.GetCatalogRequest]) (*connect.Response[syncv1.GetCatalogResponse], error) {
	cur, err := s.store.CurrentCatalog(ctx)
	if err != nil {
		return nil, err
	}
	if int(req.Msg.KnownVersion) == cur.Version {
		return connect.NewResponse(&syncv1.GetCatalogResponse{Version: int32(cur.Version)}), nil
	}
	env, err := s.Env(ctx)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&syncv1.GetCatalogResponse{Version: int32(cur.Version), Changed: true,
		CatalogJson: cur.CatalogJSON, CalendarJson: cur.CalendarJSON, CalendarDigest: env.calendar.Digest()}), nil
}
