package caseflow

import (
	"slices"

	"github.com/bianmin/bianmin/shared/catalog"
)

// actor is a role at a level: the unit of permission. A role alone is not
// enough, because the same clerk decides a devolved matter at a township but
// only forwards it at central's window.
type actor struct {
	role  Role
	level catalog.Level
}

// mark is a flag an action sets once and for all on a case.
type mark int

const (
	noMark       mark = iota
	markExtended      // 延期: the law allows one extension (行政许可法 art. 42)
	markRated         // 好差评: one rating per case
)

// rule is one row of the transition table. The table, not code, says who may
// do what: stations and central both read it, and the tests compare it with
// an independently written list of every allowed combination.
type rule struct {
	action Action
	from   []State
	by     []actor
	to     State // ignored when stay or back is set

	stay     bool   // the case keeps its state: a step, a flag or a warning
	back     bool   // the case returns to Status.Prior (resume, supplement after a return)
	remember bool   // Status.Prior = the state left, so a later back rule can return there
	result   Result // when set, Status.Result becomes this
	once     mark   // the action sets this flag and fails when it is already set
	barred   Result // when set, the action fails on a case with this Result (only rate: a not-accepted case)
}

var (
	// windows are whoever faces the applicant: a community agent collecting
	// for a resident, or a clerk at a township or central window.
	windows = []actor{{Agent, catalog.Community}, {Clerk, catalog.Township}, {Clerk, catalog.Central}}
	// steps are the people inside a central department's approval chain.
	steps = []actor{{Handler, catalog.Central}, {Reviewer, catalog.Central}, {Approver, catalog.Central}}
	// townshipDeciders decide devolved matters (下放事项) at the township.
	townshipDeciders = []actor{{Clerk, catalog.Township}, {Approver, catalog.Township}, {Head, catalog.Township}}
	centralDeciders  = []actor{{Approver, catalog.Central}, {Head, catalog.Central}}
	// centralPausers may stop and restart the clock at central.
	centralPausers = []actor{{Handler, catalog.Central}, {Reviewer, catalog.Central}, {Approver, catalog.Central}, {Head, catalog.Central}}
	// system is central's scheduler: it opens and closes parallel stages,
	// decides a parallel stage by its completion rule and raises warnings.
	system = []actor{{System, catalog.Central}}
)

// active are the states in which the case is being handled and can still be
// withdrawn.
var active = []State{Received, SupplementPending, Accepted, UnderReview, ParallelReview, Suspended, Returned}

var rules = []rule{
	{action: Receive, from: []State{New}, by: windows, to: Received},
	{action: RequestSupplement, from: []State{Received}, by: windows, to: SupplementPending},
	{action: Supplement, from: []State{SupplementPending}, by: windows, to: Received},
	{action: Supplement, from: []State{Returned}, by: windows, back: true},
	// A community station not-accepts only the matters it may accept itself: see CheckMatter.
	{action: RejectIntake, from: []State{Received, SupplementPending}, by: windows, to: Closed, result: NotAccepted},
	// Whether a community station may accept depends on the matter: see CheckMatter.
	{action: Accept, from: []State{Received}, by: windows, to: Accepted},
	// A community station forwards what it accepted itself (e.g. 居住证申领 站→县公安).
	{action: Forward, from: []State{Accepted}, by: windows, to: UnderReview},
	{action: CloseOnSpot, from: []State{Accepted}, by: windows, to: Closed, result: Granted},

	{action: Advance, from: []State{UnderReview, ParallelReview}, by: steps, stay: true},
	{action: StartParallel, from: []State{UnderReview}, by: system, to: ParallelReview},
	{action: FinishParallel, from: []State{ParallelReview}, by: system, to: UnderReview},

	{action: Grant, from: []State{Accepted}, by: townshipDeciders, to: Decided, result: Granted},
	{action: Grant, from: []State{UnderReview}, by: centralDeciders, to: Decided, result: Granted},
	{action: Grant, from: []State{ParallelReview}, by: join(centralDeciders, system), to: Decided, result: Granted},
	{action: Refuse, from: []State{Accepted}, by: townshipDeciders, to: Decided, result: Refused},
	{action: Refuse, from: []State{UnderReview}, by: centralDeciders, to: Decided, result: Refused},
	{action: Refuse, from: []State{ParallelReview}, by: join(centralDeciders, system), to: Decided, result: Refused},

	{action: ReturnForSupplement, from: []State{Accepted}, by: []actor{{Clerk, catalog.Township}, {Approver, catalog.Township}}, to: Returned, remember: true},
	{action: ReturnForSupplement, from: []State{UnderReview, ParallelReview}, by: steps, to: Returned, remember: true},
	{action: Suspend, from: []State{Accepted}, by: townshipDeciders, to: Suspended, remember: true},
	{action: Suspend, from: []State{UnderReview, ParallelReview}, by: centralPausers, to: Suspended, remember: true},
	// Resume is not tied to where the case was suspended: the table sees only
	// the state, and central supervises township cases anyway.
	{action: Resume, from: []State{Suspended}, by: join(townshipDeciders, centralPausers), back: true},
	{action: Extend, from: []State{Accepted}, by: []actor{{Head, catalog.Township}}, stay: true, once: markExtended},
	{action: Extend, from: []State{UnderReview, ParallelReview, Suspended}, by: []actor{{Head, catalog.Central}}, stay: true, once: markExtended},

	{action: Deliver, from: []State{Decided}, by: windows, to: Closed},
	{action: Withdraw, from: active, by: windows, to: Closed, result: Withdrawn},
	// A case never accepted was never served, so there is nothing to rate.
	{action: Rate, from: []State{Closed}, by: windows, stay: true, once: markRated, barred: NotAccepted},
	{action: Warn, from: join(active, []State{Decided}), by: system, stay: true},
}

func join[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// States lists every state, New first, in lifecycle order.
func States() []State {
	return []State{New, Received, SupplementPending, Accepted, UnderReview, ParallelReview, Suspended, Returned, Decided, Closed}
}

// AllActions lists every action in the order a UI shows its buttons.
func AllActions() []Action {
	return []Action{
		Receive, RequestSupplement, Supplement, RejectIntake, Accept, Forward, CloseOnSpot,
		Advance, StartParallel, FinishParallel, Grant, Refuse, ReturnForSupplement,
		Suspend, Resume, Extend, Deliver, Withdraw, Rate, Warn,
	}
}

// Roles lists every role.
func Roles() []Role {
	return []Role{Agent, Clerk, Handler, Reviewer, Approver, Head, Admin, System}
}

// levels lists the tiers from the bottom up; RouteFor climbs it.
var levels = []catalog.Level{catalog.Community, catalog.Township, catalog.Central}

// IsTerminal reports whether nothing but a rating can happen to a case in state s.
func IsTerminal(s State) bool { return s == Closed }

// Allowed reports whether the table lets role at level take action a on a
// case in state. It ignores the once-only flags and the case's result; use
// Transition or Actions for a verdict on a real case.
func Allowed(state State, a Action, role Role, level catalog.Level) bool {
	r, _ := match(state, a, actor{role, level})
	return r != nil
}

// Actions returns the actions role at level may take on the case now, in
// AllActions order, so a UI shows exactly the buttons that will succeed.
func Actions(s Status, role Role, level catalog.Level) []Action {
	var out []Action
	for _, a := range AllActions() {
		if _, f := check(s, a, actor{role, level}); f == noFailure {
			out = append(out, a)
		}
	}
	return out
}

// Transition applies action a by role at level to a case with status s and
// returns the new status. On failure it returns s unchanged and a
// *TransitionError whose bmerr code says why: FailedPrecondition when the
// action is impossible in this state (or a once-only action was already
// taken), PermissionDenied when someone else could do it, Invalid for a
// value this version does not know, Internal for a corrupt status.
func Transition(s Status, a Action, role Role, level catalog.Level) (Status, error) {
	r, f := check(s, a, actor{role, level})
	if f != noFailure {
		return s, newTransitionError(s, a, actor{role, level}, f)
	}
	return r.apply(s), nil
}

// failure says why check refused an action; messages are built only when a
// caller needs them, so Actions stays cheap.
type failure int

const (
	noFailure failure = iota
	unknownState
	unknownAction
	unknownRole
	unknownLevel
	illegal
	roleNotAllowed
	alreadyExtended
	alreadyRated
	notRatable
	badPrior
)

func check(s Status, a Action, who actor) (*rule, failure) {
	switch {
	case !slices.Contains(States(), s.State):
		return nil, unknownState
	case !slices.Contains(AllActions(), a):
		return nil, unknownAction
	case !slices.Contains(Roles(), who.role):
		return nil, unknownRole
	case !slices.Contains(levels, who.level):
		return nil, unknownLevel
	}
	r, f := match(s.State, a, who)
	if f != noFailure {
		return nil, f
	}
	switch {
	case r.once == markExtended && s.Extended:
		return nil, alreadyExtended
	case r.once == markRated && s.Rated:
		return nil, alreadyRated
	case r.barred != NoResult && s.Result == r.barred:
		return nil, notRatable
	case r.back && !slices.Contains(priors(s.State), s.Prior):
		return nil, badPrior
	}
	return r, noFailure
}

// match finds the rule for (state, a, who). It tells a state where nobody
// may take the action from one where somebody else could, because a clerk
// reacts differently: wait, or ask a colleague.
func match(state State, a Action, who actor) (*rule, failure) {
	f := illegal
	for i := range rules {
		r := &rules[i]
		if r.action != a || !slices.Contains(r.from, state) {
			continue
		}
		if slices.Contains(r.by, who) {
			return r, noFailure
		}
		f = roleNotAllowed
	}
	return nil, f
}

// actorsFor lists everyone who may take action a in state, for error messages.
func actorsFor(state State, a Action) []actor {
	var out []actor
	for _, r := range rules {
		if r.action == a && slices.Contains(r.from, state) {
			for _, w := range r.by {
				if !slices.Contains(out, w) {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// priors lists the states a case in state may return to, derived from the
// rules that remember where they came from; anything else in Status.Prior is
// corruption and must not be restored.
func priors(state State) []State {
	var out []State
	for _, r := range rules {
		if r.remember && r.to == state {
			out = append(out, r.from...)
		}
	}
	return out
}

func (r *rule) apply(s Status) Status {
	next := s
	switch {
	case r.stay:
	case r.back:
		next.State, next.Prior = s.Prior, ""
	default:
		next.State, next.Prior = r.to, ""
		if r.remember {
			next.Prior = s.State
		}
	}
	if r.result != NoResult {
		next.Result = r.result
	}
	switch r.once {
	case markExtended:
		next.Extended = true
	case markRated:
		next.Rated = true
	}
	return next
}
