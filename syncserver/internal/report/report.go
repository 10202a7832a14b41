// Package report turns central's cases into the monthly supervision report
// (电子监察 and 好差评, domain.md §5 and §6): it reduces each case to the facts
// shared/metrics computes with, groups and ranks them, and writes the result
// as CSV or as an Excel workbook for the county's reviewers.
//
// Every figure is defined in shared/metrics; this package only decides which
// cases go in, how they are labelled and how the numbers are laid out.
package report

import (
	"slices"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// Groupings accepted in Options.By.
const (
	ByStation    = "station"    // by the station that handles the case
	ByDepartment = "department" // by the matter's implementing department
	ByMatter     = "matter"     // by matter
)

// MinClosedToRank is the fewest closed cases a group needs to be ranked.
// One, because a township station may close only a handful of cases in a
// month, and leaving small stations out of 三优三差 would hide the very
// stations supervision is for. A group that closed nothing has no on-time
// rate and is never ranked.
const MinClosedToRank = 1

// Facts reduces a case to what the figures need. The station is the one that
// handles the case (the township for a proxy case, since it accepts and
// decides it), falling back to the origin for a case that names none. The
// matter's rules come from the case's own snapshot, so a later catalog edit
// does not change how a past case is judged. A case that is not closed has
// no result, even when it has been decided and awaits delivery.
func Facts(c *casefile.Case) metrics.CaseFacts {
	f := metrics.CaseFacts{
		ID:         c.ID.String(),
		Matter:     c.Matter.Code,
		Station:    handlingStation(c),
		Department: c.Matter.Department,
		Accepted:   c.AcceptedOn,
		OnTheSpot:  c.Matter.Handling == catalog.OnTheSpot,
		Promised:   c.Matter.Promised,
		Stopped:    slices.Clone(c.Stopped),
	}
	if c.IsClosed() {
		f.Closed, f.Result = c.ClosedOn, c.Status.Result
	}
	if c.Matter.Legal != nil {
		l := *c.Matter.Legal
		f.Legal = &l
	}
	if !c.StoppedOn.IsZero() {
		f.Stopped = append(f.Stopped, workcal.Span{From: c.StoppedOn})
	}
	if c.Extension != nil {
		f.ExtensionDays = c.Extension.Days
	}
	return f
}

// Rating returns the case's rating (好差评) as facts, or false when the case
// has not been rated. The rating is grouped with its case: the same station,
// department and matter as Facts gives. r is the handling of a bad review,
// if any; a step counts as done when its date is recorded, and the
// rectification's due date is the follow-up deadline. A rectification that
// belongs to another case is ignored.
func Rating(c *casefile.Case, r *store.Rectification) (metrics.RatingFacts, bool) {
	if c.Rating == nil {
		return metrics.RatingFacts{}, false
	}
	f := metrics.RatingFacts{
		CaseID:     c.ID.String(),
		Station:    handlingStation(c),
		Department: c.Matter.Department,
		Matter:     c.Matter.Code,
		Day:        c.Rating.On,
		Level:      c.Rating.Level,
		Named:      c.Rating.Named,
	}
	if r != nil && r.CaseID == c.ID {
		f.Verified = !r.VerifiedOn.IsZero()
		f.Rectified = !r.RectifiedOn.IsZero()
		f.Answered = !r.AnsweredOn.IsZero()
		f.FollowedUp = !r.FollowedUpOn.IsZero()
		f.FollowUpDue = r.DueOn
		f.FollowedUpOn = r.FollowedUpOn
	}
	return f, true
}

func handlingStation(c *casefile.Case) string {
	if c.HandlingStation != "" {
		return c.HandlingStation
	}
	return c.OriginStation
}

// Options says what a report covers.
type Options struct {
	Period metrics.Period
	// By is "" for the total only, or ByStation, ByDepartment or ByMatter.
	By string
	// Departments, when not empty, limits the report to the cases of matters
	// these departments take part in: as the implementing department, a
	// co-department or a department of the approval workflow. It is a
	// reviewer's scope; the catalog figures are limited the same way.
	Departments []string
}

// Row is one line of the report: a group's figures, or the total.
type Row struct {
	Key     string // station, department or matter code; "" for the total
	Label   string // the name people know it by (Chinese)
	Figures metrics.Figures
	// Warnings (电子监察) raised in the period on the group's cases, by the
	// day each was raised, whether on the case or on one of its steps.
	Reminders, Yellow, Red int
	Rank                   int // 1 is best; 0 when not ranked (too few closed cases, or the total)
}

// Result is a computed report.
type Result struct {
	Options Options
	// Rows are the groups, ranked ones first from best to worst (ties in key
	// order), then the unranked in key order. Only groups with something in
	// the period (a case accepted, closed or warned, or a rating) appear.
	// Empty when Options.By is "".
	Rows  []Row
	Total Row
	// Best (三优) and Bottom (三差) hold the keys of the ranked rows as
	// metrics.Rank picks them: best first, and worst first.
	Best, Bottom []string
	Catalog      metrics.CatalogFigures // of the catalog's matters in scope
	Generated    time.Time
}

// Compute builds the report. each walks every case once (store.Central's
// EachCase with its context bound); rects are the bad reviews' handling,
// matched to cases by id. cal counts the working days and must cover the
// cases' dates. cat names departments and matters and gives the catalog
// figures; stations maps a station code to its name. now is recorded as the
// time the report was generated.
//
// Only the facts of cases with something in the period are kept, so a report
// over years of history holds one period's worth; the figures are the same
// as metrics would give over every case.
func Compute(each func(fn func(*casefile.Case) error) error, rects []store.Rectification,
	cal *workcal.Calendar, cat *catalog.Catalog, stations map[string]string, opts Options, now time.Time) (Result, error) {
	by, err := grouping(opts.By)
	if err != nil {
		return Result{}, err
	}
	p := opts.Period
	if p.From.IsZero() || p.To.IsZero() || p.To.Before(p.From) {
		return Result{}, bmerr.Newf(bmerr.Invalid, "report_period",
			"统计期间无效（%s）。", "the report period is not valid (%s).", p).WithField("period")
	}
	opts.Departments = slices.Clone(opts.Departments)

	byCase := make(map[uuid.UUID]*store.Rectification, len(rects))
	for i := range rects {
		byCase[rects[i].CaseID] = &rects[i]
	}
	var (
		facts    []metrics.CaseFacts
		ratings  []metrics.RatingFacts
		warnings = map[string]*Row{} // group key -> counts
		total    Row
		names    = map[string]string{} // matter code -> name in the case's snapshot
	)
	err = each(func(c *casefile.Case) error {
		if !inScope(c.Matter.Department, c.Matter.CoDepartments, c.Matter.Workflow, opts.Departments) {
			return nil
		}
		f := Facts(c)
		warned := false
		for _, w := range c.Warnings {
			if !p.Contains(w.Raised) {
				continue
			}
			warned = true
			k := key(by, f)
			if warnings[k] == nil {
				warnings[k] = &Row{}
			}
			count(warnings[k], w.Level)
			count(&total, w.Level)
		}
		kept := warned || p.Contains(f.Accepted) || p.Contains(f.Closed)
		if kept {
			facts = append(facts, f)
			names[c.Matter.Code] = c.Matter.Name
		}
		// A rating outside the period still marks its case as rated
		// (评价率), so it is kept whenever its case is.
		if r, ok := Rating(c, byCase[c.ID]); ok && (kept || p.Contains(r.Day)) {
			ratings = append(ratings, r)
			names[c.Matter.Code] = c.Matter.Name
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}

	res := Result{Options: opts, Catalog: metrics.ForCatalog(scopeCatalog(cat, opts.Departments)), Generated: now}
	total.Label = "合计"
	total.Figures = metrics.Compute(cal, facts, ratings, p)
	res.Total = total
	if by == 0 {
		return res, nil
	}

	ranking := metrics.Rank(metrics.GroupBy(cal, facts, ratings, p, by), MinClosedToRank)
	row := func(g metrics.Group, rank int) Row {
		r := Row{Key: g.Key, Label: label(opts.By, g.Key, cat, stations, names), Figures: g.Figures, Rank: rank}
		if w := warnings[g.Key]; w != nil {
			r.Reminders, r.Yellow, r.Red = w.Reminders, w.Yellow, w.Red
		}
		return r
	}
	for _, g := range ranking.Ranked {
		res.Rows = append(res.Rows, row(g.Group, g.Rank))
	}
	for _, g := range ranking.Unranked {
		res.Rows = append(res.Rows, row(g, 0))
	}
	for _, g := range ranking.Best {
		res.Best = append(res.Best, g.Key)
	}
	for _, g := range ranking.Bottom {
		res.Bottom = append(res.Bottom, g.Key)
	}
	return res, nil
}

func grouping(s string) (metrics.By, error) {
	switch s {
	case "":
		return 0, nil
	case ByStation:
		return metrics.ByStation, nil
	case ByDepartment:
		return metrics.ByDepartment, nil
	case ByMatter:
		return metrics.ByMatter, nil
	}
	return 0, bmerr.Newf(bmerr.Invalid, "report_grouping",
		"统计分组“%s”未知，应为站点、部门或事项。", "report grouping %q is unknown; use station, department or matter.", s).WithField("by")
}

// key is the group a case falls in, as metrics.GroupBy groups it.
func key(by metrics.By, f metrics.CaseFacts) string {
	switch by {
	case metrics.ByStation:
		return f.Station
	case metrics.ByDepartment:
		return f.Department
	case metrics.ByMatter:
		return f.Matter
	}
	return ""
}

func count(r *Row, l casefile.WarningLevel) {
	switch l {
	case casefile.Reminder:
		r.Reminders++
	case casefile.Yellow:
		r.Yellow++
	case casefile.Red:
		r.Red++
	}
}

// inScope reports whether a matter's departments meet scope; an empty scope
// takes everything.
func inScope(dept string, co []string, wf *catalog.Workflow, scope []string) bool {
	if len(scope) == 0 || slices.Contains(scope, dept) {
		return true
	}
	for _, d := range co {
		if slices.Contains(scope, d) {
			return true
		}
	}
	if wf == nil {
		return false
	}
	for _, s := range wf.Stages {
		if slices.Contains(scope, s.Department) {
			return true
		}
		for _, b := range s.Branches {
			if slices.Contains(scope, b.Department) {
				return true
			}
		}
	}
	return false
}

// scopeCatalog returns cat with only the matters in scope; cat itself is
// never changed.
func scopeCatalog(cat *catalog.Catalog, scope []string) *catalog.Catalog {
	if cat == nil || len(scope) == 0 {
		return cat
	}
	out := &catalog.Catalog{Version: cat.Version, Published: cat.Published, Departments: cat.Departments}
	for _, m := range cat.Matters {
		if inScope(m.Department, m.CoDepartments, m.Workflow, scope) {
			out.Matters = append(out.Matters, m)
		}
	}
	return out
}

// label names a group: a station by its registered name, a department and a
// matter by their current catalog names (a matter since removed from the
// catalog by the name its cases recorded). An unknown code shows as itself.
func label(by, key string, cat *catalog.Catalog, stations map[string]string, names map[string]string) string {
	switch by {
	case ByStation:
		if n := stations[key]; n != "" {
			return n
		}
		if key == "" {
			return catalog.Central.Label("zh") // received at central's own windows
		}
	case ByDepartment:
		if cat != nil {
			if d, ok := cat.Department(key); ok && d.Name != "" {
				return d.Name
			}
		}
	case ByMatter:
		if cat != nil {
			if m, ok := cat.Matter(key); ok && m.Name != "" {
				return m.Name
			}
		}
		if n := names[key]; n != "" {
			return n
		}
	}
	return key
}
