package workcal_test

import (
	"testing"

	"github.com/bianmin/bianmin/shared/workcal"
)

var (
	wd = func(n int) workcal.Limit { return workcal.Limit{N: n, Unit: workcal.WorkingDays} }
	cd = func(n int) workcal.Limit { return workcal.Limit{N: n, Unit: workcal.CalendarDays} }
)

func span(from, to string) workcal.Span {
	s := workcal.Span{From: d(from)}
	if to != "" {
		s.To = d(to)
	}
	return s
}

func TestAddWorkdays(t *testing.T) {
	cal := workcal.Builtin()
	tests := []struct {
		from string
		n    int
		want string
		why  string
	}{
		{"2026-02-12", 0, "2026-02-12", "zero: the day itself"},
		{"2026-02-15", 0, "2026-02-15", "zero on a holiday: still the day itself"},
		{"2026-02-12", 1, "2026-02-13", "Thu → Fri"},
		{"2026-02-12", 2, "2026-02-14", "Sat 14 Feb is a make-up day"},
		{"2026-02-12", 3, "2026-02-24", "15–23 Feb off"},
		{"2026-02-12", 5, "2026-02-26", "the worked example of domain.md §4"},
		{"2026-02-16", 1, "2026-02-24", "from inside the holiday"},
		{"2026-03-06", 1, "2026-03-09", "Fri → Mon over a plain weekend"},
		{"2026-03-07", 1, "2026-03-09", "from a Saturday"},
		// Year boundary: 1–3 Jan 2026 off, Sun 4 Jan is a make-up day.
		{"2025-12-31", 1, "2026-01-04", "over 元旦 onto the make-up Sunday"},
		{"2025-12-31", 2, "2026-01-05", ""},
		{"2024-12-31", 1, "2025-01-02", "2025 元旦 is one day"},
		{"2026-12-31", 1, "2027-01-01", "2027 not covered: Mon–Fri"},
		// Spring Festival 2025: 28 Jan–4 Feb off, Sun 26 Jan and Sat 8 Feb worked.
		{"2025-01-24", 1, "2025-01-26", "Fri → make-up Sun"},
		{"2025-01-26", 2, "2025-02-05", "Mon 27 Jan, then Wed 5 Feb"},
		{"2025-02-07", 1, "2025-02-08", "make-up Saturday"},
		// National Day 2026: 25–27 Sep and 1–7 Oct off; Sun 20 Sep, Sat 10 Oct worked.
		{"2026-09-18", 1, "2026-09-20", ""},
		{"2026-09-30", 1, "2026-10-08", ""},
		{"2026-09-30", 3, "2026-10-10", "8 Oct, 9 Oct, Sat 10 Oct"},
		// Negative: counting back.
		{"2026-02-26", -5, "2026-02-12", "the worked example backwards"},
		{"2026-02-24", -1, "2026-02-14", "back over 春节 onto the make-up Saturday"},
		{"2026-01-04", -1, "2025-12-31", "back over 元旦"},
		{"2026-01-05", -2, "2025-12-31", ""},
		{"2026-03-07", -1, "2026-03-06", "from a Saturday back to Friday"},
		{"2026-03-09", -1, "2026-03-06", "Mon back to Fri"},
	}
	for _, tt := range tests {
		if got := cal.AddWorkdays(d(tt.from), tt.n); got != d(tt.want) {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s (%s)", tt.from, tt.n, got, tt.want, tt.why)
		}
	}
}

func TestWorkdaysBetween(t *testing.T) {
	cal := workcal.Builtin()
	tests := []struct {
		from, to string
		want     int
		why      string
	}{
		{"2026-02-12", "2026-02-12", 0, "same day"},
		{"2026-02-12", "2026-02-26", 5, "13, 14(make-up), 24, 25, 26 Feb"},
		{"2026-02-26", "2026-02-12", -5, "backwards: 25, 24, 14, 13, 12 Feb"},
		{"2026-02-13", "2026-02-24", 2, "14 and 24 Feb"},
		{"2025-01-27", "2025-02-05", 1, "28 Jan–4 Feb off; 5 Feb"},
		{"2025-12-31", "2026-01-05", 2, "4 and 5 Jan"},
		{"2026-01-05", "2025-12-31", -2, "backwards: 4 Jan and 31 Dec"},
		{"2026-03-06", "2026-03-07", 0, "Fri → Sat: (Fri, Sat] holds no working day"},
		{"2026-03-07", "2026-03-09", 1, "Sat → Mon"},
		// Backwards the walk counts [to, from), as AddWorkdays with n < 0
		// walks, so it is not simply the negated forward count when an end
		// is not a working day.
		{"2026-03-07", "2026-03-06", -1, "Sat back to Fri: AddWorkdays(Sat, −1) = Fri"},
		{"2026-03-09", "2026-03-07", 0, "Mon back to Sat: [Sat, Mon) holds no working day"},
		{"2026-09-18", "2026-10-27", 23, "see TestDueSuspendedOverNationalDay"},
	}
	for _, tt := range tests {
		if got := cal.WorkdaysBetween(d(tt.from), d(tt.to)); got != tt.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d (%s)", tt.from, tt.to, got, tt.want, tt.why)
		}
	}
}

// Both directions, every start in 2025–2026 and |n| up to 12, enough to
// cross the longest break (the Spring Festival with its weekends) from any
// day: exhaustive where TestWorkdayProperties samples larger n at random.
func TestWorkdaysBetweenInvertsAddWorkdays(t *testing.T) {
	cal := workcal.Builtin()
	for x := d("2025-01-01"); x.Year <= 2026; x = x.AddDays(1) {
		for n := -12; n <= 12; n++ {
			e := cal.AddWorkdays(x, n)
			if got := cal.WorkdaysBetween(x, e); got != n {
				t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%s, %d) = %s) = %d", x, x, n, e, got)
			}
			if n != 0 && !cal.IsWorkday(e) {
				t.Fatalf("AddWorkdays(%s, %d) = %s is not a working day", x, n, e)
			}
			if cal.IsWorkday(x) {
				if back := cal.AddWorkdays(e, -n); back != x {
					t.Fatalf("AddWorkdays(AddWorkdays(%s, %d), %d) = %s", x, n, -n, back)
				}
			}
		}
		if y := x.AddDays(9); cal.IsWorkday(y) {
			if got := cal.AddWorkdays(x, cal.WorkdaysBetween(x, y)); got != y {
				t.Fatalf("AddWorkdays(%s, WorkdaysBetween(%s, %s)) = %s", x, x, y, got)
			}
			if got := cal.AddWorkdays(y, cal.WorkdaysBetween(y, x.AddDays(-3))); cal.IsWorkday(x.AddDays(-3)) && got != x.AddDays(-3) {
				t.Fatalf("AddWorkdays(%s, WorkdaysBetween(%s, %s)) = %s", y, y, x.AddDays(-3), got)
			}
		}
	}
}

func TestDue(t *testing.T) {
	cal := workcal.Builtin()
	tests := []struct {
		name     string
		accepted string
		limit    workcal.Limit
		stopped  []workcal.Span
		ext      int
		want     string
	}{
		{
			// domain.md §4: 13 Feb day 1, 14 Feb (make-up) day 2, 15–23 Feb
			// off, 24/25/26 Feb days 3/4/5.
			name: "worked example", accepted: "2026-02-12", limit: wd(5), want: "2026-02-26",
		},
		{
			// Due 26 Feb, then 10 more: 27 Feb(1), Sat 28 Feb make-up(2),
			// 2–6 Mar(3–7), 9, 10, 11 Mar(8–10).
			name: "extension", accepted: "2026-02-12", limit: wd(5), ext: 10, want: "2026-03-11",
		},
		{name: "zero limit", accepted: "2026-02-12", limit: wd(0), want: "2026-02-12"},
		{name: "zero limit on a make-up day", accepted: "2026-02-14", limit: wd(0), want: "2026-02-14"},
		{name: "zero calendar-day limit", accepted: "2026-03-07", limit: cd(0), want: "2026-03-07"},
		{name: "zero limit, extended", accepted: "2026-03-06", limit: wd(0), ext: 1, want: "2026-03-09"},
		{name: "unit left empty counts working days", accepted: "2026-02-12", limit: workcal.Limit{N: 5}, want: "2026-02-26"},
		{name: "over the year boundary", accepted: "2025-12-31", limit: wd(1), want: "2026-01-04"},
		{
			// Sun 20 Sep (a make-up day) + 15 calendar days = Mon 5 Oct, in
			// National Day; 6 and 7 Oct are off too, so Thu 8 Oct.
			name: "calendar days ending in a holiday", accepted: "2026-09-20", limit: cd(15), want: "2026-10-08",
		},
		{
			// As above, then 10 working days: 9 Oct(1), Sat 10 Oct make-up(2),
			// 12–16 Oct(3–7), 19, 20, 21 Oct(8–10).
			name: "calendar days, extended in working days", accepted: "2026-09-20", limit: cd(15), ext: 10, want: "2026-10-21",
		},
		{
			// Mon 2 Mar + 5 = Sat 7 Mar, a plain weekend day: Mon 9 Mar.
			name: "calendar days ending on a weekend", accepted: "2026-03-02", limit: cd(5), want: "2026-03-09",
		},
		{
			// Stopped (21 Sep, 26 Sep] = 5 calendar days; 20 Sep + 20 = Sat
			// 10 Oct, a make-up working day, so no roll-forward.
			name:     "calendar days ending on a make-up day",
			accepted: "2026-09-20", limit: cd(15), stopped: []workcal.Span{span("2026-09-21", "2026-09-26")}, want: "2026-10-10",
		},
		{
			// Accepted Mon 9 Feb, 10 working days, suspended Wed 11 Feb,
			// resumed Wed 25 Feb. Stopped (11 Feb, 25 Feb]: 12, 13, Sat 14
			// (make-up), 24, 25 Feb = 5 working days; 15–23 Feb are holidays and
			// cost nothing. Due = 15th working day after 9 Feb: 10, 11, 12, 13,
			// 14, 24, 25, 26, 27 Feb, Sat 28 Feb (make-up), 2, 3, 4, 5, 6 Mar.
			name:     "suspended over the 2026 Spring Festival",
			accepted: "2026-02-09", limit: wd(10), stopped: []workcal.Span{span("2026-02-11", "2026-02-25")}, want: "2026-03-06",
		},
		{
			// Accepted Fri 18 Sep, 15 working days, suspended Mon 21 Sep to
			// Fri 9 Oct. Stopped (21 Sep, 9 Oct]: 22, 23, 24, 28, 29, 30 Sep,
			// 8, 9 Oct = 8 (25–27 Sep and 1–7 Oct are off). Due = 23rd working
			// day after 18 Sep: Sun 20 Sep(1), 21–24(2–5), 28–30(6–8), 8 Oct(9),
			// 9(10), Sat 10 Oct(11), 12–16(12–16), 19–23(17–21), 26(22), 27 Oct(23).
			name:     "suspended over 2026 Mid-Autumn and National Day",
			accepted: "2026-09-18", limit: wd(15), stopped: []workcal.Span{span("2026-09-21", "2026-10-09")}, want: "2026-10-27",
		},
		{
			// Two spans: (11 Feb, 13 Feb] = 12, 13 Feb = 2, and (24 Feb, 24
			// Feb] = nothing; 5 + 2 = 7 after 12 Feb: 13, 14, 24, 25, 26, 27,
			// Sat 28 Feb.
			name:     "two spans, one empty",
			accepted: "2026-02-12", limit: wd(5), stopped: []workcal.Span{span("2026-02-11", "2026-02-13"), span("2026-02-24", "2026-02-24")}, want: "2026-02-28",
		},
		{
			name:     "open span stops nothing",
			accepted: "2026-02-12", limit: wd(5), stopped: []workcal.Span{span("2026-02-13", "")}, want: "2026-02-26",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.Due(d(tt.accepted), tt.limit, tt.stopped, tt.ext); got != d(tt.want) {
				t.Errorf("Due(%s, %s, %v, %d) = %s, want %s", tt.accepted, tt.limit, tt.stopped, tt.ext, got, tt.want)
			}
		})
	}
}

func TestStoppedDays(t *testing.T) {
	cal := workcal.Builtin()
	tests := []struct {
		s          workcal.Span
		work, days int
	}{
		{span("2026-02-11", "2026-02-25"), 5, 14},
		{span("2026-09-21", "2026-10-09"), 8, 18},
		{span("2026-03-06", "2026-03-09"), 1, 3}, // Fri → Mon: Sat, Sun, Mon
		{span("2026-03-09", "2026-03-09"), 0, 0},
		{span("2026-03-09", "2026-03-06"), 0, 0}, // reversed: nothing
		{span("2026-03-09", ""), 0, 0},           // open
	}
	for _, tt := range tests {
		if got := cal.StoppedDays(tt.s, workcal.WorkingDays); got != tt.work {
			t.Errorf("StoppedDays(%v, working) = %d, want %d", tt.s, got, tt.work)
		}
		if got := cal.StoppedDays(tt.s, workcal.CalendarDays); got != tt.days {
			t.Errorf("StoppedDays(%v, calendar) = %d, want %d", tt.s, got, tt.days)
		}
	}
}

func TestElapsed(t *testing.T) {
	cal := workcal.Builtin()
	tests := []struct {
		name             string
		accepted, closed string
		unit             workcal.Unit
		stopped          []workcal.Span
		want             int
	}{
		{"same day", "2026-02-12", "2026-02-12", workcal.WorkingDays, nil, 0},
		{"worked example", "2026-02-12", "2026-02-26", workcal.WorkingDays, nil, 5},
		{"worked example in calendar days", "2026-02-12", "2026-02-26", workcal.CalendarDays, nil, 14},
		// (24 Feb, 26 Feb] = 25, 26 Feb stopped: 5 − 2.
		{"suspended", "2026-02-12", "2026-02-26", workcal.WorkingDays, []workcal.Span{span("2026-02-24", "2026-02-26")}, 3},
		{"suspended, calendar days", "2026-02-12", "2026-02-26", workcal.CalendarDays, []workcal.Span{span("2026-02-24", "2026-02-26")}, 12},
		// The National Day case closed on its due date used exactly its 15 days: 23 − 8.
		{"National Day suspension", "2026-09-18", "2026-10-27", workcal.WorkingDays, []workcal.Span{span("2026-09-21", "2026-10-09")}, 15},
		{"closed before accepted", "2026-02-26", "2026-02-12", workcal.WorkingDays, nil, 0},
		{"open span", "2026-02-12", "2026-02-26", workcal.WorkingDays, []workcal.Span{span("2026-02-24", "")}, 5},
		// Closed on a Saturday after a Friday acceptance: no working day used.
		{"closed on a weekend", "2026-03-06", "2026-03-07", workcal.WorkingDays, nil, 0},
	}
	for _, tt := range tests {
		if got := cal.Elapsed(d(tt.accepted), d(tt.closed), tt.unit, tt.stopped); got != tt.want {
			t.Errorf("%s: Elapsed = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestLimit(t *testing.T) {
	if got := wd(15).String(); got != "15个工作日" {
		t.Errorf("String() = %q", got)
	}
	if got := cd(7).String(); got != "7个自然日" {
		t.Errorf("String() = %q", got)
	}
	if workcal.WorkingDays.Label("en") != "working days" || workcal.CalendarDays.Label("zh-CN") != "个自然日" {
		t.Error("Label")
	}
	for _, l := range []workcal.Limit{wd(0), cd(30)} {
		if err := l.Validate(); err != nil {
			t.Errorf("Validate(%v) = %v", l, err)
		}
	}
	for _, l := range []workcal.Limit{wd(-1), {N: 3}, {N: 3, Unit: "weeks"}} {
		if err := l.Validate(); err == nil {
			t.Errorf("Validate(%v) succeeded", l)
		}
	}
}
