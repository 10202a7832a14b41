package centraldesk

import (
	"fmt"
	"sort"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Dash is what a figure shows when it is undefined (a ratio over nothing).
const Dash = "—"

// Percent formats a ratio as "93.3%", or Dash when its denominator is 0.
func Percent(r *centralv1.Ratio) string {
	if r.GetDen() == 0 {
		return Dash
	}
	return fmt.Sprintf("%.1f%%", 100*float64(r.GetNum())/float64(r.GetDen()))
}

// Fraction is a ratio's value in [0, 1]; ok is false when it is undefined.
func Fraction(r *centralv1.Ratio) (float64, bool) {
	if r.GetDen() == 0 {
		return 0, false
	}
	return float64(r.GetNum()) / float64(r.GetDen()), true
}

// AvgDays formats the average working days (sent ×100), or Dash when no
// case counted.
func AvgDays(f *centralv1.Figures) string {
	if f.GetAvgDaysN() == 0 {
		return Dash
	}
	return fmt.Sprintf("%.2f", float64(f.GetAvgDaysX100())/100)
}

// Rank formats a group's rank, or Dash when it is not ranked.
func Rank(f *centralv1.Figures) string {
	if f.GetRank() <= 0 {
		return Dash
	}
	return fmt.Sprint(f.GetRank())
}

// Period is an inclusive range of days.
type Period struct{ From, To workcal.Date }

// Strings returns the period as the API takes it.
func (p Period) Strings() (string, string) { return p.From.String(), p.To.String() }

// ThisMonth is the month of now, in China, up to its last day.
func ThisMonth(now time.Time) Period {
	d := workcal.DateOf(now)
	first := workcal.D(d.Year, d.Month, 1)
	return Period{From: first, To: workcal.DateOf(first.Time().AddDate(0, 1, -1))}
}

// LastMonth is the month before now's.
func LastMonth(now time.Time) Period {
	first := ThisMonth(now).From
	prev := workcal.DateOf(first.Time().AddDate(0, -1, 0))
	return Period{From: prev, To: first.AddDays(-1)}
}

// ParsePeriod reads two typed dates; from must not be after to.
func ParsePeriod(from, to string) (Period, error) {
	f, err := workcal.ParseDate(from)
	if err != nil {
		return Period{}, err
	}
	t, err := workcal.ParseDate(to)
	if err != nil {
		return Period{}, err
	}
	if t.Before(f) {
		return Period{}, periodError()
	}
	return Period{From: f, To: t}, nil
}

// Days lists the period's days.
func (p Period) Days() []string {
	var out []string
	for d := p.From; !d.After(p.To) && len(out) < 400; d = d.AddDays(1) {
		out = append(out, d.String())
	}
	return out
}

// Grid is points laid out for a chart: one row of values per key, one
// column per day.
type Grid struct {
	Days   []string
	Keys   []string
	Values map[string][]float64
}

// GridOf lays the points out over the period's days; keys are sorted, or
// in the order of order when given (keys it does not name follow).
func GridOf(points []*centralv1.Point, p Period, order ...string) Grid {
	g := Grid{Days: p.Days(), Values: map[string][]float64{}}
	col := map[string]int{}
	for i, d := range g.Days {
		col[d] = i
	}
	seen := map[string]bool{}
	var keys []string
	for _, pt := range points {
		i, ok := col[pt.GetDay()]
		if !ok {
			continue
		}
		k := pt.GetKey()
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
			g.Values[k] = make([]float64, len(g.Days))
		}
		g.Values[k][i] += float64(pt.GetCount())
	}
	sort.Strings(keys)
	for _, k := range order {
		if seen[k] {
			g.Keys = append(g.Keys, k)
		}
	}
	for _, k := range keys {
		if !contains(order, k) {
			g.Keys = append(g.Keys, k)
		}
	}
	return g
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Labels maps the ranking's keys to the groups' labels.
func Labels(res *centralv1.FiguresResponse, keys []string) []string {
	byKey := map[string]string{}
	for _, g := range res.GetGroups() {
		byKey[g.GetKey()] = g.GetLabel()
	}
	var out []string
	for _, k := range keys {
		if l := byKey[k]; l != "" {
			out = append(out, l)
		} else {
			out = append(out, k)
		}
	}
	return out
}

func periodError() error {
	return bmerr.New(bmerr.Invalid, "period_order", "开始日期不能晚于结束日期。", "the start date must not be after the end date.")
}
