package syncclient_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/fixture"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/workcal"
	_ "modernc.org/sqlite"
)

const dibao = "最低生活保障审核确认" // accepted and decided at the township

func dateOf(k *clerk) workcal.Date { return workcal.DateOf(k.now) }

const zhaijidi = "农村宅基地和建房审批" // a community station files it for its township

func TestOfflineThenOnline(t *testing.T) {
	c := startCentral(t)
	net := newFaulty(1)
	st, _ := c.enroll(t, "XZ01", nil)
	cl := newClient(t, st, net.client())
	k := mustClerk(t, st, 1)
	ctx := context.Background()

	net.down.Store(true)
	for range 5 {
		if _, err := k.intake(ctx, dibao); err != nil {
			t.Fatal(err)
		}
	}
	err := cl.SyncNow(ctx)
	s := cl.Status()
	if err == nil || s.Online || s.Pending != 10 || s.LastError == nil || s.LastError.Code != bmerr.Unavailable || s.LastError.Zh == "" {
		t.Fatalf("offline: err %v, status %+v", err, s)
	}

	net.down.Store(false)
	syncUntilClean(t, cl)
	s = cl.Status()
	if !s.Online || s.Pending != 0 || s.LastSync.IsZero() || s.LastError != nil {
		t.Fatalf("online: status %+v", s)
	}
	n := compare(t, c, st)
	report("offline_then_online", "local", n.local, "central", n.central, "lost", n.lost, "duplicated", n.duplicated)
	if n.local != 5 || n.lost != 0 || n.duplicated != 0 {
		t.Fatalf("%+v", n)
	}
	// The due date the station computed offline is central's to the day.
	for id, v := range localCases(t, st) {
		if v.Case.DueOn.IsZero() || v.Case.DueOn != v.Confirmed.DueOn {
			t.Fatalf("case %s: local due %s, central due %s", id, v.Case.DueOn, v.Confirmed.DueOn)
		}
	}
}

func TestFaultyNetwork(t *testing.T) {
	c := startCentral(t)
	st, _ := c.enroll(t, "XZ01", nil)
	net := newFaulty(2)
	net.dropRequest, net.dropReply, net.duplicate, net.replayOld = 0.15, 0.2, 0.15, 0.3
	// Batches of 2: a round of several goes by PushStream.
	cl, err := syncclient.New(context.Background(), syncclient.Config{Store: st, HTTPClient: net.client(),
		MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second, PullWait: 2 * time.Second, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	k := mustClerk(t, st, 2)
	ctx := context.Background()
	rounds := 6
	if !testing.Short() {
		rounds = 30
	}
	for round := range rounds {
		for range 4 {
			if _, err := k.intake(ctx, dibao); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			_ = cl.SyncNow(ctx) // many of these fail: that is the point
		}
		_ = round
	}
	net.dropRequest, net.dropReply, net.duplicate = 0, 0, 0
	syncUntilClean(t, cl)
	n := compare(t, c, st)
	report("faulty_network", "rounds", rounds, "local", n.local, "central", n.central, "lost", n.lost, "duplicated", n.duplicated,
		"dropped_requests", net.counts["request dropped"], "lost_replies", net.counts["reply lost"],
		"duplicated_requests", net.counts["request duplicated"], "stale_replays", net.counts["stale push replayed"],
		"stream_pushes", net.counts["stream pushes"])
	if n.local != rounds*4 || n.lost != 0 || n.duplicated != 0 {
		t.Fatalf("%+v", n)
	}
	if s := cl.Status(); s.Rejected != 0 {
		t.Fatalf("faults caused %d rejections", s.Rejected)
	}
	if net.counts["reply lost"] == 0 || net.counts["stale push replayed"] == 0 || net.counts["request duplicated"] == 0 ||
		net.counts["stream pushes"] == 0 {
		t.Fatalf("the faults were not exercised: %v", net.counts)
	}
}

func TestCentralNewsArrivesOnItsOwn(t *testing.T) {
	c := startCentral(t)
	sq, _ := c.enroll(t, "SQ01", nil)
	xz, _ := c.enroll(t, "XZ01", nil)
	agent, clerkXZ := mustClerk(t, sq, 3), mustClerk(t, xz, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var mu sync.Mutex
	seen := map[string]time.Time{}
	live, err := syncclient.New(ctx, syncclient.Config{Store: sq, PullWait: 20 * time.Second, MinBackoff: 50 * time.Millisecond,
		OnData: func(ids []string) {
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ids {
				seen[id] = time.Now()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	go live.Run(ctx)

	pc, err := agent.intake(ctx, zhaijidi)
	if err != nil {
		t.Fatal(err)
	}
	live.Kick()
	township := newClient(t, xz, nil)
	var view store.CaseView
	for deadline := time.Now().Add(10 * time.Second); ; {
		if err := township.SyncNow(ctx); err != nil {
			t.Fatal(err)
		}
		if view, err = xz.Case(ctx, pc.ID); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the proxy case never reached the township")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := xz.Record(ctx, fixture.Next(view.Case, caseflow.Accept, clerkXZ.actor(), clerkXZ.at())); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	delete(seen, pc.ID.String())
	mu.Unlock()
	// The lag is measured from the start of the township's sync (an upper
	// bound: it includes the push itself).
	pushed := time.Now()
	if err := township.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := pushed.Add(10 * time.Second); ; {
		mu.Lock()
		at, ok := seen[pc.ID.String()]
		mu.Unlock()
		if ok {
			v, err := sq.Case(ctx, pc.ID)
			if err != nil || v.Case.Status.State != caseflow.Accepted {
				t.Fatalf("agent's copy: %v %v", v.Case, err)
			}
			lag := at.Sub(pushed)
			report("central_news_latency", "ms", lag.Milliseconds())
			if lag > 3*time.Second {
				t.Fatalf("the agent's station saw the acceptance after %v", lag)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the agent's station never saw the acceptance")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDigestMismatchTriggersResync(t *testing.T) {
	c := startCentral(t)
	st, path := c.enroll(t, "XZ01", nil)
	cl := newClient(t, st, nil)
	k := mustClerk(t, st, 5)
	ctx := context.Background()
	var ids []string
	for range 4 {
		cs, err := k.intake(ctx, dibao)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cs.ID.String())
	}
	syncUntilClean(t, cl)
	before, _, _ := st.Digest(ctx)

	// Damage the station's confirmed copies behind its back, as a bad disk or
	// a restored backup would: one case at a wrong version, one forgotten.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE cases SET confirmed_version = confirmed_version + 7 WHERE id = '` + ids[0] + `'`,
		`UPDATE cases SET confirmed_version = NULL WHERE id = '` + ids[1] + `'`,
		`UPDATE case_docs SET confirmed_doc = NULL WHERE rid = (SELECT rid FROM cases WHERE id = '` + ids[1] + `')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	damaged, _, _ := st.Digest(ctx)
	if damaged == before {
		t.Fatal("the damage did not change the digest")
	}
	if err := cl.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	after, count, _ := st.Digest(ctx)
	report("digest_resync", "resyncs", cl.Status().Resyncs, "cases", count)
	if cl.Status().Resyncs != 1 || after != before || count != 4 {
		t.Fatalf("after sync: resyncs %d, digest %s (want %s), %d cases", cl.Status().Resyncs, after, before, count)
	}
	n := compare(t, c, st)
	if n.lost != 0 || n.duplicated != 0 {
		t.Fatalf("%+v", n)
	}
}

func TestAttachmentResumesAndRefusesDamage(t *testing.T) {
	c := startCentral(t)
	st, _ := c.enroll(t, "XZ01", nil)
	net := newFaulty(6)
	cl := newClient(t, st, net.client())
	k := mustClerk(t, st, 6)
	ctx := context.Background()

	// A 700 KB scan goes in three chunks. The second reaches central but its
	// reply is lost, as when the line drops mid-upload.
	scan := make([]byte, 700_000)
	for i := range scan {
		scan[i] = byte(i*31 + i/7)
	}
	att, err := st.PutBlob(ctx, scan, "户口簿.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	net.hook = func(req *syncv1.UploadChunkRequest) (bool, bool) {
		n++
		return n == 2, true
	}
	m := fixture.Matter(k.cat, dibao)
	number, _ := st.NextCaseNumber(ctx, dateOf(k))
	ch := fixture.Receive(k.rnd, m, k.actor(), number, k.at())
	ch.Intake.Materials[0].Attachments = []casefile.Attachment{att}
	if _, err := st.Record(ctx, ch, scan); err != nil {
		t.Fatal(err)
	}
	if err := cl.SyncNow(ctx); err == nil {
		t.Fatal("the cut did not fail the sync")
	}
	if err := cl.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	want := []int64{0, syncapi.ChunkSize, 2 * syncapi.ChunkSize}
	report("attachment_resume", "sent_offsets", net.sent, "acked_offsets", net.acked)
	if !slices.Equal(net.sent, want) {
		t.Fatalf("chunks sent at %v, want %v: an acknowledged chunk was sent again", net.sent, want)
	}

	// A chunk damaged on the way is refused and sent again.
	scan2 := []byte(strings.Repeat("第二份扫描件", 50_000))
	att2, _ := st.PutBlob(ctx, scan2, "授权委托书.pdf", "application/pdf")
	damaged := false
	net.sent, net.acked = nil, nil
	net.hook = func(req *syncv1.UploadChunkRequest) (bool, bool) {
		if !damaged {
			damaged = true
			req.Data[100] ^= 0x55
		}
		return false, true
	}
	number, _ = st.NextCaseNumber(ctx, dateOf(k))
	ch2 := fixture.Receive(k.rnd, m, k.actor(), number, k.at())
	ch2.Intake.Materials[1].Attachments = []casefile.Attachment{att2}
	if _, err := st.Record(ctx, ch2, scan2); err != nil {
		t.Fatal(err)
	}
	if err := cl.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	report("attachment_damaged_chunk", "sent_offsets", net.sent, "acked_offsets", net.acked)
	if len(net.sent) != len(net.acked)+1 || net.sent[0] != 0 || net.sent[1] != 0 {
		t.Fatalf("damaged chunk: sent %v acked %v; want the first chunk refused once and sent again", net.sent, net.acked)
	}
	if tl := compare(t, c, st); tl.lost != 0 || tl.local != 2 {
		t.Fatalf("%+v", tl)
	}
}

func TestRejectedChangeIsQuarantined(t *testing.T) {
	c := startCentral(t)
	sq, _ := c.enroll(t, "SQ01", nil)
	xz, _ := c.enroll(t, "XZ01", nil)
	agent, clerkXZ := mustClerk(t, sq, 7), mustClerk(t, xz, 8)
	clSQ, clXZ := newClient(t, sq, nil), newClient(t, xz, nil)
	ctx := context.Background()

	pc, err := agent.intake(ctx, zhaijidi)
	if err != nil {
		t.Fatal(err)
	}
	syncUntilClean(t, clSQ)
	syncUntilClean(t, clXZ)
	v, err := xz.Case(ctx, pc.ID)
	if err != nil {
		t.Fatal(err)
	}
	notice := fixture.Next(v.Case, caseflow.RequestSupplement, clerkXZ.actor(), clerkXZ.at())
	notice.Notice = &casefile.Notice{Items: []casefile.MissingItem{{Material: "village_minutes", Name: "村民会议讨论通过的会议记录", Note: "缺少村民代表签字"}}}
	if _, err := xz.Record(ctx, notice); err != nil {
		t.Fatal(err)
	}
	syncUntilClean(t, clXZ)
	syncUntilClean(t, clSQ) // the agent sees the one-time notice

	// Both the township and the agent register the same supplement; the
	// township's reaches central first.
	supp := func(k *clerk, s *store.Store) {
		t.Helper()
		v, err := s.Case(ctx, pc.ID)
		if err != nil {
			t.Fatal(err)
		}
		ch := fixture.Next(v.Case, caseflow.Supplement, k.actor(), k.at())
		ch.Materials = []casefile.MaterialRecord{{Code: "village_minutes", Received: true, Original: true, Copies: 1}}
		if _, err := s.Record(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	supp(clerkXZ, xz)
	syncUntilClean(t, clXZ)
	supp(agent, sq)
	later, err := agent.intake(ctx, zhaijidi) // queued after the doomed change
	if err != nil {
		t.Fatal(err)
	}
	if err := clSQ.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	s := clSQ.Status()
	rej, err := sq.Rejected(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rejected != 1 || s.Pending != 0 || len(rej) != 1 || rej[0].Reason != "illegal_transition" || rej[0].MessageZh == "" {
		t.Fatalf("status %+v, rejected %+v", s, rej)
	}
	if lv, err := sq.Case(ctx, later.ID); err != nil || lv.SyncState != store.CaseSynced {
		t.Fatalf("the change queued after the rejected one: %+v %v", lv, err)
	}
	// The agent's copy is central's: the rejected change left no trace.
	av, _ := sq.Case(ctx, pc.ID)
	if av.Case.Version != av.Confirmed.Version || av.Case.Status.State != caseflow.Received {
		t.Fatalf("agent's copy v%d %s, confirmed v%d", av.Case.Version, av.Case.Status.State, av.Confirmed.Version)
	}
	report("rejected_quarantined", "rejected", s.Rejected, "reason", rej[0].Reason)
}

// wireRecorder passes requests through and keeps what went over the wire
// for pushes: the Content-Encoding and the body.
type wireRecorder struct {
	mu     sync.Mutex
	pushes []recordedPush
}

type recordedPush struct {
	encoding string
	body     []byte
}

func (w *wireRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/Push") {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		w.mu.Lock()
		w.pushes = append(w.pushes, recordedPush{req.Header.Get("Content-Encoding"), body})
		w.mu.Unlock()
		req = req.Clone(req.Context())
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	return http.DefaultTransport.RoundTrip(req)
}

// A station's pushes travel gzip-compressed (its uplink is often a slow
// mobile line) and central applies them: the bytes on the wire are
// counted against the protobuf they carry.
func TestPushesAreCompressed(t *testing.T) {
	c := startCentral(t)
	rec := &wireRecorder{}
	hc := &http.Client{Transport: rec}
	xz, _ := c.enroll(t, "XZ01", nil)
	k := mustClerk(t, xz, 11)
	ctx := context.Background()
	for range 40 {
		if _, err := k.intake(ctx, dibao); err != nil {
			t.Fatal(err)
		}
	}
	syncUntilClean(t, newClient(t, xz, hc))
	if got := compare(t, c, xz); got.lost != 0 || got.central != 40 {
		t.Fatalf("central holds %d of 40 cases, lost %d", got.central, got.lost)
	}
	var wire, plain int
	for _, p := range rec.pushes {
		if p.encoding != "gzip" {
			t.Fatalf("a push of %d bytes went out with Content-Encoding %q", len(p.body), p.encoding)
		}
		zr, err := gzip.NewReader(bytes.NewReader(p.body))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		wire, plain = wire+len(p.body), plain+len(raw)
	}
	if len(rec.pushes) == 0 || wire*2 > plain {
		t.Fatalf("%d pushes: %d bytes on the wire for %d of protobuf; want at most half", len(rec.pushes), wire, plain)
	}
	report("push_compression", "pushes", len(rec.pushes), "wire_bytes", wire, "protobuf_bytes", plain, "ratio", fmt.Sprintf("%.2f", float64(plain)/float64(wire)))
}
