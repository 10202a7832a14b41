package catalog

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
)

// MaxCodeLen is the longest implementation code (实施编码) allowed.
const MaxCodeLen = 36

// ValidationErrors is every problem Validate found, in catalog order
// (departments, then matters in file order, fields in declaration order).
// Each element names the field at fault, e.g.
// "matters[城乡居民养老保险参保登记].promised_limit", and its messages name the
// matter by its Chinese name and code, so an admin can fix all of them in
// one pass instead of one per publish attempt.
type ValidationErrors []*bmerr.Error

// Error returns the English messages joined.
func (v ValidationErrors) Error() string {
	if len(v) == 1 {
		return v[0].Error()
	}
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Error()
	}
	return fmt.Sprintf("%d problems in the catalog: %s", len(v), strings.Join(msgs, "; "))
}

// Message returns the messages in lang ("zh…" for Chinese), one per line,
// for showing to the catalog admin.
func (v ValidationErrors) Message(lang string) string {
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Message(lang)
	}
	return strings.Join(msgs, "\n")
}

// Unwrap lets errors.As and bmerr.As find the individual errors.
func (v ValidationErrors) Unwrap() []error {
	errs := make([]error, len(v))
	for i, e := range v {
		errs[i] = e
	}
	return errs
}

// Validate checks the whole catalog and returns nil or ValidationErrors with
// every problem found. Besides each field's own rules it checks that:
//
//   - an on-the-spot matter (即办件) has promised limit 0, and only it does, and
//     can be decided at a level where it is accepted (so the window can close it);
//   - the promised limit is not longer than the legal limit. When the two are
//     in different units the check is loose, since the exact comparison
//     depends on the calendar: N working days against M calendar days needs
//     N ≤ M (a working day is never shorter than a calendar day), and N
//     calendar days against M working days needs N ≤ ⌈7M/5⌉ (a working week
//     counted as seven calendar days);
//   - a matter decided at central that is not on the spot has a workflow; a
//     forwarded matter (上报件) is decided at central; a multi-department
//     matter (联办件) names co-departments, and every co-department takes part
//     in a parallel stage;
//   - the workflow involves the implementing department, its last stage ends
//     with 审批 (in every branch, if parallel), and no branch's sub-deadline
//     is longer than the promised limit.
func (c *Catalog) Validate() error {
	v := &validator{depts: map[string]bool{}}
	if c.Version < 1 {
		v.add("catalog_version", "version",
			fmt.Sprintf("事项目录版本号必须是大于等于1的整数（现为%d）。", c.Version),
			fmt.Sprintf("the catalog version must be 1 or more (it is %d).", c.Version))
	}
	if c.Published != "" {
		if _, err := time.Parse(time.RFC3339, c.Published); err != nil {
			v.add("catalog_published", "published",
				fmt.Sprintf("发布时间“%s”格式不对，应形如 2026-01-05T09:00:00+08:00。", c.Published),
				fmt.Sprintf("publication time %q is not valid; write it like 2026-01-05T09:00:00+08:00.", c.Published))
		}
	}
	v.departments(c.Departments)
	if len(c.Matters) == 0 {
		v.add("catalog_empty", "matters", "事项目录中没有任何事项。", "the catalog has no matters.")
	}
	codes := map[string]*Matter{}
	for i := range c.Matters {
		v.matter(i, &c.Matters[i], codes)
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

type validator struct {
	errs  ValidationErrors
	depts map[string]bool
}

func (v *validator) add(reason, field, zh, en string) {
	v.errs = append(v.errs, bmerr.New(bmerr.Invalid, reason, zh, en).WithField(field))
}

// badEnum says that v, a value of the enum listed in table, is missing or
// unknown, and lists the values to choose from.
func badEnum[T ~string](zhName, enName string, v T, table []entry[T]) (zh, en string) {
	zc, ec := choices(table)
	if v == "" {
		return fmt.Sprintf("%s未填写，应为 %s 之一。", zhName, zc), fmt.Sprintf("%s is missing; use one of %s.", enName, ec)
	}
	return fmt.Sprintf("%s“%s”未知，应为 %s 之一。", zhName, v, zc), fmt.Sprintf("%s %q is unknown; use one of %s.", enName, v, ec)
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func hasSpace(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// ref is how a field path names an element of a list: by its name or code
// when it has one, else by its index.
func ref(i int, names ...string) string {
	for _, n := range names {
		if !blank(n) {
			return n
		}
	}
	return fmt.Sprint(i)
}

func (v *validator) departments(ds []Department) {
	for i, d := range ds {
		path := "departments[" + ref(i, d.Code, d.Name) + "]"
		who := fmt.Sprintf("第%d个部门“%s”", i+1, d.Name)
		whoEn := fmt.Sprintf("department #%d %q", i+1, d.NameEn)
		switch {
		case blank(d.Code):
			v.add("department_code_missing", path+".code", who+"缺少部门编码。", whoEn+" has no code.")
		case v.depts[d.Code]:
			v.add("department_code_duplicate", path+".code",
				fmt.Sprintf("%s的编码“%s”与前面的部门重复。", who, d.Code),
				fmt.Sprintf("%s has code %q, which an earlier department already uses.", whoEn, d.Code))
		case hasSpace(d.Code):
			v.add("department_code_space", path+".code",
				fmt.Sprintf("%s的编码“%s”含有空格或不可见字符。", who, d.Code),
				fmt.Sprintf("%s has code %q, which contains spaces or invisible characters.", whoEn, d.Code))
		}
		// Record even a malformed code, so the matters that use it are not
		// reported a second time as naming an unknown department.
		v.depts[d.Code] = true
		if blank(d.Name) {
			v.add("department_name_missing", path+".name",
				fmt.Sprintf("部门“%s”缺少中文名称。", d.Code), fmt.Sprintf("department %q has no Chinese name.", d.Code))
		}
		if blank(d.NameEn) {
			v.add("department_name_en_missing", path+".name_en",
				fmt.Sprintf("部门“%s”缺少英文名称。", d.Code), fmt.Sprintf("department %q has no English name.", d.Code))
		}
	}
}

// matterCheck reports problems of one matter, prefixing each message with the
// matter's name and code and each field with the matter's path.
type matterCheck struct {
	v        *validator
	m        *Matter
	path     string
	zh, en   string
	promised bool // the promised limit is itself valid
}

// add reports a problem with the given messages.
func (mc *matterCheck) add(reason, field, zh, en string) {
	f := mc.path
	if field != "" {
		f += "." + field
	}
	mc.v.add(reason, f, mc.zh+zh, mc.en+en)
}

// addf is add with fmt formatting applied to both messages with the same args.
func (mc *matterCheck) addf(reason, field, zh, en string, args ...any) {
	mc.add(reason, field, fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...))
}

func newMatterCheck(v *validator, i int, m *Matter) *matterCheck {
	code, codeEn := "无编码", "no code"
	if !blank(m.Code) {
		code, codeEn = "编码 "+m.Code, "code "+m.Code
	}
	zh := fmt.Sprintf("第%d个事项（%s）：", i+1, code)
	en := fmt.Sprintf("matter #%d (%s): ", i+1, codeEn)
	if !blank(m.Name) {
		zh = fmt.Sprintf("事项“%s”（%s）：", m.Name, code)
		if blank(m.NameEn) {
			en = fmt.Sprintf("matter %s (%s): ", m.Name, codeEn)
		} else {
			en = fmt.Sprintf("matter %q (%s, %s): ", m.NameEn, m.Name, codeEn)
		}
	}
	return &matterCheck{v: v, m: m, path: "matters[" + ref(i, m.Name, m.Code) + "]", zh: zh, en: en}
}

func (v *validator) matter(i int, m *Matter, codes map[string]*Matter) {
	mc := newMatterCheck(v, i, m)
	mc.identity(codes)
	mc.departments()
	mc.levels()
	mc.limits()
	mc.handling()
	mc.service()
	mc.materials()
	mc.keywords()
	mc.workflow()
}

func (mc *matterCheck) identity(codes map[string]*Matter) {
	m := mc.m
	switch {
	case blank(m.Code):
		mc.addf("matter_code_missing", "code", "缺少实施编码。", "the implementation code is missing.")
	case utf8.RuneCountInString(m.Code) > MaxCodeLen:
		mc.addf("matter_code_too_long", "code", "实施编码有%d位，最多%d位。", "the implementation code has %d characters; at most %d are allowed.",
			utf8.RuneCountInString(m.Code), MaxCodeLen)
	case hasSpace(m.Code):
		mc.addf("matter_code_space", "code", "实施编码中不能有空格或不可见字符。", "the implementation code must not contain spaces or invisible characters.")
	}
	if !blank(m.Code) {
		if first, dup := codes[m.Code]; dup {
			mc.addf("matter_code_duplicate", "code", "实施编码与事项“%s”重复，每个事项的编码必须唯一。",
				"the implementation code is already used by matter %s; codes must be unique.", first.Name)
		} else {
			codes[m.Code] = m
		}
	}
	if blank(m.Name) {
		mc.addf("matter_name_missing", "name", "缺少事项名称。", "the matter name (Chinese) is missing.")
	}
	if blank(m.NameEn) {
		mc.addf("matter_name_en_missing", "name_en", "缺少英文名称。", "the English name is missing.")
	}
	if !m.Kind.Valid() {
		zh, en := badEnum("事项类型", "the kind", m.Kind, kindLabels)
		mc.add("kind_unknown", "kind", zh, en)
	}
}

func (mc *matterCheck) departments() {
	m := mc.m
	switch {
	case blank(m.Department):
		mc.addf("department_missing", "department", "缺少实施主体（部门编码）。", "the implementing department is missing.")
	case !mc.v.depts[m.Department]:
		mc.addf("department_unknown", "department", "实施主体“%s”不在部门列表中。", "implementing department %q is not in the list of departments.", m.Department)
	}
	seen := map[string]bool{}
	for _, d := range m.CoDepartments {
		switch {
		case !mc.v.depts[d]:
			mc.addf("co_department_unknown", "co_departments", "协办部门“%s”不在部门列表中。", "co-department %q is not in the list of departments.", d)
		case d == m.Department:
			mc.addf("co_department_same", "co_departments", "协办部门“%s”就是实施主体本身，请删去。", "co-department %q is the implementing department itself; remove it.", d)
		case seen[d]:
			mc.addf("co_department_duplicate", "co_departments", "协办部门“%s”重复列出。", "co-department %q is listed twice.", d)
		}
		seen[d] = true
	}
}

func (mc *matterCheck) levels() {
	l := mc.m.Levels
	if len(l.Accept) == 0 {
		mc.addf("levels_accept_empty", "levels.accept", "没有任何层级可以受理，请至少选择一个受理层级。", "no level may accept the matter; choose at least one.")
	}
	if len(l.Decide) == 0 {
		mc.addf("levels_decide_empty", "levels.decide", "没有任何层级可以决定（办结），请至少选择一个决定层级。", "no level may decide the matter; choose at least one.")
	}
	for _, list := range []struct {
		field  string
		levels []Level
	}{{"levels.accept", l.Accept}, {"levels.decide", l.Decide}, {"levels.proxy", l.Proxy}} {
		seen := map[Level]bool{}
		for _, lv := range list.levels {
			switch {
			case !lv.Valid():
				zh, en := badEnum("层级", "level", lv, levelLabels)
				mc.add("level_unknown", list.field, zh, en)
			case seen[lv]:
				mc.addf("level_duplicate", list.field, "层级“%s”重复列出。", "level %q is listed twice.", lv)
			}
			seen[lv] = true
		}
	}
}

func limitEn(l workcal.Limit) string { return fmt.Sprintf("%d %s", l.N, l.Unit.Label("en")) }

// checkLimit validates one limit, keeping workcal's reason (limit_negative,
// limit_unit) and putting the matter and the limit's name in front.
func (mc *matterCheck) checkLimit(field, zhName, enName string, l workcal.Limit) bool {
	err := l.Validate()
	if err == nil {
		return true
	}
	e := bmerr.As(err)
	if e == nil {
		e = bmerr.New(bmerr.Invalid, "limit_invalid", err.Error(), err.Error())
	}
	mc.add(e.Reason, field, zhName+"："+e.Zh, enName+": "+e.En)
	return false
}

// exceedsLegal reports whether promised is longer than legal; see Validate
// for the loose comparison across units.
func exceedsLegal(promised, legal workcal.Limit) bool {
	switch {
	case promised.Unit == legal.Unit, promised.Unit == workcal.WorkingDays:
		return promised.N > legal.N
	default: // promised in calendar days, legal in working days
		return promised.N > (7*legal.N+4)/5
	}
}

func (mc *matterCheck) limits() {
	m := mc.m
	legalOK := m.LegalLimit != nil && mc.checkLimit("legal_limit", "法定办结时限", "legal limit", *m.LegalLimit)
	mc.promised = mc.checkLimit("promised_limit", "承诺办结时限", "promised limit", m.PromisedLimit)
	if legalOK && mc.promised && exceedsLegal(m.PromisedLimit, *m.LegalLimit) {
		mc.add("promised_exceeds_legal", "promised_limit",
			fmt.Sprintf("承诺办结时限%s超过了法定办结时限%s，承诺时限不能长于法定时限。", m.PromisedLimit, m.LegalLimit),
			fmt.Sprintf("the promised limit (%s) is longer than the legal limit (%s); it must not be.", limitEn(m.PromisedLimit), limitEn(*m.LegalLimit)))
	}
}

func (mc *matterCheck) handling() {
	m := mc.m
	if !m.Handling.Valid() {
		zh, en := badEnum("办件类型", "the handling type", m.Handling, handlingLabels)
		mc.add("handling_unknown", "handling", zh, en)
		return
	}
	switch {
	case m.Handling == OnTheSpot && m.PromisedLimit.N != 0:
		mc.addf("on_the_spot_limit", "promised_limit", "即办件当场办结，承诺办结时限应为0（现为%d）。",
			"an on-the-spot matter is closed the day it is accepted, so its promised limit must be 0 (it is %d).", m.PromisedLimit.N)
	case m.Handling != OnTheSpot && mc.promised && m.PromisedLimit.N == 0:
		mc.add("zero_limit_not_on_the_spot", "handling",
			fmt.Sprintf("承诺办结时限为0的事项应为即办件（现为%s）。", m.Handling.Label("zh")),
			fmt.Sprintf("a matter with promised limit 0 must be handled on the spot (it is %s).", m.Handling.Label("en")))
	}
	if m.Handling == OnTheSpot && len(m.Levels.Accept) > 0 && len(m.Levels.Decide) > 0 && !decidableWhereAccepted(m) {
		mc.addf("on_the_spot_not_decidable", "levels.decide", "即办件须能在受理的层级当场办结，但受理层级中没有一个可以决定。",
			"an on-the-spot matter must be decidable at a level that accepts it, but none of its accepting levels may decide it.")
	}
	if m.Handling == Forwarded && len(m.Levels.Decide) > 0 && !m.CanDecide(Central) {
		mc.addf("forwarded_not_central", "levels.decide", "上报件须由县级决定，请在决定层级中加入 central。",
			"a forwarded matter is decided at central; add central to levels.decide.")
	}
	if m.Handling == Joint && len(m.CoDepartments) == 0 {
		mc.addf("joint_without_co_departments", "co_departments", "联办件须列出协办部门。",
			"a multi-department matter must list its co-departments.")
	}
}

func decidableWhereAccepted(m *Matter) bool {
	for _, l := range m.Levels.Accept {
		if m.CanDecide(l) {
			return true
		}
	}
	return false
}

func (mc *matterCheck) service() {
	m := mc.m
	if m.Fee.Charged && blank(m.Fee.Rate) {
		mc.addf("fee_rate_missing", "fee.rate", "收费事项须写明收费标准。", "a charged matter must state its rate.")
	}
	if !m.Fee.Charged && !blank(m.Fee.Rate) {
		mc.addf("fee_not_charged", "fee.rate", "事项标为不收费，却写有收费标准“%s”。", "the matter is marked free but states rate %q.", m.Fee.Rate)
	}
	if m.MaxVisits < 0 || m.MaxVisits > 2 {
		mc.addf("max_visits_range", "max_visits", "到办事现场次数应为0、1或2（现为%d）。", "max_visits must be 0, 1 or 2 (it is %d).", m.MaxVisits)
	}
	if m.OnlineDepth < 1 || m.OnlineDepth > 4 {
		mc.addf("online_depth_range", "online_depth", "网上办理深度应为1至4（Ⅰ—Ⅳ级）（现为%d）。", "online_depth must be 1 to 4 (levels I–IV) (it is %d).", m.OnlineDepth)
	}
	seen := map[Procedure]bool{}
	for _, p := range m.SpecialProcedures {
		switch {
		case !p.Valid():
			zh, en := badEnum("特别程序", "special procedure", p, procedureLabels)
			mc.add("procedure_unknown", "special_procedures", zh, en)
		case seen[p]:
			mc.addf("procedure_duplicate", "special_procedures", "特别程序“%s”重复列出。", "special procedure %q is listed twice.", p)
		}
		seen[p] = true
	}
}

func (mc *matterCheck) materials() {
	m := mc.m
	if len(m.Materials) == 0 {
		mc.addf("materials_empty", "materials", "没有列出任何申请材料，至少需要一项。", "no application materials are listed; at least one is needed.")
	}
	seen := map[string]bool{}
	for i, mat := range m.Materials {
		f := "materials[" + ref(i, mat.Name, mat.Code) + "]."
		what := fmt.Sprintf("第%d项材料“%s”", i+1, mat.Name)
		whatEn := fmt.Sprintf("material #%d %s", i+1, mat.Name)
		add := func(reason, field, zh, en string) { mc.add(reason, f+field, what+zh, whatEn+en) }
		switch {
		case blank(mat.Code):
			add("material_code_missing", "code", "缺少材料编码。", " has no code.")
		case seen[mat.Code]:
			add("material_code_duplicate", "code",
				fmt.Sprintf("的编码“%s”与本事项其他材料重复。", mat.Code),
				fmt.Sprintf(" has code %q, which another material of this matter already uses.", mat.Code))
		}
		seen[mat.Code] = true
		if blank(mat.Name) {
			add("material_name_missing", "name", "缺少材料名称。", " has no name.")
		}
		if blank(mat.NameEn) {
			add("material_name_en_missing", "name_en", "缺少英文名称。", " has no English name.")
		}
		unknown := func(reason, field, zh, en string) { add(reason, field, "的"+zh, "'s "+en) }
		if !mat.Type.Valid() {
			zh, en := badEnum("材料类型", "type", mat.Type, materialTypeLabels)
			unknown("material_type_unknown", "type", zh, en)
		}
		if !mat.Source.Valid() {
			zh, en := badEnum("来源渠道", "source", mat.Source, sourceLabels)
			unknown("material_source_unknown", "source", zh, en)
		}
		if !mat.Necessity.Valid() {
			zh, en := badEnum("必要性", "necessity", mat.Necessity, necessityLabels)
			unknown("material_necessity_unknown", "necessity", zh, en)
		}
		if !mat.Form.Valid() {
			zh, en := badEnum("材料形式", "form", mat.Form, materialFormLabels)
			unknown("material_form_unknown", "form", zh, en)
		}
		if mat.Originals < 0 {
			add("material_count_negative", "originals",
				fmt.Sprintf("的原件份数不能为负数（%d）。", mat.Originals),
				fmt.Sprintf(": the number of originals cannot be negative (%d).", mat.Originals))
		}
		if mat.Copies < 0 {
			add("material_count_negative", "copies",
				fmt.Sprintf("的复印件份数不能为负数（%d）。", mat.Copies),
				fmt.Sprintf(": the number of copies cannot be negative (%d).", mat.Copies))
		}
	}
}

func (mc *matterCheck) keywords() {
	seen := map[string]bool{}
	for _, k := range mc.m.Keywords {
		switch {
		case blank(k):
			mc.addf("keyword_empty", "keywords", "检索关键词不能为空。", "a keyword cannot be blank.")
		case seen[k]:
			mc.addf("keyword_duplicate", "keywords", "检索关键词“%s”重复列出。", "keyword %q is listed twice.", k)
		}
		seen[k] = true
	}
}

// checkSteps returns what is wrong with a list of steps, or "" when it is
// one to three known steps in the order 承办 → 审核 → 审批 without repeats.
func checkSteps(steps []Step) (zh, en string) {
	if len(steps) == 0 {
		return "没有列出任何步骤（承办、审核、审批中至少一个）。", " lists no steps (at least one of handle, review, approve)."
	}
	for _, s := range steps {
		if !s.Valid() {
			zh, en := badEnum("步骤", "step", s, stepLabels)
			return "的" + zh, "'s " + en
		}
	}
	for i := 1; i < len(steps); i++ {
		if steps[i].order() <= steps[i-1].order() {
			return "的步骤须按 承办→审核→审批 的顺序排列且不能重复（可以省略其中的步骤）。",
				" must list its steps in the order handle → review → approve, without repeats (steps may be skipped)."
		}
	}
	return "", ""
}

func (mc *matterCheck) workflow() {
	m := mc.m
	if m.Workflow == nil {
		if m.CanDecide(Central) && m.Handling.Valid() && m.Handling != OnTheSpot {
			mc.add("workflow_missing", "workflow", "由县级决定的非即办事项须配置审批流程。",
				"a matter decided at central that is not on the spot needs an approval workflow.")
		}
		mc.coDepartmentsInParallel()
		return
	}
	stages := m.Workflow.Stages
	if len(stages) == 0 {
		mc.add("workflow_empty", "workflow.stages", "审批流程中没有任何环节，至少需要一个。", "the workflow has no stages; at least one is needed.")
	}
	for j, s := range stages {
		mc.stage(j, s, j == len(stages)-1)
	}
	if mc.v.depts[m.Department] && !involves(m.Workflow, m.Department) {
		mc.addf("workflow_without_department", "workflow", "审批流程中没有实施主体“%s”参与。",
			"the implementing department %q takes no part in the workflow.", m.Department)
	}
	mc.coDepartmentsInParallel()
}

func involves(w *Workflow, dept string) bool {
	for _, s := range w.Stages {
		if s.Department == dept {
			return true
		}
		for _, b := range s.Branches {
			if b.Department == dept {
				return true
			}
		}
	}
	return false
}

// coDepartmentsInParallel checks that every co-department is a branch of some
// parallel stage: naming a co-department that never approves anything would
// tell residents a department is involved when it is not.
func (mc *matterCheck) coDepartmentsInParallel() {
	inParallel := map[string]bool{}
	if mc.m.Workflow != nil {
		for _, s := range mc.m.Workflow.Stages {
			if s.Kind == ParallelStage {
				for _, b := range s.Branches {
					inParallel[b.Department] = true
				}
			}
		}
	}
	var missing []string
	for _, d := range mc.m.CoDepartments {
		if !inParallel[d] && mc.v.depts[d] && d != mc.m.Department {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		list := strings.Join(missing, "、")
		mc.add("co_department_not_in_parallel", "co_departments",
			fmt.Sprintf("协办部门 %s 须作为并联审批环节的一个分支参与审批。", list),
			fmt.Sprintf("co-departments %s must each be a branch of a parallel stage of the workflow.", strings.Join(missing, ", ")))
	}
}

func (mc *matterCheck) stage(j int, s Stage, last bool) {
	m := mc.m
	path := fmt.Sprintf("workflow.stages[%d]", j)
	zhWho := fmt.Sprintf("审批流程第%d个环节", j+1)
	enWho := fmt.Sprintf("workflow stage %d", j+1)
	add := func(reason, field, zh, en string) {
		f := path
		if field != "" {
			f += "." + field
		}
		mc.add(reason, f, zhWho+zh, enWho+en)
	}
	switch s.Kind {
	case DepartmentStage:
		switch {
		case blank(s.Department):
			add("stage_department_missing", "department", "没有指定部门。", " names no department.")
		case !mc.v.depts[s.Department]:
			add("stage_department_unknown", "department",
				fmt.Sprintf("的部门“%s”不在部门列表中。", s.Department),
				fmt.Sprintf(" names department %q, which is not in the list of departments.", s.Department))
		}
		if zh, en := checkSteps(s.Steps); zh != "" {
			add("stage_steps", "steps", zh, en)
		} else if last && s.Steps[len(s.Steps)-1] != Approve {
			add("workflow_no_decision", "steps", "是最后一个环节，须以“审批”结束，否则没有人作出决定。",
				" is the last stage, so it must end with approve; otherwise nobody decides.")
		}
		if s.Days < 0 {
			add("stage_days", "days", fmt.Sprintf("的办理时限不能为负（现为%d）。", s.Days),
				fmt.Sprintf(" has a negative sub-deadline (%d).", s.Days))
		} else if mc.promised && s.Days > m.PromisedLimit.N && m.PromisedLimit.N > 0 {
			add("stage_days_exceed_limit", "days",
				fmt.Sprintf("的办理时限%d个工作日超过了事项的承诺办结时限%s。", s.Days, m.PromisedLimit),
				fmt.Sprintf(" has a sub-deadline of %d working days, longer than the matter's promised limit (%s).", s.Days, limitEn(m.PromisedLimit)))
		}
		if len(s.Branches) > 0 || s.Rule != "" {
			add("stage_parallel_fields", "branches", "是部门环节，不能有并联分支或办结规则；需要并联时请把环节类型设为 parallel。",
				" is a department stage, so it cannot have branches or a completion rule; set its kind to parallel for parallel approval.")
		}
	case ParallelStage:
		mc.parallel(s, last, add)
	default:
		zh, en := badEnum("类型", "kind", s.Kind, stageKindLabels)
		add("stage_kind_unknown", "kind", "的"+zh, "'s "+en)
	}
}

func (mc *matterCheck) parallel(s Stage, last bool, add func(reason, field, zh, en string)) {
	m := mc.m
	if len(s.Branches) < 2 {
		add("parallel_branches_few", "branches",
			fmt.Sprintf("是并联审批，至少需要两个部门分支（现有%d个）。", len(s.Branches)),
			fmt.Sprintf(" is a parallel stage and needs at least two department branches (it has %d).", len(s.Branches)))
	}
	if len(s.Steps) > 0 {
		add("parallel_stage_steps", "steps", "是并联审批，步骤应写在各分支中，而不是环节上。",
			" is a parallel stage; list the steps in its branches, not on the stage.")
	}
	if !s.Rule.Valid() {
		zh, en := badEnum("办结规则", "completion rule", s.Rule, ruleLabels)
		add("parallel_rule_unknown", "rule", "的"+zh, "'s "+en)
	}
	seen := map[string]bool{}
	for k, b := range s.Branches {
		field := fmt.Sprintf("branches[%d].", k)
		who := fmt.Sprintf("的第%d个分支", k+1)
		whoEn := fmt.Sprintf(" branch %d", k+1)
		switch {
		case blank(b.Department):
			add("branch_department_missing", field+"department", who+"没有指定部门。", whoEn+" names no department.")
		case !mc.v.depts[b.Department]:
			add("branch_department_unknown", field+"department",
				fmt.Sprintf("%s的部门“%s”不在部门列表中。", who, b.Department),
				fmt.Sprintf("%s names department %q, which is not in the list of departments.", whoEn, b.Department))
		case seen[b.Department]:
			add("branch_department_duplicate", field+"department",
				fmt.Sprintf("%s的部门“%s”已在本环节的其他分支中，每个部门只能有一个分支。", who, b.Department),
				fmt.Sprintf("%s names department %q, which already has a branch in this stage.", whoEn, b.Department))
		}
		seen[b.Department] = true
		if zh, en := checkSteps(b.Steps); zh != "" {
			add("branch_steps", field+"steps", who+zh, whoEn+en)
		} else if last && b.Steps[len(b.Steps)-1] != Approve {
			add("workflow_no_decision", field+"steps", who+"属于最后一个环节，须以“审批”结束，否则没有人作出决定。",
				whoEn+" is in the last stage, so it must end with approve; otherwise nobody decides.")
		}
		switch {
		case b.Days <= 0:
			add("branch_days", field+"days",
				fmt.Sprintf("%s的办理时限须为正数个工作日（现为%d）。", who, b.Days),
				fmt.Sprintf("%s needs a sub-deadline of one or more working days (it is %d).", whoEn, b.Days))
		case mc.promised && b.Days > m.PromisedLimit.N:
			// Days are working days; against a calendar-day promise this is
			// the same loose check as promised against legal.
			add("branch_days_exceed_limit", field+"days",
				fmt.Sprintf("%s的办理时限%d个工作日超过了事项的承诺办结时限%s。", who, b.Days, m.PromisedLimit),
				fmt.Sprintf("%s has a sub-deadline of %d working days, longer than the matter's promised limit (%s).", whoEn, b.Days, limitEn(m.PromisedLimit)))
		}
	}
	switch {
	case blank(s.Department):
		add("parallel_lead_missing", "department", "是并联审批，须指定牵头部门。", " is a parallel stage and needs a lead department.")
	case !seen[s.Department]:
		add("parallel_lead_not_branch", "department",
			fmt.Sprintf("的牵头部门“%s”必须是本环节的一个分支。", s.Department),
			fmt.Sprintf("'s lead department %q must be one of its branches.", s.Department))
	}
}
