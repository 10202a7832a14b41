// Package centraldesk is what the central staff's screens do, without any
// window: build a review action's change and check its required fields
// before anything is sent, keep the catalog administrator's working copy
// of the catalog and calendar and say every problem in it, and shape the
// supervision figures for tables and charts. The central package only
// collects input and shows results.
package centraldesk

import (
	"slices"
	"strings"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/centralapi"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/google/uuid"
)

// ReviewActions are the actions a central reviewer may offer, in the order
// of their buttons.
var ReviewActions = []caseflow.Action{
	caseflow.Advance, caseflow.Grant, caseflow.Refuse, caseflow.ReturnForSupplement,
	caseflow.Suspend, caseflow.Resume, caseflow.Extend, caseflow.Withdraw,
}

// ActInput is what a reviewer typed for one action; each action reads its
// own fields.
type ActInput struct {
	Agree        bool                   // advance: 同意 (true) or 不同意
	Opinion      string                 // advance
	Certificate  string                 // grant: certificate or document number, if any
	Reasons      []string               // refuse
	Remedies     []string               // refuse
	Missing      []casefile.MissingItem // return for supplement: everything missing, once
	Procedure    catalog.Procedure      // suspend
	ExpectedDays int                    // suspend
	Reason       string                 // extend, withdraw
	Approver     string                 // extend
	Note         string                 // resume (optional)
}

func required(reason, field, zh, en string) error {
	return bmerr.New(bmerr.Invalid, reason, zh, en).WithField(field)
}

func clean(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// BuildChange builds the change for action a on the case by user, after
// checking the fields the action requires: the same rules central applies,
// checked first so that a reviewer fixes a missing reason before anything
// is sent. The change gets a fresh UUIDv7, its idempotency key.
func BuildChange(d *centralapi.CaseDetail, user centralapi.User, a caseflow.Action, in ActInput, now time.Time) (*casefile.Change, error) {
	if d == nil || d.Case == nil {
		return nil, bmerr.New(bmerr.Invalid, "no_case", "没有选中案件。", "no case is selected.")
	}
	c := d.Case
	ch := &casefile.Change{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, Action: a, Actor: user.Actor(), At: now, BaseVersion: c.Version}
	switch a {
	case caseflow.Advance:
		t, ok := d.Task(user.Department)
		if !ok {
			return nil, bmerr.New(bmerr.FailedPrecondition, "no_task", "本案当前没有本部门待办的审批环节。",
				"the case has no step waiting for your department now.")
		}
		if t.Decides {
			return nil, bmerr.New(bmerr.FailedPrecondition, "decide_instead", "这是作出决定的环节，请选择“准予”或“不予许可”。",
				"this step decides the case: grant or refuse it.")
		}
		op := strings.TrimSpace(in.Opinion)
		if !in.Agree && op == "" {
			return nil, required("opinion_required", "opinion", "不同意须写明意见。", "a disagreeing opinion needs its reasons.")
		}
		if op == "" {
			op = "同意。"
		}
		ch.Step = &casefile.StepInput{Stage: t.Stage, Department: t.Department, Step: t.Step, Approve: in.Agree, Opinion: op}
	case caseflow.Grant:
		ch.Decision = &casefile.Decision{Result: caseflow.Granted, Certificate: strings.TrimSpace(in.Certificate)}
	case caseflow.Refuse:
		reasons, remedies := clean(in.Reasons), clean(in.Remedies)
		if len(reasons) == 0 {
			return nil, required("reasons_required", "reasons", "不予许可须写明理由。", "a refusal needs its reasons.")
		}
		if len(remedies) == 0 {
			return nil, required("remedies_required", "remedies", "不予许可须告知申请人依法申请复议或提起诉讼的权利。",
				"a refusal must tell the applicant their remedies (review or lawsuit).")
		}
		ch.Decision = &casefile.Decision{Result: caseflow.Refused, Reasons: reasons, Remedies: remedies}
	case caseflow.ReturnForSupplement:
		var items []casefile.MissingItem
		for _, it := range in.Missing {
			it.Name, it.Note = strings.TrimSpace(it.Name), strings.TrimSpace(it.Note)
			if it.Name != "" {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			return nil, required("notice_items", "missing", "退回补正须一次性列明全部缺少或需补正的材料。",
				"a return for supplement must list everything that is missing, at once.")
		}
		ch.Notice = &casefile.Notice{Items: items}
	case caseflow.Suspend:
		if in.Procedure == "" || !slices.Contains(c.Matter.SpecialProcedures, in.Procedure) {
			return nil, required("suspension_procedure", "procedure", "挂起须选择本事项的一项特别程序。",
				"a suspension must name one of the matter's special procedures.")
		}
		if in.ExpectedDays <= 0 {
			return nil, required("suspension_days", "expected_days", "请填写特别程序预计所需天数，以告知申请人。",
				"enter the expected duration to tell the applicant.")
		}
		ch.Suspension = &casefile.Suspension{Procedure: in.Procedure, ExpectedDays: in.ExpectedDays, Note: strings.TrimSpace(in.Note)}
	case caseflow.Resume:
		ch.Note = strings.TrimSpace(in.Note)
	case caseflow.Extend:
		if strings.TrimSpace(in.Reason) == "" {
			return nil, required("extension_reason", "reason", "延期须写明理由，并告知申请人。", "an extension needs its reason, told to the applicant.")
		}
		if strings.TrimSpace(in.Approver) == "" {
			return nil, required("extension_approver", "approver", "延期须写明批准人。", "an extension needs the approver's name.")
		}
		ch.Extension = &casefile.Extension{Days: casefile.ExtensionDays, Reason: strings.TrimSpace(in.Reason), Approver: strings.TrimSpace(in.Approver)}
	case caseflow.Withdraw:
		if strings.TrimSpace(in.Reason) == "" {
			return nil, required("withdraw_reason", "reason", "撤回须注明原因（如申请人申请撤回）。", "a withdrawal needs a reason.")
		}
		ch.Note = strings.TrimSpace(in.Reason)
	default:
		return nil, bmerr.New(bmerr.Invalid, "action_unknown", "县级中心不能执行“"+a.Label("zh")+"”。", "central staff cannot "+a.Label("en")+".")
	}
	return ch, nil
}

// MissingFromCase proposes the items of a return for supplement: every
// required material the case has not received, for the reviewer to edit.
func MissingFromCase(c *casefile.Case) []casefile.MissingItem {
	var out []casefile.MissingItem
	for _, m := range casefile.MissingForAcceptance(c.Matter.Matter(), c.Materials) {
		out = append(out, casefile.MissingItem{Material: m.Code, Name: m.Name})
	}
	for _, r := range c.Materials {
		if r.Deferred && !r.Received {
			if mat, ok := c.Matter.Matter().Material(r.Code); ok {
				out = append(out, casefile.MissingItem{Material: r.Code, Name: mat.Name, Note: "容缺后补"})
			}
		}
	}
	return out
}
