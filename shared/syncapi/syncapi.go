// Package syncapi holds what both ends of the sync protocol must agree on
// beyond the protobuf schema: limits, header names, the credential format,
// the digest definition, and how a domain error travels in a Connect error.
package syncapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"sort"
	"strings"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	connectcompress "github.com/klauspost/connect-compress/v2"
)

// Limits shared by server and client.
const (
	MaxPushBatch      = 1000      // changes per Push, and per batch of PushStream
	MaxStreamBatches  = 32        // batches per PushStream
	StreamBatches     = 16        // batches per PushStream a station sends
	MaxPullLimit      = 5000      // entries per Pull
	DefaultPullLimit  = 500       // entries per Pull when the client does not say
	MaxPullWaitMillis = 30_000    // longest long-poll
	ChunkSize         = 256 << 10 // attachment chunk the client sends
	MaxChunkSize      = 1 << 20   // largest chunk the server takes
	MaxAttachmentSize = 10 << 20  // largest attachment (a scan or PDF)
	MaxRequestBytes   = 16 << 20  // largest request body the server reads
	ClockSkewSeconds  = 5 * 60    // station clock differences beyond this are flagged
)

// Metadata keys that carry a domain error's reason and Chinese message.
const (
	HeaderReason    = "Bianmin-Reason"
	HeaderMessageZh = "Bianmin-Message-Zh"
	// HeaderBlobReset marks a DATA_LOSS after which central holds none of the
	// attachment: the upload restarts from offset 0.
	HeaderBlobReset = "Bianmin-Blob-Reset"
)

// connectCodes is the one table from domain error codes to Connect codes.
var connectCodes = map[bmerr.Code]connect.Code{
	bmerr.Invalid:            connect.CodeInvalidArgument,
	bmerr.NotFound:           connect.CodeNotFound,
	bmerr.Conflict:           connect.CodeAlreadyExists,
	bmerr.FailedPrecondition: connect.CodeFailedPrecondition,
	bmerr.PermissionDenied:   connect.CodePermissionDenied,
	bmerr.Unauthenticated:    connect.CodeUnauthenticated,
	bmerr.ResourceExhausted:  connect.CodeResourceExhausted,
	bmerr.Unavailable:        connect.CodeUnavailable,
	bmerr.Internal:           connect.CodeInternal,
}

// ConnectCode maps a domain code to its Connect code.
func ConnectCode(c bmerr.Code) connect.Code {
	if code, ok := connectCodes[c]; ok {
		return code
	}
	return connect.CodeInternal
}

// ToConnect turns an error into a Connect error for the wire: a *bmerr.Error
// keeps its code, reason and both messages; a Connect error passes through;
// anything else becomes Internal without its text (it may hold internals).
func ToConnect(err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	e := bmerr.As(err)
	if e == nil {
		// A caller that went away (a station killed mid-call, a closed
		// long poll) is not a server fault.
		switch {
		case errors.Is(err, context.Canceled):
			return connect.NewError(connect.CodeCanceled, err)
		case errors.Is(err, context.DeadlineExceeded):
			return connect.NewError(connect.CodeDeadlineExceeded, err)
		}
		return connect.NewError(connect.CodeInternal, errors.New("internal error"))
	}
	out := connect.NewError(ConnectCode(e.Code), errors.New(e.Error()))
	out.Meta().Set(HeaderReason, e.Reason)
	out.Meta().Set(HeaderMessageZh, url.QueryEscape(e.Zh))
	return out
}

// FromConnect turns an error from a Connect call back into a *bmerr.Error
// with the server's reason and bilingual message where it sent them. Errors
// that never reached the server (network, timeouts) come back as Unavailable.
func FromConnect(err error) *bmerr.Error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return bmerr.Newf(bmerr.Unavailable, "network", "无法连接中心服务器：%v", "cannot reach the central server: %v", err)
	}
	code := bmerr.Internal
	for dc, cc := range connectCodes {
		if cc == ce.Code() && dc != bmerr.Internal {
			code = dc
		}
	}
	switch ce.Code() {
	case connect.CodeUnavailable, connect.CodeDeadlineExceeded, connect.CodeCanceled, connect.CodeAborted, connect.CodeUnknown:
		code = bmerr.Unavailable
	case connect.CodeDataLoss:
		code = bmerr.Invalid
	}
	en := ce.Message()
	zh, _ := url.QueryUnescape(ce.Meta().Get(HeaderMessageZh))
	if zh == "" {
		zh = "中心服务器返回错误：" + en
	}
	return &bmerr.Error{Code: code, Reason: ce.Meta().Get(HeaderReason), Zh: zh, En: en}
}

// Credential formats the bearer token a device sends: "<device_id>.<secret>".
func Credential(deviceID, secret string) string { return deviceID + "." + secret }

// ParseCredential splits a bearer token.
func ParseCredential(token string) (deviceID, secret string, ok bool) {
	i := strings.IndexByte(token, '.')
	if i <= 0 || i == len(token)-1 {
		return "", "", false
	}
	return token[:i], token[i+1:], true
}

// HashSecret is how central stores a device secret or an enrollment code:
// the secret is 32 random bytes, so a fast hash is as strong as a slow one.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// VersionLine is one (case id, version) pair of a digest.
type VersionLine struct {
	ID      string // 36-character lower-case UUID
	Version int64
}

// Digest is the agreed digest of a station's cases: hex SHA-256 over the
// lines "id:version\n" sorted by id.
func Digest(lines []VersionLine) string {
	sort.Slice(lines, func(i, j int) bool { return lines[i].ID < lines[j].ID })
	h := sha256.New()
	var buf []byte
	for _, l := range lines {
		buf = buf[:0]
		buf = append(buf, l.ID...)
		buf = append(buf, ':')
		buf = appendInt(buf, l.Version)
		buf = append(buf, '\n')
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func appendInt(b []byte, v int64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for v > 0 {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[i:]...)
}

// SyncClientOptions are the options of a station's SyncService client:
// pushes are protobuf full of repeated field names and Chinese text, and a
// station's uplink is often a slow mobile line, so requests over 4 KiB go
// gzip-compressed, at gzip's fastest level (an office desktop compresses a
// push of 1,000 changes in about 2 ms and sends about a tenth of the bytes).
// Gzip is klauspost/compress's (Compression), the same format as the
// standard library's at about two and a half times the speed. Central
// bounds what it decompresses by MaxRequestBytes. Attachment uploads are
// scans and PDFs, compressed already, and do not use these options. The
// load generator uses them too, to load central as stations do.
func SyncClientOptions() []connect.ClientOption {
	return []connect.ClientOption{
		Compression(),
		connect.WithSendCompression(connectcompress.Gzip),
		connect.WithCompressMinBytes(4 << 10),
	}
}

// Compression replaces connect's gzip (the standard library's) with
// klauspost/compress's at its fastest level, on a client (for requests it
// sends and responses it reads) or a handler (requests it reads, responses
// it sends): the format is the same, so either side may use the other.
func Compression() connect.Option {
	return connectcompress.WithNew(connectcompress.Gzip, connectcompress.LevelFastest)
}

// Bearer is a client interceptor that sends token as the Authorization
// bearer credential on every call, unary or streaming (a unary-only one
// would send a stream, PushStream, without it).
func Bearer(token string) connect.Interceptor { return bearer("Bearer " + token) }

type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", string(b))
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", string(b))
		return conn
	}
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// SendRound sends a round of a station's batches, oldest first: one batch
// by Push, more in one PushStream call. The answer holds every change's
// result in order.
func SendRound(ctx context.Context, c syncv1connect.SyncServiceClient, batches []*syncv1.PushRequest) (*syncv1.PushResponse, error) {
	if len(batches) == 1 {
		resp, err := c.Push(ctx, connect.NewRequest(batches[0]))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
	return PushStream(ctx, c, batches)
}

// PushStream sends batches in one PushStream call.
func PushStream(ctx context.Context, c syncv1connect.SyncServiceClient, batches []*syncv1.PushRequest) (*syncv1.PushResponse, error) {
	stream := c.PushStream(ctx)
	for _, b := range batches {
		if err := stream.Send(&syncv1.PushStreamRequest{Batch: b}); err != nil {
			break // CloseAndReceive says why
		}
	}
	resp, err := stream.CloseAndReceive()
	if err != nil {
		return nil, err
	}
	if resp.Msg.GetResult() == nil {
		return nil, errors.New("central answered a push stream without results")
	}
	return resp.Msg.GetResult(), nil
}
