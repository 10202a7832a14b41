package casefile_test

import (
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

const allowances = "残疾人两项补贴" // parallel (民政 + 残联, rule all, 7 wd each), then 民政 approves (5 wd)

func central(role cf.Role, dept string) casefile.Actor {
	return casefile.Actor{User: dept + "-" + string(role), Role: role, Level: catalog.Central, Department: dept}
}

// pflow applies changes in order, numbering them, and fails on the first error.
type pflow struct {
	t *testing.T
	c *casefile.Case
	n int
}

func (f *pflow) ok(ch *casefile.Change) {
	f.t.Helper()
	if err := f.try(ch); err != nil {
		f.t.Fatalf("%s by %s/%s: %v", ch.Action, ch.Actor.Role, ch.Actor.Department, err)
	}
}

func (f *pflow) try(ch *casefile.Change) error {
	f.t.Helper()
	f.n++
	ch.ID, ch.CaseID = changeID(f.n), f.c.ID
	return applyChecked(f.t, f.c, ch, env())
}

// system applies the scheduler's follow-ups until there are none, as central
// does after every change, and returns the actions taken.
func (f *pflow) system(on string) []cf.Action {
	f.t.Helper()
	var did []cf.Action
	for range 5 {
		fus := f.c.FollowUps()
		if len(fus) == 0 {
			return did
		}
		for _, fu := range fus {
			ch := do(fu.Action, scheduler, on)
			ch.Decision = fu.Decision
			f.ok(ch)
			did = append(did, fu.Action)
		}
	}
	f.t.Fatal("follow-ups never settle")
	return nil
}

func wfStep(dept string, s catalog.Step, agree bool, opinion string) func(*casefile.Change) {
	return func(ch *casefile.Change) {
		ch.Step = &casefile.StepInput{Department: dept, Step: s, Approve: agree, Opinion: opinion}
	}
}

func forwarded(t *testing.T, matter string, by casefile.Actor, on string) *pflow {
	t.Helper()
	f := &pflow{t: t, c: received(t, receive(t, by, cf.FormatNumber(stationOf(by), day(on), 1), matter, on))}
	f.ok(do(cf.Accept, by, on))
	f.ok(do(cf.Forward, by, on))
	return f
}

func stationOf(a casefile.Actor) string {
	if a.Station == "" {
		return "ZX01"
	}
	return a.Station
}

func TestParallelAllAgree(t *testing.T) {
	// Accepted and forwarded Mon 2 Mar 2026; the parallel stage starts that
	// day, so both branches are due 7 working days later: Wed 11 Mar.
	f := forwarded(t, allowances, clerkXZ, "2026-03-02")
	if got := f.system("2026-03-02"); len(got) != 1 || got[0] != cf.StartParallel {
		t.Fatalf("after forward the scheduler did %v, want start_parallel", got)
	}
	if f.c.Status.State != cf.ParallelReview {
		t.Fatalf("state %s", f.c.Status.State)
	}
	tasks := f.c.Tasks(calendar)
	if len(tasks) != 2 || tasks[0].Department != "mz" || tasks[1].Department != "cl" || tasks[0].Due != day("2026-03-11") || !tasks[0].Parallel {
		t.Fatalf("tasks %+v", tasks)
	}
	f.ok(do(cf.Advance, central(cf.Handler, "mz"), "2026-03-03", wfStep("mz", catalog.Handle, true, "材料齐全")))
	f.ok(do(cf.Advance, central(cf.Reviewer, "mz"), "2026-03-04", wfStep("mz", catalog.Review, true, "同意")))
	if got := f.system("2026-03-04"); len(got) != 0 {
		t.Fatalf("one branch of two done, but the scheduler did %v", got)
	}
	f.ok(do(cf.Advance, central(cf.Handler, "cl"), "2026-03-05", wfStep("cl", catalog.Handle, true, "")))
	wantErr(t, f.try(do(cf.Advance, central(cf.Reviewer, "mz"), "2026-03-05", wfStep("mz", catalog.Review, true, ""))), bmerr.PermissionDenied, "not_your_task")
	f.ok(do(cf.Advance, central(cf.Reviewer, "cl"), "2026-03-06", wfStep("cl", catalog.Review, true, "残疾等级属实")))
	if got := f.system("2026-03-06"); len(got) != 1 || got[0] != cf.FinishParallel {
		t.Fatalf("both branches agree, the scheduler did %v, want finish_parallel", got)
	}
	// Stage 2: 民政 approves, 5 working days from Fri 6 Mar: Fri 13 Mar.
	tasks = f.c.Tasks(calendar)
	if f.c.Status.State != cf.UnderReview || len(tasks) != 1 || tasks[0].Department != "mz" || !tasks[0].Decides || tasks[0].Due != day("2026-03-13") {
		t.Fatalf("state %s tasks %+v", f.c.Status.State, tasks)
	}
	f.ok(do(cf.Grant, central(cf.Approver, "mz"), "2026-03-09", withDecision(casefile.Decision{Certificate: "LXBT-2026-001"})))
	if f.c.Status.State != cf.Decided || f.c.Status.Result != cf.Granted || f.c.Pipeline.Stage != 2 {
		t.Fatalf("state %s result %s stage %d", f.c.Status.State, f.c.Status.Result, f.c.Pipeline.Stage)
	}
}

func TestParallelAllOneRefusal(t *testing.T) {
	f := forwarded(t, allowances, clerkXZ, "2026-03-02")
	f.system("2026-03-02")
	f.ok(do(cf.Advance, central(cf.Handler, "cl"), "2026-03-03", wfStep("cl", catalog.Handle, true, "")))
	wantErr(t, f.try(do(cf.Advance, central(cf.Reviewer, "cl"), "2026-03-04", wfStep("cl", catalog.Review, false, ""))), bmerr.Invalid, "opinion_required")
	f.ok(do(cf.Advance, central(cf.Reviewer, "cl"), "2026-03-04", wfStep("cl", catalog.Review, false, "残疾等级不符合补贴条件")))
	// Under "all" one refusal decides the stage, without waiting for 民政.
	if got := f.system("2026-03-04"); len(got) != 1 || got[0] != cf.Refuse {
		t.Fatalf("the scheduler did %v, want refuse", got)
	}
	d := f.c.Decision
	if f.c.Status.Result != cf.Refused || d == nil || !strings.Contains(strings.Join(d.Reasons, ""), "残疾等级不符合补贴条件") || d.Remedies[0] != casefile.StandardRemedies {
		t.Fatalf("decision %+v", d)
	}
}

func TestParallelAnyOneRefusalOneApproval(t *testing.T) {
	// 临时救助 accepted at central's window: 民政 and the township's office
	// in parallel, rule any, and it is the last stage.
	f := forwarded(t, relief, clerkZX, "2026-03-02")
	f.system("2026-03-02")
	f.ok(do(cf.Advance, central(cf.Handler, "xz"), "2026-03-03", wfStep("xz", catalog.Handle, true, "")))
	f.ok(do(cf.Advance, central(cf.Approver, "xz"), "2026-03-03", wfStep("xz", catalog.Approve, false, "家庭收入超过救助标准")))
	if got := f.system("2026-03-03"); len(got) != 0 {
		t.Fatalf("one refusal under 'any' must wait for the others; the scheduler did %v", got)
	}
	f.ok(do(cf.Advance, central(cf.Handler, "mz"), "2026-03-04", wfStep("mz", catalog.Handle, true, "")))
	f.ok(do(cf.Advance, central(cf.Approver, "mz"), "2026-03-04", wfStep("mz", catalog.Approve, true, "因病致困，符合临时救助条件")))
	if got := f.system("2026-03-04"); len(got) != 1 || got[0] != cf.Grant {
		t.Fatalf("the scheduler did %v, want grant", got)
	}
	if f.c.Status.State != cf.Decided || f.c.Status.Result != cf.Granted || f.c.DecidedOn != day("2026-03-04") {
		t.Fatalf("state %s result %s decided %s", f.c.Status.State, f.c.Status.Result, f.c.DecidedOn)
	}
}

func TestPipelineGuards(t *testing.T) {
	f := forwarded(t, allowances, clerkXZ, "2026-03-02")
	// The scheduler cannot decide a stage that is not resolved.
	wantErr(t, f.try(do(cf.FinishParallel, scheduler, "2026-03-02")), bmerr.FailedPrecondition, "illegal_transition")
	f.system("2026-03-02")
	wantErr(t, f.try(do(cf.FinishParallel, scheduler, "2026-03-03")), bmerr.FailedPrecondition, "parallel_not_resolved")
	wantErr(t, f.try(do(cf.Grant, scheduler, "2026-03-03")), bmerr.FailedPrecondition, "parallel_not_resolved")
	// A handler of the right department doing a reviewer's step.
	f.ok(do(cf.Advance, central(cf.Handler, "mz"), "2026-03-03", wfStep("mz", catalog.Handle, true, "")))
	wantErr(t, f.try(do(cf.Advance, central(cf.Handler, "mz"), "2026-03-03", wfStep("mz", catalog.Review, true, ""))), bmerr.PermissionDenied, "wrong_role")
	// Suspension stops the branches' sub-deadlines too: suspended Tue 3 Mar,
	// resumed Thu 5 Mar (4 and 5 Mar stopped), so 11 Mar moves to 13 Mar.
	f.c.Matter.SpecialProcedures = []catalog.Procedure{catalog.PublicNotice}
	f.ok(do(cf.Suspend, central(cf.Handler, "mz"), "2026-03-03", withSuspension(catalog.PublicNotice, 2)))
	if ts := f.c.Tasks(calendar); len(ts) != 0 {
		t.Fatalf("a suspended case has tasks %+v", ts)
	}
	f.ok(do(cf.Resume, central(cf.Handler, "cl"), "2026-03-05"))
	if ts := f.c.Tasks(calendar); len(ts) != 2 || ts[1].Due != day("2026-03-13") {
		t.Fatalf("tasks after resume %+v", ts)
	}
	// Only the implementing department's head extends.
	wantErr(t, f.try(do(cf.Extend, central(cf.Head, "cl"), "2026-03-05", withExtension(10, "需补充调查", "县残联理事长"))), bmerr.PermissionDenied, "not_your_task")
	f.ok(do(cf.Extend, central(cf.Head, "mz"), "2026-03-05", withExtension(10, "需补充调查", "县民政局局长")))
}
