package server

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// pushBytes encodes a push of n changes, with an unknown field between
// them.
func pushBytes(t testing.TB, n int) []byte {
	t.Helper()
	req := &syncv1.PushRequest{ClientTime: timestamppb.Now()}
	r := rand.New(rand.NewPCG(1, uint64(n)))
	m := fixture.Matter(catalog.Demo(), "最低生活保障审核确认")
	actor := fixture.Actor("XZ01", catalog.Township)
	at := time.Date(2026, 2, 12, 10, 0, 0, 0, workcal.Shanghai)
	for i := range n {
		ch := fixture.Receive(r, m, actor, caseflow.FormatNumber("XZ01", workcal.DateOf(at), i+1), at)
		req.Changes = append(req.Changes, wire.ChangeToWire(ch))
	}
	b, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	b = protowire.AppendTag(b, 99, protowire.BytesType)
	b = protowire.AppendString(b, "from a newer station")
	if n > 0 {
		extra, _ := proto.Marshal(req.Changes[0])
		b = protowire.AppendTag(b, pushChanges, protowire.BytesType)
		b = protowire.AppendBytes(b, extra)
	}
	return b
}

// checkPushCodec holds the codec to proto.Unmarshal on data: the same
// message, or both refuse it; and each change's kept bytes decode to that
// change.
func checkPushCodec(t *testing.T, data []byte) {
	// The same batch as PushStream carries it.
	checkStreamCodec(t, protowire.AppendBytes(protowire.AppendTag(nil, streamBatch, protowire.BytesType), data))
	want := new(syncv1.PushRequest)
	wantErr := proto.Unmarshal(data, want)
	got := new(pushBatch)
	err := pushCodec{}.Unmarshal(data, got)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("codec error %v, proto.Unmarshal error %v", err, wantErr)
	case err != nil:
		return
	case !proto.Equal(&got.msg, want):
		t.Fatalf("codec decoded %d changes unlike proto.Unmarshal's %d", len(got.msg.Changes), len(want.Changes))
	}
	checkRaw(t, got, want)
}

// checkStreamCodec is checkPushCodec for a PushStreamRequest.
func checkStreamCodec(t *testing.T, data []byte) {
	var wrapped syncv1.PushStreamRequest
	wantErr := proto.Unmarshal(data, &wrapped)
	want := wrapped.GetBatch()
	if want == nil {
		want = new(syncv1.PushRequest)
	}
	got := new(pushStreamBatch)
	err := pushCodec{}.Unmarshal(data, got)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("stream codec error %v, proto.Unmarshal error %v", err, wantErr)
	case err != nil:
		return
	case !proto.Equal(&got.msg, want):
		t.Fatalf("stream codec decoded %d changes unlike proto.Unmarshal's %d", len(got.msg.Changes), len(want.Changes))
	}
	checkRaw(t, &got.pushBatch, want)
}

// checkRaw checks that each change's kept bytes decode to that change.
func checkRaw(t *testing.T, got *pushBatch, want *syncv1.PushRequest) {
	if got.raw == nil {
		return // not walked: the change bodies are encoded again
	}
	if len(got.raw) != len(want.Changes) {
		t.Fatalf("%d change bodies for %d changes", len(got.raw), len(want.Changes))
	}
	for i, raw := range got.raw {
		var c syncv1.Change
		if err := proto.Unmarshal(raw, &c); err != nil || !proto.Equal(&c, want.Changes[i]) {
			t.Fatalf("change %d: its kept bytes decode to another change (%v)", i, err)
		}
	}
}

func TestPushCodecMatchesProto(t *testing.T) {
	defer func(n int) { splitMin = n }(splitMin)
	for _, min := range []int{splitMin, 1} {
		splitMin = min
		for _, n := range []int{0, 1, 3, 200} {
			data := pushBytes(t, n)
			checkPushCodec(t, data)
			// Cut short, and with a change's bytes spoilt.
			checkPushCodec(t, data[:len(data)/2])
			if n > 0 {
				bad := append([]byte(nil), data...)
				bad[len(bad)/3] = 0xff
				checkPushCodec(t, bad)
			}
		}
	}
	data := pushBytes(t, 200)
	got := new(pushBatch)
	if err := (pushCodec{}).Unmarshal(data, got); err != nil || len(got.msg.Changes) != 201 || len(got.raw) != 201 {
		t.Fatalf("decoded %d changes, %d bodies (%v), want 201", len(got.msg.Changes), len(got.raw), err)
	}
	if len(got.msg.ProtoReflect().GetUnknown()) == 0 {
		t.Error("the unknown field was dropped")
	}
	// The bodies are copies: connect reuses the request's buffer.
	kept := string(got.raw[0])
	clear(data)
	if string(got.raw[0]) != kept {
		t.Error("a change's body aliases the request's buffer")
	}
}

func FuzzPushCodec(f *testing.F) {
	for _, n := range []int{0, 1, 4} {
		f.Add(pushBytes(f, n))
	}
	f.Add([]byte{0x0a, 0x02, 0x08})
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func(n int) { splitMin = n }(splitMin)
		splitMin = 1
		checkPushCodec(t, data)
		checkStreamCodec(t, data)
	})
}
