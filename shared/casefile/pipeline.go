package casefile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Pipeline is where a case decided at central stands in its matter's
// workflow (the snapshot's Workflow): which stage, which step of a
// department stage, and for a parallel stage each department's branch.
type Pipeline struct {
	Stage    int           `json:"stage"`              // current stage; len(stages) once decided
	Step     int           `json:"step"`               // department stage: index of the next step
	Started  workcal.Date  `json:"started"`            // first day of the current stage
	Branches []BranchState `json:"branches,omitempty"` // parallel stage, once started
}

// BranchState is one department's part of a running parallel stage.
type BranchState struct {
	Department string       `json:"department"`
	Step       int          `json:"step"` // index of the next step
	Done       bool         `json:"done,omitempty"`
	Agree      bool         `json:"agree,omitempty"` // the branch's conclusion, once done
	Opinion    string       `json:"opinion,omitempty"`
	DoneOn     workcal.Date `json:"done_on,omitzero"`
}

// Task is one piece of work a central department must do on a case now.
type Task struct {
	Stage      int          `json:"stage"`
	Department string       `json:"department"`
	Step       catalog.Step `json:"step"`
	Parallel   bool         `json:"parallel,omitempty"`
	Decides    bool         `json:"decides,omitempty"` // this step decides the case: grant or refuse, not advance
	Due        workcal.Date `json:"due,omitzero"`      // the stage's or branch's sub-deadline (zero: none)
}

// Scope names the task for warnings and inboxes: "stage1/rs/review".
func (t Task) Scope() string { return fmt.Sprintf("stage%d/%s/%s", t.Stage+1, t.Department, t.Step) }

// StepRole is who performs a workflow step.
func StepRole(s catalog.Step) caseflow.Role {
	switch s {
	case catalog.Handle:
		return caseflow.Handler
	case catalog.Review:
		return caseflow.Reviewer
	default:
		return caseflow.Approver
	}
}

// stages returns the case's workflow stages (none for a case without one).
func (c *Case) stages() []catalog.Stage {
	if c.Matter.Workflow == nil {
		return nil
	}
	return c.Matter.Workflow.Stages
}

func (c *Case) stage() (catalog.Stage, bool) {
	st := c.stages()
	if c.Pipeline == nil || c.Pipeline.Stage >= len(st) {
		return catalog.Stage{}, false
	}
	return st[c.Pipeline.Stage], true
}

func (c *Case) lastStage() bool {
	return c.Pipeline != nil && c.Pipeline.Stage == len(c.stages())-1
}

// Tasks lists what central's departments must do on the case now, with each
// task's sub-deadline (the stage's start plus its days, pushed later by days
// the clock stood still since). A case not under review (suspended, returned
// to the applicant, decided) has none.
func (c *Case) Tasks(cal *workcal.Calendar) []Task {
	if c.Status.State != caseflow.UnderReview && c.Status.State != caseflow.ParallelReview {
		return nil
	}
	return c.tasks(cal)
}

// tasks is Tasks whatever the state: the work the pipeline position holds.
func (c *Case) tasks(cal *workcal.Calendar) []Task {
	if c.Pipeline == nil {
		return nil
	}
	st, ok := c.stage()
	if !ok {
		return nil
	}
	p := c.Pipeline
	due := func(days int) workcal.Date {
		if days <= 0 || cal == nil {
			return workcal.Date{}
		}
		return cal.Due(p.Started, workcal.Limit{N: days, Unit: workcal.WorkingDays}, c.stopsSince(p.Started), 0)
	}
	if st.Kind == catalog.DepartmentStage {
		if p.Step >= len(st.Steps) {
			return nil
		}
		step := st.Steps[p.Step]
		return []Task{{Stage: p.Stage, Department: st.Department, Step: step, Due: due(st.Days),
			Decides: c.lastStage() && p.Step == len(st.Steps)-1}}
	}
	var out []Task
	for i, b := range p.Branches {
		if b.Done || i >= len(st.Branches) {
			continue
		}
		def := st.Branches[i]
		if b.Step < len(def.Steps) {
			out = append(out, Task{Stage: p.Stage, Department: b.Department, Step: def.Steps[b.Step], Parallel: true, Due: due(def.Days)})
		}
	}
	return out
}

// stopsSince returns the stop spans clipped to days after from.
func (c *Case) stopsSince(from workcal.Date) []workcal.Span {
	var out []workcal.Span
	for _, s := range c.Stopped {
		if !s.To.After(from) {
			continue
		}
		if s.From.Before(from) {
			s.From = from
		}
		out = append(out, s)
	}
	return out
}

// Resolution says whether a running parallel stage is decided by its rule.
func (c *Case) Resolution() (done, agree bool) {
	st, ok := c.stage()
	if !ok || st.Kind != catalog.ParallelStage || c.Pipeline == nil || len(c.Pipeline.Branches) == 0 {
		return false, false
	}
	all, anyAgree, anyRefuse := true, false, false
	for _, b := range c.Pipeline.Branches {
		if !b.Done {
			all = false
			continue
		}
		if b.Agree {
			anyAgree = true
		} else {
			anyRefuse = true
		}
	}
	if st.Rule == catalog.AnyAgree {
		switch {
		case anyAgree:
			return true, true
		case all:
			return true, false
		}
		return false, false
	}
	switch {
	case anyRefuse:
		return true, false // one refusal refuses under "all"
	case all:
		return true, true
	}
	return false, false
}

// FollowUp is an action central's scheduler must take next on a case.
type FollowUp struct {
	Action   caseflow.Action
	Decision *Decision // for grant / refuse
}

// StandardRemedies is the remedies sentence a decision without its own carries.
const StandardRemedies = "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"

// FollowUps returns what the system must do next for the workflow to move
// on by itself: open a parallel stage, close one whose rule is met, or
// decide the case when the last parallel stage is resolved. Deterministic:
// central applies them in the same transaction as the change that caused
// them.
func (c *Case) FollowUps() []FollowUp {
	if c.Pipeline == nil {
		return nil
	}
	st, ok := c.stage()
	if !ok {
		return nil
	}
	switch c.Status.State {
	case caseflow.UnderReview:
		if st.Kind == catalog.ParallelStage {
			return []FollowUp{{Action: caseflow.StartParallel}}
		}
	case caseflow.ParallelReview:
		done, agree := c.Resolution()
		if !done {
			return nil
		}
		var reasons []string
		for _, b := range c.Pipeline.Branches {
			if b.Done && b.Agree == agree && strings.TrimSpace(b.Opinion) != "" {
				reasons = append(reasons, b.Department+"："+b.Opinion)
			}
		}
		switch {
		case !agree:
			if len(reasons) == 0 {
				reasons = []string{"并联审批部门不同意。"}
			}
			return []FollowUp{{Action: caseflow.Refuse, Decision: &Decision{Result: caseflow.Refused, Reasons: reasons, Remedies: []string{StandardRemedies}}}}
		case c.lastStage():
			return []FollowUp{{Action: caseflow.Grant, Decision: &Decision{Result: caseflow.Granted, Reasons: reasons}}}
		default:
			return []FollowUp{{Action: caseflow.FinishParallel}}
		}
	}
	return nil
}

func pipelineError(reason, zh, en string, args ...any) error {
	return bmerr.Newf(bmerr.FailedPrecondition, reason, zh, en, args...)
}

// centralWork checks a central action against the workflow and moves the
// pipeline. It runs for actions at the central level only; the township
// decides devolved matters without a workflow.
func centralWork(c *Case, ch *Change, day workcal.Date) error {
	a := ch.Actor
	if ch.Action == caseflow.Forward { // from a station or central's window
		if len(c.stages()) == 0 {
			return pipelineError("no_workflow", "事项“%s”没有县级审批流程，不能上报。", "matter %q has no central workflow; it cannot be forwarded.", c.Matter.Name)
		}
		c.Pipeline = &Pipeline{Started: day}
		return nil
	}
	if a.Level != catalog.Central {
		return nil
	}
	switch ch.Action {
	case caseflow.Accept, caseflow.Receive, caseflow.RequestSupplement, caseflow.Supplement, caseflow.RejectIntake,
		caseflow.CloseOnSpot, caseflow.Deliver, caseflow.Rate, caseflow.Warn:
		return nil
	}
	if c.Pipeline == nil {
		if ch.Action == caseflow.Withdraw {
			return nil
		}
		return pipelineError("not_in_review", "案件尚未进入县级审批。", "the case is not in central review.")
	}
	p := *c.Pipeline
	p.Branches = slices.Clone(p.Branches)
	st, ok := c.stage()
	if !ok && ch.Action != caseflow.Withdraw {
		return pipelineError("workflow_done", "审批流程已经走完。", "the workflow is already complete.")
	}
	tasks := c.tasks(nil)
	mine := func() (Task, bool) {
		for _, t := range tasks {
			if t.Department == a.Department {
				return t, true
			}
		}
		return Task{}, false
	}
	notYours := func() error {
		return bmerr.Newf(bmerr.PermissionDenied, "not_your_task",
			"本案当前环节不由%s办理。", "the case's current step is not for department %s.", deptLabel(a.Department))
	}
	switch ch.Action {
	case caseflow.StartParallel:
		if st.Kind != catalog.ParallelStage || len(p.Branches) > 0 {
			return pipelineError("no_parallel_stage", "当前环节不是待启动的并联审批。", "the current stage is not a parallel stage waiting to start.")
		}
		for _, b := range st.Branches {
			p.Branches = append(p.Branches, BranchState{Department: b.Department})
		}
		p.Started = day
	case caseflow.FinishParallel:
		if done, agree := c.Resolution(); !done || !agree || c.lastStage() {
			return pipelineError("parallel_not_resolved", "并联审批尚未按办结规则完成。", "the parallel stage is not resolved by its rule.")
		}
		p = Pipeline{Stage: p.Stage + 1, Started: day}
	case caseflow.Advance:
		t, ok := mine()
		if !ok {
			return notYours()
		}
		s := ch.Step
		if s == nil {
			return invalid("step_missing", "step", "请注明完成的审批环节。", "name the workflow step that was finished.")
		}
		if s.Department != a.Department {
			return notYours() // another department's step, whatever the caller's own task
		}
		if s.Step != t.Step || s.Department != t.Department || s.Stage != t.Stage {
			return pipelineError("wrong_step", "当前应办理的环节是“%s”（%s），而不是“%s”。", "the step due now is %s (%s), not %s.",
				t.Step.Label("zh"), deptLabel(t.Department), s.Step.Label("zh"))
		}
		if err := stepRole(a.Role, t.Step); err != nil {
			return err
		}
		if t.Decides {
			return pipelineError("decide_instead", "这是作出决定的环节，请选择“准予”或“不予许可”。", "this step decides the case: grant or refuse it.")
		}
		if t.Parallel {
			i := slices.IndexFunc(p.Branches, func(b BranchState) bool { return b.Department == a.Department })
			b := &p.Branches[i]
			b.Step++
			if b.Step >= len(st.Branches[i].Steps) {
				if !s.Approve && strings.TrimSpace(s.Opinion) == "" {
					return invalid("opinion_required", "step.opinion", "不同意须写明意见。", "a disagreeing opinion needs its reasons.")
				}
				b.Done, b.Agree, b.Opinion, b.DoneOn = true, s.Approve, s.Opinion, day
			}
		} else {
			p.Step++
			if p.Step >= len(st.Steps) { // stage done: on to the next
				p = Pipeline{Stage: p.Stage + 1, Started: day}
			}
		}
	case caseflow.Grant, caseflow.Refuse:
		if a.Role == caseflow.System {
			if done, agree := c.Resolution(); !done || agree != (ch.Action == caseflow.Grant) {
				return pipelineError("parallel_not_resolved", "并联审批尚未得出该结论。", "the parallel stage has not reached that conclusion.")
			}
			p.Stage = len(c.stages())
			break
		}
		t, ok := mine()
		if !ok {
			return notYours()
		}
		if t.Step != catalog.Approve || (ch.Action == caseflow.Grant && !t.Decides) {
			return pipelineError("not_decision_step", "只有最后的审批环节可以准予；不予许可须在审批环节作出。", "only the final approve step grants; a refusal is made at an approve step.")
		}
		if err := stepRole(a.Role, t.Step); err != nil {
			return err
		}
		p.Stage = len(c.stages())
	case caseflow.ReturnForSupplement, caseflow.Suspend, caseflow.Resume:
		if _, ok := mine(); !ok && a.Department != c.Matter.Department {
			return notYours()
		}
	case caseflow.Extend:
		if a.Department != c.Matter.Department {
			return bmerr.Newf(bmerr.PermissionDenied, "not_your_task", "延期须由实施部门（%s）负责人批准。", "an extension is approved by the head of the implementing department (%s).", deptLabel(c.Matter.Department))
		}
	case caseflow.Withdraw:
	}
	c.Pipeline = &p
	return nil
}

func stepRole(r caseflow.Role, s catalog.Step) error {
	want := StepRole(s)
	if r == want || (want == caseflow.Approver && r == caseflow.Head) {
		return nil
	}
	return bmerr.Newf(bmerr.PermissionDenied, "wrong_role", "“%s”环节须由%s办理，您的角色是%s。", "the %s step is for a %s; you are a %s.",
		s.Label("zh"), want.Label("zh"), r.Label("zh"))
}

func deptLabel(code string) string {
	if code == "" {
		return "（未指定部门）"
	}
	return code
}
