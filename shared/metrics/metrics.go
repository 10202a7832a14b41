// Package metrics computes the supervision figures of electronic supervision
// (电子监察, domain.md §5) and service rating (好差评, §6) as pure functions of
// facts about cases and ratings: no storage, no clock, no side effects. The
// same facts give the same figures at a station and at central.
//
// Every rate is a Ratio whose numerator and denominator are kept, so a figure
// over nothing (a quiet month, a station with no ratings) is undefined and
// shown as "—", never as 0 % or 100 %.
package metrics

import (
	"strconv"
	"strings"
	"time"

	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
)

// CaseFacts is what the figures need to know about one case (办件).
type CaseFacts struct {
	ID, Matter, Station, Department string

	Accepted workcal.Date    // 受理 date; zero: never accepted
	Closed   workcal.Date    // 办结 date (for NotAccepted, the date of that decision); zero: open
	Result   caseflow.Result // how it closed; NoResult while open

	OnTheSpot bool           // the matter's handling type is on_the_spot (即办件)
	Legal     *workcal.Limit // 法定时限; nil: no statutory limit
	Promised  workcal.Limit  // 承诺时限

	// Stopped lists the spans the clock stood still: suspensions for a
	// special procedure and returns for supplement after acceptance. A span
	// still open has a zero To.
	Stopped       []workcal.Span
	ExtensionDays int // approved extension (延期) in working days; 0: none
}

// RatingFacts is one service rating (好差评) and, for a bad one, its handling.
type RatingFacts struct {
	CaseID, Station, Department, Matter string

	Day   workcal.Date // the day the rating was given
	Level int          // 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意
	Named bool         // the rater gave their name (实名差评 must all be followed up)

	// The handling of a bad review: 核实 → 整改 → 反馈 → 回访.
	Verified, Rectified, Answered, FollowedUp bool

	FollowUpDue  workcal.Date // deadline for the follow-up call (local rule); zero: none set
	FollowedUpOn workcal.Date // the day it was followed up
}

// Bad reports whether the rating is a bad review (差评): level 1 or 2.
func (r RatingFacts) Bad() bool { return r.Level == 1 || r.Level == 2 }

func (r RatingFacts) valid() bool { return r.Level >= 1 && r.Level <= 5 }

// followedUpInTime reports whether a bad review was followed up and, when a
// deadline was set, on or before it. A follow-up with no recorded day cannot
// be shown to be in time and does not count.
func (r RatingFacts) followedUpInTime() bool {
	if !r.FollowedUp {
		return false
	}
	if r.FollowUpDue.IsZero() {
		return true
	}
	return !r.FollowedUpOn.IsZero() && !r.FollowedUpOn.After(r.FollowUpDue)
}

// Period is an inclusive range of dates.
type Period struct{ From, To workcal.Date }

// Month returns the period covering month m of year y.
func Month(y int, m time.Month) Period {
	return Period{From: workcal.D(y, m, 1), To: workcal.D(y, m+1, 0)}
}

// Contains reports whether d lies in p. The zero Date (no date) lies in no period.
func (p Period) Contains(d workcal.Date) bool {
	return !d.IsZero() && !d.Before(p.From) && !d.After(p.To)
}

// String formats p as "2026-02-01..2026-02-28".
func (p Period) String() string { return p.From.String() + ".." + p.To.String() }

// Ratio is a rate kept as its numerator and denominator. Den == 0 means the
// rate is undefined: there was nothing to measure.
type Ratio struct{ Num, Den int }

// Value returns Num/Den and true, or 0 and false when the ratio is undefined.
func (r Ratio) Value() (float64, bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// String formats the ratio as a percentage with at most one decimal
// ("87.5%", "100%", "33.3%"), or "—" when it is undefined.
func (r Ratio) String() string {
	v, ok := r.Value()
	if !ok {
		return "—"
	}
	return trimDecimal(strconv.FormatFloat(100*v, 'f', 1, 64)) + "%"
}

// compare orders defined ratios by value (exactly, without floating point);
// an undefined ratio sorts below every defined one.
func (r Ratio) compare(s Ratio) int {
	switch {
	case r.Den == 0 && s.Den == 0:
		return 0
	case r.Den == 0:
		return -1
	case s.Den == 0:
		return 1
	}
	// Denominators are positive counts, so cross-multiplying keeps the order.
	a, b := int64(r.Num)*int64(s.Den), int64(s.Num)*int64(r.Den)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Average is a mean kept as its sum and count; N == 0 means undefined.
type Average struct{ Sum, N int }

// Value returns Sum/N and true, or 0 and false when there is nothing to average.
func (a Average) Value() (float64, bool) {
	if a.N == 0 {
		return 0, false
	}
	return float64(a.Sum) / float64(a.N), true
}

// String formats the mean with at most one decimal ("3.5", "4"), or "—".
func (a Average) String() string {
	v, ok := a.Value()
	if !ok {
		return "—"
	}
	return trimDecimal(strconv.FormatFloat(v, 'f', 1, 64))
}

func trimDecimal(s string) string {
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}
