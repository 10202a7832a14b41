package report_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/report"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// Demo catalog matters the cases use.
const (
	sbCard    = "社保卡申领/补换"     // rs, on the spot, no statutory limit
	pension   = "城乡居民养老保险参保登记" // rs, on the spot, statutory limit 3 working days
	destitute = "特困人员认定"       // mz, promised and statutory 15 working days, 公示
	relief    = "临时救助"         // mz with co-department xz, promised 5 working days, no statutory limit
)

var (
	cal      = workcal.Builtin()
	march    = metrics.Month(2026, time.March)
	stations = map[string]string{"XZ01": "青山镇便民服务中心", "XZ02": "石桥镇便民服务中心"}

	clerk1    = fixture.Actor("XZ01", catalog.Township)
	clerk2    = fixture.Actor("XZ02", catalog.Township)
	scheduler = casefile.Actor{User: "scheduler", Role: caseflow.System, Level: catalog.Central}
)

// at is 10:00 in China on the given day.
func at(day string) time.Time { return workcal.MustDate(day).Time().Add(10 * time.Hour) }

// builder drives cases through casefile.Apply, as central holds them.
type builder struct {
	t   *testing.T
	env casefile.Env
	rng *rand.Rand
	seq int
}

func (b *builder) receive(by casefile.Actor, matter, day string) *casefile.Case {
	b.t.Helper()
	b.seq++
	number := caseflow.FormatNumber(by.Station, workcal.MustDate(day), b.seq)
	c := &casefile.Case{}
	ch := fixture.Receive(b.rng, fixture.Matter(b.env.Catalog, matter), by, number, at(day))
	if err := casefile.Apply(c, ch, b.env); err != nil {
		b.t.Fatalf("receive %s: %v", matter, err)
	}
	return c
}

func (b *builder) do(c *casefile.Case, a caseflow.Action, by casefile.Actor, day string, edit ...func(*casefile.Change)) {
	b.t.Helper()
	ch := fixture.Next(c, a, by, at(day))
	for _, e := range edit {
		e(ch)
	}
	if err := casefile.Apply(c, ch, b.env); err != nil {
		b.t.Fatalf("%s on %s: %v", a, c.Number, err)
	}
}

func delivered(ch *casefile.Change) { ch.Delivery = &casefile.Delivery{Method: casefile.AtWindow} }

func rated(level int, named bool) func(*casefile.Change) {
	return func(ch *casefile.Change) { ch.Rating = &casefile.Rating{Level: level, Named: named} }
}

func warned(l casefile.WarningLevel) func(*casefile.Change) {
	return func(ch *casefile.Change) { ch.Warning = &casefile.Warning{Level: l, Reason: "监察"} }
}

func publicNotice(ch *casefile.Change) {
	ch.Suspension = &casefile.Suspension{Procedure: catalog.PublicNotice, ExpectedDays: 7}
}

// data is the month's cases: March 2026 has no holidays, its working days
// are 2–6, 9–13, 16–20, 23–27, 30 and 31.
type data struct {
	cases map[string]*casefile.Case
	rects []store.Rectification
}

func (d data) each(fn func(*casefile.Case) error) error {
	for _, name := range []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11"} {
		if err := fn(d.cases[name]); err != nil {
			return err
		}
	}
	return nil
}

// cases builds eleven cases at two township stations in two departments (rs
// and mz). A is working days used, stopped days excluded.
func cases(t *testing.T) data {
	b := &builder{t: t, env: casefile.Env{Catalog: catalog.Demo(), Calendar: cal}, rng: rand.New(rand.NewPCG(1, 2))}
	cs := map[string]*casefile.Case{}
	onSpot := func(by casefile.Actor, matter, day string) *casefile.Case {
		c := b.receive(by, matter, day)
		b.do(c, caseflow.Accept, by, day)
		b.do(c, caseflow.CloseOnSpot, by, day)
		return c
	}

	// XZ01 青山镇
	// c1: 社保卡 (rs) closed on the spot Mon 2 Mar; rated 5.
	cs["c1"] = onSpot(clerk1, sbCard, "2026-03-02")
	b.do(cs["c1"], caseflow.Rate, clerk1, "2026-03-02", rated(5, false))
	// c2: 养老参保 (rs) on the spot Tue 3 Mar; statutory 3 wd, so within it; rated 4.
	cs["c2"] = onSpot(clerk1, pension, "2026-03-03")
	b.do(cs["c2"], caseflow.Rate, clerk1, "2026-03-03", rated(4, false))
	// c3: 特困 (mz) accepted Mon 2 Mar, due Mon 23 Mar, delivered Tue 17 Mar:
	// A = 4 + 5 + 2 = 11, on time and within L = 15. A named bad review
	// (2) on 18 Mar, followed up on 23 Mar before its due day 25 Mar.
	c := b.receive(clerk1, destitute, "2026-03-02")
	b.do(c, caseflow.Accept, clerk1, "2026-03-02")
	b.do(c, caseflow.Grant, clerk1, "2026-03-16")
	b.do(c, caseflow.Deliver, clerk1, "2026-03-17", delivered)
	b.do(c, caseflow.Rate, clerk1, "2026-03-18", rated(2, true))
	cs["c3"] = c
	// c4: 临时救助 (mz) accepted Mon 2 Mar, due Mon 9 Mar, closed Thu 12 Mar:
	// late, A = 4 + 4 = 8. A reminder on Fri 6 Mar, a yellow card on 10 Mar.
	c = b.receive(clerk1, relief, "2026-03-02")
	b.do(c, caseflow.Accept, clerk1, "2026-03-02")
	b.do(c, caseflow.Warn, scheduler, "2026-03-06", warned(casefile.Reminder))
	b.do(c, caseflow.Warn, scheduler, "2026-03-10", warned(casefile.Yellow))
	b.do(c, caseflow.Grant, clerk1, "2026-03-12")
	b.do(c, caseflow.Deliver, clerk1, "2026-03-12", delivered)
	cs["c4"] = c
	// c5: 特困 (mz) accepted Tue 3 Mar, suspended for 公示 Thu 5 Mar to Mon
	// 16 Mar (7 working days stopped: 6, 9–13, 16), delivered Wed 25 Mar:
	// A = 16 − 7 = 9; due 3 Mar + 22 wd = 2 Apr, so on time and within L.
	c = b.receive(clerk1, destitute, "2026-03-03")
	b.do(c, caseflow.Accept, clerk1, "2026-03-03")
	b.do(c, caseflow.Suspend, clerk1, "2026-03-05", publicNotice)
	b.do(c, caseflow.Resume, clerk1, "2026-03-16")
	b.do(c, caseflow.Grant, clerk1, "2026-03-24")
	b.do(c, caseflow.Deliver, clerk1, "2026-03-25", delivered)
	cs["c5"] = c

	// XZ02 石桥镇
	// c6: 特困 (mz) accepted Mon 23 Mar, suspended Wed 25 Mar and still so.
	c = b.receive(clerk2, destitute, "2026-03-23")
	b.do(c, caseflow.Accept, clerk2, "2026-03-23")
	b.do(c, caseflow.Suspend, clerk2, "2026-03-25", publicNotice)
	cs["c6"] = c
	// c7: 社保卡 (rs) on the spot Wed 4 Mar; rated 3.
	cs["c7"] = onSpot(clerk2, sbCard, "2026-03-04")
	b.do(cs["c7"], caseflow.Rate, clerk2, "2026-03-04", rated(3, false))
	// c8: 临时救助 (mz) accepted Mon 9 Mar (due 16 Mar), withdrawn Wed 11
	// Mar: closed on time, A = 2. An anonymous bad review (1) on 12 Mar,
	// only verified.
	c = b.receive(clerk2, relief, "2026-03-09")
	b.do(c, caseflow.Accept, clerk2, "2026-03-09")
	b.do(c, caseflow.Withdraw, clerk2, "2026-03-11", func(ch *casefile.Change) { ch.Note = "申请人申请撤回" })
	b.do(c, caseflow.Rate, clerk2, "2026-03-12", rated(1, false))
	cs["c8"] = c
	// c9: 养老参保 (rs) closed on the spot Fri 27 Feb, rated 5 on Mon 2 Mar:
	// the rating is March's, the case is February's.
	cs["c9"] = onSpot(clerk2, pension, "2026-02-27")
	b.do(cs["c9"], caseflow.Rate, clerk2, "2026-03-02", rated(5, false))
	// c10: 特困 (mz) not accepted on Tue 10 Mar.
	c = b.receive(clerk2, destitute, "2026-03-10")
	b.do(c, caseflow.RejectIntake, clerk2, "2026-03-10", func(ch *casefile.Change) {
		ch.Notice = &casefile.Notice{Reasons: []string{"申请人不属于本乡镇户籍"}, Remedies: []string{"可于六十日内申请行政复议"}}
	})
	cs["c10"] = c
	// c11: 特困 (mz) accepted Mon 2 Feb and still open: a reminder on 27
	// Feb, a red card on Mon 2 Mar (past the statutory limit).
	c = b.receive(clerk2, destitute, "2026-02-02")
	b.do(c, caseflow.Accept, clerk2, "2026-02-02")
	b.do(c, caseflow.Warn, scheduler, "2026-02-27", warned(casefile.Reminder))
	b.do(c, caseflow.Warn, scheduler, "2026-03-02", warned(casefile.Red))
	cs["c11"] = c

	rects := []store.Rectification{
		{CaseID: cs["c3"].ID, Number: cs["c3"].Number, Station: "XZ01", Department: "mz", Rating: 2, Named: true,
			OpenedOn: workcal.D(2026, 3, 18), DueOn: workcal.D(2026, 3, 25), VerifiedOn: workcal.D(2026, 3, 19),
			RectifiedOn: workcal.D(2026, 3, 20), AnsweredOn: workcal.D(2026, 3, 20), FollowedUpOn: workcal.D(2026, 3, 23), Outcome: "satisfied"},
		{CaseID: cs["c8"].ID, Number: cs["c8"].Number, Station: "XZ02", Department: "mz", Rating: 1,
			OpenedOn: workcal.D(2026, 3, 12), DueOn: workcal.D(2026, 3, 19), VerifiedOn: workcal.D(2026, 3, 13)},
	}
	return data{cases: cs, rects: rects}
}

func compute(t *testing.T, d data, opts report.Options) report.Result {
	t.Helper()
	r, err := report.Compute(d.each, d.rects, cal, catalog.Demo(), stations, opts, time.Date(2026, 4, 1, 9, 0, 0, 0, workcal.Shanghai))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rowWant is a row as worked out by hand.
type rowWant struct {
	key, label             string
	rank                   int
	f                      metrics.Figures
	reminders, yellow, red int
}

func checkRows(t *testing.T, got []report.Row, want []rowWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Key != w.key || g.Label != w.label || g.Rank != w.rank {
			t.Errorf("row %d = %s %q rank %d, want %s %q rank %d", i, g.Key, g.Label, g.Rank, w.key, w.label, w.rank)
		}
		if g.Figures != w.f {
			t.Errorf("row %s figures\n got %+v\nwant %+v", w.key, g.Figures, w.f)
		}
		if g.Reminders != w.reminders || g.Yellow != w.yellow || g.Red != w.red {
			t.Errorf("row %s warnings = %d/%d/%d, want %d/%d/%d", w.key, g.Reminders, g.Yellow, g.Red, w.reminders, w.yellow, w.red)
		}
	}
}

func r(num, den int) metrics.Ratio { return metrics.Ratio{Num: num, Den: den} }

// Station and total figures, by hand from the comments in cases:
//
//	XZ01: accepted c1–c5 (5), closed c1–c5 (5, all granted); on the spot
//	c1, c2 (2/5); on time all but c4 (4/5); with a statutory limit c2, c3,
//	c5, all within (3/3); speed-up over c3, c5: (15−11 + 15−9) / 30; days
//	over c3, c4, c5: 11 + 8 + 9 = 28 / 3; ratings c1 5, c2 4, c3 2 (3),
//	rated closed 3/5, satisfied 2/3, bad 1/3, rectified and followed up 1/1.
//	Warnings: c4's reminder and yellow card.
//
//	XZ02: accepted c6, c7, c8 (3); closed c7 granted and c8 withdrawn (2);
//	c10 not accepted; on the spot c7 (1/2); on time both (2/2); no closed
//	case has a statutory limit; days c8: 2 / 1; ratings c7 3, c8 1, c9 5
//	(3), rated closed c7, c8 (2/2), satisfied 2/3, bad 1/3, c8 neither
//	rectified nor followed up (0/1), not named. Warnings: c11's red card
//	(its reminder was in February).
//
// XZ02 ranks first on its on-time rate (100 % against 80 %).
func TestComputeByStation(t *testing.T) {
	res := compute(t, cases(t), report.Options{Period: march, By: report.ByStation})
	checkRows(t, res.Rows, []rowWant{
		{key: "XZ02", label: "石桥镇便民服务中心", rank: 1, red: 1, f: metrics.Figures{
			Accepted: 3, Closed: 2, Granted: 1, Withdrawn: 1, NotAccepted: 1,
			OnSpotRate: r(1, 2), OnTimeRate: r(2, 2), OverdueRate: r(0, 2), WithinLegalRate: r(0, 0),
			ActualSpeedUp: r(0, 0), AvgDays: metrics.Average{Sum: 2, N: 1},
			Ratings: 3, RatingRate: r(2, 2), Satisfaction: r(2, 3), BadRate: r(1, 3),
			RectificationRate: r(0, 1), FollowUpRate: r(0, 1), NamedFollowUpRate: r(0, 0),
		}},
		{key: "XZ01", label: "青山镇便民服务中心", rank: 2, reminders: 1, yellow: 1, f: metrics.Figures{
			Accepted: 5, Closed: 5, Granted: 5,
			OnSpotRate: r(2, 5), OnTimeRate: r(4, 5), OverdueRate: r(1, 5), WithinLegalRate: r(3, 3),
			ActualSpeedUp: r(10, 30), AvgDays: metrics.Average{Sum: 28, N: 3},
			Ratings: 3, RatingRate: r(3, 5), Satisfaction: r(2, 3), BadRate: r(1, 3),
			RectificationRate: r(1, 1), FollowUpRate: r(1, 1), NamedFollowUpRate: r(1, 1),
		}},
	})
	// The total is the two stations added up: 7 closed, 6 on time, days
	// 28 + 2 over 4, rated closed 3 + 2, ratings 6 of which 2 bad.
	checkRows(t, []report.Row{res.Total}, []rowWant{{key: "", label: "合计", reminders: 1, yellow: 1, red: 1, f: metrics.Figures{
		Accepted: 8, Closed: 7, Granted: 6, Withdrawn: 1, NotAccepted: 1,
		OnSpotRate: r(3, 7), OnTimeRate: r(6, 7), OverdueRate: r(1, 7), WithinLegalRate: r(3, 3),
		ActualSpeedUp: r(10, 30), AvgDays: metrics.Average{Sum: 30, N: 4},
		Ratings: 6, RatingRate: r(5, 7), Satisfaction: r(4, 6), BadRate: r(2, 6),
		RectificationRate: r(1, 2), FollowUpRate: r(1, 2), NamedFollowUpRate: r(1, 1),
	}}})
	// Two groups: both are in the best three, so none is left for the bottom.
	if want := []string{"XZ02", "XZ01"}; !slices.Equal(res.Best, want) || len(res.Bottom) != 0 {
		t.Errorf("best %v bottom %v, want best %v and no bottom", res.Best, res.Bottom, want)
	}
	// The demo catalog's 26 matters: 9 on the spot; all but 残疾人证核发 and
	// 农村宅基地和建房审批 at most one visit; with a statutory limit L and P in
	// the same unit, L − P summed: 养老参保 3−0, 低保 30−25, 特困 15−15,
	// 残疾人证 10−10, 宅基地 20−15, 乡村建设 20−10, 餐饮店 20−7 = 36 over
	// 3+30+15+10+20+20+20 = 118; 居住证 and 法律援助 mix calendar and working
	// days and are skipped.
	wantCat := metrics.CatalogFigures{Matters: 26, PromisedSpeedUp: r(36, 118), SpeedUpSkipped: 2,
		OnTheSpotShare: r(9, 26), AtMostOneVisit: r(24, 26)}
	if res.Catalog != wantCat {
		t.Errorf("catalog figures %+v, want %+v", res.Catalog, wantCat)
	}
	if !res.Generated.Equal(time.Date(2026, 4, 1, 9, 0, 0, 0, workcal.Shanghai)) || res.Options.By != report.ByStation {
		t.Errorf("result options %+v generated %v", res.Options, res.Generated)
	}
}

// Department figures, by hand:
//
//	rs: c1, c2, c7 accepted and closed on the spot (3/3 on time); only c2
//	has a statutory limit (1/1); no promised-time case, so no speed-up or
//	days; ratings c1 5, c2 4, c7 3, c9 5 (4, all satisfied), rated closed
//	3/3.
//
//	mz: accepted c3, c4, c5, c6, c8 (5); closed c3, c4, c5 granted and c8
//	withdrawn (4); c10 not accepted; none on the spot; on time all but c4
//	(3/4); statutory c3, c5 (2/2); speed-up 10/30; days 11 + 8 + 9 + 2 =
//	30 / 4; ratings c3 2 and c8 1 (both bad), rated closed 2/4, one of the
//	two rectified and followed up. All three warnings.
func TestComputeByDepartment(t *testing.T) {
	res := compute(t, cases(t), report.Options{Period: march, By: report.ByDepartment})
	checkRows(t, res.Rows, []rowWant{
		{key: "rs", label: "县人力资源和社会保障局", rank: 1, f: metrics.Figures{
			Accepted: 3, Closed: 3, Granted: 3,
			OnSpotRate: r(3, 3), OnTimeRate: r(3, 3), OverdueRate: r(0, 3), WithinLegalRate: r(1, 1),
			Ratings: 4, RatingRate: r(3, 3), Satisfaction: r(4, 4), BadRate: r(0, 4),
		}},
		{key: "mz", label: "县民政局", rank: 2, reminders: 1, yellow: 1, red: 1, f: metrics.Figures{
			Accepted: 5, Closed: 4, Granted: 3, Withdrawn: 1, NotAccepted: 1,
			OnSpotRate: r(0, 4), OnTimeRate: r(3, 4), OverdueRate: r(1, 4), WithinLegalRate: r(2, 2),
			ActualSpeedUp: r(10, 30), AvgDays: metrics.Average{Sum: 30, N: 4},
			Ratings: 2, RatingRate: r(2, 4), Satisfaction: r(0, 2), BadRate: r(2, 2),
			RectificationRate: r(1, 2), FollowUpRate: r(1, 2), NamedFollowUpRate: r(1, 1),
		}},
	})
}

// A matter group is labelled with the matter's name and keyed by its code.
func TestComputeByMatterLabels(t *testing.T) {
	res := compute(t, cases(t), report.Options{Period: march, By: report.ByMatter})
	cat := catalog.Demo()
	names := map[string]bool{}
	for _, row := range res.Rows {
		m, ok := cat.Matter(row.Key)
		if !ok || row.Label != m.Name {
			t.Errorf("row %s is labelled %q", row.Key, row.Label)
		}
		names[row.Label] = true
	}
	for _, n := range []string{sbCard, pension, destitute, relief} {
		if !names[n] {
			t.Errorf("no row for %s", n)
		}
	}
	if len(res.Rows) != 4 {
		t.Errorf("%d rows, want 4", len(res.Rows))
	}
}

// A reviewer's scope keeps the cases of matters the departments take part
// in. xz takes part only in 临时救助, as its co-department: c4 at XZ01 (late,
// A = 8, reminder and yellow card) and c8 at XZ02 (withdrawn on time, A = 2,
// bad review verified only). Of the catalog only 临时救助 is in scope: not on
// the spot, at most one visit, no statutory limit.
func TestComputeDepartmentScope(t *testing.T) {
	d := cases(t)
	res := compute(t, d, report.Options{Period: march, By: report.ByStation, Departments: []string{"xz"}})
	checkRows(t, res.Rows, []rowWant{
		{key: "XZ02", label: "石桥镇便民服务中心", rank: 1, f: metrics.Figures{
			Accepted: 1, Closed: 1, Withdrawn: 1,
			OnSpotRate: r(0, 1), OnTimeRate: r(1, 1), OverdueRate: r(0, 1), AvgDays: metrics.Average{Sum: 2, N: 1},
			Ratings: 1, RatingRate: r(1, 1), Satisfaction: r(0, 1), BadRate: r(1, 1),
			RectificationRate: r(0, 1), FollowUpRate: r(0, 1),
		}},
		{key: "XZ01", label: "青山镇便民服务中心", rank: 2, reminders: 1, yellow: 1, f: metrics.Figures{
			Accepted: 1, Closed: 1, Granted: 1,
			OnSpotRate: r(0, 1), OnTimeRate: r(0, 1), OverdueRate: r(1, 1), AvgDays: metrics.Average{Sum: 8, N: 1},
			RatingRate: r(0, 1),
		}},
	})
	wantCat := metrics.CatalogFigures{Matters: 1, OnTheSpotShare: r(0, 1), AtMostOneVisit: r(1, 1)}
	if res.Catalog != wantCat {
		t.Errorf("catalog figures %+v, want %+v", res.Catalog, wantCat)
	}

	// rs implements c1, c2, c7 and c9: three accepted and closed in March,
	// four ratings (c9's too), no warnings.
	res = compute(t, d, report.Options{Period: march, Departments: []string{"rs"}})
	if tot := res.Total; tot.Figures.Accepted != 3 || tot.Figures.Closed != 3 || tot.Figures.Ratings != 4 ||
		tot.Reminders+tot.Yellow+tot.Red != 0 || len(res.Rows) != 0 {
		t.Errorf("rs scope: total %+v, %d rows", tot, len(res.Rows))
	}
	// A department that takes part in none of the cases sees an empty report.
	res = compute(t, d, report.Options{Period: march, By: report.ByStation, Departments: []string{"ga"}})
	if len(res.Rows) != 0 || res.Total.Figures.Accepted != 0 || res.Total.Figures.OnTimeRate.Den != 0 {
		t.Errorf("ga scope: %+v", res)
	}
}

func TestComputeRejects(t *testing.T) {
	d := cases(t)
	for name, opts := range map[string]report.Options{
		"unknown grouping": {Period: march, By: "window"},
		"no period":        {By: report.ByStation},
		"reversed period":  {Period: metrics.Period{From: workcal.D(2026, 3, 31), To: workcal.D(2026, 3, 1)}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := report.Compute(d.each, nil, cal, catalog.Demo(), stations, opts, time.Now())
			var be *bmerr.Error
			if !errors.As(err, &be) || be.Code != bmerr.Invalid {
				t.Errorf("err = %v, want an Invalid *bmerr.Error", err)
			}
		})
	}
	boom := errors.New("disk on fire")
	_, err := report.Compute(func(func(*casefile.Case) error) error { return boom }, nil, cal, nil, nil, report.Options{Period: march}, time.Now())
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the store's error", err)
	}
}

func TestFacts(t *testing.T) {
	legal := workcal.Limit{N: 20, Unit: workcal.WorkingDays}
	id := uuid.MustParse("0199a000-0000-7000-8000-000000000042")
	c := &casefile.Case{
		ID: id,
		Matter: casefile.MatterSnapshot{Code: "M1", Department: "zr", Handling: catalog.Promised, Legal: &legal,
			Promised: workcal.Limit{N: 10, Unit: workcal.WorkingDays}},
		OriginStation: "SQ01", HandlingStation: "XZ01", // a proxy case: the township handles it
		Status:     caseflow.Status{State: caseflow.Decided, Result: caseflow.Granted},
		AcceptedOn: workcal.D(2026, 3, 2),
		Stopped:    []workcal.Span{{From: workcal.D(2026, 3, 3), To: workcal.D(2026, 3, 5)}},
		StoppedOn:  workcal.D(2026, 3, 10),
		Extension:  &casefile.Extension{Days: 10, Reason: "现场勘查", Approver: "李镇长"},
	}
	f := report.Facts(c)
	want := metrics.CaseFacts{
		ID: id.String(), Matter: "M1", Station: "XZ01", Department: "zr", Accepted: workcal.D(2026, 3, 2),
		Promised: workcal.Limit{N: 10, Unit: workcal.WorkingDays}, ExtensionDays: 10,
	}
	if f.ID != want.ID || f.Matter != want.Matter || f.Station != want.Station || f.Department != want.Department ||
		f.Accepted != want.Accepted || f.Promised != want.Promised || f.ExtensionDays != want.ExtensionDays || f.OnTheSpot {
		t.Errorf("facts %+v, want %+v", f, want)
	}
	// Decided but not delivered: not closed, so no result yet.
	if !f.Closed.IsZero() || f.Result != caseflow.NoResult {
		t.Errorf("an undelivered case has closed %v result %q", f.Closed, f.Result)
	}
	if f.Legal == nil || *f.Legal != legal || f.Legal == c.Matter.Legal {
		t.Errorf("legal limit %v, want a copy of %v", f.Legal, legal)
	}
	wantStops := []workcal.Span{{From: workcal.D(2026, 3, 3), To: workcal.D(2026, 3, 5)}, {From: workcal.D(2026, 3, 10)}}
	if !slices.Equal(f.Stopped, wantStops) {
		t.Errorf("stopped %v, want %v (the open span last, with no end)", f.Stopped, wantStops)
	}
	f.Stopped[0].From = workcal.D(2000, 1, 1)
	if c.Stopped[0].From.Year == 2000 {
		t.Error("Facts shares the case's stopped spans")
	}

	c.Status = caseflow.Status{State: caseflow.Closed, Result: caseflow.Granted}
	c.ClosedOn, c.StoppedOn, c.Extension = workcal.D(2026, 3, 20), workcal.Date{}, nil
	c.Matter.Handling = catalog.OnTheSpot
	c.HandlingStation = "" // an old record: the origin handled it
	f = report.Facts(c)
	if f.Closed != workcal.D(2026, 3, 20) || f.Result != caseflow.Granted || !f.OnTheSpot || f.Station != "SQ01" ||
		len(f.Stopped) != 1 || f.ExtensionDays != 0 {
		t.Errorf("closed case facts %+v", f)
	}
}

func TestRating(t *testing.T) {
	d := cases(t)
	if _, ok := report.Rating(d.cases["c4"], nil); ok {
		t.Error("an unrated case has a rating")
	}
	c3 := d.cases["c3"]
	got, ok := report.Rating(c3, &d.rects[0])
	want := metrics.RatingFacts{
		CaseID: c3.ID.String(), Station: "XZ01", Department: "mz", Matter: c3.Matter.Code,
		Day: workcal.D(2026, 3, 18), Level: 2, Named: true,
		Verified: true, Rectified: true, Answered: true, FollowedUp: true,
		FollowUpDue: workcal.D(2026, 3, 25), FollowedUpOn: workcal.D(2026, 3, 23),
	}
	if !ok || got != want {
		t.Errorf("rating\n got %+v\nwant %+v", got, want)
	}
	got, _ = report.Rating(d.cases["c8"], &d.rects[1])
	if !got.Verified || got.Rectified || got.Answered || got.FollowedUp || got.FollowUpDue != workcal.D(2026, 3, 19) {
		t.Errorf("verified-only rectification gives %+v", got)
	}
	// Another case's rectification is not this case's handling.
	got, _ = report.Rating(c3, &d.rects[1])
	if got.Verified || !got.FollowUpDue.IsZero() {
		t.Errorf("a foreign rectification was used: %+v", got)
	}
}

// A station whose only March event is a red card on an older case still
// gets a row (unranked: it closed nothing), and a station with nothing in
// March gets none, however much it did before.
func TestComputeKeepsWarnedCasesOnly(t *testing.T) {
	snap := casefile.MatterSnapshot{Code: "M1", Name: "旧事项", Department: "mz", Handling: catalog.Promised,
		Promised: workcal.Limit{N: 5, Unit: workcal.WorkingDays}}
	old := []*casefile.Case{
		{ID: uuid.New(), Matter: snap, HandlingStation: "XZ03", Status: caseflow.Status{State: caseflow.Accepted},
			AcceptedOn: workcal.D(2026, 2, 2), Warnings: []casefile.Warning{{Level: casefile.Red, Raised: workcal.D(2026, 3, 2)}}},
		{ID: uuid.New(), Matter: snap, HandlingStation: "XZ04", Status: caseflow.Status{State: caseflow.Closed, Result: caseflow.Granted},
			AcceptedOn: workcal.D(2026, 2, 2), ClosedOn: workcal.D(2026, 2, 5), Rating: &casefile.Rating{Level: 5, On: workcal.D(2026, 2, 5)},
			Warnings: []casefile.Warning{{Level: casefile.Yellow, Raised: workcal.D(2026, 2, 4)}}},
	}
	each := func(fn func(*casefile.Case) error) error {
		for _, c := range old {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}
	res, err := report.Compute(each, nil, cal, nil, nil, report.Options{Period: march, By: report.ByStation}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, res.Rows, []rowWant{{key: "XZ03", label: "XZ03", red: 1}})
	if len(res.Best) != 0 || res.Total.Red != 1 || res.Total.Yellow != 0 {
		t.Errorf("best %v, total %+v", res.Best, res.Total)
	}
	// By matter, the old matter is known only by the name its cases kept.
	res, err = report.Compute(each, nil, cal, catalog.Demo(), nil, report.Options{Period: march, By: report.ByMatter}, time.Now())
	if err != nil || len(res.Rows) != 1 || res.Rows[0].Label != "旧事项" {
		t.Errorf("by matter: %+v, %v", res.Rows, err)
	}
}
