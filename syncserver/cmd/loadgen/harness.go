package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"connectrpc.com/connect"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/syncserver/internal/server"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// harness is one fresh central: a new SQLite file in a temp dir, the real
// handler behind a loopback listener (HTTP/1.1 and h2c, as `syncserver
// serve`), and the HTTP client every station of the run shares.
type harness struct {
	dir    string
	keep   bool
	store  *sqlite.Store
	srv    *server.Server
	hs     *http.Server
	url    string
	client *http.Client
}

func newHarness(ctx context.Context, keep bool) (*harness, error) {
	dir, err := os.MkdirTemp("", "bianmin-loadgen-")
	if err != nil {
		return nil, err
	}
	h := &harness{dir: dir, keep: keep}
	if h.store, err = sqlite.Open(filepath.Join(dir, "central.db")); err != nil {
		h.close()
		return nil, err
	}
	h.srv = server.New(server.Config{Store: h.store, Logger: slog.New(slog.DiscardHandler)})
	if err := h.srv.EnsureCatalog(ctx); err != nil {
		h.close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.close()
		return nil, err
	}
	h.hs = &http.Server{
		Handler:           h.srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
		Protocols:         new(http.Protocols),
	}
	h.hs.Protocols.SetHTTP1(true)
	h.hs.Protocols.SetUnencryptedHTTP2(true)
	go h.hs.Serve(ln)
	h.url = "http://" + ln.Addr().String()

	// A station's transport (HTTP/1.1 keep-alive), with room for one idle
	// connection per concurrent station.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0
	tr.MaxIdleConnsPerHost = 1024
	h.client = &http.Client{Transport: tr}
	return h, nil
}

func (h *harness) close() {
	if h.hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = h.hs.Shutdown(ctx)
		cancel()
		h.client.CloseIdleConnections()
	}
	if h.store != nil {
		h.store.Close()
	}
	if h.keep {
		fmt.Printf("# kept %s\n", h.dir)
		return
	}
	os.RemoveAll(h.dir)
}

// station is one enrolled device's view of the API.
type station struct {
	store.Station
	sync   syncv1connect.SyncServiceClient // as a station's: gzip requests
	plain  syncv1connect.SyncServiceClient // the same, uncompressed
	attach syncv1connect.AttachmentServiceClient
}

// addStation registers st and enrolls a device for it with a one-time code
// through the Enroll RPC.
func (h *harness) addStation(ctx context.Context, st store.Station) (*station, error) {
	if err := h.srv.CreateStation(ctx, st); err != nil {
		return nil, err
	}
	code, err := h.srv.NewEnrollCode(ctx, st.Code, time.Hour)
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	deviceID, secret := uuid.NewString(), base64.RawURLEncoding.EncodeToString(key)
	_, err = syncv1connect.NewEnrollmentServiceClient(h.client, h.url).Enroll(ctx, connect.NewRequest(
		&syncv1.EnrollRequest{Code: code, DeviceId: deviceID, Secret: secret, DeviceName: "loadgen"}))
	if err != nil {
		return nil, fmt.Errorf("enroll %s: %w", st.Code, err)
	}
	auth := connect.WithInterceptors(syncapi.Bearer(syncapi.Credential(deviceID, secret)))
	return &station{Station: st,
		sync:   syncv1connect.NewSyncServiceClient(h.client, h.url, append(syncapi.SyncClientOptions(), auth)...), // as a station
		plain:  syncv1connect.NewSyncServiceClient(h.client, h.url, auth),
		attach: syncv1connect.NewAttachmentServiceClient(h.client, h.url, auth),
	}, nil
}

// push sends one batch and fails unless central applied every change.
func (s *station) push(ctx context.Context, changes []*syncv1.Change) error {
	resp, err := s.sync.Push(ctx, connect.NewRequest(&syncv1.PushRequest{Changes: changes, ClientTime: timestamppb.Now()}))
	if err != nil {
		return fmt.Errorf("push from %s: %w", s.Code, err)
	}
	return allApplied(s.Code, resp.Msg.Results, len(changes))
}

// pushAll pushes changes as a station's sync client sends its outbox: in
// batches of at most syncapi.MaxPushBatch, a round of up to
// syncapi.StreamBatches batches at a time, one batch by Push and more in one
// PushStream call; with client (s.sync or s.plain).
func (s *station) pushAll(ctx context.Context, client syncv1connect.SyncServiceClient, changes []*syncv1.Change) error {
	for round := range slices.Chunk(changes, syncapi.MaxPushBatch*syncapi.StreamBatches) {
		var batches []*syncv1.PushRequest
		for batch := range slices.Chunk(round, syncapi.MaxPushBatch) {
			batches = append(batches, &syncv1.PushRequest{Changes: batch, ClientTime: timestamppb.Now()})
		}
		resp, err := syncapi.SendRound(ctx, client, batches)
		if err != nil {
			return fmt.Errorf("push from %s: %w", s.Code, err)
		}
		if err := allApplied(s.Code, resp.Results, len(round)); err != nil {
			return err
		}
	}
	return nil
}

func allApplied(station string, results []*syncv1.PushResult, want int) error {
	if len(results) != want {
		return fmt.Errorf("push from %s: %d results for %d changes", station, len(results), want)
	}
	for _, r := range results {
		if r.Outcome != syncv1.PushResult_OUTCOME_APPLIED {
			return fmt.Errorf("push from %s: change %s: %v %s: %s", station, r.ChangeId, r.Outcome, r.Reason, r.MessageEn)
		}
	}
	return nil
}

// caseCount is the number of cases central holds for the station, from the
// Digest RPC.
func (s *station) caseCount(ctx context.Context) (int, error) {
	d, err := s.sync.Digest(ctx, connect.NewRequest(&syncv1.DigestRequest{}))
	if err != nil {
		return 0, fmt.Errorf("digest of %s: %w", s.Code, err)
	}
	return int(d.Msg.CaseCount), nil
}
