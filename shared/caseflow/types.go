// Package caseflow is the case lifecycle (办件流程) as an explicit state
// machine: the states a case passes through, the actions that move it, and
// which role at which level of the service network may take each action.
// Stations and central run the same table, so a change a station makes
// offline is judged by central exactly as the station judged it.
package caseflow

// State is where a case is in its lifecycle.
type State string

const (
	New               State = ""                   // not yet received (before the first change)
	Received          State = "received"           // 收件: materials logged, receipt given
	SupplementPending State = "supplement_pending" // 补齐补正: one-time notice given before acceptance; clock not started
	Accepted          State = "accepted"           // 受理: acceptance notice given; the clock runs
	UnderReview       State = "under_review"       // 审查: forwarded to central, in a department's steps
	ParallelReview    State = "parallel_review"    // 并联审批: several departments at once
	Suspended         State = "suspended"          // 挂起: special procedure; clock stopped
	Returned          State = "returned"           // 退回补正: returned for supplement after acceptance; clock stopped
	Decided           State = "decided"            // 已决定: granted or refused, awaiting delivery (送达)
	Closed            State = "closed"             // 办结: terminal; see Result
)

// Action is something a person (or central's scheduler) does to a case.
type Action string

const (
	Receive             Action = "receive"               // 收件
	RequestSupplement   Action = "request_supplement"    // 一次性告知 (before acceptance)
	Supplement          Action = "supplement"            // 补正: the applicant supplies what was missing
	RejectIntake        Action = "reject_intake"         // 不予受理
	Accept              Action = "accept"                // 受理
	Forward             Action = "forward"               // 上报: send to central for decision
	CloseOnSpot         Action = "close_on_spot"         // 即办办结
	Advance             Action = "advance"               // 完成一个审批环节 (handle / review / approve step)
	StartParallel       Action = "start_parallel"        // 启动并联审批
	FinishParallel      Action = "finish_parallel"       // 并联阶段完成，进入下一阶段
	Grant               Action = "grant"                 // 准予
	Refuse              Action = "refuse"                // 不予许可 / 不予批准
	ReturnForSupplement Action = "return_for_supplement" // 退回补正 (after acceptance)
	Suspend             Action = "suspend"               // 挂起 (特别程序)
	Resume              Action = "resume"                // 恢复
	Extend              Action = "extend"                // 延期 (once, +10 working days)
	Deliver             Action = "deliver"               // 送达
	Withdraw            Action = "withdraw"              // 撤回 / 退件
	Rate                Action = "rate"                  // 好差评
	Warn                Action = "warn"                  // 预警 / 黄牌 / 红牌 (central's scheduler)
)

// Role is what a user does in the service network.
type Role string

const (
	Agent    Role = "agent"    // 代办员 at a community station
	Clerk    Role = "clerk"    // 窗口人员 at a township or central window
	Handler  Role = "handler"  // 承办人 in a department
	Reviewer Role = "reviewer" // 审核人
	Approver Role = "approver" // 审批人
	Head     Role = "head"     // 部门负责人 / 分管领导: approves extensions
	Admin    Role = "admin"    // 管理员: catalog, stations, users; takes no case actions
	System   Role = "system"   // central's scheduler and pipeline
)

// Result is how a closed (or decided) case ended (办结结果).
type Result string

const (
	NoResult    Result = ""
	Granted     Result = "granted"      // 出证办结 / 准予
	Refused     Result = "refused"      // 不予许可
	Withdrawn   Result = "withdrawn"    // 退件: withdrawn, or never supplemented
	NotAccepted Result = "not_accepted" // 不予受理
)

// Status is the part of a case the state machine reads and writes.
type Status struct {
	State    State  `json:"state"`
	Prior    State  `json:"prior,omitempty"`  // where Resume / Supplement return to (Suspended, Returned)
	Result   Result `json:"result,omitempty"` // set by Grant/Refuse (Decided) and on closing
	Extended bool   `json:"extended,omitempty"`
	Rated    bool   `json:"rated,omitempty"`
}
