package casefile

import (
	"slices"
	"strings"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// ExtensionDays is the statutory extension (行政许可法 art. 42: ten working days, once).
const ExtensionDays = 10

// Env is what Apply reads besides the case and the change.
type Env struct {
	Catalog  *catalog.Catalog  // the catalog receive and accept changes are judged against
	Calendar *workcal.Calendar // the working-day calendar deadlines are counted with
}

func invalid(reason, field, zh, en string, args ...any) error {
	return bmerr.Newf(bmerr.Invalid, reason, zh, en, args...).WithField(field)
}

// Apply folds ch into c, or returns why it may not be applied and leaves c
// unchanged. It checks, in order: the change's own shape, the state machine
// (state, action, role, level), the matter's authority (which level may do
// what), the actor's station, then the payload the action needs. On success
// c.Version grows by one.
//
// Apply is deterministic: the same case, change and Env always give the same
// result, on a station offline and at central.
func Apply(c *Case, ch *Change, env Env) error {
	if ch.ID == uuid.Nil {
		return invalid("change_id", "id", "变更记录缺少编号。", "the change has no id.")
	}
	if ch.CaseID == uuid.Nil {
		return invalid("case_id", "case_id", "变更记录缺少案件编号。", "the change names no case.")
	}
	if ch.At.IsZero() {
		return invalid("change_time", "at", "变更记录缺少发生时间。", "the change has no time.")
	}
	next := *c // shallow copy; slices are replaced, never mutated in place
	if ch.Action == caseflow.Receive {
		if c.Version != 0 {
			return bmerr.Newf(bmerr.Conflict, "case_exists", "案件 %s 已经收件，不能重复收件。", "case %s has already been received.", c.Number)
		}
		if err := receive(&next, ch, env); err != nil {
			return err
		}
	} else if c.Version == 0 {
		return bmerr.Newf(bmerr.NotFound, "case_unknown", "找不到该案件（%s）。", "case %s is not known here.", ch.CaseID)
	}
	if ch.CaseID != next.ID {
		return invalid("case_id", "case_id", "变更记录与案件不符。", "the change belongs to another case.")
	}

	status, err := caseflow.Transition(c.Status, ch.Action, ch.Actor.Role, ch.Actor.Level)
	if err != nil {
		return err
	}
	if err := caseflow.CheckMatter(next.Matter.Matter(), ch.Action, ch.Actor.Level); err != nil {
		return err
	}
	if err := checkStation(&next, ch); err != nil {
		return err
	}
	if err := centralWork(&next, ch, workcal.DateOf(ch.At)); err != nil {
		return err
	}
	day := workcal.DateOf(ch.At)
	if err := effects(&next, c.Status, status, ch, day, env); err != nil {
		return err
	}
	next.Status = status
	next.recomputeDue(env.Calendar)
	next.Version = c.Version + 1
	next.UpdatedAt = ch.At
	*c = next
	return nil
}

// checkStation keeps station actors to the cases they are party to.
func checkStation(c *Case, ch *Change) error {
	if ch.Actor.Level == catalog.Central {
		return nil
	}
	if ch.Actor.Station == "" {
		return invalid("actor_station", "actor.station", "变更记录未注明经办站点。", "the change does not name the actor's station.")
	}
	if !slices.Contains(c.Parties(), ch.Actor.Station) {
		return bmerr.Newf(bmerr.PermissionDenied, "foreign_case",
			"案件 %s 不属于站点 %s，不能操作。", "case %s does not belong to station %s.", c.Number, ch.Actor.Station)
	}
	// Once a proxy case is forwarded, the township decides it; the community
	// agent may still supplement, withdraw, deliver and record a rating.
	if c.HandlingStation != c.OriginStation && ch.Actor.Station == c.OriginStation {
		switch ch.Action {
		case caseflow.Accept, caseflow.RejectIntake, caseflow.RequestSupplement, caseflow.CloseOnSpot,
			caseflow.Grant, caseflow.Refuse, caseflow.Forward, caseflow.Suspend, caseflow.Resume,
			caseflow.ReturnForSupplement, caseflow.Extend:
			if ch.Action == caseflow.RequestSupplement && c.Status.State == caseflow.Received {
				return nil // the agent may tell the resident what is missing before forwarding
			}
			return bmerr.Newf(bmerr.PermissionDenied, "forwarded_case",
				"代办案件 %s 已转交 %s 办理，本站不能执行此操作。", "proxy case %s is handled by %s; this station cannot do that.",
				c.Number, c.HandlingStation)
		}
	}
	return nil
}

func receive(c *Case, ch *Change, env Env) error {
	in := ch.Intake
	if in == nil {
		return invalid("intake_missing", "intake", "收件记录缺少申请信息。", "a receive change must carry the application.")
	}
	if env.Catalog == nil {
		return bmerr.New(bmerr.Unavailable, "no_catalog", "本机尚无事项目录，请先同步。", "no catalog is loaded yet; sync first.")
	}
	m, ok := env.Catalog.Matter(in.Matter)
	if !ok {
		return invalid("matter_unknown", "intake.matter", "事项“%s”不在目录中。", "matter %q is not in the catalog.", in.Matter)
	}
	station, _, _, err := caseflow.ParseNumber(in.Number)
	if err != nil {
		return err
	}
	if ch.Actor.Level != catalog.Central && station != ch.Actor.Station {
		return invalid("number_station", "intake.number", "办件编号 %s 不是本站（%s）签发的。", "case number %s was not issued by this station (%s).", in.Number, ch.Actor.Station)
	}
	app, err := checkApplicant(in.Applicant, ch)
	if err != nil {
		return err
	}
	mats, err := checkMaterials(m, in.Materials)
	if err != nil {
		return err
	}
	mode := in.Mode // not defaulted in place: the change is kept as it was made
	if mode == "" {
		mode = WalkIn
	}
	if !slices.Contains(ServiceModes(), mode) {
		return invalid("mode_unknown", "intake.mode", "服务方式“%s”未知。", "service mode %q is unknown.", mode)
	}
	*c = Case{
		ID:              ch.CaseID,
		Number:          in.Number,
		Matter:          snapshot(m, env.Catalog.Version),
		OriginStation:   ch.Actor.Station,
		OriginLevel:     ch.Actor.Level,
		HandlingStation: ch.Actor.Station,
		Route:           caseflow.RouteFor(m, ch.Actor.Level),
		Applicant:       app,
		Mode:            mode,
		Materials:       mats,
		ReceivedAt:      ch.At,
		ReceivedOn:      workcal.DateOf(ch.At),
	}
	if c.Route.AcceptAt != ch.Actor.Level && ch.Actor.Level == catalog.Community {
		// a community agent collects for the township that accepts (帮办代办)
		p := in.Proxy
		if p == nil || strings.TrimSpace(p.ForwardTo) == "" {
			return invalid("proxy_missing", "intake.proxy", "本站不能受理“%s”，请填写代办信息并转交乡镇。",
				"this station cannot accept %q; fill in the proxy details and forward it to the township.", m.Name)
		}
		if strings.TrimSpace(p.Authorization) == "" {
			return invalid("proxy_authorization", "intake.proxy.authorization", "代办须有申请人的授权委托。", "a proxy application needs the applicant's authorisation.")
		}
		cp := *p
		cp.ForwardTo = strings.TrimSpace(cp.ForwardTo)
		if err := caseflow.ValidStationCode(cp.ForwardTo); err != nil {
			return err
		}
		c.Proxy = &cp
		c.HandlingStation = cp.ForwardTo
	} else if in.Proxy != nil {
		cp := *in.Proxy
		c.Proxy = &cp
	}
	return nil
}

// snapshot copies what the case keeps of m. It shares no memory with the
// catalog, so that editing the catalog later cannot reach into an open case.
func snapshot(m *catalog.Matter, version int) MatterSnapshot {
	s := MatterSnapshot{
		Code: m.Code, Name: m.Name, NameEn: m.NameEn, CatalogVersion: version,
		Department: m.Department, CoDepartments: slices.Clone(m.CoDepartments),
		Levels: catalog.Levels{
			Accept: slices.Clone(m.Levels.Accept), Decide: slices.Clone(m.Levels.Decide), Proxy: slices.Clone(m.Levels.Proxy),
		},
		Handling: m.Handling, Promised: m.PromisedLimit, SpecialProcedures: slices.Clone(m.SpecialProcedures),
		Materials: slices.Clone(m.Materials),
	}
	if m.LegalLimit != nil {
		l := *m.LegalLimit
		s.Legal = &l
	}
	if m.Workflow != nil {
		w := &catalog.Workflow{Stages: slices.Clone(m.Workflow.Stages)}
		for i := range w.Stages {
			st := &w.Stages[i]
			st.Steps = slices.Clone(st.Steps)
			st.Branches = slices.Clone(st.Branches)
			for j := range st.Branches {
				st.Branches[j].Steps = slices.Clone(st.Branches[j].Steps)
			}
		}
		s.Workflow = w
	}
	return s
}

func checkApplicant(a Applicant, ch *Change) (Applicant, error) {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return a, invalid("applicant_name", "applicant.name", "请填写申请人姓名或单位名称。", "enter the applicant's name.")
	}
	switch a.Kind {
	case Person, "":
		a.Kind = Person
		id, err := ident.ParseResidentID(a.IDNumber, ch.At)
		if err != nil {
			return a, err
		}
		a.IDNumber, a.Birth, a.Sex = id.Number, id.Birth, id.Sex
	case Organisation:
		cc, err := ident.ParseCreditCode(a.CreditCode)
		if err != nil {
			return a, err
		}
		a.CreditCode = cc.Number
		a.Birth, a.Sex = workcal.Date{}, "" // derived from a resident ID, which an organisation has not
	default:
		return a, invalid("applicant_kind", "applicant.kind", "申请人类型“%s”未知。", "applicant kind %q is unknown.", a.Kind)
	}
	if a.Phone != "" {
		p, err := ident.ParseMobile(a.Phone)
		if err != nil {
			return a, err
		}
		a.Phone = p
	}
	return a, nil
}

// checkMaterials returns one record per catalog material, in catalog order.
func checkMaterials(m *catalog.Matter, in []MaterialRecord) ([]MaterialRecord, error) {
	byCode := map[string]MaterialRecord{}
	for _, r := range in {
		mat, ok := m.Material(r.Code)
		if !ok {
			return nil, invalid("material_unknown", "materials", "材料“%s”不属于事项“%s”。", "material %q is not one of %q's materials.", r.Code, m.Name)
		}
		if _, dup := byCode[r.Code]; dup {
			return nil, invalid("material_duplicate", "materials", "材料“%s”重复登记。", "material %q is listed twice.", mat.Name)
		}
		if r.Deferred && mat.Necessity != catalog.Deferrable {
			return nil, invalid("material_not_deferrable", "materials", "“%s”不是容缺后补材料，不能后补。", "%q cannot be supplied later.", mat.Name)
		}
		if err := checkRecord(mat.Name, r); err != nil {
			return nil, err
		}
		r.Attachments = slices.Clone(r.Attachments)
		byCode[r.Code] = r
	}
	out := make([]MaterialRecord, 0, len(m.Materials))
	for _, mat := range m.Materials {
		r, ok := byCode[mat.Code]
		if !ok {
			r = MaterialRecord{Code: mat.Code}
		}
		out = append(out, r)
	}
	return out, nil
}

// checkRecord checks what the window recorded about one material, whatever
// the catalog says of it. name names the material in messages.
func checkRecord(name string, r MaterialRecord) error {
	if r.Copies < 0 {
		return invalid("material_copies", "materials", "“%s”的份数不能为负。", "copies of %q cannot be negative.", name)
	}
	for _, at := range r.Attachments {
		// The hash addresses the scan in the blob store: it must be exactly that.
		if len(at.SHA256) != 64 || strings.Trim(at.SHA256, "0123456789abcdef") != "" {
			return invalid("attachment_hash", "materials", "“%s”的附件校验值无效。", "an attachment of %q has no valid SHA-256.", name)
		}
	}
	return nil
}

// MissingForAcceptance lists the materials that stop a case being accepted:
// required ones not received, and deferrable ones neither received nor
// marked to be supplied later.
func MissingForAcceptance(m *catalog.Matter, recs []MaterialRecord) []catalog.Material {
	got := map[string]MaterialRecord{}
	for _, r := range recs {
		got[r.Code] = r
	}
	var missing []catalog.Material
	for _, mat := range m.Materials {
		r := got[mat.Code]
		switch mat.Necessity {
		case catalog.Required:
			if !r.Received {
				missing = append(missing, mat)
			}
		case catalog.Deferrable:
			if !r.Received && !r.Deferred {
				missing = append(missing, mat)
			}
		}
	}
	return missing
}

func effects(c *Case, from, to caseflow.Status, ch *Change, day workcal.Date, env Env) error {
	switch ch.Action {
	case caseflow.Receive:
	case caseflow.RequestSupplement, caseflow.ReturnForSupplement:
		if ch.Notice == nil || len(ch.Notice.Items) == 0 {
			return invalid("notice_items", "notice.items", "一次性告知须列明全部缺少或需补正的材料。", "a one-time notice must list everything that is missing.")
		}
		c.Notice = cloneNotice(ch.Notice)
		if ch.Action == caseflow.ReturnForSupplement {
			c.StoppedOn = day
		}
	case caseflow.Supplement:
		mats, err := mergeMaterials(c, ch.Materials)
		if err != nil {
			return err
		}
		c.Materials = mats
		if from.State == caseflow.Returned {
			c.closeStop(day)
		}
	case caseflow.RejectIntake:
		if err := needReasons(ch.Notice, "不予受理"); err != nil {
			return err
		}
		c.Notice = cloneNotice(ch.Notice)
		c.ClosedOn = day
	case caseflow.Accept:
		// Judged by the materials the case was received under (its snapshot),
		// so a station on an older catalog and central always agree.
		if missing := MissingForAcceptance(c.Matter.Matter(), c.Materials); len(missing) > 0 {
			names := make([]string, len(missing))
			for i, m := range missing {
				names[i] = m.Name
			}
			return bmerr.Newf(bmerr.FailedPrecondition, "materials_missing",
				"材料不齐，不能受理：%s。请出具一次性告知书。", "materials are missing, so the case cannot be accepted: %s. Give a one-time notice instead.",
				strings.Join(names, "、"))
		}
		c.AcceptedOn = day
	case caseflow.Forward:
	case caseflow.CloseOnSpot:
		if c.AcceptedOn.IsZero() {
			c.AcceptedOn = day
		}
		c.Decision = &Decision{Result: caseflow.Granted, By: ch.Actor, On: day}
		if ch.Decision != nil {
			c.Decision.Certificate = ch.Decision.Certificate
		}
		c.DecidedOn, c.ClosedOn = day, day
	case caseflow.Grant, caseflow.Refuse:
		d := Decision{Result: to.Result, By: ch.Actor, On: day}
		if ch.Decision != nil {
			d.Reasons, d.Remedies, d.Certificate = slices.Clone(ch.Decision.Reasons), slices.Clone(ch.Decision.Remedies), ch.Decision.Certificate
		}
		if ch.Action == caseflow.Refuse {
			if err := needReasons(&Notice{Reasons: d.Reasons, Remedies: d.Remedies}, "不予许可"); err != nil {
				return err
			}
		}
		c.Decision, c.DecidedOn = &d, day
	case caseflow.Suspend:
		s := ch.Suspension
		if s == nil || s.Procedure == "" {
			return invalid("suspension_procedure", "suspension.procedure", "挂起须注明特别程序。", "a suspension must name the special procedure.")
		}
		if !slices.Contains(c.Matter.SpecialProcedures, s.Procedure) {
			return invalid("suspension_procedure", "suspension.procedure", "事项“%s”没有“%s”特别程序。", "matter %q has no %q special procedure.",
				c.Matter.Name, s.Procedure.Label("zh"))
		}
		if s.ExpectedDays <= 0 {
			return invalid("suspension_days", "suspension.expected_days", "请填写特别程序预计所需天数，以告知申请人。", "enter the expected duration to tell the applicant.")
		}
		cp := *s
		c.Suspension, c.StoppedOn = &cp, day
	case caseflow.Resume:
		c.closeStop(day)
		c.Suspension = nil
	case caseflow.Extend:
		e := ch.Extension
		if e == nil || strings.TrimSpace(e.Reason) == "" || strings.TrimSpace(e.Approver) == "" {
			return invalid("extension_reason", "extension", "延期须写明理由和批准人，并告知申请人。", "an extension needs a reason and the approver's name.")
		}
		if e.Days != ExtensionDays {
			return invalid("extension_days", "extension.days", "延期只能为 %d 个工作日。", "an extension is exactly %d working days.", ExtensionDays)
		}
		cp := *e
		c.Extension = &cp
	case caseflow.Deliver:
		d := ch.Delivery
		if d == nil || !slices.Contains([]DeliveryMethod{AtWindow, ByPost, Electronic}, d.Method) {
			return invalid("delivery_method", "delivery.method", "请选择送达方式（窗口领取、邮寄或电子送达）。", "choose how the result was delivered (window, post or electronic).")
		}
		cp := *d
		cp.On = day
		c.Delivery, c.ClosedOn = &cp, day
	case caseflow.Withdraw:
		if strings.TrimSpace(ch.Note) == "" {
			return invalid("withdraw_reason", "note", "撤回须注明原因（如申请人申请撤回、逾期未补正）。", "a withdrawal needs a reason.")
		}
		c.ClosedOn = day
		if !c.StoppedOn.IsZero() {
			c.closeStop(day)
		}
		c.Suspension = nil
	case caseflow.Rate:
		r := ch.Rating
		if r == nil || r.Level < 1 || r.Level > 5 {
			return invalid("rating_level", "rating.level", "评价等级应为 1 到 5。", "the rating must be from 1 to 5.")
		}
		cp := *r
		cp.On = day
		c.Rating = &cp
	case caseflow.Warn:
		w := ch.Warning
		if w == nil || !slices.Contains([]WarningLevel{Reminder, Yellow, Red}, w.Level) {
			return invalid("warning_level", "warning.level", "预警级别无效。", "the warning level is not valid.")
		}
		for _, old := range c.Warnings {
			if old.Level == w.Level && old.Scope == w.Scope {
				return bmerr.New(bmerr.Conflict, "warning_duplicate", "该预警已发出过。", "this warning was already raised.")
			}
		}
		cp := *w
		cp.Raised = day
		c.Warnings = append(slices.Clone(c.Warnings), cp)
	case caseflow.Advance, caseflow.StartParallel, caseflow.FinishParallel:
		if ch.Action == caseflow.Advance && ch.Step == nil {
			return invalid("step_missing", "step", "请注明完成的审批环节。", "name the workflow step that was finished.")
		}
		if ch.Step != nil {
			c.Steps = append(slices.Clone(c.Steps), *ch.Step)
		}
	default:
		return invalid("action_unknown", "action", "未知操作“%s”。", "unknown action %q.", ch.Action)
	}
	return nil
}

func needReasons(n *Notice, what string) error {
	if n == nil || len(nonEmpty(n.Reasons)) == 0 || len(nonEmpty(n.Remedies)) == 0 {
		return invalid("reasons_required", "notice", "%s须写明理由，并告知申请人依法申请复议或提起诉讼的权利。",
			"a decision of %s needs written reasons and the applicant's remedies (review or lawsuit).", what)
	}
	return nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func cloneNotice(n *Notice) *Notice {
	return &Notice{Items: slices.Clone(n.Items), Reasons: slices.Clone(n.Reasons), Remedies: slices.Clone(n.Remedies)}
}

func mergeMaterials(c *Case, upd []MaterialRecord) ([]MaterialRecord, error) {
	if len(upd) == 0 {
		return nil, invalid("supplement_empty", "materials", "补正须登记补交的材料。", "a supplement must record the materials handed in.")
	}
	out := slices.Clone(c.Materials)
	seen := map[string]bool{}
	for _, u := range upd {
		i := slices.IndexFunc(out, func(r MaterialRecord) bool { return r.Code == u.Code })
		if i < 0 {
			return nil, invalid("material_unknown", "materials", "材料“%s”不属于本事项。", "material %q is not one of this matter's.", u.Code)
		}
		if seen[u.Code] {
			return nil, invalid("material_duplicate", "materials", "材料“%s”重复登记。", "material %q is listed twice.", u.Code)
		}
		seen[u.Code] = true
		if err := checkRecord(u.Code, u); err != nil {
			return nil, err
		}
		u.Attachments = slices.Clone(u.Attachments)
		out[i] = u
	}
	return out, nil
}

func (c *Case) closeStop(day workcal.Date) {
	if c.StoppedOn.IsZero() {
		return
	}
	c.Stopped = append(slices.Clone(c.Stopped), workcal.Span{From: c.StoppedOn, To: day})
	c.StoppedOn = workcal.Date{}
}

// recomputeDue sets the due dates from acceptance, stops and extension. While
// the clock is stopped the due date is unknown and left zero.
func (c *Case) recomputeDue(cal *workcal.Calendar) {
	if c.AcceptedOn.IsZero() || cal == nil {
		return
	}
	if !c.StoppedOn.IsZero() {
		c.DueOn, c.LegalDueOn = workcal.Date{}, workcal.Date{}
		return
	}
	ext := 0
	if c.Extension != nil {
		ext = c.Extension.Days
	}
	c.DueOn = cal.Due(c.AcceptedOn, c.Matter.Promised, c.Stopped, ext)
	if c.Matter.Legal != nil {
		c.LegalDueOn = cal.Due(c.AcceptedOn, *c.Matter.Legal, c.Stopped, ext)
	}
}
