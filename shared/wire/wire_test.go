package wire_test

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	"pgregory.net/rapid"
)

func TestChangeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := changeGen().Draw(t, "change")
		got, err := wire.ChangeFromWire(wire.ChangeToWire(want))
		if err != nil {
			t.Fatalf("ChangeFromWire: %v", err)
		}
		if d := diff(want, got); d != "" {
			t.Fatalf("round trip changed the change: %s", d)
		}
	})
}

func TestChangeRoundTripThroughBytes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := changeGen().Draw(t, "change")
		b, err := proto.Marshal(wire.ChangeToWire(want))
		if err != nil {
			t.Fatalf("proto.Marshal: %v", err)
		}
		var w syncv1.Change
		if err := proto.Unmarshal(b, &w); err != nil {
			t.Fatalf("proto.Unmarshal: %v", err)
		}
		got, err := wire.ChangeFromWire(&w)
		if err != nil {
			t.Fatalf("ChangeFromWire: %v", err)
		}
		if d := diff(want, got); d != "" {
			t.Fatalf("round trip through bytes changed the change: %s", d)
		}
	})
}

func TestCaseRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := caseGen().Draw(t, "case")
		got, err := wire.CaseFromWire(wire.CaseToWire(want))
		if err != nil {
			t.Fatalf("CaseFromWire: %v", err)
		}
		if d := diff(want, got); d != "" {
			t.Fatalf("round trip changed the case: %s", d)
		}
	})
}

func TestCaseRoundTripThroughBytes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := caseGen().Draw(t, "case")
		b, err := proto.Marshal(wire.CaseToWire(want))
		if err != nil {
			t.Fatalf("proto.Marshal: %v", err)
		}
		var w syncv1.Case
		if err := proto.Unmarshal(b, &w); err != nil {
			t.Fatalf("proto.Unmarshal: %v", err)
		}
		got, err := wire.CaseFromWire(&w)
		if err != nil {
			t.Fatalf("CaseFromWire: %v", err)
		}
		if d := diff(want, got); d != "" {
			t.Fatalf("round trip through bytes changed the case: %s", d)
		}
	})
}

// Random values leave fields zero half the time; these fill every field with
// a distinct value, so a dropped or swapped field cannot slip through.
func TestEveryFieldCrossesTheWire(t *testing.T) {
	t.Run("change", func(t *testing.T) {
		var want casefile.Change
		fillAll(t, reflect.ValueOf(&want).Elem(), "", new(int))
		got, err := wire.ChangeFromWire(roundTripBytes(t, wire.ChangeToWire(&want)))
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(&want, got); d != "" {
			t.Fatal(d)
		}
	})
	t.Run("case", func(t *testing.T) {
		var want casefile.Case
		fillAll(t, reflect.ValueOf(&want).Elem(), "", new(int))
		got, err := wire.CaseFromWire(roundTripBytes(t, wire.CaseToWire(&want)))
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(&want, got); d != "" {
			t.Fatal(d)
		}
	})
}

func roundTripBytes[M proto.Message](t *testing.T, m M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := m.ProtoReflect().New().Interface().(M)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The diff helper is what makes the round-trip tests mean anything; check
// that it is blind only where the wire is documented to be.
func TestDiff(t *testing.T) {
	at := time.Date(2026, 2, 12, 9, 30, 0, 5, workcal.Shanghai)
	tests := []struct {
		name      string
		want, got casefile.Change
		same      bool
	}{
		{"zone ignored", casefile.Change{At: at}, casefile.Change{At: at.UTC()}, true},
		{"nil and empty slices alike", casefile.Change{Materials: nil}, casefile.Change{Materials: []casefile.MaterialRecord{}}, true},
		{"nanosecond seen", casefile.Change{At: at}, casefile.Change{At: at.Add(1)}, false},
		{"nil and empty struct differ", casefile.Change{}, casefile.Change{Notice: &casefile.Notice{}}, false},
		{"deep string seen", casefile.Change{Intake: &casefile.Intake{Applicant: casefile.Applicant{Name: "甲"}}},
			casefile.Change{Intake: &casefile.Intake{Applicant: casefile.Applicant{Name: "乙"}}}, false},
		{"id byte seen", casefile.Change{}, casefile.Change{CaseID: [16]byte{15: 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := diff(tt.want, tt.got); (d == "") != tt.same {
				t.Errorf("diff = %q, want same=%t", d, tt.same)
			}
		})
	}
}

func TestTimesComeBackInUTC(t *testing.T) {
	at := time.Date(2026, 2, 12, 9, 30, 15, 123_456_789, workcal.Shanghai)
	got, err := wire.ChangeFromWire(wire.ChangeToWire(&casefile.Change{At: at}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.At.Equal(at) || got.At.Location() != time.UTC {
		t.Errorf("At = %v (%v), want %v in UTC", got.At, got.At.Location(), at)
	}
	if w := wire.ChangeToWire(&casefile.Change{}); w.At != nil {
		t.Errorf("zero time went on the wire as %v, want absent", w.At)
	}
}

func TestEmptySlicesComeBackNil(t *testing.T) {
	c := &casefile.Case{Materials: []casefile.MaterialRecord{}, Notice: &casefile.Notice{Reasons: []string{}}}
	got, err := wire.CaseFromWire(wire.CaseToWire(c))
	if err != nil {
		t.Fatal(err)
	}
	if got.Materials != nil || got.Notice == nil || got.Notice.Reasons != nil {
		t.Errorf("got Materials=%#v Notice=%#v, want nil slices in a present notice", got.Materials, got.Notice)
	}
}

func TestCountsSaturate(t *testing.T) {
	tests := []struct {
		days int
		want int32
	}{
		{10, 10},
		{-3, -3},
		{math.MaxInt32 + 1, math.MaxInt32},
		{math.MinInt32 - 1, math.MinInt32},
	}
	for _, tt := range tests {
		w := wire.ChangeToWire(&casefile.Change{Extension: &casefile.Extension{Days: tt.days}})
		if got := w.GetExtension().GetDays(); got != tt.want {
			t.Errorf("Days %d went on the wire as %d, want %d", tt.days, got, tt.want)
		}
	}
}

func TestNilToWire(t *testing.T) {
	if w := wire.ChangeToWire(nil); w != nil {
		t.Errorf("ChangeToWire(nil) = %v, want nil", w)
	}
	if w := wire.CaseToWire(nil); w != nil {
		t.Errorf("CaseToWire(nil) = %v, want nil", w)
	}
}

const (
	goodID  = "0195a3c4-7b2e-7d41-9c3a-5e8f1a2b3c4d"
	otherID = "0195a3c4-7b2e-7d41-9c3a-5e8f1a2b3c4e"
)

func TestChangeFromWireRejects(t *testing.T) {
	tests := []struct {
		name   string
		change *syncv1.Change
		reason string
		field  string
	}{
		{"nil change", nil, "wire_missing", "change"},
		{"empty id", &syncv1.Change{CaseId: otherID}, "wire_uuid", "id"},
		{"bad id", &syncv1.Change{Id: "not-a-uuid", CaseId: otherID}, "wire_uuid", "id"},
		{"id one digit short", &syncv1.Change{Id: goodID[:35], CaseId: otherID}, "wire_uuid", "id"},
		{"bad case id", &syncv1.Change{Id: goodID, CaseId: "0195a3c4-7b2e-7d41-9c3a-5e8f1a2b3cXX"}, "wire_uuid", "case_id"},
		{"time too late", &syncv1.Change{Id: goodID, CaseId: otherID, At: &timestamppb.Timestamp{Seconds: math.MaxInt64}}, "wire_time", "at"},
		{"negative nanos", &syncv1.Change{Id: goodID, CaseId: otherID, At: &timestamppb.Timestamp{Seconds: 1, Nanos: -1}}, "wire_time", "at"},
		{"30 February", &syncv1.Change{Id: goodID, CaseId: otherID,
			Intake: &syncv1.Intake{Applicant: &syncv1.Applicant{Birth: "2026-02-30"}}}, "wire_date", "intake.applicant.birth"},
		{"slashed date", &syncv1.Change{Id: goodID, CaseId: otherID,
			Decision: &syncv1.Decision{On: "2026/02/12"}}, "wire_date", "decision.on"},
		{"date with time", &syncv1.Change{Id: goodID, CaseId: otherID,
			Delivery: &syncv1.Delivery{On: "2026-02-12T00:00:00Z"}}, "wire_date", "delivery.on"},
		{"bad due", &syncv1.Change{Id: goodID, CaseId: otherID,
			Warning: &syncv1.Warning{Due: "2026-13-01"}}, "wire_date", "warning.due"},
		{"bad raised", &syncv1.Change{Id: goodID, CaseId: otherID,
			Warning: &syncv1.Warning{Due: "2026-02-12", Raised: " 2026-02-12"}}, "wire_date", "warning.raised"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wire.ChangeFromWire(tt.change)
			if got != nil {
				t.Errorf("got a change %+v alongside the error", got)
			}
			checkWireError(t, err, tt.reason, tt.field)
		})
	}
}

func TestCaseFromWireRejects(t *testing.T) {
	tests := []struct {
		name   string
		c      *syncv1.Case
		reason string
		field  string
	}{
		{"nil case", nil, "wire_missing", "case"},
		{"bad id", &syncv1.Case{Id: "{" + goodID}, "wire_uuid", "id"},
		{"bad received_at", &syncv1.Case{Id: goodID, ReceivedAt: &timestamppb.Timestamp{Seconds: -1 << 40}}, "wire_time", "received_at"},
		{"bad updated_at", &syncv1.Case{Id: goodID, UpdatedAt: &timestamppb.Timestamp{Nanos: 1e9}}, "wire_time", "updated_at"},
		{"29 February in a common year", &syncv1.Case{Id: goodID, DueOn: "2026-02-29"}, "wire_date", "due_on"},
		{"bad closed_on", &syncv1.Case{Id: goodID, ClosedOn: "yesterday"}, "wire_date", "closed_on"},
		{"bad birth", &syncv1.Case{Id: goodID, Applicant: &syncv1.Applicant{Birth: "1965-3-12"}}, "wire_date", "applicant.birth"},
		{"bad span end", &syncv1.Case{Id: goodID, Stopped: []*syncv1.Span{
			{From: "2026-02-02", To: "2026-02-03"}, {From: "2026-02-10", To: "2026-02-30"}}}, "wire_date", "stopped[1].to"},
		{"bad warning", &syncv1.Case{Id: goodID, Warnings: []*syncv1.Warning{{Raised: "2026-00-10"}}}, "wire_date", "warnings[0].raised"},
		{"bad decision date", &syncv1.Case{Id: goodID, Decision: &syncv1.Decision{On: "2026-02-30"}}, "wire_date", "decision.on"},
		{"bad delivery date", &syncv1.Case{Id: goodID, Delivery: &syncv1.Delivery{On: "20260212"}}, "wire_date", "delivery.on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wire.CaseFromWire(tt.c)
			if got != nil {
				t.Errorf("got a case %+v alongside the error", got)
			}
			checkWireError(t, err, tt.reason, tt.field)
		})
	}
}

func checkWireError(t *testing.T, err error, reason, field string) {
	t.Helper()
	var e *bmerr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *bmerr.Error", err, err)
	}
	if e.Code != bmerr.Invalid || e.Reason != reason || e.Field != field {
		t.Errorf("error = {Code %q, Reason %q, Field %q}, want {%q, %q, %q}",
			e.Code, e.Reason, e.Field, bmerr.Invalid, reason, field)
	}
	if e.Zh == "" || e.En == "" {
		t.Errorf("error %q lacks a message in both languages (zh %q, en %q)", e.Reason, e.Zh, e.En)
	}
}

// Messages built in Go rather than decoded can hold nil where a message is
// required, and nil elements in repeated fields; none of it may panic.
func TestFromWireToleratesNilSubMessages(t *testing.T) {
	c, err := wire.ChangeFromWire(&syncv1.Change{
		Id: goodID, CaseId: otherID,
		Intake:    &syncv1.Intake{Materials: []*syncv1.MaterialRecord{nil, {Attachments: []*syncv1.Attachment{nil}}}},
		Notice:    &syncv1.Notice{Items: []*syncv1.MissingItem{nil}},
		Materials: []*syncv1.MaterialRecord{nil},
		Decision:  &syncv1.Decision{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Intake == nil || len(c.Intake.Materials) != 2 || c.Intake.Proxy != nil {
		t.Errorf("intake = %+v, want two zero materials and no proxy", c.Intake)
	}
	if c.Rating != nil || c.Step != nil || c.Warning != nil || c.Delivery != nil {
		t.Errorf("absent payloads came back present: %+v", c)
	}

	k, err := wire.CaseFromWire(&syncv1.Case{
		Id:       goodID,
		Matter:   &syncv1.MatterSnapshot{Workflow: &syncv1.Workflow{Stages: []*syncv1.Stage{nil, {Branches: []*syncv1.Branch{nil}}}}},
		Stopped:  []*syncv1.Span{nil},
		Warnings: []*syncv1.Warning{nil},
		Steps:    []*syncv1.StepInput{nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	if k.Matter.Legal != nil || k.Matter.Workflow == nil || len(k.Matter.Workflow.Stages) != 2 {
		t.Errorf("matter = %+v, want no legal limit and a two-stage workflow", k.Matter)
	}
	if k.Proxy != nil || k.Decision != nil || !k.ReceivedAt.IsZero() || !k.ReceivedOn.IsZero() {
		t.Errorf("absent fields came back set: %+v", k)
	}
}
