package caseflow

import (
	"strings"

	"github.com/bianmin/bianmin/shared/catalog"
)

// label is a value's name for people: Chinese for the windows, English for
// logs and for central's staff who read English.
type label struct{ zh, en string }

func (l label) in(lang string) string {
	if isZh(lang) {
		return l.zh
	}
	return l.en
}

// isZh follows bmerr.Error.Message, so a label and the error around it are
// always in the same language.
func isZh(lang string) bool { return strings.HasPrefix(lang, "zh") }

var stateLabels = map[State]label{
	New:               {"未收件", "new"},
	Received:          {"已收件", "received"},
	SupplementPending: {"待补齐补正", "awaiting supplement"},
	Accepted:          {"已受理", "accepted"},
	UnderReview:       {"审查中", "under review"},
	ParallelReview:    {"并联审批中", "in parallel approval"},
	Suspended:         {"已挂起", "suspended"},
	Returned:          {"退回补正", "returned for supplement"},
	Decided:           {"已决定", "decided"},
	Closed:            {"已办结", "closed"},
}

var actionLabels = map[Action]label{
	Receive:             {"收件", "receive"},
	RequestSupplement:   {"一次性告知补正", "request supplement (one-time notice)"},
	Supplement:          {"补齐补正", "supplement"},
	RejectIntake:        {"不予受理", "reject (not accepted)"},
	Accept:              {"受理", "accept"},
	Forward:             {"上报", "forward"},
	CloseOnSpot:         {"即办办结", "close on the spot"},
	Advance:             {"完成审批环节", "finish step"},
	StartParallel:       {"启动并联审批", "start parallel approval"},
	FinishParallel:      {"完成并联审批", "finish parallel approval"},
	Grant:               {"准予", "grant"},
	Refuse:              {"不予许可", "refuse"},
	ReturnForSupplement: {"退回补正", "return for supplement"},
	Suspend:             {"挂起", "suspend"},
	Resume:              {"恢复办理", "resume"},
	Extend:              {"延期", "extend"},
	Deliver:             {"送达", "deliver"},
	Withdraw:            {"撤回", "withdraw"},
	Rate:                {"好差评", "rate"},
	Warn:                {"预警", "warn"},
}

var roleLabels = map[Role]label{
	Agent:    {"代办员", "agent"},
	Clerk:    {"窗口人员", "window clerk"},
	Handler:  {"承办人", "handler"},
	Reviewer: {"审核人", "reviewer"},
	Approver: {"审批人", "approver"},
	Head:     {"部门负责人", "department head"},
	Admin:    {"管理员", "administrator"},
	System:   {"系统", "system"},
}

var resultLabels = map[Result]label{
	NoResult:    {"暂无结果", "no result"},
	Granted:     {"准予", "granted"},
	Refused:     {"不予许可", "refused"},
	Withdrawn:   {"退件", "withdrawn"},
	NotAccepted: {"不予受理", "not accepted"},
}

// "村/社区" rather than "村（社区）": the level is shown in brackets after a
// role, and nested brackets read badly.
var levelLabels = map[catalog.Level]label{
	catalog.Central:   {"县级", "central"},
	catalog.Township:  {"乡镇", "township"},
	catalog.Community: {"村/社区", "community"},
}

// lookup falls back to the raw value so that a value from a newer version
// still shows up in a message instead of vanishing.
func lookup[K ~string](m map[K]label, k K, lang string) string {
	if l, found := m[k]; found {
		return l.in(lang)
	}
	return string(k)
}

// Label returns the state's name in lang ("zh…" for Chinese, else English).
func (s State) Label(lang string) string { return lookup(stateLabels, s, lang) }

// Label returns the action's name in lang, as written on its button.
func (a Action) Label(lang string) string { return lookup(actionLabels, a, lang) }

// Label returns the role's name in lang.
func (r Role) Label(lang string) string { return lookup(roleLabels, r, lang) }

// Label returns the result's name in lang.
func (r Result) Label(lang string) string { return lookup(resultLabels, r, lang) }

// LevelLabel returns the level's name in lang, in the short form that case
// messages put after a role.
func LevelLabel(l catalog.Level, lang string) string { return lookup(levelLabels, l, lang) }

// Label returns "窗口人员（乡镇）" / "window clerk (township)".
func (w actor) Label(lang string) string {
	if isZh(lang) {
		return w.role.Label(lang) + "（" + LevelLabel(w.level, lang) + "）"
	}
	return w.role.Label(lang) + " (" + LevelLabel(w.level, lang) + ")"
}
