package caseflow_test

import (
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

// A township window receives and accepts a pension claim, forwards it to
// central, and a community agent then tries to decide it.
func ExampleTransition() {
	s := caseflow.Status{}
	for _, a := range []caseflow.Action{caseflow.Receive, caseflow.Accept, caseflow.Forward} {
		var err error
		s, err = caseflow.Transition(s, a, caseflow.Clerk, catalog.Township)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s → %s\n", a.Label("zh"), s.State.Label("zh"))
	}

	_, err := caseflow.Transition(s, caseflow.Grant, caseflow.Agent, catalog.Community)
	fmt.Println(bmerr.CodeOf(err), bmerr.ReasonOf(err))
	fmt.Println(bmerr.Message(err, "zh"))
	fmt.Println(caseflow.Actions(s, caseflow.Approver, catalog.Central))
	// Output:
	// 收件 → 已收件
	// 受理 → 已受理
	// 上报 → 审查中
	// permission_denied role_not_allowed
	// 案件当前状态为“审查中”，代办员（村/社区）不能执行“准予”。此操作可由审批人（县级）、部门负责人（县级）执行。
	// [advance grant refuse return_for_supplement suspend]
}
