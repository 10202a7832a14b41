package caseflow_test

import (
	"bufio"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

// The test's own lists of every value, so that a value the package forgot to
// list in States, AllActions or Roles is still exercised.
var (
	allStates = []cf.State{cf.New, cf.Received, cf.SupplementPending, cf.Accepted, cf.UnderReview,
		cf.ParallelReview, cf.Suspended, cf.Returned, cf.Decided, cf.Closed}
	allActions = []cf.Action{cf.Receive, cf.RequestSupplement, cf.Supplement, cf.RejectIntake, cf.Accept,
		cf.Forward, cf.CloseOnSpot, cf.Advance, cf.StartParallel, cf.FinishParallel, cf.Grant, cf.Refuse,
		cf.ReturnForSupplement, cf.Suspend, cf.Resume, cf.Extend, cf.Deliver, cf.Withdraw, cf.Rate, cf.Warn}
	allRoles  = []cf.Role{cf.Agent, cf.Clerk, cf.Handler, cf.Reviewer, cf.Approver, cf.Head, cf.Admin, cf.System}
	allLevels = []catalog.Level{catalog.Community, catalog.Township, catalog.Central}
)

// sample is the status each state is tested from: Prior and Result are set
// where the state implies them, so "prior" targets and kept results show.
var sample = map[cf.State]cf.Status{
	cf.New:               {},
	cf.Received:          {State: cf.Received},
	cf.SupplementPending: {State: cf.SupplementPending},
	cf.Accepted:          {State: cf.Accepted},
	cf.UnderReview:       {State: cf.UnderReview},
	cf.ParallelReview:    {State: cf.ParallelReview},
	cf.Suspended:         {State: cf.Suspended, Prior: cf.UnderReview},
	cf.Returned:          {State: cf.Returned, Prior: cf.Accepted},
	cf.Decided:           {State: cf.Decided, Result: cf.Refused},
	cf.Closed:            {State: cf.Closed, Result: cf.Granted},
}

type combo struct {
	state  cf.State
	action cf.Action
	role   cf.Role
	level  catalog.Level
}

type expect struct {
	target string // state name, "same" or "prior"
	result cf.Result
}

// loadTable reads testdata/transitions.txt into the allowed combinations and
// the (action, from) pairs that someone may take.
func loadTable(t *testing.T) (map[combo]expect, map[[2]string]bool) {
	t.Helper()
	f, err := os.Open("testdata/transitions.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	allowed := map[combo]expect{}
	someone := map[[2]string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		left, actors, found := strings.Cut(line, "|")
		fields := strings.Fields(left)
		if !found || len(fields) != 4 || fields[2] != "->" {
			t.Fatalf("transitions.txt:%d: malformed line %q", n, line)
		}
		action, from := cf.Action(fields[0]), stateNamed(fields[1])
		target, result, _ := strings.Cut(fields[3], ":")
		someone[[2]string{string(action), string(from)}] = true
		for _, a := range strings.Fields(actors) {
			role, level, ok := strings.Cut(a, "@")
			if !ok {
				t.Fatalf("transitions.txt:%d: bad actor %q", n, a)
			}
			c := combo{from, action, cf.Role(role), catalog.Level(level)}
			if _, dup := allowed[c]; dup {
				t.Fatalf("transitions.txt:%d: %v listed twice", n, c)
			}
			allowed[c] = expect{target: target, result: cf.Result(result)}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return allowed, someone
}

func stateNamed(s string) cf.State {
	if s == "new" {
		return cf.New
	}
	return cf.State(s)
}

func TestListsAreComplete(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want []string
	}{
		{"States", strs(cf.States()), strs(allStates)},
		{"AllActions", strs(cf.AllActions()), strs(allActions)},
		{"Roles", strs(cf.Roles()), strs(allRoles)},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s() = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// TestEveryCombination runs Transition, Allowed and Actions for every state,
// action, role and level against the hand-written table.
func TestEveryCombination(t *testing.T) {
	allowed, someone := loadTable(t)
	for c := range allowed {
		if !slices.Contains(allStates, c.state) || !slices.Contains(allActions, c.action) ||
			!slices.Contains(allRoles, c.role) || !slices.Contains(allLevels, c.level) {
			t.Fatalf("transitions.txt names an unknown value: %+v", c)
		}
	}
	checked := 0
	for _, state := range allStates {
		in := sample[state]
		for _, role := range allRoles {
			for _, level := range allLevels {
				var wantActions []cf.Action
				for _, action := range allActions {
					c := combo{state, action, role, level}
					want, ok := allowed[c]
					if ok {
						wantActions = append(wantActions, action)
					}
					got, err := cf.Transition(in, action, role, level)
					checked++
					if ok {
						checkSuccess(t, c, in, want, got, err)
					} else {
						checkFailure(t, c, in, someone[[2]string{string(action), string(state)}], got, err)
					}
					if a := cf.Allowed(state, action, role, level); a != ok {
						t.Errorf("Allowed%v = %v, want %v", c, a, ok)
					}
				}
				if got := cf.Actions(in, role, level); !slices.Equal(got, wantActions) {
					t.Errorf("Actions(%q, %s@%s) = %q, want %q", state, role, level, got, wantActions)
				}
			}
		}
	}
	if want := len(allStates) * len(allActions) * len(allRoles) * len(allLevels); checked != want {
		t.Errorf("checked %d combinations, want %d", checked, want)
	}
}

func checkSuccess(t *testing.T, c combo, in cf.Status, want expect, got cf.Status, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("Transition%v: unexpected error %v", c, err)
		return
	}
	wantState := cf.State(want.target)
	switch want.target {
	case "same":
		wantState = in.State
	case "prior":
		wantState = in.Prior
	}
	if got.State != wantState {
		t.Errorf("Transition%v: state %q, want %q", c, got.State, wantState)
	}
	wantResult := in.Result
	if want.result != "" {
		wantResult = want.result
	}
	if got.Result != wantResult {
		t.Errorf("Transition%v: result %q, want %q", c, got.Result, wantResult)
	}
	// Prior is where a paused or returned case goes back to; it is set on the
	// way in, kept while the state stays, and cleared on the way out.
	var wantPrior cf.State
	switch {
	case want.target == "same":
		wantPrior = in.Prior
	case wantState == cf.Suspended || wantState == cf.Returned:
		wantPrior = in.State
	}
	if got.Prior != wantPrior {
		t.Errorf("Transition%v: prior %q, want %q", c, got.Prior, wantPrior)
	}
	if got.Extended != (c.action == cf.Extend) {
		t.Errorf("Transition%v: extended %v", c, got.Extended)
	}
	if got.Rated != (c.action == cf.Rate) {
		t.Errorf("Transition%v: rated %v", c, got.Rated)
	}
}

func checkFailure(t *testing.T, c combo, in cf.Status, someoneMay bool, got cf.Status, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("Transition%v succeeded (-> %+v), want an error", c, got)
		return
	}
	if got != in {
		t.Errorf("Transition%v changed the status on failure: %+v", c, got)
	}
	var te *cf.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("Transition%v: error %T is not *TransitionError", c, err)
	}
	if te.State != c.state || te.Action != c.action || te.Role != c.role || te.Level != c.level {
		t.Errorf("Transition%v: TransitionError fields %+v", c, te)
	}
	wantCode, wantReason := bmerr.FailedPrecondition, "illegal_transition"
	if someoneMay {
		wantCode, wantReason = bmerr.PermissionDenied, "role_not_allowed"
	}
	if code, reason := bmerr.CodeOf(err), bmerr.ReasonOf(err); code != wantCode || reason != wantReason {
		t.Errorf("Transition%v: %s/%s, want %s/%s", c, code, reason, wantCode, wantReason)
	}
	zh, en := bmerr.Message(err, "zh-CN"), bmerr.Message(err, "en")
	for _, w := range []string{c.state.Label("zh"), c.action.Label("zh"), c.role.Label("zh"), cf.LevelLabel(c.level, "zh")} {
		if !strings.Contains(zh, w) {
			t.Errorf("Transition%v: Chinese message %q does not name %q", c, zh, w)
		}
	}
	for _, w := range []string{c.state.Label("en"), c.action.Label("en"), c.role.Label("en")} {
		if !strings.Contains(en, w) {
			t.Errorf("Transition%v: English message %q does not name %q", c, en, w)
		}
	}
}

func TestMessages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     cf.Status
		action cf.Action
		role   cf.Role
		level  catalog.Level
		zh, en string
	}{
		{
			name: "role not allowed", in: cf.Status{State: cf.Accepted}, action: cf.Forward, role: cf.Handler, level: catalog.Central,
			zh: "案件当前状态为“已受理”，承办人（县级）不能执行“上报”。此操作可由代办员（村/社区）、窗口人员（乡镇）、窗口人员（县级）执行。",
			en: "the case is “accepted”; the action “forward” cannot be taken by handler (central). It can be taken by: agent (community), window clerk (township), window clerk (central).",
		},
		{
			name: "illegal, with what can be done instead", in: cf.Status{State: cf.Accepted}, action: cf.Deliver, role: cf.Clerk, level: catalog.Township,
			zh: "案件当前状态为“已受理”，不能执行“送达”（操作人：窗口人员（乡镇））。您现在可以执行：上报、即办办结、准予、不予许可、退回补正、挂起、撤回。",
			en: "the case is “accepted”; “deliver” is not possible in that state (requested by window clerk (township)). You can now: forward, close on the spot, grant, refuse, return for supplement, suspend, withdraw.",
		},
		{
			name: "illegal, nothing to do", in: cf.Status{State: cf.Closed, Result: cf.NotAccepted}, action: cf.Accept, role: cf.Clerk, level: catalog.Township,
			zh: "案件当前状态为“已办结”，不能执行“受理”（操作人：窗口人员（乡镇））。",
			en: "the case is “closed”; “accept” is not possible in that state (requested by window clerk (township)).",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cf.Transition(tc.in, tc.action, tc.role, tc.level)
			if got := bmerr.Message(err, "zh"); got != tc.zh {
				t.Errorf("zh:\n got %s\nwant %s", got, tc.zh)
			}
			if got := bmerr.Message(err, "en"); got != tc.en {
				t.Errorf("en:\n got %s\nwant %s", got, tc.en)
			}
			var te *cf.TransitionError
			if errors.As(err, &te) && te.Message("zh-Hans") != tc.zh {
				t.Errorf("TransitionError.Message differs from bmerr.Message")
			}
		})
	}
}
