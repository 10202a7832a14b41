package wire_test

import (
	"testing"

	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"google.golang.org/protobuf/proto"
)

// BenchmarkChangeRoundTrip measures what one synced receive change costs on
// each side: convert and encode on the sender, decode and convert on the
// receiver. The convert sub-benchmark isolates this package's share.
func BenchmarkChangeRoundTrip(b *testing.B) {
	c := receiveChange()
	b.Run("convert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := wire.ChangeFromWire(wire.ChangeToWire(c)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bytes", func(b *testing.B) {
		size, err := proto.Marshal(wire.ChangeToWire(c))
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(size)))
		b.ReportAllocs()
		for b.Loop() {
			buf, err := proto.Marshal(wire.ChangeToWire(c))
			if err != nil {
				b.Fatal(err)
			}
			var w syncv1.Change
			if err := proto.Unmarshal(buf, &w); err != nil {
				b.Fatal(err)
			}
			if _, err := wire.ChangeFromWire(&w); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The benchmark claims a realistic change of about a kilobyte; keep it so.
func TestReceiveChangeIsAboutOneKilobyte(t *testing.T) {
	b, err := proto.Marshal(wire.ChangeToWire(receiveChange()))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b); n < 700 || n > 1400 {
		t.Errorf("receive change is %d bytes on the wire, want about 1 KB", n)
	}
}
