package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

const rectificationColumns = `case_id, number, station, department, rating, named,
	opened_on, due_on, verified_on, rectified_on, answered_on, followed_up_on, outcome, comment, note`

const qUpsertRectification = `INSERT INTO rectifications (` + rectificationColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (case_id) DO UPDATE SET number = excluded.number, station = excluded.station,
		department = excluded.department, rating = excluded.rating, named = excluded.named,
		opened_on = excluded.opened_on, due_on = excluded.due_on, verified_on = excluded.verified_on,
		rectified_on = excluded.rectified_on, answered_on = excluded.answered_on,
		followed_up_on = excluded.followed_up_on, outcome = excluded.outcome, comment = excluded.comment,
		note = excluded.note`

// dateArg stores d as 'YYYY-MM-DD'; the zero date is NULL.
func dateArg(d workcal.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// SaveRectification creates or replaces a case's rectification.
func (t *tx) SaveRectification(r store.Rectification) error {
	if err := t.parent.Err(); err != nil {
		return err
	}
	if r.CaseID == uuid.Nil {
		return invalid("rectification_case", "整改记录缺少办件。", "The rectification names no case.")
	}
	_, err := t.exec(qUpsertRectification, r.CaseID.String(), r.Number, r.Station, r.Department, r.Rating, r.Named,
		dateArg(r.OpenedOn), dateArg(r.DueOn), dateArg(r.VerifiedOn), dateArg(r.RectifiedOn), dateArg(r.AnsweredOn),
		dateArg(r.FollowedUpOn), r.Outcome, r.Comment, r.Note)
	if err != nil {
		return fmt.Errorf("sqlite: save rectification %s: %w", r.CaseID, err)
	}
	return nil
}

// SaveRectification creates or replaces a case's rectification in its own
// transaction.
func (s *Store) SaveRectification(ctx context.Context, r store.Rectification) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.SaveRectification(r) })
}

func scanRectification(r rowScanner) (store.Rectification, error) {
	var x store.Rectification
	var id string
	var dates [6]sql.NullString
	if err := r.Scan(&id, &x.Number, &x.Station, &x.Department, &x.Rating, &x.Named,
		&dates[0], &dates[1], &dates[2], &dates[3], &dates[4], &dates[5], &x.Outcome, &x.Comment, &x.Note); err != nil {
		return store.Rectification{}, err
	}
	var err error
	if x.CaseID, err = uuid.Parse(id); err != nil {
		return store.Rectification{}, err
	}
	for i, p := range []*workcal.Date{&x.OpenedOn, &x.DueOn, &x.VerifiedOn, &x.RectifiedOn, &x.AnsweredOn, &x.FollowedUpOn} {
		if !dates[i].Valid {
			continue
		}
		if *p, err = workcal.ParseDate(dates[i].String); err != nil {
			return store.Rectification{}, err
		}
	}
	return x, nil
}

// Rectification returns a case's rectification, or NotFound.
func (s *Store) Rectification(ctx context.Context, caseID uuid.UUID) (store.Rectification, error) {
	r, err := scanRectification(s.r.QueryRowContext(ctx,
		`SELECT `+rectificationColumns+` FROM rectifications WHERE case_id = ?`, caseID.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Rectification{}, bmerr.Newf(bmerr.NotFound, "rectification_unknown",
			"办件 %s 没有整改记录。", "Case %s has no rectification.", caseID)
	}
	if err != nil {
		return store.Rectification{}, fmt.Errorf("sqlite: rectification: %w", err)
	}
	return r, nil
}

// Rectifications returns every rectification, or only the open ones (not
// followed up yet), oldest first: by the day opened, then by case id.
func (s *Store) Rectifications(ctx context.Context, openOnly bool) ([]store.Rectification, error) {
	query := `SELECT ` + rectificationColumns + ` FROM rectifications ORDER BY opened_on, case_id`
	if openOnly {
		// The partial index's condition, so that SQLite reads it in order.
		query = `SELECT ` + rectificationColumns + ` FROM rectifications WHERE followed_up_on IS NULL ORDER BY opened_on, case_id`
	}
	rows, err := s.r.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rectifications: %w", err)
	}
	defer rows.Close()
	var out []store.Rectification
	for rows.Next() {
		r, err := scanRectification(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: rectifications: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: rectifications: %w", err)
	}
	return out, nil
}
