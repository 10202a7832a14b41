package wire_test

import (
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"google.golang.org/protobuf/proto"
)

// FuzzChangeFromWire feeds whatever a peer might send through the decoder
// and the converter. ChangeFromWire must not panic, must fail only with a
// wire_… *bmerr.Error, and what it accepts must survive another round trip.
func FuzzChangeFromWire(f *testing.F) {
	full, err := proto.Marshal(wire.ChangeToWire(receiveChange()))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte{})
	f.Add(full[:len(full)/2])
	bad, _ := proto.Marshal(&syncv1.Change{Id: "x", Warning: &syncv1.Warning{Due: "2026-02-30"}})
	f.Add(bad)
	f.Fuzz(func(t *testing.T, b []byte) {
		var w syncv1.Change
		if proto.Unmarshal(b, &w) != nil {
			return
		}
		c, err := wire.ChangeFromWire(&w)
		if err != nil {
			e := bmerr.As(err)
			if e == nil || e.Code != bmerr.Invalid || !strings.HasPrefix(e.Reason, "wire_") || e.Field == "" {
				t.Fatalf("ChangeFromWire failed with %#v, want a wire_… *bmerr.Error naming a field", err)
			}
			return
		}
		again, err := wire.ChangeFromWire(wire.ChangeToWire(c))
		if err != nil {
			t.Fatalf("an accepted change does not convert back: %v", err)
		}
		if d := diff(c, again); d != "" {
			t.Fatalf("second round trip changed the change: %s", d)
		}
	})
}

// FuzzCaseFromWire is the same for the authoritative case central sends down.
func FuzzCaseFromWire(f *testing.F) {
	full, err := proto.Marshal(&syncv1.Case{
		Id: goodID, ReceivedOn: "2026-02-12",
		Stopped:  []*syncv1.Span{{From: "2026-02-13", To: "2026-02-20"}},
		Warnings: []*syncv1.Warning{{Level: "yellow", Due: "2026-03-01"}},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var w syncv1.Case
		if proto.Unmarshal(b, &w) != nil {
			return
		}
		c, err := wire.CaseFromWire(&w)
		if err != nil {
			e := bmerr.As(err)
			if e == nil || e.Code != bmerr.Invalid || !strings.HasPrefix(e.Reason, "wire_") || e.Field == "" {
				t.Fatalf("CaseFromWire failed with %#v, want a wire_… *bmerr.Error naming a field", err)
			}
			return
		}
		again, err := wire.CaseFromWire(wire.CaseToWire(c))
		if err != nil {
			t.Fatalf("an accepted case does not convert back: %v", err)
		}
		if d := diff(c, again); d != "" {
			t.Fatalf("second round trip changed the case: %s", d)
		}
	})
}
