package postgres

import (
	"context"
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/jackc/pgx/v5"
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
	_, err := s.pool.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		u.Username, u.Name, string(u.Role), u.Department, u.PasswordHash, u.Disabled, u.CreatedAt.UnixNano(),
		u.FailedSignIns, nanos(u.LastFailedAt))
	if isDuplicate(err) {
		return bmerr.Newf(bmerr.Conflict, "user_exists", "用户名 %s 已被使用。", "The user name %s is taken.", u.Username)
	}
	if err != nil {
		return fmt.Errorf("postgres: create user: %w", err)
	}
	return nil
}

func scanUser(r pgx.Row) (store.User, error) {
	var u store.User
	var role string
	var created int64
	var failed *int64
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
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if errNoRows(err) {
		return store.User{}, userNotFound(username)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("postgres: user: %w", err)
	}
	return u, nil
}

// Users returns every user, disabled ones included, in name order.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("postgres: users: %w", err)
	}
	out, err := pgx.AppendRows([]store.User(nil), rows,
		func(r pgx.CollectableRow) (store.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: users: %w", err)
	}
	return out, nil
}

// UpdateUser replaces everything of a user but its name and creation time;
// NotFound if there is no such user.
func (s *Store) UpdateUser(ctx context.Context, u store.User) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET name = $1, role = $2, department = $3, password_hash = $4,
		disabled = $5, failed_sign_ins = $6, last_failed_at = $7 WHERE username = $8`,
		u.Name, string(u.Role), u.Department, u.PasswordHash, u.Disabled, u.FailedSignIns, nanos(u.LastFailedAt), u.Username)
	if err != nil {
		return fmt.Errorf("postgres: update user: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return userNotFound(u.Username)
	}
	return nil
}

// CreateSession stores a session of an existing user (NotFound otherwise);
// a token hash in use fails Conflict. Each new session also deletes those
// that expired before it was created.
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
	return s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, se.CreatedAt.UnixNano()); err != nil {
			return fmt.Errorf("postgres: create session: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			se.TokenHash, se.Username, se.CreatedAt.UnixNano(), se.ExpiresAt.UnixNano())
		switch {
		case isDuplicate(err):
			return bmerr.New(bmerr.Conflict, "session_exists", "该会话已存在。", "This session exists already.")
		case sqlState(err) == foreignKeyViolation:
			return userNotFound(se.Username)
		case err != nil:
			return fmt.Errorf("postgres: create session: %w", err)
		}
		return nil
	})
}

// Session returns a session, expired or not, or NotFound.
func (s *Store) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	var se store.Session
	var created, expires int64
	err := s.pool.QueryRow(ctx, `SELECT token_hash, username, created_at, expires_at FROM sessions WHERE token_hash = $1`,
		tokenHash).Scan(&se.TokenHash, &se.Username, &created, &expires)
	if errNoRows(err) {
		return store.Session{}, bmerr.New(bmerr.NotFound, "session_unknown", "会话不存在或已结束，请重新登录。",
			"The session does not exist or has ended; sign in again.")
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("postgres: session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = timeAt(created), timeAt(expires)
	return se, nil
}

// DeleteSession ends a session; ending one that does not exist (ended
// already) is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}
