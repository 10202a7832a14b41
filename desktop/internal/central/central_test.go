package central

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

func TestSignInOpensTheScreensOfTheRole(t *testing.T) {
	h := newHarness(t, "")
	s := h.u.signIn
	test.Type(s.name, "cl-handler")
	test.Type(s.password, "wrong")
	test.Tap(s.submit)
	if h.u.shell != nil || visibleText(s.err) != "用户名或密码不正确。" || s.password.Text != "" {
		t.Fatalf("wrong password: shell %v, error %q", h.u.shell != nil, s.err.Text)
	}
	test.AssertRendersToMarkup(t, "sign_in_wrong_password.xml", h.w.Canvas())

	// A station role is not a central user, whatever the server says.
	s.name.SetText("clerk")
	s.password.SetText("pass1234")
	test.Tap(s.submit)
	if h.u.shell != nil || !strings.Contains(s.err.Text, "不是县级中心人员") {
		t.Fatalf("station role: %q", s.err.Text)
	}

	h.signIn("cl-handler")
	var tabs []string
	for _, it := range h.u.shell.tabs.Items {
		tabs = append(tabs, it.Text)
	}
	if want := []string{"待办审批", "督查统计", "差评整改"}; !slices.Equal(tabs, want) {
		t.Errorf("reviewer tabs %v, want %v", tabs, want)
	}
	if got := h.u.app.Preferences().String(PrefServer); got != serverURL {
		t.Errorf("server not remembered: %q", got)
	}

	h.u.signOut()
	h.signIn("admin")
	tabs = nil
	for _, it := range h.u.shell.tabs.Items {
		tabs = append(tabs, it.Text)
	}
	if want := []string{"待办审批", "事项目录", "站点与设备", "用户管理", "督查统计", "差评整改"}; !slices.Equal(tabs, want) {
		t.Errorf("admin tabs %v, want %v", tabs, want)
	}
}

func TestInboxColoursAndCounts(t *testing.T) {
	h := newHarness(t, "cl-handler")
	in := h.u.shell.inbox
	if got := []string{in.counts["reminder"].Text, in.counts["yellow"].Text, in.counts["red"].Text, in.counts["total"].Text}; !slices.Equal(got, []string{"预警 1", "黄牌 1", "红牌 1", "共 6 件待办"}) {
		t.Errorf("counts %v", got)
	}
	var numbers, colours []string
	for _, it := range in.items {
		numbers = append(numbers, it.GetNumber())
		colours = append(colours, it.GetWarning())
	}
	// Soonest due first: the oldest (red) case first, the suspended one
	// (no due date while its clock stands) last.
	if want := []string{"red", "yellow", "reminder", "", "", ""}; !slices.Equal(colours, want) {
		t.Errorf("colours in order %v (cases %v)", colours, numbers)
	}
	test.AssertObjectRendersToMarkup(t, "inbox.xml", in.list)

	in.filter.SetSelectedIndex(3) // red
	if len(in.items) != 1 || in.items[0].GetWarning() != "red" {
		t.Errorf("red filter: %d items", len(in.items))
	}
	if in.counts["red"].Text != "红牌 1" || in.counts["total"].Text != "共 6 件待办" {
		t.Errorf("counts change with the filter: %q %q", in.counts["red"].Text, in.counts["total"].Text)
	}
}

func TestReviewShowsMaskedApplicantMaterialsAndTimeline(t *testing.T) {
	h := newHarness(t, "cl-handler")
	r := h.open(1)
	c := h.f.caseBySeq(1)
	if strings.Contains(r.idLabel.Text, c.Applicant.IDNumber[6:14]) || !strings.Contains(r.idLabel.Text, "********") {
		t.Errorf("ID not masked: %q", r.idLabel.Text)
	}
	if len(r.scans) != 2 {
		t.Fatalf("scans %d", len(r.scans))
	}
	test.AssertObjectRendersToMarkup(t, "review.xml", r.content)

	// An image opens inline; a PDF goes to the system viewer.
	png := c.Materials[0].Attachments[0].SHA256
	test.Tap(r.scans[png])
	if r.image == nil || r.image.Image == nil || r.image.Image.Bounds().Dx() != 40 {
		t.Fatalf("the PNG scan is not shown inline")
	}
	pdf := c.Materials[1].Attachments[0].SHA256
	test.Tap(r.scans[pdf])
	if len(h.opened) != 1 || !strings.HasSuffix(h.opened[0], "申请表.pdf") {
		t.Fatalf("PDF opened: %v", h.opened)
	}
	if data, err := os.ReadFile(h.opened[0]); err != nil || !strings.HasPrefix(string(data), "%PDF") {
		t.Errorf("PDF written: %v", err)
	}
}

func TestUnmaskRequiresAReason(t *testing.T) {
	h := newHarness(t, "cl-handler")
	r := h.open(2)
	test.Tap(r.unmask)
	f := r.reveal
	test.Tap(f.confirm)
	if !strings.Contains(visibleText(f.err), "理由") || len(h.f.seen().unmasks) != 0 {
		t.Fatalf("no reason: error %q, central asked %d times", f.err.Text, len(h.f.seen().unmasks))
	}
	test.Type(f.reason, "电话核实申请人身份")
	test.Tap(f.confirm)
	c := h.f.caseBySeq(2)
	if len(h.f.seen().unmasks) != 1 || h.f.seen().unmasks[0] != "电话核实申请人身份" {
		t.Fatalf("central recorded %v", h.f.seen().unmasks)
	}
	if r.idLabel.Text != c.Applicant.IDNumber || r.phoneLabel.Text != c.Applicant.Phone || !r.unmask.Disabled() {
		t.Errorf("after unmask: %q %q", r.idLabel.Text, r.phoneLabel.Text)
	}
}

// Each review action: the button central offers, its required fields
// refused before anything is sent, then the change central receives.
func TestReviewActions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		user   string
		seq    int
		action caseflow.Action
		empty  string // the error before the required fields are filled
		fill   func(f *actionForm)
		check  func(t *testing.T, ch *casefile.Change, c *casefile.Case)
	}{
		{"advance agree", "cl-handler", 4, caseflow.Advance, "", nil, func(t *testing.T, ch *casefile.Change, c *casefile.Case) {
			if s := ch.Step; s == nil || s.Step != catalog.Handle || s.Department != "cl" || s.Stage != 0 || !s.Approve || s.Opinion != "同意。" {
				t.Errorf("step %+v", ch.Step)
			}
			if c.Pipeline.Step != 1 {
				t.Errorf("pipeline %+v", c.Pipeline)
			}
		}},
		{"advance disagree", "cl-handler", 4, caseflow.Advance, "不同意须写明意见", func(f *actionForm) {
			f.agree.SetSelected("不同意")
			f.opinion.SetText("")
		}, nil},
		{"advance disagree with opinion", "cl-handler", 4, caseflow.Advance, "", func(f *actionForm) {
			f.agree.SetSelected("不同意")
			test.Type(f.opinion, "残疾评定表未盖章。")
		}, func(t *testing.T, ch *casefile.Change, _ *casefile.Case) {
			if s := ch.Step; s == nil || s.Approve || s.Opinion != "残疾评定表未盖章。" {
				t.Errorf("step %+v", ch.Step)
			}
		}},
		{"grant", "cl-approver", 5, caseflow.Grant, "", func(f *actionForm) { test.Type(f.certificate, "残证字2026第0012号") },
			func(t *testing.T, ch *casefile.Change, c *casefile.Case) {
				if d := ch.Decision; d == nil || d.Result != caseflow.Granted || d.Certificate != "残证字2026第0012号" {
					t.Errorf("decision %+v", ch.Decision)
				}
				if c.Status.State != caseflow.Decided || c.Status.Result != caseflow.Granted {
					t.Errorf("case %s %s", c.Status.State, c.Status.Result)
				}
			}},
		{"refuse", "cl-approver", 5, caseflow.Refuse, "不予许可须写明理由", func(f *actionForm) {
			test.Type(f.reasons, "残疾等级评定不符合发证条件。\n\n经复核维持原评定。")
		}, func(t *testing.T, ch *casefile.Change, c *casefile.Case) {
			d := ch.Decision
			if d == nil || d.Result != caseflow.Refused || !slices.Equal(d.Reasons, []string{"残疾等级评定不符合发证条件。", "经复核维持原评定。"}) ||
				!slices.Equal(d.Remedies, []string{casefile.StandardRemedies}) {
				t.Errorf("decision %+v", d)
			}
			if c.Status.Result != caseflow.Refused {
				t.Errorf("case result %s", c.Status.Result)
			}
		}},
		{"refuse without remedies", "cl-approver", 5, caseflow.Refuse, "复议或提起诉讼", func(f *actionForm) {
			test.Type(f.reasons, "不符合条件。")
			f.remedies.SetText("")
		}, nil},
		{"return for supplement", "cl-handler", 4, caseflow.ReturnForSupplement, "一次性列明", func(f *actionForm) {
			if f.missing.Text != "" {
				t.Errorf("proposed %q for a case with every material", f.missing.Text)
			}
			f.missing.SetText("")
			test.Type(f.missing, "二寸照片：需三张近期免冠照片\n残疾评定表：须加盖评定机构公章")
		}, func(t *testing.T, ch *casefile.Change, c *casefile.Case) {
			n := ch.Notice
			if n == nil || len(n.Items) != 2 || n.Items[0].Name != "二寸照片" || n.Items[0].Note != "需三张近期免冠照片" || n.Items[1].Note != "须加盖评定机构公章" {
				t.Errorf("notice %+v", n)
			}
			if c.Status.State != caseflow.Returned {
				t.Errorf("state %s", c.Status.State)
			}
		}},
		{"suspend", "cl-handler", 4, caseflow.Suspend, "预计所需天数", func(f *actionForm) { test.Type(f.days, "5") },
			func(t *testing.T, ch *casefile.Change, c *casefile.Case) {
				if s := ch.Suspension; s == nil || s.Procedure != catalog.PublicNotice || s.ExpectedDays != 5 {
					t.Errorf("suspension %+v", ch.Suspension)
				}
				if c.Status.State != caseflow.Suspended || !c.DueOn.IsZero() {
					t.Errorf("case %s due %s", c.Status.State, c.DueOn)
				}
			}},
		{"resume", "cl-handler", 6, caseflow.Resume, "", func(f *actionForm) { test.Type(f.note, "公示期满无异议。") },
			func(t *testing.T, ch *casefile.Change, c *casefile.Case) {
				if ch.Note != "公示期满无异议。" || c.Status.State != caseflow.UnderReview {
					t.Errorf("note %q state %s", ch.Note, c.Status.State)
				}
			}},
		{"extend", "cl-head", 4, caseflow.Extend, "延期须写明理由", func(f *actionForm) {
			if f.approver.Text != "吴局长" {
				t.Errorf("approver prefilled %q", f.approver.Text)
			}
			test.Type(f.reason, "需补充医院鉴定意见。")
		}, func(t *testing.T, ch *casefile.Change, c *casefile.Case) {
			if e := ch.Extension; e == nil || e.Days != 10 || e.Reason != "需补充医院鉴定意见。" || e.Approver != "吴局长" {
				t.Errorf("extension %+v", ch.Extension)
			}
			if !c.Status.Extended {
				t.Error("case not extended")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.user)
			r := h.open(tc.seq)
			b := r.actions[tc.action]
			if b == nil {
				t.Fatalf("no %s button; actions %v", tc.action, r.detail.Actions)
			}
			test.Tap(b)
			f := r.form
			if f == nil || f.action != tc.action {
				t.Fatal("no dialog")
			}
			if tc.empty != "" {
				if tc.fill != nil && tc.check == nil {
					tc.fill(f) // the fill is what leaves a required field empty
				}
				test.Tap(f.confirm)
				if !strings.Contains(visibleText(f.err), tc.empty) {
					t.Fatalf("required fields: error %q, want %q", f.err.Text, tc.empty)
				}
				if n := len(h.f.received()); n != 0 {
					t.Fatalf("%d changes sent before the required fields were filled", n)
				}
				if tc.check == nil {
					return
				}
			}
			if tc.fill != nil {
				tc.fill(f)
			}
			before := h.f.caseBySeq(tc.seq).Version
			test.Tap(f.confirm)
			sent := h.f.received()
			if len(sent) != 1 {
				t.Fatalf("sent %d changes; error %q", len(sent), f.err.Text)
			}
			ch := sent[0]
			c := h.f.caseBySeq(tc.seq)
			if ch.Action != tc.action || ch.CaseID != c.ID || ch.ID.Version() != 7 || ch.BaseVersion != before {
				t.Errorf("change %s on %s id v%d base %d", ch.Action, ch.CaseID, ch.ID.Version(), ch.BaseVersion)
			}
			if visibleText(f.err) != "" || r.form != nil || r.sent != 1 {
				t.Errorf("after sending: error %q", f.err.Text)
			}
			tc.check(t, ch, c)
		})
	}
}

// The server's refusal shows in the dialog in its own words.
func TestActionRefusedByCentralShowsItsReason(t *testing.T) {
	h := newHarness(t, "cl-handler")
	h.f.set(func() { h.f.extra = []caseflow.Action{caseflow.Withdraw} }) // offered, but the state machine keeps withdrawal at the window
	r := h.open(4)
	test.Tap(r.actions[caseflow.Withdraw])
	f := r.form
	test.Tap(f.confirm)
	if !strings.Contains(visibleText(f.err), "撤回须注明原因") || len(h.f.received()) != 0 {
		t.Fatalf("no reason: %q", f.err.Text)
	}
	test.Type(f.reason, "申请人申请撤回。")
	test.Tap(f.confirm)
	sent := h.f.received()
	if len(sent) != 1 || sent[0].Action != caseflow.Withdraw || sent[0].Note != "申请人申请撤回。" {
		t.Fatalf("sent %+v", sent)
	}
	if visibleText(f.err) == "" || r.form == nil {
		t.Error("central's refusal is not shown")
	}
}

func TestActRetriesTheSameChangeAfterANetworkFailure(t *testing.T) {
	h := newHarness(t, "cl-handler")
	h.f.set(func() { h.f.actFailures = 2 })
	r := h.open(4)
	test.Tap(r.actions[caseflow.Advance])
	test.Tap(r.form.confirm)
	sent := h.f.received()
	if len(sent) != 3 || sent[0].ID != sent[1].ID || sent[1].ID != sent[2].ID {
		t.Fatalf("sent %d changes: %v", len(sent), sent)
	}
	if c := h.f.caseBySeq(4); c.Pipeline.Step != 1 || r.sent != 1 {
		t.Errorf("applied: pipeline %+v", c.Pipeline)
	}
	// A second action is a new change with a new id.
	test.Tap(r.back)
	h.signIn2("cl-reviewer")
	r = h.open(4)
	test.Tap(r.actions[caseflow.Advance])
	test.Tap(r.form.confirm)
	if sent := h.f.received(); len(sent) != 4 || sent[3].ID == sent[0].ID {
		t.Errorf("second change reuses the id")
	}
}

func (h *harness) signIn2(user string) {
	h.u.signOut()
	h.signIn(user)
}

func TestParallelStageShowsEachBranch(t *testing.T) {
	h := newHarness(t, "nn-handler")
	in := h.u.shell.inbox
	if len(in.items) != 1 || !in.items[0].GetParallel() {
		t.Fatalf("nn inbox %v", in.items)
	}
	r := h.open(7)
	test.AssertObjectRendersToMarkup(t, "review_parallel.xml", r.body)
	test.Tap(r.actions[caseflow.Advance])
	if got := r.form.confirm.Text; got != "完成审批环节" {
		t.Errorf("confirm %q", got)
	}
	test.Tap(r.form.confirm)
	if c := h.f.caseBySeq(7); c.Pipeline.Branches[1].Step != 1 {
		t.Errorf("branch %+v", c.Pipeline.Branches)
	}
}

func TestRectifications(t *testing.T) {
	h := newHarness(t, "cl-handler")
	h.u.shell.tabs.SelectIndex(2)
	s := h.u.shell.rectify
	var order []string
	for _, r := range s.items {
		order = append(order, r.GetCaseId())
	}
	if want := []string{"c-open-late", "c-open", "c-closed"}; !slices.Equal(order, want) {
		t.Errorf("order %v", order)
	}
	test.AssertObjectRendersToMarkup(t, "rectifications.xml", s.content)
	test.Tap(s.record["c-open"])
	f := s.form
	if f.step.Selected != "整改" {
		t.Errorf("next step %q", f.step.Selected)
	}
	f.step.SetSelected("电话回访")
	test.Type(f.note, "已电话回访。")
	test.Tap(f.save)
	if !strings.Contains(visibleText(f.err), "回访结果") || len(h.f.seen().followUps) != 0 {
		t.Fatalf("no outcome: %q", f.err.Text)
	}
	f.outcome.SetSelected("满意")
	test.Tap(f.save)
	if len(h.f.seen().followUps) != 1 || h.f.seen().followUps[0].Step != "followed_up" || h.f.seen().followUps[0].Outcome != "satisfied" || h.f.seen().followUps[0].Note != "已电话回访。" {
		t.Fatalf("recorded %v", h.f.seen().followUps)
	}
}

func TestDashboardFiguresChartsAndExport(t *testing.T) {
	h := newHarness(t, "cl-reviewer")
	h.u.shell.tabs.SelectIndex(1)
	d := h.u.shell.dashboard
	if d.from.Text != "2026-02-01" || d.to.Text != "2026-02-28" {
		t.Errorf("this month %s–%s", d.from.Text, d.to.Text)
	}
	if len(d.rows) != 4 {
		t.Fatalf("rows %d", len(d.rows))
	}
	head, xz, sq, total := d.rows[0], d.rows[1], d.rows[2], d.rows[3]
	if head[4] != "按时办结率" || xz[4] != "93.8%" || xz[7] != "5.12" || sq[4] != "—" || sq[7] != "—" || sq[16] != "2" || total[0] != "合计" || total[16] != "—" {
		t.Errorf("table:\n%v\n%v\n%v\n%v", head, xz, sq, total)
	}
	if d.best.Text != "三优：青山镇便民服务中心" || d.bottom.Text != "三差：青山镇幸福村便民服务站" {
		t.Errorf("ranking %q %q", d.best.Text, d.bottom.Text)
	}
	// The on-time chart leaves out a department with nothing closed.
	if !slices.Equal(d.onTime.Labels, []string{"县残疾人联合会", "县民政局", "县自然资源局"}) || d.onTime.Series[0].Values[0] != 90 {
		t.Errorf("on-time chart %v %v", d.onTime.Labels, d.onTime.Series)
	}
	if len(d.volume.Series) != 2 || len(d.volume.Labels) != 28 || d.volume.Series[1].Values[2] != 7 {
		t.Errorf("volume chart %d series over %d days", len(d.volume.Series), len(d.volume.Labels))
	}
	if len(d.warns.Series) != 3 || d.warns.Series[2].Values[19] != 1 {
		t.Errorf("warnings chart %+v", d.warns.Series)
	}
	test.AssertObjectRendersToMarkup(t, "dashboard_table.xml", d.table)
	test.AssertObjectRendersToMarkup(t, "dashboard_ontime_chart.xml", d.onTime)

	d.period.SetSelectedIndex(1)
	if d.from.Text != "2026-01-01" || d.to.Text != "2026-01-31" {
		t.Errorf("last month %s–%s", d.from.Text, d.to.Text)
	}
	d.period.SetSelectedIndex(2)
	d.from.SetText("2026-02-20")
	d.to.SetText("2026-02-10")
	test.Tap(d.run)
	if !strings.Contains(visibleText(d.err), "开始日期不能晚于结束日期") {
		t.Errorf("bad period: %q", d.err.Text)
	}
	d.to.SetText("2026-02-28")
	test.Tap(d.export)
	want := filepath.Join(h.export, "办件统计_2026-02-20_2026-02-28.xlsx")
	if d.exported != want {
		t.Fatalf("exported to %q", d.exported)
	}
	if data, err := os.ReadFile(want); err != nil || !strings.HasPrefix(string(data), "PK") {
		t.Errorf("workbook: %v", err)
	}
	// The dialog says where it went and opens it in the system's viewer.
	d.saved.(*dialog.ConfirmDialog).Confirm()
	if len(h.opened) != 1 || h.opened[0] != want {
		t.Errorf("opened %v, want %s", h.opened, want)
	}
	// The same period again: a new file beside the first, never over it.
	if err := os.WriteFile(want, []byte("PK annotated"), 0o600); err != nil {
		t.Fatal(err)
	}
	test.Tap(d.export)
	if again := filepath.Join(h.export, "办件统计_2026-02-20_2026-02-28 (2).xlsx"); d.exported != again {
		t.Fatalf("second export to %q, want %q", d.exported, again)
	}
	if data, _ := os.ReadFile(want); string(data) != "PK annotated" {
		t.Error("the second export overwrote the first workbook")
	}
}
