// Package casefile is a case (办件) as both sides hold it, the change records
// that move it, and Apply: the one pure function that folds a change into a
// case. A station runs Apply offline the moment a clerk acts; central runs the
// same Apply when the change arrives, and its result is authoritative. Because
// both sides use the same code, the same catalog snapshot (kept in the case)
// and the same working-day calendar, a due date computed offline at a station
// agrees with central's to the day.
//
// The same Change type carries work in both directions: a station's intake and
// decisions up to central, central's decisions and warnings down to stations.
package casefile

import (
	"time"

	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// ApplicantKind says whether the applicant is a person or an organisation.
type ApplicantKind string

const (
	Person       ApplicantKind = "person"
	Organisation ApplicantKind = "organisation"
)

// Applicant is who applies (申请人).
type Applicant struct {
	Kind       ApplicantKind `json:"kind"`
	Name       string        `json:"name"`
	IDNumber   string        `json:"id_number,omitempty"`   // resident ID, for a person
	CreditCode string        `json:"credit_code,omitempty"` // unified social credit code, for an organisation
	Phone      string        `json:"phone,omitempty"`
	Address    string        `json:"address,omitempty"`
	Birth      workcal.Date  `json:"birth,omitzero"` // derived from IDNumber
	Sex        ident.Sex     `json:"sex,omitempty"`  // derived from IDNumber
}

// Proxy records a community agent filing on a resident's behalf (帮办代办).
type Proxy struct {
	AgentUser     string `json:"agent_user"`
	AgentName     string `json:"agent_name"`
	AgentPhone    string `json:"agent_phone,omitempty"`
	Authorization string `json:"authorization"` // how the resident authorised it (授权委托书编号 or description)
	ForwardTo     string `json:"forward_to"`    // township station that accepts the case
}

// ServiceMode is how the applicant was served (服务方式).
type ServiceMode string

const (
	WalkIn        ServiceMode = "walk_in"        // 窗口办理
	Appointment   ServiceMode = "appointment"    // 预约办理
	DoorToDoor    ServiceMode = "door_to_door"   // 上门办理
	ExtendedHours ServiceMode = "extended_hours" // 延时办理
	GreenChannel  ServiceMode = "green_channel"  // 绿色通道
)

// ServiceModes lists the modes in display order.
func ServiceModes() []ServiceMode {
	return []ServiceMode{WalkIn, Appointment, DoorToDoor, ExtendedHours, GreenChannel}
}

// Attachment is a scan kept with a material, addressed by its content.
type Attachment struct {
	SHA256 string `json:"sha256"` // lower-case hex
	Name   string `json:"name"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
}

// MaterialRecord is what the window recorded about one catalog material.
type MaterialRecord struct {
	Code        string       `json:"code"`
	Received    bool         `json:"received"`
	Original    bool         `json:"original,omitempty"` // the original was seen
	Copies      int          `json:"copies,omitempty"`   // copies handed in
	Deferred    bool         `json:"deferred,omitempty"` // 容缺后补: to be supplied later
	Attachments []Attachment `json:"attachments,omitempty"`
}

// MissingItem is one entry of a one-time notice: a material (or other
// requirement) the applicant must still provide, and what exactly is wrong.
type MissingItem struct {
	Material string `json:"material,omitempty"` // catalog material code, if it is one
	Name     string `json:"name"`
	Note     string `json:"note,omitempty"`
}

// Notice is a written notice given to the applicant: the one-time notice
// (一次性告知书) listing everything missing, a notice of non-acceptance, or a
// refusal, with reasons and the applicant's remedies (复议/诉讼).
type Notice struct {
	Items    []MissingItem `json:"items,omitempty"`
	Reasons  []string      `json:"reasons,omitempty"`
	Remedies []string      `json:"remedies,omitempty"`
}

// Decision is the outcome of a case (准予 / 不予).
type Decision struct {
	Result      caseflow.Result `json:"result"`
	Reasons     []string        `json:"reasons,omitempty"`
	Remedies    []string        `json:"remedies,omitempty"`
	Certificate string          `json:"certificate,omitempty"` // certificate/document number issued
	By          Actor           `json:"by"`
	On          workcal.Date    `json:"on"`
}

// Suspension names the special procedure that stopped the clock.
type Suspension struct {
	Procedure    catalog.Procedure `json:"procedure"`
	ExpectedDays int               `json:"expected_days"` // told to the applicant
	Note         string            `json:"note,omitempty"`
}

// Extension is the one extension a case may get (延期).
type Extension struct {
	Days     int    `json:"days"`
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
}

// DeliveryMethod is how the result was handed over (送达方式).
type DeliveryMethod string

const (
	AtWindow   DeliveryMethod = "window"     // 窗口领取
	ByPost     DeliveryMethod = "post"       // 邮寄
	Electronic DeliveryMethod = "electronic" // 电子送达
)

// Delivery records the hand-over of the result.
type Delivery struct {
	Method DeliveryMethod `json:"method"`
	Note   string         `json:"note,omitempty"`
	On     workcal.Date   `json:"on,omitzero"`
}

// Rating is the applicant's 好差评 after closure.
type Rating struct {
	Level   int          `json:"level"` // 5 非常满意 … 1 非常不满意
	Comment string       `json:"comment,omitempty"`
	Named   bool         `json:"named,omitempty"` // the rater left their name (实名差评 must be followed up)
	On      workcal.Date `json:"on,omitzero"`     // the day it was given (set by Apply)
}

// IsBad reports whether the rating is a bad review (差评: 2 or 1).
func (r Rating) IsBad() bool { return r.Level > 0 && r.Level <= 2 }

// WarningLevel is an electronic-supervision warning (电子监察).
type WarningLevel string

const (
	Reminder WarningLevel = "reminder" // 预警
	Yellow   WarningLevel = "yellow"   // 黄牌
	Red      WarningLevel = "red"      // 红牌
)

// Warning is one warning raised on a case or on one of its steps.
type Warning struct {
	Level  WarningLevel `json:"level"`
	Scope  string       `json:"scope,omitempty"` // "" for the case, else e.g. "stage1/rs/review"
	Reason string       `json:"reason,omitempty"`
	Due    workcal.Date `json:"due,omitzero"`
	Raised workcal.Date `json:"raised,omitzero"`
}

// StepInput is one finished workflow step (advance).
type StepInput struct {
	Stage      int          `json:"stage"`
	Department string       `json:"department"`
	Step       catalog.Step `json:"step"`
	Approve    bool         `json:"approve"` // the step's opinion: agree or disagree
	Opinion    string       `json:"opinion,omitempty"`
}

// Actor is who made a change.
type Actor struct {
	User       string        `json:"user"`
	Name       string        `json:"name,omitempty"`
	Role       caseflow.Role `json:"role"`
	Level      catalog.Level `json:"level"`
	Station    string        `json:"station,omitempty"`    // station code; "" at central
	Department string        `json:"department,omitempty"` // department code, at central
}

// Intake is everything a receive change brings: the new case's facts.
type Intake struct {
	Number    string           `json:"number"`
	Matter    string           `json:"matter"`
	Applicant Applicant        `json:"applicant"`
	Proxy     *Proxy           `json:"proxy,omitempty"`
	Mode      ServiceMode      `json:"mode"`
	Materials []MaterialRecord `json:"materials"`
}

// Change is one action on one case by one actor: the unit that is stored,
// synced in both directions, and applied exactly once. Exactly one payload
// field is set, according to Action (see Apply).
type Change struct {
	ID          uuid.UUID       `json:"id"` // UUIDv7 from whoever made the change
	CaseID      uuid.UUID       `json:"case_id"`
	Action      caseflow.Action `json:"action"`
	Actor       Actor           `json:"actor"`
	At          time.Time       `json:"at"` // when it happened, by the actor's clock
	BaseVersion int64           `json:"base_version"`

	Intake     *Intake          `json:"intake,omitempty"`
	Notice     *Notice          `json:"notice,omitempty"`
	Materials  []MaterialRecord `json:"materials,omitempty"`
	Decision   *Decision        `json:"decision,omitempty"`
	Suspension *Suspension      `json:"suspension,omitempty"`
	Extension  *Extension       `json:"extension,omitempty"`
	Delivery   *Delivery        `json:"delivery,omitempty"`
	Rating     *Rating          `json:"rating,omitempty"`
	Warning    *Warning         `json:"warning,omitempty"`
	Step       *StepInput       `json:"step,omitempty"`
	Note       string           `json:"note,omitempty"`
}

// MatterSnapshot is the part of the catalog a case keeps from the day it was
// received, so that a later catalog edit never changes an open case's rules.
type MatterSnapshot struct {
	Code              string               `json:"code"`
	Name              string               `json:"name"`
	NameEn            string               `json:"name_en"`
	CatalogVersion    int                  `json:"catalog_version"`
	Department        string               `json:"department"`
	CoDepartments     []string             `json:"co_departments,omitempty"`
	Levels            catalog.Levels       `json:"levels"`
	Handling          catalog.HandlingType `json:"handling"`
	Legal             *workcal.Limit       `json:"legal,omitempty"`
	Promised          workcal.Limit        `json:"promised"`
	SpecialProcedures []catalog.Procedure  `json:"special_procedures,omitempty"`
	Workflow          *catalog.Workflow    `json:"workflow,omitempty"`
	Materials         []catalog.Material   `json:"materials,omitempty"` // what is asked for, and how necessary
}

// Matter rebuilds enough of a catalog.Matter for authority checks.
func (m MatterSnapshot) Matter() *catalog.Matter {
	return &catalog.Matter{
		Code: m.Code, Name: m.Name, NameEn: m.NameEn, Department: m.Department,
		CoDepartments: m.CoDepartments, Levels: m.Levels, Handling: m.Handling,
		LegalLimit: m.Legal, PromisedLimit: m.Promised, SpecialProcedures: m.SpecialProcedures,
		Workflow: m.Workflow, Materials: m.Materials,
	}
}

// Case is a case as it stands after its changes.
type Case struct {
	ID     uuid.UUID      `json:"id"`
	Number string         `json:"number"` // station code + date + sequence, issued offline
	Matter MatterSnapshot `json:"matter"`

	OriginStation   string         `json:"origin_station"`   // where it was received
	OriginLevel     catalog.Level  `json:"origin_level"`     // that station's level
	HandlingStation string         `json:"handling_station"` // the township that accepts a proxy case; else the origin
	Route           caseflow.Route `json:"route"`

	Applicant Applicant        `json:"applicant"`
	Proxy     *Proxy           `json:"proxy,omitempty"`
	Mode      ServiceMode      `json:"mode"`
	Materials []MaterialRecord `json:"materials"`

	Status caseflow.Status `json:"status"`

	ReceivedAt time.Time    `json:"received_at"` // by the receiving station's clock
	ReceivedOn workcal.Date `json:"received_on"`
	AcceptedOn workcal.Date `json:"accepted_on,omitzero"` // the clock starts the day after
	DueOn      workcal.Date `json:"due_on,omitzero"`      // promised due date (zero while the clock is stopped)
	LegalDueOn workcal.Date `json:"legal_due_on,omitzero"`
	DecidedOn  workcal.Date `json:"decided_on,omitzero"`
	ClosedOn   workcal.Date `json:"closed_on,omitzero"`

	Stopped    []workcal.Span `json:"stopped,omitempty"` // closed stop spans
	StoppedOn  workcal.Date   `json:"stopped_on,omitzero"`
	Suspension *Suspension    `json:"suspension,omitempty"`
	Extension  *Extension     `json:"extension,omitempty"`

	Notice   *Notice     `json:"notice,omitempty"` // the latest notice given
	Decision *Decision   `json:"decision,omitempty"`
	Delivery *Delivery   `json:"delivery,omitempty"`
	Rating   *Rating     `json:"rating,omitempty"`
	Warnings []Warning   `json:"warnings,omitempty"`
	Steps    []StepInput `json:"steps,omitempty"`    // workflow steps done, in order
	Pipeline *Pipeline   `json:"pipeline,omitempty"` // where a case decided at central stands in its workflow

	Version   int64     `json:"version"` // number of changes applied
	UpdatedAt time.Time `json:"updated_at"`
}

// IsClosed reports whether the case has reached its terminal state.
func (c *Case) IsClosed() bool { return c.Status.State == caseflow.Closed }

// TopWarning returns the most severe warning on the case ("" if none).
func (c *Case) TopWarning() WarningLevel {
	var top WarningLevel
	rank := map[WarningLevel]int{Reminder: 1, Yellow: 2, Red: 3}
	for _, w := range c.Warnings {
		if rank[w.Level] > rank[top] {
			top = w.Level
		}
	}
	return top
}

// Parties returns the stations that must see the case: the origin and, for a
// proxy case, the township it was forwarded to.
func (c *Case) Parties() []string {
	if c.HandlingStation != "" && c.HandlingStation != c.OriginStation {
		return []string{c.OriginStation, c.HandlingStation}
	}
	return []string{c.OriginStation}
}
