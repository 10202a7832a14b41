package server

import (
	"fmt"

	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// pushCodec is connect's protobuf codec for the sync service, except for a
// push (pushBatch): its changes are decoded on every core, and each change's
// bytes are kept as the station sent them. A push carries up to
// MaxPushBatch changes of about a kilobyte; decoding them one after another
// took about 5.7 ms of a 1,000-change push while the other core waited, and
// central then encoded each change again for its body. The message is the
// one proto.Unmarshal would give, and a request proto.Unmarshal refuses is
// refused (FuzzPushCodec holds it to both).
type pushCodec struct{}

// pushBatch is a PushRequest as pushCodec decodes it: the message, and the
// bytes of each of its changes as sent, which central stores as the
// change's body (store.Applied.Body, what Feed returns).
type pushBatch struct {
	msg syncv1.PushRequest
	raw [][]byte // raw[i] encodes msg.Changes[i]; nil if the request could not be walked
}

// pushStreamBatch is a PushStreamRequest as pushCodec decodes it: its
// batch, as a pushBatch.
type pushStreamBatch struct{ pushBatch }

var streamBatch = (*syncv1.PushStreamRequest)(nil).ProtoReflect().Descriptor().Fields().ByName("batch").Number()

// splitMin is the fewest changes worth decoding in parallel; smaller pushes
// are decoded in one piece.
var splitMin = 64

var pushChanges = (*syncv1.PushRequest)(nil).ProtoReflect().Descriptor().Fields().ByName("changes").Number()

func (pushCodec) Name() string   { return "proto" }
func (pushCodec) IsBinary() bool { return true }

func (pushCodec) Marshal(m any) ([]byte, error) {
	pm, err := asProto(m)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(pm)
}

func (pushCodec) MarshalAppend(b []byte, m any) ([]byte, error) {
	pm, err := asProto(m)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{}.MarshalAppend(b, pm)
}

func (pushCodec) MarshalStable(m any) ([]byte, error) {
	pm, err := asProto(m)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(pm)
}

func (pushCodec) Unmarshal(data []byte, m any) error {
	var err error
	switch b := m.(type) {
	case *pushBatch:
		b.raw, err = unmarshalPush(data, &b.msg)
	case *pushStreamBatch:
		b.raw, err = unmarshalPushStream(data, &b.msg)
	default:
		var pm proto.Message
		if pm, err = asProto(m); err != nil {
			return err
		}
		err = proto.Unmarshal(data, pm)
	}
	if err != nil {
		return fmt.Errorf("unmarshal into %T: %w", m, err)
	}
	return nil
}

func asProto(m any) (proto.Message, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a protobuf message", m)
	}
	return pm, nil
}

// unmarshalPush walks the request's top-level fields, decodes everything
// but the changes as one message and the changes in parallel, puts them
// back in order, and returns a copy of each change's bytes (data is
// connect's pooled buffer). A request it cannot walk goes to proto.Unmarshal
// whole, so that the error is protobuf's own, and has no bytes returned.
func unmarshalPush(data []byte, req *syncv1.PushRequest) ([][]byte, error) {
	var changes [][]byte
	var rest []byte // every other field, in order
	if !eachField(data, func(num protowire.Number, field, value []byte) {
		if num == pushChanges && value != nil {
			changes = append(changes, value)
		} else {
			rest = append(rest, field...)
		}
	}) {
		return nil, proto.Unmarshal(data, req)
	}
	raw := copyAll(changes)
	if len(changes) < splitMin {
		return raw, proto.Unmarshal(data, req)
	}
	if err := proto.Unmarshal(rest, req); err != nil {
		return nil, err
	}
	decoded := make([]syncv1.Change, len(changes))
	errs := make([]error, len(changes))
	parallel(len(changes), func(i int) {
		// proto.Unmarshal copies what it keeps: data is connect's
		// pooled buffer.
		errs[i] = proto.Unmarshal(changes[i], &decoded[i])
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("change %d: %w", i+1, err)
		}
	}
	req.Changes = make([]*syncv1.Change, len(decoded))
	for i := range decoded {
		req.Changes[i] = &decoded[i]
	}
	return raw, nil
}

// unmarshalPushStream decodes a PushStreamRequest's batch into req as
// unmarshalPush does. Anything but exactly one batch field (a message
// protobuf would merge, or fields from a newer station) is decoded by
// proto.Unmarshal, with no bytes returned.
func unmarshalPushStream(data []byte, req *syncv1.PushRequest) ([][]byte, error) {
	var batch []byte
	n, other := 0, false
	walked := eachField(data, func(num protowire.Number, _, value []byte) {
		if num == streamBatch && value != nil {
			batch = value
			n++
		} else {
			other = true
		}
	})
	if !walked || n != 1 || other {
		var w syncv1.PushStreamRequest
		if err := proto.Unmarshal(data, &w); err != nil {
			return nil, err
		}
		proto.Reset(req)
		if w.Batch != nil {
			proto.Merge(req, w.Batch)
		}
		return nil, nil
	}
	return unmarshalPush(batch, req)
}

// eachField calls fn with each top-level field of the protobuf message in
// data, in order: its number, its whole encoding, and, for a field of the
// length-delimited wire type, its value (nil otherwise). It reports whether
// data is well formed at that level.
func eachField(data []byte, fn func(num protowire.Number, field, value []byte)) bool {
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return false
		}
		m := protowire.ConsumeFieldValue(num, typ, data[n:])
		if m < 0 {
			return false
		}
		var value []byte
		if typ == protowire.BytesType {
			value, _ = protowire.ConsumeBytes(data[n : n+m])
			if value == nil {
				value = []byte{}
			}
		}
		fn(num, data[:n+m], value)
		data = data[n+m:]
	}
	return true
}

// copyAll copies bs into one new array.
func copyAll(bs [][]byte) [][]byte {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	all := make([]byte, 0, n)
	out := make([][]byte, len(bs))
	for i, b := range bs {
		start := len(all)
		all = append(all, b...)
		out[i] = all[start:len(all):len(all)]
	}
	return out
}
