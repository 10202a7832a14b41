package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	sqlite3 "modernc.org/sqlite/lib"
)

const userColumns = `username, name, role, department, password_hash, disabled, created_at, failed_sign_ins, last_failed_at`

func userNotFound(username string) error {
	return bmerr.Newf(bmerr.NotFound, "user_unknown", "没有用户 %s。", "There is no user %s.", username)
}

// CreateUser adds a user; a name in use fails Conflict.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	if u.Username == "" {
		return invalid("user_name", "用户名不能为空。", "The user name is required.")
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now()
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Username, u.Name, string(u.Role), u.Department, u.PasswordHash, u.Disabled, u.CreatedAt.UnixNano(),
			u.FailedSignIns, nanos(u.LastFailedAt))
		if isDuplicate(err) {
			return bmerr.Newf(bmerr.Conflict, "user_exists", "用户名 %s 已被使用。", "The user name %s is taken.", u.Username)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create user: %w", err)
		}
		return nil
	})
}

func scanUser(r rowScanner) (store.User, error) {
	var u store.User
	var role string
	var created int64
	var failed sql.NullInt64
	if err := r.Scan(&u.Username, &u.Name, &role, &u.Department, &u.PasswordHash, &u.Disabled, &created,
		&u.FailedSignIns, &failed); err != nil {
		return store.User{}, err
	}
	u.Role = caseflow.Role(role)
	u.CreatedAt, u.LastFailedAt = timeAt(created), timeOf(failed)
	return u, nil
}

// User returns one user, or NotFound.
func (s *Store) User(ctx context.Context, username string) (store.User, error) {
	st, err := s.rq.get(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`)
	if err != nil {
		return store.User{}, err
	}
	u, err := scanUser(st.QueryRowContext(ctx, username))
	if errors.Is(err, sql.ErrNoRows) {
		return store.User{}, userNotFound(username)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("sqlite: user: %w", err)
	}
	return u, nil
}

// Users returns every user, disabled ones included, in name order.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	return out, nil
}

// UpdateUser replaces everything of a user but its name and creation time;
// NotFound if there is no such user.
func (s *Store) UpdateUser(ctx context.Context, u store.User) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, department = ?, password_hash = ?,
			disabled = ?, failed_sign_ins = ?, last_failed_at = ? WHERE username = ?`,
			u.Name, string(u.Role), u.Department, u.PasswordHash, u.Disabled, u.FailedSignIns, nanos(u.LastFailedAt), u.Username)
		if err != nil {
			return fmt.Errorf("sqlite: update user: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: update user: %w", err)
		} else if n == 0 {
			return userNotFound(u.Username)
		}
		return nil
	})
}

// CreateSession stores a session of an existing user (NotFound otherwise);
// a token hash in use fails Conflict. Sessions are never prolonged, only
// replaced, and one past its expiry is of no use: so each new session also
// deletes those that expired before it was created.
func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	if se.TokenHash == "" {
		return invalid("session_token", "会话标识不能为空。", "The session token is required.")
	}
	if se.ExpiresAt.IsZero() {
		return invalid("session_expiry", "会话必须设置有效期。", "A session needs an expiry time.")
	}
	if se.CreatedAt.IsZero() {
		se.CreatedAt = s.now()
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, se.CreatedAt.UnixNano()); err != nil {
			return fmt.Errorf("sqlite: create session: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			se.TokenHash, se.Username, se.CreatedAt.UnixNano(), se.ExpiresAt.UnixNano())
		switch {
		case isDuplicate(err):
			return bmerr.New(bmerr.Conflict, "session_exists", "该会话已存在。", "This session exists already.")
		case sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return userNotFound(se.Username)
		case err != nil:
			return fmt.Errorf("sqlite: create session: %w", err)
		}
		return nil
	})
}

// Session returns a session, expired or not, or NotFound.
func (s *Store) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	st, err := s.rq.get(ctx, `SELECT token_hash, username, created_at, expires_at FROM sessions WHERE token_hash = ?`)
	if err != nil {
		return store.Session{}, err
	}
	var se store.Session
	var created, expires int64
	err = st.QueryRowContext(ctx, tokenHash).Scan(&se.TokenHash, &se.Username, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Session{}, bmerr.New(bmerr.NotFound, "session_unknown", "会话不存在或已结束，请重新登录。",
			"The session does not exist or has ended; sign in again.")
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("sqlite: session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = timeAt(created), timeAt(expires)
	return se, nil
}

// DeleteSession ends a session; ending one that does not exist (ended
// already) is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
			return fmt.Errorf("sqlite: delete session: %w", err)
		}
		return nil
	})
}
