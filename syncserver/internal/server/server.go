// Package server is central's Connect API: enrollment, push and pull of
// change records, attachments and the catalog. Handlers hold no state of
// their own beyond caches; everything durable is in store.Store, so several
// server processes may share one database.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/gen/bianmin/central/v1/centralv1connect"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/supervise"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

// Config is what a Server needs.
type Config struct {
	Store  store.Store
	Logger *slog.Logger
	// Now is central's clock; tests replace it.
	Now func() time.Time
	// AfterPushCommit, if set, runs after a push is committed and before it is
	// answered. Fault-injection tests use it to kill the process there.
	AfterPushCommit func()
	// PollInterval is how often a long-polling Pull re-reads the database, so
	// that it also sees changes written by another server process.
	PollInterval time.Duration
	// Rules are the supervision thresholds (default supervise.Defaults()).
	Rules *supervise.Rules
	// PublicURL is the address stations use to reach this server, shown with
	// enrollment codes (default: none).
	PublicURL string
}

// Server implements the Connect services.
type Server struct {
	store  store.Store
	log    *slog.Logger
	now    func() time.Time
	after  func()
	poll   time.Duration
	notify *notifier
	rules  supervise.Rules
	public string

	env     atomic.Pointer[catalogEnv]
	envMu   sync.Mutex
	devices sync.Map // device id -> cachedDevice
}

type catalogEnv struct {
	version  int
	catalog  *catalog.Catalog
	calendar *workcal.Calendar
}

type cachedDevice struct {
	device  store.Device
	station store.Station
	checked time.Time
}

// deviceCacheTTL bounds how long another process's revocation can take to
// be noticed; this process's own revocations are seen at once.
const deviceCacheTTL = 5 * time.Second

// New returns a Server over cfg.Store.
func New(cfg Config) *Server {
	s := &Server{store: cfg.Store, log: cfg.Logger, now: cfg.Now, after: cfg.AfterPushCommit, poll: cfg.PollInterval, notify: newNotifier(),
		rules: supervise.Defaults(), public: cfg.PublicURL}
	if cfg.Rules != nil {
		s.rules = *cfg.Rules
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.poll <= 0 {
		s.poll = time.Second
	}
	return s
}

// Handler returns the HTTP handler serving every service, the gRPC health
// service and server reflection, with request size limits.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	limits := []connect.HandlerOption{
		connect.WithReadMaxBytes(syncapi.MaxRequestBytes),
		syncapi.Compression(),
		connect.WithInterceptors(s.logInterceptor()),
	}
	authed := append(limits[:len(limits):len(limits)], connect.WithInterceptors(s.authInterceptor()))
	mux.Handle(syncv1connect.NewEnrollmentServiceHandler(&enrollService{s}, limits...))
	mux.Handle(s.syncHandler(append(authed, connect.WithCodec(pushCodec{}))...))
	// Attachments are scans and PDFs, compressed already: gzipping 256 KiB
	// chunks would only burn central's CPU.
	mux.Handle(syncv1connect.NewAttachmentServiceHandler(&attachmentService{s}, append(authed, connect.WithCompressMinBytes(math.MaxInt))...))
	mux.Handle(syncv1connect.NewCatalogServiceHandler(&catalogService{s}, authed...))
	people := append(limits[:len(limits):len(limits)], connect.WithInterceptors(s.sessionInterceptor()))
	mux.Handle(centralv1connect.NewAuthServiceHandler(&authService{s}, limits...))
	mux.Handle(centralv1connect.NewReviewServiceHandler(&reviewService{s}, people...))
	mux.Handle(centralv1connect.NewSupervisionServiceHandler(&supervisionService{s}, people...))
	mux.Handle(centralv1connect.NewAdminServiceHandler(&adminService{s}, append(people, connect.WithInterceptors(s.adminOnly()))...))
	services := []string{
		syncv1connect.EnrollmentServiceName, syncv1connect.SyncServiceName,
		syncv1connect.AttachmentServiceName, syncv1connect.CatalogServiceName,
		centralv1connect.AuthServiceName, centralv1connect.ReviewServiceName,
		centralv1connect.SupervisionServiceName, centralv1connect.AdminServiceName,
	}
	mux.Handle(grpchealth.NewHandler(grpchealth.NewStaticChecker(services...)))
	reflector := grpcreflect.NewStaticReflector(services...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	return http.MaxBytesHandler(mux, syncapi.MaxRequestBytes+1<<20)
}

// Env returns the catalog and calendar changes are judged against, reloading
// them when a newer catalog has been published.
func (s *Server) Env(ctx context.Context) (*catalogEnv, error) {
	cur, err := s.store.CurrentCatalog(ctx)
	if err != nil {
		return nil, err
	}
	if e := s.env.Load(); e != nil && e.version == cur.Version {
		return e, nil
	}
	s.envMu.Lock()
	defer s.envMu.Unlock()
	if e := s.env.Load(); e != nil && e.version == cur.Version {
		return e, nil
	}
	cat, err := catalog.Parse(cur.CatalogJSON)
	if err != nil {
		return nil, err
	}
	cal, err := workcal.Parse(cur.CalendarJSON)
	if err != nil {
		return nil, err
	}
	e := &catalogEnv{version: cur.Version, catalog: cat, calendar: cal}
	s.env.Store(e)
	return e, nil
}

// Forget drops a cached device, so that its revocation takes effect at once.
func (s *Server) Forget(deviceID string) { s.devices.Delete(deviceID) }

type ctxKey struct{}

// caller is the authenticated device and its station.
type caller struct {
	device  store.Device
	station store.Station
}

func callerFrom(ctx context.Context) caller {
	c, _ := ctx.Value(ctxKey{}).(caller)
	return c
}

var errNoCredential = bmerr.New(bmerr.Unauthenticated, "no_credential",
	"请求没有携带本机凭证，请先用注册码注册本机。", "the request carries no device credential; enroll this device first.")

func badCredential() error {
	return bmerr.New(bmerr.Unauthenticated, "bad_credential",
		"本机凭证无效，请联系中心管理员重新获取注册码。", "the device credential is not valid; ask central for a new enrollment code.")
}

// authenticate resolves the bearer credential to a device and its station.
func (s *Server) authenticate(ctx context.Context, header string) (caller, error) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return caller{}, errNoCredential
	}
	id, secret, ok := syncapi.ParseCredential(token)
	if !ok {
		return caller{}, badCredential()
	}
	now := s.now()
	if v, ok := s.devices.Load(id); ok {
		cd := v.(cachedDevice)
		if now.Sub(cd.checked) < deviceCacheTTL && subtle.ConstantTimeCompare([]byte(cd.device.SecretHash), []byte(syncapi.HashSecret(secret))) == 1 {
			return caller{cd.device, cd.station}, nil
		}
	}
	d, err := s.store.Device(ctx, id)
	if bmerr.CodeOf(err) == bmerr.NotFound {
		return caller{}, badCredential()
	} else if err != nil {
		return caller{}, err
	}
	if subtle.ConstantTimeCompare([]byte(d.SecretHash), []byte(syncapi.HashSecret(secret))) != 1 {
		return caller{}, badCredential()
	}
	if !d.RevokedAt.IsZero() {
		return caller{}, bmerr.New(bmerr.Unauthenticated, "device_revoked",
			"本机已被中心停用（可能因设备丢失），请联系中心管理员。", "this device has been revoked by central (e.g. reported lost); contact the central administrator.")
	}
	st, err := s.store.Station(ctx, d.Station)
	if err != nil {
		return caller{}, err
	}
	prev, seen := s.devices.Load(id)
	s.devices.Store(id, cachedDevice{device: d, station: st, checked: now})
	if !seen || now.Sub(prev.(cachedDevice).device.LastSeenAt) > time.Minute {
		if err := s.store.TouchDevice(ctx, id, now); err != nil {
			s.log.Warn("touch device", "device", id, "err", err)
		}
	}
	return caller{d, st}, nil
}

// authInterceptor authenticates the device on every call, unary or
// streaming, and puts it in the call's context (callerFrom).
func (s *Server) authInterceptor() connect.Interceptor {
	withCaller := func(ctx context.Context, header http.Header) (context.Context, error) {
		c, err := s.authenticate(ctx, header.Get("Authorization"))
		if err != nil {
			return nil, syncapi.ToConnect(err)
		}
		return context.WithValue(ctx, ctxKey{}, c), nil
	}
	return &wrapper{
		unary: func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				ctx, err := withCaller(ctx, req.Header())
				if err != nil {
					return nil, err
				}
				return next(ctx, req)
			}
		},
		stream: func(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
			return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
				ctx, err := withCaller(ctx, conn.RequestHeader())
				if err != nil {
					return err
				}
				return next(ctx, conn)
			}
		},
	}
}

// logInterceptor logs each call, unary or streaming, with its outcome and
// turns stray domain errors into Connect errors.
func (s *Server) logInterceptor() connect.Interceptor {
	return &wrapper{
		unary: func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				start := time.Now()
				resp, err := next(ctx, req)
				return resp, s.logCall(ctx, req.Spec().Procedure, start, err)
			}
		},
		stream: func(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
			return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
				start := time.Now()
				err := next(ctx, conn)
				return s.logCall(ctx, conn.Spec().Procedure, start, err)
			}
		},
	}
}

func (s *Server) logCall(ctx context.Context, procedure string, start time.Time, err error) error {
	err = syncapi.ToConnect(err)
	attrs := []any{"procedure", procedure, "ms", time.Since(start).Milliseconds()}
	if c := callerFrom(ctx); c.station.Code != "" {
		attrs = append(attrs, "station", c.station.Code)
	}
	if err != nil {
		var ce *connect.Error
		if errors.As(err, &ce) {
			attrs = append(attrs, "code", ce.Code().String(), "err", ce.Message())
		}
		if connect.CodeOf(err) == connect.CodeInternal {
			s.log.Error("call failed", attrs...)
		} else {
			s.log.Info("call refused", attrs...)
		}
	} else {
		s.log.Debug("call", attrs...)
	}
	return err
}

// wrapper is a handler-side interceptor for both kinds of call.
type wrapper struct {
	unary  func(connect.UnaryFunc) connect.UnaryFunc
	stream func(connect.StreamingHandlerFunc) connect.StreamingHandlerFunc
}

func (w *wrapper) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc { return w.unary(next) }
func (w *wrapper) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}
func (w *wrapper) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return w.stream(next)
}

// notifier wakes long-polling pulls when a station's feed grows.
type notifier struct {
	mu      sync.Mutex
	waiters map[string]chan struct{}
}

func newNotifier() *notifier { return &notifier{waiters: map[string]chan struct{}{}} }

// wait returns a channel closed at the next notify of station.
func (n *notifier) wait(station string) <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	ch, ok := n.waiters[station]
	if !ok {
		ch = make(chan struct{})
		n.waiters[station] = ch
	}
	return ch
}

func (n *notifier) notify(stations ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, st := range stations {
		if ch, ok := n.waiters[st]; ok {
			close(ch)
			delete(n.waiters, st)
		}
	}
}
