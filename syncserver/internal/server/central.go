package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/passwd"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// SessionTTL is how long a central user's session lasts.
const SessionTTL = 12 * time.Hour

// Sign-in throttling: after maxFailures failed attempts a name is refused
// until failureWindow has passed since the last one.
const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
)

type userKey struct{}

func userFrom(ctx context.Context) store.User {
	u, _ := ctx.Value(userKey{}).(store.User)
	return u
}

// centralRoles are the roles that sign in to central.
var centralRoles = []caseflow.Role{caseflow.Handler, caseflow.Reviewer, caseflow.Approver, caseflow.Head, caseflow.Admin}

// CreateUser registers a central user with a password (an admin action).
func (s *Server) CreateUser(ctx context.Context, by string, u store.User, password string) error {
	if err := validUser(u); err != nil {
		return err
	}
	if err := passwd.CheckNewPassword(password); err != nil {
		return err
	}
	h, err := passwd.Hash(password)
	if err != nil {
		return err
	}
	u.PasswordHash, u.CreatedAt = h, s.now()
	if err := s.store.CreateUser(ctx, u); err != nil {
		return err
	}
	return s.auditAdmin(ctx, by, "user "+u.Username, "created: role "+string(u.Role)+", department "+u.Department)
}

func validUser(u store.User) error {
	if strings.TrimSpace(u.Username) == "" || strings.ContainsAny(u.Username, " \t:") {
		return bmerr.New(bmerr.Invalid, "username", "用户名不能为空，也不能含空格或冒号。", "a user name cannot be empty or contain spaces or colons.")
	}
	ok := false
	for _, r := range centralRoles {
		ok = ok || u.Role == r
	}
	if !ok {
		return bmerr.Newf(bmerr.Invalid, "user_role", "角色“%s”不是县级角色（承办、审核、审批、负责人、管理员）。", "role %q is not a central role (handler, reviewer, approver, head, admin).", u.Role)
	}
	if (u.Role == caseflow.Admin) != (u.Department == "") {
		return bmerr.New(bmerr.Invalid, "user_department", "部门人员须指定部门；管理员不属于部门。", "a department's staff need a department; an admin has none.")
	}
	return nil
}

func (s *Server) auditAdmin(ctx context.Context, by, subject, detail string) error {
	return s.store.AppendAudit(ctx, audit.Entry{At: s.now(), Actor: by, Kind: audit.Admin, Subject: subject, Detail: detail})
}

type authService struct{ *Server }

func (s *authService) SignIn(ctx context.Context, req *connect.Request[centralv1.SignInRequest]) (*connect.Response[centralv1.SignInResponse], error) {
	name, pw := strings.TrimSpace(req.Msg.Username), req.Msg.Password
	if name == "" || pw == "" {
		return nil, bmerr.New(bmerr.Invalid, "credentials_missing", "请输入用户名和密码。", "enter a user name and a password.")
	}
	now := s.now()
	wrong := bmerr.New(bmerr.Unauthenticated, "bad_credentials", "用户名或密码不正确。", "wrong user name or password.")
	u, err := s.store.User(ctx, name)
	if bmerr.CodeOf(err) == bmerr.NotFound {
		_ = s.store.AppendAudit(ctx, audit.Entry{At: now, Actor: name, Kind: audit.SignInFailed, Subject: name, Detail: "unknown user"})
		return nil, wrong
	} else if err != nil {
		return nil, err
	}
	if u.FailedSignIns >= maxFailures && now.Sub(u.LastFailedAt) < failureWindow {
		return nil, bmerr.Newf(bmerr.ResourceExhausted, "too_many_attempts", "密码错误次数过多，请 %d 分钟后再试。", "too many wrong passwords; try again in %d minutes.",
			int((failureWindow-now.Sub(u.LastFailedAt)).Minutes())+1)
	}
	ok, err := passwd.Verify(pw, u.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok || u.Disabled {
		u.FailedSignIns++
		u.LastFailedAt = now
		_ = s.store.UpdateUser(ctx, u)
		_ = s.store.AppendAudit(ctx, audit.Entry{At: now, Actor: name, Kind: audit.SignInFailed, Subject: name, Detail: map[bool]string{true: "disabled", false: "wrong password"}[u.Disabled]})
		return nil, wrong
	}
	u.FailedSignIns, u.LastFailedAt = 0, time.Time{}
	if passwd.NeedsRehash(u.PasswordHash) {
		if h, err := passwd.Hash(pw); err == nil {
			u.PasswordHash = h
		}
	}
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sess := store.Session{TokenHash: syncapi.HashSecret(token), Username: u.Username, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	if err := s.store.AppendAudit(ctx, audit.Entry{At: now, Actor: u.Username, Kind: audit.SignIn, Subject: u.Username, Detail: "ok"}); err != nil {
		return nil, err
	}
	resp := &centralv1.SignInResponse{Token: token, ExpiresAt: timestamppb.New(sess.ExpiresAt), User: userToWire(u)}
	if err := s.directory(ctx, resp); err != nil {
		return nil, err
	}
	return connect.NewResponse(resp), nil
}

// directory adds the names of every department and station, so that the
// app shows 民政局 and 青山镇便民服务中心 where the other services say mz
// and XZ01. Neither is personal data; every central user may see them.
func (s *authService) directory(ctx context.Context, resp *centralv1.SignInResponse) error {
	env, err := s.Env(ctx)
	if err != nil {
		return err
	}
	for _, d := range env.catalog.Departments {
		resp.Departments = append(resp.Departments, &centralv1.Named{Code: d.Code, Name: d.Name, NameEn: d.NameEn})
	}
	stations, err := s.store.Stations(ctx)
	if err != nil {
		return err
	}
	for _, st := range stations {
		resp.Stations = append(resp.Stations, &centralv1.Named{Code: st.Code, Name: st.Name})
	}
	return nil
}

func (s *authService) SignOut(ctx context.Context, req *connect.Request[centralv1.SignOutRequest]) (*connect.Response[centralv1.SignOutResponse], error) {
	if tok, ok := strings.CutPrefix(req.Header().Get("Authorization"), "Session "); ok {
		if err := s.store.DeleteSession(ctx, syncapi.HashSecret(tok)); err != nil && bmerr.CodeOf(err) != bmerr.NotFound {
			return nil, err
		}
	}
	return connect.NewResponse(&centralv1.SignOutResponse{}), nil
}

func userToWire(u store.User) *centralv1.User {
	return &centralv1.User{Username: u.Username, Name: u.Name, Role: string(u.Role), Department: u.Department}
}

// authenticateUser resolves a session token to its user.
func (s *Server) authenticateUser(ctx context.Context, header string) (store.User, error) {
	token, ok := strings.CutPrefix(header, "Session ")
	none := bmerr.New(bmerr.Unauthenticated, "no_session", "请先登录。", "sign in first.")
	if !ok || token == "" {
		return store.User{}, none
	}
	sess, err := s.store.Session(ctx, syncapi.HashSecret(token))
	if bmerr.CodeOf(err) == bmerr.NotFound {
		return store.User{}, none
	} else if err != nil {
		return store.User{}, err
	}
	if s.now().After(sess.ExpiresAt) {
		return store.User{}, bmerr.New(bmerr.Unauthenticated, "session_expired", "登录已过期，请重新登录。", "the session has expired; sign in again.")
	}
	u, err := s.store.User(ctx, sess.Username)
	if err != nil {
		return store.User{}, err
	}
	if u.Disabled {
		return store.User{}, bmerr.New(bmerr.Unauthenticated, "user_disabled", "该用户已被停用。", "this user has been disabled.")
	}
	return u, nil
}

func (s *Server) sessionInterceptor() connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			u, err := s.authenticateUser(ctx, req.Header().Get("Authorization"))
			if err != nil {
				return nil, syncapi.ToConnect(err)
			}
			return next(context.WithValue(ctx, userKey{}, u), req)
		}
	})
}
