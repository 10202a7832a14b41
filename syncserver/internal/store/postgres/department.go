package postgres

import (
	"context"
	"slices"

	"github.com/bianmin/bianmin/shared/casefile"
)

// What the side tables list for a case, derived from its document. The
// rules are the SQLite store's (sqlite/department.go, 0003_central.sql); the
// conformance suite's DepartmentCases and BlobVisible tests hold both stores
// to them.

// Kinds of case_departments rows.
const (
	deptTask   = "task"
	deptMatter = "matter"
)

// caseIndex is what the side tables list for a case: case_blobs its
// attachments, case_departments the departments that must see it. Each list
// is sorted.
type caseIndex struct {
	blobs  []string
	tasks  []string // 'task' rows
	matter []string // 'matter' rows
}

func indexOf(c *casefile.Case) caseIndex {
	return caseIndex{blobs: attachments(c), tasks: taskDepartments(c), matter: supervisors(c)}
}

// attachments lists the distinct attachments of c's materials, sorted.
func attachments(c *casefile.Case) []string {
	var out []string
	for _, m := range c.Materials {
		for _, a := range m.Attachments {
			if a.SHA256 != "" {
				out = append(out, a.SHA256)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// taskDepartments returns the departments with a pending workflow task on c,
// sorted. The calendar only dates the tasks, so none is needed.
func taskDepartments(c *casefile.Case) []string {
	ts := c.Tasks(nil)
	if len(ts) == 0 {
		return nil
	}
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		if t.Department != "" {
			out = append(out, t.Department)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// supervisors returns the departments that supervise c: while it is open
// and carries a warning, those that implement its matter; otherwise none.
func supervisors(c *casefile.Case) []string {
	if len(c.Warnings) == 0 || c.IsClosed() {
		return nil
	}
	return matterDepartments(&c.Matter)
}

// matterDepartments returns the departments a matter snapshot names: its
// department, co-departments and workflow departments, sorted.
func matterDepartments(m *casefile.MatterSnapshot) []string {
	out := append([]string{m.Department}, m.CoDepartments...)
	if m.Workflow != nil {
		for _, st := range m.Workflow.Stages {
			out = append(out, st.Department)
			for _, b := range st.Branches {
				out = append(out, b.Department)
			}
		}
	}
	out = slices.DeleteFunc(out, func(d string) bool { return d == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// minus returns the keys of a not in b (both sorted).
func minus(a, b []string) []string {
	var out []string
	for _, k := range a {
		if _, ok := slices.BinarySearch(b, k); !ok {
			out = append(out, k)
		}
	}
	return out
}

// deptRows are case_departments rows of one case to write or delete, as
// the two parallel arrays qSaveApplied unnests.
type deptRows struct {
	depts, kinds []string
}

func (r *deptRows) add(kind string, depts []string) {
	for _, d := range depts {
		r.depts = append(r.depts, d)
		r.kinds = append(r.kinds, kind)
	}
}

// qDepartmentCases reads a department's rows of case_departments, a range
// of its primary key, and sorts the (few) cases they name.
const qDepartmentCases = `SELECT snapshot, doc FROM cases
	WHERE id IN (SELECT case_id FROM case_departments WHERE department = $1)
	ORDER BY updated_at DESC, id DESC LIMIT $2`

// DepartmentCases returns the cases on which the department has a pending
// workflow task, and the open cases with a warning whose matter it
// implements, most recently updated first (ties by id, descending).
func (s *Store) DepartmentCases(ctx context.Context, department string, limit int) ([]*casefile.Case, error) {
	if err := pageLimit(limit); err != nil {
		return nil, err
	}
	return s.casePage(ctx, "department cases", qDepartmentCases, department, limit)
}
