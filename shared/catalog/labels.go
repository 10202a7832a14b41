package catalog

import "strings"

// entry is an enum value with its name in Chinese and English. Each enum's
// table is also its ordered list of known values, so Valid, Label and the
// validation messages that list the choices cannot disagree.
type entry[T ~string] struct {
	v      T
	zh, en string
}

func isZh(lang string) bool { return len(lang) >= 2 && lang[:2] == "zh" }

func lookup[T ~string](table []entry[T], v T) (entry[T], bool) {
	for _, e := range table {
		if e.v == v {
			return e, true
		}
	}
	return entry[T]{}, false
}

func known[T ~string](table []entry[T], v T) bool {
	_, ok := lookup(table, v)
	return ok
}

// labelOf returns v's name from table in lang, or v itself when v is unknown,
// so a value from a newer catalog still shows something.
func labelOf[T ~string](table []entry[T], v T, lang string) string {
	e, ok := lookup(table, v)
	if !ok {
		return string(v)
	}
	if isZh(lang) {
		return e.zh
	}
	return e.en
}

// choices lists the known values as an admin writes them in the file, with
// their names: "licensing（行政许可）、benefit（行政给付）…".
func choices[T ~string](table []entry[T]) (zh, en string) {
	zs := make([]string, len(table))
	es := make([]string, len(table))
	for i, e := range table {
		zs[i] = string(e.v) + "（" + e.zh + "）"
		es[i] = string(e.v)
		if e.en != string(e.v) {
			es[i] += " (" + e.en + ")"
		}
	}
	return strings.Join(zs, "、"), strings.Join(es, ", ")
}

var levelLabels = []entry[Level]{
	{Central, "县级政务服务中心", "central service centre"},
	{Township, "乡镇（街道）便民服务中心", "township service centre"},
	{Community, "村（社区）便民服务站", "village/community station"},
}

var kindLabels = []entry[Kind]{
	{Licensing, "行政许可", "administrative licensing"},
	{Benefit, "行政给付", "benefit payment"},
	{Confirmation, "行政确认", "administrative confirmation"},
	{Award, "行政奖励", "administrative award"},
	{Adjudication, "行政裁决", "administrative adjudication"},
	{OtherPower, "其他行政权力", "other administrative power"},
	{PublicService, "公共服务", "public service"},
}

var handlingLabels = []entry[HandlingType]{
	{OnTheSpot, "即办件", "on-the-spot"},
	{Promised, "承诺件", "promised-time"},
	{Forwarded, "上报件", "forwarded up"},
	{Joint, "联办件", "multi-department"},
}

var procedureLabels = []entry[Procedure]{
	{Hearing, "听证", "hearing"},
	{Testing, "检验、检测、检疫", "testing"},
	{Appraisal, "鉴定", "appraisal"},
	{ExpertReview, "专家评审", "expert review"},
	{PublicNotice, "公示", "public notice"},
	{SiteInspection, "现场勘查", "site inspection"},
}

var materialTypeLabels = []entry[MaterialType]{
	{Certificate, "证件证明", "certificate"},
	{Form, "申请表格", "application form"},
	{OtherType, "其他", "other"},
}

var sourceLabels = []entry[Source]{
	{FromApplicant, "申请人自备", "provided by the applicant"},
	{FromGovernment, "政府部门核发", "issued by a government department"},
}

var necessityLabels = []entry[Necessity]{
	{Required, "必要", "required"},
	{Optional, "非必要", "optional"},
	{Deferrable, "容缺后补", "may be supplied later"},
}

var materialFormLabels = []entry[MaterialForm]{
	{Paper, "纸质", "paper"},
	{Electronic, "电子", "electronic"},
	{Either, "纸质或电子", "paper or electronic"},
}

var stepLabels = []entry[Step]{
	{Handle, "承办", "handle"},
	{Review, "审核", "review"},
	{Approve, "审批", "approve"},
}

var stageKindLabels = []entry[StageKind]{
	{DepartmentStage, "部门审批", "department stage"},
	{ParallelStage, "并联审批", "parallel approval"},
}

var ruleLabels = []entry[CompletionRule]{
	{AllAgree, "全部同意", "all must agree"},
	{AnyAgree, "任一同意", "any one suffices"},
}

// Label returns the level's name in lang (Chinese when lang starts with "zh", else English).
func (l Level) Label(lang string) string { return labelOf(levelLabels, l, lang) }

// Label returns the kind's name in lang (Chinese when lang starts with "zh", else English).
func (k Kind) Label(lang string) string { return labelOf(kindLabels, k, lang) }

// Label returns the handling type's name in lang (Chinese when lang starts with "zh", else English).
func (h HandlingType) Label(lang string) string { return labelOf(handlingLabels, h, lang) }

// Label returns the procedure's name in lang (Chinese when lang starts with "zh", else English).
func (p Procedure) Label(lang string) string { return labelOf(procedureLabels, p, lang) }

// Label returns the material type's name in lang (Chinese when lang starts with "zh", else English).
func (t MaterialType) Label(lang string) string { return labelOf(materialTypeLabels, t, lang) }

// Label returns the source's name in lang (Chinese when lang starts with "zh", else English).
func (s Source) Label(lang string) string { return labelOf(sourceLabels, s, lang) }

// Label returns the necessity's name in lang (Chinese when lang starts with "zh", else English).
func (n Necessity) Label(lang string) string { return labelOf(necessityLabels, n, lang) }

// Label returns the material form's name in lang (Chinese when lang starts with "zh", else English).
func (f MaterialForm) Label(lang string) string { return labelOf(materialFormLabels, f, lang) }

// Label returns the step's name in lang (Chinese when lang starts with "zh", else English).
func (s Step) Label(lang string) string { return labelOf(stepLabels, s, lang) }

// Label returns the stage kind's name in lang (Chinese when lang starts with "zh", else English).
func (k StageKind) Label(lang string) string { return labelOf(stageKindLabels, k, lang) }

// Label returns the completion rule's name in lang (Chinese when lang starts with "zh", else English).
func (r CompletionRule) Label(lang string) string { return labelOf(ruleLabels, r, lang) }

// Valid reports whether l is a known level.
func (l Level) Valid() bool { return known(levelLabels, l) }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return known(kindLabels, k) }

// Valid reports whether h is a known handling type.
func (h HandlingType) Valid() bool { return known(handlingLabels, h) }

// Valid reports whether p is a known special procedure.
func (p Procedure) Valid() bool { return known(procedureLabels, p) }

// Valid reports whether t is a known material type.
func (t MaterialType) Valid() bool { return known(materialTypeLabels, t) }

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return known(sourceLabels, s) }

// Valid reports whether n is a known necessity.
func (n Necessity) Valid() bool { return known(necessityLabels, n) }

// Valid reports whether f is a known material form.
func (f MaterialForm) Valid() bool { return known(materialFormLabels, f) }

// Valid reports whether s is a known step.
func (s Step) Valid() bool { return known(stepLabels, s) }

// Valid reports whether k is a known stage kind.
func (k StageKind) Valid() bool { return known(stageKindLabels, k) }

// Valid reports whether r is a known completion rule.
func (r CompletionRule) Valid() bool { return known(ruleLabels, r) }

// order returns the step's position in 承办 → 审核 → 审批, or -1 when unknown.
func (s Step) order() int {
	switch s {
	case Handle:
		return 0
	case Review:
		return 1
	case Approve:
		return 2
	}
	return -1
}
