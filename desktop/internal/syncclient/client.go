// Package syncclient is the station's side of sync, a headless library the
// desktop app drives: it pushes the outbox in batches, uploads attachments in
// resumable verified chunks, long-polls central for decisions and warnings,
// keeps the catalog current, reconciles a digest of every case with central
// (and resyncs in full on a mismatch), and reports what it is doing for the
// status bar. It never loses work: everything it sends comes from the local
// store and is only marked done when central has answered.
package syncclient

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
)

// Status is what the status bar shows.
type Status struct {
	Online     bool         // the last call reached central
	Syncing    bool         // a sync cycle is running
	Phase      string       // "upload", "push", "pull", "resync" or ""
	Pending    int          // changes not yet acknowledged by central
	Rejected   int          // changes central refused (quarantined)
	LastSync   time.Time    // end of the last cycle that completed
	LastError  *bmerr.Error // why the last cycle failed (nil after a success)
	NextTry    time.Time    // when an offline client tries again
	ClockSkew  time.Duration
	Resyncs    int // full resyncs after a digest mismatch, since start
	ItemsDone  int // progress of the current cycle
	ItemsTotal int
	BytesDone  int64
	BytesTotal int64
}

// Config is what a Client needs.
type Config struct {
	Store      *store.Store
	HTTPClient *http.Client // nil: a default client (see NewHTTPClient)
	Logger     *slog.Logger
	Now        func() time.Time
	// PullWait is how long an idle client long-polls (default 25s).
	PullWait time.Duration
	// BatchSize is the number of changes per push (default 500).
	BatchSize int
	// MinBackoff and MaxBackoff bound the wait between failed attempts
	// (defaults 1s and 2min); each wait is drawn with full jitter.
	MinBackoff, MaxBackoff time.Duration
	// ReconcileEvery is how often a digest is compared (default 5min; always
	// once after start).
	ReconcileEvery time.Duration
	// OnStatus is called whenever Status changes (from the sync goroutine).
	OnStatus func(Status)
	// OnData is called after pulled changes were stored, with the cases touched.
	OnData func(caseIDs []string)
}

// Client syncs one enrolled station with central.
type Client struct {
	cfg   Config
	st    *store.Store
	log   *slog.Logger
	now   func() time.Time
	kick  chan struct{}
	runMu sync.Mutex // one cycle at a time

	mu            sync.Mutex
	status        Status
	lastReconcile time.Time

	sync   syncv1connect.SyncServiceClient
	attach syncv1connect.AttachmentServiceClient
	cat    syncv1connect.CatalogServiceClient
}

// New returns a client for the station enrolled in cfg.Store.
func New(ctx context.Context, cfg Config) (*Client, error) {
	id, ok, err := cfg.Store.Identity(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, bmerr.New(bmerr.FailedPrecondition, "not_enrolled", "本机尚未注册到中心，请先输入注册码。", "this device is not enrolled yet; enter an enrollment code first.")
	}
	if cfg.PullWait <= 0 {
		cfg.PullWait = 25 * time.Second
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize > syncapi.MaxPushBatch {
		cfg.BatchSize = 500
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 2 * time.Minute
	}
	if cfg.ReconcileEvery <= 0 {
		cfg.ReconcileEvery = 5 * time.Minute
	}
	c := &Client{cfg: cfg, st: cfg.Store, log: cfg.Logger, now: cfg.Now, kick: make(chan struct{}, 1)}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		if hc, err = NewHTTPClient(id.PinnedCertSHA256); err != nil {
			return nil, err
		}
	}
	opts := []connect.ClientOption{connect.WithInterceptors(syncapi.Bearer(syncapi.Credential(id.DeviceID, id.Secret)))}
	c.sync = syncv1connect.NewSyncServiceClient(hc, id.ServerURL, append(opts, syncapi.SyncClientOptions()...)...) // gzip
	c.attach = syncv1connect.NewAttachmentServiceClient(hc, id.ServerURL, opts...)
	c.cat = syncv1connect.NewCatalogServiceClient(hc, id.ServerURL, opts...)
	c.refreshCounts(ctx)
	return c, nil
}

// Status returns the current status.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

func (c *Client) update(fn func(*Status)) {
	c.mu.Lock()
	fn(&c.status)
	s := c.status
	c.mu.Unlock()
	if c.cfg.OnStatus != nil {
		c.cfg.OnStatus(s)
	}
}

func (c *Client) refreshCounts(ctx context.Context) {
	sum, err := c.st.SyncSummary(ctx)
	if err != nil {
		return
	}
	c.update(func(s *Status) {
		s.Pending, s.Rejected = sum.Pending+sum.Sent+sum.Deferred, sum.Rejected
		if s.LastSync.IsZero() {
			s.LastSync = sum.LastPull // from an earlier run of the app
		}
	})
}

// Kick asks the running loop to sync soon: after a local change, or when the
// clerk presses "sync now". It never blocks.
func (c *Client) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// SyncNow runs one full cycle at once and returns its error: upload and push
// everything pending, pull everything new, refresh the catalog, and compare
// digests (resyncing on a mismatch).
func (c *Client) SyncNow(ctx context.Context) error {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	return c.cycle(ctx, true)
}

func (c *Client) cycle(ctx context.Context, forceReconcile bool) (err error) {
	c.update(func(s *Status) { s.Syncing, s.ItemsDone, s.ItemsTotal, s.BytesDone, s.BytesTotal = true, 0, 0, 0, 0 })
	defer func() {
		c.refreshCounts(context.WithoutCancel(ctx))
		c.update(func(s *Status) {
			s.Syncing, s.Phase = false, ""
			if err == nil {
				s.Online, s.LastError, s.LastSync = true, nil, c.now()
			} else {
				s.LastError = syncapi.FromConnect(err)
				if be := bmerr.As(err); be != nil {
					s.LastError = be
				} else if ce := certError(err); ce != nil {
					s.LastError = ce
				}
				s.Online = s.LastError.Code != bmerr.Unavailable
			}
		})
	}()
	if err := c.push(ctx); err != nil {
		return err
	}
	if _, err := c.pull(ctx, 0); err != nil {
		return err
	}
	if forceReconcile || c.now().Sub(c.lastReconcile) > c.cfg.ReconcileEvery {
		if err := c.reconcile(ctx); err != nil {
			return err
		}
		c.lastReconcile = c.now()
	}
	now := c.now()
	return c.st.SetLastSync(ctx, now, now)
}

// Run syncs until ctx ends: a full cycle, then a long poll that a Kick or
// news from central cuts short; after a failure it waits with exponential
// backoff and full jitter, and tries again by itself, so a station that comes
// back online catches up without anyone pressing a button.
func (c *Client) Run(ctx context.Context) error {
	failures := 0
	for ctx.Err() == nil {
		c.runMu.Lock()
		err := c.cycle(ctx, c.lastReconcile.IsZero())
		if err == nil {
			err = c.idle(ctx)
		}
		c.runMu.Unlock()
		if ctx.Err() != nil {
			break
		}
		if err == nil {
			failures = 0
			continue
		}
		if bmerr.CodeOf(err) == bmerr.Unauthenticated {
			c.log.Error("central refused this device", "err", err)
		}
		failures++
		wait := Backoff(failures, c.cfg.MinBackoff, c.cfg.MaxBackoff)
		c.update(func(s *Status) { s.NextTry = c.now().Add(wait) })
		c.log.Info("sync failed; retrying", "in", wait.Round(time.Millisecond).String(), "err", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.kick:
			t.Stop()
		case <-ctx.Done():
			t.Stop()
		}
	}
	return ctx.Err()
}

// idle long-polls until central has news (applied at once) or a Kick arrives.
func (c *Client) idle(ctx context.Context) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	kicked := make(chan struct{})
	go func() {
		select {
		case <-c.kick:
			close(kicked)
			cancel()
		case <-pctx.Done():
		}
	}()
	_, err := c.pull(pctx, c.cfg.PullWait)
	select {
	case <-kicked:
		return nil
	default:
	}
	if err != nil && errors.Is(pctx.Err(), context.Canceled) && ctx.Err() == nil {
		return nil
	}
	return err
}

// Backoff returns the wait before the n-th retry (n ≥ 1): a uniformly random
// duration in [0, min(max, base·2^(n-1))] ("full jitter"), but at least base/2,
// so that stations cut off together do not all return at the same instant.
func Backoff(n int, base, max time.Duration) time.Duration {
	ceil := base
	for i := 1; i < n && ceil < max; i++ {
		ceil *= 2
	}
	ceil = min(ceil, max)
	d := time.Duration(rand.Int64N(int64(ceil) + 1))
	return max2(d, base/2)
}

func max2(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
