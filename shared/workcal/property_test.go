package workcal_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/bianmin/bianmin/shared/workcal"
)

func TestWorkdayProperties(t *testing.T) {
	cal := workcal.Builtin()
	start := d("2025-01-01")
	days := start.DaysUntil(d("2026-12-31"))
	rapid.Check(t, func(t *rapid.T) {
		x := start.AddDays(rapid.IntRange(0, days).Draw(t, "day"))
		n := rapid.IntRange(0, 60).Draw(t, "n")

		e := cal.AddWorkdays(x, n)
		if got := cal.WorkdaysBetween(x, e); got != n {
			t.Fatalf("WorkdaysBetween(%s, %s) = %d, want %d", x, e, got, n)
		}
		if b := cal.AddWorkdays(x, -n); cal.WorkdaysBetween(x, b) != -n {
			t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%s, %d) = %s) = %d", x, x, -n, b, cal.WorkdaysBetween(x, b))
		}
		if n > 0 && !cal.IsWorkday(e) {
			t.Fatalf("AddWorkdays(%s, %d) = %s is not a working day", x, n, e)
		}

		// Due grows with the limit: strictly in working days, never
		// backwards in calendar days (two limits can roll forward onto the
		// same working day), and a calendar-day due is never early.
		ext := rapid.IntRange(0, 10).Draw(t, "extension")
		w0 := cal.Due(x, workcal.Limit{N: n, Unit: workcal.WorkingDays}, nil, ext)
		w1 := cal.Due(x, workcal.Limit{N: n + 1, Unit: workcal.WorkingDays}, nil, ext)
		if !w0.Before(w1) {
			t.Fatalf("Due(%s, %d wd) = %s, Due(%d wd) = %s", x, n, w0, n+1, w1)
		}
		c0 := cal.Due(x, workcal.Limit{N: n, Unit: workcal.CalendarDays}, nil, ext)
		c1 := cal.Due(x, workcal.Limit{N: n + 1, Unit: workcal.CalendarDays}, nil, ext)
		if c1.Before(c0) {
			t.Fatalf("Due(%s, %d days) = %s, Due(%d days) = %s", x, n, c0, n+1, c1)
		}
		if c0.Before(x.AddDays(n)) {
			t.Fatalf("Due(%s, %d days) = %s is early", x, n, c0)
		}
		// Closing on the due date uses exactly the limit.
		if n > 0 && ext == 0 {
			if got := cal.Elapsed(x, w0, workcal.WorkingDays, nil); got != n {
				t.Fatalf("Elapsed(%s, Due = %s) = %d, want %d", x, w0, got, n)
			}
		}
	})
}
