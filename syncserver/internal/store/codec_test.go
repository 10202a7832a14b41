package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"google.golang.org/protobuf/proto"
)

// testCases are cases as central holds them: received through Apply, of
// two matters (the first with a legal limit and a workflow).
func testCases(t testing.TB, n int) []*casefile.Case {
	t.Helper()
	cat := catalog.Demo()
	env := casefile.Env{Catalog: cat, Calendar: workcal.Builtin()}
	r := rand.New(rand.NewPCG(1, 2))
	day := time.Date(2026, 2, 12, 10, 0, 0, 0, workcal.Shanghai)
	var out []*casefile.Case
	matters := []*catalog.Matter{fixture.Matter(cat, "最低生活保障审核确认"), fixture.Matter(cat, "城乡居保待遇申领")}
	for i := range n {
		m := matters[i%2]
		level := m.Levels.Accept[0]
		ch := fixture.Receive(r, m, fixture.Actor("S01", level), fmt.Sprintf("S01-20260212-%04d", i+1), day)
		c := new(casefile.Case)
		if err := casefile.Apply(c, ch, env); err != nil {
			t.Fatalf("apply %s: %v", m.Name, err)
		}
		out = append(out, c)
	}
	return out
}

// sameJSON compares got with want as a station receives it (times in UTC,
// empty lists nil), by their JSON.
func sameJSON(t *testing.T, what string, got, want *casefile.Case) {
	t.Helper()
	want, err := wire.CaseFromWire(wire.CaseToWire(want))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func TestEncodeDecodeCase(t *testing.T) {
	for _, c := range testCases(t, 4) {
		doc, err := EncodeCase(c)
		if err != nil {
			t.Fatal(err)
		}
		// It is the wire message: what a station would receive.
		var w syncv1.Case
		if err := proto.Unmarshal(doc, &w); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(&w, wire.CaseToWire(c)) {
			t.Errorf("the document is not wire.CaseToWire of the case")
		}
		got, err := DecodeCase(doc)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "DecodeCase(EncodeCase)", got, c)
		again, _ := EncodeCase(got)
		if !bytes.Equal(again, doc) {
			t.Errorf("a decoded case encodes to other bytes")
		}
	}
	if _, err := DecodeCase([]byte{0xff, 0xff}); err == nil {
		t.Error("DecodeCase accepted garbage")
	}
}

func TestSplitCase(t *testing.T) {
	for _, c := range testCases(t, 2) {
		doc, _ := EncodeCase(c)
		d, err := SplitCase(doc)
		if err != nil {
			t.Fatal(err)
		}
		if string(d.ID) != c.ID.String() || d.Version != c.Version {
			t.Errorf("SplitCase read id %q version %d, want %s %d", d.ID, d.Version, c.ID, c.Version)
		}
		if len(d.Matter) == 0 || !bytes.HasPrefix(doc, d.Rest) || len(d.Rest)+len(d.Matter) >= len(doc) {
			t.Fatalf("rest %d + matter %d bytes of a %d-byte document", len(d.Rest), len(d.Matter), len(doc))
		}
		// The rest carries no snapshot; the snapshot puts the case back together.
		bare, err := DecodeCase(d.Rest)
		if err != nil {
			t.Fatal(err)
		}
		if bare.Matter.Code != "" {
			t.Errorf("the rest of the document still has the matter %q", bare.Matter.Code)
		}
		m, err := DecodeMatter(d.Matter)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeCaseWith(d.Rest, m)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "DecodeCaseWith", got, c)

		// The standard field order (matter third) splits into the same bytes.
		std, _ := proto.MarshalOptions{Deterministic: true}.Marshal(wire.CaseToWire(c))
		if bytes.Equal(std, doc) {
			t.Fatal("the standard encoding is EncodeCase's: the test tests nothing")
		}
		s, err := SplitCase(std)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(s.Rest, d.Rest) || !bytes.Equal(s.Matter, d.Matter) {
			t.Error("the standard encoding splits into other bytes")
		}
	}
	if _, err := SplitCase([]byte{0x1a, 0x05, 0x01}); err == nil {
		t.Error("SplitCase accepted a truncated document")
	}
	d, err := SplitCase(nil)
	if err != nil || d.Matter == nil || len(d.Matter) != 0 {
		t.Errorf("SplitCase(nil) = %+v, %v; want an empty, non-nil matter", d, err)
	}
}

// Two cases sharing a snapshot get their own copies of it.
func TestDecodeCaseWithCopies(t *testing.T) {
	c := testCases(t, 1)[0]
	if c.Matter.Workflow == nil || len(c.Matter.Levels.Accept) == 0 {
		t.Fatal("the test needs a matter with a workflow")
	}
	doc, _ := EncodeCase(c)
	d, _ := SplitCase(doc)
	m, _ := DecodeMatter(d.Matter)
	a, _ := DecodeCaseWith(d.Rest, m)
	b, _ := DecodeCaseWith(d.Rest, m)
	a.Matter.Materials[0].Name = "changed"
	a.Matter.Levels.Accept[0] = "changed"
	a.Matter.Workflow.Stages[0].Steps[0] = "changed"
	sameJSON(t, "the other case", b, c)
}

func TestEncoderMatchesEncodeCase(t *testing.T) {
	var e Encoder
	cases := testCases(t, 12)
	// Equal snapshots that share no memory with the ones encoded before.
	for _, c := range cases[:2] {
		cp := *c
		doc, _ := EncodeCase(c)
		d, _ := SplitCase(doc)
		m, _ := DecodeMatter(d.Matter)
		bare, err := DecodeCaseWith(d.Rest, m)
		if err != nil {
			t.Fatal(err)
		}
		cp.Matter = bare.Matter
		cases = append(cases, &cp)
	}
	// One with a snapshot of its own, between the others.
	odd := *cases[0]
	odd.Matter.CatalogVersion++
	cases = append(cases[:5], append([]*casefile.Case{&odd}, cases[5:]...)...)
	for i, c := range cases {
		doc, _ := EncodeCase(c)
		want, _ := SplitCase(doc)
		got, err := e.Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Rest, want.Rest) || !bytes.Equal(got.Matter, want.Matter) ||
			!bytes.Equal(got.ID, want.ID) || got.Version != c.Version {
			t.Errorf("case %d: the Encoder's document differs from EncodeCase's", i)
		}
	}
	if len(e.recent) != 3 {
		t.Errorf("the Encoder remembers %d snapshots, want 3", len(e.recent))
	}
}

// TestSameMatterSeesEveryField changes each field of a snapshot in turn:
// sameMatter must notice, or the Encoder would store a case with another
// case's snapshot.
func TestSameMatterSeesEveryField(t *testing.T) {
	var base casefile.MatterSnapshot
	n := 0
	fill(t, reflect.ValueOf(&base).Elem(), "", &n)
	if !sameMatter(&base, &base) {
		t.Fatal("a snapshot differs from itself")
	}
	leaves := 0
	eachLeaf(reflect.ValueOf(&base).Elem(), "", func(path string, set func()) {
		leaves++
		var other casefile.MatterSnapshot
		n := 0
		fill(t, reflect.ValueOf(&other).Elem(), "", &n)
		if !sameMatter(&base, &other) {
			t.Fatalf("two fills differ before changing %s", path)
		}
		eachLeaf(reflect.ValueOf(&other).Elem(), "", func(p string, set func()) {
			if p == path {
				set()
			}
		})
		if sameMatter(&base, &other) {
			t.Errorf("sameMatter misses a change of %s", path)
		}
	})
	if leaves < 30 {
		t.Errorf("only %d fields found", leaves)
	}
	// nil and empty lists encode the same; a nil and an empty workflow do not.
	a, b := base, base
	a.CoDepartments, b.CoDepartments = nil, []string{}
	if !sameMatter(&a, &b) {
		t.Error("a nil and an empty list differ")
	}
	a.Workflow, b.Workflow = nil, &catalog.Workflow{}
	if sameMatter(&a, &b) {
		t.Error("a nil and an empty workflow are the same")
	}
}

// fill sets every field of v to a distinct non-zero value; pointers and
// slices get fresh memory, so two fills share nothing.
func fill(t *testing.T, v reflect.Value, path string, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s=%d", path, *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem(), path, n)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(t, s.Index(i), fmt.Sprintf("%s[%d]", path, i), n)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), path+"."+v.Type().Field(i).Name, n)
		}
	default:
		t.Fatalf("fill: %s has kind %s; teach fill about it", path, v.Kind())
	}
}

// eachLeaf calls fn with the path of every scalar field under v and a
// function that changes it.
func eachLeaf(v reflect.Value, path string, fn func(path string, set func())) {
	switch v.Kind() {
	case reflect.String:
		fn(path, func() { v.SetString(v.String() + "'") })
	case reflect.Bool:
		fn(path, func() { v.SetBool(!v.Bool()) })
	case reflect.Int, reflect.Int32, reflect.Int64:
		fn(path, func() { v.SetInt(v.Int() + 1000) })
	case reflect.Pointer:
		fn(path+"(nil)", func() { v.SetZero() })
		eachLeaf(v.Elem(), path, fn)
	case reflect.Slice:
		fn(path+"(len)", func() { v.Set(v.Slice(0, v.Len()-1)) })
		for i := range v.Len() {
			eachLeaf(v.Index(i), fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			eachLeaf(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
		}
	}
}

func BenchmarkEncodeCase(b *testing.B) {
	c := testCases(b, 1)[0]
	b.Run("EncodeCase", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = AppendCase(buf[:0], c)
		}
	})
	b.Run("Encoder", func(b *testing.B) {
		var e Encoder
		for b.Loop() {
			e.Encode(c)
		}
	})
	b.Run("JSON", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(c)
		}
	})
}

func BenchmarkDecodeCase(b *testing.B) {
	c := testCases(b, 1)[0]
	doc, _ := EncodeCase(c)
	d, _ := SplitCase(doc)
	m, _ := DecodeMatter(d.Matter)
	js, _ := json.Marshal(c)
	b.Run("DecodeCaseWith", func(b *testing.B) {
		for b.Loop() {
			DecodeCaseWith(d.Rest, m)
		}
	})
	b.Run("JSON", func(b *testing.B) {
		for b.Loop() {
			json.Unmarshal(js, new(casefile.Case))
		}
	})
	b.Logf("document %d bytes (rest %d, matter %d); JSON %d", len(doc), len(d.Rest), len(d.Matter), len(js))
}
