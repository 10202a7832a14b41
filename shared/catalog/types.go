// Package catalog is the matter catalog (事项目录 / 实施清单): what a resident
// can apply for, who may accept and decide it, its time limits, the materials
// it needs and, for matters decided at central, its approval workflow.
//
// Central owns the catalog and publishes it to stations by sync; a built-in
// demo catalog (Demo) ships with the program. A catalog is data: Parse reads
// it from JSON and Validate says exactly which matter and field is wrong.
package catalog

import "github.com/bianmin/bianmin/shared/workcal"

// Level is a tier of the service network (行使层级).
type Level string

const (
	Central   Level = "central"   // county/city service centre (政务服务中心)
	Township  Level = "township"  // township/street convenience centre (便民服务中心)
	Community Level = "community" // village/community station (便民服务站)
)

// Kind is the legal kind of a matter (事项类型).
type Kind string

const (
	Licensing     Kind = "licensing"      // 行政许可
	Benefit       Kind = "benefit"        // 行政给付
	Confirmation  Kind = "confirmation"   // 行政确认
	Award         Kind = "award"          // 行政奖励
	Adjudication  Kind = "adjudication"   // 行政裁决
	OtherPower    Kind = "other_power"    // 其他行政权力
	PublicService Kind = "public_service" // 公共服务
)

// HandlingType is how a case of the matter is handled (办件类型).
type HandlingType string

const (
	OnTheSpot HandlingType = "on_the_spot" // 即办件: closed the day it is accepted
	Promised  HandlingType = "promised"    // 承诺件: closed within the promised limit
	Forwarded HandlingType = "forwarded"   // 上报件: forwarded up for decision
	Joint     HandlingType = "joint"       // 联办件: several departments
)

// Procedure is a special procedure whose duration does not count toward the limit (特别程序).
type Procedure string

const (
	Hearing        Procedure = "hearing"         // 听证
	Testing        Procedure = "testing"         // 检验、检测、检疫
	Appraisal      Procedure = "appraisal"       // 鉴定
	ExpertReview   Procedure = "expert_review"   // 专家评审
	PublicNotice   Procedure = "public_notice"   // 公示
	SiteInspection Procedure = "site_inspection" // 现场勘查
)

// MaterialType classifies a material (材料类型).
type MaterialType string

const (
	Certificate MaterialType = "certificate" // 证件证明
	Form        MaterialType = "form"        // 申请表格
	OtherType   MaterialType = "other"       // 其他
)

// Source says who produces a material (来源渠道).
type Source string

const (
	FromApplicant  Source = "applicant"  // 申请人自备
	FromGovernment Source = "government" // 政府部门核发
)

// Necessity says whether a material is needed to accept the case.
type Necessity string

const (
	Required   Necessity = "required"   // 必要
	Optional   Necessity = "optional"   // 非必要
	Deferrable Necessity = "deferrable" // 容缺后补: the case may be accepted without it
)

// MaterialForm is the form a material is accepted in (材料形式).
type MaterialForm string

const (
	Paper      MaterialForm = "paper"      // 纸质
	Electronic MaterialForm = "electronic" // 电子
	Either     MaterialForm = "either"     // 纸质或电子
)

// Step is one step inside a department (承办 → 审核 → 审批).
type Step string

const (
	Handle  Step = "handle"  // 承办
	Review  Step = "review"  // 审核
	Approve Step = "approve" // 审批
)

// StageKind distinguishes a single-department stage from a parallel one.
type StageKind string

const (
	DepartmentStage StageKind = "department" // one department's steps in order
	ParallelStage   StageKind = "parallel"   // 并联审批: lead and co-departments at once
)

// CompletionRule says when a parallel stage is done.
type CompletionRule string

const (
	AllAgree CompletionRule = "all" // every branch must approve; one refusal refuses
	AnyAgree CompletionRule = "any" // one approval suffices; refused only when all refuse
)

// Department is an implementing department (实施主体), e.g. 人社局.
type Department struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
}

// Fee says whether a matter is charged (收费).
type Fee struct {
	Charged bool   `json:"charged"`
	Basis   string `json:"basis,omitempty"` // legal basis of the charge
	Rate    string `json:"rate,omitempty"`  // e.g. "工本费 20 元"
}

// Material is one application material (申请材料).
type Material struct {
	Code      string       `json:"code"` // unique within the matter
	Name      string       `json:"name"`
	NameEn    string       `json:"name_en"`
	Type      MaterialType `json:"type"`
	Source    Source       `json:"source"`
	Necessity Necessity    `json:"necessity"`
	Form      MaterialForm `json:"form"`
	Originals int          `json:"originals"` // originals to show (原件)
	Copies    int          `json:"copies"`    // copies to hand in (复印件)
	Note      string       `json:"note,omitempty"`
}

// Levels lists which tiers may accept, decide and proxy a matter.
type Levels struct {
	Accept []Level `json:"accept"` // may accept (受理) at this level
	Decide []Level `json:"decide"` // may decide (决定) at this level; township = devolved (下放)
	Proxy  []Level `json:"proxy"`  // may collect on the resident's behalf (帮办代办)
}

// Branch is one department's part of a parallel stage.
type Branch struct {
	Department string `json:"department"`
	Steps      []Step `json:"steps"`
	Days       int    `json:"days"` // sub-deadline in working days from the stage's start
}

// Stage is one stage of a workflow.
type Stage struct {
	Kind       StageKind      `json:"kind"`
	Department string         `json:"department,omitempty"` // department stage: the department; parallel: the lead (牵头部门)
	Steps      []Step         `json:"steps,omitempty"`      // department stage: its steps in order
	Branches   []Branch       `json:"branches,omitempty"`   // parallel stage: lead and co-departments
	Rule       CompletionRule `json:"rule,omitempty"`       // parallel stage: completion rule
	Days       int            `json:"days,omitempty"`       // department stage: sub-deadline in working days from its start (0: none)
}

// Workflow is the ordered approval stages at the deciding level.
type Workflow struct {
	Stages []Stage `json:"stages"`
}

// Matter is one implementable matter (实施清单事项).
type Matter struct {
	Code              string         `json:"code"` // 实施编码, up to 36 characters
	Name              string         `json:"name"`
	NameEn            string         `json:"name_en"`
	Kind              Kind           `json:"kind"`
	Department        string         `json:"department"`               // implementing department code
	CoDepartments     []string       `json:"co_departments,omitempty"` // 联办/协办部门
	Levels            Levels         `json:"levels"`
	LegalLimit        *workcal.Limit `json:"legal_limit,omitempty"` // nil: no statutory limit
	PromisedLimit     workcal.Limit  `json:"promised_limit"`
	Handling          HandlingType   `json:"handling"`
	Fee               Fee            `json:"fee"`
	MaxVisits         int            `json:"max_visits"`   // 0, 1 or 2
	OnlineDepth       int            `json:"online_depth"` // 1–4 (I–IV)
	SpecialProcedures []Procedure    `json:"special_procedures,omitempty"`
	Materials         []Material     `json:"materials"`
	Workflow          *Workflow      `json:"workflow,omitempty"` // approval stages where the matter is decided
	Keywords          []string       `json:"keywords,omitempty"` // extra search words
}

// Catalog is a published version of the whole catalog.
type Catalog struct {
	Version     int          `json:"version"`   // increases with every publication
	Published   string       `json:"published"` // RFC 3339 time of publication
	Departments []Department `json:"departments"`
	Matters     []Matter     `json:"matters"`
}
