package catalog_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
)

// find returns the matter named name in c, failing the test when there is none.
func find(c *catalog.Catalog, name string) *catalog.Matter {
	for i := range c.Matters {
		if c.Matters[i].Name == name {
			return &c.Matters[i]
		}
	}
	panic("no matter named " + name)
}

func TestValidateBrokenCatalogs(t *testing.T) {
	tests := []struct {
		name   string
		matter string // the matter the error must name; "" for catalog-level errors
		mutate func(c *catalog.Catalog, m *catalog.Matter)
		field  string // after "matters[<name>]." when matter is set
		reason string
		count  int // errors expected in all (0 means 1)
	}{
		{"duplicate matter code", "城乡居保待遇申领", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Code = find(c, "城乡居民养老保险参保登记").Code
		}, "code", "matter_code_duplicate", 0},
		{"code too long", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Code = strings.Repeat("1", catalog.MaxCodeLen+1)
		}, "code", "matter_code_too_long", 0},
		{"code with space", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) { m.Code = "1133 0001" }, "code", "matter_code_space", 0},
		{"missing code", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) { m.Code = "" }, "code", "matter_code_missing", 0},
		{"missing English name", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) { m.NameEn = " " }, "name_en", "matter_name_en_missing", 0},
		{"unknown kind", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) { m.Kind = "subsidy" }, "kind", "kind_unknown", 0},
		{"promised longer than legal", "最低生活保障审核确认", func(c *catalog.Catalog, m *catalog.Matter) {
			m.PromisedLimit.N = 31
		}, "promised_limit", "promised_exceeds_legal", 0},
		{"promised working days longer than legal calendar days", "法律援助申请", func(c *catalog.Catalog, m *catalog.Matter) {
			m.PromisedLimit.N = 8
		}, "promised_limit", "promised_exceeds_legal", 0},
		{"unknown unit", "城乡居保待遇申领", func(c *catalog.Catalog, m *catalog.Matter) {
			m.PromisedLimit.Unit = "weeks"
		}, "promised_limit", "limit_unit", 0},
		{"negative legal limit", "特困人员认定", func(c *catalog.Catalog, m *catalog.Matter) {
			m.LegalLimit = &workcal.Limit{N: -1, Unit: workcal.WorkingDays}
		}, "legal_limit", "limit_negative", 0},
		{"unknown department", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) { m.Department = "lz" }, "department", "department_unknown", 0},
		{"co-department equal to department", "临时救助", func(c *catalog.Catalog, m *catalog.Matter) {
			m.CoDepartments = []string{"mz"}
		}, "co_departments", "co_department_same", 0},
		{"co-department twice", "临时救助", func(c *catalog.Catalog, m *catalog.Matter) {
			m.CoDepartments = []string{"xz", "xz"}
		}, "co_departments", "co_department_duplicate", 0},
		{"co-department unknown", "临时救助", func(c *catalog.Catalog, m *catalog.Matter) {
			m.CoDepartments = append(m.CoDepartments, "jy")
		}, "co_departments", "co_department_unknown", 0},
		{"co-department outside the parallel stage", "残疾人两项补贴", func(c *catalog.Catalog, m *catalog.Matter) {
			m.CoDepartments = append(m.CoDepartments, "wj")
		}, "co_departments", "co_department_not_in_parallel", 0},
		{"joint without co-departments", "临时救助", func(c *catalog.Catalog, m *catalog.Matter) {
			m.CoDepartments = nil
		}, "co_departments", "joint_without_co_departments", 0},
		{"on the spot with promised 5", "生育登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.PromisedLimit.N = 5
		}, "promised_limit", "on_the_spot_limit", 0},
		{"promised 0 but not on the spot", "人民调解申请", func(c *catalog.Catalog, m *catalog.Matter) {
			m.PromisedLimit.N = 0
		}, "handling", "zero_limit_not_on_the_spot", 0},
		{"on the spot but decided only where not accepted", "城乡居民养老保险参保登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Levels.Decide = []catalog.Level{catalog.Central}
		}, "levels.decide", "on_the_spot_not_decidable", 0},
		{"forwarded but decided at township", "居住证申领", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Levels.Decide = []catalog.Level{catalog.Township}
		}, "levels.decide", "forwarded_not_central", 0},
		{"unknown handling", "居住证申领", func(c *catalog.Catalog, m *catalog.Matter) { m.Handling = "urgent" }, "handling", "handling_unknown", 0},
		{"no accepting level", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) { m.Levels.Accept = nil }, "levels.accept", "levels_accept_empty", 0},
		{"no deciding level", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) { m.Levels.Decide = []catalog.Level{} }, "levels.decide", "levels_decide_empty", 0},
		{"unknown level", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Levels.Accept = append(m.Levels.Accept, "province")
		}, "levels.accept", "level_unknown", 0},
		{"level twice", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Levels.Proxy = []catalog.Level{catalog.Community, catalog.Community}
		}, "levels.proxy", "level_duplicate", 0},
		{"max visits 3", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) { m.MaxVisits = 3 }, "max_visits", "max_visits_range", 0},
		{"online depth 0", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) { m.OnlineDepth = 0 }, "online_depth", "online_depth_range", 0},
		{"online depth 5", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) { m.OnlineDepth = 5 }, "online_depth", "online_depth_range", 0},
		{"charged without rate", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) { m.Fee.Charged = true }, "fee.rate", "fee_rate_missing", 0},
		{"free with a rate", "社保卡申领/补换", func(c *catalog.Catalog, m *catalog.Matter) { m.Fee.Charged = false }, "fee.rate", "fee_not_charged", 0},
		{"unknown procedure", "特困人员认定", func(c *catalog.Catalog, m *catalog.Matter) {
			m.SpecialProcedures = append(m.SpecialProcedures, "lottery")
		}, "special_procedures", "procedure_unknown", 0},
		{"no materials", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) { m.Materials = nil }, "materials", "materials_empty", 0},
		{"duplicate material code", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Materials[2].Code = m.Materials[0].Code
		}, "materials[流动人口居住登记表].code", "material_code_duplicate", 0},
		{"material without name", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Materials[1].Name = ""
		}, "materials[residence_proof].name", "material_name_missing", 0},
		{"negative copies", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Materials[1].Copies = -1
		}, "materials[居住证明（租赁合同或房屋产权证明）].copies", "material_count_negative", 0},
		{"unknown necessity", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Materials[0].Necessity = "maybe"
		}, "materials[居民身份证].necessity", "material_necessity_unknown", 0},
		{"unknown material form", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Materials[0].Form = "fax"
		}, "materials[居民身份证].form", "material_form_unknown", 0},
		{"blank keyword", "居住登记", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Keywords = append(m.Keywords, "")
		}, "keywords", "keyword_empty", 0},
		{"central matter without workflow", "退役军人优待证", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow = nil
		}, "workflow", "workflow_missing", 0},
		{"workflow without stages", "退役军人优待证", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages = nil
		}, "workflow.stages", "workflow_empty", 2}, // and the department takes no part
		{"steps out of order", "城乡居保待遇申领", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Steps = []catalog.Step{catalog.Review, catalog.Handle, catalog.Approve}
		}, "workflow.stages[0].steps", "stage_steps", 0},
		{"step repeated", "城乡居保待遇申领", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Steps = []catalog.Step{catalog.Handle, catalog.Handle, catalog.Approve}
		}, "workflow.stages[0].steps", "stage_steps", 0},
		{"four steps", "城乡居保待遇申领", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Steps = append(m.Workflow.Stages[0].Steps, catalog.Approve)
		}, "workflow.stages[0].steps", "stage_steps", 0},
		{"last stage does not approve", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Steps = []catalog.Step{catalog.Handle}
		}, "workflow.stages[0].steps", "workflow_no_decision", 0},
		{"stage of unknown department", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages = append(m.Workflow.Stages, catalog.Stage{Kind: catalog.DepartmentStage, Department: "lz", Steps: []catalog.Step{catalog.Approve}})
		}, "workflow.stages[1].department", "stage_department_unknown", 0},
		{"unknown stage kind", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Kind = "serial"
		}, "workflow.stages[0].kind", "stage_kind_unknown", 0},
		{"department stage with branches", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Rule = catalog.AllAgree
		}, "workflow.stages[0].branches", "stage_parallel_fields", 0},
		{"workflow without the implementing department", "高龄津贴", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Department = "rs"
		}, "workflow", "workflow_without_department", 0},
		{"parallel lead not a branch", "农村宅基地和建房审批", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Department = "sc"
		}, "workflow.stages[0].department", "parallel_lead_not_branch", 0},
		{"parallel without lead", "农村宅基地和建房审批", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Department = ""
		}, "workflow.stages[0].department", "parallel_lead_missing", 0},
		{"parallel with one branch", "餐饮店开业“一件事”", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Branches = m.Workflow.Stages[0].Branches[:1]
			m.CoDepartments = nil
			m.Handling = catalog.Promised
		}, "workflow.stages[0].branches", "parallel_branches_few", 0},
		{"parallel with unknown rule", "农村宅基地和建房审批", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Rule = "majority"
		}, "workflow.stages[0].rule", "parallel_rule_unknown", 0},
		{"parallel with steps on the stage", "农村宅基地和建房审批", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Steps = []catalog.Step{catalog.Handle}
		}, "workflow.stages[0].steps", "parallel_stage_steps", 0},
		{"branch department twice", "餐饮店开业“一件事”", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Branches[2].Department = "wj"
		}, "workflow.stages[0].branches[2].department", "branch_department_duplicate", 2}, // and xf left out
		{"branch of unknown department", "临时救助", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Branches[1].Department = "jd"
		}, "workflow.stages[0].branches[1].department", "branch_department_unknown", 2}, // and xz left out
		{"branch without days", "农村宅基地和建房审批", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Branches[1].Days = 0
		}, "workflow.stages[0].branches[1].days", "branch_days", 0},
		{"branch longer than the promise", "餐饮店开业“一件事”", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Branches[0].Days = 8
		}, "workflow.stages[0].branches[0].days", "branch_days_exceed_limit", 0},
		{"branch without steps", "农村宅基地和建房审批", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Branches[1].Steps = nil
		}, "workflow.stages[0].branches[1].steps", "branch_steps", 0},
		{"last parallel branch does not approve", "餐饮店开业“一件事”", func(c *catalog.Catalog, m *catalog.Matter) {
			m.Workflow.Stages[0].Branches[1].Steps = []catalog.Step{catalog.Handle, catalog.Review}
		}, "workflow.stages[0].branches[1].steps", "workflow_no_decision", 0},
		// Catalog-level problems.
		{"version 0", "", func(c *catalog.Catalog, m *catalog.Matter) { c.Version = 0 }, "version", "catalog_version", 0},
		{"bad publication time", "", func(c *catalog.Catalog, m *catalog.Matter) { c.Published = "2026-01-05" }, "published", "catalog_published", 0},
		{"duplicate department code", "", func(c *catalog.Catalog, m *catalog.Matter) {
			c.Departments = append(c.Departments, catalog.Department{Code: "rs", Name: "人社", NameEn: "HR"})
		}, "departments[rs].code", "department_code_duplicate", 0},
		{"department without code", "", func(c *catalog.Catalog, m *catalog.Matter) {
			c.Departments = append(c.Departments, catalog.Department{Name: "县教育局", NameEn: "Education"})
		}, "departments[县教育局].code", "department_code_missing", 0},
		{"department without name", "", func(c *catalog.Catalog, m *catalog.Matter) {
			c.Departments[0].Name = ""
		}, "departments[rs].name", "department_name_missing", 0},
		{"no matters", "", func(c *catalog.Catalog, m *catalog.Matter) { c.Matters = nil }, "matters", "catalog_empty", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := catalog.Demo()
			var m *catalog.Matter
			if tt.matter != "" {
				m = find(c, tt.matter)
			}
			tt.mutate(c, m)

			err := c.Validate()
			var ve catalog.ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want ValidationErrors", err)
			}
			if want := max(tt.count, 1); len(ve) != want {
				t.Errorf("got %d errors, want %d:\n%s", len(ve), want, ve.Message("zh"))
			}
			field := tt.field
			if m != nil {
				field = "matters[" + m.Name + "]." + tt.field
			}
			var e *bmerr.Error
			for _, x := range ve {
				if x.Reason == tt.reason && x.Field == field {
					e = x
				}
			}
			if e == nil {
				t.Fatalf("no error with reason %s on %s; got:\n%v", tt.reason, field, fieldsAndReasons(ve))
			}
			if e.Code != bmerr.Invalid || e.Zh == "" || e.En == "" {
				t.Errorf("error incomplete: %#v", e)
			}
			if m != nil {
				if !strings.Contains(e.Zh, "“"+m.Name+"”") || (m.Code != "" && !strings.Contains(e.Zh, m.Code)) {
					t.Errorf("Chinese message does not name the matter and its code: %s", e.Zh)
				}
				if m.Code != "" && !strings.Contains(e.En, m.Code) {
					t.Errorf("English message does not name the code: %s", e.En)
				}
			}
			if strings.Contains(e.Zh+e.En, "%!") {
				t.Errorf("badly formatted message: %s / %s", e.Zh, e.En)
			}
		})
	}
}

func fieldsAndReasons(ve catalog.ValidationErrors) string {
	var b strings.Builder
	for _, e := range ve {
		b.WriteString(e.Field + " " + e.Reason + ": " + e.Zh + "\n")
	}
	return b.String()
}

func TestValidateListsEveryProblem(t *testing.T) {
	c := catalog.Demo()
	c.Version = 0
	pension := find(c, "城乡居民养老保险参保登记")
	pension.PromisedLimit.N = 2 // on the spot, so must be 0
	dibao := find(c, "最低生活保障审核确认")
	dibao.PromisedLimit.N = 40 // legal is 30
	dibao.Materials[1].Type = "photo"
	house := find(c, "农村宅基地和建房审批")
	house.Workflow.Stages[0].Rule = ""

	err := c.Validate()
	var ve catalog.ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v", err)
	}
	want := []string{
		"version catalog_version",
		"matters[城乡居民养老保险参保登记].promised_limit on_the_spot_limit",
		"matters[最低生活保障审核确认].promised_limit promised_exceeds_legal",
		"matters[最低生活保障审核确认].materials[家庭成员居民身份证、户口簿].type material_type_unknown",
		"matters[农村宅基地和建房审批].workflow.stages[0].rule parallel_rule_unknown",
	}
	var got []string
	for _, e := range ve {
		got = append(got, e.Field+" "+e.Reason)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The list is an error like any other: bmerr finds the first problem,
	// errors.Is/As see each one, and the text carries them all.
	if bmerr.ReasonOf(err) != "catalog_version" || bmerr.CodeOf(err) != bmerr.Invalid {
		t.Errorf("bmerr sees %q", bmerr.ReasonOf(err))
	}
	if !errors.Is(err, ve[2]) {
		t.Errorf("errors.Is does not find an element")
	}
	if !strings.HasPrefix(err.Error(), "5 problems in the catalog: version: ") {
		t.Errorf("Error() = %s", err.Error())
	}
	if lines := strings.Split(ve.Message("zh"), "\n"); len(lines) != 5 || !strings.Contains(lines[2], "承诺办结时限40个工作日超过了法定办结时限30个工作日") {
		t.Errorf("Message(zh) = %s", ve.Message("zh"))
	}
	if !strings.Contains(ve.Message("en"), "the promised limit (40 working days) is longer than the legal limit (30 working days)") {
		t.Errorf("Message(en) = %s", ve.Message("en"))
	}
	if (catalog.ValidationErrors{ve[0]}).Error() != ve[0].Error() {
		t.Errorf("a single problem should read as itself")
	}
}

// TestPromisedAgainstLegal pins the loose comparison across units.
func TestPromisedAgainstLegal(t *testing.T) {
	tests := []struct {
		promised, legal workcal.Limit
		ok              bool
	}{
		{wd(10), wd(10), true},
		{wd(11), wd(10), false},
		{cd(15), cd(15), true},
		{cd(16), cd(15), false},
		{wd(10), cd(15), true}, // 居住证: 10 working days against 15 days
		{wd(15), cd(15), true}, // loose: passes though it is longer in practice
		{wd(16), cd(15), false},
		{cd(14), wd(10), true}, // two working weeks
		{cd(15), wd(10), false},
		{cd(3), wd(2), true}, // ⌈7·2/5⌉ = 3
		{cd(4), wd(2), false},
	}
	for _, tt := range tests {
		c := catalog.Demo()
		m := find(c, "乡村建设规划许可证")
		m.LegalLimit = &tt.legal
		m.PromisedLimit = tt.promised
		err := c.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("promised %v, legal %v: Validate() = %v, want ok=%v", tt.promised, tt.legal, err, tt.ok)
		}
		if err != nil && bmerr.ReasonOf(err) != "promised_exceeds_legal" {
			t.Errorf("promised %v, legal %v: reason %s", tt.promised, tt.legal, bmerr.ReasonOf(err))
		}
	}
}

// A matter with no name or code is still pointed at, by its position.
func TestValidateUnnamedMatter(t *testing.T) {
	c := catalog.Demo()
	c.Matters = append(c.Matters, catalog.Matter{})
	err := c.Validate()
	var ve catalog.ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	idx := len(c.Matters) - 1
	for _, e := range ve {
		if !strings.HasPrefix(e.Field, "matters["+strconv.Itoa(idx)+"]") || !strings.Contains(e.Zh, "第"+strconv.Itoa(idx+1)+"个事项") {
			t.Errorf("error not pointing at matter %d: %s %s", idx, e.Field, e.Zh)
		}
	}
	if len(ve) < 8 {
		t.Errorf("only %d problems found in an empty matter:\n%s", len(ve), ve.Message("zh"))
	}
}
