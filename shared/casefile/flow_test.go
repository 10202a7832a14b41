package casefile_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// dates are a case's dates after a step, as "2006-01-02"; "" means none.
type dates struct{ accepted, due, legalDue, decided, closed, stoppedOn string }

func datesOf(c *casefile.Case) dates {
	s := func(d workcal.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	return dates{s(c.AcceptedOn), s(c.DueOn), s(c.LegalDueOn), s(c.DecidedOn), s(c.ClosedOn), s(c.StoppedOn)}
}

// step is one change of a flow and what it must do: fail with reason, or
// succeed leaving the case in status with these dates, and pass check.
type step struct {
	name   string
	change *casefile.Change

	status cf.Status
	dates  dates
	check  func(t *testing.T, c *casefile.Case)

	code     bmerr.Code
	reason   string
	mentions []string // words the Chinese message must contain
}

type flow struct {
	name  string
	env   func() casefile.Env // default env()
	steps []step
}

func runFlow(t *testing.T, f flow) {
	t.Helper()
	e := env()
	if f.env != nil {
		e = f.env()
	}
	c := &casefile.Case{}
	var all []*casefile.Change
	for i, s := range f.steps {
		label := fmt.Sprintf("step %d (%s %s)", i, s.change.Action, s.name)
		ch := s.change
		ch.ID, ch.BaseVersion = changeID(i+1), c.Version
		if ch.CaseID == (uuid.UUID{}) {
			ch.CaseID = caseID
		}
		all = append(all, ch)
		err := applyChecked(t, c, ch, e)
		if s.reason != "" {
			if err == nil {
				t.Fatalf("%s: succeeded, want %s/%s", label, s.code, s.reason)
			}
			t.Run(fmt.Sprintf("%d_%s_fails", i, s.name), func(t *testing.T) { wantErr(t, err, s.code, s.reason, s.mentions...) })
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if c.Status != s.status {
			t.Fatalf("%s: status %+v, want %+v", label, c.Status, s.status)
		}
		if got := datesOf(c); got != s.dates {
			t.Fatalf("%s: dates\n got %+v\nwant %+v", label, got, s.dates)
		}
		if !c.UpdatedAt.Equal(ch.At) {
			t.Errorf("%s: UpdatedAt %v, want the change's time %v", label, c.UpdatedAt, ch.At)
		}
		if s.check != nil {
			s.check(t, c)
		}
	}

	// Central replays the same changes, failures included, and must reach
	// the same case the station did.
	again := &casefile.Case{}
	for _, ch := range all {
		_ = casefile.Apply(again, ch, e)
	}
	if a, b := mustJSON(t, c), mustJSON(t, again); a != b {
		t.Fatalf("replaying the changes gave another case:\nfirst  %s\nsecond %s", a, b)
	}
}

func TestFlows(t *testing.T) {
	// The township case number on the day of receipt.
	num := func(station, on string) string { return cf.FormatNumber(station, day(on), 1) }
	certificate := func(no string) func(*casefile.Change) {
		return withDecision(casefile.Decision{Certificate: no})
	}
	refusal := casefile.Decision{
		Reasons:  []string{"申请人家庭人均收入高于当地特困供养标准"},
		Remedies: []string{"可于六十日内向县人民政府申请行政复议，或于六个月内向人民法院提起行政诉讼"},
	}
	proxy := casefile.Proxy{AgentUser: agentSQ.User, AgentName: agentSQ.Name, Authorization: "授权委托书 SQ01-2026-007", ForwardTo: "XZ01"}
	withProxy := func(p *casefile.Proxy) func(*casefile.Intake) {
		return func(in *casefile.Intake) { in.Proxy = p }
	}

	flows := []flow{
		{
			// 社保卡申领/补换: on the spot (promised 0), accepted and decided
			// at the township, no legal limit.
			name: "township on the spot",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-03-02"), sbCard, "2026-03-02"),
					status: cf.Status{State: cf.Received},
					check: func(t *testing.T, c *casefile.Case) {
						if c.OriginStation != "XZ01" || c.HandlingStation != "XZ01" || c.OriginLevel != catalog.Township {
							t.Errorf("stations %s/%s at %s, want XZ01/XZ01 at township", c.OriginStation, c.HandlingStation, c.OriginLevel)
						}
						if want := (cf.Route{AcceptAt: catalog.Township, DecideAt: catalog.Township}); c.Route != want {
							t.Errorf("route %+v, want %+v", c.Route, want)
						}
						if c.ReceivedOn != day("2026-03-02") || !c.ReceivedAt.Equal(at("2026-03-02")) {
							t.Errorf("received %s / %v", c.ReceivedOn, c.ReceivedAt)
						}
						if c.Matter.Code != codeOf(t, sbCard) || c.Matter.CatalogVersion != demoCatalog.Version || c.Matter.Handling != catalog.OnTheSpot {
							t.Errorf("matter snapshot %+v", c.Matter)
						}
					}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.Accepted},
					// A zero promised limit is due the day of acceptance.
					dates: dates{accepted: "2026-03-02", due: "2026-03-02"}},
				{name: "close on the spot", change: do(cf.CloseOnSpot, clerkXZ, "2026-03-02", certificate("SB-2026-000123")),
					status: cf.Status{State: cf.Closed, Result: cf.Granted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-02", decided: "2026-03-02", closed: "2026-03-02"},
					check: func(t *testing.T, c *casefile.Case) {
						d := c.Decision
						if d == nil || d.Result != cf.Granted || d.By != clerkXZ || d.On != day("2026-03-02") || d.Certificate != "SB-2026-000123" {
							t.Errorf("decision %+v", d)
						}
					}},
				{name: "rate", change: do(cf.Rate, clerkXZ, "2026-03-02", withRating(5)),
					status: cf.Status{State: cf.Closed, Result: cf.Granted, Rated: true},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-02", decided: "2026-03-02", closed: "2026-03-02"}},
				{name: "rate twice", change: do(cf.Rate, clerkXZ, "2026-03-03", withRating(1)),
					code: bmerr.FailedPrecondition, reason: "already_rated"},
			},
		},
		{
			// 城乡居民养老保险参保登记: on the spot with a legal limit of 3
			// working days. Accepted Friday 27 Feb 2026: 28 Feb (a make-up
			// Saturday) is day 1, Mon 2 and Tue 3 Mar are days 2 and 3.
			name: "on the spot with a legal limit over a make-up Saturday",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-02-27"), pensionReg, "2026-02-27"),
					status: cf.Status{State: cf.Received}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-02-27"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-02-27", due: "2026-02-27", legalDue: "2026-03-03"}},
				{name: "close on the spot", change: do(cf.CloseOnSpot, clerkXZ, "2026-02-27"),
					status: cf.Status{State: cf.Closed, Result: cf.Granted},
					dates:  dates{accepted: "2026-02-27", due: "2026-02-27", legalDue: "2026-03-03", decided: "2026-02-27", closed: "2026-02-27"}},
			},
		},
		{
			// 临时救助: promised 5 working days, decided at the township.
			// Accepted Thursday 12 Feb 2026: 13 Feb is day 1, 14 Feb (a
			// make-up Saturday) day 2, 15–23 Feb the Spring Festival, 24, 25
			// and 26 Feb days 3, 4 and 5, so it is due Thursday 26 Feb.
			name: "devolved matter decided at the township",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-02-12"), relief, "2026-02-12"),
					status: cf.Status{State: cf.Received}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-02-12"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-02-12", due: "2026-02-26"}},
				{name: "forward a matter the township decides", change: do(cf.Forward, clerkXZ, "2026-02-13"),
					code: bmerr.PermissionDenied, reason: "matter_level"},
				{name: "close on the spot a promised matter", change: do(cf.CloseOnSpot, clerkXZ, "2026-02-13"),
					code: bmerr.FailedPrecondition, reason: "not_on_the_spot"},
				{name: "grant", change: do(cf.Grant, approverXZ, "2026-02-25", certificate("LS-2026-0042")),
					status: cf.Status{State: cf.Decided, Result: cf.Granted},
					dates:  dates{accepted: "2026-02-12", due: "2026-02-26", decided: "2026-02-25"},
					check: func(t *testing.T, c *casefile.Case) {
						if d := c.Decision; d == nil || d.By != approverXZ || d.Certificate != "LS-2026-0042" || d.On != day("2026-02-25") {
							t.Errorf("decision %+v", d)
						}
					}},
				{name: "deliver with no method", change: do(cf.Deliver, clerkXZ, "2026-02-26"),
					code: bmerr.Invalid, reason: "delivery_method"},
				{name: "deliver by pigeon", change: do(cf.Deliver, clerkXZ, "2026-02-26", withDelivery("pigeon")),
					code: bmerr.Invalid, reason: "delivery_method"},
				{name: "deliver", change: do(cf.Deliver, clerkXZ, "2026-02-26", withDelivery(casefile.AtWindow)),
					status: cf.Status{State: cf.Closed, Result: cf.Granted},
					dates:  dates{accepted: "2026-02-12", due: "2026-02-26", decided: "2026-02-25", closed: "2026-02-26"},
					check: func(t *testing.T, c *casefile.Case) {
						if d := c.Delivery; d == nil || d.Method != casefile.AtWindow || d.On != day("2026-02-26") {
							t.Errorf("delivery %+v", d)
						}
					}},
				{name: "rate 6", change: do(cf.Rate, clerkXZ, "2026-02-26", withRating(6)),
					code: bmerr.Invalid, reason: "rating_level"},
				{name: "rate", change: do(cf.Rate, clerkXZ, "2026-02-26", withRating(2)),
					status: cf.Status{State: cf.Closed, Result: cf.Granted, Rated: true},
					dates:  dates{accepted: "2026-02-12", due: "2026-02-26", decided: "2026-02-25", closed: "2026-02-26"},
					check: func(t *testing.T, c *casefile.Case) {
						if c.Rating == nil || c.Rating.Level != 2 || !c.Rating.IsBad() {
							t.Errorf("rating %+v, want a bad review of 2", c.Rating)
						}
					}},
			},
		},
		{
			// 残疾人证核发: accepted at the township, decided at central by
			// the disabled persons' federation (承办 → 审核 → 审批). Promised
			// and legal limits are 10 working days: accepted Mon 2 Mar 2026,
			// days 1–4 are 3–6 Mar, 5–9 are 9–13 Mar, day 10 is Mon 16 Mar.
			name: "forwarded to central",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-03-02"), disability, "2026-03-02"),
					status: cf.Status{State: cf.Received},
					check: func(t *testing.T, c *casefile.Case) {
						if want := (cf.Route{AcceptAt: catalog.Township, DecideAt: catalog.Central}); c.Route != want {
							t.Errorf("route %+v, want %+v", c.Route, want)
						}
					}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-16", legalDue: "2026-03-16"}},
				{name: "township grants what central decides", change: do(cf.Grant, clerkXZ, "2026-03-02"),
					code: bmerr.PermissionDenied, reason: "matter_level"},
				{name: "forward", change: do(cf.Forward, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.UnderReview},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-16", legalDue: "2026-03-16"}},
				{name: "advance with no step", change: do(cf.Advance, handlerCL, "2026-03-04"),
					code: bmerr.Invalid, reason: "step_missing"},
				{name: "a township clerk advances", change: do(cf.Advance, clerkXZ, "2026-03-04", withStep(0, "cl", catalog.Handle)),
					code: bmerr.PermissionDenied, reason: "role_not_allowed"},
				{name: "handle", change: do(cf.Advance, handlerCL, "2026-03-04", withStep(0, "cl", catalog.Handle)),
					status: cf.Status{State: cf.UnderReview},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-16", legalDue: "2026-03-16"}},
				{name: "review", change: do(cf.Advance, reviewerCL, "2026-03-06", withStep(0, "cl", catalog.Review)),
					status: cf.Status{State: cf.UnderReview},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-16", legalDue: "2026-03-16"}},
				{name: "review again", change: do(cf.Advance, reviewerCL, "2026-03-06", withStep(0, "cl", catalog.Review)),
					code: bmerr.FailedPrecondition, reason: "wrong_step"},
				{name: "a reviewer takes the approver's step", change: do(cf.Advance, reviewerCL, "2026-03-06", withStep(0, "cl", catalog.Approve)),
					code: bmerr.PermissionDenied, reason: "wrong_role"},
				{name: "another department", change: do(cf.Advance, casefile.Actor{User: "mz-h", Role: cf.Reviewer, Level: catalog.Central, Department: "mz"}, "2026-03-06", withStep(0, "mz", catalog.Review)),
					code: bmerr.PermissionDenied, reason: "not_your_task"},
				{name: "the approver advances instead of deciding", change: do(cf.Advance, approverCL, "2026-03-09", withStep(0, "cl", catalog.Approve)),
					code: bmerr.FailedPrecondition, reason: "decide_instead",
					check: func(t *testing.T, c *casefile.Case) {
						var got []catalog.Step
						for _, s := range c.Steps {
							got = append(got, s.Step)
						}
						if want := []catalog.Step{catalog.Handle, catalog.Review}; !slices.Equal(got, want) {
							t.Errorf("steps %v, want %v", got, want)
						}
						if ts := c.Tasks(calendar); len(ts) != 1 || ts[0].Step != catalog.Approve || !ts[0].Decides || ts[0].Department != "cl" {
							t.Errorf("tasks %+v, want cl's deciding approve step", ts)
						}
					}},
				{name: "a handler grants", change: do(cf.Grant, handlerCL, "2026-03-09"),
					code: bmerr.PermissionDenied, reason: "role_not_allowed"},
				{name: "grant", change: do(cf.Grant, approverCL, "2026-03-09", certificate("CJR-2026-0007")),
					status: cf.Status{State: cf.Decided, Result: cf.Granted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-16", legalDue: "2026-03-16", decided: "2026-03-09"}},
				{name: "deliver", change: do(cf.Deliver, clerkXZ, "2026-03-11", withDelivery(casefile.ByPost)),
					status: cf.Status{State: cf.Closed, Result: cf.Granted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-16", legalDue: "2026-03-16", decided: "2026-03-09", closed: "2026-03-11"}},
			},
		},
		{
			// 农村宅基地和建房审批: a community may only collect it for the
			// township. Promised 15 and legal 20 working days from Tue 3 Mar
			// 2026: 4–6 Mar are days 1–3, 9–13 Mar 4–8, 16–20 Mar 9–13, 23
			// and 24 Mar 14 and 15; 25–27 Mar 16–18, 30 and 31 Mar 19 and 20.
			name: "community proxy",
			steps: []step{
				{name: "without proxy details", change: receive(t, agentSQ, num("SQ01", "2026-03-03"), homestead, "2026-03-03"),
					code: bmerr.Invalid, reason: "proxy_missing", mentions: []string{homestead}},
				{name: "without authorisation", change: receive(t, agentSQ, num("SQ01", "2026-03-03"), homestead, "2026-03-03",
					withProxy(&casefile.Proxy{AgentUser: agentSQ.User, ForwardTo: "XZ01"})),
					code: bmerr.Invalid, reason: "proxy_authorization"},
				{name: "by proxy", change: receive(t, agentSQ, num("SQ01", "2026-03-03"), homestead, "2026-03-03", withProxy(&proxy)),
					status: cf.Status{State: cf.Received},
					check: func(t *testing.T, c *casefile.Case) {
						if c.OriginStation != "SQ01" || c.OriginLevel != catalog.Community || c.HandlingStation != "XZ01" {
							t.Errorf("origin %s at %s, handled by %s; want SQ01 at community, handled by XZ01", c.OriginStation, c.OriginLevel, c.HandlingStation)
						}
						if c.Proxy == nil || *c.Proxy != proxy {
							t.Errorf("proxy %+v, want %+v", c.Proxy, proxy)
						}
						if want := []string{"SQ01", "XZ01"}; !slices.Equal(c.Parties(), want) {
							t.Errorf("parties %v, want %v", c.Parties(), want)
						}
						if want := (cf.Route{AcceptAt: catalog.Township, DecideAt: catalog.Central}); c.Route != want {
							t.Errorf("route %+v, want %+v", c.Route, want)
						}
					}},
				// The matter's own levels stop the agent before the station check.
				{name: "the agent accepts", change: do(cf.Accept, agentSQ, "2026-03-03"),
					code: bmerr.PermissionDenied, reason: "matter_level"},
				{name: "another township accepts", change: do(cf.Accept, clerkXZ2, "2026-03-03"),
					code: bmerr.PermissionDenied, reason: "foreign_case", mentions: []string{"XZ02"}},
				{name: "the township accepts", change: do(cf.Accept, clerkXZ, "2026-03-03"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-03", due: "2026-03-24", legalDue: "2026-03-31"}},
				// The table lets agents forward what their station accepted;
				// this case belongs to the township now.
				{name: "the agent forwards", change: do(cf.Forward, agentSQ, "2026-03-03"),
					code: bmerr.PermissionDenied, reason: "forwarded_case", mentions: []string{"XZ01"}},
				{name: "the township forwards", change: do(cf.Forward, clerkXZ, "2026-03-04"),
					status: cf.Status{State: cf.UnderReview},
					dates:  dates{accepted: "2026-03-03", due: "2026-03-24", legalDue: "2026-03-31"}},
				{name: "central opens the parallel stage", change: do(cf.StartParallel, scheduler, "2026-03-04"),
					status: cf.Status{State: cf.ParallelReview},
					dates:  dates{accepted: "2026-03-03", due: "2026-03-24", legalDue: "2026-03-31"}},
				{name: "the agent withdraws for the resident", change: do(cf.Withdraw, agentSQ, "2026-03-05", withNote("申请人申请撤回")),
					status: cf.Status{State: cf.Closed, Result: cf.Withdrawn},
					dates:  dates{accepted: "2026-03-03", due: "2026-03-24", legalDue: "2026-03-31", closed: "2026-03-05"}},
			},
		},
		{
			// 最低生活保障审核确认: a one-time notice before acceptance, then
			// the clock starts at acceptance on Mon 9 Mar 2026. Promised 25
			// working days: 10–13 Mar 1–4, 16–20 Mar 5–9, 23–27 Mar 10–14,
			// 30 Mar–3 Apr 15–19, 4–6 Apr are 清明, 7–10 Apr 20–23, 13 and
			// 14 Apr 24 and 25. Legal 30: 15–17 Apr 26–28, 20 and 21 Apr 29
			// and 30.
			name: "supplement before acceptance",
			steps: []step{
				{name: "receive with two forms missing", change: receive(t, clerkXZ, num("XZ01", "2026-03-05"), dibao, "2026-03-05",
					func(in *casefile.Intake) {
						in.Materials = without(in.Materials, "check_auth", "income_pledge", "bank_card")
					}),
					status: cf.Status{State: cf.Received}},
				{name: "accept with materials missing", change: do(cf.Accept, clerkXZ, "2026-03-05"),
					code: bmerr.FailedPrecondition, reason: "materials_missing",
					mentions: []string{"家庭经济状况核对授权书", "家庭收入申报及承诺书", "本人社会保障卡或银行卡"}},
				{name: "a notice listing nothing", change: do(cf.RequestSupplement, clerkXZ, "2026-03-05", withNotice(0, 0, 0)),
					code: bmerr.Invalid, reason: "notice_items"},
				{name: "one-time notice", change: do(cf.RequestSupplement, clerkXZ, "2026-03-05", withNotice(2, 0, 0)),
					status: cf.Status{State: cf.SupplementPending},
					check: func(t *testing.T, c *casefile.Case) {
						if c.Notice == nil || len(c.Notice.Items) != 2 {
							t.Errorf("notice %+v, want two items", c.Notice)
						}
					}},
				{name: "accept before the supplement", change: do(cf.Accept, clerkXZ, "2026-03-06"),
					code: bmerr.FailedPrecondition, reason: "illegal_transition"},
				{name: "supplement nothing", change: do(cf.Supplement, clerkXZ, "2026-03-09"),
					code: bmerr.Invalid, reason: "supplement_empty"},
				{name: "supplement a material of another matter", change: do(cf.Supplement, clerkXZ, "2026-03-09",
					withMaterials(casefile.MaterialRecord{Code: "photo", Received: true})),
					code: bmerr.Invalid, reason: "material_unknown"},
				{name: "supplement", change: do(cf.Supplement, clerkXZ, "2026-03-09", withMaterials(
					casefile.MaterialRecord{Code: "check_auth", Received: true, Original: true},
					casefile.MaterialRecord{Code: "income_pledge", Received: true, Original: true},
					casefile.MaterialRecord{Code: "bank_card", Deferred: true})),
					status: cf.Status{State: cf.Received},
					check: func(t *testing.T, c *casefile.Case) {
						var codes []string
						for _, r := range c.Materials {
							codes = append(codes, r.Code)
							if r.Code == "check_auth" && !r.Received {
								t.Errorf("check_auth not recorded as received: %+v", r)
							}
						}
						// Still one record per catalog material, in catalog order.
						if want := []string{"application", "family_ids", "check_auth", "income_pledge", "bank_card"}; !slices.Equal(codes, want) {
							t.Errorf("materials %v, want %v", codes, want)
						}
					}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-03-09"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-09", due: "2026-04-14", legalDue: "2026-04-21"}},
			},
		},
		{
			// 乡村建设规划许可证: promised 10 and legal 20 working days from
			// Thu 5 Feb 2026. Without a stop: 6 Feb is day 1, 9–13 Feb 2–6,
			// 14 Feb (make-up Saturday) 7, 15–23 Feb the Spring Festival,
			// 24–26 Feb 8–10 (due 26 Feb); 27 Feb 11, 28 Feb (make-up) 12,
			// 2–6 Mar 13–17, 9–11 Mar 18–20 (legal due 11 Mar).
			// Returned on Tue 10 Feb and supplemented on Mon 2 Mar: the
			// working days in (10 Feb, 2 Mar] are 11, 12, 13, 14 Feb, 24,
			// 25, 26, 27, 28 Feb and 2 Mar: ten. Due is then day 20 (11 Mar)
			// and the legal due day 30: 12–13 Mar 21–22, 16–20 Mar 23–27,
			// 23–25 Mar 28–30 (25 Mar).
			name: "returned for supplement across the Spring Festival",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-02-05"), buildPermit, "2026-02-05"),
					status: cf.Status{State: cf.Received}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-02-05"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-02-05", due: "2026-02-26", legalDue: "2026-03-11"}},
				{name: "return without a notice", change: do(cf.ReturnForSupplement, clerkXZ, "2026-02-10"),
					code: bmerr.Invalid, reason: "notice_items"},
				{name: "return for supplement", change: do(cf.ReturnForSupplement, clerkXZ, "2026-02-10", withNotice(1, 0, 0)),
					status: cf.Status{State: cf.Returned, Prior: cf.Accepted},
					dates:  dates{accepted: "2026-02-05", stoppedOn: "2026-02-10"}},
				{name: "grant while returned", change: do(cf.Grant, clerkXZ, "2026-02-11"),
					code: bmerr.FailedPrecondition, reason: "illegal_transition"},
				{name: "supplement", change: do(cf.Supplement, clerkXZ, "2026-03-02", withMaterials(casefile.MaterialRecord{Code: "design", Received: true, Copies: 2})),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-02-05", due: "2026-03-11", legalDue: "2026-03-25"},
					check: func(t *testing.T, c *casefile.Case) {
						if want := []workcal.Span{{From: day("2026-02-10"), To: day("2026-03-02")}}; !slices.Equal(c.Stopped, want) {
							t.Errorf("stopped %v, want %v", c.Stopped, want)
						}
					}},
				{name: "grant", change: do(cf.Grant, clerkXZ, "2026-03-10"),
					status: cf.Status{State: cf.Decided, Result: cf.Granted},
					dates:  dates{accepted: "2026-02-05", due: "2026-03-11", legalDue: "2026-03-25", decided: "2026-03-10"}},
			},
		},
		{
			// 特困人员认定 has a 公示 (public notice). Promised and legal 15
			// working days from Mon 2 Mar 2026: 3–6 Mar 1–4, 9–13 Mar 5–9,
			// 16–20 Mar 10–14, Mon 23 Mar 15. Suspended Tue 10 Mar and
			// resumed Wed 18 Mar: 11, 12, 13, 16, 17 and 18 Mar are six
			// working days, so 21 in all: 24–27 Mar 16–19, 30 and 31 Mar 20
			// and 21.
			name: "suspended for a public notice",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-03-02"), destitute, "2026-03-02"),
					status: cf.Status{State: cf.Received}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23"}},
				{name: "suspend for a hearing", change: do(cf.Suspend, clerkXZ, "2026-03-10", withSuspension(catalog.Hearing, 7)),
					code: bmerr.Invalid, reason: "suspension_procedure", mentions: []string{"听证"}},
				{name: "suspend for nothing", change: do(cf.Suspend, clerkXZ, "2026-03-10"),
					code: bmerr.Invalid, reason: "suspension_procedure"},
				{name: "suspend for no time", change: do(cf.Suspend, clerkXZ, "2026-03-10", withSuspension(catalog.PublicNotice, 0)),
					code: bmerr.Invalid, reason: "suspension_days"},
				{name: "central suspends a township matter", change: do(cf.Suspend, handlerCL, "2026-03-10", withSuspension(catalog.PublicNotice, 7)),
					code: bmerr.PermissionDenied, reason: "role_not_allowed"},
				{name: "suspend", change: do(cf.Suspend, clerkXZ, "2026-03-10", withSuspension(catalog.PublicNotice, 7)),
					status: cf.Status{State: cf.Suspended, Prior: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", stoppedOn: "2026-03-10"},
					check: func(t *testing.T, c *casefile.Case) {
						if s := c.Suspension; s == nil || s.Procedure != catalog.PublicNotice || s.ExpectedDays != 7 {
							t.Errorf("suspension %+v", s)
						}
					}},
				{name: "suspend twice", change: do(cf.Suspend, clerkXZ, "2026-03-11", withSuspension(catalog.PublicNotice, 7)),
					code: bmerr.FailedPrecondition, reason: "illegal_transition"},
				{name: "resume", change: do(cf.Resume, clerkXZ, "2026-03-18"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-31", legalDue: "2026-03-31"},
					check: func(t *testing.T, c *casefile.Case) {
						if c.Suspension != nil {
							t.Errorf("suspension %+v after resuming", c.Suspension)
						}
						if want := []workcal.Span{{From: day("2026-03-10"), To: day("2026-03-18")}}; !slices.Equal(c.Stopped, want) {
							t.Errorf("stopped %v, want %v", c.Stopped, want)
						}
					}},
			},
		},
		{
			// 残疾人证核发 again (due 16 Mar, see "forwarded to central"); the
			// extension adds 10 working days: 17–20 Mar 1–4, 23–27 Mar 5–9,
			// Mon 30 Mar 10.
			name: "extended once at central",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-03-02"), disability, "2026-03-02"),
					status: cf.Status{State: cf.Received}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-16", legalDue: "2026-03-16"}},
				{name: "the township head extends what central decides", change: do(cf.Extend, headXZ, "2026-03-02", withExtension(10, "需补充鉴定", "县残联理事长")),
					code: bmerr.PermissionDenied, reason: "matter_level"},
				{name: "forward", change: do(cf.Forward, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.UnderReview},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-16", legalDue: "2026-03-16"}},
				{name: "extend with no reason", change: do(cf.Extend, headCL, "2026-03-12", withExtension(10, " ", "县残联理事长")),
					code: bmerr.Invalid, reason: "extension_reason"},
				{name: "extend with no approver", change: do(cf.Extend, headCL, "2026-03-12", withExtension(10, "需补充鉴定", "")),
					code: bmerr.Invalid, reason: "extension_reason"},
				{name: "extend with nothing", change: do(cf.Extend, headCL, "2026-03-12"),
					code: bmerr.Invalid, reason: "extension_reason"},
				{name: "extend by 5 days", change: do(cf.Extend, headCL, "2026-03-12", withExtension(5, "需补充鉴定", "县残联理事长")),
					code: bmerr.Invalid, reason: "extension_days"},
				{name: "an approver extends", change: do(cf.Extend, approverCL, "2026-03-12", withExtension(10, "需补充鉴定", "县残联理事长")),
					code: bmerr.PermissionDenied, reason: "role_not_allowed"},
				{name: "extend", change: do(cf.Extend, headCL, "2026-03-12", withExtension(casefile.ExtensionDays, "需补充鉴定", "县残联理事长")),
					status: cf.Status{State: cf.UnderReview, Extended: true},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-30", legalDue: "2026-03-30"},
					check: func(t *testing.T, c *casefile.Case) {
						if e := c.Extension; e == nil || e.Days != 10 || e.Reason != "需补充鉴定" || e.Approver != "县残联理事长" {
							t.Errorf("extension %+v", e)
						}
					}},
				{name: "extend again", change: do(cf.Extend, headCL, "2026-03-20", withExtension(10, "仍需鉴定", "县残联理事长")),
					code: bmerr.FailedPrecondition, reason: "already_extended"},
			},
		},
		{
			name: "refused at the township",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-03-02"), destitute, "2026-03-02"),
					status: cf.Status{State: cf.Received}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23"}},
				{name: "refuse with nothing", change: do(cf.Refuse, approverXZ, "2026-03-16"),
					code: bmerr.Invalid, reason: "reasons_required", mentions: []string{"不予许可"}},
				{name: "refuse without remedies", change: do(cf.Refuse, approverXZ, "2026-03-16", withDecision(casefile.Decision{Reasons: refusal.Reasons})),
					code: bmerr.Invalid, reason: "reasons_required"},
				{name: "refuse with blank reasons", change: do(cf.Refuse, approverXZ, "2026-03-16", withDecision(casefile.Decision{Reasons: []string{"  "}, Remedies: refusal.Remedies})),
					code: bmerr.Invalid, reason: "reasons_required"},
				{name: "refuse", change: do(cf.Refuse, approverXZ, "2026-03-16", withDecision(refusal)),
					status: cf.Status{State: cf.Decided, Result: cf.Refused},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23", decided: "2026-03-16"},
					check: func(t *testing.T, c *casefile.Case) {
						d := c.Decision
						if d == nil || d.Result != cf.Refused || !slices.Equal(d.Reasons, refusal.Reasons) || !slices.Equal(d.Remedies, refusal.Remedies) || d.By != approverXZ {
							t.Errorf("decision %+v", d)
						}
					}},
				{name: "deliver", change: do(cf.Deliver, clerkXZ, "2026-03-17", withDelivery(casefile.Electronic)),
					status: cf.Status{State: cf.Closed, Result: cf.Refused},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23", decided: "2026-03-16", closed: "2026-03-17"}},
				{name: "withdraw a closed case", change: do(cf.Withdraw, clerkXZ, "2026-03-18", withNote("申请人申请撤回")),
					code: bmerr.FailedPrecondition, reason: "illegal_transition"},
			},
		},
		{
			name: "not accepted",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-03-02"), dibao, "2026-03-02",
					func(in *casefile.Intake) { in.Materials = without(in.Materials, "family_ids") }),
					status: cf.Status{State: cf.Received}},
				{name: "a community cannot refuse what it may not accept", change: do(cf.RejectIntake, agentSQ, "2026-03-02", withNotice(0, 1, 1)),
					code: bmerr.PermissionDenied, reason: "matter_level"},
				{name: "reject with no notice", change: do(cf.RejectIntake, clerkXZ, "2026-03-02"),
					code: bmerr.Invalid, reason: "reasons_required", mentions: []string{"不予受理"}},
				{name: "reject without remedies", change: do(cf.RejectIntake, clerkXZ, "2026-03-02", withNotice(0, 1, 0)),
					code: bmerr.Invalid, reason: "reasons_required"},
				{name: "reject without reasons", change: do(cf.RejectIntake, clerkXZ, "2026-03-02", withNotice(1, 0, 1)),
					code: bmerr.Invalid, reason: "reasons_required"},
				{name: "reject", change: do(cf.RejectIntake, clerkXZ, "2026-03-02", withNotice(0, 1, 1)),
					status: cf.Status{State: cf.Closed, Result: cf.NotAccepted},
					dates:  dates{closed: "2026-03-02"},
					check: func(t *testing.T, c *casefile.Case) {
						if c.Notice == nil || len(c.Notice.Reasons) != 1 || len(c.Notice.Remedies) != 1 {
							t.Errorf("notice %+v", c.Notice)
						}
					}},
				{name: "rate a case never accepted", change: do(cf.Rate, clerkXZ, "2026-03-02", withRating(5)),
					code: bmerr.FailedPrecondition, reason: "not_ratable"},
			},
		},
		{
			// 特困人员认定 (due 23 Mar, see "suspended for a public notice"),
			// suspended Tue 10 Mar and withdrawn Thu 12 Mar: 11 and 12 Mar
			// stopped, so the due date moves two working days to 25 Mar.
			name: "withdrawn while suspended",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-03-02"), destitute, "2026-03-02"),
					status: cf.Status{State: cf.Received}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23"}},
				{name: "suspend", change: do(cf.Suspend, headXZ, "2026-03-10", withSuspension(catalog.PublicNotice, 7)),
					status: cf.Status{State: cf.Suspended, Prior: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", stoppedOn: "2026-03-10"}},
				{name: "withdraw with no note", change: do(cf.Withdraw, clerkXZ, "2026-03-12", withNote(" \t")),
					code: bmerr.Invalid, reason: "withdraw_reason"},
				{name: "withdraw", change: do(cf.Withdraw, clerkXZ, "2026-03-12", withNote("申请人申请撤回")),
					status: cf.Status{State: cf.Closed, Result: cf.Withdrawn},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-25", legalDue: "2026-03-25", closed: "2026-03-12"},
					check: func(t *testing.T, c *casefile.Case) {
						if want := []workcal.Span{{From: day("2026-03-10"), To: day("2026-03-12")}}; !slices.Equal(c.Stopped, want) {
							t.Errorf("stopped %v, want %v", c.Stopped, want)
						}
					}},
				{name: "resume a withdrawn case", change: do(cf.Resume, clerkXZ, "2026-03-13"),
					code: bmerr.FailedPrecondition, reason: "illegal_transition"},
			},
		},
		{
			name: "warnings",
			steps: []step{
				{name: "receive", change: receive(t, clerkXZ, num("XZ01", "2026-03-02"), destitute, "2026-03-02"),
					status: cf.Status{State: cf.Received}},
				{name: "accept", change: do(cf.Accept, clerkXZ, "2026-03-02"),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23"}},
				{name: "a clerk warns", change: do(cf.Warn, clerkXZ, "2026-03-20", withWarning(casefile.Reminder, "")),
					code: bmerr.PermissionDenied, reason: "role_not_allowed"},
				{name: "an orange card", change: do(cf.Warn, scheduler, "2026-03-20", withWarning("orange", "")),
					code: bmerr.Invalid, reason: "warning_level"},
				{name: "reminder", change: do(cf.Warn, scheduler, "2026-03-20", withWarning(casefile.Reminder, "")),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23"},
					check: func(t *testing.T, c *casefile.Case) {
						if len(c.Warnings) != 1 || c.Warnings[0].Raised != day("2026-03-20") || c.TopWarning() != casefile.Reminder {
							t.Errorf("warnings %+v", c.Warnings)
						}
					}},
				{name: "the same reminder", change: do(cf.Warn, scheduler, "2026-03-20", withWarning(casefile.Reminder, "")),
					code: bmerr.Conflict, reason: "warning_duplicate"},
				{name: "a yellow card", change: do(cf.Warn, scheduler, "2026-03-24", withWarning(casefile.Yellow, "")),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23"}},
				{name: "a yellow card on a step", change: do(cf.Warn, scheduler, "2026-03-24", withWarning(casefile.Yellow, "stage1/mz/handle")),
					status: cf.Status{State: cf.Accepted},
					dates:  dates{accepted: "2026-03-02", due: "2026-03-23", legalDue: "2026-03-23"},
					check: func(t *testing.T, c *casefile.Case) {
						if len(c.Warnings) != 3 || c.TopWarning() != casefile.Yellow {
							t.Errorf("warnings %+v", c.Warnings)
						}
					}},
				{name: "the same yellow card", change: do(cf.Warn, scheduler, "2026-03-25", withWarning(casefile.Yellow, "")),
					code: bmerr.Conflict, reason: "warning_duplicate"},
			},
		},
	}
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) { runFlow(t, f) })
	}
}
