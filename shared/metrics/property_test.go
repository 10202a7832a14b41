package metrics_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Every figure is a sum over cases or ratings, so the groups of a partition
// add up to the whole, numerators and denominators alike; and no rate ever
// exceeds its denominator.
func TestGroupsAddUpToTheWhole(t *testing.T) {
	start := d("2026-01-20")
	date := func(t *rapid.T, label string) workcal.Date {
		if rapid.IntRange(0, 5).Draw(t, label+" zero") == 0 {
			return workcal.Date{}
		}
		return start.AddDays(rapid.IntRange(0, 60).Draw(t, label))
	}
	rapid.Check(t, func(t *rapid.T) {
		results := []caseflow.Result{caseflow.NoResult, caseflow.Granted, caseflow.Refused, caseflow.Withdrawn, caseflow.NotAccepted}
		stations := []string{"S1", "S2", "S3"}
		var cs []metrics.CaseFacts
		for i := range rapid.IntRange(0, 15).Draw(t, "cases") {
			c := metrics.CaseFacts{
				ID:            string(rune('a' + i)),
				Station:       rapid.SampledFrom(stations).Draw(t, "station"),
				Accepted:      date(t, "accepted"),
				Closed:        date(t, "closed"),
				Result:        rapid.SampledFrom(results).Draw(t, "result"),
				OnTheSpot:     rapid.Bool().Draw(t, "on the spot"),
				Promised:      workcal.Limit{N: rapid.IntRange(0, 20).Draw(t, "P"), Unit: rapid.SampledFrom([]workcal.Unit{workcal.WorkingDays, workcal.CalendarDays}).Draw(t, "unit")},
				ExtensionDays: rapid.SampledFrom([]int{0, 10}).Draw(t, "extension"),
			}
			if rapid.Bool().Draw(t, "legal") {
				c.Legal = &workcal.Limit{N: rapid.IntRange(0, 30).Draw(t, "L"), Unit: workcal.WorkingDays}
			}
			if rapid.Bool().Draw(t, "stopped") {
				c.Stopped = []workcal.Span{{From: date(t, "stop"), To: date(t, "resume")}}
			}
			cs = append(cs, c)
		}
		var rs []metrics.RatingFacts
		for range rapid.IntRange(0, 10).Draw(t, "ratings") {
			rs = append(rs, metrics.RatingFacts{
				CaseID:       string(rune('a' + rapid.IntRange(0, 20).Draw(t, "case"))),
				Station:      rapid.SampledFrom(stations).Draw(t, "station"),
				Day:          date(t, "day"),
				Level:        rapid.IntRange(0, 6).Draw(t, "level"),
				Named:        rapid.Bool().Draw(t, "named"),
				Rectified:    rapid.Bool().Draw(t, "rectified"),
				FollowedUp:   rapid.Bool().Draw(t, "followed up"),
				FollowUpDue:  date(t, "follow-up due"),
				FollowedUpOn: date(t, "followed up on"),
			})
		}
		p := metrics.Month(2026, 2)
		whole := metrics.Compute(cal, cs, rs, p)
		var sum metrics.Figures
		for _, g := range metrics.GroupBy(cal, cs, rs, p, metrics.ByStation) {
			f := g.Figures
			for _, r := range ratios(&f) {
				if r.Num > r.Den && r != &f.ActualSpeedUp {
					t.Fatalf("%s: ratio %+v above 100 %%", g.Key, *r)
				}
			}
			add(&sum, f)
		}
		if sum != whole {
			t.Fatalf("groups add up to\n%+v\nwhole is\n%+v", sum, whole)
		}
	})
}

func ratios(f *metrics.Figures) []*metrics.Ratio {
	return []*metrics.Ratio{&f.OnSpotRate, &f.OnTimeRate, &f.OverdueRate, &f.WithinLegalRate, &f.ActualSpeedUp,
		&f.RatingRate, &f.Satisfaction, &f.BadRate, &f.RectificationRate, &f.FollowUpRate, &f.NamedFollowUpRate}
}

func add(sum *metrics.Figures, f metrics.Figures) {
	sum.Accepted += f.Accepted
	sum.Closed += f.Closed
	sum.Granted += f.Granted
	sum.Refused += f.Refused
	sum.Withdrawn += f.Withdrawn
	sum.NotAccepted += f.NotAccepted
	sum.Extended += f.Extended
	sum.Ratings += f.Ratings
	sum.AvgDays.Sum += f.AvgDays.Sum
	sum.AvgDays.N += f.AvgDays.N
	src := ratios(&f)
	for i, r := range ratios(sum) {
		r.Num += src[i].Num
		r.Den += src[i].Den
	}
}
