package wire_test

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[workcal.Date]()
	uuidType = reflect.TypeFor[uuid.UUID]()
)

// diff compares two domain values the way the wire promises to preserve
// them: times by Equal (the location is not kept), nil and empty slices
// alike (protobuf cannot tell them apart), everything else exactly. It
// returns "" when they match, else the path of the first difference.
func diff(want, got any) string {
	return diffValue("", reflect.ValueOf(want), reflect.ValueOf(got))
}

func diffValue(path string, a, b reflect.Value) string {
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s != %s", path, a.Type(), b.Type())
	}
	if a.Type() == timeType {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		if !ta.Equal(tb) {
			return fmt.Sprintf("%s: want %v, got %v", path, ta, tb)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: want nil=%t, got nil=%t", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return ""
		}
		return diffValue(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if d := diffValue(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: want len %d, got len %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := diffValue(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8:
		if !a.Equal(b) {
			return fmt.Sprintf("%s: want %#v, got %#v", path, a, b)
		}
		return ""
	}
	return fmt.Sprintf("%s: diff does not handle kind %s; teach it", path, a.Kind())
}

// Dates and times drawn in 1950–2030: the product's realistic range.
var (
	firstDay = workcal.D(1950, 1, 1)
	lastDay  = workcal.D(2030, 12, 31)
)

func drawDate(t *rapid.T, label string) workcal.Date {
	if rapid.Bool().Draw(t, label+".zero") {
		return workcal.Date{}
	}
	return firstDay.AddDays(rapid.IntRange(0, firstDay.DaysUntil(lastDay)).Draw(t, label))
}

func drawTime(t *rapid.T, label string) time.Time {
	if rapid.Bool().Draw(t, label+".zero") {
		return time.Time{}
	}
	from := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	to := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - 1
	sec := rapid.Int64Range(from, to).Draw(t, label+".sec")
	nsec := rapid.Int64Range(0, 999_999_999).Draw(t, label+".nsec")
	return time.Unix(sec, nsec).UTC()
}

// draw fills v, field by field, with random values: every string random
// Unicode, every optional pointer present or nil, every slice nil, empty or
// not. It walks the domain types by reflection so that a field added to
// casefile later is generated (and its loss caught) without touching the test.
func draw(t *rapid.T, v reflect.Value, path string) {
	switch v.Type() {
	case timeType:
		v.Set(reflect.ValueOf(drawTime(t, path)))
		return
	case dateType:
		v.Set(reflect.ValueOf(drawDate(t, path)))
		return
	case uuidType:
		v.Set(reflect.ValueOf(uuid.UUID(rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, path))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(rapid.String().Draw(t, path))
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, path))
	case reflect.Int: // counts; int32 on the wire
		v.SetInt(int64(rapid.IntRange(math.MinInt32, math.MaxInt32).Draw(t, path)))
	case reflect.Int64:
		v.SetInt(rapid.Int64().Draw(t, path))
	case reflect.Pointer:
		if rapid.Bool().Draw(t, path+"?") {
			p := reflect.New(v.Type().Elem())
			draw(t, p.Elem(), path)
			v.Set(p)
		}
	case reflect.Slice:
		n := rapid.IntRange(-1, 3).Draw(t, path+".len")
		if n < 0 {
			return // nil
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			draw(t, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				t.Fatalf("draw: %s.%s is unexported; the wire cannot carry it", path, f.Name)
			}
			draw(t, v.Field(i), path+"."+f.Name)
		}
	default:
		t.Fatalf("draw: %s has kind %s; teach draw about it", path, v.Kind())
	}
}

func changeGen() *rapid.Generator[*casefile.Change] {
	return rapid.Custom(func(t *rapid.T) *casefile.Change {
		c := new(casefile.Change)
		draw(t, reflect.ValueOf(c).Elem(), "change")
		return c
	})
}

func caseGen() *rapid.Generator[*casefile.Case] {
	return rapid.Custom(func(t *rapid.T) *casefile.Case {
		c := new(casefile.Case)
		draw(t, reflect.ValueOf(c).Elem(), "case")
		return c
	})
}

// fillAll sets every field of v, recursively, to a non-zero value that is
// different for every field, so a conversion that drops or swaps a field
// (Due for Raised, say) fails deterministically.
func fillAll(tb testing.TB, v reflect.Value, path string, n *int) {
	*n++
	switch v.Type() {
	case timeType:
		v.Set(reflect.ValueOf(time.Date(2026, 2, 12, 9, 30, 0, *n, time.UTC).Add(time.Duration(*n) * time.Second)))
		return
	case dateType:
		v.Set(reflect.ValueOf(workcal.D(2026, 1, 1).AddDays(*n)))
		return
	case uuidType:
		var id uuid.UUID
		id[0], id[15] = byte(*n), byte(*n>>8)
		v.Set(reflect.ValueOf(id))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s=%d", strings.TrimPrefix(path, "."), *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillAll(tb, p.Elem(), path, n)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillAll(tb, s.Index(i), fmt.Sprintf("%s[%d]", path, i), n)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			fillAll(tb, v.Field(i), path+"."+v.Type().Field(i).Name, n)
		}
	default:
		tb.Fatalf("fillAll: %s has kind %s; teach fillAll about it", path, v.Kind())
	}
}

// receiveChange is a realistic receive change as a township window sends it:
// a person applying, with five materials, four of them scanned.
func receiveChange() *casefile.Change {
	scan := func(sum, name string, size int64) []casefile.Attachment {
		return []casefile.Attachment{{SHA256: sum, Name: name, MIME: "image/jpeg", Size: size}}
	}
	return &casefile.Change{
		ID:     uuid.MustParse("0195a3c4-7b2e-7d41-9c3a-5e8f1a2b3c4d"),
		CaseID: uuid.MustParse("0195a3c4-7b2e-7d41-9c3a-5e8f1a2b3c4e"),
		Action: caseflow.Receive,
		Actor: casefile.Actor{
			User: "clerk-0231", Name: "李晓梅", Role: caseflow.Clerk,
			Level: catalog.Township, Station: "330110101",
		},
		At:          time.Date(2026, 2, 12, 1, 47, 13, 218_000_000, time.UTC),
		BaseVersion: 0,
		Intake: &casefile.Intake{
			Number: "3301101012026021200017",
			Matter: "330110-RS-0007-01",
			Applicant: casefile.Applicant{
				Kind:     casefile.Person,
				Name:     "王建国",
				IDNumber: "33011019650312201X",
				Phone:    "13905710123",
				Address:  "浙江省杭州市余杭区五常街道文一西路 998 号 3 幢 2 单元 501 室",
				Birth:    workcal.D(1965, 3, 12),
				Sex:      "male",
			},
			Mode: casefile.WalkIn,
			Materials: []casefile.MaterialRecord{
				{Code: "M01", Received: true, Original: true, Attachments: scan(
					"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "身份证正反面.jpg", 412_338)},
				{Code: "M02", Received: true, Copies: 1, Attachments: scan(
					"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", "户口簿首页及本人页.jpg", 688_120)},
				{Code: "M03", Received: true, Copies: 2, Attachments: scan(
					"fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13", "结婚证.jpg", 530_904)},
				{Code: "M04", Received: true, Original: true, Attachments: scan(
					"a4e624d686e03ed2767c0abd85c14426b0b1157d2ce81d27bb4fe4f6f01d688a", "退休证明.jpg", 96_512)},
				{Code: "M05", Deferred: true},
			},
		},
		Note: "申请人行动不便，由家属陪同到窗口办理。",
	}
}
