package centraldesk_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/centralapi"
	"github.com/bianmin/bianmin/desktop/internal/centraldesk"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

var now = time.Date(2026, 2, 24, 10, 0, 0, 0, workcal.Shanghai)

func detail() *centralapi.CaseDetail {
	m := catalog.Demo()
	mat, _ := m.Matter("11331122002504004C2000001001") // 残疾人证核发
	c := &casefile.Case{ID: uuid.Must(uuid.NewV7()), Number: "XZ01-20260212-0001", Version: 3,
		Matter: casefile.MatterSnapshot{Code: mat.Code, Name: mat.Name, Department: "cl", SpecialProcedures: mat.SpecialProcedures, Materials: mat.Materials}}
	c.Status.State = caseflow.UnderReview
	c.Materials = []casefile.MaterialRecord{{Code: mat.Materials[0].Code, Received: true}}
	return &centralapi.CaseDetail{Case: c, Tasks: []casefile.Task{{Stage: 0, Department: "cl", Step: catalog.Review}}}
}

var reviewer = centralapi.User{Username: "liu", Name: "刘审核", Role: caseflow.Reviewer, Department: "cl"}

func TestBuildChangeChecksRequiredFields(t *testing.T) {
	for _, tc := range []struct {
		name   string
		action caseflow.Action
		user   centralapi.User
		in     centraldesk.ActInput
		reason string // "" when the change is built
		check  func(*casefile.Change) bool
	}{
		{"advance agree fills the opinion", caseflow.Advance, reviewer, centraldesk.ActInput{Agree: true}, "", func(ch *casefile.Change) bool {
			return ch.Step.Step == catalog.Review && ch.Step.Department == "cl" && ch.Step.Approve && ch.Step.Opinion == "同意。"
		}},
		{"advance disagree needs an opinion", caseflow.Advance, reviewer, centraldesk.ActInput{Opinion: "  "}, "opinion_required", nil},
		{"advance of another department", caseflow.Advance, centralapi.User{Role: caseflow.Reviewer, Department: "mz"}, centraldesk.ActInput{Agree: true}, "no_task", nil},
		{"grant", caseflow.Grant, reviewer, centraldesk.ActInput{Certificate: " 残证0012 "}, "", func(ch *casefile.Change) bool {
			return ch.Decision.Result == caseflow.Granted && ch.Decision.Certificate == "残证0012"
		}},
		{"refuse needs reasons", caseflow.Refuse, reviewer, centraldesk.ActInput{Reasons: []string{" ", ""}, Remedies: []string{"复议"}}, "reasons_required", nil},
		{"refuse needs remedies", caseflow.Refuse, reviewer, centraldesk.ActInput{Reasons: []string{"不符合条件"}}, "remedies_required", nil},
		{"refuse", caseflow.Refuse, reviewer, centraldesk.ActInput{Reasons: []string{"不符合条件", ""}, Remedies: []string{casefile.StandardRemedies}}, "", func(ch *casefile.Change) bool {
			return slices.Equal(ch.Decision.Reasons, []string{"不符合条件"}) && ch.Decision.Result == caseflow.Refused
		}},
		{"return needs items", caseflow.ReturnForSupplement, reviewer, centraldesk.ActInput{Missing: []casefile.MissingItem{{Name: " "}}}, "notice_items", nil},
		{"return", caseflow.ReturnForSupplement, reviewer, centraldesk.ActInput{Missing: []casefile.MissingItem{{Name: "照片", Note: "三张"}}}, "", func(ch *casefile.Change) bool {
			return len(ch.Notice.Items) == 1 && ch.Notice.Items[0].Note == "三张"
		}},
		{"suspend needs the matter's procedure", caseflow.Suspend, reviewer, centraldesk.ActInput{Procedure: catalog.Hearing, ExpectedDays: 3}, "suspension_procedure", nil},
		{"suspend needs days", caseflow.Suspend, reviewer, centraldesk.ActInput{Procedure: catalog.PublicNotice}, "suspension_days", nil},
		{"suspend", caseflow.Suspend, reviewer, centraldesk.ActInput{Procedure: catalog.PublicNotice, ExpectedDays: 7}, "", func(ch *casefile.Change) bool {
			return ch.Suspension.ExpectedDays == 7
		}},
		{"extend needs an approver", caseflow.Extend, reviewer, centraldesk.ActInput{Reason: "鉴定"}, "extension_approver", nil},
		{"extend is ten days", caseflow.Extend, reviewer, centraldesk.ActInput{Reason: "鉴定", Approver: "吴局长"}, "", func(ch *casefile.Change) bool {
			return ch.Extension.Days == 10
		}},
		{"withdraw needs a reason", caseflow.Withdraw, reviewer, centraldesk.ActInput{}, "withdraw_reason", nil},
		{"withdraw", caseflow.Withdraw, reviewer, centraldesk.ActInput{Reason: "申请人撤回"}, "", func(ch *casefile.Change) bool { return ch.Note == "申请人撤回" }},
		{"not a review action", caseflow.Deliver, reviewer, centraldesk.ActInput{}, "action_unknown", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := detail()
			ch, err := centraldesk.BuildChange(d, tc.user, tc.action, tc.in, now)
			if tc.reason != "" {
				if bmerr.ReasonOf(err) != tc.reason || ch != nil {
					t.Fatalf("got %v, want reason %s", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.ID.Version() != 7 || ch.CaseID != d.Case.ID || ch.Action != tc.action || ch.BaseVersion != 3 || !ch.At.Equal(now) || ch.Actor.Level != catalog.Central {
				t.Errorf("change %+v", ch)
			}
			if !tc.check(ch) {
				t.Errorf("payload %+v", ch)
			}
		})
	}
}

func TestMissingFromCaseListsEveryRequiredMaterial(t *testing.T) {
	d := detail()
	items := centraldesk.MissingFromCase(d.Case)
	if len(items) == 0 || items[0].Material == d.Case.Materials[0].Code {
		t.Errorf("items %+v", items)
	}
}

func TestDraftRoundTripAndProblems(t *testing.T) {
	d, err := centraldesk.LoadDraft(5, catalog.DemoJSON(), workcal.BuiltinJSON())
	if err != nil {
		t.Fatal(err)
	}
	if ps := d.Check("zh"); len(ps) != 0 {
		t.Fatalf("demo has problems: %+v", ps)
	}
	m := &d.Catalog.Matters[d.AddMatter()]
	d.AddMaterial(m)
	ps := d.Check("zh")
	if len(ps) == 0 || !strings.Contains(ps[0].Field, "materials") {
		t.Fatalf("new matter's blank materials: %+v", ps)
	}
	for i := range m.Materials {
		m.Materials[i].Name, m.Materials[i].NameEn = "材料", "Material"
	}
	d.MarkBad("k", "matters[x].max_visits", "不是整数", "not a number", "zh")
	if ps := d.Check("zh"); len(ps) != 1 || ps[0].Message != "不是整数" {
		t.Fatalf("bad input: %+v", ps)
	}
	d.ClearBadPrefix("k")
	y := d.AddNextYear(now)
	if d.Calendar.Years[y].Year != 2027 {
		t.Errorf("next year %d", d.Calendar.Years[y].Year)
	}
	d.AddHoliday(y)
	d.AddWorkday(y)
	if w := d.Calendar.Years[y].Workdays[0]; w.Weekday() != time.Saturday {
		t.Errorf("make-up day %s", w)
	}
	if ps := d.Check("zh"); len(ps) != 0 {
		t.Fatalf("problems: %+v", ps)
	}
	cat, cal, err := d.Files()
	if err != nil {
		t.Fatal(err)
	}
	got, err := catalog.Parse(cat)
	if err != nil || got.Version != 6 || len(got.Matters) != len(catalog.Demo().Matters)+1 {
		t.Fatalf("parse: %v", err)
	}
	if c, err := workcal.Parse(cal); err != nil || c.IsWorkday(workcal.D(2027, 1, 1)) {
		t.Errorf("calendar: %v", err)
	}
}

func TestFiguresFormatting(t *testing.T) {
	if got := centraldesk.Percent(&centralv1.Ratio{Num: 1, Den: 3}); got != "33.3%" {
		t.Errorf("percent %q", got)
	}
	if got := centraldesk.Percent(&centralv1.Ratio{}); got != "—" {
		t.Errorf("undefined %q", got)
	}
	if got := centraldesk.Percent(nil); got != "—" {
		t.Errorf("nil %q", got)
	}
	if got := centraldesk.AvgDays(&centralv1.Figures{AvgDaysX100: 1250, AvgDaysN: 4}); got != "12.50" {
		t.Errorf("avg %q", got)
	}
	p := centraldesk.LastMonth(time.Date(2026, 3, 10, 9, 0, 0, 0, workcal.Shanghai))
	if p.From.String() != "2026-02-01" || p.To.String() != "2026-02-28" || len(p.Days()) != 28 {
		t.Errorf("last month %v", p)
	}
	p = centraldesk.ThisMonth(time.Date(2026, 12, 31, 23, 0, 0, 0, workcal.Shanghai))
	if p.From.String() != "2026-12-01" || p.To.String() != "2026-12-31" {
		t.Errorf("this month %v", p)
	}
	if _, err := centraldesk.ParsePeriod("2026-02-10", "2026-02-01"); bmerr.ReasonOf(err) != "period_order" {
		t.Errorf("reversed period: %v", err)
	}
	g := centraldesk.GridOf([]*centralv1.Point{{Key: "red", Day: "2026-02-02", Count: 2}, {Key: "reminder", Day: "2026-02-01", Count: 1}, {Key: "x", Day: "2025-01-01", Count: 9}},
		centraldesk.Period{From: workcal.D(2026, 2, 1), To: workcal.D(2026, 2, 3)}, "reminder", "yellow", "red")
	if !slices.Equal(g.Keys, []string{"reminder", "red"}) || !slices.Equal(g.Values["red"], []float64{0, 2, 0}) {
		t.Errorf("grid %+v", g)
	}
}
