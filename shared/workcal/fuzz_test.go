package workcal_test

import (
	"bytes"
	"testing"

	"github.com/bianmin/bianmin/shared/workcal"
)

func FuzzParse(f *testing.F) {
	f.Add(workcal.BuiltinJSON())
	f.Add([]byte(file2026))
	f.Add([]byte(file2027))
	f.Add([]byte(`{"years":[{"year":2019,"holidays":[{"name":"元旦","from":"2018-12-30","to":"2019-01-01"}],"workdays":["2018-12-29"]}]}`))
	f.Add([]byte(`{"years":[{"year":2026,"holidays":[],"workdays":["2026-01-03"]},{"year":2025,"holidays":[{"name":"x","from":"2025-12-31","to":"2026-01-03"}],"workdays":[]}]}`))
	f.Add([]byte(`{"years":[]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"years":[{"year":2026,"holidays":[{"name":"\xff","from":"2026-02-23","to":"2026-02-15"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := workcal.Parse(data)
		if err != nil {
			return
		}
		out := cal.JSON()
		again, err := workcal.Parse(out)
		if err != nil {
			t.Fatalf("JSON() does not parse again: %v\n%s", err, out)
		}
		if again.Digest() != cal.Digest() {
			t.Fatalf("digest changed on a round trip: %s → %s", cal.Digest(), again.Digest())
		}
		if !bytes.Equal(again.JSON(), out) {
			t.Fatalf("JSON() changed on a round trip:\n%s\n%s", out, again.JSON())
		}
		// Answers for a few dates are defined and stable across the trip.
		for _, y := range cal.Years() {
			for _, x := range []workcal.Date{workcal.D(y, 1, 1), workcal.D(y, 6, 30), workcal.D(y, 12, 31)} {
				if cal.IsWorkday(x) != again.IsWorkday(x) || !cal.Covers(x) {
					t.Fatalf("round trip changed %s", x)
				}
				_ = cal.AddWorkdays(x, 20)
			}
		}
	})
}

func FuzzAddWorkdays(f *testing.F) {
	cal := workcal.Builtin()
	f.Add(int32(0), int16(5))     // around 2026-02-12
	f.Add(int32(-43), int16(1))   // 2025-12-31
	f.Add(int32(220), int16(-30)) // National Day 2026
	f.Add(int32(-400), int16(60))
	f.Add(int32(100000), int16(-200)) // far outside the covered years
	origin := d("2026-02-12")
	f.Fuzz(func(t *testing.T, offset int32, n16 int16) {
		// Dates within ±300 years, n within ±1000: every day is walked,
		// so keep the work per input small.
		x := origin.AddDays(int(offset % 110000))
		n := int(n16 % 1000)
		e := cal.AddWorkdays(x, n)
		if got := cal.WorkdaysBetween(x, e); got != n {
			t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%s, %d) = %s) = %d", x, x, n, e, got)
		}
		if n != 0 && !cal.IsWorkday(e) {
			t.Fatalf("AddWorkdays(%s, %d) = %s is not a working day", x, n, e)
		}
		if (n > 0 && !e.After(x)) || (n < 0 && !e.Before(x)) || (n == 0 && e != x) {
			t.Fatalf("AddWorkdays(%s, %d) = %s moved the wrong way", x, n, e)
		}
		if cal.IsWorkday(x) {
			if back := cal.AddWorkdays(e, -n); back != x {
				t.Fatalf("AddWorkdays(AddWorkdays(%s, %d), %d) = %s", x, n, -n, back)
			}
			if got := cal.WorkdaysBetween(e, x); got != -n {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, want %d (both working days)", e, x, got, -n)
			}
		}
	})
}
