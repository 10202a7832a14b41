package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

// Kinds of case_departments rows.
const (
	deptTask   = "task"
	deptMatter = "matter"
)

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

// qDepartmentCases reads a department's rows of case_departments, a range
// of its primary key, and sorts the (few) cases they name.
const qDepartmentCases = `SELECT snapshot, doc FROM cases
	WHERE id IN (SELECT case_id FROM case_departments WHERE department = ?1)
	ORDER BY updated_at DESC, id DESC LIMIT ?2`

// DepartmentCases returns the cases on which the department has a pending
// workflow task, and the open cases with a warning whose matter it
// implements, most recently updated first (ties by id, descending).
func (s *Store) DepartmentCases(ctx context.Context, department string, limit int) ([]*casefile.Case, error) {
	if limit <= 0 {
		return nil, invalid("page_limit", "每页条数必须大于零。", "The page size must be positive.")
	}
	return s.casePage(ctx, "department cases", qDepartmentCases, department, limit)
}

// caseDepartments fills case_departments for the cases of a file from before
// it (0003_central.sql creates it empty). Closed cases have no rows, so only
// open ones are read.
func caseDepartments(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, snapshot, doc FROM cases WHERE state <> 'closed' ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	ins, err := tx.PrepareContext(ctx, qInsCaseDept)
	if err != nil {
		return err
	}
	defer ins.Close()
	snap, err := tx.PrepareContext(ctx, qMatterDoc)
	if err != nil {
		return err
	}
	defer snap.Close()
	matters := map[int64]*store.Matter{}
	for rows.Next() {
		var id string
		var snapID int64
		var doc []byte
		if err := rows.Scan(&id, &snapID, &doc); err != nil {
			return err
		}
		m, ok := matters[snapID]
		if !ok {
			if m, err = loadMatter(ctx, snap, snapID); err != nil {
				return fmt.Errorf("case %s: %w", id, err)
			}
			matters[snapID] = m
		}
		c, err := store.DecodeCaseWith(doc, m)
		if err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		ix := indexOf(c)
		for _, d := range ix.tasks {
			if _, err := ins.ExecContext(ctx, d, id, deptTask); err != nil {
				return fmt.Errorf("case %s: %w", id, err)
			}
		}
		for _, d := range ix.matter {
			if _, err := ins.ExecContext(ctx, d, id, deptMatter); err != nil {
				return fmt.Errorf("case %s: %w", id, err)
			}
		}
	}
	return rows.Err()
}
