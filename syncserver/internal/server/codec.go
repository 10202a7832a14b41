package server

import (
	"fmt"

	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// pushCodec is connect's protobuf codec for the sync service, except that a
// PushRequest's changes are decoded on every core. A push carries up to
// MaxPushBatch changes of about a kilobyte; decoding them one after another
// took about 5.7 ms of a 1,000-change push, before its transaction could
// start, while the other core waited. The result is the message
// proto.Unmarshal would give, and a request proto.Unmarshal refuses is
// refused (FuzzPushCodec holds it to both).
type pushCodec struct{}

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
	pm, err := asProto(m)
	if err != nil {
		return err
	}
	if req, ok := m.(*syncv1.PushRequest); ok {
		err = unmarshalPush(data, req)
	} else {
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
// but the changes as one message and the changes in parallel, and puts them
// back in order. A request it cannot walk goes to proto.Unmarshal whole, so
// that the error is protobuf's own.
func unmarshalPush(data []byte, req *syncv1.PushRequest) error {
	var changes [][]byte
	var rest []byte // every other field, in order
	for b := data; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return proto.Unmarshal(data, req)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return proto.Unmarshal(data, req)
		}
		if num == pushChanges && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[n : n+m])
			changes = append(changes, v)
		} else {
			rest = append(rest, b[:n+m]...)
		}
		b = b[n+m:]
	}
	if len(changes) < splitMin {
		return proto.Unmarshal(data, req)
	}
	if err := proto.Unmarshal(rest, req); err != nil {
		return err
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
			return fmt.Errorf("change %d: %w", i+1, err)
		}
	}
	req.Changes = make([]*syncv1.Change, len(decoded))
	for i := range decoded {
		req.Changes[i] = &decoded[i]
	}
	return nil
}
