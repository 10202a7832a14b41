package server_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func batchOf(chs ...*casefile.Change) *syncv1.PushRequest {
	req := &syncv1.PushRequest{ClientTime: timestamppb.Now()}
	for _, ch := range chs {
		req.Changes = append(req.Changes, wire.ChangeToWire(ch))
	}
	return req
}

// pushStream sends batches in one PushStream call.
func (s *station) pushStream(ctx context.Context, batches ...*syncv1.PushRequest) (*syncv1.PushResponse, error) {
	return syncapi.PushStream(ctx, s.sync, batches)
}

// streamBatches builds, for station s of e, batches that exercise every
// outcome across batch boundaries: new cases, later changes of cases from
// an earlier batch, a change repeated from an earlier batch, a repeat
// within a batch, an illegal transition.
func streamBatches(e *env, s *station) []*syncv1.PushRequest {
	r1, r2, r3 := e.receive(s, "最低生活保障审核确认"), e.receive(s, "最低生活保障审核确认"), e.receive(s, "最低生活保障审核确认")
	acc1 := next(r1.CaseID, caseflow.Accept, s, day)
	acc2 := next(r2.CaseID, caseflow.Accept, s, day)
	bad := next(r3.CaseID, caseflow.Deliver, s, day) // not decided yet
	r4 := e.receive(s, "最低生活保障审核确认")
	return []*syncv1.PushRequest{
		batchOf(r1, r2, r3),
		batchOf(acc1, r1, acc2, acc2, bad),
		batchOf(r4, next(r4.CaseID, caseflow.Accept, s, day)),
	}
}

// TestPushStreamEqualsPushes: the batches of one PushStream call end as the
// same batches pushed one by one: the same results, in order, down to the
// log's seqs, and the same cases.
func TestPushStreamEqualsPushes(t *testing.T) {
	ctx := context.Background()
	one, many := newEnv(t), newEnv(t)
	xzOne, xzMany := one.enroll("XZ01"), many.enroll("XZ01")
	batches := streamBatches(one, xzOne)
	many.rnd, many.cat = one.rnd, one.cat // unused: the same batches go to both

	var want []*syncv1.PushResult
	for _, b := range batches {
		resp, err := xzOne.sync.Push(ctx, connect.NewRequest(b))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, resp.Msg.Results...)
	}
	got, err := xzMany.pushStream(ctx, batches...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(got.Results), len(want))
	}
	outcomes := map[syncv1.PushResult_Outcome]int{}
	for i := range want {
		if !proto.Equal(got.Results[i], want[i]) {
			t.Errorf("result %d = %v, want %v", i, got.Results[i], want[i])
		}
		outcomes[want[i].Outcome]++
	}
	if outcomes[syncv1.PushResult_OUTCOME_APPLIED] != 7 || outcomes[syncv1.PushResult_OUTCOME_ALREADY_APPLIED] != 2 ||
		outcomes[syncv1.PushResult_OUTCOME_REJECTED] != 1 {
		t.Errorf("outcomes %v, want 7 applied, 2 already applied, 1 rejected", outcomes)
	}
	for _, b := range batches {
		for _, w := range b.Changes {
			id := uuid.MustParse(w.CaseId)
			a, errA := one.store.Case(ctx, id)
			c, errC := many.store.Case(ctx, id)
			if errA != nil || errC != nil || a.Version != c.Version || a.Status.State != c.Status.State {
				t.Errorf("case %s: one by one %v (%v), streamed %v (%v)", id, a, errA, c, errC)
			}
		}
	}
}

// TestPushStreamStopsAtTheFirstBadBatch: a malformed batch ends the call
// with its error; the batches before it stay applied, the ones after it are
// not read; sending them all again applies each change once.
func TestPushStreamStopsAtTheFirstBadBatch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	xz := e.enroll("XZ01")
	first, after := e.receive(xz, "最低生活保障审核确认"), e.receive(xz, "最低生活保障审核确认")
	bad := batchOf(e.receive(xz, "最低生活保障审核确认"))
	bad.Changes[0].Id = "not-an-id"
	_, err := xz.pushStream(ctx, batchOf(first), bad, batchOf(after))
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("stream with a malformed batch: %v, want InvalidArgument", err)
	}
	if _, err := e.store.Case(ctx, first.CaseID); err != nil {
		t.Errorf("the batch before the bad one was not applied: %v", err)
	}
	if _, err := e.store.Case(ctx, after.CaseID); err == nil {
		t.Error("a batch after the bad one was applied")
	}
	resp, err := xz.pushStream(ctx, batchOf(first), batchOf(after))
	if err != nil {
		t.Fatal(err)
	}
	wantOutcome(t, resp.Results[0], syncv1.PushResult_OUTCOME_ALREADY_APPLIED, "")
	wantOutcome(t, resp.Results[1], syncv1.PushResult_OUTCOME_APPLIED, "")

	// No batch, and one batch too many.
	if _, err := xz.pushStream(ctx); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("empty stream: %v, want InvalidArgument", err)
	}
	var many []*syncv1.PushRequest
	var firstCase *casefile.Change
	for i := range syncapi.MaxStreamBatches + 1 {
		ch := e.receive(xz, "最低生活保障审核确认")
		if i == 0 {
			firstCase = ch
		}
		many = append(many, batchOf(ch))
	}
	if _, err := xz.pushStream(ctx, many...); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("%d batches: %v, want InvalidArgument", len(many), err)
	}
	if _, err := e.store.Case(ctx, firstCase.CaseID); err != nil {
		t.Errorf("the batches within the limit were not applied: %v", err)
	}
}

// TestPushStreamAuthenticates: a stream without a credential, or with a
// revoked one, is refused before anything is applied, as Push is.
func TestPushStreamAuthenticates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	xz := e.enroll("XZ01")
	ch := e.receive(xz, "最低生活保障审核确认")

	anon := &station{}
	e.clients(anon, "")
	if _, err := anon.pushStream(ctx, batchOf(ch)); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("stream without a credential: %v, want Unauthenticated", err)
	}
	if err := e.srv.RevokeDevice(ctx, xz.deviceID); err != nil {
		t.Fatal(err)
	}
	_, pushErr := xz.sync.Push(ctx, connect.NewRequest(batchOf(ch)))
	_, streamErr := xz.pushStream(ctx, batchOf(ch))
	if connect.CodeOf(streamErr) == connect.CodeUnknown || connect.CodeOf(streamErr) != connect.CodeOf(pushErr) {
		t.Errorf("revoked device: stream %v, push %v; want the same refusal", streamErr, pushErr)
	}
	if _, err := e.store.Case(ctx, ch.CaseID); err == nil {
		t.Error("a refused stream applied a change")
	}
}

// TestPushStreamCutMidway: the connection dies after central applied the
// first batch and before the call ends; sending everything again applies
// every change exactly once.
func TestPushStreamCutMidway(t *testing.T) {
	e := newEnv(t)
	xz := e.enroll("XZ01")
	var batches []*syncv1.PushRequest
	var cases []*casefile.Change
	for range 3 {
		ch := e.receive(xz, "最低生活保障审核确认")
		cases = append(cases, ch)
		batches = append(batches, batchOf(ch))
	}
	ctx, cancel := context.WithCancel(context.Background())
	stream := xz.sync.PushStream(ctx)
	if err := stream.Send(&syncv1.PushStreamRequest{Batch: batches[0]}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := e.store.Case(context.Background(), cases[0].CaseID); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first batch was never applied")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // the cut
	if _, err := stream.CloseAndReceive(); err == nil {
		t.Fatal("a cut stream answered")
	}
	resp, err := xz.pushStream(context.Background(), batches...)
	if err != nil {
		t.Fatal(err)
	}
	applied, again := 0, 0
	for _, r := range resp.Results {
		switch r.Outcome {
		case syncv1.PushResult_OUTCOME_APPLIED:
			applied++
		case syncv1.PushResult_OUTCOME_ALREADY_APPLIED:
			again++
		}
	}
	if applied != 2 || again != 1 {
		t.Errorf("after the cut: %d applied, %d already applied; want 2 and 1", applied, again)
	}
	for _, ch := range cases {
		hist, err := e.store.Changes(context.Background(), ch.CaseID)
		if err != nil || len(hist) != 1 {
			t.Errorf("case %s: %d changes (%v), want exactly 1", ch.CaseID, len(hist), err)
		}
	}
	t.Logf("PROOF push_stream_cut batches=3 applied_before_cut=1 applied_after=%d already=%d lost=0 duplicated=0", applied, again)
}
