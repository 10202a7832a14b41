package report

import (
	"strconv"

	"github.com/bianmin/bianmin/shared/metrics"
)

// kind says how a column's values are written.
type kind int

const (
	countKind kind = iota // a whole number
	rateKind              // a metrics.Ratio, shown as a percentage
	daysKind              // a metrics.Average of working days
	rankKind              // a place in the ranking; 0 means not ranked
)

// value is one cell of a row, before it is written.
type value struct {
	kind  kind
	n     int
	ratio metrics.Ratio
	avg   metrics.Average
}

// number returns the cell as a number (a rate as a fraction, 0.875) and
// whether it is defined.
func (v value) number() (float64, bool) {
	switch v.kind {
	case rateKind:
		return v.ratio.Value()
	case daysKind:
		return v.avg.Value()
	case rankKind:
		return float64(v.n), v.n > 0
	}
	return float64(v.n), true
}

// text returns the cell as CSV writes it: a rate as a percentage with one
// decimal ("87.5%", "100.0%"), days with one decimal, and "—" when
// undefined (nothing to measure, or not ranked).
func (v value) text() string {
	switch v.kind {
	case rateKind:
		if v.ratio.Den == 0 {
			return "—"
		}
		// Scaling the numerator first keeps 7/8 at exactly 87.5.
		return strconv.FormatFloat(float64(100*v.ratio.Num)/float64(v.ratio.Den), 'f', 1, 64) + "%"
	case daysKind:
		x, ok := v.avg.Value()
		if !ok {
			return "—"
		}
		return strconv.FormatFloat(x, 'f', 1, 64)
	case rankKind:
		if v.n == 0 {
			return "—"
		}
	}
	return strconv.Itoa(v.n)
}

// column is one figure of the summary table, in both languages.
type column struct {
	zh, en string
	get    func(Row) value
}

func whole(f func(Row) int) func(Row) value {
	return func(r Row) value { return value{kind: countKind, n: f(r)} }
}

func rate(f func(metrics.Figures) metrics.Ratio) func(Row) value {
	return func(r Row) value { return value{kind: rateKind, ratio: f(r.Figures)} }
}

// columns are the figures of the summary, in order, after the group's name.
var columns = []column{
	{"受理量", "Accepted", whole(func(r Row) int { return r.Figures.Accepted })},
	{"办结量", "Closed", whole(func(r Row) int { return r.Figures.Closed })},
	{"现场办结率", "On-the-spot rate", rate(func(f metrics.Figures) metrics.Ratio { return f.OnSpotRate })},
	{"按时办结率", "On-time rate", rate(func(f metrics.Figures) metrics.Ratio { return f.OnTimeRate })},
	{"超期率", "Overdue rate", rate(func(f metrics.Figures) metrics.Ratio { return f.OverdueRate })},
	{"法定时限内办结率", "Within legal limit", rate(func(f metrics.Figures) metrics.Ratio { return f.WithinLegalRate })},
	{"实际提速率", "Actual speed-up", rate(func(f metrics.Figures) metrics.Ratio { return f.ActualSpeedUp })},
	{"平均办结时长(工作日)", "Average days (working days)", func(r Row) value { return value{kind: daysKind, avg: r.Figures.AvgDays} }},
	{"评价率", "Rating rate", rate(func(f metrics.Figures) metrics.Ratio { return f.RatingRate })},
	{"满意率", "Satisfaction", rate(func(f metrics.Figures) metrics.Ratio { return f.Satisfaction })},
	{"差评率", "Bad-review rate", rate(func(f metrics.Figures) metrics.Ratio { return f.BadRate })},
	{"整改率", "Rectification rate", rate(func(f metrics.Figures) metrics.Ratio { return f.RectificationRate })},
	{"回访率", "Follow-up rate", rate(func(f metrics.Figures) metrics.Ratio { return f.FollowUpRate })},
	{"预警", "Reminders", whole(func(r Row) int { return r.Reminders })},
	{"黄牌", "Yellow cards", whole(func(r Row) int { return r.Yellow })},
	{"红牌", "Red cards", whole(func(r Row) int { return r.Red })},
	{"排名", "Rank", func(r Row) value { return value{kind: rankKind, n: r.Rank} }},
}

// groupHeader heads the column of group names.
const groupHeader, groupHeaderEn = "分组", "Group"

// totalLabel is the total row's name in lang.
func totalLabel(lang string) string {
	if isZh(lang) {
		return "合计"
	}
	return "Total"
}

func isZh(lang string) bool { return len(lang) >= 2 && lang[:2] == "zh" }
