package wire

// The sub-messages, one pair of functions each. FromWire functions read
// through the generated getters, which return zero values on a nil
// receiver, so a nil sub-message (or a nil element of a repeated field set
// from Go) can never panic.

import (
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
)

func actorToWire(a *casefile.Actor) *syncv1.Actor {
	return &syncv1.Actor{
		User:       a.User,
		Name:       a.Name,
		Role:       string(a.Role),
		Level:      string(a.Level),
		Station:    a.Station,
		Department: a.Department,
	}
}

func actorFromWire(w *syncv1.Actor) casefile.Actor {
	return casefile.Actor{
		User:       w.GetUser(),
		Name:       w.GetName(),
		Role:       caseflow.Role(w.GetRole()),
		Level:      catalog.Level(w.GetLevel()),
		Station:    w.GetStation(),
		Department: w.GetDepartment(),
	}
}

func applicantToWire(a *casefile.Applicant) *syncv1.Applicant {
	return &syncv1.Applicant{
		Kind:       string(a.Kind),
		Name:       a.Name,
		IdNumber:   a.IDNumber,
		CreditCode: a.CreditCode,
		Phone:      a.Phone,
		Address:    a.Address,
		Birth:      dateToWire(a.Birth),
		Sex:        string(a.Sex),
	}
}

func applicantFromWire(w *syncv1.Applicant) (casefile.Applicant, error) {
	birth, err := dateFromWire("birth", w.GetBirth())
	if err != nil {
		return casefile.Applicant{}, err
	}
	return casefile.Applicant{
		Kind:       casefile.ApplicantKind(w.GetKind()),
		Name:       w.GetName(),
		IDNumber:   w.GetIdNumber(),
		CreditCode: w.GetCreditCode(),
		Phone:      w.GetPhone(),
		Address:    w.GetAddress(),
		Birth:      birth,
		Sex:        ident.Sex(w.GetSex()),
	}, nil
}

func proxyToWire(p *casefile.Proxy) *syncv1.Proxy {
	return &syncv1.Proxy{
		AgentUser:     p.AgentUser,
		AgentName:     p.AgentName,
		AgentPhone:    p.AgentPhone,
		Authorization: p.Authorization,
		ForwardTo:     p.ForwardTo,
	}
}

func proxyFromWire(w *syncv1.Proxy) *casefile.Proxy {
	return &casefile.Proxy{
		AgentUser:     w.GetAgentUser(),
		AgentName:     w.GetAgentName(),
		AgentPhone:    w.GetAgentPhone(),
		Authorization: w.GetAuthorization(),
		ForwardTo:     w.GetForwardTo(),
	}
}

func attachmentToWire(a *casefile.Attachment) *syncv1.Attachment {
	return &syncv1.Attachment{Sha256: a.SHA256, Name: a.Name, Mime: a.MIME, Size: a.Size}
}

func attachmentFromWire(w *syncv1.Attachment) casefile.Attachment {
	return casefile.Attachment{SHA256: w.GetSha256(), Name: w.GetName(), MIME: w.GetMime(), Size: w.GetSize()}
}

func materialToWire(m *casefile.MaterialRecord) *syncv1.MaterialRecord {
	return &syncv1.MaterialRecord{
		Code:        m.Code,
		Received:    m.Received,
		Original:    m.Original,
		Copies:      int32Of(m.Copies),
		Deferred:    m.Deferred,
		Attachments: messagesToWire(m.Attachments, attachmentToWire),
	}
}

func materialFromWire(w *syncv1.MaterialRecord) casefile.MaterialRecord {
	return casefile.MaterialRecord{
		Code:        w.GetCode(),
		Received:    w.GetReceived(),
		Original:    w.GetOriginal(),
		Copies:      int(w.GetCopies()),
		Deferred:    w.GetDeferred(),
		Attachments: messagesFromWire(w.GetAttachments(), attachmentFromWire),
	}
}

func missingItemToWire(m *casefile.MissingItem) *syncv1.MissingItem {
	return &syncv1.MissingItem{Material: m.Material, Name: m.Name, Note: m.Note}
}

func missingItemFromWire(w *syncv1.MissingItem) casefile.MissingItem {
	return casefile.MissingItem{Material: w.GetMaterial(), Name: w.GetName(), Note: w.GetNote()}
}

func noticeToWire(n *casefile.Notice) *syncv1.Notice {
	return &syncv1.Notice{
		Items:    messagesToWire(n.Items, missingItemToWire),
		Reasons:  stringsToWire(n.Reasons),
		Remedies: stringsToWire(n.Remedies),
	}
}

func noticeFromWire(w *syncv1.Notice) *casefile.Notice {
	return &casefile.Notice{
		Items:    messagesFromWire(w.GetItems(), missingItemFromWire),
		Reasons:  stringsFromWire[string](w.GetReasons()),
		Remedies: stringsFromWire[string](w.GetRemedies()),
	}
}

func decisionToWire(d *casefile.Decision) *syncv1.Decision {
	return &syncv1.Decision{
		Result:      string(d.Result),
		Reasons:     stringsToWire(d.Reasons),
		Remedies:    stringsToWire(d.Remedies),
		Certificate: d.Certificate,
		By:          actorToWire(&d.By),
		On:          dateToWire(d.On),
	}
}

func decisionFromWire(w *syncv1.Decision) (*casefile.Decision, error) {
	on, err := dateFromWire("on", w.GetOn())
	if err != nil {
		return nil, err
	}
	return &casefile.Decision{
		Result:      caseflow.Result(w.GetResult()),
		Reasons:     stringsFromWire[string](w.GetReasons()),
		Remedies:    stringsFromWire[string](w.GetRemedies()),
		Certificate: w.GetCertificate(),
		By:          actorFromWire(w.GetBy()),
		On:          on,
	}, nil
}

func suspensionToWire(s *casefile.Suspension) *syncv1.Suspension {
	return &syncv1.Suspension{Procedure: string(s.Procedure), ExpectedDays: int32Of(s.ExpectedDays), Note: s.Note}
}

func suspensionFromWire(w *syncv1.Suspension) *casefile.Suspension {
	return &casefile.Suspension{
		Procedure:    catalog.Procedure(w.GetProcedure()),
		ExpectedDays: int(w.GetExpectedDays()),
		Note:         w.GetNote(),
	}
}

func extensionToWire(e *casefile.Extension) *syncv1.Extension {
	return &syncv1.Extension{Days: int32Of(e.Days), Reason: e.Reason, Approver: e.Approver}
}

func extensionFromWire(w *syncv1.Extension) *casefile.Extension {
	return &casefile.Extension{Days: int(w.GetDays()), Reason: w.GetReason(), Approver: w.GetApprover()}
}

func deliveryToWire(d *casefile.Delivery) *syncv1.Delivery {
	return &syncv1.Delivery{Method: string(d.Method), Note: d.Note, On: dateToWire(d.On)}
}

func deliveryFromWire(w *syncv1.Delivery) (*casefile.Delivery, error) {
	on, err := dateFromWire("on", w.GetOn())
	if err != nil {
		return nil, err
	}
	return &casefile.Delivery{Method: casefile.DeliveryMethod(w.GetMethod()), Note: w.GetNote(), On: on}, nil
}

func ratingToWire(r *casefile.Rating) *syncv1.Rating {
	return &syncv1.Rating{Level: int32Of(r.Level), Comment: r.Comment, Named: r.Named, On: dateToWire(r.On)}
}

func ratingFromWire(w *syncv1.Rating) (*casefile.Rating, error) {
	on, err := dateFromWire("on", w.GetOn())
	if err != nil {
		return nil, err
	}
	return &casefile.Rating{Level: int(w.GetLevel()), Comment: w.GetComment(), Named: w.GetNamed(), On: on}, nil
}

func warningToWire(x *casefile.Warning) *syncv1.Warning {
	return &syncv1.Warning{
		Level:  string(x.Level),
		Scope:  x.Scope,
		Reason: x.Reason,
		Due:    dateToWire(x.Due),
		Raised: dateToWire(x.Raised),
	}
}

func warningFromWire(w *syncv1.Warning) (casefile.Warning, error) {
	due, err := dateFromWire("due", w.GetDue())
	if err != nil {
		return casefile.Warning{}, err
	}
	raised, err := dateFromWire("raised", w.GetRaised())
	if err != nil {
		return casefile.Warning{}, err
	}
	return casefile.Warning{
		Level:  casefile.WarningLevel(w.GetLevel()),
		Scope:  w.GetScope(),
		Reason: w.GetReason(),
		Due:    due,
		Raised: raised,
	}, nil
}

func stepToWire(s *casefile.StepInput) *syncv1.StepInput {
	return &syncv1.StepInput{
		Stage:      int32Of(s.Stage),
		Department: s.Department,
		Step:       string(s.Step),
		Approve:    s.Approve,
		Opinion:    s.Opinion,
	}
}

func stepFromWire(w *syncv1.StepInput) casefile.StepInput {
	return casefile.StepInput{
		Stage:      int(w.GetStage()),
		Department: w.GetDepartment(),
		Step:       catalog.Step(w.GetStep()),
		Approve:    w.GetApprove(),
		Opinion:    w.GetOpinion(),
	}
}

func intakeToWire(in *casefile.Intake) *syncv1.Intake {
	w := &syncv1.Intake{
		Number:    in.Number,
		Matter:    in.Matter,
		Applicant: applicantToWire(&in.Applicant),
		Mode:      string(in.Mode),
		Materials: messagesToWire(in.Materials, materialToWire),
	}
	if in.Proxy != nil {
		w.Proxy = proxyToWire(in.Proxy)
	}
	return w
}

func intakeFromWire(w *syncv1.Intake) (*casefile.Intake, error) {
	applicant, err := applicantFromWire(w.GetApplicant())
	if err != nil {
		return nil, within("applicant", err)
	}
	in := &casefile.Intake{
		Number:    w.GetNumber(),
		Matter:    w.GetMatter(),
		Applicant: applicant,
		Mode:      casefile.ServiceMode(w.GetMode()),
		Materials: messagesFromWire(w.GetMaterials(), materialFromWire),
	}
	if x := w.GetProxy(); x != nil {
		in.Proxy = proxyFromWire(x)
	}
	return in, nil
}

func spanToWire(s *workcal.Span) *syncv1.Span {
	return &syncv1.Span{From: dateToWire(s.From), To: dateToWire(s.To)}
}

func spanFromWire(w *syncv1.Span) (workcal.Span, error) {
	from, err := dateFromWire("from", w.GetFrom())
	if err != nil {
		return workcal.Span{}, err
	}
	to, err := dateFromWire("to", w.GetTo())
	if err != nil {
		return workcal.Span{}, err
	}
	return workcal.Span{From: from, To: to}, nil
}

func limitToWire(l *workcal.Limit) *syncv1.Limit {
	return &syncv1.Limit{N: int32Of(l.N), Unit: string(l.Unit)}
}

func limitFromWire(w *syncv1.Limit) workcal.Limit {
	return workcal.Limit{N: int(w.GetN()), Unit: workcal.Unit(w.GetUnit())}
}

func statusToWire(s *caseflow.Status) *syncv1.Status {
	return &syncv1.Status{
		State:    string(s.State),
		Prior:    string(s.Prior),
		Result:   string(s.Result),
		Extended: s.Extended,
		Rated:    s.Rated,
	}
}

func statusFromWire(w *syncv1.Status) caseflow.Status {
	return caseflow.Status{
		State:    caseflow.State(w.GetState()),
		Prior:    caseflow.State(w.GetPrior()),
		Result:   caseflow.Result(w.GetResult()),
		Extended: w.GetExtended(),
		Rated:    w.GetRated(),
	}
}

func branchToWire(b *catalog.Branch) *syncv1.Branch {
	return &syncv1.Branch{Department: b.Department, Steps: stringsToWire(b.Steps), Days: int32Of(b.Days)}
}

func branchFromWire(w *syncv1.Branch) catalog.Branch {
	return catalog.Branch{
		Department: w.GetDepartment(),
		Steps:      stringsFromWire[catalog.Step](w.GetSteps()),
		Days:       int(w.GetDays()),
	}
}

func stageToWire(s *catalog.Stage) *syncv1.Stage {
	return &syncv1.Stage{
		Kind:       string(s.Kind),
		Department: s.Department,
		Steps:      stringsToWire(s.Steps),
		Branches:   messagesToWire(s.Branches, branchToWire),
		Rule:       string(s.Rule),
		Days:       int32Of(s.Days),
	}
}

func stageFromWire(w *syncv1.Stage) catalog.Stage {
	return catalog.Stage{
		Kind:       catalog.StageKind(w.GetKind()),
		Department: w.GetDepartment(),
		Steps:      stringsFromWire[catalog.Step](w.GetSteps()),
		Branches:   messagesFromWire(w.GetBranches(), branchFromWire),
		Rule:       catalog.CompletionRule(w.GetRule()),
		Days:       int(w.GetDays()),
	}
}

func matterToWire(m *casefile.MatterSnapshot) *syncv1.MatterSnapshot {
	w := &syncv1.MatterSnapshot{
		Code:           m.Code,
		Name:           m.Name,
		NameEn:         m.NameEn,
		CatalogVersion: int32Of(m.CatalogVersion),
		Department:     m.Department,
		CoDepartments:  stringsToWire(m.CoDepartments),
		Levels: &syncv1.Levels{
			Accept: stringsToWire(m.Levels.Accept),
			Decide: stringsToWire(m.Levels.Decide),
			Proxy:  stringsToWire(m.Levels.Proxy),
		},
		Handling:          string(m.Handling),
		Promised:          limitToWire(&m.Promised),
		SpecialProcedures: stringsToWire(m.SpecialProcedures),
	}
	if m.Legal != nil {
		w.Legal = limitToWire(m.Legal)
	}
	if m.Workflow != nil {
		w.Workflow = &syncv1.Workflow{Stages: messagesToWire(m.Workflow.Stages, stageToWire)}
	}
	w.Materials = messagesToWire(m.Materials, catalogMaterialToWire)
	return w
}

func catalogMaterialToWire(m *catalog.Material) *syncv1.Material {
	return &syncv1.Material{
		Code: m.Code, Name: m.Name, NameEn: m.NameEn, Type: string(m.Type), Source: string(m.Source),
		Necessity: string(m.Necessity), Form: string(m.Form),
		Originals: int32Of(m.Originals), Copies: int32Of(m.Copies), Note: m.Note,
	}
}

func catalogMaterialFromWire(w *syncv1.Material) catalog.Material {
	return catalog.Material{
		Code: w.GetCode(), Name: w.GetName(), NameEn: w.GetNameEn(), Type: catalog.MaterialType(w.GetType()),
		Source: catalog.Source(w.GetSource()), Necessity: catalog.Necessity(w.GetNecessity()), Form: catalog.MaterialForm(w.GetForm()),
		Originals: int(w.GetOriginals()), Copies: int(w.GetCopies()), Note: w.GetNote(),
	}
}

func matterFromWire(w *syncv1.MatterSnapshot) casefile.MatterSnapshot {
	m := casefile.MatterSnapshot{
		Code:           w.GetCode(),
		Name:           w.GetName(),
		NameEn:         w.GetNameEn(),
		CatalogVersion: int(w.GetCatalogVersion()),
		Department:     w.GetDepartment(),
		CoDepartments:  stringsFromWire[string](w.GetCoDepartments()),
		Levels: catalog.Levels{
			Accept: stringsFromWire[catalog.Level](w.GetLevels().GetAccept()),
			Decide: stringsFromWire[catalog.Level](w.GetLevels().GetDecide()),
			Proxy:  stringsFromWire[catalog.Level](w.GetLevels().GetProxy()),
		},
		Handling:          catalog.HandlingType(w.GetHandling()),
		Promised:          limitFromWire(w.GetPromised()),
		SpecialProcedures: stringsFromWire[catalog.Procedure](w.GetSpecialProcedures()),
	}
	if x := w.GetLegal(); x != nil {
		l := limitFromWire(x)
		m.Legal = &l
	}
	if x := w.GetWorkflow(); x != nil {
		m.Workflow = &catalog.Workflow{Stages: messagesFromWire(x.GetStages(), stageFromWire)}
	}
	m.Materials = messagesFromWire(w.GetMaterials(), catalogMaterialFromWire)
	return m
}

func pipelineToWire(p *casefile.Pipeline) *syncv1.Pipeline {
	return &syncv1.Pipeline{
		Stage:    int32Of(p.Stage),
		Step:     int32Of(p.Step),
		Started:  dateToWire(p.Started),
		Branches: messagesToWire(p.Branches, branchStateToWire),
	}
}

func branchStateToWire(b *casefile.BranchState) *syncv1.BranchState {
	return &syncv1.BranchState{Department: b.Department, Step: int32Of(b.Step), Done: b.Done, Agree: b.Agree, Opinion: b.Opinion, DoneOn: dateToWire(b.DoneOn)}
}

func pipelineFromWire(w *syncv1.Pipeline) (*casefile.Pipeline, error) {
	p := &casefile.Pipeline{Stage: int(w.GetStage()), Step: int(w.GetStep())}
	var err error
	if p.Started, err = dateFromWire("started", w.GetStarted()); err != nil {
		return nil, err
	}
	p.Branches, err = messagesFromWireErr("branches", w.GetBranches(), branchStateFromWire)
	return p, err
}

func branchStateFromWire(w *syncv1.BranchState) (casefile.BranchState, error) {
	b := casefile.BranchState{Department: w.GetDepartment(), Step: int(w.GetStep()), Done: w.GetDone(), Agree: w.GetAgree(), Opinion: w.GetOpinion()}
	var err error
	b.DoneOn, err = dateFromWire("done_on", w.GetDoneOn())
	return b, err
}
