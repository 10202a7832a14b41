package metrics

import (
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Figures are the supervision and rating figures for one period (and, from
// GroupBy, one station, department or matter).
//
// Which cases count:
//
//   - Accepted (受理量): cases whose Accepted date lies in the period. A case
//     with Result NotAccepted was never accepted, whatever its Accepted says.
//   - Closed (办结量): cases accepted at some time, whose Closed date lies in
//     the period and whose Result is Granted, Refused or Withdrawn. A case
//     with no result is not closed; NotAccepted cases are never closed (they
//     are counted in NotAccepted instead). Every figure "over closed cases"
//     below uses exactly these cases.
//   - Withdrawn cases (退件) count as closed in every figure, timeliness
//     included: a case left to run past its due date and then withdrawn was
//     still late, and leaving withdrawals out would reward pressing applicants
//     to withdraw.
//
// How time is measured for a closed case:
//
//   - The clock is stopped for the days of each Stopped span, clipped to the
//     days between acceptance and closing; a span still open at closing ends
//     on the closing day.
//   - The due date is workcal.Due(Accepted, limit, stopped spans,
//     ExtensionDays): working days, or calendar days rolled forward past a
//     holiday, then the extension in working days. An approved extension
//     (延期) moves both the promised and the legal due date: the law allows it
//     and the applicant was told. Extended counts how often it was used.
//   - "On time" means closed no later than that due date. For a working-day
//     limit this is A ≤ P + extension, where A = cal.Elapsed(Accepted,
//     Closed, WorkingDays, stopped); it differs only in counting a case
//     closed on a weekend or holiday after a due date late. For a calendar-day
//     limit it honours the roll-forward, which A ≤ P alone would miss.
//   - An on-the-spot matter has P = 0, so its case is on time only when closed
//     on its acceptance day.
//
// Ratings count when their Day lies in the period and their Level is 1–5;
// other levels are ignored.
type Figures struct {
	Accepted    int // 受理量: accepted in the period
	Closed      int // 办结量: closed in the period (Granted + Refused + Withdrawn)
	Granted     int // closed as granted (出证办结)
	Refused     int // closed as refused (不予许可)
	Withdrawn   int // closed as withdrawn or never supplemented (退件)
	NotAccepted int // 不予受理: NotAccepted cases whose Closed date lies in the period
	Extended    int // closed cases that had an approved extension

	// OnSpotRate (现场办结率): closed cases closed on their acceptance day ÷
	// closed cases. Undefined when nothing closed.
	OnSpotRate Ratio
	// OnTimeRate (按时办结率): closed cases closed by their promised due date
	// ÷ closed cases. Undefined when nothing closed.
	OnTimeRate Ratio
	// OverdueRate (超期率): closed cases closed after their promised due
	// date ÷ closed cases, i.e. 1 − OnTimeRate. Undefined when nothing closed.
	OverdueRate Ratio
	// WithinLegalRate (法定时限内办结率): closed cases with a statutory limit
	// closed by their legal due date ÷ closed cases with a statutory limit.
	// Cases of matters with no statutory limit are left out of both sides
	// rather than counted as trivially within it. Undefined when no closed
	// case has a statutory limit.
	WithinLegalRate Ratio
	// ActualSpeedUp (实际提速率): Σ(L − A) ÷ ΣL over closed promised-time
	// cases (OnTheSpot false) with a statutory limit L > 0, where A is the
	// days used counted in L's unit with stopped days excluded. L is the
	// statutory limit without the extension, so an extended case can add a
	// negative term. Each case's L and A share a unit; cases with
	// calendar-day and working-day limits are summed as they are.
	// Undefined when no such case closed.
	ActualSpeedUp Ratio
	// AvgDays (平均办结时长): ΣA ÷ n over closed promised-time cases, A in
	// working days with stopped days excluded, whatever the matter's unit,
	// so that the average is of one unit. Undefined when none closed.
	AvgDays Average

	Ratings int // valid ratings given in the period
	// RatingRate (评价率): closed cases with at least one rating, whatever
	// day it was given, ÷ closed cases. Ratings are matched to cases by
	// CaseID; a rating with no CaseID rates no case. Undefined when nothing closed.
	RatingRate Ratio
	// Satisfaction (满意率): ratings of level 3–5 ÷ ratings in the period.
	// Undefined when there were no ratings.
	Satisfaction Ratio
	// BadRate (差评率): ratings of level 1–2 ÷ ratings in the period.
	// Undefined when there were no ratings.
	BadRate Ratio
	// RectificationRate (整改率): bad reviews in the period marked Rectified ÷
	// bad reviews in the period. Undefined when there were none.
	RectificationRate Ratio
	// FollowUpRate (回访率): bad reviews in the period followed up in time ÷
	// bad reviews in the period. In time means FollowedUp and, when
	// FollowUpDue is set, FollowedUpOn recorded and not after it. Undefined
	// when there were no bad reviews.
	FollowUpRate Ratio
	// NamedFollowUpRate: FollowUpRate over named bad reviews only, which must
	// be 100 %. Undefined when there were none.
	NamedFollowUpRate Ratio
}

// Compute returns the figures for period p from the given cases and
// ratings; see Figures for every definition. cal counts the working days.
func Compute(cal *workcal.Calendar, cases []CaseFacts, ratings []RatingFacts, p Period) Figures {
	return compute(cal, cases, ratings, ratedCases(ratings), p)
}

// ratedCases returns the IDs of the cases that have at least one valid rating.
func ratedCases(ratings []RatingFacts) map[string]bool {
	rated := map[string]bool{}
	for _, r := range ratings {
		if r.CaseID != "" && r.valid() {
			rated[r.CaseID] = true
		}
	}
	return rated
}

// compute is Compute with the rated case IDs given, so that GroupBy can
// match a group's cases against every rating, not only the group's own.
func compute(cal *workcal.Calendar, cases []CaseFacts, ratings []RatingFacts, rated map[string]bool, p Period) Figures {
	var f Figures
	var onSpot, onTime, legal, legalDen, ratedClosed int
	for _, c := range cases {
		if c.Result == caseflow.NotAccepted {
			if p.Contains(c.Closed) {
				f.NotAccepted++
			}
			continue
		}
		if c.Accepted.IsZero() {
			continue
		}
		if p.Contains(c.Accepted) {
			f.Accepted++
		}
		if !p.Contains(c.Closed) {
			continue
		}
		switch c.Result {
		case caseflow.Granted:
			f.Granted++
		case caseflow.Refused:
			f.Refused++
		case caseflow.Withdrawn:
			f.Withdrawn++
		default:
			continue
		}
		f.Closed++
		if c.ExtensionDays > 0 {
			f.Extended++
		}
		if rated[c.ID] {
			ratedClosed++
		}
		if c.Closed == c.Accepted {
			onSpot++
		}
		stopped := clip(c.Stopped, c.Accepted, c.Closed)
		if !c.Closed.After(cal.Due(c.Accepted, c.Promised, stopped, c.ExtensionDays)) {
			onTime++
		}
		if c.Legal != nil {
			legalDen++
			if !c.Closed.After(cal.Due(c.Accepted, *c.Legal, stopped, c.ExtensionDays)) {
				legal++
			}
		}
		if c.OnTheSpot {
			continue
		}
		if c.Legal != nil && c.Legal.N > 0 {
			a := cal.Elapsed(c.Accepted, c.Closed, c.Legal.Unit, stopped)
			f.ActualSpeedUp.Num += c.Legal.N - a
			f.ActualSpeedUp.Den += c.Legal.N
		}
		f.AvgDays.Sum += cal.Elapsed(c.Accepted, c.Closed, workcal.WorkingDays, stopped)
		f.AvgDays.N++
	}
	f.OnSpotRate = Ratio{onSpot, f.Closed}
	f.OnTimeRate = Ratio{onTime, f.Closed}
	f.OverdueRate = Ratio{f.Closed - onTime, f.Closed}
	f.WithinLegalRate = Ratio{legal, legalDen}
	f.RatingRate = Ratio{ratedClosed, f.Closed}

	var good, bad, rectified, followed, named, namedFollowed int
	for _, r := range ratings {
		if !r.valid() || !p.Contains(r.Day) {
			continue
		}
		f.Ratings++
		if !r.Bad() {
			good++
			continue
		}
		bad++
		if r.Rectified {
			rectified++
		}
		ok := r.followedUpInTime()
		if ok {
			followed++
		}
		if r.Named {
			named++
			if ok {
				namedFollowed++
			}
		}
	}
	f.Satisfaction = Ratio{good, f.Ratings}
	f.BadRate = Ratio{bad, f.Ratings}
	f.RectificationRate = Ratio{rectified, bad}
	f.FollowUpRate = Ratio{followed, bad}
	f.NamedFollowUpRate = Ratio{namedFollowed, named}
	return f
}

// clip limits the stopped spans to the life of the case: the clock cannot
// stop before it started or after the case closed, and a span still open at
// closing ends on the closing day.
func clip(spans []workcal.Span, accepted, closed workcal.Date) []workcal.Span {
	var out []workcal.Span
	for _, s := range spans {
		if s.From.Before(accepted) {
			s.From = accepted
		}
		if s.To.IsZero() || s.To.After(closed) {
			s.To = closed
		}
		if s.From.Before(s.To) {
			out = append(out, s)
		}
	}
	return out
}
