package metrics_test

import (
	"testing"

	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/workcal"
)

var (
	d   = workcal.MustDate
	cal = workcal.Builtin()
	wd  = func(n int) workcal.Limit { return workcal.Limit{N: n, Unit: workcal.WorkingDays} }
	cd  = func(n int) workcal.Limit { return workcal.Limit{N: n, Unit: workcal.CalendarDays} }
	lim = func(l workcal.Limit) *workcal.Limit { return &l }
)

// The fixture: February 2026, with the Spring Festival (15–23 Feb off) and
// the make-up Saturdays 14 and 28 Feb. Four matters:
//
//	PEN 养老保险参保登记  on the spot   legal 3 wd    promised 0        dept 人社 (D1)
//	TR  临时救助          promised      no legal      promised 5 wd     dept 民政 (D2)
//	BP  乡村建设规划许可  promised      legal 20 wd   promised 10 wd    dept 自然资源 (D3)
//	RP  居住证            promised      legal 15 cd   promised 10 cd    dept 公安 (D4)
//
// Every expected figure below is worked out by hand in these comments.
func pen(c metrics.CaseFacts) metrics.CaseFacts {
	c.Matter, c.Department, c.OnTheSpot, c.Legal, c.Promised = "PEN", "D1", true, lim(wd(3)), wd(0)
	return c
}

func tr(c metrics.CaseFacts) metrics.CaseFacts {
	c.Matter, c.Department, c.Promised = "TR", "D2", wd(5)
	return c
}

func bp(c metrics.CaseFacts) metrics.CaseFacts {
	c.Matter, c.Department, c.Legal, c.Promised = "BP", "D3", lim(wd(20)), wd(10)
	return c
}

func rp(c metrics.CaseFacts) metrics.CaseFacts {
	c.Matter, c.Department, c.Legal, c.Promised = "RP", "D4", lim(cd(15)), cd(10)
	return c
}

var cases = []metrics.CaseFacts{
	// C1: on the spot, accepted and closed Tue 3 Feb. On the spot, on time
	// (P = 0: due 3 Feb), within legal (3 wd: due 6 Feb).
	pen(metrics.CaseFacts{ID: "C1", Station: "S1", Accepted: d("2026-02-03"), Closed: d("2026-02-03"), Result: caseflow.Granted}),
	// C2: on-the-spot matter closed the next day, Thu 5 → Fri 6 Feb. Not on
	// the spot; late (due 5 Feb); within legal (due Tue 10 Feb).
	pen(metrics.CaseFacts{ID: "C2", Station: "S2", Accepted: d("2026-02-05"), Closed: d("2026-02-06"), Result: caseflow.Granted}),
	// C3: the worked example. Accepted Thu 12 Feb, 5 wd → due Thu 26 Feb,
	// closed 26 Feb: on time. No statutory limit. A = 13, 14(make-up), 24,
	// 25, 26 Feb = 5 wd.
	tr(metrics.CaseFacts{ID: "C3", Station: "S1", Accepted: d("2026-02-12"), Closed: d("2026-02-26"), Result: caseflow.Granted}),
	// C4: as C3 but closed Fri 27 Feb and refused: late. A = 6 wd.
	tr(metrics.CaseFacts{ID: "C4", Station: "S2", Accepted: d("2026-02-12"), Closed: d("2026-02-27"), Result: caseflow.Refused}),
	// C5: accepted Mon 2 Feb, site inspection from Wed 4 to Tue 10 Feb:
	// stopped (4 Feb, 10 Feb] = 5, 6, 9, 10 Feb = 4 wd. Promised due = 14th
	// wd after 2 Feb: 3, 4, 5, 6, 9, 10, 11, 12, 13, Sat 14, 24, 25, 26, 27
	// Feb → 27 Feb; closed Thu 26 Feb: on time. Legal due = 24th wd: 28 Feb
	// (make-up), 2–6, 9–12 Mar → 12 Mar: within. Days 2→26 Feb = 13 wd, A =
	// 13 − 4 = 9; L − A = 20 − 9 = 11.
	bp(metrics.CaseFacts{ID: "C5", Station: "S1", Accepted: d("2026-02-02"), Closed: d("2026-02-26"), Result: caseflow.Granted,
		Stopped: []workcal.Span{{From: d("2026-02-04"), To: d("2026-02-10")}}}),
	// C6: calendar days. Accepted Thu 5 Feb + 10 = Sun 15 Feb, in the
	// Spring Festival; the period rolls forward to Tue 24 Feb. Closed 24
	// Feb: on time, though 19 calendar days passed (A ≤ P alone would call it
	// late). Legal: 5 Feb + 15 = Fri 20 Feb, a holiday → 24 Feb: within.
	// A in L's unit = 19 calendar days, L − A = 15 − 19 = −4. In working days
	// A = 6, 9, 10, 11, 12, 13, Sat 14, 24 Feb = 8.
	rp(metrics.CaseFacts{ID: "C6", Station: "S2", Accepted: d("2026-02-05"), Closed: d("2026-02-24"), Result: caseflow.Granted}),
	// C7: withdrawn. Accepted Mon 2 Feb, returned for supplement Tue 3 Feb,
	// never supplemented (span still open), withdrawn Fri 13 Feb. The open
	// span ends at closing: stopped (3 Feb, 13 Feb] = 4, 5, 6, 9, 10, 11, 12,
	// 13 = 8 wd. Due = 13th wd after 2 Feb = 26 Feb: on time. A = 9 − 8 = 1.
	tr(metrics.CaseFacts{ID: "C7", Station: "S1", Accepted: d("2026-02-02"), Closed: d("2026-02-13"), Result: caseflow.Withdrawn,
		Stopped: []workcal.Span{{From: d("2026-02-03")}}}),
	// C8: not accepted on Tue 10 Feb: never accepted, never closed.
	pen(metrics.CaseFacts{ID: "C8", Station: "S2", Closed: d("2026-02-10"), Result: caseflow.NotAccepted}),
	// C9: accepted Wed 25 Feb, still open.
	bp(metrics.CaseFacts{ID: "C9", Station: "S2", Accepted: d("2026-02-25")}),
	// C10: accepted in January (Mon 19 Jan), extended by 10 wd, closed Thu 12
	// Feb. Promised: 10th wd after 19 Jan = 20–23, 26–30 Jan, 2 Feb → 2 Feb;
	// + 10 = 3–6, 9–13 Feb, Sat 14 Feb → 14 Feb: on time (without the
	// extension it would be late). Legal: 20th wd = 14 Feb, + 10 = 24–27 Feb,
	// Sat 28 Feb, 2–6 Mar → 6 Mar: within. A = 9 wd in January (20–23, 26–30)
	// + 9 in February (2–6, 9–12) = 18; L − A = 2.
	bp(metrics.CaseFacts{ID: "C10", Station: "S1", Accepted: d("2026-01-19"), Closed: d("2026-02-12"), Result: caseflow.Granted, ExtensionDays: 10}),
	// C11: accepted Fri 27 Feb, closed in March.
	tr(metrics.CaseFacts{ID: "C11", Station: "S1", Accepted: d("2026-02-27"), Closed: d("2026-03-04"), Result: caseflow.Granted}),
	// C12: on-the-spot matter accepted Fri 13 Feb, closed Thu 26 Feb: late;
	// legal due = 3rd wd after 13 Feb = Sat 14, 24, 25 Feb → 25 Feb: past it.
	pen(metrics.CaseFacts{ID: "C12", Station: "S2", Accepted: d("2026-02-13"), Closed: d("2026-02-26"), Result: caseflow.Granted}),
}

var ratings = []metrics.RatingFacts{
	{CaseID: "C1", Station: "S1", Department: "D1", Matter: "PEN", Day: d("2026-02-03"), Level: 5},
	{CaseID: "C1", Station: "S1", Department: "D1", Matter: "PEN", Day: d("2026-02-04"), Level: 4}, // a second visit: C1 still counts once as rated
	{CaseID: "C2", Station: "S2", Department: "D1", Matter: "PEN", Day: d("2026-02-06"), Level: 4},
	// Named bad review, followed up Wed 4 Mar, before its deadline Fri 6 Mar.
	{CaseID: "C4", Station: "S2", Department: "D2", Matter: "TR", Day: d("2026-02-27"), Level: 1, Named: true,
		Verified: true, Rectified: true, Answered: true, FollowedUp: true, FollowUpDue: d("2026-03-06"), FollowedUpOn: d("2026-03-04")},
	// Anonymous bad review, not rectified, followed up Mon 9 Mar after its deadline Thu 5 Mar.
	{CaseID: "C12", Station: "S2", Department: "D1", Matter: "PEN", Day: d("2026-02-26"), Level: 2,
		Verified: true, FollowedUp: true, FollowUpDue: d("2026-03-05"), FollowedUpOn: d("2026-03-09")},
	{CaseID: "C10", Station: "S1", Department: "D3", Matter: "BP", Day: d("2026-02-12"), Level: 3},
	// C5 was rated in March: not a February rating, but C5 counts as rated.
	{CaseID: "C5", Station: "S1", Department: "D3", Matter: "BP", Day: d("2026-03-02"), Level: 5},
	// A visit rated at the window with no case (一次一评).
	{Station: "S1", Day: d("2026-02-10"), Level: 4},
	// An invalid level: ignored everywhere, so C3 is not rated.
	{CaseID: "C3", Station: "S1", Department: "D2", Matter: "TR", Day: d("2026-02-26"), Level: 0},
}

var feb = metrics.Month(2026, 2)

func ratio(num, den int) metrics.Ratio { return metrics.Ratio{Num: num, Den: den} }

func checkFigures(t *testing.T, got, want metrics.Figures) {
	t.Helper()
	if got != want {
		t.Errorf("figures differ:\n got %+v\nwant %+v", got, want)
	}
}

func TestComputeFebruary(t *testing.T) {
	// Accepted in February: C1, C2, C3, C4, C5, C6, C7, C9, C11, C12 = 10
	// (C10 in January; C8 never accepted).
	// Closed in February: C1, C2, C3, C5, C6, C10, C12 granted (7), C4
	// refused (1), C7 withdrawn (1) = 9. Not accepted: C8. Extended: C10.
	// On the spot: C1 only → 1/9.
	// On time: C1, C3, C5, C6, C7, C10 → 6/9; late C2, C4, C12 → 3/9.
	// Within legal, over cases with a statutory limit (C1, C2, C5, C6, C10,
	// C12): all but C12 → 5/6.
	// Actual speed-up over promised-time cases with L > 0 (C5, C6, C10):
	// (11 − 4 + 2) / (20 + 15 + 20) = 9/55.
	// Average days over promised-time cases (C3 5, C4 6, C5 9, C6 8, C7 1,
	// C10 18) = 47/6.
	// Ratings in February with a valid level: C1 ×2, C2, C4, C12, C10, the
	// caseless one = 7; levels 5, 4, 4, 1, 2, 3, 4 → satisfied 5/7, bad 2/7.
	// Rated closed cases (any day): C1, C2, C4, C5, C10, C12 = 6/9.
	// Bad reviews: C4 (rectified, followed up in time, named) and C12 (not
	// rectified, followed up late) → rectification 1/2, follow-up 1/2, named
	// follow-up 1/1.
	want := metrics.Figures{
		Accepted: 10, Closed: 9, Granted: 7, Refused: 1, Withdrawn: 1, NotAccepted: 1, Extended: 1,
		OnSpotRate:        ratio(1, 9),
		OnTimeRate:        ratio(6, 9),
		OverdueRate:       ratio(3, 9),
		WithinLegalRate:   ratio(5, 6),
		ActualSpeedUp:     ratio(9, 55),
		AvgDays:           metrics.Average{Sum: 47, N: 6},
		Ratings:           7,
		RatingRate:        ratio(6, 9),
		Satisfaction:      ratio(5, 7),
		BadRate:           ratio(2, 7),
		RectificationRate: ratio(1, 2),
		FollowUpRate:      ratio(1, 2),
		NamedFollowUpRate: ratio(1, 1),
	}
	got := metrics.Compute(cal, cases, ratings, feb)
	checkFigures(t, got, want)
	for name, r := range map[string]struct {
		r    metrics.Ratio
		want string
	}{
		"OnTimeRate":    {got.OnTimeRate, "66.7%"},
		"ActualSpeedUp": {got.ActualSpeedUp, "16.4%"},
		"Within legal":  {got.WithinLegalRate, "83.3%"},
		"Named":         {got.NamedFollowUpRate, "100%"},
	} {
		if s := r.r.String(); s != r.want {
			t.Errorf("%s.String() = %q, want %q", name, s, r.want)
		}
	}
	if s := got.AvgDays.String(); s != "7.8" {
		t.Errorf("AvgDays.String() = %q, want 7.8", s)
	}
}

func TestComputeLastDaysOfFebruary(t *testing.T) {
	// 26–28 Feb. Accepted: C11 (27 Feb) = 1. Closed: C3, C5, C12 (26 Feb),
	// C4 (27 Feb) = 4, three granted and one refused. On the spot: none.
	// On time: C3, C5 → 2/4. Within legal: C5 yes, C12 no → 1/2. Speed-up:
	// C5 only → 11/20. Average: C3 5, C4 6, C5 9 → 20/3. Ratings: C12 (26
	// Feb, level 2) and C4 (27 Feb, level 1) → 2, satisfaction a defined
	// 0/2, bad 2/2. Rated: C4, C5, C12 → 3/4.
	want := metrics.Figures{
		Accepted: 1, Closed: 4, Granted: 3, Refused: 1,
		OnSpotRate:        ratio(0, 4),
		OnTimeRate:        ratio(2, 4),
		OverdueRate:       ratio(2, 4),
		WithinLegalRate:   ratio(1, 2),
		ActualSpeedUp:     ratio(11, 20),
		AvgDays:           metrics.Average{Sum: 20, N: 3},
		Ratings:           2,
		RatingRate:        ratio(3, 4),
		Satisfaction:      ratio(0, 2),
		BadRate:           ratio(2, 2),
		RectificationRate: ratio(1, 2),
		FollowUpRate:      ratio(1, 2),
		NamedFollowUpRate: ratio(1, 1),
	}
	got := metrics.Compute(cal, cases, ratings, metrics.Period{From: d("2026-02-26"), To: d("2026-02-28")})
	checkFigures(t, got, want)
	if s := got.Satisfaction.String(); s != "0%" {
		t.Errorf("a defined zero shows as %q, want 0%%", s)
	}
}

func TestComputeZeroDenominators(t *testing.T) {
	tests := []struct {
		name string
		p    metrics.Period
		want metrics.Figures
	}{
		// 25 Feb: only C9 is accepted; nothing closes, nothing is rated.
		{"accepted only", metrics.Period{From: d("2026-02-25"), To: d("2026-02-25")}, metrics.Figures{Accepted: 1}},
		// January: C10 accepted on 19 Jan; nothing else.
		{"January", metrics.Month(2026, 1), metrics.Figures{Accepted: 1}},
		// 10–20 Mar: nothing at all.
		{"quiet", metrics.Period{From: d("2026-03-10"), To: d("2026-03-20")}, metrics.Figures{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := metrics.Compute(cal, cases, ratings, tt.p)
			checkFigures(t, got, tt.want)
			for _, r := range []metrics.Ratio{got.OnSpotRate, got.OnTimeRate, got.OverdueRate, got.WithinLegalRate,
				got.ActualSpeedUp, got.RatingRate, got.Satisfaction, got.BadRate, got.RectificationRate,
				got.FollowUpRate, got.NamedFollowUpRate} {
				if _, ok := r.Value(); ok || r.String() != "—" {
					t.Errorf("%+v is defined (%s), want undefined", r, r)
				}
			}
			if _, ok := got.AvgDays.Value(); ok || got.AvgDays.String() != "—" {
				t.Errorf("AvgDays %+v is defined", got.AvgDays)
			}
		})
	}
}

func TestComputeMarch(t *testing.T) {
	// March: C11 closes Wed 4 Mar (accepted Fri 27 Feb, 5 wd → Sat 28 Feb
	// (make-up), 2, 3, 4, 5 Mar → due 5 Mar): on time, A = 28 Feb, 2, 3, 4
	// Mar = 4 wd, no statutory limit. The only March rating is C5's (level 5),
	// and it rates a February case: RatingRate 0/1, satisfaction 1/1.
	want := metrics.Figures{
		Closed: 1, Granted: 1,
		OnSpotRate:   ratio(0, 1),
		OnTimeRate:   ratio(1, 1),
		OverdueRate:  ratio(0, 1),
		AvgDays:      metrics.Average{Sum: 4, N: 1},
		Ratings:      1,
		RatingRate:   ratio(0, 1),
		Satisfaction: ratio(1, 1),
		BadRate:      ratio(0, 1),
	}
	checkFigures(t, metrics.Compute(cal, cases, ratings, metrics.Month(2026, 3)), want)
}

func TestClosedOnAWeekendAfterTheDueDateIsLate(t *testing.T) {
	// Accepted Mon 2 Mar, 4 wd → due Fri 6 Mar. Closed Sat 7 Mar: A = 4 wd
	// (no working day passed on Saturday), but it was closed after the due
	// date, so it is late.
	c := metrics.CaseFacts{ID: "X", Accepted: d("2026-03-02"), Closed: d("2026-03-07"), Result: caseflow.Granted, Promised: wd(4)}
	got := metrics.Compute(cal, []metrics.CaseFacts{c}, nil, metrics.Month(2026, 3))
	if got.OnTimeRate != ratio(0, 1) || got.AvgDays != (metrics.Average{Sum: 4, N: 1}) {
		t.Errorf("OnTimeRate = %v, AvgDays = %v; want 0/1 and 4/1", got.OnTimeRate, got.AvgDays)
	}
}

func TestStoppedSpansAreClippedToTheCase(t *testing.T) {
	// Accepted Mon 2 Mar, 3 wd → due Thu 5 Mar, closed Mon 9 Mar (late
	// without help). A span from Fri 27 Feb (before acceptance: the clock had
	// not started) to Tue 3 Mar stops only (2 Mar, 3 Mar] = 1 wd; a span from
	// Fri 6 Mar to Fri 13 Mar (after closing) only (6 Mar, 9 Mar] = Mon 9 = 1
	// wd. Due = 5th wd after 2 Mar = Mon 9 Mar: on time. A = 5 − 2 = 3.
	// Unclipped, the spans would stop 2 + 5 = 7 wd and make A 0.
	c := metrics.CaseFacts{ID: "X", Accepted: d("2026-03-02"), Closed: d("2026-03-09"), Result: caseflow.Granted, Promised: wd(3),
		Stopped: []workcal.Span{{From: d("2026-02-27"), To: d("2026-03-03")}, {From: d("2026-03-06"), To: d("2026-03-13")}}}
	got := metrics.Compute(cal, []metrics.CaseFacts{c}, nil, metrics.Month(2026, 3))
	if got.OnTimeRate != ratio(1, 1) || got.AvgDays != (metrics.Average{Sum: 3, N: 1}) {
		t.Errorf("OnTimeRate = %v, AvgDays = %v; want 1/1 and 3/1", got.OnTimeRate, got.AvgDays)
	}
}

func TestUnclosedResults(t *testing.T) {
	// A closing date without a result, and a NotAccepted case that carries
	// an acceptance date by mistake: neither is closed or accepted.
	cs := []metrics.CaseFacts{
		{ID: "A", Accepted: d("2026-03-02"), Closed: d("2026-03-02")},
		{ID: "B", Accepted: d("2026-03-02"), Closed: d("2026-03-03"), Result: caseflow.NotAccepted},
	}
	checkFigures(t, metrics.Compute(cal, cs, nil, metrics.Month(2026, 3)), metrics.Figures{
		Accepted: 1, NotAccepted: 1,
	})
}

func TestPeriod(t *testing.T) {
	p := metrics.Month(2026, 2)
	if p.From != d("2026-02-01") || p.To != d("2026-02-28") || p.String() != "2026-02-01..2026-02-28" {
		t.Errorf("Month(2026, 2) = %s", p)
	}
	if p := metrics.Month(2026, 12); p.To != d("2026-12-31") {
		t.Errorf("Month(2026, 12) ends %s", p.To)
	}
	for _, tt := range []struct {
		d    workcal.Date
		want bool
	}{
		{d("2026-01-31"), false}, {d("2026-02-01"), true}, {d("2026-02-28"), true}, {d("2026-03-01"), false}, {workcal.Date{}, false},
	} {
		if got := p.Contains(tt.d); got != tt.want {
			t.Errorf("Contains(%s) = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestRatioAndAverage(t *testing.T) {
	for _, tt := range []struct {
		r    metrics.Ratio
		want string
		v    float64
		ok   bool
	}{
		{ratio(7, 8), "87.5%", 0.875, true},
		{ratio(1, 1), "100%", 1, true},
		{ratio(0, 3), "0%", 0, true},
		{ratio(2, 3), "66.7%", 2.0 / 3, true},
		{ratio(1, 3), "33.3%", 1.0 / 3, true},
		{ratio(-4, 55), "-7.3%", -4.0 / 55, true},
		{ratio(0, 0), "—", 0, false},
		{ratio(5, 0), "—", 0, false},
	} {
		v, ok := tt.r.Value()
		if tt.r.String() != tt.want || v != tt.v || ok != tt.ok {
			t.Errorf("%+v: String %q, Value %v %v; want %q, %v %v", tt.r, tt.r.String(), v, ok, tt.want, tt.v, tt.ok)
		}
	}
	for _, tt := range []struct {
		a    metrics.Average
		want string
	}{
		{metrics.Average{Sum: 47, N: 6}, "7.8"},
		{metrics.Average{Sum: 27, N: 2}, "13.5"},
		{metrics.Average{Sum: 8, N: 2}, "4"},
		{metrics.Average{}, "—"},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.a, got, tt.want)
		}
	}
}
