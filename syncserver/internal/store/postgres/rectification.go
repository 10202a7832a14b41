package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

const rectificationColumns = `case_id, number, station, department, rating, named,
	opened_on, due_on, verified_on, rectified_on, answered_on, followed_up_on, outcome, comment, note`

// dateArg stores d as a date; the zero date is NULL.
func dateArg(d workcal.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), Valid: true}
}

func dateOf(d pgtype.Date) workcal.Date {
	if !d.Valid {
		return workcal.Date{}
	}
	y, m, day := d.Time.Date()
	return workcal.Date{Year: y, Month: m, Day: day}
}

// SaveRectification creates or replaces a case's rectification.
func (t *tx) SaveRectification(r store.Rectification) error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if r.CaseID == uuid.Nil {
		return invalid("rectification_case", "整改记录缺少办件。", "The rectification names no case.")
	}
	if err := t.flush(); err != nil {
		return err
	}
	_, err := t.tx.Exec(t.ctx, `INSERT INTO rectifications (`+rectificationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (case_id) DO UPDATE SET number = excluded.number, station = excluded.station,
			department = excluded.department, rating = excluded.rating, named = excluded.named,
			opened_on = excluded.opened_on, due_on = excluded.due_on, verified_on = excluded.verified_on,
			rectified_on = excluded.rectified_on, answered_on = excluded.answered_on,
			followed_up_on = excluded.followed_up_on, outcome = excluded.outcome, comment = excluded.comment,
			note = excluded.note`,
		r.CaseID, r.Number, r.Station, r.Department, r.Rating, r.Named,
		dateArg(r.OpenedOn), dateArg(r.DueOn), dateArg(r.VerifiedOn), dateArg(r.RectifiedOn), dateArg(r.AnsweredOn),
		dateArg(r.FollowedUpOn), r.Outcome, r.Comment, r.Note)
	if err != nil {
		return fmt.Errorf("postgres: save rectification %s: %w", r.CaseID, err)
	}
	return nil
}

// SaveRectification creates or replaces a case's rectification in its own
// transaction.
func (s *Store) SaveRectification(ctx context.Context, r store.Rectification) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.SaveRectification(r) })
}

func scanRectification(r pgx.Row) (store.Rectification, error) {
	var x store.Rectification
	var dates [6]pgtype.Date
	if err := r.Scan(&x.CaseID, &x.Number, &x.Station, &x.Department, &x.Rating, &x.Named,
		&dates[0], &dates[1], &dates[2], &dates[3], &dates[4], &dates[5], &x.Outcome, &x.Comment, &x.Note); err != nil {
		return store.Rectification{}, err
	}
	for i, p := range []*workcal.Date{&x.OpenedOn, &x.DueOn, &x.VerifiedOn, &x.RectifiedOn, &x.AnsweredOn, &x.FollowedUpOn} {
		*p = dateOf(dates[i])
	}
	return x, nil
}

// Rectification returns a case's rectification, or NotFound.
func (s *Store) Rectification(ctx context.Context, caseID uuid.UUID) (store.Rectification, error) {
	r, err := scanRectification(s.pool.QueryRow(ctx,
		`SELECT `+rectificationColumns+` FROM rectifications WHERE case_id = $1`, caseID))
	if errNoRows(err) {
		return store.Rectification{}, bmerr.Newf(bmerr.NotFound, "rectification_unknown",
			"办件 %s 没有整改记录。", "Case %s has no rectification.", caseID)
	}
	if err != nil {
		return store.Rectification{}, fmt.Errorf("postgres: rectification: %w", err)
	}
	return r, nil
}

// Rectifications returns every rectification, or only the open ones (not
// followed up yet), oldest first: by the day opened (none first, as SQLite
// sorts), then by case id.
func (s *Store) Rectifications(ctx context.Context, openOnly bool) ([]store.Rectification, error) {
	query := `SELECT ` + rectificationColumns + ` FROM rectifications ORDER BY opened_on NULLS FIRST, case_id`
	if openOnly {
		// The partial index's condition, so that it is read in order.
		query = `SELECT ` + rectificationColumns + ` FROM rectifications WHERE followed_up_on IS NULL
			ORDER BY opened_on NULLS FIRST, case_id`
	}
	rows, err := s.pool.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("postgres: rectifications: %w", err)
	}
	out, err := pgx.AppendRows([]store.Rectification(nil), rows,
		func(r pgx.CollectableRow) (store.Rectification, error) { return scanRectification(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: rectifications: %w", err)
	}
	return out, nil
}
