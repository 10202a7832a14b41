package central

import (
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
)

func (h *harness) tab(text string) {
	h.t.Helper()
	for i, it := range h.u.shell.tabs.Items {
		if it.Text == text {
			h.u.shell.tabs.SelectIndex(i)
			return
		}
	}
	h.t.Fatalf("no tab %q", text)
}

// The catalog round trip: load central's catalog, edit a matter's promised
// limit and add a material, see the problem an invalid value makes, fix
// it, publish: central receives a file catalog.Parse accepts, with the
// edits.
func TestCatalogEditRoundTrip(t *testing.T) {
	h := newHarness(t, "admin")
	h.tab("事项目录")
	s := h.u.shell.catalog
	if s.draft == nil || s.version.Text != "目录版本 3" {
		t.Fatalf("catalog not loaded: %q", s.version.Text)
	}
	i := slices.IndexFunc(s.draft.Catalog.Matters, func(m catalog.Matter) bool { return m.Name == "最低生活保障审核确认" })
	s.matters.Select(i)
	e := s.editor
	if e.promisedN.Text != "25" || e.legalN.Text != "30" {
		t.Fatalf("limits shown %q / %q", e.promisedN.Text, e.legalN.Text)
	}

	// Longer than the legal limit: the validator names the matter and field.
	e.promisedN.SetText("")
	test.Type(e.promisedN, "35")
	test.Tap(s.validate)
	if len(s.problems) == 0 {
		t.Fatal("no problem for a promised limit past the legal one")
	}
	p := s.problems[0]
	if p.Field != "matters[最低生活保障审核确认].promised_limit" || !strings.Contains(p.Message, "最低生活保障审核确认") || !strings.Contains(p.Message, "超过了法定办结时限") {
		t.Errorf("problem %+v", p)
	}
	// Not a number at all: reported too, and nothing is published.
	e.promisedN.SetText("二十")
	test.Tap(s.publish)
	if len(s.problems) == 0 || !strings.Contains(s.problems[0].Message, "不是整数") || len(h.f.seen().published) != 0 {
		t.Fatalf("non-number: %+v, published %d", s.problems, len(h.f.seen().published))
	}
	test.AssertObjectRendersToMarkup(t, "catalog_problems.xml", s.probBox)

	// Fix it and add a material.
	e.promisedN.SetText("28")
	test.Tap(e.addMaterial)
	e = s.editor
	row := e.materials[len(e.materials)-1]
	test.Type(row.name, "村（居）委会评议意见")
	test.Type(row.nameEn, "Village committee's opinion")
	row.necessity.SetSelected("容缺后补")
	row.copies.SetText("1")
	test.Tap(s.validate)
	if len(s.problems) != 0 {
		t.Fatalf("still problems: %+v", s.problems)
	}

	test.Tap(s.publish)
	if len(h.f.seen().published) != 1 || !h.f.seen().published[0].DryRun {
		t.Fatalf("dry run first: %d", len(h.f.seen().published))
	}
	if s.confirm == nil {
		t.Fatalf("no confirmation; problems %+v", s.problems)
	}
	s.confirm.Confirm()
	if len(h.f.seen().published) != 2 || h.f.seen().published[1].DryRun {
		t.Fatalf("published %d", len(h.f.seen().published))
	}
	got, err := catalog.Parse(h.f.seen().published[1].CatalogJson)
	if err != nil {
		t.Fatalf("central received a catalog that does not parse: %v", err)
	}
	m, _ := got.Matter(s.draft.Catalog.Matters[i].Code)
	if got.Version != 4 || m.PromisedLimit.N != 28 || m.LegalLimit.N != 30 {
		t.Errorf("version %d promised %v legal %v", got.Version, m.PromisedLimit, m.LegalLimit)
	}
	last := m.Materials[len(m.Materials)-1]
	if last.Name != "村（居）委会评议意见" || last.Necessity != catalog.Deferrable || last.Copies != 1 || last.Code == "" {
		t.Errorf("new material %+v", last)
	}
	if _, err := workcal.Parse(h.f.seen().published[1].CalendarJson); err != nil {
		t.Errorf("calendar: %v", err)
	}
	if s.version.Text != "目录版本 4" || s.draft.Base != 4 {
		t.Errorf("after publishing: %q", s.version.Text)
	}
}

// The department list: a new department is added, given to a matter and
// published; removing a department a matter still names is caught by 校验
// and never reaches central.
func TestCatalogDepartments(t *testing.T) {
	h := newHarness(t, "admin")
	h.tab("事项目录")
	s := h.u.shell.catalog
	s.tabs.SelectIndex(1)
	if s.tabs.Selected().Text != "部门" {
		t.Fatalf("tab %q", s.tabs.Selected().Text)
	}
	e := s.depts
	n := len(s.draft.Catalog.Departments)
	if len(e.entries) != n || e.entries[0][0].Text != s.draft.Catalog.Departments[0].Code {
		t.Fatalf("%d rows for %d departments", len(e.entries), n)
	}

	// A blank new department: 校验 says what it lacks.
	test.Tap(e.add)
	row := e.entries[n]
	test.Tap(s.validate)
	if len(s.problems) == 0 || s.problems[0].Field != fmt.Sprintf("departments[%d].code", n) {
		t.Fatalf("problems for a blank department: %+v", s.problems)
	}
	test.Type(row[0], "yj")
	test.Type(row[1], "县应急管理局")
	test.Type(row[2], "County Emergency Management Bureau")

	// Give a matter (and its workflow) to it: the matter editor offers it
	// by name.
	i := slices.IndexFunc(s.draft.Catalog.Matters, func(m catalog.Matter) bool { return m.Name == "法律援助申请" })
	s.tabs.SelectIndex(0)
	s.matters.Select(i)
	s.editor.dept.SetSelected("县应急管理局")
	s.editor.stages[0].dept.SetSelected("县应急管理局") // its workflow's one stage too
	s.editor.keywords.SetText("法援，法律援助、 法援")      // mixed separators, a repeat
	test.Tap(s.validate)
	if len(s.problems) != 0 {
		t.Fatalf("problems: %+v", s.problems)
	}

	// Remove a department a matter still names: caught, nothing published.
	s.tabs.SelectIndex(1)
	k := slices.IndexFunc(s.draft.Catalog.Departments, func(d catalog.Department) bool { return d.Code == "mz" })
	test.Tap(s.depts.removes[k])
	test.Tap(s.publish)
	if len(s.problems) == 0 || !strings.Contains(s.problems[0].Message, "mz") || len(h.f.seen().published) != 0 {
		t.Fatalf("removed a department in use: problems %+v, published %d", s.problems, len(h.f.seen().published))
	}
	s.draft.Catalog.Departments = slices.Insert(s.draft.Catalog.Departments, k, catalog.Department{Code: "mz", Name: "县民政局", NameEn: "County Civil Affairs Bureau"})
	s.depts.build()

	test.Tap(s.publish)
	if s.confirm == nil {
		t.Fatalf("no confirmation; problems %+v", s.problems)
	}
	s.confirm.Confirm()
	got, err := catalog.Parse(h.f.seen().published[len(h.f.seen().published)-1].CatalogJson)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := got.Matter(s.draft.Catalog.Matters[i].Code)
	if m.Department != "yj" || !slices.ContainsFunc(got.Departments, func(d catalog.Department) bool { return d.Code == "yj" && d.Name == "县应急管理局" }) {
		t.Errorf("published matter department %q, departments %+v", m.Department, got.Departments)
	}
	if !slices.Equal(m.Keywords, []string{"法援", "法律援助"}) {
		t.Errorf("published keywords %q", m.Keywords)
	}
}

// Workflow stages and the calendar: a parallel stage's branches, and next
// year's schedule.
func TestCatalogWorkflowAndCalendar(t *testing.T) {
	h := newHarness(t, "admin")
	h.tab("事项目录")
	s := h.u.shell.catalog
	i := slices.IndexFunc(s.draft.Catalog.Matters, func(m catalog.Matter) bool { return m.Name == housingPlot })
	s.matters.Select(i)
	e := s.editor
	if len(e.stages) != 2 || len(e.stages[0].branches) != 2 || e.stages[0].rule.Selected != "全部同意" {
		t.Fatalf("stages %d", len(e.stages))
	}
	e.stages[0].rule.SetSelected("任一同意")
	e.stages[0].branches[1].days.SetText("30") // longer than the promised 15 working days
	test.Tap(s.validate)
	if len(s.problems) != 1 || s.problems[0].Field != "matters[农村宅基地和建房审批].workflow.stages[0].branches[1].days" {
		t.Fatalf("problems %+v", s.problems)
	}
	e.stages[0].branches[1].days.SetText("8")
	test.Tap(e.stages[0].addBr)
	e = s.editor
	e.stages[0].branches[2].dept.SetSelected("县司法局")
	test.Tap(s.validate)
	if len(s.problems) != 0 {
		t.Fatalf("problems %+v", s.problems)
	}
	st := s.draft.Catalog.Matters[i].Workflow.Stages[0]
	if st.Rule != catalog.AnyAgree || len(st.Branches) != 3 || st.Branches[2].Department != "sf" || st.Branches[1].Days != 8 {
		t.Errorf("stage %+v", st)
	}

	c := s.calendar
	test.Tap(c.addYear)
	if c.years.Selected != "2027" {
		t.Fatalf("next year %q", c.years.Selected)
	}
	test.Tap(c.addHol)
	test.Type(c.holidays[0].name, "元旦")
	c.holidays[0].to.SetText("2027-01-03")
	test.Tap(c.addWork)
	c.workdays[0].SetText("2027-01-05") // a Tuesday: not a make-up day
	test.Tap(s.validate)
	if len(s.problems) != 1 || !strings.Contains(s.problems[0].Message, "不是周末") {
		t.Fatalf("calendar problem %+v", s.problems)
	}
	c.workdays[0].SetText("2027-01-09")
	test.Tap(s.validate)
	if len(s.problems) != 0 {
		t.Fatalf("problems %+v", s.problems)
	}
	test.AssertObjectRendersToMarkup(t, "calendar_editor.xml", c.content)
	_, cal, _ := s.draft.Files()
	parsed, err := workcal.Parse(cal)
	if err != nil || parsed.IsWorkday(workcal.D(2027, 1, 1)) || !parsed.IsWorkday(workcal.D(2027, 1, 9)) {
		t.Errorf("2027 schedule: %v", err)
	}
}

func TestStationsEnrollmentCodeAndRevocation(t *testing.T) {
	h := newHarness(t, "admin")
	h.tab("站点与设备")
	s := h.u.shell.stations
	if len(s.stations) != 2 {
		t.Fatalf("stations %d", len(s.stations))
	}
	// A community station needs its township.
	test.Type(s.code, "sq02")
	test.Type(s.name, "青山镇光明村便民服务站")
	s.level.SetSelected("村（社区）便民服务站")
	test.Tap(s.create)
	if !strings.Contains(visibleText(s.err), "乡镇") || len(h.f.seen().created) != 0 {
		t.Fatalf("no parent: %q", s.err.Text)
	}
	s.parent.SetSelected("XZ01")
	test.Tap(s.create)
	if len(h.f.seen().created) != 1 || h.f.seen().created[0].Code != "SQ02" || h.f.seen().created[0].Level != "community" || h.f.seen().created[0].Parent != "XZ01" {
		t.Fatalf("created %v (error %q)", h.f.seen().created, s.err.Text)
	}
	if len(s.stations) != 3 {
		t.Errorf("list not refreshed: %d", len(s.stations))
	}

	test.Tap(s.issue["SQ02"])
	e := s.enroll
	if e == nil || e.code.Text != "K7QM-4TXR-9PWD" {
		t.Fatal("no code shown")
	}
	if e.qr == nil || e.qr.Image == nil || e.qr.Image.Bounds() != image.Rect(0, 0, 256, 256) {
		t.Fatal("no QR image")
	}
	if e.payload != "bianmin://enroll?code=K7QM-4TXR-9PWD&server=http%3A%2F%2F192.168.1.10%3A8700" {
		t.Errorf("QR payload %q", e.payload)
	}
	test.AssertRendersToMarkup(t, "enroll_code_dialog.xml", h.w.Canvas())
	e.d.Hide()

	dev := "0194f3c0-0000-7000-8000-000000000001"
	test.Tap(s.revoke[dev])
	if s.confirm == nil || len(h.f.seen().revoked) != 0 {
		t.Fatal("revoked without asking")
	}
	s.confirm.Confirm()
	if !slices.Equal(h.f.seen().revoked, []string{dev}) {
		t.Fatalf("revoked %v", h.f.seen().revoked)
	}
	rd := s.revoked
	if rd == nil || rd.station != "XZ01" || len(rd.cases) != 2 || len(rd.rows.Objects) != 2 {
		t.Fatal("open cases not listed")
	}
	test.AssertObjectRendersToMarkup(t, "revoked_open_cases.xml", rd.rows)
	if s.revoke[dev] != nil {
		t.Error("a revoked device can still be revoked")
	}
}

func TestUsersCreateEditDisableReset(t *testing.T) {
	h := newHarness(t, "admin")
	h.tab("用户管理")
	s := h.u.shell.users
	test.Type(s.username, "mz-reviewer")
	test.Type(s.name, "孙审核")
	s.role.SetSelected("审核人")
	test.Type(s.password, "short")
	test.Type(s.password2, "short")
	test.Tap(s.create)
	if !strings.Contains(visibleText(s.err), "部门") {
		t.Fatalf("no department: %q", s.err.Text)
	}
	s.dept.SetSelected("县民政局")
	test.Tap(s.create)
	if !strings.Contains(visibleText(s.err), "至少") || len(h.f.seen().saved) != 0 {
		t.Fatalf("short password: %q", s.err.Text)
	}
	s.password.SetText("qingshan2026")
	s.password2.SetText("qingshan2026")
	test.Tap(s.create)
	if len(h.f.seen().saved) != 1 {
		t.Fatalf("saved %d: %q", len(h.f.seen().saved), s.err.Text)
	}
	req := h.f.seen().saved[0]
	if !req.Create || req.Password != "qingshan2026" || req.User.Role != "reviewer" || req.User.Department != "mz" || req.User.Name != "孙审核" {
		t.Errorf("create %+v", req)
	}

	test.Tap(s.edit["mz-reviewer"])
	s.editing.role.SetSelected("部门负责人")
	test.Tap(s.editing.save)
	if req := h.f.seen().saved[1]; req.Create || req.User.Role != "head" || req.Password != "" || req.User.Department != "mz" {
		t.Errorf("edit %+v", req)
	}
	test.Tap(s.toggle["mz-reviewer"])
	if req := h.f.seen().saved[2]; !req.Disabled || req.User.Role != "head" {
		t.Errorf("disable %+v", req)
	}
	if !s.toggle["admin"].Disabled() {
		t.Error("an admin may disable themselves")
	}
	test.AssertObjectRendersToMarkup(t, "users.xml", s.list)

	test.Tap(s.reset["cl-handler"])
	test.Type(s.editing.password, "newpass2026")
	test.Type(s.editing.password2, "newpass2027")
	test.Tap(s.editing.save)
	if !strings.Contains(visibleText(s.editing.err), "不一致") || len(h.f.seen().resets) != 0 {
		t.Fatalf("mismatch: %q", s.editing.err.Text)
	}
	s.editing.password2.SetText("newpass2026")
	test.Tap(s.editing.save)
	if len(h.f.seen().resets) != 1 || h.f.seen().resets[0].Username != "cl-handler" || h.f.seen().resets[0].Password != "newpass2026" {
		t.Errorf("reset %v", h.f.seen().resets)
	}
}

// A reviewer holds no admin screens, and central refuses the calls anyway.
func TestReviewerCannotReachAdminCalls(t *testing.T) {
	h := newHarness(t, "cl-reviewer")
	if h.u.shell.catalog != nil || h.u.shell.stations != nil || h.u.shell.users != nil {
		t.Fatal("admin screens for a reviewer")
	}
	if _, err := h.u.client.Catalog(t.Context()); err == nil || !strings.Contains(msg(err), "管理员") {
		t.Errorf("central answered a reviewer's catalog call: %v", err)
	}
}

// From October, the calendar editor says when next year's holiday schedule
// is missing; adding the year clears it.
func TestCalendarWarnsOfAMissingNextYear(t *testing.T) {
	h := newHarness(t, "admin")
	h.u.opt.Now = func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, workcal.Shanghai) }
	h.tab("事项目录")
	c := h.u.shell.catalog.calendar
	if !c.missing.Visible() || !strings.Contains(c.missing.Text, "尚未录入 2027 年节假日安排") {
		t.Fatalf("warning %v %q", c.missing.Visible(), c.missing.Text)
	}
	test.Tap(c.addYear)
	if c.missing.Visible() {
		t.Errorf("still warned after adding 2027: %q", c.missing.Text)
	}

	h2 := newHarness(t, "admin") // February: nothing to say yet
	h2.tab("事项目录")
	if h2.u.shell.catalog.calendar.missing.Visible() {
		t.Error("warned in February")
	}
}
