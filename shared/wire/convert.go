package wire

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func dateToWire(d workcal.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func dateFromWire(field, s string) (workcal.Date, error) {
	if s == "" {
		return workcal.Date{}, nil
	}
	d, err := workcal.ParseDate(s)
	if err != nil {
		return workcal.Date{}, bmerr.Newf(bmerr.Invalid, "wire_date",
			"同步数据中的日期“%s”无效，应为真实存在的 年-月-日，例如 2026-02-12。",
			"the synced data has a date %q that is not valid; it should be a real year-month-day, e.g. 2026-02-12.",
			clip(s)).WithField(field)
	}
	return d, nil
}

func timeToWire(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// timeFromWire returns the instant in UTC; the domain compares with Equal.
func timeFromWire(field string, ts *timestamppb.Timestamp) (time.Time, error) {
	if ts == nil {
		return time.Time{}, nil
	}
	if ts.CheckValid() != nil {
		return time.Time{}, bmerr.Newf(bmerr.Invalid, "wire_time",
			"同步数据中的时间戳无效（秒 %d，纳秒 %d），应在公元 1 年至 9999 年之间。",
			"the synced data has an invalid timestamp (seconds %d, nanos %d); it must fall in years 1 to 9999.",
			ts.GetSeconds(), ts.GetNanos()).WithField(field)
	}
	return ts.AsTime(), nil
}

// int32Of saturates: a count too large for the wire stays too large rather
// than wrapping to a small or negative number the receiver might accept.
func int32Of(n int) int32 {
	switch {
	case n > math.MaxInt32:
		return math.MaxInt32
	case n < math.MinInt32:
		return math.MinInt32
	}
	return int32(n)
}

// stringsToWire copies typed strings to plain ones; nil when empty.
func stringsToWire[S ~string](in []S) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

// stringsFromWire copies plain strings to typed ones; nil when empty.
func stringsFromWire[S ~string](in []string) []S {
	if len(in) == 0 {
		return nil
	}
	out := make([]S, len(in))
	for i, s := range in {
		out[i] = S(s)
	}
	return out
}

func messagesToWire[T, W any](in []T, to func(*T) W) []W {
	if len(in) == 0 {
		return nil
	}
	out := make([]W, len(in))
	for i := range in {
		out[i] = to(&in[i])
	}
	return out
}

func messagesFromWire[W, T any](in []W, from func(W) T) []T {
	if len(in) == 0 {
		return nil
	}
	out := make([]T, len(in))
	for i, w := range in {
		out[i] = from(w)
	}
	return out
}

func messagesFromWireErr[W, T any](field string, in []W, from func(W) (T, error)) ([]T, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]T, len(in))
	for i, w := range in {
		v, err := from(w)
		if err != nil {
			return nil, within(field+"["+strconv.Itoa(i)+"]", err)
		}
		out[i] = v
	}
	return out, nil
}

// within prefixes the field of an error from a sub-message with the field
// that holds it, so the error names the whole path from the top message.
// Paths are built only on the error path, so a good message costs nothing.
func within(prefix string, err error) error {
	e := bmerr.As(err)
	if e == nil {
		return err
	}
	if e.Field == "" {
		return e.WithField(prefix)
	}
	return e.WithField(prefix + "." + e.Field)
}

// clip shortens a bad value quoted in a message: the wire can carry
// megabytes where a date belongs, and a message is read by a person.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
