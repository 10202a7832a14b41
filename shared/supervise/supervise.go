// Package supervise decides which electronic-supervision warnings (电子监察)
// a case should carry on a given day: reminders before the promised due
// date, yellow cards past it or past a step's sub-deadline, red cards past
// the legal limit. The thresholds differ by province, so they are
// configuration (Rules), never constants. Central's scanner raises each
// warning the rules call for that the case does not carry yet, once, as a
// change that syncs to the station.
package supervise

import (
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Rules are a province's supervision thresholds.
type Rules struct {
	// ReminderDays: a reminder (预警) this many working days before the
	// promised due date (domain default 1).
	ReminderDays int `json:"reminder_days"`
	// StepYellow: a step past its sub-deadline earns a yellow card.
	StepYellow bool `json:"step_yellow"`
	// IntakeDays: a case received but neither accepted nor answered with a
	// notice this many calendar days after receipt counts as accepted by law
	// (行政许可法 art. 32: 5 days) and earns a yellow card; 0 disables.
	IntakeDays int `json:"intake_days"`
	// DeliveryDays: a decision not delivered this many calendar days after it
	// was made earns a yellow card (art. 44: 10 days); 0 disables.
	DeliveryDays int `json:"delivery_days"`
	// Escalate lists which warning levels put a case in the department
	// head's inbox (e.g. ["red"]).
	Escalate []casefile.WarningLevel `json:"escalate"`
	// RectifyDays is the working days a bad review's rectification and
	// follow-up must be done in (local: 5, 7 or 15).
	RectifyDays int `json:"rectify_days"`
}

// Defaults are the thresholds of domain.md §5 and §6.
func Defaults() Rules {
	return Rules{ReminderDays: 1, StepYellow: true, IntakeDays: 5, DeliveryDays: 10,
		Escalate: []casefile.WarningLevel{casefile.Red}, RectifyDays: 5}
}

// Scope names of warnings that are not about a workflow step.
const (
	ScopeCase     = ""         // the case's promised or legal limit
	ScopeIntake   = "intake"   // no answer within the intake period
	ScopeDelivery = "delivery" // decision not delivered in time
)

// Due returns the warnings the rules call for on c as of today, whether or
// not c already carries them (callers skip those it does: see Missing).
// A closed case, or one whose clock is stopped, earns none: its due dates
// are not running.
func Due(c *casefile.Case, cal *workcal.Calendar, today workcal.Date, r Rules) []casefile.Warning {
	if c.IsClosed() || !c.StoppedOn.IsZero() {
		return nil
	}
	var out []casefile.Warning
	add := func(level casefile.WarningLevel, scope, reason string, due workcal.Date) {
		out = append(out, casefile.Warning{Level: level, Scope: scope, Reason: reason, Due: due})
	}
	st := c.Status.State
	if (st == caseflow.Received || st == caseflow.New) && r.IntakeDays > 0 && c.ReceivedOn.AddDays(r.IntakeDays).Before(today) {
		add(casefile.Yellow, ScopeIntake, "收件后逾期未受理也未一次性告知", c.ReceivedOn.AddDays(r.IntakeDays))
	}
	if st == caseflow.Decided && r.DeliveryDays > 0 && !c.DecidedOn.IsZero() && c.DecidedOn.AddDays(r.DeliveryDays).Before(today) {
		add(casefile.Yellow, ScopeDelivery, "决定作出后逾期未送达", c.DecidedOn.AddDays(r.DeliveryDays))
	}
	running := st == caseflow.Accepted || st == caseflow.UnderReview || st == caseflow.ParallelReview
	if !running || c.AcceptedOn.IsZero() || c.DueOn.IsZero() {
		return out
	}
	if !c.LegalDueOn.IsZero() && today.After(c.LegalDueOn) {
		add(casefile.Red, ScopeCase, "超过法定办结时限", c.LegalDueOn)
	}
	if today.After(c.DueOn) {
		add(casefile.Yellow, ScopeCase, "超过承诺办结时限", c.DueOn)
	} else if r.ReminderDays > 0 && !today.Before(cal.AddWorkdays(c.DueOn, -r.ReminderDays)) {
		add(casefile.Reminder, ScopeCase, "临近承诺办结时限", c.DueOn)
	}
	if r.StepYellow {
		for _, t := range c.Tasks(cal) {
			if !t.Due.IsZero() && today.After(t.Due) {
				add(casefile.Yellow, t.Scope(), "审批环节超过办理时限", t.Due)
			}
		}
	}
	return out
}

// Missing returns the warnings of Due that c does not carry yet: the ones to
// raise. A warning is identified by its level and scope, so each is raised
// once in a case's life.
func Missing(c *casefile.Case, cal *workcal.Calendar, today workcal.Date, r Rules) []casefile.Warning {
	var out []casefile.Warning
	for _, w := range Due(c, cal, today, r) {
		if !carries(c, w) {
			out = append(out, w)
		}
	}
	return out
}

func carries(c *casefile.Case, w casefile.Warning) bool {
	for _, have := range c.Warnings {
		if have.Level == w.Level && have.Scope == w.Scope {
			return true
		}
	}
	return false
}

// Escalated reports whether c's warnings put it in its department head's inbox.
func Escalated(c *casefile.Case, r Rules) bool {
	for _, w := range c.Warnings {
		for _, lv := range r.Escalate {
			if w.Level == lv {
				return true
			}
		}
	}
	return false
}
