package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/google/uuid"
)

// User is a member of the station's staff. PasswordHash is the PHC string
// the auth package made; the store never sees a password.
type User struct {
	Name          string // sign-in name
	DisplayName   string // shown on changes and notices
	Role          caseflow.Role
	Admin         bool // may add and disable users
	PasswordHash  string
	Disabled      bool
	CreatedAt     time.Time
	LastSignIn    time.Time
	FailedSignIns int
}

func userNotFound(name string) error {
	return notFound("user_unknown", "没有用户“%s”。", "there is no user %q.", name)
}

// CreateUser adds a user; a bmerr Conflict if the name is taken.
func (s *Store) CreateUser(ctx context.Context, u User) error {
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" {
		return bmerr.New(bmerr.Invalid, "user_name", "请填写登录名。", "enter a sign-in name.").WithField("name")
	}
	if strings.TrimSpace(u.DisplayName) == "" {
		return bmerr.New(bmerr.Invalid, "user_display_name", "请填写姓名。", "enter the user's name.").WithField("display_name")
	}
	if u.PasswordHash == "" {
		return bmerr.New(bmerr.Invalid, "user_password", "请设置密码。", "set a password.").WithField("password")
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now()
	}
	return s.write(ctx, func(tx querier) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE name = ?`, u.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return bmerr.Newf(bmerr.Conflict, "user_exists", "登录名“%s”已被使用。", "the sign-in name %q is taken.", u.Name).WithField("name")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (name, display_name, role, admin, password_hash, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, u.Name, strings.TrimSpace(u.DisplayName), string(u.Role), u.Admin,
			u.PasswordHash, u.Disabled, millis(u.CreatedAt))
		return err
	})
}

const userCols = `name, display_name, role, admin, password_hash, disabled, created_at, last_sign_in, failed_sign_ins`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var role string
	var created, last int64
	err := sc.Scan(&u.Name, &u.DisplayName, &role, &u.Admin, &u.PasswordHash, &u.Disabled, &created, &last, &u.FailedSignIns)
	u.Role, u.CreatedAt, u.LastSignIn = caseflow.Role(role), fromMillis(created), fromMillis(last)
	return u, err
}

// User returns one user, or a bmerr NotFound.
func (s *Store) User(ctx context.Context, name string) (User, error) {
	var u User
	err := s.read(ctx, func(tx querier) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = ?`, strings.TrimSpace(name)))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, userNotFound(name)
	}
	return u, err
}

// Users returns every user, the oldest first.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := s.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY created_at, name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateUser changes a user's name shown, role, admin flag, disabled flag
// and, when PasswordHash is not empty, password.
func (s *Store) UpdateUser(ctx context.Context, u User) error {
	return s.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, role = ?, admin = ?, disabled = ?,
			password_hash = CASE WHEN ? = '' THEN password_hash ELSE ? END WHERE name = ?`,
			strings.TrimSpace(u.DisplayName), string(u.Role), u.Admin, u.Disabled, u.PasswordHash, u.PasswordHash, u.Name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return userNotFound(u.Name)
		}
		return nil
	})
}

// RecordSignIn notes a sign-in attempt: a success resets the failure count.
func (s *Store) RecordSignIn(ctx context.Context, name string, ok bool) error {
	return s.write(ctx, func(tx querier) error {
		var err error
		if ok {
			_, err = tx.ExecContext(ctx, `UPDATE users SET last_sign_in = ?, failed_sign_ins = 0 WHERE name = ?`, s.now().UnixMilli(), name)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE name = ?`, name)
		}
		return err
	})
}

// AuditEntry is one audited view of personal data.
type AuditEntry struct {
	At     time.Time
	User   string
	Action string // e.g. "show_full_id"
	CaseID uuid.UUID
	Detail string
}

// Audit records an entry.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	caseID := ""
	if e.CaseID != uuid.Nil {
		caseID = e.CaseID.String()
	}
	return s.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, user, action, case_id, detail) VALUES (?, ?, ?, ?, ?)`,
			millis(e.At), e.User, e.Action, caseID, e.Detail)
		return err
	})
}

// AuditLog returns the audit entries of a case, oldest first.
func (s *Store) AuditLog(ctx context.Context, caseID uuid.UUID) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT at, user, action, case_id, detail FROM audit WHERE case_id = ? ORDER BY seq`, caseID.String())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e AuditEntry
			var at int64
			var id string
			if err := rows.Scan(&at, &e.User, &e.Action, &id, &e.Detail); err != nil {
				return err
			}
			e.At = fromMillis(at)
			e.CaseID, _ = uuid.Parse(id)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
