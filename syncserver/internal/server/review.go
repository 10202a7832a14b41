package server

import (
	"context"
	"slices"
	"strings"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/supervise"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

type reviewService struct{ *Server }

// departments returns every department that works on or supervises c.
func departments(c *casefile.Case) []string {
	out := []string{c.Matter.Department}
	out = append(out, c.Matter.CoDepartments...)
	if wf := c.Matter.Workflow; wf != nil {
		for _, st := range wf.Stages {
			out = append(out, st.Department)
			for _, b := range st.Branches {
				out = append(out, b.Department)
			}
		}
	}
	return out
}

// canSee reports whether u may see c: an admin sees every case, a
// department's staff the cases their department works on.
func canSee(u store.User, c *casefile.Case) bool {
	return u.Role == caseflow.Admin || slices.Contains(departments(c), u.Department)
}

func (s *reviewService) visibleCase(ctx context.Context, id string) (*casefile.Case, error) {
	cid, err := uuid.Parse(id)
	notFound := bmerr.New(bmerr.NotFound, "case_unknown", "没有找到该案件，或本部门无权查看。", "no such case, or not one your department may see.")
	if err != nil {
		return nil, notFound
	}
	c, err := s.store.Case(ctx, cid)
	if bmerr.CodeOf(err) == bmerr.NotFound {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	if !canSee(userFrom(ctx), c) {
		return nil, notFound
	}
	return c, nil
}

func (s *reviewService) Inbox(ctx context.Context, req *connect.Request[centralv1.InboxRequest]) (*connect.Response[centralv1.InboxResponse], error) {
	u := userFrom(ctx)
	dept := u.Department
	if u.Role == caseflow.Admin {
		dept = req.Msg.Department
	} else if req.Msg.Department != "" && req.Msg.Department != u.Department {
		return nil, bmerr.New(bmerr.PermissionDenied, "other_department", "只能查看本部门的待办。", "you may only see your own department's inbox.")
	}
	if dept == "" {
		return nil, bmerr.New(bmerr.Invalid, "department_missing", "请选择部门。", "choose a department.")
	}
	env, err := s.Env(ctx)
	if err != nil {
		return nil, err
	}
	limit := int(req.Msg.Limit)
	if limit <= 0 || limit > 2000 {
		limit = 500
	}
	cases, err := s.store.DepartmentCases(ctx, dept, 5000)
	if err != nil {
		return nil, err
	}
	today := workcal.DateOf(s.now())
	resp := &centralv1.InboxResponse{}
	// Handlers, reviewers and approvers see their own step unless they ask
	// for the whole department; heads and admins see every step.
	var ownStepOnly caseflow.Role
	if !req.Msg.AllSteps && (u.Role == caseflow.Handler || u.Role == caseflow.Reviewer || u.Role == caseflow.Approver) {
		ownStepOnly = u.Role
	}
	var items []*centralv1.InboxItem
	for _, c := range cases {
		var task *casefile.Task
		for _, t := range c.Tasks(env.calendar) {
			if t.Department == dept && (ownStepOnly == "" || casefile.StepRole(t.Step) == ownStepOnly) {
				task = &t
				break
			}
		}
		escalated := u.Role == caseflow.Head && c.Matter.Department == dept && !c.IsClosed() && supervise.Escalated(c, s.rules)
		if task == nil && !escalated {
			continue
		}
		it := &centralv1.InboxItem{CaseId: c.ID.String(), Number: c.Number, Matter: c.Matter.Code, MatterName: c.Matter.Name,
			Applicant: ident.MaskName(c.Applicant.Name), CaseDue: dateStr(c.DueOn), LegalDue: dateStr(c.LegalDueOn),
			Warning: string(c.TopWarning()), Escalated: escalated, State: string(c.Status.State), Station: c.HandlingStation}
		due := c.DueOn
		if task != nil {
			it.Step, it.Parallel, it.Decides = string(task.Step), task.Parallel, task.Decides
			if !task.Due.IsZero() {
				due = task.Due
			}
		}
		it.Due = dateStr(due)
		if !due.IsZero() {
			it.DaysLeft = int32(env.calendar.WorkdaysBetween(today, due))
		}
		switch casefile.WarningLevel(it.Warning) {
		case casefile.Reminder:
			resp.Reminder++
		case casefile.Yellow:
			resp.Yellow++
		case casefile.Red:
			resp.Red++
		}
		if w := req.Msg.Warning; w != "" && !(w == "none" && it.Warning == "") && w != it.Warning {
			continue
		}
		items = append(items, it)
	}
	slices.SortStableFunc(items, func(a, b *centralv1.InboxItem) int {
		switch {
		case a.Due == b.Due:
			return strings.Compare(a.Number, b.Number)
		case a.Due == "":
			return 1
		case b.Due == "":
			return -1
		}
		return strings.Compare(a.Due, b.Due)
	})
	resp.Total = int32(len(items))
	if len(items) > limit {
		items = items[:limit]
	}
	resp.Items = items
	return connect.NewResponse(resp), nil
}

func dateStr(d workcal.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// masked returns c's wire form with the applicant's identifiers masked.
func masked(c *casefile.Case) *syncv1.Case {
	w := wire.CaseToWire(c)
	a := w.Applicant
	if a != nil {
		a.IdNumber, a.Phone, a.CreditCode = ident.MaskID(a.IdNumber), ident.MaskPhone(a.Phone), ident.MaskCreditCode(a.CreditCode)
	}
	if p := w.Proxy; p != nil {
		p.AgentPhone = ident.MaskPhone(p.AgentPhone)
	}
	return w
}

func (s *reviewService) GetCase(ctx context.Context, req *connect.Request[centralv1.GetCaseRequest]) (*connect.Response[centralv1.GetCaseResponse], error) {
	c, err := s.visibleCase(ctx, req.Msg.CaseId)
	if err != nil {
		return nil, err
	}
	env, err := s.Env(ctx)
	if err != nil {
		return nil, err
	}
	hist, err := s.store.Changes(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	resp := &centralv1.GetCaseResponse{Case: masked(c)}
	for _, h := range hist {
		w := &syncv1.Change{}
		if err := proto.Unmarshal(h.Body, w); err != nil {
			return nil, err
		}
		if w.Intake != nil && w.Intake.Applicant != nil { // history shows no more than the case does
			a := w.Intake.Applicant
			a.IdNumber, a.Phone, a.CreditCode = ident.MaskID(a.IdNumber), ident.MaskPhone(a.Phone), ident.MaskCreditCode(a.CreditCode)
		}
		resp.History = append(resp.History, &centralv1.HistoryEntry{Seq: h.Seq, Change: w, AppliedAt: timestamppb.New(h.AppliedAt), CaseVersion: h.CaseVersion})
	}
	for _, t := range c.Tasks(env.calendar) {
		resp.Tasks = append(resp.Tasks, &centralv1.Task{Stage: int32(t.Stage), Department: t.Department, Step: string(t.Step),
			Parallel: t.Parallel, Decides: t.Decides, Due: dateStr(t.Due)})
	}
	u := userFrom(ctx)
	for _, a := range caseflow.Actions(c.Status, u.Role, catalog.Central) {
		resp.Actions = append(resp.Actions, string(a))
	}
	return connect.NewResponse(resp), nil
}

func (s *reviewService) Unmask(ctx context.Context, req *connect.Request[centralv1.UnmaskRequest]) (*connect.Response[centralv1.UnmaskResponse], error) {
	reason := strings.TrimSpace(req.Msg.Reason)
	if reason == "" {
		return nil, bmerr.New(bmerr.Invalid, "unmask_reason", "查看完整个人信息须说明理由，该操作会被记录。", "state why you need the full personal data; the view is recorded.")
	}
	c, err := s.visibleCase(ctx, req.Msg.CaseId)
	if err != nil {
		return nil, err
	}
	u := userFrom(ctx)
	if err := s.store.AppendAudit(ctx, audit.Entry{At: s.now(), Actor: u.Username, Kind: audit.Unmask, Subject: c.ID.String(), Detail: reason}); err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.UnmaskResponse{IdNumber: c.Applicant.IDNumber, Phone: c.Applicant.Phone, CreditCode: c.Applicant.CreditCode}), nil
}

// Act applies a central user's change, exactly once, with the engine's
// follow-ups, in one transaction, and audits it.
func (s *reviewService) Act(ctx context.Context, req *connect.Request[centralv1.ActRequest]) (*connect.Response[centralv1.ActResponse], error) {
	u := userFrom(ctx)
	if u.Role == caseflow.Admin {
		return nil, bmerr.New(bmerr.PermissionDenied, "admin_no_case_actions", "管理员不办理案件。", "admins take no case actions.")
	}
	ch, err := wire.ChangeFromWire(req.Msg.Change)
	if err != nil {
		return nil, err
	}
	c, err := s.visibleCase(ctx, ch.CaseID.String())
	if err != nil {
		return nil, err
	}
	_ = c
	now := s.now()
	ch.Actor = casefile.Actor{User: u.Username, Name: u.Name, Role: u.Role, Level: catalog.Central, Department: u.Department}
	ch.At = now
	env, err := s.Env(ctx)
	if err != nil {
		return nil, err
	}
	body, err := proto.Marshal(wire.ChangeToWire(ch))
	if err != nil {
		return nil, err
	}
	var out *casefile.Case
	already := false
	err = s.store.Update(ctx, func(tx store.Tx) error {
		seen, err := tx.Outcomes([]uuid.UUID{ch.ID})
		if err != nil {
			return err
		}
		if o, ok := seen[ch.ID]; ok {
			if !o.Applied {
				return &bmerr.Error{Code: bmerr.Code(o.Code), Reason: o.Reason, Zh: o.MessageZh, En: o.MessageEn}
			}
			already = true
			cs, err := tx.LoadCases([]uuid.UUID{ch.CaseID})
			out = cs[ch.CaseID]
			return err
		}
		cs, err := tx.LoadCases([]uuid.UUID{ch.CaseID})
		if err != nil {
			return err
		}
		cur := cs[ch.CaseID]
		if cur == nil {
			return bmerr.New(bmerr.NotFound, "case_unknown", "没有找到该案件。", "no such case.")
		}
		next := *cur
		if err := casefile.Apply(&next, ch, casefile.Env{Catalog: env.catalog, Calendar: env.calendar}); err != nil {
			return err // nothing recorded: a person sees the error at once and may retry
		}
		if _, err := tx.SaveApplied(&next, store.Applied{Change: ch, Body: body, ReceivedAt: now}); err != nil {
			return err
		}
		lines := []audit.ChangeLine{*changeLine(ch, body)}
		more, err := s.followUps(tx, &next, ch.ID, env, now)
		if err != nil {
			return err
		}
		lines = append(lines, more...)
		out = &next
		return tx.Audit(audit.Entry{At: now, Actor: u.Username, Kind: audit.Changes, Subject: ch.CaseID.String(), Detail: audit.ChangeDetail(lines)})
	})
	if err != nil {
		return nil, err
	}
	s.notify.notify(out.Parties()...)
	return connect.NewResponse(&centralv1.ActResponse{Case: masked(out), AlreadyApplied: already}), nil
}

func (s *reviewService) ReadAttachment(ctx context.Context, req *connect.Request[centralv1.ReadAttachmentRequest]) (*connect.Response[centralv1.ReadAttachmentResponse], error) {
	c, err := s.visibleCase(ctx, req.Msg.CaseId)
	if err != nil {
		return nil, err
	}
	found := false
	for _, m := range c.Materials {
		for _, a := range m.Attachments {
			found = found || a.SHA256 == req.Msg.Sha256
		}
	}
	if !found || req.Msg.Offset < 0 || req.Msg.Limit < 0 {
		return nil, bmerr.New(bmerr.NotFound, "attachment_unknown", "本案没有该附件。", "the case has no such attachment.")
	}
	b, err := s.store.BlobStat(ctx, req.Msg.Sha256)
	if err != nil || !b.Complete {
		return nil, bmerr.New(bmerr.NotFound, "attachment_pending", "该附件尚未上传到中心。", "the attachment has not reached central yet.")
	}
	limit := int(req.Msg.Limit)
	if limit == 0 || limit > 1<<20 {
		limit = 256 << 10
	}
	data, err := s.store.ReadBlob(ctx, req.Msg.Sha256, req.Msg.Offset, limit)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.ReadAttachmentResponse{Data: data, Size: b.Size, Eof: req.Msg.Offset+int64(len(data)) >= b.Size}), nil
}
