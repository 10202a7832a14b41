package centraldesk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Draft is the catalog administrator's working copy of the catalog and the
// working-day calendar: the screens edit its fields in place, Check says
// every problem in it (the same catalog.Parse and workcal.Parse the
// stations run), and Files writes what PublishCatalog sends.
type Draft struct {
	Base     int // the version it was loaded from
	Catalog  *catalog.Catalog
	Calendar workcal.File

	bad map[string]Problem // fields whose typed text is not a value at all
}

// Problem is one thing wrong, naming the matter and the field.
type Problem struct {
	Field   string
	Message string
}

// LoadDraft reads central's current files. A catalog that no longer
// validates (rules tightened since it was published) still loads, so the
// administrator can fix it here.
func LoadDraft(version int, catalogJSON, calendarJSON []byte) (*Draft, error) {
	d := &Draft{Base: version, bad: map[string]Problem{}}
	c, err := catalog.Parse(catalogJSON)
	if err != nil {
		var loose catalog.Catalog
		if jerr := json.Unmarshal(catalogJSON, &loose); jerr != nil {
			return nil, err
		}
		c = &loose
	}
	d.Catalog = c
	if len(bytes.TrimSpace(calendarJSON)) == 0 {
		calendarJSON = workcal.BuiltinJSON()
	}
	if err := json.Unmarshal(calendarJSON, &d.Calendar); err != nil {
		return nil, bmerr.Newf(bmerr.Invalid, "calendar_syntax", "工作日历文件无法读取：%v", "the working-day calendar file cannot be read: %v", err)
	}
	return d, nil
}

// MarkBad records that the text typed into an input (key, a name the
// screen keeps for it) is not a value, e.g. not a number; Check lists the
// problem, naming field, until ClearBad.
func (d *Draft) MarkBad(key, field, zh, en, lang string) {
	msg := en
	if isZh(lang) {
		msg = zh
	}
	d.bad[key] = Problem{Field: field, Message: msg}
}

// ClearBad forgets a bad input.
func (d *Draft) ClearBad(key string) { delete(d.bad, key) }

// ClearBadPrefix forgets the bad inputs whose keys start with prefix (the
// screen rebuilt them from the values they hold).
func (d *Draft) ClearBadPrefix(prefix string) {
	for k := range d.bad {
		if strings.HasPrefix(k, prefix) {
			delete(d.bad, k)
		}
	}
}

func isZh(lang string) bool { return len(lang) >= 2 && lang[:2] == "zh" }

// Files returns the catalog and calendar files to publish: the catalog
// numbered as the version after the one loaded (central sets the
// publication time).
func (d *Draft) Files() (catalogJSON, calendarJSON []byte, err error) {
	c := *d.Catalog
	c.Version = d.Base + 1
	c.Published = ""
	catalogJSON, err = c.JSON()
	if err != nil {
		return nil, nil, err
	}
	f := d.Calendar
	sort.SliceStable(f.Years, func(i, j int) bool { return f.Years[i].Year < f.Years[j].Year })
	calendarJSON, err = json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return catalogJSON, calendarJSON, nil
}

// Check returns every problem in the draft, in lang: fields that hold no
// value, then the catalog's problems as catalog.Parse finds them (each
// naming its matter and field), then the calendar's.
func (d *Draft) Check(lang string) []Problem {
	var out []Problem
	for _, p := range d.bad {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	cat, cal, err := d.Files()
	if err != nil {
		return append(out, Problem{Message: bmerr.Message(err, lang)})
	}
	if _, err := catalog.Parse(cat); err != nil {
		var verrs catalog.ValidationErrors
		if errors.As(err, &verrs) {
			for _, e := range verrs {
				out = append(out, Problem{Field: e.Field, Message: e.Message(lang)})
			}
		} else {
			e := bmerr.As(err)
			out = append(out, Problem{Field: e.Field, Message: e.Message(lang)})
		}
	}
	if _, err := workcal.Parse(cal); err != nil {
		f := "calendar"
		if e := bmerr.As(err); e != nil && e.Field != "" {
			f += "." + e.Field
		}
		out = append(out, Problem{Field: f, Message: bmerr.Message(err, lang)})
	}
	return out
}

// AddMatter appends a new matter with sensible defaults and returns its index.
func (d *Draft) AddMatter() int {
	n := len(d.Catalog.Matters) + 1
	dept := ""
	if len(d.Catalog.Departments) > 0 {
		dept = d.Catalog.Departments[0].Code
	}
	d.Catalog.Matters = append(d.Catalog.Matters, catalog.Matter{
		Code: fmt.Sprintf("NEW%03d", n), Name: fmt.Sprintf("新事项%d", n), NameEn: fmt.Sprintf("New matter %d", n),
		Kind: catalog.PublicService, Department: dept,
		Levels:        catalog.Levels{Accept: []catalog.Level{catalog.Township}, Decide: []catalog.Level{catalog.Township}, Proxy: []catalog.Level{}},
		PromisedLimit: workcal.Limit{N: 0, Unit: workcal.WorkingDays}, Handling: catalog.OnTheSpot,
		MaxVisits: 1, OnlineDepth: 2, Materials: []catalog.Material{},
	})
	m := &d.Catalog.Matters[len(d.Catalog.Matters)-1]
	d.AddMaterial(m)
	return len(d.Catalog.Matters) - 1
}

// RemoveMatter deletes matter i.
func (d *Draft) RemoveMatter(i int) {
	if i >= 0 && i < len(d.Catalog.Matters) {
		d.Catalog.Matters = slices.Delete(d.Catalog.Matters, i, i+1)
	}
}

// AddDepartment appends an empty department for the admin to fill in.
func (d *Draft) AddDepartment() int {
	d.Catalog.Departments = append(d.Catalog.Departments, catalog.Department{})
	return len(d.Catalog.Departments) - 1
}

// RemoveDepartment removes department i; matters that still name it fail
// Check until they name another.
func (d *Draft) RemoveDepartment(i int) {
	d.Catalog.Departments = slices.Delete(d.Catalog.Departments, i, i+1)
}

// AddMaterial appends a material with a fresh code to m and returns it.
func (d *Draft) AddMaterial(m *catalog.Matter) *catalog.Material {
	code := ""
	for i := len(m.Materials) + 1; ; i++ {
		code = fmt.Sprintf("M%02d", i)
		if _, taken := m.Material(code); !taken {
			break
		}
	}
	m.Materials = append(m.Materials, catalog.Material{Code: code, Name: "", NameEn: "", Type: catalog.Certificate,
		Source: catalog.FromApplicant, Necessity: catalog.Required, Form: catalog.Paper, Originals: 1})
	return &m.Materials[len(m.Materials)-1]
}

// RemoveMaterial deletes material i of m.
func RemoveMaterial(m *catalog.Matter, i int) {
	if i >= 0 && i < len(m.Materials) {
		m.Materials = slices.Delete(m.Materials, i, i+1)
	}
}

// AddStage appends a stage of kind to m's workflow (creating the workflow).
func AddStage(m *catalog.Matter, kind catalog.StageKind) {
	if m.Workflow == nil {
		m.Workflow = &catalog.Workflow{Stages: []catalog.Stage{}}
	}
	s := catalog.Stage{Kind: kind, Department: m.Department}
	if kind == catalog.ParallelStage {
		s.Rule = catalog.AllAgree
		s.Branches = []catalog.Branch{{Department: m.Department, Steps: []catalog.Step{catalog.Handle, catalog.Approve}, Days: 1}}
		for _, co := range m.CoDepartments {
			s.Branches = append(s.Branches, catalog.Branch{Department: co, Steps: []catalog.Step{catalog.Handle, catalog.Approve}, Days: 1})
		}
	} else {
		s.Steps = []catalog.Step{catalog.Handle, catalog.Review, catalog.Approve}
	}
	m.Workflow.Stages = append(m.Workflow.Stages, s)
}

// RemoveStage deletes stage j of m's workflow; the workflow goes with its
// last stage.
func RemoveStage(m *catalog.Matter, j int) {
	if m.Workflow == nil || j < 0 || j >= len(m.Workflow.Stages) {
		return
	}
	m.Workflow.Stages = slices.Delete(m.Workflow.Stages, j, j+1)
	if len(m.Workflow.Stages) == 0 {
		m.Workflow = nil
	}
}

// AddBranch appends a department branch to a parallel stage.
func AddBranch(s *catalog.Stage, department string) {
	s.Branches = append(s.Branches, catalog.Branch{Department: department, Steps: []catalog.Step{catalog.Handle, catalog.Approve}, Days: 1})
}

// RemoveBranch deletes branch k of s.
func RemoveBranch(s *catalog.Stage, k int) {
	if k >= 0 && k < len(s.Branches) {
		s.Branches = slices.Delete(s.Branches, k, k+1)
	}
}

// OrderSteps puts a set of steps in workflow order (承办 → 审核 → 审批).
func OrderSteps(set map[catalog.Step]bool) []catalog.Step {
	out := []catalog.Step{}
	for _, s := range Steps {
		if set[s] {
			out = append(out, s)
		}
	}
	return out
}

// AddNextYear adds the year after the calendar's last one, without
// holidays yet (the State Council publishes them each November), and
// returns its index.
func (d *Draft) AddNextYear(now time.Time) int {
	y := now.Year()
	for _, yr := range d.Calendar.Years {
		y = max(y, yr.Year+1)
	}
	d.Calendar.Years = append(d.Calendar.Years, workcal.Year{Year: y, Holidays: []workcal.Holiday{}, Workdays: []workcal.Date{}})
	return len(d.Calendar.Years) - 1
}

// RemoveYear deletes year i.
func (d *Draft) RemoveYear(i int) {
	if i >= 0 && i < len(d.Calendar.Years) {
		d.Calendar.Years = slices.Delete(d.Calendar.Years, i, i+1)
	}
}

// AddHoliday appends a one-day holiday on 1 January of year i.
func (d *Draft) AddHoliday(i int) {
	y := &d.Calendar.Years[i]
	day := workcal.D(y.Year, time.January, 1)
	y.Holidays = append(y.Holidays, workcal.Holiday{Name: "", From: day, To: day})
}

// AddWorkday appends a make-up working day to year i: the first weekend
// day of the year not yet listed, for the administrator to change.
func (d *Draft) AddWorkday(i int) {
	y := &d.Calendar.Years[i]
	day := workcal.D(y.Year, time.January, 1)
	for day.Weekday() != time.Saturday && day.Weekday() != time.Sunday || slices.Contains(y.Workdays, day) {
		day = day.AddDays(1)
	}
	y.Workdays = append(y.Workdays, day)
}

// Enumerations in the order the editor offers them.
var (
	Kinds        = []catalog.Kind{catalog.Licensing, catalog.Benefit, catalog.Confirmation, catalog.Award, catalog.Adjudication, catalog.OtherPower, catalog.PublicService}
	Handlings    = []catalog.HandlingType{catalog.OnTheSpot, catalog.Promised, catalog.Forwarded, catalog.Joint}
	Levels       = []catalog.Level{catalog.Central, catalog.Township, catalog.Community}
	Procedures   = []catalog.Procedure{catalog.Hearing, catalog.Testing, catalog.Appraisal, catalog.ExpertReview, catalog.PublicNotice, catalog.SiteInspection}
	MatTypes     = []catalog.MaterialType{catalog.Certificate, catalog.Form, catalog.OtherType}
	Sources      = []catalog.Source{catalog.FromApplicant, catalog.FromGovernment}
	Necessities  = []catalog.Necessity{catalog.Required, catalog.Optional, catalog.Deferrable}
	MatForms     = []catalog.MaterialForm{catalog.Paper, catalog.Electronic, catalog.Either}
	Steps        = []catalog.Step{catalog.Handle, catalog.Review, catalog.Approve}
	StageKinds   = []catalog.StageKind{catalog.DepartmentStage, catalog.ParallelStage}
	Rules        = []catalog.CompletionRule{catalog.AllAgree, catalog.AnyAgree}
	Units        = []workcal.Unit{workcal.WorkingDays, workcal.CalendarDays}
	CentralRoles = []caseflow.Role{caseflow.Handler, caseflow.Reviewer, caseflow.Approver, caseflow.Head, caseflow.Admin}
)
