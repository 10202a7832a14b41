package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/server"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// env is a real server over a real SQLite file behind a real HTTP listener.
type env struct {
	t     *testing.T
	srv   *server.Server
	store *sqlite.Store
	http  *httptest.Server
	cat   *catalog.Catalog
	rnd   *rand.Rand
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := server.New(server.Config{Store: st, PollInterval: 50 * time.Millisecond})
	ctx := context.Background()
	if err := srv.EnsureCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []store.Station{
		{Code: "XZ01", Name: "青山镇便民服务中心", Level: catalog.Township},
		{Code: "SQ01", Name: "幸福村便民服务站", Level: catalog.Community, Parent: "XZ01"},
		{Code: "XZ02", Name: "石桥镇便民服务中心", Level: catalog.Township},
	} {
		if err := srv.CreateStation(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.Protocols = new(http.Protocols)
	hs.Config.Protocols.SetHTTP1(true)
	hs.Config.Protocols.SetUnencryptedHTTP2(true) // h2c, as syncserver serve does
	hs.Start()
	t.Cleanup(hs.Close)
	return &env{t: t, srv: srv, store: st, http: hs, cat: catalog.Demo(), rnd: rand.New(rand.NewPCG(1, 2))}
}

// station is an enrolled device's view of the API.
type station struct {
	code, deviceID, secret string
	level                  catalog.Level
	sync                   syncv1connect.SyncServiceClient
	attach                 syncv1connect.AttachmentServiceClient
	cat                    syncv1connect.CatalogServiceClient
	seq                    int
}

func (e *env) enroll(code string) *station {
	e.t.Helper()
	ctx := context.Background()
	otp, err := e.srv.NewEnrollCode(ctx, code, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	s := &station{code: code, deviceID: uuid.NewString(), secret: strings.Repeat("s", 43) + code}
	resp, err := syncv1connect.NewEnrollmentServiceClient(e.http.Client(), e.http.URL).Enroll(ctx,
		connect.NewRequest(&syncv1.EnrollRequest{Code: otp, DeviceId: s.deviceID, Secret: s.secret, DeviceName: "test"}))
	if err != nil {
		e.t.Fatal(err)
	}
	s.level = catalog.Level(resp.Msg.Station.Level)
	e.clients(s, syncapi.Credential(s.deviceID, s.secret))
	return s
}

func (e *env) clients(s *station, token string) { e.clientsOver(e.http.Client(), s, token) }

// clientsOver is clients over hc.
func (e *env) clientsOver(hc *http.Client, s *station, token string) {
	auth := connect.WithInterceptors(syncapi.Bearer(token))
	s.sync = syncv1connect.NewSyncServiceClient(hc, e.http.URL, auth)
	s.attach = syncv1connect.NewAttachmentServiceClient(hc, e.http.URL, auth)
	s.cat = syncv1connect.NewCatalogServiceClient(hc, e.http.URL, auth)
}

var day = time.Date(2026, 2, 12, 10, 0, 0, 0, workcal.Shanghai) // a Thursday

// receive builds a receive change of the named matter at station s.
func (e *env) receive(s *station, matter string) *casefile.Change {
	s.seq++
	m := fixture.Matter(e.cat, matter)
	ch := fixture.Receive(e.rnd, m, fixture.Actor(s.code, s.level), caseflow.FormatNumber(s.code, workcal.DateOf(day), s.seq), day)
	if s.level == catalog.Community && !m.CanAccept(catalog.Community) {
		ch.Intake.Proxy = &casefile.Proxy{AgentUser: "u-" + s.code, AgentName: "代办员", Authorization: "授权委托书 2026-001", ForwardTo: "XZ01"}
	}
	return ch
}

func next(caseID uuid.UUID, action caseflow.Action, s *station, at time.Time) *casefile.Change {
	return &casefile.Change{ID: uuid.Must(uuid.NewV7()), CaseID: caseID, Action: action, Actor: fixture.Actor(s.code, s.level), At: at}
}

func (s *station) push(t *testing.T, chs ...*casefile.Change) []*syncv1.PushResult {
	t.Helper()
	req := &syncv1.PushRequest{ClientTime: timestamppb.Now()}
	for _, ch := range chs {
		req.Changes = append(req.Changes, wire.ChangeToWire(ch))
	}
	resp, err := s.sync.Push(context.Background(), connect.NewRequest(req))
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	return resp.Msg.Results
}

func wantOutcome(t *testing.T, r *syncv1.PushResult, want syncv1.PushResult_Outcome, reason string) {
	t.Helper()
	if r.Outcome != want || r.Reason != reason {
		t.Fatalf("outcome %v reason %q (%s), want %v reason %q", r.Outcome, r.Reason, r.MessageEn, want, reason)
	}
	if want == syncv1.PushResult_OUTCOME_REJECTED && (r.MessageZh == "" || r.MessageEn == "" || r.Code == "") {
		t.Fatalf("rejection without code or messages: %+v", r)
	}
}

func TestPushIsExactlyOnce(t *testing.T) {
	e := newEnv(t)
	xz := e.enroll("XZ01")
	rec := e.receive(xz, "最低生活保障审核确认")
	acc := next(rec.CaseID, caseflow.Accept, xz, day)

	res := xz.push(t, rec, acc)
	wantOutcome(t, res[0], syncv1.PushResult_OUTCOME_APPLIED, "")
	wantOutcome(t, res[1], syncv1.PushResult_OUTCOME_APPLIED, "")
	if res[1].CaseVersion != 2 {
		t.Fatalf("version after accept = %d, want 2", res[1].CaseVersion)
	}

	// The same batch again, reordered, and with a duplicate inside: every
	// change answers its original outcome and nothing is applied twice.
	res = xz.push(t, acc, rec, acc)
	for i, r := range res {
		wantOutcome(t, r, syncv1.PushResult_OUTCOME_ALREADY_APPLIED, "")
		if r.OriginalOutcome != syncv1.PushResult_OUTCOME_APPLIED {
			t.Fatalf("result %d: original outcome %v", i, r.OriginalOutcome)
		}
	}
	c, err := e.store.Case(context.Background(), rec.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 || c.Status.State != caseflow.Accepted {
		t.Fatalf("case version %d state %s, want 2 accepted", c.Version, c.Status.State)
	}
	// 25 working days from Thu 12 Feb 2026 across the Spring Festival.
	if want := workcal.Builtin().AddWorkdays(workcal.D(2026, 2, 12), 25); c.DueOn != want {
		t.Fatalf("due %s, want %s", c.DueOn, want)
	}
	hist, err := e.store.Changes(context.Background(), rec.CaseID)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history: %d entries, err %v; want 2", len(hist), err)
	}
}

func TestPushRejectsAndQuarantines(t *testing.T) {
	e := newEnv(t)
	xz, xz2, sq := e.enroll("XZ01"), e.enroll("XZ02"), e.enroll("SQ01")
	rec := e.receive(xz, "最低生活保障审核确认")
	xz.push(t, rec)

	t.Run("illegal transition", func(t *testing.T) {
		del := next(rec.CaseID, caseflow.Deliver, xz, day)
		del.Delivery = &casefile.Delivery{Method: casefile.AtWindow}
		r := xz.push(t, del)[0]
		wantOutcome(t, r, syncv1.PushResult_OUTCOME_REJECTED, "illegal_transition")
		if r.Code != "failed_precondition" {
			t.Fatalf("code %q", r.Code)
		}
		// A replay answers the same rejection.
		r2 := xz.push(t, del)[0]
		if r2.Outcome != syncv1.PushResult_OUTCOME_ALREADY_APPLIED || r2.OriginalOutcome != syncv1.PushResult_OUTCOME_REJECTED || r2.Reason != "illegal_transition" {
			t.Fatalf("replay: %+v", r2)
		}
	})
	t.Run("a rejection never blocks the rest of the batch", func(t *testing.T) {
		bad := next(rec.CaseID, caseflow.Grant, xz, day) // not accepted yet
		good := next(rec.CaseID, caseflow.Accept, xz, day)
		res := xz.push(t, bad, good)
		wantOutcome(t, res[0], syncv1.PushResult_OUTCOME_REJECTED, "illegal_transition")
		wantOutcome(t, res[1], syncv1.PushResult_OUTCOME_APPLIED, "")
	})
	t.Run("another station's case", func(t *testing.T) {
		w := next(rec.CaseID, caseflow.Withdraw, xz2, day)
		w.Note = "申请人撤回"
		wantOutcome(t, xz2.push(t, w)[0], syncv1.PushResult_OUTCOME_REJECTED, "foreign_case")
	})
	t.Run("signed as another station", func(t *testing.T) {
		forged := e.receive(xz2, "最低生活保障审核确认")
		wantOutcome(t, xz.push(t, forged)[0], syncv1.PushResult_OUTCOME_REJECTED, "foreign_station")
	})
	t.Run("claims a level it does not have", func(t *testing.T) {
		ch := e.receive(sq, "城乡居民养老保险参保登记")
		ch.Actor.Level, ch.Actor.Role = catalog.Township, caseflow.Clerk
		wantOutcome(t, sq.push(t, ch)[0], syncv1.PushResult_OUTCOME_REJECTED, "wrong_level")
	})
	t.Run("bad resident id", func(t *testing.T) {
		ch := e.receive(xz, "最低生活保障审核确认")
		id := []byte(ch.Intake.Applicant.IDNumber)
		if id[17] == 'X' { // any other check character is wrong
			id[17] = '0'
		} else {
			id[17] = 'X'
		}
		ch.Intake.Applicant.IDNumber = string(id)
		wantOutcome(t, xz.push(t, ch)[0], syncv1.PushResult_OUTCOME_REJECTED, "id_checksum")
	})
	t.Run("proxy forwarded to a township that is not the station's", func(t *testing.T) {
		ch := e.receive(sq, "农村宅基地和建房审批")
		ch.Intake.Proxy.ForwardTo = "XZ02"
		wantOutcome(t, sq.push(t, ch)[0], syncv1.PushResult_OUTCOME_REJECTED, "proxy_route")
	})
	// Nothing rejected changed the case.
	c, _ := e.store.Case(context.Background(), rec.CaseID)
	if c.Version != 2 {
		t.Fatalf("case version %d after rejections, want 2", c.Version)
	}
}

func connectCode(err error) connect.Code { return connect.CodeOf(err) }

func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	xz := e.enroll("XZ01")
	ctx := context.Background()

	cases := []struct {
		name string
		call func() error
		want connect.Code
	}{
		{"empty push", func() error {
			_, err := xz.sync.Push(ctx, connect.NewRequest(&syncv1.PushRequest{}))
			return err
		}, connect.CodeInvalidArgument},
		{"too many changes", func() error {
			req := &syncv1.PushRequest{}
			for range syncapi.MaxPushBatch + 1 {
				req.Changes = append(req.Changes, &syncv1.Change{Id: uuid.NewString()})
			}
			_, err := xz.sync.Push(ctx, connect.NewRequest(req))
			return err
		}, connect.CodeInvalidArgument},
		{"malformed change id", func() error {
			_, err := xz.sync.Push(ctx, connect.NewRequest(&syncv1.PushRequest{Changes: []*syncv1.Change{{Id: "not-a-uuid"}}}))
			return err
		}, connect.CodeInvalidArgument},
		{"oversize request", func() error {
			big := strings.Repeat("字", syncapi.MaxRequestBytes/3+10)
			_, err := xz.sync.Push(ctx, connect.NewRequest(&syncv1.PushRequest{Changes: []*syncv1.Change{{Id: uuid.NewString(), Note: big}}}))
			return err
		}, connect.CodeResourceExhausted},
		{"negative cursor", func() error {
			_, err := xz.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{Cursor: -1}))
			return err
		}, connect.CodeInvalidArgument},
		{"bad page token", func() error {
			_, err := xz.sync.Snapshot(ctx, connect.NewRequest(&syncv1.SnapshotRequest{PageToken: "zzz"}))
			return err
		}, connect.CodeInvalidArgument},
		{"bad attachment hash", func() error {
			_, err := xz.attach.StatAttachment(ctx, connect.NewRequest(&syncv1.StatAttachmentRequest{Sha256: "abc"}))
			return err
		}, connect.CodeInvalidArgument},
		{"oversize attachment", func() error {
			_, err := xz.attach.UploadChunk(ctx, connect.NewRequest(&syncv1.UploadChunkRequest{Sha256: strings.Repeat("a", 64), Size: syncapi.MaxAttachmentSize + 1, Data: []byte("x")}))
			return err
		}, connect.CodeResourceExhausted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if got := connectCode(err); got != tc.want {
				t.Fatalf("code %v (%v), want %v", got, err, tc.want)
			}
		})
	}
	if n, _ := e.store.LastSeq(ctx); n != 0 {
		t.Fatalf("bad requests changed the log: last seq %d", n)
	}
}

func TestEnrollmentAndCredentials(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	enroll := syncv1connect.NewEnrollmentServiceClient(e.http.Client(), e.http.URL)
	code, err := e.srv.NewEnrollCode(ctx, "XZ01", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dev, secret := uuid.NewString(), strings.Repeat("k", 43)
	req := &syncv1.EnrollRequest{Code: code, DeviceId: dev, Secret: secret}

	if _, err := enroll.Enroll(ctx, connect.NewRequest(req)); err != nil {
		t.Fatal(err)
	}
	// A retry after a lost reply: the same device, the same secret.
	if _, err := enroll.Enroll(ctx, connect.NewRequest(req)); err != nil {
		t.Fatalf("idempotent retry: %v", err)
	}
	steal := &syncv1.EnrollRequest{Code: code, DeviceId: uuid.NewString(), Secret: strings.Repeat("z", 43)}
	if _, err := enroll.Enroll(ctx, connect.NewRequest(steal)); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("used code by another device: %v", err)
	}
	unknown := &syncv1.EnrollRequest{Code: "AAAA-BBBB-CCCC", DeviceId: uuid.NewString(), Secret: strings.Repeat("z", 43)}
	if _, err := enroll.Enroll(ctx, connect.NewRequest(unknown)); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("unknown code: %v", err)
	}
	if _, err := enroll.Enroll(ctx, connect.NewRequest(&syncv1.EnrollRequest{Code: "x"})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("malformed code: %v", err)
	}

	s := &station{code: "XZ01", level: catalog.Township}
	call := func(token string) error {
		e.clients(s, token)
		_, err := s.cat.GetCatalog(ctx, connect.NewRequest(&syncv1.GetCatalogRequest{}))
		return err
	}
	if err := call(syncapi.Credential(dev, secret)); err != nil {
		t.Fatalf("valid credential: %v", err)
	}
	for name, tok := range map[string]string{
		"no credential":   "",
		"wrong secret":    syncapi.Credential(dev, strings.Repeat("w", 43)),
		"unknown device":  syncapi.Credential(uuid.NewString(), secret),
		"malformed token": "garbage",
	} {
		if err := call(tok); connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("%s: %v, want unauthenticated", name, err)
		}
	}
	if err := e.srv.RevokeDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	err = call(syncapi.Credential(dev, secret))
	if connect.CodeOf(err) != connect.CodeUnauthenticated || syncapi.FromConnect(err).Reason != "device_revoked" {
		t.Fatalf("revoked device: %v", err)
	}
	if zh := syncapi.FromConnect(err).Zh; !strings.Contains(zh, "停用") {
		t.Fatalf("revoked message in Chinese: %q", zh)
	}
}

func TestProxyRoutingAndLongPoll(t *testing.T) {
	e := newEnv(t)
	sq, xz, xz2 := e.enroll("SQ01"), e.enroll("XZ01"), e.enroll("XZ02")
	ctx := context.Background()

	// The township long-polls before the agent files.
	type pulled struct {
		resp *syncv1.PullResponse
		err  error
		at   time.Time
	}
	got := make(chan pulled, 1)
	go func() {
		r, err := xz.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{WaitMs: 10_000}))
		if err != nil {
			got <- pulled{err: err}
			return
		}
		got <- pulled{resp: r.Msg, at: time.Now()}
	}()
	time.Sleep(100 * time.Millisecond)
	rec := e.receive(sq, "农村宅基地和建房审批") // accepted at the township only: a proxy case
	pushed := time.Now()
	wantOutcome(t, sq.push(t, rec)[0], syncv1.PushResult_OUTCOME_APPLIED, "")
	p := <-got
	if p.err != nil {
		t.Fatal(p.err)
	}
	if lag := p.at.Sub(pushed); lag > time.Second {
		t.Fatalf("long poll answered %v after the push, want under a second", lag)
	}
	if len(p.resp.Entries) != 1 || p.resp.Entries[0].Change.Id != rec.ID.String() {
		t.Fatalf("township pulled %d entries", len(p.resp.Entries))
	}
	if len(p.resp.Cases) != 1 || p.resp.Cases[0].HandlingStation != "XZ01" {
		t.Fatalf("township got cases %v", p.resp.Cases)
	}
	// The other township sees nothing.
	r, err := xz2.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{}))
	if err != nil || len(r.Msg.Entries) != 0 {
		t.Fatalf("a third station pulled %d entries (%v)", len(r.Msg.Entries), err)
	}
	// The township accepts and forwards; central's engine opens the parallel
	// stage (自然资源 + 农业农村) at once; the agent's station sees all three.
	acc := next(rec.CaseID, caseflow.Accept, xz, day)
	fwd := next(rec.CaseID, caseflow.Forward, xz, day)
	for _, res := range xz.push(t, acc, fwd) {
		wantOutcome(t, res, syncv1.PushResult_OUTCOME_APPLIED, "")
	}
	r, err = sq.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{}))
	if err != nil || len(r.Msg.Entries) != 4 {
		t.Fatalf("agent station pulled %d entries (%v), want 4", len(r.Msg.Entries), err)
	}
	if a := r.Msg.Entries[3].Change; a.Action != string(caseflow.StartParallel) || a.Actor.Role != string(caseflow.System) {
		t.Fatalf("last entry %s by %s, want start_parallel by the scheduler", a.Action, a.Actor.Role)
	}
	if st := r.Msg.Cases[0].Status.State; st != string(caseflow.ParallelReview) {
		t.Fatalf("agent sees state %s", st)
	}
	// Paging: limit 1 gives one entry and more=true.
	r, err = sq.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{Limit: 1}))
	if err != nil || len(r.Msg.Entries) != 1 || !r.Msg.More || r.Msg.NextCursor != r.Msg.Entries[0].Seq {
		t.Fatalf("paging: %d entries more=%v (%v)", len(r.Msg.Entries), r.Msg.More, err)
	}
}

func TestDigestAndSnapshot(t *testing.T) {
	e := newEnv(t)
	xz := e.enroll("XZ01")
	ctx := context.Background()
	var lines []syncapi.VersionLine
	for range 7 {
		rec := e.receive(xz, "城乡居民养老保险参保登记")
		acc := next(rec.CaseID, caseflow.Accept, xz, day)
		xz.push(t, rec, acc)
		lines = append(lines, syncapi.VersionLine{ID: rec.CaseID.String(), Version: 2})
	}
	pull, err := xz.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	d, err := xz.sync.Digest(ctx, connect.NewRequest(&syncv1.DigestRequest{Cursor: pull.Msg.NextCursor}))
	if err != nil {
		t.Fatal(err)
	}
	if d.Msg.Behind || d.Msg.CaseCount != 7 || d.Msg.Digest != syncapi.Digest(lines) {
		t.Fatalf("digest %+v, want %s over 7 cases", d.Msg, syncapi.Digest(lines))
	}
	d, _ = xz.sync.Digest(ctx, connect.NewRequest(&syncv1.DigestRequest{Cursor: 0}))
	if !d.Msg.Behind {
		t.Fatal("a station at cursor 0 is not told it is behind")
	}
	var all []*syncv1.Case
	token := ""
	for {
		s, err := xz.sync.Snapshot(ctx, connect.NewRequest(&syncv1.SnapshotRequest{PageSize: 3, PageToken: token}))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s.Msg.Cases...)
		if s.Msg.Cursor != pull.Msg.NextCursor {
			t.Fatalf("snapshot cursor %d, want %d", s.Msg.Cursor, pull.Msg.NextCursor)
		}
		if token = s.Msg.NextPageToken; token == "" {
			break
		}
	}
	if len(all) != 7 {
		t.Fatalf("snapshot gave %d cases, want 7", len(all))
	}
}

func TestAttachments(t *testing.T) {
	e := newEnv(t)
	xz, xz2 := e.enroll("XZ01"), e.enroll("XZ02")
	ctx := context.Background()
	data := make([]byte, 600_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	chunk := func(off, n int, corrupt bool) (*syncv1.UploadChunkResponse, error) {
		part := data[off : off+n]
		cs := sha256.Sum256(part)
		if corrupt {
			part = append([]byte{part[0] ^ 0xff}, part[1:]...)
		}
		r, err := xz.attach.UploadChunk(ctx, connect.NewRequest(&syncv1.UploadChunkRequest{Sha256: sha, Size: int64(len(data)), Offset: int64(off), Data: part, ChunkSha256: hex.EncodeToString(cs[:])}))
		if err != nil {
			return nil, err
		}
		return r.Msg, nil
	}
	if _, err := chunk(0, 200_000, false); err != nil {
		t.Fatal(err)
	}
	if _, err := chunk(200_000, 200_000, true); connect.CodeOf(err) != connect.CodeDataLoss {
		t.Fatalf("corrupted chunk: %v, want data loss", err)
	}
	st, _ := xz.attach.StatAttachment(ctx, connect.NewRequest(&syncv1.StatAttachmentRequest{Sha256: sha}))
	if st.Msg.Received != 200_000 {
		t.Fatalf("after a refused chunk central holds %d bytes, want 200000", st.Msg.Received)
	}
	if _, err := chunk(400_000, 200_000, false); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("a gap: %v, want invalid argument", err)
	}
	if r, err := chunk(0, 200_000, false); err != nil || r.Received != 200_000 {
		t.Fatalf("repeated chunk: %v %v", r, err)
	}
	if _, err := chunk(200_000, 200_000, false); err != nil {
		t.Fatal(err)
	}
	r, err := chunk(400_000, 200_000, false)
	if err != nil || !r.Complete {
		t.Fatalf("last chunk: %v %v", r, err)
	}

	// A change referring to it makes it visible to its station only.
	rec := e.receive(xz, "最低生活保障审核确认")
	rec.Intake.Materials[0].Attachments = []casefile.Attachment{{SHA256: sha, Name: "申请书.pdf", MIME: "application/pdf", Size: int64(len(data))}}
	wantOutcome(t, xz.push(t, rec)[0], syncv1.PushResult_OUTCOME_APPLIED, "")
	var got []byte
	for off := int64(0); ; {
		d, err := xz.attach.DownloadChunk(ctx, connect.NewRequest(&syncv1.DownloadChunkRequest{Sha256: sha, Offset: off}))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d.Msg.Data...)
		off += int64(len(d.Msg.Data))
		if d.Msg.Eof {
			break
		}
	}
	if string(got) != string(data) {
		t.Fatal("downloaded bytes differ")
	}
	if _, err := xz2.attach.DownloadChunk(ctx, connect.NewRequest(&syncv1.DownloadChunkRequest{Sha256: sha})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("another station downloading: %v, want not found", err)
	}

	// Scans and PDFs are compressed already: downloads go out as they are,
	// even to a client that accepts gzip (connect clients do by default).
	var encodings []string
	plain := *xz
	base := e.http.Client().Transport
	e.clientsOver(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if err == nil {
			encodings = append(encodings, resp.Header.Get("Content-Encoding"))
		}
		return resp, err
	})}, &plain, syncapi.Credential(xz.deviceID, xz.secret))
	if _, err := plain.attach.DownloadChunk(ctx, connect.NewRequest(&syncv1.DownloadChunkRequest{Sha256: sha})); err != nil {
		t.Fatal(err)
	}
	if len(encodings) != 1 || encodings[0] != "" {
		t.Errorf("download Content-Encoding %q, want none", encodings)
	}

	// A change referring to an attachment central lacks is deferred, with the
	// later changes of the same case.
	rec2 := e.receive(xz, "最低生活保障审核确认")
	rec2.Intake.Materials[0].Attachments = []casefile.Attachment{{SHA256: strings.Repeat("b", 64), Name: "x.png", MIME: "image/png", Size: 10}}
	acc2 := next(rec2.CaseID, caseflow.Accept, xz, day)
	res := xz.push(t, rec2, acc2)
	wantOutcome(t, res[0], syncv1.PushResult_OUTCOME_DEFERRED, "attachment_pending")
	wantOutcome(t, res[1], syncv1.PushResult_OUTCOME_DEFERRED, "attachment_pending")
}

func TestWholeBlobChecksum(t *testing.T) {
	e := newEnv(t)
	xz := e.enroll("XZ01")
	ctx := context.Background()
	data := []byte("这不是名字所说的内容")
	cs := sha256.Sum256(data)
	wrongName := strings.Repeat("c", 64)
	_, err := xz.attach.UploadChunk(ctx, connect.NewRequest(&syncv1.UploadChunkRequest{Sha256: wrongName, Size: int64(len(data)), Data: data, ChunkSha256: hex.EncodeToString(cs[:])}))
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeDataLoss || ce.Meta().Get(syncapi.HeaderBlobReset) != "1" {
		t.Fatalf("blob checksum mismatch: %v", err)
	}
	st, _ := xz.attach.StatAttachment(ctx, connect.NewRequest(&syncv1.StatAttachmentRequest{Sha256: wrongName}))
	if st.Msg.Received != 0 || st.Msg.Complete {
		t.Fatalf("a blob failing its check is kept: %+v", st.Msg)
	}
}

func TestHealthAndH2C(t *testing.T) {
	e := newEnv(t)
	// Prior-knowledge HTTP/2 without TLS (h2c), as gRPC clients and buf curl use.
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	hc := &http.Client{Transport: tr}
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/grpc.health.v1.Health/Check", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Fatalf("health over h2c: status %d proto %s", resp.StatusCode, resp.Proto)
	}
}

// TestBatchEqualsOneByOne: a push decides its changes on one goroutine and
// writes them on another, and hands the rest of the batch to a one-by-one
// path at the first change with follow-ups or a rectification. Whatever the
// path, a batch must end exactly as the same changes pushed one per push:
// the same outcome for every change, the same cases, the same history, the
// same rectifications.
func TestBatchEqualsOneByOne(t *testing.T) {
	batched, single := newEnv(t), newEnv(t)
	xzB, xzS := batched.enroll("XZ01"), single.enroll("XZ01")
	ctx := context.Background()
	at := day.Add(time.Hour)
	by := func(id uuid.UUID, a caseflow.Action) *casefile.Change { return next(id, a, xzB, at) }

	own := batched.receive(xzB, "城乡居民养老保险参保登记") // decided at the township on the spot
	acc := by(own.CaseID, caseflow.Accept)
	illegal := by(own.CaseID, caseflow.Deliver) // nothing to deliver yet
	illegal.Delivery = &casefile.Delivery{Method: casefile.AtWindow}
	fwd := batched.receive(xzB, "残疾人证核发") // forwarded: central's workflow starts by itself
	waiting := batched.receive(xzB, "最低生活保障审核确认")
	waiting.Intake.Materials[0].Attachments = []casefile.Attachment{{SHA256: strings.Repeat("c", 64), Name: "x.png", MIME: "image/png", Size: 10}}
	closeOwn := by(own.CaseID, caseflow.CloseOnSpot)
	rate := by(own.CaseID, caseflow.Rate)
	rate.Rating = &casefile.Rating{Level: 1, Comment: "等了很久"} // a bad rating opens a rectification
	later := batched.receive(xzB, "城乡居民医保参保登记")

	// What one push holds in the reference: one change, except that a
	// deferred change's case defers its later changes in the same push only.
	groups := [][]*casefile.Change{
		{own}, {acc}, {illegal},
		{by(waiting.CaseID, caseflow.Accept)},          // a change before its case: rejected
		{waiting, by(waiting.CaseID, caseflow.Accept)}, // deferred, and the case's next change with it
		{fwd}, {by(fwd.CaseID, caseflow.Accept)}, {by(fwd.CaseID, caseflow.Forward)}, // follow-ups: the one-by-one path from here
		{acc}, // the same change again
		{closeOwn}, {rate}, {later}, {by(later.CaseID, caseflow.Accept)},
		{illegal}, // a rejected change again
	}
	changes := slices.Concat(groups...)
	got := xzB.push(t, changes...)
	var want []*syncv1.PushResult
	for _, g := range groups {
		want = append(want, xzS.push(t, g...)...)
	}
	for i := range changes {
		g, w := got[i], want[i]
		if g.Outcome != w.Outcome || g.OriginalOutcome != w.OriginalOutcome || g.Reason != w.Reason ||
			g.CaseVersion != w.CaseVersion || g.Code != w.Code || (g.ServerSeq == 0) != (w.ServerSeq == 0) {
			t.Errorf("change %d (%s): batched %v, one by one %v", i, changes[i].Action, g, w)
		}
	}
	for _, want := range []syncv1.PushResult_Outcome{syncv1.PushResult_OUTCOME_APPLIED, syncv1.PushResult_OUTCOME_REJECTED,
		syncv1.PushResult_OUTCOME_DEFERRED, syncv1.PushResult_OUTCOME_ALREADY_APPLIED} {
		if !slices.ContainsFunc(got, func(r *syncv1.PushResult) bool { return r.Outcome == want }) {
			t.Errorf("no change came out %v: the test no longer covers it", want)
		}
	}

	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	doc := func(e *env, id uuid.UUID) (*casefile.Case, []byte) {
		c, err := e.store.Case(ctx, id)
		must(err)
		d, err := store.EncodeCase(c)
		must(err)
		return c, d
	}
	for _, id := range []uuid.UUID{own.CaseID, fwd.CaseID, later.CaseID} {
		b, db := doc(batched, id)
		s, ds := doc(single, id)
		if !bytes.Equal(db, ds) {
			t.Errorf("case %s: batched v%d %+v due %s; one by one v%d %+v due %s; documents differ",
				b.Number, b.Version, b.Status, b.DueOn, s.Version, s.Status, s.DueOn)
		}
		hb, err := batched.store.Changes(ctx, id)
		must(err)
		hs, err := single.store.Changes(ctx, id)
		must(err)
		if len(hb) != len(hs) {
			t.Fatalf("case %s: %d changes batched, %d one by one", b.Number, len(hb), len(hs))
		}
		for k := range hb {
			if hb[k].ChangeID != hs[k].ChangeID || hb[k].CaseVersion != hs[k].CaseVersion {
				t.Errorf("case %s change %d: batched %s v%d, one by one %s v%d", b.Number, k, hb[k].ChangeID, hb[k].CaseVersion, hs[k].ChangeID, hs[k].CaseVersion)
			}
		}
	}
	if f, err := batched.store.Case(ctx, fwd.CaseID); err != nil || f.Status.State != caseflow.UnderReview {
		t.Fatalf("forwarded case: %v, %v; want under review (follow-ups applied)", f, err)
	}
	rb, err := batched.store.Rectifications(ctx, false)
	must(err)
	rs, err := single.store.Rectifications(ctx, false)
	must(err)
	if len(rb) != 1 || len(rs) != 1 || rb[0].CaseID != own.CaseID || rb[0].DueOn != rs[0].DueOn {
		t.Fatalf("rectifications: batched %+v, one by one %+v; want one each for %s", rb, rs, own.CaseID)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
