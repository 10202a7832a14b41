package server

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/report"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// Report computes the supervision figures over the store's cases.
func (s *Server) Report(ctx context.Context, opts report.Options) (report.Result, error) {
	env, err := s.Env(ctx)
	if err != nil {
		return report.Result{}, err
	}
	rects, err := s.store.Rectifications(ctx, false)
	if err != nil {
		return report.Result{}, err
	}
	sts, err := s.store.Stations(ctx)
	if err != nil {
		return report.Result{}, err
	}
	names := map[string]string{}
	for _, st := range sts {
		names[st.Code] = st.Name
	}
	each := func(fn func(*casefile.Case) error) error { return s.store.EachCase(ctx, fn) }
	return report.Compute(each, rects, env.calendar, env.catalog, names, opts, s.now())
}

type supervisionService struct{ *Server }

func ratio(r metrics.Ratio) *centralv1.Ratio {
	return &centralv1.Ratio{Num: int32(r.Num), Den: int32(r.Den)}
}

func figuresToWire(r report.Row) *centralv1.Figures {
	f := r.Figures
	return &centralv1.Figures{
		Key: r.Key, Label: r.Label, Accepted: int32(f.Accepted), Closed: int32(f.Closed),
		OnSpotRate: ratio(f.OnSpotRate), OnTimeRate: ratio(f.OnTimeRate), WithinLegalRate: ratio(f.WithinLegalRate),
		ActualSpeedUp: ratio(f.ActualSpeedUp), AvgDaysX100: int32(f.AvgDays.Sum * 100 / max(f.AvgDays.N, 1)), AvgDaysN: int32(f.AvgDays.N),
		RatingRate: ratio(f.RatingRate), Satisfaction: ratio(f.Satisfaction), BadRate: ratio(f.BadRate),
		RectificationRate: ratio(f.RectificationRate), FollowUpRate: ratio(f.FollowUpRate),
		Reminders: int32(r.Reminders), YellowCards: int32(r.Yellow), RedCards: int32(r.Red), Rank: int32(r.Rank),
	}
}

func (s *supervisionService) Figures(ctx context.Context, req *connect.Request[centralv1.FiguresRequest]) (*connect.Response[centralv1.FiguresResponse], error) {
	from, err := workcal.ParseDate(req.Msg.From)
	if err != nil {
		return nil, err
	}
	to, err := workcal.ParseDate(req.Msg.To)
	if err != nil {
		return nil, err
	}
	opts := report.Options{Period: metrics.Period{From: from, To: to}, By: req.Msg.GroupBy}
	if u := userFrom(ctx); u.Role != caseflow.Admin {
		opts.Departments = []string{u.Department} // a reviewer sees their department only
	}
	res, err := s.Report(ctx, opts)
	if err != nil {
		return nil, err
	}
	resp := &centralv1.FiguresResponse{Total: figuresToWire(res.Total), Best: res.Best, Bottom: res.Bottom,
		PromisedSpeedUp: ratio(res.Catalog.PromisedSpeedUp), OnTheSpotShare: ratio(res.Catalog.OnTheSpotShare), AtMostOneVisit: ratio(res.Catalog.AtMostOneVisit)}
	for _, r := range res.Rows {
		resp.Groups = append(resp.Groups, figuresToWire(r))
	}
	return connect.NewResponse(resp), nil
}

func rectToWire(r store.Rectification) *centralv1.Rectification {
	return &centralv1.Rectification{CaseId: r.CaseID.String(), Number: r.Number, Station: r.Station, Department: r.Department,
		Rating: int32(r.Rating), Comment: r.Comment, Named: r.Named, OpenedOn: dateStr(r.OpenedOn), DueOn: dateStr(r.DueOn),
		VerifiedOn: dateStr(r.VerifiedOn), RectifiedOn: dateStr(r.RectifiedOn), AnsweredOn: dateStr(r.AnsweredOn),
		FollowedUpOn: dateStr(r.FollowedUpOn), Outcome: r.Outcome, Note: r.Note}
}

func (s *supervisionService) Rectifications(ctx context.Context, req *connect.Request[centralv1.RectificationsRequest]) (*connect.Response[centralv1.RectificationsResponse], error) {
	u := userFrom(ctx)
	list, err := s.store.Rectifications(ctx, req.Msg.OpenOnly)
	if err != nil {
		return nil, err
	}
	resp := &centralv1.RectificationsResponse{}
	for _, r := range list {
		if u.Role == caseflow.Admin || r.Department == u.Department {
			resp.Items = append(resp.Items, rectToWire(r))
		}
	}
	return connect.NewResponse(resp), nil
}

// followUpOutcomes are the results a follow-up call may record.
var followUpOutcomes = []string{"satisfied", "unsatisfied", "unreachable"}

func (s *supervisionService) RecordFollowUp(ctx context.Context, req *connect.Request[centralv1.RecordFollowUpRequest]) (*connect.Response[centralv1.RecordFollowUpResponse], error) {
	u := userFrom(ctx)
	m := req.Msg
	id, err := uuid.Parse(m.CaseId)
	notFound := bmerr.New(bmerr.NotFound, "rectification_unknown", "该案件没有差评整改任务。", "the case has no bad-review rectification.")
	if err != nil {
		return nil, notFound
	}
	r, err := s.store.Rectification(ctx, id)
	if bmerr.CodeOf(err) == bmerr.NotFound {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	if u.Role != caseflow.Admin && r.Department != u.Department {
		return nil, bmerr.New(bmerr.PermissionDenied, "other_department", "该差评不属于本部门。", "the bad review belongs to another department.")
	}
	if strings.TrimSpace(m.Note) == "" {
		return nil, bmerr.New(bmerr.Invalid, "note_required", "请填写处理说明。", "describe what was done.")
	}
	today := workcal.DateOf(s.now())
	switch m.Step {
	case "verified":
		r.VerifiedOn = today
	case "rectified":
		r.RectifiedOn = today
	case "answered":
		r.AnsweredOn = today
	case "followed_up":
		ok := false
		for _, o := range followUpOutcomes {
			ok = ok || o == m.Outcome
		}
		if !ok {
			return nil, bmerr.New(bmerr.Invalid, "outcome", "请选择回访结果：满意、不满意或无法联系。", "choose the follow-up's outcome: satisfied, unsatisfied or unreachable.")
		}
		r.FollowedUpOn, r.Outcome = today, m.Outcome
	default:
		return nil, bmerr.Newf(bmerr.Invalid, "step", "处理环节“%s”无效。", "step %q is not valid.", m.Step)
	}
	r.Note = strings.TrimSpace(m.Note)
	if err := s.store.SaveRectification(ctx, r); err != nil {
		return nil, err
	}
	if err := s.store.AppendAudit(ctx, audit.Entry{At: s.now(), Actor: u.Username, Kind: audit.Admin, Subject: "rectification " + r.CaseID.String(), Detail: m.Step + ": " + r.Note}); err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.RecordFollowUpResponse{Item: rectToWire(r)}), nil
}

func (s *supervisionService) ExportFigures(ctx context.Context, req *connect.Request[centralv1.ExportFiguresRequest]) (*connect.Response[centralv1.ExportFiguresResponse], error) {
	fr := req.Msg.GetFigures()
	from, err := workcal.ParseDate(fr.GetFrom())
	if err != nil {
		return nil, err
	}
	to, err := workcal.ParseDate(fr.GetTo())
	if err != nil {
		return nil, err
	}
	opts := report.Options{Period: metrics.Period{From: from, To: to}, By: fr.GetGroupBy()}
	if u := userFrom(ctx); u.Role != caseflow.Admin {
		opts.Departments = []string{u.Department}
	}
	res, err := s.Report(ctx, opts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, res); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("电子监察统计-%s至%s.xlsx", from, to)
	return connect.NewResponse(&centralv1.ExportFiguresResponse{Xlsx: buf.Bytes(), Filename: name}), nil
}

// Series counts, per day of the period, the cases accepted at each station
// and the warnings raised at each level, for the dashboard's charts.
func (s *supervisionService) Series(ctx context.Context, req *connect.Request[centralv1.SeriesRequest]) (*connect.Response[centralv1.SeriesResponse], error) {
	from, err := workcal.ParseDate(req.Msg.From)
	if err != nil {
		return nil, err
	}
	to, err := workcal.ParseDate(req.Msg.To)
	if err != nil {
		return nil, err
	}
	p := metrics.Period{From: from, To: to}
	if to.Before(from) || from.DaysUntil(to) > 400 {
		return nil, bmerr.New(bmerr.Invalid, "period", "统计期间无效（结束早于开始，或超过 400 天）。", "the period is not valid (ends before it starts, or longer than 400 days).")
	}
	u := userFrom(ctx)
	type key struct{ k, day string }
	accepted, warnings := map[key]int32{}, map[key]int32{}
	err = s.store.EachCase(ctx, func(c *casefile.Case) error {
		if u.Role != caseflow.Admin && !canSee(u, c) {
			return nil
		}
		if p.Contains(c.AcceptedOn) {
			accepted[key{c.HandlingStation, c.AcceptedOn.String()}]++
		}
		for _, w := range c.Warnings {
			if p.Contains(w.Raised) {
				warnings[key{string(w.Level), w.Raised.String()}]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp := &centralv1.SeriesResponse{StationNames: map[string]string{}}
	for k, n := range accepted {
		resp.Accepted = append(resp.Accepted, &centralv1.Point{Key: k.k, Day: k.day, Count: n})
	}
	for k, n := range warnings {
		resp.Warnings = append(resp.Warnings, &centralv1.Point{Key: k.k, Day: k.day, Count: n})
	}
	sortPoints(resp.Accepted)
	sortPoints(resp.Warnings)
	sts, err := s.store.Stations(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range sts {
		resp.StationNames[st.Code] = st.Name
	}
	return connect.NewResponse(resp), nil
}

func sortPoints(ps []*centralv1.Point) {
	slices.SortFunc(ps, func(a, b *centralv1.Point) int {
		if c := strings.Compare(a.Day, b.Day); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}
