package caseflow_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

type step struct {
	action cf.Action
	role   cf.Role
	level  catalog.Level
}

// run applies steps in order and fails the test at the first error.
func run(t *testing.T, s cf.Status, steps ...step) cf.Status {
	t.Helper()
	for _, st := range steps {
		next, err := cf.Transition(s, st.action, st.role, st.level)
		if err != nil {
			t.Fatalf("%s by %s@%s from %+v: %v", st.action, st.role, st.level, s, err)
		}
		s = next
	}
	return s
}

var (
	townClerk   = func(a cf.Action) step { return step{a, cf.Clerk, catalog.Township} }
	townHead    = func(a cf.Action) step { return step{a, cf.Head, catalog.Township} }
	handler     = func(a cf.Action) step { return step{a, cf.Handler, catalog.Central} }
	approver    = func(a cf.Action) step { return step{a, cf.Approver, catalog.Central} }
	centralHead = func(a cf.Action) step { return step{a, cf.Head, catalog.Central} }
	scheduler   = func(a cf.Action) step { return step{a, cf.System, catalog.Central} }
	agent       = func(a cf.Action) step { return step{a, cf.Agent, catalog.Community} }
)

func wantFailure(t *testing.T, err error, code bmerr.Code, reason string) {
	t.Helper()
	var te *cf.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *TransitionError", err, err)
	}
	if bmerr.CodeOf(err) != code || bmerr.ReasonOf(err) != reason {
		t.Errorf("error %s/%s, want %s/%s (%v)", bmerr.CodeOf(err), bmerr.ReasonOf(err), code, reason, err)
	}
	if bmerr.Message(err, "zh") == "" || bmerr.Message(err, "en") == "" {
		t.Errorf("error has an empty message: %+v", bmerr.As(err))
	}
}

func TestSuspendAndResumeReturnsToPriorState(t *testing.T) {
	for _, from := range []struct {
		name  string
		steps []step
		pause step
	}{
		{"under review", []step{townClerk(cf.Forward)}, handler(cf.Suspend)},
		{"parallel review", []step{townClerk(cf.Forward), scheduler(cf.StartParallel)}, handler(cf.Suspend)},
		{"accepted (township)", nil, townClerk(cf.Suspend)},
	} {
		t.Run(from.name, func(t *testing.T) {
			s := run(t, cf.Status{}, append([]step{townClerk(cf.Receive), townClerk(cf.Accept)}, from.steps...)...)
			before := s.State
			s = run(t, s, from.pause)
			if s.State != cf.Suspended || s.Prior != before {
				t.Fatalf("after suspend: %+v, want suspended with prior %q", s, before)
			}
			s = run(t, s, scheduler(cf.Warn))
			if s.Prior != before {
				t.Fatalf("a warning lost the prior state: %+v", s)
			}
			s = run(t, s, approver(cf.Resume))
			if s != (cf.Status{State: before}) {
				t.Errorf("after resume: %+v, want %q with no prior", s, before)
			}
		})
	}
}

func TestReturnForSupplementThenSupplement(t *testing.T) {
	s := run(t, cf.Status{}, agent(cf.Receive), townClerk(cf.Accept), townClerk(cf.Forward), handler(cf.Advance))
	s = run(t, s, handler(cf.ReturnForSupplement))
	if s.State != cf.Returned || s.Prior != cf.UnderReview {
		t.Fatalf("after return: %+v", s)
	}
	// The applicant brings the missing papers to the community station.
	s = run(t, s, agent(cf.Supplement))
	if s != (cf.Status{State: cf.UnderReview}) {
		t.Errorf("after supplement: %+v, want under_review with no prior", s)
	}

	// Before acceptance, supplement goes back to received, not to a prior.
	s = run(t, cf.Status{}, townClerk(cf.Receive), townClerk(cf.RequestSupplement), townClerk(cf.Supplement))
	if s != (cf.Status{State: cf.Received}) {
		t.Errorf("supplement before acceptance: %+v", s)
	}
}

func TestExtendOnlyOnce(t *testing.T) {
	s := run(t, cf.Status{}, townClerk(cf.Receive), townClerk(cf.Accept), townClerk(cf.Forward), centralHead(cf.Extend))
	if !s.Extended || s.State != cf.UnderReview {
		t.Fatalf("after extend: %+v", s)
	}
	if slices.Contains(cf.Actions(s, cf.Head, catalog.Central), cf.Extend) {
		t.Errorf("Actions still offers extend on an extended case")
	}
	// The flag survives a suspension: the one extension is per case.
	s = run(t, s, handler(cf.Suspend))
	got, err := cf.Transition(s, cf.Extend, cf.Head, catalog.Central)
	wantFailure(t, err, bmerr.FailedPrecondition, "already_extended")
	if got != s {
		t.Errorf("failed extend changed the status: %+v", got)
	}
	// A head at a township may extend a devolved case, also once.
	s = run(t, cf.Status{}, townClerk(cf.Receive), townClerk(cf.Accept), townHead(cf.Extend))
	_, err = cf.Transition(s, cf.Extend, cf.Head, catalog.Township)
	wantFailure(t, err, bmerr.FailedPrecondition, "already_extended")
}

func TestRateOnlyOnceAndNeverWhenNotAccepted(t *testing.T) {
	s := run(t, cf.Status{}, townClerk(cf.Receive), townClerk(cf.Accept), townClerk(cf.CloseOnSpot))
	if s != (cf.Status{State: cf.Closed, Result: cf.Granted}) {
		t.Fatalf("after close on spot: %+v", s)
	}
	s = run(t, s, townClerk(cf.Rate))
	if !s.Rated || s.State != cf.Closed || s.Result != cf.Granted {
		t.Fatalf("after rate: %+v", s)
	}
	_, err := cf.Transition(s, cf.Rate, cf.Clerk, catalog.Township)
	wantFailure(t, err, bmerr.FailedPrecondition, "already_rated")

	s = run(t, cf.Status{}, townClerk(cf.Receive), townClerk(cf.RejectIntake))
	if s != (cf.Status{State: cf.Closed, Result: cf.NotAccepted}) {
		t.Fatalf("after reject: %+v", s)
	}
	_, err = cf.Transition(s, cf.Rate, cf.Clerk, catalog.Township)
	wantFailure(t, err, bmerr.FailedPrecondition, "not_ratable")
	if got := cf.Actions(s, cf.Clerk, catalog.Township); len(got) != 0 {
		t.Errorf("Actions on a not-accepted case = %q, want none", got)
	}
}

func TestDeliverKeepsResult(t *testing.T) {
	for _, decide := range []cf.Action{cf.Grant, cf.Refuse} {
		s := run(t, cf.Status{}, townClerk(cf.Receive), townClerk(cf.Accept), townClerk(cf.Forward),
			scheduler(cf.StartParallel), scheduler(decide))
		want := map[cf.Action]cf.Result{cf.Grant: cf.Granted, cf.Refuse: cf.Refused}[decide]
		if s != (cf.Status{State: cf.Decided, Result: want}) {
			t.Fatalf("after %s: %+v", decide, s)
		}
		s = run(t, s, agent(cf.Deliver))
		if s != (cf.Status{State: cf.Closed, Result: want}) {
			t.Errorf("after deliver: %+v, want closed/%s", s, want)
		}
	}
}

func TestWithdrawFromReturnedClearsPrior(t *testing.T) {
	s := run(t, cf.Status{}, townClerk(cf.Receive), townClerk(cf.Accept), townClerk(cf.ReturnForSupplement), agent(cf.Withdraw))
	if s != (cf.Status{State: cf.Closed, Result: cf.Withdrawn}) {
		t.Errorf("withdrawn: %+v", s)
	}
}

func TestCorruptOrUnknownInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     cf.Status
		action cf.Action
		role   cf.Role
		level  catalog.Level
		code   bmerr.Code
		reason string
	}{
		{"unknown state", cf.Status{State: "archived"}, cf.Warn, cf.System, catalog.Central, bmerr.Invalid, "unknown_state"},
		{"unknown action", cf.Status{State: cf.Accepted}, "approve_all", cf.Clerk, catalog.Township, bmerr.Invalid, "unknown_action"},
		{"unknown role", cf.Status{State: cf.Accepted}, cf.Withdraw, "mayor", catalog.Township, bmerr.Invalid, "unknown_role"},
		{"unknown level", cf.Status{State: cf.Accepted}, cf.Withdraw, cf.Clerk, "province", bmerr.Invalid, "unknown_level"},
		{"suspended with no prior", cf.Status{State: cf.Suspended}, cf.Resume, cf.Handler, catalog.Central, bmerr.Internal, "bad_prior"},
		{"returned to a terminal state", cf.Status{State: cf.Returned, Prior: cf.Closed}, cf.Supplement, cf.Clerk, catalog.Township, bmerr.Internal, "bad_prior"},
		{"admin acts on a case", cf.Status{State: cf.Received}, cf.Accept, cf.Admin, catalog.Central, bmerr.PermissionDenied, "role_not_allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cf.Transition(tc.in, tc.action, tc.role, tc.level)
			wantFailure(t, err, tc.code, tc.reason)
			if got != tc.in {
				t.Errorf("status changed on failure: %+v", got)
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	for _, s := range allStates {
		if got := cf.IsTerminal(s); got != (s == cf.Closed) {
			t.Errorf("IsTerminal(%q) = %v", s, got)
		}
	}
}

func TestLabels(t *testing.T) {
	seen := map[string]bool{}
	check := func(kind, raw, zh, en string) {
		t.Helper()
		if zh == "" || en == "" || zh == en {
			t.Errorf("%s %q: labels zh=%q en=%q", kind, raw, zh, en)
		}
		for _, l := range []string{kind + "/zh/" + zh, kind + "/en/" + en} {
			if seen[l] {
				t.Errorf("%s %q: label %q used twice", kind, raw, l)
			}
			seen[l] = true
		}
	}
	for _, s := range allStates {
		check("state", string(s), s.Label("zh-CN"), s.Label("en"))
	}
	for _, a := range allActions {
		check("action", string(a), a.Label("zh"), a.Label(""))
	}
	for _, r := range allRoles {
		check("role", string(r), r.Label("zh"), r.Label("en-GB"))
	}
	for _, r := range []cf.Result{cf.NoResult, cf.Granted, cf.Refused, cf.Withdrawn, cf.NotAccepted} {
		check("result", string(r), r.Label("zh"), r.Label("en"))
	}
	for _, l := range allLevels {
		check("level", string(l), cf.LevelLabel(l, "zh"), cf.LevelLabel(l, "en"))
	}
	for _, tc := range []struct{ got, want string }{
		{cf.Accepted.Label("zh-TW"), "已受理"},
		{cf.Deliver.Label("zh"), "送达"},
		{cf.Clerk.Label("zh"), "窗口人员"},
		{cf.LevelLabel(catalog.Township, "zh"), "乡镇"},
		{cf.Accepted.Label("fr"), "accepted"},
		{cf.State("archived").Label("zh"), "archived"},
		{cf.LevelLabel("province", "zh"), "province"},
	} {
		if tc.got != tc.want {
			t.Errorf("label %q, want %q", tc.got, tc.want)
		}
	}
}
