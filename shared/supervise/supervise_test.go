package supervise_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	"github.com/bianmin/bianmin/shared/supervise"
	"github.com/bianmin/bianmin/shared/workcal"
)

var (
	cat   = catalog.Demo()
	cal   = workcal.Builtin()
	clerk = fixture.Actor("XZ01", catalog.Township)
	rnd   = rand.New(rand.NewPCG(1, 1))
)

func at(d string) time.Time { return workcal.MustDate(d).Time().Add(10 * time.Hour) }

func apply(t *testing.T, c *casefile.Case, ch *casefile.Change) {
	t.Helper()
	if err := casefile.Apply(c, ch, casefile.Env{Catalog: cat, Calendar: cal}); err != nil {
		t.Fatalf("%s: %v", ch.Action, err)
	}
}

// dibaoAccepted is 最低生活保障 accepted Thu 12 Feb 2026. Promised 25
// working days: 13 Feb (1), the make-up Saturday 14 Feb (2), the Spring
// Festival 15–23 Feb off, 24–27 Feb (3–6), make-up Sat 28 Feb (7), 2–6 Mar
// (8–12), 9–13 (13–17), 16–20 (18–22), 23–25 Mar (23–25): due Wed 25 Mar.
// Legal 30: 26, 27, 30, 31 Mar and 1 Apr: legal due Wed 1 Apr.
func dibaoAccepted(t *testing.T) *casefile.Case {
	t.Helper()
	m := fixture.Matter(cat, "最低生活保障审核确认")
	c := &casefile.Case{}
	apply(t, c, fixture.Receive(rnd, m, clerk, caseflow.FormatNumber("XZ01", workcal.D(2026, 2, 12), 1), at("2026-02-12")))
	apply(t, c, fixture.Next(c, caseflow.Accept, clerk, at("2026-02-12")))
	if c.DueOn != workcal.D(2026, 3, 25) || c.LegalDueOn != workcal.D(2026, 4, 1) {
		t.Fatalf("due %s legal %s", c.DueOn, c.LegalDueOn)
	}
	return c
}

type lv struct {
	level casefile.WarningLevel
	scope string
}

func levels(ws []casefile.Warning) []lv {
	var out []lv
	for _, w := range ws {
		out = append(out, lv{w.Level, w.Scope})
	}
	return out
}

func TestCaseWarningsByDay(t *testing.T) {
	c := dibaoAccepted(t)
	r := supervise.Defaults()
	for _, tc := range []struct {
		day  string
		want []lv
	}{
		{"2026-03-23", nil},
		{"2026-03-24", []lv{{casefile.Reminder, ""}}}, // one working day before
		{"2026-03-25", []lv{{casefile.Reminder, ""}}}, // the due day itself
		{"2026-03-26", []lv{{casefile.Yellow, ""}}},
		{"2026-04-01", []lv{{casefile.Yellow, ""}}}, // the legal due day
		{"2026-04-02", []lv{{casefile.Red, ""}, {casefile.Yellow, ""}}},
	} {
		if got := levels(supervise.Due(c, cal, workcal.MustDate(tc.day), r)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.day, got, tc.want)
		}
	}
	// Over the Qingming holiday (4–6 Apr 2026) nothing changes the rules.
	r.ReminderDays = 3 // 20 Mar is three working days before 25 Mar
	if got := levels(supervise.Due(c, cal, workcal.D(2026, 3, 20), r)); !slices.Equal(got, []lv{{casefile.Reminder, ""}}) {
		t.Errorf("3-day reminder on 20 Mar: %v", got)
	}
}

func TestMissingSkipsWhatTheCaseCarries(t *testing.T) {
	c := dibaoAccepted(t)
	w := fixture.Next(c, caseflow.Warn, casefile.Actor{User: "scanner", Role: caseflow.System, Level: catalog.Central}, at("2026-03-24"))
	w.Warning = &casefile.Warning{Level: casefile.Reminder}
	apply(t, c, w)
	if got := supervise.Missing(c, cal, workcal.D(2026, 3, 25), supervise.Defaults()); len(got) != 0 {
		t.Fatalf("a case carrying its reminder is reminded again: %v", got)
	}
	if got := levels(supervise.Missing(c, cal, workcal.D(2026, 3, 26), supervise.Defaults())); !slices.Equal(got, []lv{{casefile.Yellow, ""}}) {
		t.Fatalf("missing on 26 Mar: %v", got)
	}
}

func TestNoWarningsWhileStoppedOrClosed(t *testing.T) {
	c := dibaoAccepted(t)
	ret := fixture.Next(c, caseflow.ReturnForSupplement, clerk, at("2026-03-20"))
	ret.Notice = &casefile.Notice{Items: []casefile.MissingItem{{Name: "收入证明"}}}
	apply(t, c, ret)
	if got := supervise.Due(c, cal, workcal.D(2026, 4, 30), supervise.Defaults()); len(got) != 0 {
		t.Fatalf("stopped clock, yet %v", got)
	}
	wd := fixture.Next(c, caseflow.Withdraw, clerk, at("2026-04-30"))
	wd.Note = "逾期未补正"
	apply(t, c, wd)
	if got := supervise.Due(c, cal, workcal.D(2026, 5, 30), supervise.Defaults()); len(got) != 0 {
		t.Fatalf("closed, yet %v", got)
	}
}

func TestIntakeAndDeliveryPeriods(t *testing.T) {
	m := fixture.Matter(cat, "最低生活保障审核确认")
	c := &casefile.Case{}
	apply(t, c, fixture.Receive(rnd, m, clerk, caseflow.FormatNumber("XZ01", workcal.D(2026, 3, 2), 1), at("2026-03-02")))
	r := supervise.Defaults()
	if got := supervise.Due(c, cal, workcal.D(2026, 3, 7), r); len(got) != 0 {
		t.Fatalf("day 5 after receipt: %v", got)
	}
	if got := levels(supervise.Due(c, cal, workcal.D(2026, 3, 8), r)); !slices.Equal(got, []lv{{casefile.Yellow, supervise.ScopeIntake}}) {
		t.Fatalf("day 6 after receipt: %v", got)
	}
	apply(t, c, fixture.Next(c, caseflow.Accept, clerk, at("2026-03-08")))
	g := fixture.Next(c, caseflow.Grant, clerk, at("2026-03-09"))
	apply(t, c, g)
	if got := supervise.Due(c, cal, workcal.D(2026, 3, 19), r); len(got) != 0 {
		t.Fatalf("10 days after the decision: %v", got)
	}
	if got := levels(supervise.Due(c, cal, workcal.D(2026, 3, 20), r)); !slices.Equal(got, []lv{{casefile.Yellow, supervise.ScopeDelivery}}) {
		t.Fatalf("11 days after the decision: %v", got)
	}
}

func TestStepOverdue(t *testing.T) {
	// 残疾人证核发 forwarded Mon 2 Mar 2026: one department stage (cl,
	// handle → review → approve) with a 10-working-day sub-deadline: 16 Mar.
	// Its promised and legal limits are also 10 working days, so on 17 Mar
	// the case is past both (red and yellow) and its step is overdue.
	m := fixture.Matter(cat, "残疾人证核发")
	c := &casefile.Case{}
	apply(t, c, fixture.Receive(rnd, m, clerk, caseflow.FormatNumber("XZ01", workcal.D(2026, 3, 2), 1), at("2026-03-02")))
	apply(t, c, fixture.Next(c, caseflow.Accept, clerk, at("2026-03-02")))
	apply(t, c, fixture.Next(c, caseflow.Forward, clerk, at("2026-03-02")))
	ts := c.Tasks(cal)
	if len(ts) != 1 || ts[0].Due != workcal.D(2026, 3, 16) {
		t.Fatalf("tasks %+v", ts)
	}
	got := levels(supervise.Due(c, cal, workcal.D(2026, 3, 17), supervise.Defaults()))
	want := []lv{{casefile.Red, ""}, {casefile.Yellow, ""}, {casefile.Yellow, "stage1/cl/handle"}}
	if !slices.Equal(got, want) {
		t.Fatalf("17 Mar: %v, want %v", got, want)
	}
	r := supervise.Defaults()
	r.StepYellow = false
	if got := levels(supervise.Due(c, cal, workcal.D(2026, 3, 17), r)); !slices.Equal(got, []lv{{casefile.Red, ""}, {casefile.Yellow, ""}}) {
		t.Fatalf("without step cards: %v", got)
	}
}
