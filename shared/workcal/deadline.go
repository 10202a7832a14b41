package workcal

import (
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
)

// Unit is the unit a time limit is counted in.
type Unit string

const (
	WorkingDays  Unit = "working_days"  // 工作日
	CalendarDays Unit = "calendar_days" // 自然日
)

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool { return u == WorkingDays || u == CalendarDays }

// Label returns the unit's name in lang ("zh…" or English).
func (u Unit) Label(lang string) string {
	zh := len(lang) >= 2 && lang[:2] == "zh"
	switch u {
	case WorkingDays:
		if zh {
			return "个工作日"
		}
		return "working days"
	case CalendarDays:
		if zh {
			return "个自然日"
		}
		return "calendar days"
	}
	return string(u)
}

// Limit is a time limit: N days in Unit. N == 0 means "on the spot": due the
// day of acceptance.
type Limit struct {
	N    int  `json:"n"`
	Unit Unit `json:"unit"`
}

// String formats the limit in Chinese, e.g. "15个工作日".
func (l Limit) String() string { return fmt.Sprintf("%d%s", l.N, l.Unit.Label("zh")) }

// Validate checks that N is not negative and Unit is known.
func (l Limit) Validate() error {
	if l.N < 0 {
		return bmerr.Newf(bmerr.Invalid, "limit_negative", "时限不能为负数（%d）。", "a time limit cannot be negative (%d).", l.N)
	}
	if !l.Unit.Valid() {
		return bmerr.Newf(bmerr.Invalid, "limit_unit", "时限单位“%s”未知，应为工作日或自然日。", "time-limit unit %q is unknown; use working_days or calendar_days.", l.Unit)
	}
	return nil
}

// Span is a period during which a case's clock was stopped: suspended for a
// special procedure (特别程序) or returned to the applicant for supplement.
// The clock stops on From and restarts on To; the days it does not count are
// those in (From, To], mirroring "day 1 is the day after" (suspended on Monday
// and resumed on Wednesday stops the clock for Tuesday and Wednesday). A span
// still open has a zero To; pass the date you are computing "as of" instead.
type Span struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// StoppedDays returns the days in (s.From, s.To] counted in unit.
func (c *Calendar) StoppedDays(s Span, unit Unit) int {
	if s.To.IsZero() || !s.From.Before(s.To) {
		return 0
	}
	if unit == CalendarDays {
		return s.From.DaysUntil(s.To)
	}
	return c.WorkdaysBetween(s.From, s.To)
}

func (c *Calendar) stopped(spans []Span, unit Unit) int {
	n := 0
	for _, s := range spans {
		n += c.StoppedDays(s, unit)
	}
	return n
}

// Due returns the last day a case accepted on accepted may be closed on:
//
//   - working days: the (N + days stopped)-th working day after acceptance;
//   - calendar days: acceptance + N + days stopped, and if that day is not a
//     working day, the first working day after it (民法典 art. 203: a period
//     ending on a statutory holiday ends on the day after the holiday);
//
// then, if extensionDays > 0 (延期, approved once by the head of department),
// that many further working days (行政许可法 art. 42 counts the extension in
// working days whatever the limit's unit).
//
// A zero limit (on-the-spot matters) is due on the acceptance day itself.
func (c *Calendar) Due(accepted Date, limit Limit, stopped []Span, extensionDays int) Date {
	var due Date
	switch limit.Unit {
	case CalendarDays:
		due = accepted.AddDays(limit.N + c.stopped(stopped, CalendarDays))
		if limit.N > 0 {
			due = c.NextWorkday(due)
		}
	default:
		due = c.AddWorkdays(accepted, limit.N+c.stopped(stopped, WorkingDays))
	}
	if extensionDays > 0 {
		due = c.AddWorkdays(due, extensionDays)
	}
	return due
}

// Elapsed returns the days a case used between acceptance and closed, counted
// in unit, not counting the days its clock was stopped (the "A" of the
// supervision figures). Closing on the acceptance day uses 0 days.
func (c *Calendar) Elapsed(accepted, closed Date, unit Unit, stopped []Span) int {
	var n int
	if unit == CalendarDays {
		n = accepted.DaysUntil(closed)
	} else {
		n = c.WorkdaysBetween(accepted, closed)
	}
	n -= c.stopped(stopped, unit)
	if n < 0 {
		n = 0
	}
	return n
}
