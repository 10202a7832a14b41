package caseflow

import (
	"fmt"
	"strings"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
)

// TransitionError is why Transition refused an action. It keeps the inputs,
// so that central, judging a change a station made offline, can record what
// was attempted and by whom; the wrapped *bmerr.Error carries the code, the
// stable reason and the text for the clerk, so bmerr.As, bmerr.CodeOf and
// bmerr.Message work on it unchanged.
type TransitionError struct {
	State  State
	Action Action
	Role   Role
	Level  catalog.Level
	Err    *bmerr.Error // never nil
}

// Error returns the English message, like bmerr.Error.
func (e *TransitionError) Error() string { return e.Err.Error() }

// Unwrap exposes the *bmerr.Error to errors.As and the bmerr helpers.
func (e *TransitionError) Unwrap() error { return e.Err }

// Message returns the message in lang ("zh…" gives Chinese, anything else English).
func (e *TransitionError) Message(lang string) string { return e.Err.Message(lang) }

func newTransitionError(s Status, a Action, who actor, f failure) *TransitionError {
	return &TransitionError{State: s.State, Action: a, Role: who.role, Level: who.level, Err: describe(s, a, who, f)}
}

// describe writes the message for f. Each message names the state, the
// action and the person in the clerk's own words, and where it can, says
// what to do instead: who may take the action, or what this person may do now.
func describe(s Status, a Action, who actor, f failure) *bmerr.Error {
	const zh, en = "zh", "en"
	st := func(lang string) string { return s.State.Label(lang) }
	ac := func(lang string) string { return a.Label(lang) }
	switch f {
	case unknownState:
		return bmerr.Newf(bmerr.Invalid, "unknown_state",
			"无法识别案件状态“%s”，本机程序可能需要更新，请联系管理员。",
			"case state %q is not known to this version of the program; it may need updating, contact the administrator.", s.State)
	case unknownAction:
		return bmerr.Newf(bmerr.Invalid, "unknown_action",
			"无法识别操作“%s”，本机程序可能需要更新，请联系管理员。",
			"action %q is not known to this version of the program; it may need updating, contact the administrator.", a)
	case unknownRole:
		return bmerr.Newf(bmerr.Invalid, "unknown_role",
			"无法识别用户角色“%s”，请联系管理员检查账号设置。",
			"user role %q is not known; ask the administrator to check the account.", who.role)
	case unknownLevel:
		return bmerr.Newf(bmerr.Invalid, "unknown_level",
			"无法识别站点层级“%s”，请联系管理员检查站点设置。",
			"station level %q is not known; ask the administrator to check the station's settings.", who.level)
	case illegal:
		zhMsg := fmt.Sprintf("案件当前状态为“%s”，不能执行“%s”（操作人：%s）。", st(zh), ac(zh), who.Label(zh))
		enMsg := fmt.Sprintf("the case is “%s”; “%s” is not possible in that state (requested by %s).", st(en), ac(en), who.Label(en))
		if now := Actions(s, who.role, who.level); len(now) > 0 {
			zhMsg += "您现在可以执行：" + joinLabels(now, zh, "、") + "。"
			enMsg += " You can now: " + joinLabels(now, en, ", ") + "."
		}
		return bmerr.New(bmerr.FailedPrecondition, "illegal_transition", zhMsg, enMsg)
	case roleNotAllowed:
		by := actorsFor(s.State, a)
		return bmerr.New(bmerr.PermissionDenied, "role_not_allowed",
			fmt.Sprintf("案件当前状态为“%s”，%s不能执行“%s”。此操作可由%s执行。", st(zh), who.Label(zh), ac(zh), joinLabels(by, zh, "、")),
			fmt.Sprintf("the case is “%s”; the action “%s” cannot be taken by %s. It can be taken by: %s.", st(en), ac(en), who.Label(en), joinLabels(by, en, ", ")))
	case alreadyExtended:
		return bmerr.New(bmerr.FailedPrecondition, "already_extended",
			"该案件已经延期过一次，依法只能延期一次，不能再次延期。",
			"this case has already been extended once; the law allows only one extension.")
	case alreadyRated:
		return bmerr.New(bmerr.FailedPrecondition, "already_rated",
			"该案件已经评价过，每件办件只能评价一次。",
			"this case has already been rated; a case can be rated only once.")
	case notRatable:
		return bmerr.New(bmerr.FailedPrecondition, "not_ratable",
			"该案件为“不予受理”，没有办理过程，不参加好差评。",
			"this case was not accepted, so there is no service to rate.")
	case badPrior:
		return bmerr.New(bmerr.Internal, "bad_prior",
			fmt.Sprintf("案件记录中“%s”之前的状态（“%s”）无效，无法执行“%s”，请联系管理员。", st(zh), s.Prior, ac(zh)),
			fmt.Sprintf("the case record does not say which state to return to from “%s” (found %q), so “%s” cannot be done; contact the administrator.", st(en), s.Prior, ac(en)))
	}
	return bmerr.Newf(bmerr.Internal, "transition", "无法执行“%s”。", "cannot %s.", a)
}

func joinLabels[T interface{ Label(string) string }](xs []T, lang, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = x.Label(lang)
	}
	return strings.Join(parts, sep)
}
