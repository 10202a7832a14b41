package store

import (
	"slices"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A store keeps each case as a document: the protobuf encoding of its wire
// form (wire.CaseToWire), the same message the sync API sends, so every
// field the wire carries is stored, and a case reads back exactly as a
// station receives it (times in UTC, empty lists nil).
//
// Every case of a matter received under one catalog version carries the
// same matter snapshot, which is most of its bytes. So a store keeps each
// distinct snapshot once, named by the SHA-256 of its encoding, and a case
// row holds the rest of the document and a reference to its snapshot:
// SplitCase cuts an EncodeCase document in two, DecodeMatter and
// DecodeCaseWith put a case back together.

// Field numbers of the wire Case that SplitCase reads.
var caseMatter, caseID, caseVersion = caseField("matter"), caseField("id"), caseField("version")

func caseField(name protoreflect.Name) protowire.Number {
	return (*syncv1.Case)(nil).ProtoReflect().Descriptor().Fields().ByName(name).Number()
}

var marshal = proto.MarshalOptions{Deterministic: true}

// EncodeCase returns the stored document of c: wire.CaseToWire(c) encoded as
// protobuf, with the matter snapshot as the last field, so that the bytes
// before it are the document a case row keeps (see SplitCase). The same case
// always encodes to the same bytes.
func EncodeCase(c *casefile.Case) ([]byte, error) {
	return AppendCase(nil, c)
}

// AppendCase appends EncodeCase(c) to b.
func AppendCase(b []byte, c *casefile.Case) ([]byte, error) {
	w := wire.CaseToWire(c)
	m := w.Matter
	w.Matter = nil
	b, err := marshal.MarshalAppend(b, w)
	if err != nil {
		return nil, err
	}
	// A Case holding only its matter encodes to exactly the matter field.
	return marshal.MarshalAppend(b, &syncv1.Case{Matter: m})
}

// DecodeCase decodes a document from EncodeCase (or any protobuf encoding
// of a wire Case, with or without its matter snapshot).
func DecodeCase(b []byte) (*casefile.Case, error) {
	return DecodeCaseWith(b, nil)
}

// CaseDoc is an EncodeCase document cut in two.
type CaseDoc struct {
	Rest    []byte // the document without the matter field: what a case row keeps
	Matter  []byte // the matter snapshot's encoding (empty if absent), stored once per distinct value
	ID      []byte // the case id, as encoded (part of doc; set by SplitCase)
	Version int64  // the case version, as encoded
}

// SplitCase cuts doc, a protobuf encoding of a wire Case, into the matter
// snapshot's encoding (aliasing doc) and the rest: for an EncodeCase
// document a prefix of doc, otherwise a copy. Either way Rest holds the same
// bytes for the same case.
func SplitCase(doc []byte) (CaseDoc, error) {
	var d CaseDoc
	start, end := -1, -1
	for i := 0; i < len(doc); {
		num, typ, n := protowire.ConsumeTag(doc[i:])
		if n < 0 {
			return CaseDoc{}, badDoc()
		}
		m := protowire.ConsumeFieldValue(num, typ, doc[i+n:])
		if m < 0 {
			return CaseDoc{}, badDoc()
		}
		v := doc[i+n : i+n+m]
		switch {
		case num == caseMatter && typ == protowire.BytesType:
			if start >= 0 {
				return CaseDoc{}, badDoc() // never written twice; merging is not worth it
			}
			start, end = i, i+n+m
			d.Matter, _ = protowire.ConsumeBytes(v)
		case num == caseID && typ == protowire.BytesType:
			d.ID, _ = protowire.ConsumeBytes(v)
		case num == caseVersion && typ == protowire.VarintType:
			x, _ := protowire.ConsumeVarint(v)
			d.Version = int64(x)
		}
		i += n + m
	}
	switch {
	case start < 0:
		d.Rest, d.Matter = doc, []byte{}
	case end == len(doc):
		d.Rest = doc[:start]
	default:
		d.Rest = append(doc[:start:start], doc[end:]...)
	}
	return d, nil
}

func badDoc() error {
	return bmerr.New(bmerr.Invalid, "case_doc", "办件数据已损坏，无法读取。", "the case document is malformed.")
}

// Matter is a decoded matter snapshot, to attach to each of the cases that
// share it. It is immutable and safe for concurrent use.
type Matter struct {
	w *syncv1.MatterSnapshot
}

// DecodeMatter decodes the snapshot encoding SplitCase returns.
func DecodeMatter(b []byte) (*Matter, error) {
	w := new(syncv1.MatterSnapshot)
	if err := proto.Unmarshal(b, w); err != nil {
		return nil, err
	}
	return &Matter{w}, nil
}

// DecodeCaseWith decodes a case document and, if m is not nil, sets its
// matter snapshot to m, as if the document had carried it. Every case gets
// its own copy: nothing of m is shared but immutable strings.
func DecodeCaseWith(doc []byte, m *Matter) (*casefile.Case, error) {
	w := new(syncv1.Case)
	if err := proto.Unmarshal(doc, w); err != nil {
		return nil, err
	}
	if m != nil {
		w.Matter = m.w
	}
	return wire.CaseFromWire(w)
}

// Encoder produces what SplitCase(EncodeCase(c)) would, but remembers the
// matter snapshots of the last few cases it encoded: a case whose snapshot
// equals one of them (most cases of a push) costs only the encoding of the
// rest. The zero Encoder is ready to use; it is not safe for concurrent use.
type Encoder struct {
	buf    []byte
	recent []recentMatter // most recently used first
}

// recentMatter is a snapshot an Encoder has encoded: its encoding, and the
// snapshot decoded from it (a copy of the caller's that nobody else holds).
type recentMatter struct {
	m   casefile.MatterSnapshot
	enc []byte
}

// encoderMatters is how many snapshots an Encoder remembers.
const encoderMatters = 4

// Encode returns c's document cut in two. Rest is valid until the next
// call; Matter and ID are never modified.
func (e *Encoder) Encode(c *casefile.Case) (CaseDoc, error) {
	for i := range e.recent {
		r := e.recent[i]
		if !sameMatter(&c.Matter, &r.m) {
			continue
		}
		copy(e.recent[1:i+1], e.recent[:i])
		e.recent[0] = r
		rest := *c
		rest.Matter = casefile.MatterSnapshot{}
		w := wire.CaseToWire(&rest)
		w.Matter = nil
		b, err := marshal.MarshalAppend(e.buf[:0], w)
		if err != nil {
			return CaseDoc{}, err
		}
		e.buf = b
		return CaseDoc{Rest: b, Matter: r.enc, ID: []byte(w.Id), Version: c.Version}, nil
	}
	b, err := AppendCase(e.buf[:0], c)
	if err != nil {
		return CaseDoc{}, err
	}
	e.buf = b
	d, err := SplitCase(b)
	if err != nil {
		return CaseDoc{}, err
	}
	enc := slices.Clone(d.Matter)
	m, err := DecodeMatter(enc)
	if err != nil {
		return CaseDoc{}, err
	}
	mc, err := wire.CaseFromWire(&syncv1.Case{Id: uuid.Nil.String(), Matter: m.w})
	if err != nil {
		return CaseDoc{}, err
	}
	if len(e.recent) < encoderMatters {
		e.recent = append(e.recent, recentMatter{})
	}
	copy(e.recent[1:], e.recent)
	e.recent[0] = recentMatter{m: mc.Matter, enc: enc}
	return CaseDoc{Rest: d.Rest, Matter: enc, ID: slices.Clone(d.ID), Version: c.Version}, nil
}

// sameMatter reports whether a and b encode the same (false negatives only
// cost an encoding). Every field is compared: TestSameMatterSeesEveryField
// fails for a field added to the snapshot and not here.
func sameMatter(a, b *casefile.MatterSnapshot) bool {
	return a.Code == b.Code && a.Name == b.Name && a.NameEn == b.NameEn &&
		a.CatalogVersion == b.CatalogVersion && a.Department == b.Department &&
		slices.Equal(a.CoDepartments, b.CoDepartments) &&
		slices.Equal(a.Levels.Accept, b.Levels.Accept) &&
		slices.Equal(a.Levels.Decide, b.Levels.Decide) &&
		slices.Equal(a.Levels.Proxy, b.Levels.Proxy) &&
		a.Handling == b.Handling &&
		(a.Legal == nil) == (b.Legal == nil) && (a.Legal == nil || *a.Legal == *b.Legal) &&
		a.Promised == b.Promised &&
		slices.Equal(a.SpecialProcedures, b.SpecialProcedures) &&
		(a.Workflow == nil) == (b.Workflow == nil) &&
		(a.Workflow == nil || slices.EqualFunc(a.Workflow.Stages, b.Workflow.Stages, sameStage)) &&
		slices.Equal(a.Materials, b.Materials)
}

func sameStage(a, b catalog.Stage) bool {
	return a.Kind == b.Kind && a.Department == b.Department && slices.Equal(a.Steps, b.Steps) &&
		slices.EqualFunc(a.Branches, b.Branches, sameBranch) && a.Rule == b.Rule && a.Days == b.Days
}

func sameBranch(a, b catalog.Branch) bool {
	return a.Department == b.Department && slices.Equal(a.Steps, b.Steps) && a.Days == b.Days
}
